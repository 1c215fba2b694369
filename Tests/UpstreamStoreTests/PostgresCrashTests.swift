import Foundation
import PostgresNIO
import Testing
import UpstreamStore
@testable import UpstreamStorePostgres
import UpstreamTesting

/// `kill -9` of `upstream ingest`, `upstream link` and `upstream risk train` writing to a PostgreSQL store (issue 12,
/// crash consistency on the server store): at random moments and, for link and risk train, inside the open
/// transaction after every write of the run (the adapter's `UPSTREAM_TEST_STALL_BEFORE_COMMIT` hook). After each
/// kill the database is consistent (every delivery balanced and its records all there; persons, assignments and
/// the review queue from one run; every risk run whole; the audit chain verifies), and a rerun completes.
///
/// Needs `UPSTREAM_TEST_POSTGRES_URL` (skipped without it, failed under `CI=true`); each test uses its own schema
/// and its own key folder.
@Suite("kill -9 during ingest, link and risk train on PostgreSQL", .serialized)
struct PostgresCrashTests {
    static let dir = NSTemporaryDirectory() + "upstream-pgcrash-\(getpid())"
    static var city: String { dir + "/city" }
    /// A 1,000-person city with a raised serious violence rate (so the risk model has outcomes).
    static let synth: (status: Int32, err: String) = {
        // The folders of earlier test processes that have ended go first (each holds a city and its store).
        let temporary = NSTemporaryDirectory()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix("upstream-pgcrash-") {
            if let pid = Int32(name.dropFirst("upstream-pgcrash-".count)), pid != getpid(), kill(pid, 0) != 0 {
                try? FileManager.default.removeItem(atPath: temporary + "/" + name)
            }
        }
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = dir + "/stress.yaml"
        try? "services:\n  seriousViolenceBy18: 0.1\n".write(toFile: config, atomically: true, encoding: .utf8)
        for (seed, out) in [("13", city), ("14", city2)] {
            guard let r = try? UpstreamBinary.run(["synth", "--people", "1000", "--seed", seed, "--config", config, "--out", out]) else {
                return (1, "synth did not run")
            }
            if r.status != 0 { return (r.status, r.err) }
        }
        return (0, "")
    }()
    /// A second city (another seed): loading it with `--replace` supersedes every delivery of the first, and the
    /// other way round, so that each reload does real work (the same file again is "already loaded").
    static var city2: String { dir + "/city2" }

    /// A store URL in a new schema, and a key folder of its own (keys of a server store are named after the
    /// database, so two schemas of one database must not share a folder). Nil when PostgreSQL is not configured
    /// and this is not CI; throws under CI without a server.
    static func newStore(_ name: String) throws -> (url: String, keys: String)? {
        guard TestPostgres.enabled else { return nil }
        let url = try TestPostgres.makeSchemaURL()
        let keys = dir + "/keys-\(name)"
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        return (url, keys)
    }

    /// Runs the binary to its end.
    static func run(_ arguments: [String], keys: String) throws -> (status: Int32, out: String, err: String) {
        let p = try spawn(arguments, keys: keys, out: dir + "/out-\(UUID().uuidString)")
        p.process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: p.outPath); try? FileManager.default.removeItem(atPath: p.errPath) }
        return (p.process.terminationStatus, p.out, p.err)
    }

    /// Starts the binary with the store's key folder (in `dir`: risk train writes its report beside a server store's
    /// name), output to `out` and `out.err`.
    static func spawn(_ arguments: [String], keys: String, out: String, environment extra: [String: String] = [:]) throws -> CrashHarness.Child {
        try CrashHarness.start(arguments, environment: extra.merging(["UPSTREAM_KEYS_DIR": keys]) { a, _ in a }, directory: dir, output: out)
    }

    /// Runs the binary and kills it with SIGKILL after `milliseconds` of wall-clock time (if it is still running;
    /// the one ``CrashHarness`` wait, on a thread of its own); returns whether it was. A run that ended before its
    /// kill must have succeeded.
    static func killAfter(_ milliseconds: Int, _ arguments: [String], keys: String) async throws -> Bool {
        let p = try spawn(arguments, keys: keys, out: dir + "/killed-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(atPath: p.outPath); try? FileManager.default.removeItem(atPath: p.errPath) }
        let o = await CrashHarness.kill(p, when: .after(Double(milliseconds) / 1_000))
        if !o.killed {
            #expect(!o.signalled && o.status == 0,
                    "\(arguments.prefix(2).joined(separator: " ")) ended before its kill, with status \(o.status): \(p.err)")
        }
        return o.killed
    }

    /// Runs the binary with the stall hook set for `table`, waits until it stalls inside its transaction, kills it.
    static func killWhileSaving(_ arguments: [String], table: String, keys: String) async throws {
        try await killWhenStalled(arguments, hook: ["UPSTREAM_TEST_STALL_BEFORE_COMMIT": table], keys: keys)
    }

    /// Runs the binary with a stall hook (`UPSTREAM_TEST_STALL_BEFORE_COMMIT` or ingest's
    /// `UPSTREAM_TEST_STALL_AFTER_ROWS`), waits until it stalls inside its transaction, and kills it.
    static func killWhenStalled(_ arguments: [String], hook: [String: String], keys: String) async throws {
        let marker = dir + "/stalled-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        var environment = hook
        environment["UPSTREAM_TEST_STALL_MARKER"] = marker
        let p = try spawn(arguments, keys: keys, out: dir + "/stalled.out", environment: environment)
        let o = await CrashHarness.kill(p, when: .whenFileExists(marker, timeout: 600))
        try #require(o.stalled, "the command did not reach its save: \(p.err)")
        #expect(o.signalled)
    }

    static func auditVerifies(_ store: (url: String, keys: String)) throws {
        let v = try run(["audit", "verify", "--store", store.url, "--json"], keys: store.keys)
        #expect(v.status == 0, "\(v.out)\(v.err)")
        let json = try JSONSerialization.jsonObject(with: Data(v.out.utf8)) as? [String: Any]
        #expect(json?["intact"] as? Bool == true, "\(v.out)")
    }

    /// Each row of `sql` as its columns' text (the test's own connection, after the killed one is gone).
    static func texts(_ store: PostgresStore, _ sql: String) throws -> [String] {
        try store.rows(PostgresQuery(unsafeSQL: sql)).map { row in
            try row.map { cell in try cell.decode(String?.self) ?? "NULL" }.joined(separator: "|")
        }
    }

    /// The ingest invariants: every delivery balanced (read = loaded + quarantined); the live deliveries' records
    /// and quarantined rows all there, and no others; one `ingest` audit entry per delivery; the chain verifies.
    static func checkDeliveries(_ store: (url: String, keys: String)) throws {
        let s = try PostgresStore(url: store.url)
        let deliveries = try s.deliveries(source: nil)
        for d in deliveries { #expect(d.counts.balances, "delivery \(d.id) does not balance") }
        let live = deliveries.filter { $0.supersededBy == nil }
        #expect(try s.scalar("SELECT count(*) FROM records") == Int64(live.reduce(0) { $0 + $1.counts.loaded }))
        #expect(try s.scalar("SELECT count(*) FROM quarantine") == Int64(live.reduce(0) { $0 + $1.counts.quarantined }))
        for d in live {
            #expect(try s.scalar("SELECT count(*) FROM records WHERE delivery_id = \(d.id)") == Int64(d.counts.loaded),
                    "delivery \(d.id)")
        }
        #expect(try s.scalar("SELECT count(*) FROM audit_trail WHERE action = 'ingest'") == Int64(deliveries.count))
        if deliveries.isEmpty {
            // Killed before its first file committed (a loaded machine): nothing was written to the trail.
            #expect(try s.scalar("SELECT count(*) FROM audit_trail") == 0)
            try auditIsEmpty(store)
        } else {
            try auditVerifies(store)
        }
    }

    /// `audit verify` on a store whose trail was never written: no entries, and either intact (the signed head was
    /// written, counting none) or the one problem that says the trail was never begun: killed before the audit key was
    /// made, or after it and before the signed head was written (the next audited command makes both).
    static func auditIsEmpty(_ store: (url: String, keys: String)) throws {
        let v = try run(["audit", "verify", "--store", store.url, "--json"], keys: store.keys)
        let json = try JSONSerialization.jsonObject(with: Data(v.out.utf8)) as? [String: Any]
        #expect(json?["entries"] as? Int == 0, "\(v.out)")
        let problems = json?["problems"] as? [String] ?? []
        if json?["intact"] as? Bool != true {
            let neverBegun = ["there is no audit trail to verify", "there is no key file"]
            #expect(problems.count == 1 && neverBegun.contains { problems[0].hasPrefix($0) }, "\(v.out)")
        }
    }

    /// The persons invariants: the persons all from the latest committed linkage run, each person's record count
    /// matching its assignments, every assignment's record in the store.
    static func checkPersons(_ store: (url: String, keys: String)) throws {
        let s = try PostgresStore(url: store.url)
        let runs = try texts(s, "SELECT id::text FROM linkage_runs ORDER BY id")
        let personRuns = try texts(s, "SELECT DISTINCT linkage_run::text FROM persons")
        #expect(personRuns == (runs.last.map { [$0] } ?? []), "persons from runs \(personRuns), runs \(runs)")
        #expect(try s.scalar("SELECT count(*) FROM assignments")
                == (try s.scalar("SELECT coalesce(sum(records), 0)::bigint FROM persons")))
        #expect(try s.scalar("""
            SELECT count(*) FROM assignments a LEFT JOIN records r ON r.source = a.source AND r.record_id = a.record_id
            WHERE r.record_id IS NULL
            """) == 0)
        try auditVerifies(store)
    }

    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static var seed: UInt64 { ProcessInfo.processInfo.environment["UPSTREAM_CRASH_SEED"].flatMap(UInt64.init) ?? 7 }
    static var rounds: Int { ProcessInfo.processInfo.environment["UPSTREAM_CRASH_ROUNDS"].flatMap(Int.init) ?? 4 }

    @Test("kill -9 of ingest into PostgreSQL at random moments: every delivery whole or absent, and a rerun loads")
    func killingIngestNeverLeavesTheDatabaseInconsistent() async throws {
        guard TestPostgres.enabled else { return }
        try #require(Self.synth.status == 0, "\(Self.synth.err)")
        let store = try #require(try Self.newStore("ingest"))
        var rng = SplitMix(state: Self.seed)
        func ingest(_ round: Int) -> [String] {
            ["ingest", "--synth", round % 2 == 0 ? Self.city : Self.city2, "--store", store.url, "--replace"]
        }
        // Into the empty store, killed at once or part way;
        var killedMidway = try await Self.killAfter(Int.random(in: 200..<3_000, using: &rng), ingest(0), keys: store.keys) ? 1 : 0
        try Self.checkDeliveries(store)
        // then a whole load, timed, so that the kills below tend to land inside a reload;
        let clock = ContinuousClock(), start = clock.now
        let whole = try Self.run(ingest(0), keys: store.keys)
        #expect(whole.status == 0, "\(whole.err)")
        let took = max(400, Int((clock.now - start) / .milliseconds(1)))
        try Self.checkDeliveries(store)
        // then reloads of the other city and back (each file supersedes its source's live delivery), killed at random
        // moments (where they land depends on the machine's load),
        for round in 1...Self.rounds {
            if try await Self.killAfter(Int.random(in: (took / 10)..<(took * 9 / 10), using: &rng), ingest(round), keys: store.keys) {
                killedMidway += 1
            }
            try Self.checkDeliveries(store)
        }
        // and, whatever the load, inside the transaction of the first file of at least N rows, after every row of it
        // (earlier, smaller files already reloaded and committed).
        for n in [1, 150, 1_000] {
            // The other city loaded whole first, so that every file of this one is a real reload.
            let other = try Self.run(ingest(1), keys: store.keys)
            #expect(other.status == 0, "\(other.err)")
            try await Self.killWhenStalled(ingest(0), hook: ["UPSTREAM_TEST_STALL_AFTER_ROWS": String(n)], keys: store.keys)
            try Self.checkDeliveries(store)
        }
        print("PostgresCrashTests: \(killedMidway) of \(Self.rounds + 1) random kills landed during an ingest; 3 inside a file's transaction")
        let rerun = try Self.run(ingest(0) + ["--json"], keys: store.keys)
        #expect(rerun.status == 0, "\(rerun.err)")
        try Self.checkDeliveries(store)
        // Every extract of the city is loaded once, live.
        let s = try PostgresStore(url: store.url)
        let live = try s.deliveries(source: nil).filter { $0.supersededBy == nil }
        #expect(Set(live.map(\.delivery.source)).count == live.count)
        #expect(!live.isEmpty)
    }

    @Test("kill -9 of link into PostgreSQL: persons, assignments and queue from one run, and a rerun completes")
    func killingLinkNeverLeavesTheDatabaseInconsistent() async throws {
        guard TestPostgres.enabled else { return }
        try #require(Self.synth.status == 0, "\(Self.synth.err)")
        let store = try #require(try Self.newStore("link"))
        let ingest = try Self.run(["ingest", "--synth", Self.city, "--store", store.url], keys: store.keys)
        try #require(ingest.status == 0, "\(ingest.err)")
        let first = try Self.run(["link", "--store", store.url], keys: store.keys)
        try #require(first.status == 0, "\(first.err)")
        let s = try PostgresStore(url: store.url)
        let persons = "SELECT id || ' ' || pseudonym || ' ' || records || ' ' || linkage_run FROM persons ORDER BY id"
        let assignments = "SELECT source || ' ' || record_id || ' ' || person_id FROM assignments ORDER BY source, record_id"
        let queue = "SELECT subject || ' ' || pending::text FROM review_items WHERE queue = 'linkage-pairs' ORDER BY subject"
        let before = (try Self.texts(s, persons), try Self.texts(s, assignments), try Self.texts(s, queue))
        #expect(!before.0.isEmpty && !before.1.isEmpty)

        // Killed inside its transaction, after writing every person, assignment and queue item of the new run.
        try await Self.killWhileSaving(["link", "--store", store.url, "--threshold", "0.5"], table: "linkage_runs", keys: store.keys)
        #expect(try Self.texts(s, "SELECT id::text FROM linkage_runs") == ["1"])
        #expect(try Self.texts(s, persons) == before.0)
        #expect(try Self.texts(s, assignments) == before.1)
        #expect(try Self.texts(s, queue) == before.2)
        try Self.checkPersons(store)

        // Killed at random moments (reading, training, saving or after).
        var rng = SplitMix(state: Self.seed)
        for round in 0..<Self.rounds {
            _ = try await Self.killAfter(Int.random(in: 200..<8_000, using: &rng),
                                         ["link", "--store", store.url, "--threshold", round % 2 == 0 ? "0.5" : "0.9"], keys: store.keys)
            try Self.checkPersons(store)
        }
        let rerun = try Self.run(["link", "--store", store.url, "--threshold", "0.5", "--json"], keys: store.keys)
        #expect(rerun.status == 0, "\(rerun.err)")
        try Self.checkPersons(store)
        let runs = try Self.texts(s, "SELECT id::text FROM linkage_runs ORDER BY id")
        #expect(try Self.texts(s, "SELECT DISTINCT linkage_run::text FROM persons") == [runs.last!])
    }

    @Test("kill -9 of risk train into PostgreSQL: the previous model whole, and a rerun completes")
    func killingRiskTrainNeverLeavesTheDatabaseInconsistent() async throws {
        guard TestPostgres.enabled else { return }
        try #require(Self.synth.status == 0, "\(Self.synth.err)")
        let store = try #require(try Self.newStore("risk"))
        for args in [["ingest", "--synth", Self.city, "--store", store.url], ["link", "--store", store.url]] {
            let r = try Self.run(args, keys: store.keys)
            try #require(r.status == 0, "\(args[0]): \(r.err)")
        }
        let train = ["risk", "train", "--store", store.url, "--postcodes", Self.city + "/reference/postcodes.csv",
                     "--iterations", "20", "--capacity", "2000"]
        let first = try Self.run(train + ["--json"], keys: store.keys)
        try #require(first.status == 0, "\(first.err)")
        let s = try PostgresStore(url: store.url)
        let runs = "SELECT id || ' ' || kind || ' ' || model_id || ' ' || md5(model) || ' ' || md5(report) FROM risk_runs ORDER BY id"
        let before = try Self.texts(s, runs)
        #expect(before.count == 1)

        try await Self.killWhileSaving(train + ["--seed", "2"], table: "risk_runs", keys: store.keys)
        #expect(try Self.texts(s, runs) == before)
        try Self.auditVerifies(store)
        let evaluate = try Self.run(["risk", "evaluate", "--store", store.url, "--json"], keys: store.keys)
        #expect(evaluate.status == 0, "\(evaluate.err)")

        var rng = SplitMix(state: Self.seed)
        for _ in 0..<Self.rounds {
            _ = try await Self.killAfter(Int.random(in: 200..<6_000, using: &rng), train + ["--seed", "3"], keys: store.keys)
            // Every run that is there is whole: the ones before, and at most one more, with its model and report.
            let now = try Self.texts(s, runs)
            #expect(Array(now.prefix(before.count)) == before)
            #expect(try s.scalar("SELECT count(*) FROM risk_runs WHERE length(model) = 0 OR length(report) = 0") == 0)
            try Self.auditVerifies(store)
        }
        let count = try s.scalar("SELECT count(*) FROM risk_runs")
        let rerun = try Self.run(train + ["--seed", "2", "--json"], keys: store.keys)
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(try s.scalar("SELECT count(*) FROM risk_runs") == count + 1)
        try Self.auditVerifies(store)
    }
}
