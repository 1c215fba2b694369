import Crypto
import Foundation

/// The access audit log: append-only JSON Lines beside the store, each entry carrying the hash of the one before,
/// so that any edit, deletion or reordering breaks the chain and `upstream audit verify` reports where.
struct AuditLog {
    /// One access to a person's record.
    struct Entry: Codable, Equatable {
        var seq: Int
        /// Seconds since 1970-01-01 UTC.
        var at: Int64
        var user: String
        var action: String
        var person: String
        var reason: String
        var previousHash: String
        var hash: String

        /// The hash of every field but `hash`, in a fixed order.
        func computeHash() -> String {
            let text = [String(seq), String(at), user, action, person, reason, previousHash].map { "\($0.count):\($0)" }.joined(separator: "|")
            return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        }
    }

    let path: String
    static let genesis = String(repeating: "0", count: 64)

    static func forStore(_ store: String) -> AuditLog { AuditLog(path: store + ".audit.jsonl") }

    func entries() throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).enumerated().map { i, line in
            do { return try decoder.decode(Entry.self, from: Data(line)) } catch { throw CLIError("audit log line \(i + 1) is not a valid entry") }
        }
    }

    /// Appends an entry chained to the last one.
    @discardableResult
    func append(user: String, action: String, person: String, reason: String, at: Int64) throws -> Entry {
        let last = try entries().last
        var e = Entry(seq: (last?.seq ?? 0) + 1, at: at, user: user, action: action, person: person, reason: reason,
                      previousHash: last?.hash ?? AuditLog.genesis, hash: "")
        e.hash = e.computeHash()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(e)
        line.append(UInt8(ascii: "\n"))
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("cannot create the audit log \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CLIError("cannot open the audit log \(path)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try handle.synchronize()
        return e
    }

    /// The first problem in the chain, or `nil` when it is intact.
    func verify() throws -> String? {
        var previous = AuditLog.genesis
        for (i, e) in try entries().enumerated() {
            if e.seq != i + 1 { return "entry \(i + 1): sequence number \(e.seq), expected \(i + 1) (an entry was removed or reordered)" }
            if e.previousHash != previous { return "entry \(e.seq): does not follow the entry before it (an entry was removed, inserted or changed)" }
            if e.computeHash() != e.hash { return "entry \(e.seq): its contents do not match its hash (it was edited)" }
            previous = e.hash
        }
        return nil
    }
}
