import Crypto
import Foundation
import Testing
import UpstreamGovernance
import UpstreamModel
@testable import UpstreamServer
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamWorkspace

/// The small reads the web app makes on every request (session 9, the 1,000,000-person store): the latest runs' ids
/// and the queue's trends, each in one query, give what the full reads they replace give.
@Suite("Web reads: run ids and trends in one query, SQLite and PostgreSQL")
struct WebReadsTests {
    typealias Backend = StoreBackedTests.Backend
    static let sealer = AuditChain(key: SymmetricKey(data: Array(repeating: UInt8(8), count: 32)),
                                   actor: AuditActor(name: "test", kind: .system, role: ""), head: nil)

    /// A new empty store of `backend` with both reads.
    static func store(_ backend: Backend) throws -> any WorkspaceStore & LatestRunReads & TrendReads {
        let s = try backend.make(sealer: sealer)
        guard let reads = s as? any WorkspaceStore & LatestRunReads & TrendReads else {
            Issue.record("\(backend) has no one-query run ids and trends")
            throw Backend.NotConfigured()
        }
        return reads
    }

    static let day0 = CivilDate(year: 2024, month: 1, day: 1)!

    static func run(_ kind: RiskRunInfo.Kind, _ days: Int) -> RiskRunInfo {
        RiskRunInfo(kind: kind, modelID: "m", asOf: day0.adding(days: days), finishedAt: 1_704_067_200 + Int64(days), by: "test")
    }

    @Test("the latest scoring run's id is the highest score run's, whatever train runs come after; none before any run",
          arguments: Backend.enabled)
    func runIDs(_ backend: Backend) throws {
        let store = try Self.store(backend)
        #expect(try store.latestRunIDs() == (nil, nil))
        _ = try store.saveRiskRun(Self.run(.train, 0), scores: [])                       // id 1
        #expect(try store.latestRunIDs() == (nil, nil))
        _ = try store.saveRiskRun(Self.run(.score, 10), scores: [])                      // id 2
        _ = try store.saveRiskRun(Self.run(.score, 40), scores: [])                      // id 3
        _ = try store.saveRiskRun(Self.run(.train, 50), scores: [])                      // id 4
        let ids = try store.latestRunIDs()
        #expect(ids.linkage == nil && ids.score == 3)
        #expect(ids.score == (try store.latestRiskRun(.score))?.id)
        #expect(ids.linkage == (try store.currentLinkageRun())?.id)
    }

    @Test("each person's trend is their scores, oldest run first, as scores(of:) reads them; an unscored person is absent",
          arguments: Backend.enabled)
    func trends(_ backend: Backend) throws {
        let store = try Self.store(backend)
        let p1 = PersonID("P1"), p2 = PersonID("P2"), p3 = PersonID("P3")
        let day0 = Self.day0
        let r1 = try store.saveRiskRun(Self.run(.score, 10), scores: [
            PersonScore(run: 0, person: p1, asOf: day0.adding(days: 10), score: 0.4, rank: 1, flagged: true,
                        raising: [ScoreReason(feature: "contacts", text: "many contacts", contribution: 0.3)]),
        ])
        let r2 = try store.saveRiskRun(Self.run(.score, 40), scores: [
            PersonScore(run: 0, person: p2, asOf: day0.adding(days: 40), score: 0.2, rank: 2, flagged: false),
            PersonScore(run: 0, person: p1, asOf: day0.adding(days: 40), score: 0.7, rank: 1, flagged: true),
        ])
        #expect(r1.id == 1 && r2.id == 2)
        let got = try store.trends(of: [p1, p2, p3])
        #expect(Set(got.keys) == [p1, p2])
        #expect(got[p1]!.map(\.score) == [0.4, 0.7] && got[p1]!.map(\.asOf) == [day0.adding(days: 10), day0.adding(days: 40)])
        #expect(got[p2]!.map(\.score) == [0.2] && got[p2]!.map(\.asOf) == [day0.adding(days: 40)])
        for p in [p1, p2] {
            #expect(got[p]!.map(\.score) == (try store.scores(of: p)).map(\.score))
            #expect(got[p]!.map(\.asOf) == (try store.scores(of: p)).map(\.asOf))
        }
        #expect(try store.trends(of: []).isEmpty)
    }
}

/// The audit group commit's waiting tasks hold no thread: 120 views awaited at once on a pool of 2 threads all commit,
/// each with its own entry, in fewer transactions than entries, and the chain verifies.
@Suite("Audit group commit, awaited")
struct AuditGroupCommitAsyncTests {
    @Test("120 awaited views and 24 blocking ones at once: every entry committed once, each request its own, the chain intact")
    func awaitedViews() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("group-commit-async-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = SymmetricKey(data: Array(repeating: UInt8(7), count: 32))
        let head = SignedHeadFile(path: dir + "/s.db.audit-head", key: key)
        try head.createForEmptyTrail()
        let chain = AuditChain(key: key, actor: AuditActor(name: "test", kind: .system, role: ""), head: head)
        let store = try SQLiteStore(path: dir + "/s.db", auditSealer: chain)
        let group = AuditGroupCommit(maxBatch: 16)
        @Sendable func event(_ i: Int) -> AuditEvent {
            AuditEvent(at: Int64(i), actor: AuditActor(name: "u\(i)", kind: .authenticated, role: "analyst"),
                       action: "view-pseudonymised", subject: "YP-\(i)", count: 1)
        }
        let awaited = 120, blocking = 24
        // The blocking appends run on threads of their own while the awaited ones are in flight.
        let blockingDone = Locked<[Int: AuditEntry]>([:])
        let threads = DispatchGroup()
        for i in awaited..<(awaited + blocking) {
            DispatchQueue.global().async(group: threads) {
                if let e = try? group.append(event(i), to: store) { blockingDone.mutate { $0[i] = e } }
            }
        }
        let entries = try await withThrowingTaskGroup(of: (Int, AuditEntry).self) { tasks in
            for i in 0..<awaited {
                tasks.addTask {
                    let e: AuditEntry = try await group.append(event(i), to: store)
                    return (i, e)
                }
            }
            var out: [Int: AuditEntry] = [:]
            for try await (i, e) in tasks { out[i] = e }
            return out
        }
        threads.wait()
        let all = entries.merging(blockingDone.value) { a, _ in a }
        let n = awaited + blocking
        #expect(all.count == n, "every request got its entry")
        for (i, e) in all { #expect(e.event.subject == "YP-\(i)" && e.event.actor.name == "u\(i)", "request \(i) was handed its own entry") }
        #expect(Set(all.values.map(\.seq)) == Set(1...Int64(n)), "each entry committed once")
        let counts = group.counts
        #expect(counts.entries == n && counts.commits >= n / 16 && counts.commits <= n)
        var verifier = AuditVerifier(chain: chain, headCount: try head.read()?.count)
        try store.forEachAuditEntry { verifier.check($0) }
        let verification = verifier.finish(head: .success(try head.read()), headPath: head.path)
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        #expect(verification.entries == n && verification.headCount == Int64(n))
    }
}
