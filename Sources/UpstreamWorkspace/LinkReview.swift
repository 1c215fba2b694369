import Foundation
import UpstreamGovernance
import UpstreamLinkage
import UpstreamModel

/// The clerical review queue of uncertain pairs, kept in a store (``LinkagePairQueue``: Governance's state machine,
/// each decision saved with its audit entry in one transaction) or the state folder of a CSV linkage (``LinkState``):
/// listing it and recording reviewers' decisions, which apply at the next link.
public struct LinkReview {
    let runStore: LinkRunStore?
    let state: LinkState?

    /// The queue of the store at `store`, or of the state folder `state` (exactly one is given).
    public init(store: String?, state: String?) throws {
        runStore = try store.map(LinkRunStore.open)
        self.state = state.map { LinkState(directory: $0) }
    }

    /// The queue: pending pairs in the run's order, decisions oldest first.
    public func queue() throws -> UpstreamLinkage.ReviewState { try runStore?.review() ?? state!.review() }

    /// Accepts and rejects pairs by id as `user`, for `reason`; returns `"accept ID"`/`"reject ID"` for each and the
    /// queue after. In a store each pair goes through its state machine (a decided pair must be reopened first, by a
    /// supervisor in the web app) and each decision is audited in the transaction that saves it; in a state folder a
    /// decided pair may be decided again.
    /// - Throws: ``GovernanceError`` when the role may not decide linkage pairs, the reason is blank or the pair is
    ///   already decided; ``WorkspaceError`` when an id is not in the queue.
    public func decide(accept: [String], reject: [String], user: User, reason: String, at now: Int64)
        throws -> (done: [String], queue: UpstreamLinkage.ReviewState)
    {
        var done: [String] = []
        if let runStore {
            let pairs = LinkagePairQueue(store: runStore.store)
            for (ids, decision) in [(accept, LinkagePair.Decision.samePerson), (reject, .differentPeople)] {
                for id in ids {
                    try pairs.transition(id, detail: "command line; applied at the next upstream link", at: now) {
                        try $0.decide(decision, by: user, reason: reason, at: now)
                    }
                    done.append("\(decision == .samePerson ? "accept" : "reject") \(id)")
                }
            }
            return (done, try runStore.review())
        }
        var review = try queue()
        for (ids, verdict) in [(accept, ReviewDecision.Verdict.accept), (reject, .reject)] {
            for id in ids {
                guard let item = review.pending.first(where: { $0.id == id }) ?? review.decisions.last(where: { $0.pairID == id }).map({
                    UpstreamLinkage.ReviewItem(left: $0.left, right: $0.right, weight: 0, probability: 0, linkedNow: false)
                }) else { throw WorkspaceError.usage("no pair \(id) in the review queue; list it with upstream review") }
                review.decide(ReviewDecision(left: item.left, right: item.right, verdict: verdict, decidedAt: now, reviewer: user.name))
                done.append("\(verdict.rawValue) \(id)")
            }
        }
        try state!.save(review: review)
        return (done, review)
    }
}
