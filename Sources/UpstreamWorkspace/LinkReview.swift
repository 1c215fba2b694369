import Foundation
import UpstreamLinkage
import UpstreamModel

/// The clerical review queue of uncertain pairs, kept in a store (``LinkRunStore``) or the state folder of a CSV
/// linkage (``LinkState``): listing it and recording reviewers' decisions, which apply at the next link.
public struct LinkReview {
    let runStore: LinkRunStore?
    let state: LinkState?

    /// The queue of the store at `store`, or of the state folder `state` (exactly one is given).
    public init(store: String?, state: String?) throws {
        runStore = try store.map(LinkRunStore.open)
        self.state = state.map { LinkState(directory: $0) }
    }

    /// The queue: pending pairs in the run's order, decisions oldest first.
    public func queue() throws -> ReviewState { try runStore?.review() ?? state!.review() }

    /// Accepts and rejects pairs by id (a decided pair may be decided again); returns `"accept ID"`/`"reject ID"` for
    /// each and the queue after.
    public func decide(accept: [String], reject: [String], reviewer: String?, at now: Int64) throws -> (done: [String], queue: ReviewState) {
        var review = try queue()
        var done: [String] = []
        for (ids, verdict) in [(accept, ReviewDecision.Verdict.accept), (reject, .reject)] {
            for id in ids {
                guard let item = review.pending.first(where: { $0.id == id }) ?? review.decisions.last(where: { $0.pairID == id }).map({
                    ReviewItem(left: $0.left, right: $0.right, weight: 0, probability: 0, linkedNow: false)
                }) else { throw WorkspaceError.usage("no pair \(id) in the review queue; list it with upstream review") }
                review.decide(ReviewDecision(left: item.left, right: item.right, verdict: verdict, decidedAt: now, reviewer: reviewer))
                done.append("\(verdict.rawValue) \(id)")
            }
        }
        if let runStore {
            try runStore.save(decisions: Array(review.decisions.suffix(done.count)))
        } else {
            try state!.save(review: review)
        }
        return (done, review)
    }
}
