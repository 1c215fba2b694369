import Testing
import UpstreamWorkspace

@Suite("huge pages: when the program starts again asking for them")
struct HugePagesTests {
    @Test("no tunables: the program starts again with glibc's tunable alone")
    func addsTheTunable() {
        #expect(HugePages.tunables(for: [:]) == "glibc.malloc.hugetlb=1")
        #expect(HugePages.tunables(for: ["GLIBC_TUNABLES": ""]) == "glibc.malloc.hugetlb=1")
    }

    @Test("other tunables are kept, the new one added after them")
    func keepsOtherTunables() {
        #expect(HugePages.tunables(for: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2"])
                == "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1")
    }

    @Test("the tunable already set (by the first start or by the user, to any value): no new start")
    func neverLoops() {
        #expect(HugePages.tunables(for: ["GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"]) == nil)
        #expect(HugePages.tunables(for: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0"]) == nil)
        // What the first start hands the second is a value the second declines to change.
        let first = HugePages.tunables(for: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2"])!
        #expect(HugePages.tunables(for: ["GLIBC_TUNABLES": first]) == nil)
    }

    @Test("UPSTREAM_HUGE_PAGES=0 (or off, no, false) turns it off; other values leave it on")
    func switchedOff() {
        for off in ["0", "off", "NO", "false"] { #expect(HugePages.tunables(for: ["UPSTREAM_HUGE_PAGES": off]) == nil) }
        #expect(HugePages.tunables(for: ["UPSTREAM_HUGE_PAGES": "1"]) == "glibc.malloc.hugetlb=1")
    }

    @Test("only the kernel's on-request setting makes asking worth a new start")
    func kernelSetting() {
        #expect(HugePages.onRequestOnly(kernelSetting: "always [madvise] never\n"))
        #expect(!HugePages.onRequestOnly(kernelSetting: "[always] madvise never\n"))
        #expect(!HugePages.onRequestOnly(kernelSetting: "always madvise [never]\n"))
    }
}
