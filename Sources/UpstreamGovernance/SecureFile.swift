import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold person-level data or secrets, created readable by their owner only.
///
/// Every file goes through a temporary file in the same folder, created with `O_CREAT|O_EXCL` and the mode,
/// written, flushed to disk and renamed over the target: a crash never leaves half a file, and the file is never
/// readable by others, not even for a moment. The mode is 0600 unless the operator sets `UPSTREAM_FILE_MODE`
/// (octal, for example `0640` to let a group of analysts read outputs); a mode that lets others (not the owner or
/// group) read or write is ignored. Keys are always 0600 (see ``SecretKeyFile``).
public enum SecureFile {
    /// The mode for files holding person-level data: `UPSTREAM_FILE_MODE` when it is a valid octal mode
    /// without access for others, otherwise 0600.
    public static var mode: mode_t { mode(from: ProcessInfo.processInfo.environment["UPSTREAM_FILE_MODE"]) }

    /// The mode `text` (octal) names if it keeps the owner's read and write and gives others nothing; else 0600.
    public static func mode(from text: String?) -> mode_t {
        guard let text, let m = Int(text, radix: 8), m & 0o007 == 0, m & 0o600 == 0o600, m <= 0o777 else { return 0o600 }
        return mode_t(m)
    }

    /// Writes `data` to `path` atomically, created with ``mode``.
    /// - Throws: ``GovernanceError/fileNotWritten(_:_:)`` naming the file.
    public static func write(path: String, data: some Collection<UInt8>, mode: mode_t = SecureFile.mode) throws {
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno))) }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        do {
            defer { close(fd) }
            // The umask may have removed bits; the mode is set exactly.
            guard fchmod(fd, mode) == 0 else { throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno))) }
            let bytes = Array(data)
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno))) }
                offset += n
            }
            guard fsync(fd) == 0 else { throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno))) }
        }
        guard rename(tmp, path) == 0 else { throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno))) }
        ok = true
    }

    /// Removes the temporary files that writers killed mid-write left beside `paths`: `NAME.tmp-PID-N` (this type's
    /// own), and `NAME.new-PID-N` with its `.tmp-PID-N` (a key or signed head made then linked into place, see
    /// ``SecretKeyFile``). They are never read again and may hold person-level data or a key. Only a file whose
    /// every writer no longer runs is removed: another process may be writing its own.
    public static func removeAbandonedTemporaries(of paths: [String]) {
        let byFolder = Dictionary(grouping: paths) { ($0 as NSString).deletingLastPathComponent }
        for (folder, targets) in byFolder {
            let names = Set(targets.map { ($0 as NSString).lastPathComponent })
            removeAbandonedTemporaries(inFolder: folder) { name in names.contains { name.hasPrefix($0 + ".") } }
        }
    }

    /// Removes every abandoned temporary file (as ``removeAbandonedTemporaries(of:)``) in `folder` whose name
    /// `belongs` says is one of the caller's.
    public static func removeAbandonedTemporaries(inFolder folder: String, where belongs: (String) -> Bool = { _ in true }) {
        let dir = folder.isEmpty ? "." : folder
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where belongs(name) {
            let writers = writerIDs(inTemporaryName: name)
            guard !writers.isEmpty, writers.allSatisfy({ pid in pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH }) else { continue }
            unlink(dir + "/" + name)
        }
    }

    /// The process ids a temporary file's name carries (after each `.tmp-` and `.new-`); empty for any other name.
    static func writerIDs(inTemporaryName name: String) -> [pid_t] {
        var ids: [pid_t] = []
        var rest = Substring(name)
        while let marker = [rest.range(of: ".tmp-"), rest.range(of: ".new-")].compactMap({ $0 }).min(by: { $0.lowerBound < $1.lowerBound }) {
            let after = rest[marker.upperBound...]
            let digits = after.prefix { $0.isASCII && $0.isNumber }
            guard let pid = pid_t(digits), pid > 0, after.dropFirst(digits.count).first == "-" else { return [] }
            ids.append(pid)
            rest = after.dropFirst(digits.count)
        }
        return ids
    }

    /// Writes `text` as UTF-8 to `path` atomically, created with ``mode``.
    public static func write(path: String, text: String) throws {
        try write(path: path, data: Array(text.utf8))
    }

    /// Creates an empty file at `path` with ``mode`` if nothing is there yet (so that SQLite, which keeps an existing
    /// file's mode and gives its journal the same, never creates the store world-readable).
    /// - Returns: whether the file was created.
    @discardableResult
    public static func createIfMissing(path: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, SecureFile.mode)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno)))
        }
        defer { close(fd) }
        _ = fchmod(fd, SecureFile.mode)
        return true
    }

    /// The permission bits of the file at `path`, or `nil` when there is none.
    public static func permissions(of path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_mode) & 0o777
    }
}
