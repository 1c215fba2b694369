import Foundation
import GRDB
import Testing
import UpstreamTesting

/// `kill -9` while `upstream link` or `upstream risk train` is saving its run (issue 12, item 8): the store keeps the
/// previous run whole (its persons, assignments, review queue, or its model), the audit trail verifies, and a rerun
/// succeeds. The binary is stopped inside its open transaction, after every write of the run, by the SQLite
/// adapter's crash-test hook (`UPSTREAM_TEST_STALL_BEFORE_COMMIT`), so the kill lands where it does most harm.
@Suite("kill -9 during link and risk train leaves the store consistent", .serialized)
struct CrashConsistencyTests {
    static let dir = NSTemporaryDirectory() + "upstream-crash-\(getpid())"
    static var store: String { dir + "/city.db" }
    /// A 4,000-person city with a raised serious violence rate (so the risk model has outcomes), ingested and linked.
    static let setup: (status: Int32, err: String) = {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = dir + "/stress.yaml"
        try? "services:\n  seriousViolenceBy18: 0.08\n".write(toFile: config, atomically: true, encoding: .utf8)
        for args in [["synth", "--people", "4000", "--seed", "9", "--config", config, "--out", dir + "/city"],
                     ["ingest", "--synth", dir + "/city", "--store", store],
                     ["link", "--store", store]] {
            guard let r = try? UpstreamBinary.run(args), r.status == 0 else {
                return (1, "failed: \(args.joined(separator: " "))")
            }
        }
        return (0, "")
    }()

    /// Rows of `sql`, each as its columns' text, read with a connection of the test's own (which also rolls a hot
    /// journal back, as the next command would).
    func rows(_ sql: String) throws -> [[String]] {
        try DatabaseQueue(path: Self.store).read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                row.databaseValues.map { v in
                    switch v.storage {
                    case .null: "NULL"
                    case .int64(let n): String(n)
                    case .double(let x): String(x)
                    case .string(let t): t
                    case .blob(let d): d.base64EncodedString()
                    }
                }
            }
        }
    }

    /// Runs the binary with the hook set for `table`, waits until it stalls inside its transaction, and kills it.
    func killWhileSaving(_ arguments: [String], table: String) async throws {
        let binary = try #require(UpstreamBinary.path, "build the upstream executable first (swift build)")
        let marker = Self.dir + "/stalled-\(table)"
        try? FileManager.default.removeItem(atPath: marker)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        var env = ProcessInfo.processInfo.environment
        env["UPSTREAM_TEST_STALL_BEFORE_COMMIT"] = table
        env["UPSTREAM_TEST_STALL_MARKER"] = marker
        process.environment = env
        try process.run()
        var waited = 0
        while !FileManager.default.fileExists(atPath: marker), process.isRunning, waited < 600_000 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 20
        }
        let stalled = process.isRunning && FileManager.default.fileExists(atPath: marker)
        // The run's writes are in the open transaction: SQLite's rollback journal exists.
        #expect(FileManager.default.fileExists(atPath: Self.store + "-journal"), "the transaction is open")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(stalled, "the command did not reach its save")
        #expect(process.terminationReason == .uncaughtSignal)
    }

    func auditVerifies() throws {
        let v = try UpstreamBinary.run(["audit", "verify", "--store", Self.store, "--json"])
        #expect(v.status == 0, "\(v.out)\(v.err)")
        let json = try JSONSerialization.jsonObject(with: Data(v.out.utf8)) as? [String: Any]
        #expect(json?["intact"] as? Bool == true)
    }

    @Test("a link killed while saving leaves the previous run's persons, assignments and queue whole")
    func killDuringLink() async throws {
        try #require(Self.setup.status == 0, "\(Self.setup.err)")
        let persons = "SELECT id, pseudonym, records, linkage_run FROM persons ORDER BY id"
        let assignments = "SELECT source, record_id, person_id, probability FROM assignments ORDER BY source, record_id"
        let queue = "SELECT subject, pending, state FROM review_items WHERE queue = 'linkage-pairs' ORDER BY subject"
        let before = (try rows(persons), try rows(assignments), try rows(queue), try rows("SELECT id FROM linkage_runs"))
        #expect(!before.0.isEmpty && !before.1.isEmpty)
        #expect(before.3 == [["1"]])

        // A second run at another threshold would change the persons; it is killed after writing all of them.
        try await killWhileSaving(["link", "--store", Self.store, "--threshold", "0.5"], table: "linkage_runs")

        #expect(try rows("PRAGMA integrity_check") == [["ok"]])
        #expect(try rows("SELECT id FROM linkage_runs") == [["1"]])
        #expect(try rows(persons) == before.0)
        #expect(try rows(assignments) == before.1)
        #expect(try rows(queue) == before.2)
        try auditVerifies()

        // A rerun completes: run 2 holds the persons now, and the trail still verifies.
        let rerun = try UpstreamBinary.run(["link", "--store", Self.store, "--threshold", "0.5", "--json"])
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(try rows("SELECT id FROM linkage_runs") == [["1"], ["2"]])
        #expect(try rows("SELECT DISTINCT linkage_run FROM persons") == [["2"]])
        try auditVerifies()
    }

    @Test("a risk train killed while saving leaves the previous model whole")
    func killDuringRiskTrain() async throws {
        try #require(Self.setup.status == 0, "\(Self.setup.err)")
        let train = ["risk", "train", "--store", Self.store, "--postcodes", Self.dir + "/city/reference/postcodes.csv",
                     "--iterations", "20", "--capacity", "2000"]
        let first = try UpstreamBinary.run(train + ["--json"])
        try #require(first.status == 0, "\(first.err)")
        let runs = "SELECT id, kind, model_id, model, report, detail FROM risk_runs ORDER BY id"
        let before = try rows(runs)
        #expect(before.count == 1)

        try await killWhileSaving(train + ["--seed", "2"], table: "risk_runs")

        #expect(try rows(runs) == before)
        try auditVerifies()
        // The saved model is still the one commands use.
        let evaluate = try UpstreamBinary.run(["risk", "evaluate", "--store", Self.store, "--json"])
        #expect(evaluate.status == 0, "\(evaluate.err)")

        let rerun = try UpstreamBinary.run(train + ["--seed", "2", "--json"])
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(try rows("SELECT count(*) FROM risk_runs WHERE kind = 'train'") == [["2"]])
        try auditVerifies()
    }
}
