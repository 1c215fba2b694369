import UpstreamStore

/// The result of checking the audit trail: how many entries, what the signed head records, and every problem
/// found (each saying what is wrong and what it means).
public struct AuditVerification: Hashable, Sendable, Codable {
    /// Entries in the trail.
    public var entries: Int
    /// The count the signed head records (`nil` when there is no valid head).
    public var headCount: Int64?
    /// Tampering, damage or a missing trail; empty when the trail is intact.
    public var problems: [String]
    /// Things worth knowing that are not tampering (entries written after the head was last advanced).
    public var notes: [String]

    public init(entries: Int, headCount: Int64?, problems: [String], notes: [String]) {
        self.entries = entries; self.headCount = headCount; self.problems = problems; self.notes = notes
    }

    /// Whether the trail is complete and unaltered as far as the key and head can tell.
    public var intact: Bool { problems.isEmpty }
}

/// Checks an audit trail entry by entry (streaming: memory does not grow with the trail), then against its
/// signed head. Pure: the entries and the head are given, nothing is read.
///
/// It finds an edited entry (its MAC no longer matches), a deleted or inserted middle entry (a gap in the
/// sequence, or an entry not chained to the one before), a chain rewritten without the key (MACs that do not
/// verify), unsealed entries (written by a program that opened the store without the key), deleted last entries
/// and an emptied trail (fewer entries than the head records), and a trail replaced by another (the head's last
/// MAC differs from the entry it names).
public struct AuditVerifier {
    let chain: AuditChain
    public private(set) var count = 0
    var expected: Int64 = 1
    var previous = AuditEntry.genesis
    var macs: [Int64: String] = [:]
    var wanted: Int64?
    var problems: [String] = []
    static let maximumProblems = 20

    /// A verifier for a trail sealed with `chain`'s key; `headCount` is the entry whose MAC to keep for the head check.
    public init(chain: AuditChain, headCount: Int64?) {
        self.chain = chain
        wanted = headCount
    }

    mutating func problem(_ text: String) {
        if problems.count < Self.maximumProblems { problems.append(text) }
        else if problems.count == Self.maximumProblems { problems.append("… and more problems after these") }
    }

    /// Checks the next entry of the trail.
    public mutating func check(_ e: AuditEntry) {
        count += 1
        if e.seq < expected {
            problem("entry \(e.seq) appears again after entry \(expected - 1): entries were duplicated or reordered")
        } else if e.seq > expected {
            let missing = e.seq - expected == 1 ? "entry \(expected) is" : "entries \(expected) to \(e.seq - 1) are"
            problem("\(missing) missing: deleted from the middle of the trail")
        } else if e.previousMAC != previous {
            problem("entry \(e.seq) is not chained to entry \(e.seq - 1): entries were removed, inserted or rewritten")
        }
        if e.mac.isEmpty {
            problem("entry \(e.seq) (\(e.action)) is not sealed: it was written by a program that opened the store without the audit key")
        } else if chain.mac(seq: e.seq, event: e.event, previousMAC: e.previousMAC) != e.mac {
            problem("entry \(e.seq) does not match its MAC: it was edited, or the chain was rewritten by someone without the audit key")
        }
        if e.seq == wanted { macs[e.seq] = e.mac }
        expected = max(expected, e.seq + 1)
        previous = e.mac
    }

    /// The verdict, given the signed head as read (`nil` when there is no head file; an error when it is invalid).
    public func finish(head: Result<SignedHead?, GovernanceError>, headPath: String) -> AuditVerification {
        var problems = self.problems
        var notes: [String] = []
        var headCount: Int64?
        switch head {
        case .failure(let error):
            problems.append("\(error)")
        case .success(nil):
            if count == 0 {
                problems.append("there is no audit trail to verify: the store's trail is empty and there is no signed head "
                                + "\(headPath). If the trail was never used, run any audited command first; otherwise it was deleted")
            } else {
                problems.append("the signed head \(headPath) is missing: the trail's \(count) entries verify, but the deletion of "
                                + "its last entries cannot be ruled out. Restore the head from backup")
            }
        case .success(let h?):
            headCount = h.count
            let n = Int64(count)
            if n < h.count {
                if n == 0 {
                    problems.append("the trail is empty but the signed head records \(h.count) entries: the trail was emptied or deleted")
                } else {
                    let gone = h.count - n == 1 ? "the last entry was" : "the last \(h.count - n) entries were"
                    problems.append("the trail has \(n) entries but the signed head records \(h.count): \(gone) deleted")
                }
            } else if h.count > 0, macs[h.count] != h.lastMAC {
                problems.append("entry \(h.count) is not the one the signed head recorded: the trail was replaced or rewritten")
            }
            if n > h.count {
                notes.append("\(n - h.count) entr\(n - h.count == 1 ? "y was" : "ies were") written after the signed head was last "
                             + "advanced (a process stopped between the two); their MACs verify them")
            }
        }
        return AuditVerification(entries: count, headCount: headCount, problems: problems, notes: notes)
    }
}
