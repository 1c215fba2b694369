import Foundation
import UpstreamGovernance
import UpstreamModel
import UpstreamStore

/// The practitioners' queue of flagged young people, as the command line and the web app share it: one
/// `review_items` row per young person (queue `risk-flags`, subject the pseudonym) holding UpstreamGovernance's
/// ``RiskFlagReview`` state machine (pending → decided → reopened …, every step with who and why). What the flag says
/// (score, rank, reasons) is the scoring run's, read from the store's scores. Nothing is triggered by a score: the
/// queue only records what people decided.
public struct RiskFlagQueue {
    /// A flagged young person in the queue: the review's state and history, and their latest flag's figures.
    public struct Entry: Codable, Equatable, Sendable {
        public var pseudonym: String
        /// `pending`, `decided (offer-support)`, `withdrawn`.
        public var state: String
        /// The decision, when decided.
        public var decision: String?
        public var history: [ReviewStep]
        /// The latest flag: its date, rank, calibrated probability, age and reasons.
        public var asOf: String?
        public var rank: Int?
        public var score: Double?
        public var age: Int?
        public var reasons: [ScoreReason]
        public var lowering: [ScoreReason]
        public var pending: Bool { decision == nil && state == "pending" }
    }

    public let store: any WorkspaceStore

    public init(store: any WorkspaceStore) { self.store = store }

    /// The review item of `pseudonym`, or nil when none is queued.
    public func item(_ pseudonym: String) throws -> RiskFlagReview? {
        guard let stored = try store.reviewItem(.riskFlags, subject: pseudonym) else { return nil }
        return try Self.decode(stored)
    }

    /// Reads a stored row (rows of earlier versions were converted by the `v7-review-queue` migration).
    static func decode(_ stored: StoredReviewItem) throws -> RiskFlagReview {
        if stored.stateJSON.isEmpty { return RiskFlagReview(subject: stored.subject) }
        guard let item = try? JSONDecoder().decode(RiskFlagReview.self, from: stored.stateJSON) else {
            throw WorkspaceError.badInput("the review queue's item for \(stored.subject) cannot be read; restore the store from backup")
        }
        return item
    }

    /// Queues a pending review for each flagged young person not queued yet (one already queued, pending or
    /// decided, keeps its state); returns how many were new.
    public func enqueue(_ pseudonyms: [String], at: Int64) throws -> Int {
        var new: [StoredReviewItem] = []
        for p in pseudonyms where try store.reviewItem(.riskFlags, subject: p) == nil {
            new.append(StoredReviewItem(queue: .riskFlags, subject: p, pending: true, updatedAt: at,
                                        stateJSON: try JSONEncoder().encode(RiskFlagReview(subject: p))))
        }
        try store.saveReviewItems(new)
        return new.count
    }

    /// Saves an item after a transition (the audit entry must already be written).
    public func save(_ item: RiskFlagReview, at: Int64) throws {
        try store.saveReviewItems([try Self.stored(item, at: at)])
    }

    /// Saves `item` with the audit entries that record its change, through the store's one audited save (one
    /// transaction when the store can: both or neither after a crash).
    public func save(_ item: RiskFlagReview, audit: [AuditEvent], at: Int64) throws {
        try store.saveReviewItems([try Self.stored(item, at: at)], audit: audit)
    }

    static func stored(_ item: RiskFlagReview, at: Int64) throws -> StoredReviewItem {
        StoredReviewItem(queue: .riskFlags, subject: item.subject, pending: item.state == .pending, updatedAt: at,
                         stateJSON: try JSONEncoder().encode(item))
    }

    /// Every queued young person, highest-ranked latest flag first, with their review's state.
    public func entries() throws -> [Entry] {
        var out: [Entry] = []
        for stored in try store.reviewItems(.riskFlags, pendingOnly: false) {
            let item = try Self.decode(stored)
            var flag: PersonScore?
            if let person = try store.person(pseudonym: stored.subject) {
                flag = try store.scores(of: person.person).last { $0.flagged }
            }
            let decision: String? = if case .decided(let d) = item.state { d.rawValue } else { nil }
            out.append(Entry(pseudonym: stored.subject, state: Self.stateName(item.state), decision: decision, history: item.history,
                             asOf: flag?.asOf.iso, rank: flag?.rank, score: flag?.score, age: flag?.age,
                             reasons: flag?.raising ?? [], lowering: flag?.lowering ?? []))
        }
        return out.sorted { ($0.asOf ?? "", -($0.rank ?? Int.max), $0.pseudonym) > ($1.asOf ?? "", -($1.rank ?? Int.max), $1.pseudonym) }
    }

    /// The state as the queue shows it.
    public static func stateName(_ s: ReviewState<RiskFlag.Decision>) -> String {
        switch s {
        case .pending: "pending"
        case .decided(let d): "decided (\(d.rawValue))"
        case .withdrawn: "withdrawn"
        }
    }
}
