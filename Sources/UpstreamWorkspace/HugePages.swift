import Foundation

/// Large allocations on 2 MiB pages (Linux's transparent huge pages) for the whole process.
///
/// Why: the stages that matter at a force's scale read and write arrays of gigabytes in an order the data decides
/// (each record's person, a person's records, a block's nodes). With 4 KiB pages every such touch of a new page also
/// misses the processor's address cache (TLB), and the share of touches that do grows with the arrays: a random
/// read over 2 GB cost 19.6 ns against 13.5 ns over 95 MB on this project's benchmark machine, and 14.2 ns over the
/// same 2 GB on 2 MiB pages (`docs/scale.md`, "Huge pages"). That growth is cost that rises faster than the data.
/// On the whole link, alternated on one host (session 47): 320 → 297 s at 2,000,000 people and 485 → 463 s at 3,000,000
/// (medians), about 2% more peak memory; session 34 had found no difference on `risk score` and took it out.
///
/// Where the kernel gives huge pages only to memory that asks for them (`/sys/kernel/mm/transparent_hugepage/enabled`
/// reads `[madvise]`, Debian's and Ubuntu's default), glibc's malloc asks for every region of 2 MiB or more when
/// its tunable `glibc.malloc.hugetlb=1` is set, and glibc reads tunables only as a program starts: so
/// ``restartIfNeeded()`` starts this same program again (same process id, arguments, input and output) with the
/// tunable added. `UPSTREAM_HUGE_PAGES=0` turns this off; a `GLIBC_TUNABLES` that already names the tunable is left
/// as it is.
public enum HugePages {
    /// The environment variable that turns the request off: `0`, `off`, `no` or `false`.
    public static let switchVariable = "UPSTREAM_HUGE_PAGES"
    /// glibc's tunable (glibc 2.35 and later; earlier versions ignore it).
    static let tunable = "glibc.malloc.hugetlb"

    /// The `GLIBC_TUNABLES` value to start again with, or nil when no new start is wanted: turned off by
    /// ``switchVariable``, or glibc's tunable already set (by an earlier start or by the user). Other tunables are kept.
    public static func tunables(for environment: [String: String]) -> String? {
        if let v = environment[switchVariable], ["0", "off", "no", "false"].contains(v.lowercased()) { return nil }
        let current = environment["GLIBC_TUNABLES"] ?? ""
        if current.split(separator: ":").contains(where: { $0.hasPrefix(tunable + "=") }) { return nil }
        return current.isEmpty ? tunable + "=1" : current + ":" + tunable + "=1"
    }

    /// Whether the kernel's transparent huge pages are given only on request, from the text of
    /// `/sys/kernel/mm/transparent_hugepage/enabled` (`always [madvise] never`): only then does asking help. Under
    /// `[always]` every large region gets them already; under `[never]` none does.
    public static func onRequestOnly(kernelSetting: String) -> Bool { kernelSetting.contains("[madvise]") }

    /// Whether this process's malloc asks for huge pages (its tunable was set when it started).
    public static var requested: Bool {
        ProcessInfo.processInfo.environment["GLIBC_TUNABLES"]?.split(separator: ":").contains(where: { $0 == tunable + "=1" }) ?? false
    }

    /// On Linux, when the kernel gives huge pages on request and ``tunables(for:)`` asks for a new start, replaces
    /// this process with the same program, arguments and open files, with the tunable set. Returns when no new start
    /// is wanted or it could not be made (the run then goes on with 4 KiB pages).
    public static func restartIfNeeded() {
        #if os(Linux)
        guard let value = tunables(for: ProcessInfo.processInfo.environment),
              let setting = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8),
              onRequestOnly(kernelSetting: setting) else { return }
        setenv("GLIBC_TUNABLES", value, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("GLIBC_TUNABLES")  // exec failed: carry on as started
        #endif
    }
}
