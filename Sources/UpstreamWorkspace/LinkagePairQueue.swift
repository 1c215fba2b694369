import Foundation
import UpstreamGovernance
import UpstreamLinkage
import UpstreamModel
import UpstreamStore

/// The clerical review queue of uncertain linkage pairs, as the command line (`upstream review`) and the web app share
/// it, stored the way ``RiskFlagQueue`` stores flags: one `review_items` row per pair (queue `linkage-pairs`, subject
/// the pair id) whose state is UpstreamGovernance's ``LinkagePairReview`` state machine (pending → decided → reopened
/// …, every step with who and why), with the pair's two records, its place in the queue and the linkage's
/// explanation beside it. Rows written before the `v7-review-queue` migration are converted by it, once.
public struct LinkagePairQueue {
    /// One pair as `review_items.state` holds it: the state machine's own keys (`subject`, `state`, `history`) at
    /// the top level, so the row decodes as a ``LinkagePairReview`` like any review item, plus the pair.
    public struct Pair: Codable, Hashable, Sendable {
        /// The review's state machine.
        public var review: LinkagePairReview
        /// The pair's two records, in key order.
        public var left: RecordKey
        public var right: RecordKey
        /// The pair's place in its linkage run's queue.
        public var order: Int?
        /// The weights and the explanation the linkage gave. Absent only for pairs decided at the command line
        /// before the `v7-review-queue` migration, which kept the decision alone.
        public var item: UpstreamLinkage.ReviewItem?

        /// A new pending pair of a linkage run.
        public init(item: UpstreamLinkage.ReviewItem, order: Int) {
            review = LinkagePairReview(subject: item.id)
            left = item.left; right = item.right
            self.order = order; self.item = item
        }

        /// The decision `upstream link` applies (accept: always one person; reject: never), when decided.
        public var decision: ReviewDecision? {
            guard case .decided(let d) = review.state else { return nil }
            let last = review.history.last
            return ReviewDecision(left: left, right: right, verdict: d == .samePerson ? .accept : .reject,
                                  decidedAt: last?.at ?? 0, reviewer: last?.by.name)
        }

        enum Keys: String, CodingKey { case left, right, order, item }

        public init(from decoder: any Decoder) throws {
            review = try LinkagePairReview(from: decoder)
            let c = try decoder.container(keyedBy: Keys.self)
            left = try c.decode(RecordKey.self, forKey: .left)
            right = try c.decode(RecordKey.self, forKey: .right)
            order = try c.decodeIfPresent(Int.self, forKey: .order)
            item = try c.decodeIfPresent(UpstreamLinkage.ReviewItem.self, forKey: .item)
        }

        public func encode(to encoder: any Encoder) throws {
            try review.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(left, forKey: .left)
            try c.encode(right, forKey: .right)
            try c.encodeIfPresent(order, forKey: .order)
            try c.encodeIfPresent(item, forKey: .item)
        }
    }

    public let store: any WorkspaceStore

    public init(store: any WorkspaceStore) { self.store = store }

    /// Reads a stored row.
    /// - Throws: ``WorkspaceError/badInput(_:)`` when the row is not a review item of this shape.
    public static func decode(_ stored: StoredReviewItem) throws -> Pair {
        do { return try JSONDecoder().decode(Pair.self, from: stored.stateJSON) } catch {
            throw WorkspaceError.badInput("review pair \(stored.subject) cannot be read (\(JSONFiles.describe(error))); restore the store from backup")
        }
    }

    /// The row of `pair`.
    public static func stored(_ pair: Pair, at: Int64) throws -> StoredReviewItem {
        StoredReviewItem(queue: .linkagePairs, subject: pair.review.subject, pending: pair.review.state == .pending, updatedAt: at,
                         stateJSON: try JSONFiles.encode(pair))
    }

    /// Every pair with its row (pending and decided).
    public func pairs() throws -> [(stored: StoredReviewItem, pair: Pair)] {
        try store.reviewItems(.linkagePairs, pendingOnly: false).map { ($0, try Self.decode($0)) }
    }

    /// The pair `id`, or nil when it is not in the queue.
    public func pair(_ id: String) throws -> (stored: StoredReviewItem, pair: Pair)? {
        guard let stored = try store.reviewItem(.linkagePairs, subject: id) else { return nil }
        return (stored, try Self.decode(stored))
    }

    /// Saves `pair` with the audit entries that record its change, through the store's one audited save (one
    /// transaction when the store can: both or neither after a crash).
    public func save(_ pair: Pair, audit: [AuditEvent], at: Int64) throws {
        try store.saveReviewItems([try Self.stored(pair, at: at)], audit: audit)
    }

    /// Performs one transition of pair `id` (`change` calls the state machine) and saves the pair with its audit
    /// entries (each given `detail`) in one transaction.
    /// - Throws: ``WorkspaceError`` when there is no such pair; ``GovernanceError`` when the transition is refused.
    @discardableResult
    public func transition(_ id: String, detail: String, at: Int64,
                           _ change: (inout LinkagePairReview) throws -> [ReviewAction]) throws -> Pair {
        guard var pair = try pair(id)?.pair else {
            throw WorkspaceError.usage("no pair \(id) in the review queue; list it with upstream review")
        }
        var events: [AuditEvent] = []
        for action in try change(&pair.review) {
            if case .audit(var event) = action {
                event.detail = detail
                events.append(event)
            }
        }
        try save(pair, audit: events, at: at)
        return pair
    }
}
