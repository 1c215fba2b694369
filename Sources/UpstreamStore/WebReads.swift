import UpstreamModel

/// One record of a household neighbourhood: whose it is (the current linkage run's person), with what match
/// probability, and the stored record.
public struct NeighbourhoodRecord: Sendable {
    public var person: PersonID
    public var probability: Double?
    public var stored: StoredRecord
    public init(person: PersonID, probability: Double?, stored: StoredRecord) {
        self.person = person; self.probability = probability; self.stored = stored
    }
}

/// Reads the web app and the chronology make on every request, each in one indexed query instead of a query per
/// neighbour or a scan of the store (SQLite and PostgreSQL conform; callers fall back to ``PersonStore``'s reads).
public protocol NeighbourhoodReads: Sendable {
    /// The records of `person` and of everyone who may share their household: the persons with a person-level
    /// record at a postcode of one of `person`'s person-level records, or at the same incident (an `incident`
    /// event's reference), as the chronology's household inference reads them. Ordered by person, then load order.
    /// - Parameter personLevelOnly: only person-level records (as the command line's chronology reads them); else
    ///   every record assigned to those persons.
    func neighbourhoodRecords(of person: PersonID, personLevelOnly: Bool) throws -> [NeighbourhoodRecord]
}

/// One entry of the audit trail, as much as a cache needs to know whether the store changed: its sequence number
/// and action.
public struct AuditMark: Hashable, Sendable {
    public var seq: Int64
    public var action: String
    /// The entry's subject (a young person's pseudonym for a decision or an assignment; empty when none).
    public var subject: String
    public init(seq: Int64, action: String, subject: String = "") { self.seq = seq; self.action = action; self.subject = subject }
}

/// Reads the audit trail's newest entries after a known one: how a cache in one server process learns, in one
/// indexed query, that another process (or the command line) changed what its pages show, since every such change
/// is written to the trail with (or after) the change itself.
public protocol AuditTailReads: Sendable {
    /// The entries after `seq`, oldest first, at most `limit`.
    func auditMarks(after seq: Int64, limit: Int) throws -> [AuditMark]
    /// The last entry's sequence number (0 when the trail is empty).
    func latestAuditSeq() throws -> Int64
}
