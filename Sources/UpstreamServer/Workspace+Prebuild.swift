import Foundation
import UpstreamGovernance
import UpstreamStore

extension WebWorkspace {
    /// Builds and keeps, before the first request, the chronologies of the latest scoring run's flagged young
    /// people (the review queue, highest score first, at most `limit`) in the variant the queue's roles see
    /// (practitioner and supervisor: ``variant(of:)``), so that a fresh server's first views of the queue's young
    /// people are kept views (about 1 ms of CPU at 1,000,000 people) rather than builds from the store (about 8 ms,
    /// and a wait behind the two cores when a team opens the queue at once; Benchmarks/web.md, session 30).
    ///
    /// Nothing is shown or audited here: no person sees these values until a signed-in user asks for one, and that
    /// request still checks the user's access (a practitioner's caseload), writes its `view-pseudonymised` entry and
    /// renders the page for that user. The values are kept under the generation read before the build
    /// (``WebCache``), so a change that lands meanwhile makes them stale, never wrong. A store that cannot read its
    /// trail's tail, or a cache of size 0, keeps nothing: then nothing is built.
    /// - Returns: how many young people's chronologies were kept.
    func prebuildQueueChronologies(limit: Int, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Int {
        guard limit > 0, cache.capacity > 0, let generation = try cache.currentGeneration(store),
              let run = try store.latestRiskRun(.score) else { return 0 }
        let runs = Self.runsKey(try runIDs())
        let flagged = Array(try flaggedScores(run).prefix(limit))
        let variants = Set([Role.practitioner, Role.supervisor].map(Self.variant(of:)))
        // One list per build thread, each taking every n-th young person (the queue's order spread over them).
        let threads = max(1, builds.threads)
        let done = Counter()
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<threads {
                let mine = stride(from: lane, to: flagged.count, by: threads).map { flagged[$0] }
                group.addTask { [self] in
                    try await builds.run {
                        var kept = 0
                        for score in mine {
                            guard let summary = try store.personSummary(score.person) else { continue }
                            for v in variants {
                                let key = Self.viewKey(runs: runs, person: summary.person, variant: v)
                                do {
                                    _ = try cache.value(key, scope: .person(summary.pseudonym), generation: generation) {
                                        try buildPerson(summary, mayIdentify: v.mayIdentify, identify: false, provenance: v.provenance)
                                    }
                                } catch is WebError { continue }   // a young person with no records: built (and refused) on demand
                            }
                            kept += 1
                            progress?(done.add(), flagged.count)
                        }
                        return kept
                    }
                }
            }
            return try await group.reduce(0, +)
        }
    }
}

/// A count shared by threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    /// Adds one; returns the new count.
    @discardableResult
    func add() -> Int { lock.withLock { count += 1; return count } }

    /// The count now.
    var value: Int { lock.withLock { count } }
}
