import Crypto
import Foundation
import UpstreamStore

#if canImport(Glibc)
import Glibc
#endif

/// The audit trail's keyed chain: each entry's MAC is an HMAC-SHA256, under the audit key the operator holds, of
/// the entry's fields and the MAC of the entry before it.
///
/// Without the key nobody can compute a valid MAC, so an entry cannot be edited, and entries cannot be removed
/// and the chain rewritten to hide it (as plain SHA-256 allowed). The store calls ``mac(seq:event:previousMAC:)``
/// inside the transaction that appends, and ``didAppend(_:)`` after it commits, which advances the signed head.
public struct AuditChain: AuditSealer {
    let key: SymmetricKey
    /// Who is acting through the store this chain seals.
    public let actor: AuditActor
    /// Where the signed head is kept (`nil`: no head, for tests of the chain alone).
    public let head: SignedHeadFile?

    /// A chain under `key` for `actor`, keeping its signed head in `head`.
    public init(key: SymmetricKey, actor: AuditActor, head: SignedHeadFile?) {
        self.key = key; self.actor = actor; self.head = head
    }

    public func mac(seq: Int64, event: AuditEvent, previousMAC: String) -> String {
        Hex.string(HMAC<SHA256>.authenticationCode(for: Self.canonical(seq: seq, event: event, previousMAC: previousMAC), using: key))
    }

    public func didAppend(_ last: AuditEntry) throws { try head?.advance(to: last) }

    /// The bytes the MAC covers: every field, each preceded by its length, in a fixed order (so no two different
    /// entries share an encoding).
    static func canonical(seq: Int64, event e: AuditEvent, previousMAC: String) -> [UInt8] {
        var out = Array("upstream-audit v1".utf8)
        func field(_ s: String?) {
            guard let s else { out += Array("|-1:".utf8); return }
            out += Array("|\(s.utf8.count):".utf8)
            out += Array(s.utf8)
        }
        for f in [String(seq), String(e.at), e.actor.name, e.actor.kind.rawValue, e.actor.role, e.action, e.subject] { field(f) }
        field(e.source)
        for f in [String(e.count), e.reason, e.detail, previousMAC] { field(f) }
        return out
    }
}

/// The trail's signed head: how many entries it holds and the last one's MAC, signed with the audit key.
public struct SignedHead: Hashable, Sendable, Codable {
    public var count: Int64
    public var lastMAC: String
    public init(count: Int64, lastMAC: String) { self.count = count; self.lastMAC = lastMAC }
}

/// The file that keeps the trail's signed head, outside the database (beside the keys).
///
/// A writer of the database alone cannot roll it back: deleting the trail's last entries, or emptying or
/// replacing the whole trail, leaves fewer entries than the head records, and forging a head needs the key.
/// It is advanced after each append commits, under an exclusive lock, and only forwards, so concurrent appenders
/// leave it at the highest count. A crash between an append and the head's update leaves the head one step
/// behind: verification reports those entries as after the head (their MACs still prove them), not as tampering.
public struct SignedHeadFile: Sendable {
    public let path: String
    let key: SymmetricKey
    static let magic = "upstream-audit-head v1"

    /// The head kept at `path`, signed under `key` (the audit key).
    public init(path: String, key: SymmetricKey) { self.path = path; self.key = key }

    func signature(_ head: SignedHead) -> String {
        Hex.string(HMAC<SHA256>.authenticationCode(for: Array("\(Self.magic)|\(head.count)|\(head.lastMAC)".utf8), using: key))
    }

    /// The head, or `nil` when there is no file.
    /// - Throws: ``GovernanceError/headCorrupt(_:_:)`` when the file is damaged, edited or signed with another key.
    public func read() throws -> SignedHead? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw GovernanceError.headCorrupt(path, "it cannot be read") }
            return nil
        }
        let parts = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard parts.count == 5, "\(parts[0]) \(parts[1])" == Self.magic, let count = Int64(parts[2]), count >= 0 else {
            throw GovernanceError.headCorrupt(path, "it is not '\(Self.magic) COUNT MAC SIGNATURE'")
        }
        let head = SignedHead(count: count, lastMAC: parts[3])
        guard signature(head) == parts[4] else {
            throw GovernanceError.headCorrupt(path, "its signature does not match: it was edited, or signed with another key")
        }
        return head
    }

    func text(_ head: SignedHead) -> String { "\(Self.magic) \(head.count) \(head.lastMAC) \(signature(head))\n" }

    /// Creates the head of an empty trail (count 0) if there is no head file yet; never replaces one.
    /// Called when a store is opened and its trail is empty, so that from the first append on, a missing head
    /// means a deleted head.
    public func createForEmptyTrail() throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let tmp = path + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try SecureFile.write(path: tmp, text: text(SignedHead(count: 0, lastMAC: AuditEntry.genesis)))
        defer { unlink(tmp) }
        if link(tmp, path) != 0 && errno != EEXIST {
            throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno)))
        }
    }

    /// Records `last` as the trail's head unless the head already records as many entries or more (heads only
    /// move forwards, so a truncated trail stays detectable).
    /// - Throws: ``GovernanceError/headCorrupt(_:_:)`` when the head is missing or invalid: appends then fail
    ///   closed (the entry is in the trail; the head must be restored before the next check can pass).
    public func advance(to last: AuditEntry) throws {
        let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw GovernanceError.fileNotWritten(path + ".lock", String(cString: strerror(errno))) }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno))) }
        defer { flock(lock, LOCK_UN) }
        guard let current = try read() else {
            throw GovernanceError.headCorrupt(path, "it is missing although the trail was already in use (it was deleted or moved)")
        }
        if current.count >= last.seq { return }
        try SecureFile.write(path: path, text: text(SignedHead(count: last.seq, lastMAC: last.mac)))
    }
}
