import Foundation
import GRDB
import Testing
import UpstreamGovernance
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamWorkspace

/// The `v7-review-queue` migration: review rows in the shapes earlier versions wrote (the command line's linkage
/// decisions and pending pairs, the web's pairs with their machine, the command line's list of risk flags) go in; the
/// review state machine's shape, which the command line and the web app both read, comes out. On SQLite and, when
/// `UPSTREAM_TEST_POSTGRES_URL` is set (required under `CI=true`), on PostgreSQL.
@Suite("v7-review-queue: old review rows in, the state machine's shape out", .serialized)
struct ReviewQueueMigrationTests {
    static let environment = ProcessInfo.processInfo.environment
    static let postgresURL = environment["UPSTREAM_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let postgresEnabled = postgresURL != nil || environment["CI"] == "true"

    struct NotConfigured: Error, CustomStringConvertible {
        var description = "UPSTREAM_TEST_POSTGRES_URL is not set: run `export UPSTREAM_TEST_POSTGRES_URL=\"$(scripts/postgres-ci)\"` (as .ci/run does)"
    }

    static let a = RecordKey(source: "police", recordID: "P1"), b = RecordKey(source: "school", recordID: "S9")
    static var item: UpstreamLinkage.ReviewItem { UpstreamLinkage.ReviewItem(left: a, right: b, weight: 3.5, probability: 0.92, linkedNow: false) }

    /// The old rows: a pending pair and a command-line decision as `upstream link`/`upstream review` wrote them, a
    /// pair the web decided (with its machine), and two young people's lists of flags (one decided, one not).
    static func oldRows() throws -> [StoredReviewItem] {
        let itemJSON = String(decoding: try JSONEncoder().encode(item), as: UTF8.self)
        let keys = #""left":{"source":"police","recordID":"P1"},"right":{"source":"school","recordID":"S9"}"#
        var web = LinkagePairReview(subject: "W1")
        _ = try web.decide(.differentPeople, by: .authenticated("sam", role: .supervisor), reason: "dates of birth differ", at: 1_700_000_500)
        let webJSON = String(decoding: try JSONEncoder().encode(web), as: UTF8.self)
        func row(_ q: ReviewQueueName, _ s: String, _ pending: Bool, _ at: Int64, _ json: String) -> StoredReviewItem {
            StoredReviewItem(queue: q, subject: s, pending: pending, updatedAt: at, stateJSON: Data(json.utf8))
        }
        return [
            row(.linkagePairs, "PENDING1", true, 1_700_000_000, #"{"order":4,"item":\#(itemJSON)}"#),
            row(.linkagePairs, "CLI1", false, 1_700_000_100, #"{"decision":{\#(keys),"verdict":"accept","decidedAt":1700000100,"reviewer":"alex"}}"#),
            row(.linkagePairs, "W1", false, 1_700_000_500,
                #"{"order":1,"item":\#(itemJSON),"decision":{\#(keys),"verdict":"reject","decidedAt":1700000500,"reviewer":"sam"},"review":\#(webJSON)}"#),
            row(.riskFlags, "PSEUDO-A", true, 1_704_240_000, #"""
                [{"pseudonym":"PSEUDO-A","rank":3,"decision":"refer-for-assessment","decisionReason":"old reason","decidedBy":"bo"},
                 {"pseudonym":"PSEUDO-A","rank":1,"decision":"offer-support","decisionReason":"a family worker is already engaged","decidedBy":"alice"},
                 {"pseudonym":"PSEUDO-A","rank":2}]
                """#),
            row(.riskFlags, "PSEUDO-B", true, 1_704_240_000, #"[{"pseudonym":"PSEUDO-B","rank":5}]"#),
        ]
    }

    /// Checks the converted rows of `store`.
    static func checkConverted(_ store: any WorkspaceStore) throws {
        let pairs = LinkagePairQueue(store: store)
        let pending = try #require(try pairs.pair("PENDING1"))
        #expect(pending.stored.pending && pending.pair.review.state == .pending && pending.pair.review.history.isEmpty)
        #expect(pending.pair.order == 4 && pending.pair.item == item && pending.pair.left == a && pending.pair.right == b)

        let cli = try #require(try pairs.pair("CLI1"))
        #expect(!cli.stored.pending && cli.pair.review.state == .decided(.samePerson) && cli.pair.item == nil)
        let step = try #require(cli.pair.review.history.first)
        #expect(cli.pair.review.history.count == 1 && step.at == 1_700_000_100 && step.what == "decided same-person")
        #expect(step.by == AuditActor(name: "alex", kind: .selfAsserted, role: "supervisor") && step.reason == "recorded with upstream review")
        #expect(cli.pair.decision == ReviewDecision(left: a, right: b, verdict: .accept, decidedAt: 1_700_000_100, reviewer: "alex"))

        let web = try #require(try pairs.pair("W1"))
        #expect(web.pair.review.state == .decided(.differentPeople) && web.pair.order == 1 && web.pair.item == item)
        #expect(web.pair.review.history.map(\.reason) == ["dates of birth differ"] && web.pair.review.history.first?.by.kind == .authenticated)

        // `upstream link` applies both decisions, oldest first, and queues the pending pair.
        let review = try LinkRunStore(store: store, location: "test").review()
        #expect(review.decisions.map(\.verdict) == [.accept, .reject] && review.pending.map(\.id) == [item.id])

        let flags = RiskFlagQueue(store: store)
        let decided = try #require(try flags.item("PSEUDO-A"))
        #expect(decided.state == .decided(.offerSupport))
        let flagStep = try #require(decided.history.first)
        #expect(decided.history.count == 1 && flagStep.at == 1_704_240_000 && flagStep.what == "decided offer-support")
        #expect(flagStep.by == AuditActor(name: "alice", kind: .selfAsserted, role: "supervisor"))
        #expect(flagStep.reason == "a family worker is already engaged", "the latest decision, not the first")
        #expect(try store.reviewItem(.riskFlags, subject: "PSEUDO-A")?.pending == false, "the pending column follows the state")
        let undecided = try #require(try flags.item("PSEUDO-B"))
        #expect(undecided.state == .pending && undecided.history.isEmpty)
        #expect(try store.reviewItem(.riskFlags, subject: "PSEUDO-B")?.pending == true)
    }

    @Test("SQLite: the migration converts old rows once, and leaves new rows alone when run again")
    func sqlite() throws {
        let path = NSTemporaryDirectory() + "upstream-v7-\(getpid())-\(UUID().uuidString).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        func rerunMigration() throws {
            let q = try DatabaseQueue(path: path)
            try q.write { try $0.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v7-review-queue:%'") }
            try q.close()
        }
        do { try StoreFactory.open(path).saveReviewItems(try Self.oldRows()) }
        try rerunMigration()
        try Self.checkConverted(try StoreFactory.open(path))
        try rerunMigration()  // already converted: unchanged
        try Self.checkConverted(try StoreFactory.open(path))
    }

    @Test("PostgreSQL: the same rows come out the same", .enabled(if: postgresEnabled))
    func postgres() throws {
        guard let base = Self.postgresURL else { throw NotConfigured() }
        let schema = "cli6_v7_\(getpid())"
        func psql(_ sql: String) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["psql", base, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw NotConfigured(description: "psql failed on: \(sql)") }
        }
        try psql("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        defer { try? psql("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        let url = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        do { try StoreFactory.open(url).saveReviewItems(try Self.oldRows()) }
        let rerun = "DELETE FROM \(schema).schema_migrations WHERE identifier LIKE 'v7-review-queue:%'"
        try psql(rerun)
        try Self.checkConverted(try StoreFactory.open(url))
        try psql(rerun)
        try Self.checkConverted(try StoreFactory.open(url))
    }
}

/// `upstream review --accept/--reject` on a store: the pair goes through Governance's state machine, and the decision
/// and its audit entry are saved in one transaction, as the web app's are.
@Suite("UpstreamWorkspace: the linkage pairs' queue in a store is the governance state machine")
struct LinkagePairQueueTests {
    @Test("a decision is saved with its audit entry; deciding again, a blank reason or an analyst is refused; link applies it")
    func decideThroughTheMachine() throws {
        let path = NSTemporaryDirectory() + "upstream-pairs-\(getpid())-\(UUID().uuidString).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let a = RecordKey(source: "police", recordID: "1"), b = RecordKey(source: "school", recordID: "9"), c = RecordKey(source: "health", recordID: "5")
        let items = [UpstreamLinkage.ReviewItem(left: a, right: b, weight: 1, probability: 0.7, linkedNow: false),
                     UpstreamLinkage.ReviewItem(left: a, right: c, weight: 0.5, probability: 0.6, linkedNow: true)]
        do {
            let store = try StoreFactory.open(path)
            try store.saveReviewItems(try items.enumerated().map { try LinkagePairQueue.stored(LinkagePairQueue.Pair(item: $0.element, order: $0.offset), at: 10) })
        }
        let queue = try LinkReview(store: path)
        let supervisor = User.selfAsserted("sam", role: .supervisor)
        #expect(throws: GovernanceError.self) {
            try queue.decide(accept: [items[0].id], reject: [], user: .selfAsserted("ana", role: .analyst), reason: "looks right", at: 20)
        }
        #expect(throws: GovernanceError.self) { try queue.decide(accept: [items[0].id], reject: [], user: supervisor, reason: " \n", at: 20) }
        let (done, after) = try queue.decide(accept: [items[0].id], reject: [items[1].id], user: supervisor, reason: "same date of birth", at: 30)
        #expect(done == ["accept \(items[0].id)", "reject \(items[1].id)"])
        #expect(after.pending.isEmpty)
        #expect(after.decisions.map(\.verdict) == [.accept, .reject] && after.decisions.allSatisfy { $0.reviewer == "sam" && $0.decidedAt == 30 })
        #expect(throws: GovernanceError.self, "decided: reopen it first") {
            try queue.decide(accept: [], reject: [items[0].id], user: supervisor, reason: "second look", at: 40)
        }
        let store = try StoreFactory.open(path)
        let entries = try store.auditLog().filter { $0.event.action.hasPrefix("linkage-review-") }
        #expect(entries.map(\.event.action) == ["linkage-review-same-person", "linkage-review-different-people"])
        #expect(entries.allSatisfy { $0.event.reason == "same date of birth" && $0.event.actor == AuditActor(name: "sam", kind: .selfAsserted, role: "supervisor") })
        #expect(entries.allSatisfy { $0.event.detail == "command line; applied at the next upstream link" })
        let pair = try #require(try LinkagePairQueue(store: store).pair(items[0].id))
        #expect(!pair.stored.pending && pair.pair.review.state == .decided(.samePerson) && pair.pair.item == items[0])
        // The row decodes as the governance state machine itself, as a risk flag's does.
        let machine = try JSONDecoder().decode(LinkagePairReview.self, from: pair.stored.stateJSON)
        #expect(machine == pair.pair.review)
    }
}
