import Foundation
import UpstreamGovernance
import UpstreamLinkage
import UpstreamModel

/// The clerical review queue of uncertain pairs, kept in the store (``LinkagePairQueue``: Governance's state machine,
/// each decision saved with its audit entry in one transaction): listing it and recording reviewers' decisions, which
/// apply at the next link.
public struct LinkReview {
    let runStore: LinkRunStore

    /// The queue of the store at `store` (which must exist).
    public init(store: String) throws {
        runStore = try LinkRunStore.open(store)
    }

    /// The queue: pending pairs in the run's order, decisions oldest first.
    public func queue() throws -> UpstreamLinkage.ReviewState { try runStore.review() }

    /// Accepts and rejects pairs by id as `user`, for `reason`; returns `"accept ID"`/`"reject ID"` for each and the
    /// queue after. Each pair goes through its state machine (a decided pair must be reopened first, by a supervisor
    /// in the web app) and each decision is audited in the transaction that saves it.
    /// - Throws: ``GovernanceError`` when the role may not decide linkage pairs, the reason is blank or the pair is
    ///   already decided; ``WorkspaceError`` when an id is not in the queue.
    public func decide(accept: [String], reject: [String], user: User, reason: String, at now: Int64)
        throws -> (done: [String], queue: UpstreamLinkage.ReviewState)
    {
        var done: [String] = []
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
}
