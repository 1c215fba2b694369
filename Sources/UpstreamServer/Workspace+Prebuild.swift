import Foundation
import Synchronization
import UpstreamGovernance
import UpstreamStore

extension WebWorkspace {
    /// Builds and keeps, before the first request, the chronologies of the young people the queue's roles open
    /// first: the latest scoring run's flagged young people (the review queue, highest score first), then those on a
    /// practitioner's caseload who are not flagged in it; at most `limit` in all, in the variant practitioners and
    /// supervisors see (``variant(of:)``). So a fresh server's first view of each is a kept view (the access check and
    /// the page rendered for its user, no household read) rather than a build from the store (about 8 ms of CPU at
    /// 1,000,000 people on session 15's host, waited on together when a team opens the queue at once;
    /// Benchmarks/web.md, sessions 15 and 30).
    ///
    /// Nothing is shown or audited here: no person sees these values until a signed-in user asks for one, and that
    /// request still checks the user's access (a practitioner's caseload), writes its `view-pseudonymised` entry and
    /// renders the page for that user. The values are kept under the generation read before the build
    /// (``WebCache``), so a change that lands meanwhile makes them stale, never wrong. A store that cannot read its
    /// trail's tail, or a cache of size 0, keeps nothing: then nothing is built.
    /// - Returns: how many young people's chronologies were kept.
    func prebuildQueueChronologies(limit: Int, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Int {
        guard limit > 0, cache.capacity > 0, let generation = try cache.currentGeneration(store) else { return 0 }
        let runs = Self.runsKey(try runIDs())
        // Who: one indexed look-up each, on a pool thread.
        let targets = try await builds.run { [self] () -> [PersonSummary] in
            var out: [PersonSummary] = []
            var seen = Set<String>()
            if let run = try store.latestRiskRun(.score) {
                for score in try flaggedScores(run) where out.count < limit {
                    if let s = try store.personSummary(score.person), seen.insert(s.pseudonym).inserted { out.append(s) }
                }
            }
            for a in try users.assignments() where out.count < limit && !seen.contains(a.subject) {
                if let s = try store.person(pseudonym: a.subject), seen.insert(s.pseudonym).inserted { out.append(s) }
            }
            return out
        }
        let variants = Set([Role.practitioner, Role.supervisor].map(Self.variant(of:)))
        // One list per build thread, each taking every n-th young person (the queue's order spread over them).
        let threads = max(1, builds.threads)
        let done = Counter()
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<threads {
                let mine = stride(from: lane, to: targets.count, by: threads).map { targets[$0] }
                group.addTask { [self] in
                    try await builds.run {
                        var kept = 0
                        for summary in mine {
                            var built = true
                            for v in variants {
                                let key = Self.viewKey(runs: runs, person: summary.person, variant: v)
                                do {
                                    _ = try cache.value(key, scope: .person(summary.pseudonym), generation: generation) {
                                        try buildPerson(summary, mayIdentify: v.mayIdentify, identify: false, provenance: v.provenance)
                                    }
                                } catch is WebError { built = false }   // no records: refused on demand, as before
                            }
                            if built { kept += 1 }
                            progress?(done.add(), targets.count)
                        }
                        return kept
                    }
                }
            }
            return try await group.reduce(0, +)
        }
    }
}

/// A count shared by threads (lock-free, like the linker's `JobCounter`); a class so that a copyable struct can hold it.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    /// Adds one; returns the new count.
    @discardableResult
    func add() -> Int { count.wrappingAdd(1, ordering: .relaxed).newValue }

    /// The count now.
    var value: Int { count.load(ordering: .relaxed) }
}
