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

    /// The records of `person` and of the persons the chronology's household inference can name: those with a
    /// person-level event record at one of `person`'s homes (``Identity/home``: the postcode narrowed to the house
    /// number) or at one of their incidents, from `person`'s person-level records. A subset of
    /// ``neighbourhoodRecords(of:personLevelOnly:)`` from which the same chronology is built; ordered the same way.
    func householdRecords(of person: PersonID, personLevelOnly: Bool) throws -> [NeighbourhoodRecord]
}

extension NeighbourhoodReads {
    /// The whole neighbourhood (a superset: the chronology built from it is the same). SQLite reads the household in
    /// steps instead (`SQLiteStore.householdRecords`); PostgreSQL keeps this one query.
    public func householdRecords(of person: PersonID, personLevelOnly: Bool) throws -> [NeighbourhoodRecord] {
        try neighbourhoodRecords(of: person, personLevelOnly: personLevelOnly)
    }
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

/// The ids of the current linkage run and the latest scoring run in one small query, for the web app's kept pages,
/// whose keys name both runs on every request (the runs' own rows carry their models as JSON: 14 KB for a linkage
/// run, read and thrown away on each request before this).
public protocol LatestRunReads: Sendable {
    /// The highest linkage run id and the highest `score` risk run id (nil where there is none): the ids of
    /// `currentLinkageRun()` and `latestRiskRun(.score)`.
    func latestRunIDs() throws -> (linkage: Int64?, score: Int64?)
}

/// Each scored person's trend (every score, oldest run first) for many persons in one query, without the scores'
/// reasons: the review queue's page shows a trend for each of its young people.
public protocol TrendReads: Sendable {
    /// The scores of each of `persons` (as-of date and score, oldest run first); a person with none is absent.
    func trends(of persons: [PersonID]) throws -> [PersonID: [(asOf: CivilDate, score: Double)]]
}
