import Foundation
import UpstreamModel

/// One linkage run as the store keeps it: when, by whom, its figures and its trained model.
public struct LinkageRunInfo: Hashable, Sendable, Codable {
    /// Assigned by the store when the run is saved (1, 2, …); ignored on save.
    public var id: Int64
    /// Seconds since 1970-01-01 UTC.
    public var finishedAt: Int64
    /// Who ran it (the audit trail's actor name).
    public var by: String
    /// Records linked.
    public var records: Int
    /// Persons found.
    public var persons: Int
    /// The trained model (UpstreamLinkage's `LinkageModel` as JSON), so later runs and reviews can reuse it.
    public var modelJSON: Data
    /// Free-form figures of the run (settings digest, pairs compared, thresholds) as JSON; may be empty.
    public var detailJSON: Data

    public init(id: Int64 = 0, finishedAt: Int64, by: String, records: Int, persons: Int, modelJSON: Data, detailJSON: Data = Data()) {
        self.id = id; self.finishedAt = finishedAt; self.by = by; self.records = records; self.persons = persons
        self.modelJSON = modelJSON; self.detailJSON = detailJSON
    }
}

/// One record given to one person by a linkage run, with the probability of its strongest link (nil for a
/// record alone in its cluster or placed by a reviewer's decision).
public struct PersonAssignment: Hashable, Sendable, Codable {
    public var record: RecordKey
    public var person: PersonID
    public var probability: Double?
    public init(record: RecordKey, person: PersonID, probability: Double? = nil) {
        self.record = record; self.person = person; self.probability = probability
    }
}

/// A linked person as the store lists them: id, pseudonym and how many records they hold.
public struct PersonSummary: Hashable, Sendable, Codable {
    public var person: PersonID
    /// The keyed pseudonym (UpstreamGovernance's `Pseudonymiser`), unique in the store.
    public var pseudonym: String
    public var records: Int
    public init(person: PersonID, pseudonym: String, records: Int) {
        self.person = person; self.pseudonym = pseudonym; self.records = records
    }
}

/// Which review queue an item belongs to.
public enum ReviewQueueName: String, Hashable, Sendable, Codable, CaseIterable {
    /// Linkage pairs the model was unsure about.
    case linkagePairs = "linkage-pairs"
    /// Young people the risk model flagged.
    case riskFlags = "risk-flags"
    /// Offers of support made from the intervention plan.
    case offers
}

/// One review-queue item as stored: its queue, subject, whether it is still open, and its state machine
/// (UpstreamGovernance's `ReviewItem` with the queue's own payload) as JSON.
public struct StoredReviewItem: Hashable, Sendable, Codable {
    public var queue: ReviewQueueName
    /// The pair id, or the young person's pseudonym.
    public var subject: String
    /// Still waiting for a decision.
    public var pending: Bool
    /// Seconds since 1970-01-01 UTC of the last change.
    public var updatedAt: Int64
    public var stateJSON: Data
    public init(queue: ReviewQueueName, subject: String, pending: Bool, updatedAt: Int64, stateJSON: Data) {
        self.queue = queue; self.subject = subject; self.pending = pending; self.updatedAt = updatedAt; self.stateJSON = stateJSON
    }
}

/// One risk run: a model trained, or persons scored as of a date.
public struct RiskRunInfo: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable { case train, score }
    /// Assigned by the store when the run is saved; ignored on save.
    public var id: Int64
    public var kind: Kind
    /// The model's id (its content digest), the same for a training run and the scoring runs that use it.
    public var modelID: String
    /// The date the features are as of (scoring), or the last training date (training).
    public var asOf: CivilDate
    /// Seconds since 1970-01-01 UTC.
    public var finishedAt: Int64
    public var by: String
    /// The trained model (UpstreamRiskFeatures' `TrainedRiskModel` as JSON) for training runs; empty for scoring.
    public var modelJSON: Data
    /// The model report (JSON) for training runs; the scoring run's figures for scoring; may be empty.
    public var reportJSON: Data
    /// The linkage run whose persons were used.
    public var linkageRun: Int64?
    /// What the run was given beyond the store (a training run's lookups, such as the postcode file, so scoring
    /// reads the same ones) as JSON; may be empty.
    public var detailJSON: Data

    public init(id: Int64 = 0, kind: Kind, modelID: String, asOf: CivilDate, finishedAt: Int64, by: String,
                modelJSON: Data = Data(), reportJSON: Data = Data(), linkageRun: Int64? = nil, detailJSON: Data = Data()) {
        self.id = id; self.kind = kind; self.modelID = modelID; self.asOf = asOf; self.finishedAt = finishedAt
        self.by = by; self.modelJSON = modelJSON; self.reportJSON = reportJSON; self.linkageRun = linkageRun
        self.detailJSON = detailJSON
    }
}

/// One reason behind a score: a feature, its plain-words text, and its contribution (log-odds, TreeSHAP).
public struct ScoreReason: Hashable, Sendable, Codable {
    public var feature: String
    public var text: String
    public var contribution: Double
    public init(feature: String, text: String, contribution: Double) {
        self.feature = feature; self.text = text; self.contribution = contribution
    }
}

/// One person's score in one scoring run, with the reasons raising and lowering it.
public struct PersonScore: Hashable, Sendable, Codable {
    public var run: Int64
    public var person: PersonID
    public var asOf: CivilDate
    /// Calibrated probability of the outcome within the model's horizon.
    public var score: Double
    /// 1 = highest in the run.
    public var rank: Int
    public var age: Int?
    /// Whether the score is within the run's capacity (flagged for review).
    public var flagged: Bool
    public var raising: [ScoreReason]
    public var lowering: [ScoreReason]
    public init(run: Int64, person: PersonID, asOf: CivilDate, score: Double, rank: Int, age: Int? = nil, flagged: Bool,
                raising: [ScoreReason] = [], lowering: [ScoreReason] = []) {
        self.run = run; self.person = person; self.asOf = asOf; self.score = score; self.rank = rank; self.age = age
        self.flagged = flagged; self.raising = raising; self.lowering = lowering
    }
}

/// An offer of support to a young person: which programme, from which plan, and where it stands.
public struct StoredOffer: Hashable, Sendable, Codable {
    /// Assigned by the store when the offer is saved; ignored on save.
    public var id: Int64
    public var person: PersonID
    /// The catalogue's programme id.
    public var programme: String
    /// Cost in pounds (the catalogue's price year, see docs/interventions.md).
    public var cost: Double
    /// `proposed`, `offered`, `accepted`, `declined`, `withdrawn`.
    public var status: String
    /// Seconds since 1970-01-01 UTC.
    public var createdAt: Int64
    /// Plan figures for this offer (expected harm averted, benefit-cost ratio) as JSON; may be empty.
    public var detailJSON: Data
    public init(id: Int64 = 0, person: PersonID, programme: String, cost: Double, status: String, createdAt: Int64, detailJSON: Data = Data()) {
        self.id = id; self.person = person; self.programme = programme; self.cost = cost; self.status = status
        self.createdAt = createdAt; self.detailJSON = detailJSON
    }
}

/// Where Upstream keeps linked persons and what follows from them: linkage runs and their models, each
/// record's person, review queues, risk runs, scores with reasons, and offers.
///
/// Every backend (SQLite, PostgreSQL, in memory) conforms and passes the same conformance suite. Each save is
/// one transaction: a crash mid-way leaves the previous state whole.
public protocol PersonStore: Sendable {
    /// Saves a linkage run and makes its assignments the current persons, in one transaction: the previous
    /// run's assignments and persons are replaced (the run itself is kept in the history), and, when `review` is
    /// given, the pending items of the ``ReviewQueueName/linkagePairs`` queue are replaced by it (decided items
    /// are kept; a given item whose subject is already decided is skipped). A crash or a throw leaves the
    /// previous run, its persons and its queue whole.
    /// - Parameters:
    ///   - run: the run (its `id` is assigned).
    ///   - assignments: every linked record's person, each record once; any collection, so a caller may compute each
    ///     assignment as it is read rather than hold them all (in the stores' key order, it is checked and written
    ///     without a copy or a set of every key).
    ///   - review: the run's pairs for clerical review (queue `.linkagePairs`, pending), or nil to leave the queue as it is.
    ///   - pseudonym: the keyed pseudonym of each person (called once per distinct person).
    /// - Returns: the run as stored, with its id.
    /// - Throws: ``StoreError/collision(_:)`` when two persons get the same pseudonym, and
    ///   ``StoreError/invalidRun(_:)`` when a record is assigned twice; either changes nothing.
    func saveLinkageRun<C: Collection>(_ run: LinkageRunInfo, assignments: C, review: [StoredReviewItem]?,
                                       pseudonym: (PersonID) -> String) throws -> LinkageRunInfo where C.Element == PersonAssignment
    /// The linkage runs, oldest first.
    func linkageRuns() throws -> [LinkageRunInfo]
    /// The latest linkage run, or nil when nothing has been linked.
    func currentLinkageRun() throws -> LinkageRunInfo?
    /// Calls `body` with every current assignment, ordered by person then record.
    func forEachAssignment(_ body: (PersonAssignment) throws -> Void) throws
    /// Calls `body` with every current record and its person, in whatever order is cheapest for the store (a
    /// relink's earlier ids). SQLite scans its assignments table, in key order (source, then record id, by bytes: what
    /// `LinkRunStore.earlierPersons` merges with, without a lookup a record); the default goes through
    /// ``forEachAssignment(_:)``.
    func forEachRecordPerson(_ body: (RecordKey, PersonID) throws -> Void) throws
    /// The current person of a record, or nil.
    func person(of record: RecordKey) throws -> PersonID?
    /// A person by pseudonym, or nil.
    func person(pseudonym: String) throws -> PersonSummary?
    /// A person's summary, or nil.
    func personSummary(_ person: PersonID) throws -> PersonSummary?
    /// The stored records of a person (their assignments joined to the records), in load order.
    func records(of person: PersonID) throws -> [StoredRecord]
    /// Calls `body` once per current person, in person order, with that person's stored records (person-level
    /// and event-level rows assigned to them) in load order: the streaming join that risk features and
    /// chronologies read, holding one person's records in memory at a time.
    func forEachPerson(_ body: (PersonID, [StoredRecord]) throws -> Void) throws
    /// The persons sharing a postcode with any of `person`'s person-level records (the household
    /// neighbourhood), not including `person`.
    func neighbours(of person: PersonID) throws -> [PersonSummary]

    /// Saves (inserts or replaces) review items, in one transaction.
    func saveReviewItems(_ items: [StoredReviewItem]) throws
    /// The items of a queue, optionally only pending ones, by subject.
    func reviewItems(_ queue: ReviewQueueName, pendingOnly: Bool) throws -> [StoredReviewItem]
    /// One item, or nil.
    func reviewItem(_ queue: ReviewQueueName, subject: String) throws -> StoredReviewItem?

    /// Saves a risk run, and for a scoring run its scores, in one transaction.
    /// - Returns: the run as stored, with its id.
    func saveRiskRun(_ run: RiskRunInfo, scores: [PersonScore]) throws -> RiskRunInfo
    /// The risk runs, oldest first.
    func riskRuns() throws -> [RiskRunInfo]
    /// The latest run of a kind, or nil.
    func latestRiskRun(_ kind: RiskRunInfo.Kind) throws -> RiskRunInfo?
    /// The scores of a run, by rank.
    func scores(run: Int64) throws -> [PersonScore]
    /// A person's scores across runs, oldest first (the trend).
    func scores(of person: PersonID) throws -> [PersonScore]

    /// Saves offers; returns them with their ids.
    func saveOffers(_ offers: [StoredOffer]) throws -> [StoredOffer]
    /// Changes an offer's status.
    func updateOffer(id: Int64, status: String) throws
    /// Offers, optionally of one person, oldest first.
    func offers(of person: PersonID?) throws -> [StoredOffer]
}

extension PersonStore {
    /// Every current record and its person, through ``forEachAssignment(_:)`` (its person order).
    public func forEachRecordPerson(_ body: (RecordKey, PersonID) throws -> Void) throws {
        try forEachAssignment { try body($0.record, $0.person) }
    }

    /// Saves a linkage run and its assignments, leaving the review queues as they are (see
    /// ``saveLinkageRun(_:assignments:review:pseudonym:)``).
    public func saveLinkageRun(_ run: LinkageRunInfo, assignments: [PersonAssignment], pseudonym: (PersonID) -> String) throws -> LinkageRunInfo {
        try saveLinkageRun(run, assignments: assignments, review: nil, pseudonym: pseudonym)
    }
}

/// Everything a workspace keeps: source records, the audit trail, and persons with what follows from them.
public typealias WorkspaceStore = RecordStore & PersonStore
