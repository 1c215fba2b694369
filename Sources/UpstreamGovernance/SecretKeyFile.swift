import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A 256-bit secret kept in a file readable by its owner only: the pseudonymisation key and the audit trail's key.
///
/// The file is one line, `upstream-key v1 <64 hex digits> <8 hex digits>`, the last being the start of the key's
/// SHA-256, so a truncated or damaged key is recognised and refused, never silently replaced (a new key would
/// orphan every pseudonym and audit entry made under the old one). A key readable by group or others is refused.
///
/// The key is created once, atomically: it is written to a temporary file (`O_CREAT|O_EXCL`, mode 0600) and then
/// hard-linked to its name, which fails if another process got there first; the loser reads the winner's key.
/// Concurrent first uses therefore end with exactly one key, and nobody ever reads half a key.
public enum SecretKeyFile {
    static let magic = "upstream-key v1"

    /// The key at `path`, created if there is no file there yet.
    /// - Returns: the key, and whether this call created it.
    /// - Throws: ``GovernanceError`` when the file is corrupt, exposed, unreadable or cannot be created.
    public static func loadOrCreate(at path: String) throws -> (key: SymmetricKey, created: Bool) {
        if let key = try load(at: path) { return (key, false) }
        let key = SymmetricKey(size: .bits256)
        let text = encode(key)
        let tmp = path + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try SecureFile.write(path: tmp, data: Array(text.utf8), mode: 0o600)
        } catch {
            throw GovernanceError.keyNotCreated(path, "\(error)")
        }
        defer { unlink(tmp) }
        if link(tmp, path) == 0 { return (key, true) }
        let err = errno
        guard err == EEXIST else { throw GovernanceError.keyNotCreated(path, String(cString: strerror(err))) }
        // Another process created the key first: use theirs.
        guard let theirs = try load(at: path) else { throw GovernanceError.keyNotCreated(path, "it vanished while being created") }
        return (theirs, false)
    }

    /// The key at `path`, or `nil` when there is no file.
    /// - Throws: ``GovernanceError`` when the file exists but is corrupt, exposed or unreadable.
    public static func load(at path: String) throws -> SymmetricKey? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw GovernanceError.keyUnreadable(path, String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw GovernanceError.keyUnreadable(path, String(cString: strerror(errno))) }
        let mode = Int(st.st_mode) & 0o777
        if mode & 0o077 != 0 { throw GovernanceError.keyExposed(path, mode: mode) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while bytes.count <= 1024 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw GovernanceError.keyUnreadable(path, String(cString: strerror(errno))) }
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        return try decode(bytes, path: path)
    }

    /// The file's text for `key`.
    static func encode(_ key: SymmetricKey) -> String {
        let raw = key.withUnsafeBytes { Array($0) }
        return "\(magic) \(Hex.string(raw)) \(Hex.string(Array(SHA256.hash(data: raw)).prefix(4)))\n"
    }

    /// Parses a key file's bytes, saying what is wrong when they are not a key.
    static func decode(_ bytes: [UInt8], path: String) throws -> SymmetricKey {
        if bytes.isEmpty { throw GovernanceError.keyCorrupt(path, "the file is empty") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GovernanceError.keyCorrupt(path, "\(bytes.count) bytes that are not text; an Upstream key is one line of text")
        }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard parts.count == 4, "\(parts[0]) \(parts[1])" == magic else {
            throw GovernanceError.keyCorrupt(path, "it does not start with '\(magic)' followed by the key and its check digits")
        }
        guard let raw = Hex.bytes(parts[2]), raw.count == 32 else {
            throw GovernanceError.keyCorrupt(path, "the key is \(parts[2].count) characters, not 64 hex digits")
        }
        guard Hex.string(Array(SHA256.hash(data: raw)).prefix(4)) == parts[3].lowercased() else {
            throw GovernanceError.keyCorrupt(path, "the key does not match its check digits (it was damaged or edited)")
        }
        return SymmetricKey(data: raw)
    }
}

/// Lower-case hexadecimal, two digits a byte, by table. (The web server's session key used Foundation's
/// `String(format: "%02x")` a byte: 10 % of the server's CPU samples on the queue page at 1,000,000 people, `perf`.)
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    /// The bytes as lower-case hexadecimal.
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of hexadecimal text (either case), or nil when it is not an even number of hexadecimal digits.
    public static func bytes(_ text: String) -> [UInt8]? {
        let u = Array(text.lowercased().utf8)
        guard u.count % 2 == 0 else { return nil }
        func v(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = v(u[i]), let lo = v(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
