import Foundation
import GRDB
import Testing
import UpstreamTesting

/// `kill -9` while `upstream plan --store` runs (issue 12, the plan's crash loop): the store keeps either the offers it
/// had or every offer of the new plan, never part of them; the offers' review queue and the audit trail stay
/// consistent (`audit verify` passes); and a rerun completes with the same offers as a run that was never killed.
@Suite("kill -9 during plan leaves the offers, queue and audit trail consistent", .serialized)
struct PlanCrashTests {
    static let dir = NSTemporaryDirectory() + "upstream-plan-crash-\(getpid())"
    static var base: String { dir + "/base/city.db" }
    /// A 4,000-person city with a raised serious violence rate (so the risk model has outcomes), ingested, linked and
    /// with a risk model trained; then a first plan (£40,000) whose offers are in the store. Returns the as-of date.
    static let setup: (status: Int32, err: String, asOf: String) = {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir + "/base", withIntermediateDirectories: true)
        let config = dir + "/stress.yaml"
        try? "services:\n  seriousViolenceBy18: 0.08\n".write(toFile: config, atomically: true, encoding: .utf8)
        let asOf = "2021-01-01"
        for args in [["synth", "--people", "4000", "--seed", "11", "--config", config, "--out", dir + "/city"],
                     ["ingest", "--synth", dir + "/city", "--store", base],
                     ["link", "--store", base],
                     ["risk", "train", "--store", base, "--postcodes", dir + "/city/reference/postcodes.csv", "--iterations", "20",
                      "--train-dates", "2015-01-01", "2015-07-01", "2016-01-01", "--test-dates", "2018-01-01", "2018-07-01", "2019-01-01"],
                     plan(base, budget: "40k")] {
            guard let r = try? UpstreamBinary.run(args), r.status == 0 else {
                return (1, "failed: \(args.joined(separator: " "))", "")
            }
        }
        return (0, "", asOf)
    }()

    static func plan(_ store: String, budget: String) -> [String] {
        ["plan", "--store", store, "--as-of", "2021-01-01", "--budget", budget, "--draws", "50", "--no-curve", "--time-limit", "20",
         "--out", store + ".out", "--user", "planner"]
    }

    /// A copy of the base store with its keys and signed head (every file named `city.db*`) in a fresh folder.
    func copyOfBase(_ name: String) throws -> String {
        let to = Self.dir + "/" + name
        try? FileManager.default.removeItem(atPath: to)
        try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: Self.dir + "/base") where f.hasPrefix("city.db") && !f.hasSuffix(".out") {
            try FileManager.default.copyItem(atPath: Self.dir + "/base/" + f, toPath: to + "/" + f)
        }
        return to + "/city.db"
    }

    /// The offers as (offer id from the detail, person, programme, status), and the offers queue's items.
    func offers(_ store: String) throws -> (offers: [[String]], queue: [[String]]) {
        try DatabaseQueue(path: store).read { db in
            let o = try Row.fetchAll(db, sql: "SELECT id, person_id, programme, status, detail FROM offers ORDER BY id").map { row -> [String] in
                let detail = (try? JSONSerialization.jsonObject(with: row["detail"] as Data) as? [String: Any]) ?? [:]
                return [String(row["id"] as Int64), (detail["id"] as? String) ?? "?", row["person_id"], row["programme"], row["status"]]
            }
            let q = try Row.fetchAll(db, sql: "SELECT subject, pending FROM review_items WHERE queue = 'offers' ORDER BY subject").map { row in
                [row["subject"] as String, String(row["pending"] as Int64)]
            }
            return (o, q)
        }
    }

    /// The trail's `plan-make` entries as (count, reason), oldest first.
    func planEntries(_ store: String) throws -> [[String]] {
        try DatabaseQueue(path: store).read { db in
            try Row.fetchAll(db, sql: "SELECT count, reason FROM audit_trail WHERE action = 'plan-make' ORDER BY seq").map { row in
                [String(row["count"] as Int64), row["reason"] as String]
            }
        }
    }

    func integrityOK(_ store: String) throws -> Bool {
        try DatabaseQueue(path: store).read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok" }
    }

    func auditVerifies(_ store: String) throws {
        let v = try UpstreamBinary.run(["audit", "verify", "--store", store, "--json"])
        #expect(v.status == 0, "\(v.out)\(v.err)")
        let json = try JSONSerialization.jsonObject(with: Data(v.out.utf8)) as? [String: Any]
        #expect(json?["intact"] as? Bool == true, "\(v.out)")
    }

    /// Starts the binary; with `stallAt`, the SQLite adapter's crash-test hook holds it inside the offers' transaction
    /// (after every insert) and the kill lands there; otherwise it is killed after `delay` seconds wherever it is.
    /// The wait is the one ``CrashHarness``'s: by the wall clock, on a thread of its own.
    func runAndKill(_ arguments: [String], stallAt marker: String? = nil, delay: Double = 0) async throws -> (killed: Bool, stalled: Bool) {
        var env: [String: String] = [:]
        if let marker {
            try? FileManager.default.removeItem(atPath: marker)
            env["UPSTREAM_TEST_STALL_BEFORE_COMMIT"] = "offers"
            env["UPSTREAM_TEST_STALL_MARKER"] = marker
        }
        let child = try CrashHarness.start(arguments, environment: env)
        let o = await CrashHarness.kill(child, when: marker.map { .whenFileExists($0, timeout: 600) } ?? .after(delay))
        return (o.killed, o.stalled)
    }

    @Test("a plan killed inside its offers' transaction leaves the previous offers whole and no entry for the plan; the rerun adds both")
    func killInsideTransaction() async throws {
        try #require(Self.setup.status == 0, "\(Self.setup.err)")
        defer { for d in ["reference", "inside"] { try? FileManager.default.removeItem(atPath: Self.dir + "/" + d) } }
        // The reference: the second plan (£100,000) run to the end on its own copy.
        let reference = try copyOfBase("reference")
        let full = try UpstreamBinary.run(Self.plan(reference, budget: "100k"))
        try #require(full.status == 0, "\(full.err)")
        let after = try offers(reference)

        let store = try copyOfBase("inside")
        let before = try offers(store)
        let entriesBefore = try planEntries(store)
        #expect(!before.offers.isEmpty)
        #expect(entriesBefore.count == 1 && entriesBefore.first?.first == String(before.offers.count), "\(entriesBefore)")
        #expect(after.offers.count > before.offers.count, "a bigger budget adds offers")
        let (killed, stalled) = try await runAndKill(Self.plan(store, budget: "100k"), stallAt: Self.dir + "/stalled-offers")
        #expect(killed && stalled, "the command did not reach its save")
        #expect(try integrityOK(store))
        // Neither the new offers nor the plan's audit entry: they are written in the one transaction the kill cut.
        #expect(try offers(store).offers == before.offers)
        #expect(try planEntries(store) == entriesBefore)
        try auditVerifies(store)

        let rerun = try UpstreamBinary.run(Self.plan(store, budget: "100k"))
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(try offers(store).offers.map { Array($0.dropFirst()) } == after.offers.map { Array($0.dropFirst()) })
        // One entry for the rerun's plan, counting exactly the offers it added, as the uninterrupted run's did.
        let added = after.offers.count - before.offers.count
        let entries = try planEntries(store)
        #expect(entries.count == 2 && entries.last?.first == String(added), "\(entries)")
        #expect(entries.last == (try planEntries(reference)).last, "the rerun's entry is the uninterrupted run's")
        try auditVerifies(store)
    }

    @Test("plan killed at random points, again and again: old or new offers, never half; the trail verifies; a rerun completes")
    func killAtRandomPoints() async throws {
        try #require(Self.setup.status == 0, "\(Self.setup.err)")
        defer { for d in ["reference-loop", "old"] { try? FileManager.default.removeItem(atPath: Self.dir + "/" + d) } }
        let reference = try copyOfBase("reference-loop")
        let started = Date()
        let full = try UpstreamBinary.run(Self.plan(reference, budget: "100k"))
        let seconds = Date().timeIntervalSince(started)
        try #require(full.status == 0, "\(full.err)")
        let old = try offers(try copyOfBase("old")).offers.map { Array($0.dropFirst()) }
        let new = try offers(reference).offers.map { Array($0.dropFirst()) }
        // Seeded delays spread over the whole run (a linear congruential generator, so a failure can be replayed).
        var state: UInt64 = 20_261_130
        var outcomes: [String] = []
        for round in 0..<6 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Round 0 kills at a twentieth of the reference run, long before the save, so at least one kill lands
            // whatever the machine's load does to later runs (a loaded reference run made every later run finish first).
            let delay = (round == 0 ? 0.05 : Double(state >> 11) / Double(1 << 53)) * seconds
            let store = try copyOfBase("round-\(round)")
            let (killed, _) = try await runAndKill(Self.plan(store, budget: "100k"), delay: delay)
            #expect(try integrityOK(store))
            let now = try offers(store)
            let ids = now.offers.map { Array($0.dropFirst()) }
            #expect(ids == old || ids == new, "round \(round) (killed after \(delay) s): \(ids.count) offers, old \(old.count), new \(new.count)")
            // The plan's audit entry is there exactly when its offers are (one entry for the base plan, one more for this one).
            #expect(try planEntries(store).count == (ids == new ? 2 : 1), "round \(round): offers and the plan's entry disagree")
            // No decision was made, so every offer's queue item (if any) is pending.
            #expect(now.queue.allSatisfy { $0[1] == "1" })
            try auditVerifies(store)
            let rerun = try UpstreamBinary.run(Self.plan(store, budget: "100k"))
            #expect(rerun.status == 0, "round \(round): \(rerun.err)")
            #expect(try offers(store).offers.map { Array($0.dropFirst()) } == new)
            try auditVerifies(store)
            outcomes.append(killed ? (ids == old ? "old" : "new") : "finished")
            try? FileManager.default.removeItem(atPath: Self.dir + "/round-\(round)")
            try? FileManager.default.removeItem(atPath: Self.dir + "/round-\(round).out")
        }
        // The delays span the run: at least one kill landed before the save (old offers kept).
        #expect(outcomes.contains("old"), "\(outcomes)")
    }

    @Test("a decision goes through the store: the offer's status and its review item change, it is audited, and it is not decided twice")
    func decisionThroughTheStore() async throws {
        try #require(Self.setup.status == 0, "\(Self.setup.err)")
        defer { try? FileManager.default.removeItem(atPath: Self.dir + "/decide") }
        let store = try copyOfBase("decide")
        let list = try UpstreamBinary.run(["plan", "review", "--store", store, "--json"])
        let pending = try #require(try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]])
        let id = try #require(pending.first?["id"] as? String)
        let decide = ["plan", "review", "--store", store, "--decide", id, "--decision", "offer", "--reason", "family agreed", "--user", "sam"]
        let ok = try UpstreamBinary.run(decide + ["--json"])
        #expect(ok.status == 0, "\(ok.err)")
        let decided = try #require(try JSONSerialization.jsonObject(with: Data(ok.out.utf8)) as? [String: Any])
        #expect(decided["decision"] as? String == "offer" && decided["decidedBy"] as? String == "sam")
        let row = try #require(try offers(store).offers.first { $0[1] == id })
        #expect(row[4] == "offered")
        #expect(try offers(store).queue.contains([id, "0"]))
        let again = try UpstreamBinary.run(["plan", "review", "--store", store, "--decide", id, "--decision", "decline", "--reason", "changed mind"])
        #expect(again.status != 0 && again.err.contains("already decided"), "\(again.err)")
        let trail = try UpstreamBinary.run(["audit", "list", "--store", store, "--json"])
        #expect(trail.out.contains("plan-offer-offer") && trail.out.contains("family agreed"))
        try auditVerifies(store)
        // An analyst may not decide offers.
        let analyst = try UpstreamBinary.run(["plan", "review", "--store", store, "--decide", try #require(pending.last?["id"] as? String),
                                              "--decision", "offer", "--reason", "x y", "--role", "analyst"])
        #expect(analyst.status != 0 && analyst.err.contains("may not"), "\(analyst.err)")
    }
}
