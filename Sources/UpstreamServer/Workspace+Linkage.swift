import Foundation
import UpstreamGovernance
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamWorkspace

/// The linkage run's pair, as UpstreamLinkage names it (UpstreamGovernance's `ReviewItem` is the state machine).
typealias LinkagePairItem = UpstreamLinkage.ReviewItem

extension WebWorkspace {
    /// One pair of the `linkage-pairs` queue, stored as the command line stores it: Governance's review state machine
    /// with the pair beside it (UpstreamWorkspace's ``LinkagePairQueue``).
    typealias StoredPair = LinkagePairQueue.Pair

    /// One comparison's step in a pair's match-weight waterfall.
    struct PairStep: Codable, Sendable {
        var comparison: String
        var level: String
        /// The two records' values (nil when withheld from the role, or missing).
        var left: String?
        var right: String?
        var m: Double?
        var u: Double?
        /// This comparison's match weight in bits (log2 m/u, with any term-frequency adjustment).
        var weight: Double
        /// The running total after this step, in bits.
        var cumulative: Double
    }

    /// One pair for clerical review: the two records, the model's weight and probability, the waterfall and where
    /// the review stands.
    struct Pair: Codable, Sendable {
        var id: String
        var leftSource: String
        var rightSource: String
        /// Source record ids: only for roles that may see provenance (nil otherwise).
        var leftRecord: String?
        var rightRecord: String?
        var weight: Double
        var probability: Double
        var linkedNow: Bool
        /// The prior (the starting point of the waterfall), in bits; nil when the run kept no explanation.
        var priorWeight: Double?
        var steps: [PairStep]
        /// `pending`, `decided (same-person)`, `decided (different-people)`, `withdrawn`.
        var state: String
        var decidedBy: String?
        var history: [Step]
    }

    /// The linkage review queue: pending pairs in the run's order, one page, and the latest decisions.
    struct LinkageQueue: Codable, Sendable {
        var pending: Int
        var decided: Int
        var page: Int
        var pages: Int
        var items: [Pair]
        var recentDecisions: [Pair]
        var decisions: [String]
        /// Whether the role may decide (supervisors).
        var mayDecide: Bool
        /// Whether the records' values and ids are shown (roles that may identify) or withheld (analysts).
        var valuesShown: Bool
    }

    /// The decisions a reviewer can record, with the verdict `upstream link` applies.
    static func verdict(_ d: LinkagePair.Decision) -> ReviewDecision.Verdict { d == .samePerson ? .accept : .reject }

    func storedPairs() throws -> [(StoredReviewItem, StoredPair)] {
        try LinkagePairQueue(store: store).pairs().map { ($0.stored, $0.pair) }
    }

    func pairView(_ stored: StoredReviewItem, _ pair: StoredPair, values: Bool) -> Pair {
        let review = pair.review
        let left: RecordKey? = pair.left, right: RecordKey? = pair.right
        let steps = (pair.item?.explanation?.steps ?? []).map {
            PairStep(comparison: $0.comparison, level: $0.level, left: values ? $0.left : nil, right: values ? $0.right : nil,
                     m: $0.m, u: $0.u, weight: $0.weight + $0.tfAdjustment, cumulative: $0.cumulative)
        }
        return Pair(id: stored.subject, leftSource: left?.source ?? "", rightSource: right?.source ?? "",
                    leftRecord: values ? left?.recordID : nil, rightRecord: values ? right?.recordID : nil,
                    weight: pair.item?.weight ?? 0, probability: pair.item?.probability ?? 0, linkedNow: pair.item?.linkedNow ?? false,
                    priorWeight: pair.item?.explanation?.priorWeight, steps: steps, state: Self.pairStateName(review.state),
                    decidedBy: review.history.last?.by.name,
                    history: review.history.map { Step(at: $0.at, by: $0.by.name, what: $0.what, reason: $0.reason) })
    }

    static func pairStateName(_ s: UpstreamGovernance.ReviewState<LinkagePair.Decision>) -> String {
        switch s {
        case .pending: "pending"
        case .decided(let d): "decided (\(d.rawValue))"
        case .withdrawn: "withdrawn"
        }
    }

    /// Pairs per page of the linkage queue.
    static let pairsPerPage = 20

    /// The linkage review queue for analysts (weights and levels; values and record ids withheld) and supervisors
    /// (everything, and they decide). Audited as one `view-linkage-pairs` entry with the number of pairs shown.
    func linkageQueue(for user: User, page: Int = 1) throws -> LinkageQueue {
        let role = user.role!
        guard role.may(.viewPseudonymised) else { throw WebError.forbidden("the role \(role.rawValue) may not see linkage pairs") }
        let values = role.may(.identify) && role.may(.decideLinkagePairs)
        let all = try storedPairs()
        let pending = all.filter { $0.0.pending && $0.1.item != nil }.sorted { ($0.1.order ?? 0, $0.0.subject) < ($1.1.order ?? 0, $1.0.subject) }
        let decided = all.filter { !$0.0.pending }.sorted { ($0.0.updatedAt, $0.0.subject) > ($1.0.updatedAt, $1.0.subject) }
        let pages = max(1, (pending.count + Self.pairsPerPage - 1) / Self.pairsPerPage)
        let page = min(max(1, page), pages)
        let items = pending.dropFirst((page - 1) * Self.pairsPerPage).prefix(Self.pairsPerPage).map { pairView($0.0, $0.1, values: values) }
        let recent = decided.prefix(20).map { pairView($0.0, $0.1, values: values) }
        try audit("view-linkage-pairs", user: user, count: items.count + recent.count,
                  detail: values ? "web; values shown" : "web; values and record ids withheld")
        return LinkageQueue(pending: pending.count, decided: decided.count, page: page, pages: pages, items: items,
                            recentDecisions: recent, decisions: LinkagePair.Decision.allCases.map(\.rawValue), mayDecide: role.may(.decideLinkagePairs),
                            valuesShown: values)
    }

    func storedPair(_ id: String) throws -> (StoredReviewItem, StoredPair) {
        guard let found = try? LinkagePairQueue(store: store).pair(id) else {
            throw WebError.notFound("there is no pair \(id) in the linkage review queue")
        }
        return found
    }

    /// Decides a pair through its review state machine (supervisors), saved with its audit entry in one transaction;
    /// `upstream link` applies it at its next run (same person: always linked; different people: never).
    func decidePair(_ id: String, decision raw: String, reason: String?, user: User) throws {
        guard user.may(.decideLinkagePairs) else { throw WebError.forbidden("the role \(user.role!.rawValue) may not decide on linkage pairs") }
        guard let decision = LinkagePair.Decision(rawValue: raw) else {
            throw WebError.badRequest("the decision must be one of \(LinkagePair.Decision.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try transition(id) { try $0.decide(decision, by: user, reason: reason, at: now()) }
    }

    /// Reopens a decided pair (supervisors, with a reason): it is pending again and the next `upstream link` no
    /// longer applies the old decision.
    func reopenPair(_ id: String, reason: String?, user: User) throws {
        try transition(id) { try $0.reopen(by: user, reason: reason, at: now()) }
    }

    /// One transition of a pair's state machine, saved with its audit entry in one transaction (``LinkagePairQueue``).
    func transition(_ id: String, _ change: (inout LinkagePairReview) throws -> [ReviewAction]) throws {
        let (_, pair) = try storedPair(id)
        guard pair.item != nil else {
            throw WebError.conflict("pair \(id) was decided at the command line without its details: change it with upstream review")
        }
        do {
            try LinkagePairQueue(store: store).transition(id, detail: "web; applied at the next upstream link", at: now(), change)
        } catch let e as GovernanceError { throw Self.webError(e) }
    }
}
