import Foundation
import GRDB
import Testing
import UpstreamTesting

/// The monthly refresh through the block index (issue 17), through the binary: `link --incremental` reads only the
/// month and the persons it can meet, and gives the same persons as linking the month against every stored record.
@Suite("Monthly refresh through the block index, through the binary")
struct RefreshIndexTests {
    @Test("the index refresh gives the same persons as the whole-store refresh, builds a missing index, and adds no duplicates")
    func sameAsWholeStore() throws {
        let dir = NSTemporaryDirectory() + "upstream-refresh9-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func run(_ args: [String], environment: [String: String] = [:]) throws -> (out: String, err: String) {
            let r = try UpstreamBinary.run(args, environment: environment)
            #expect(r.status == 0, "upstream \(args.joined(separator: " ")): \(r.err)")
            return (r.out, r.err)
        }
        let synth = try run(["synth", "--people", "2000", "--seed", "9", "--years", "4", "--monthly", "--out", dir + "/city", "--json"]).out
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(synth.utf8)) as? [String: Any])
        let monthDir = try #require((summary["monthDelivery"] as? [String: Any])?["folder"] as? String)
        _ = try run(["ingest", "--synth", dir + "/city", "--store", dir + "/s.db"])
        _ = try run(["link", "--store", dir + "/s.db", "--export-clusters", dir + "/before.csv"])
        #expect(FileManager.default.fileExists(atPath: dir + "/s.db.link-index/manifest.json"), "the full link writes the block index")
        _ = try run(["ingest", "--synth", monthDir, "--store", dir + "/s.db"])
        // Copies of the store with every side file (key, audit head), but not the block index.
        for f in try FileManager.default.contentsOfDirectory(atPath: dir) where f.hasPrefix("s.db") && !f.hasSuffix(".link-index") {
            try FileManager.default.copyItem(atPath: dir + "/" + f, toPath: dir + "/" + f.replacingOccurrences(of: "s.db", with: "w.db"))
            try FileManager.default.copyItem(atPath: dir + "/" + f, toPath: dir + "/" + f.replacingOccurrences(of: "s.db", with: "b.db"))
        }
        // A copy with its index, as an earlier version wrote it (no record named per identity): the refresh rebuilds it.
        for f in try FileManager.default.contentsOfDirectory(atPath: dir) where f.hasPrefix("s.db") {
            try FileManager.default.copyItem(atPath: dir + "/" + f, toPath: dir + "/" + f.replacingOccurrences(of: "s.db", with: "o.db"))
        }
        let manifestPath = dir + "/o.db.link-index/manifest.json"
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as? [String: Any])
        #expect(manifest["representatives"] as? Bool == true, "the full link names a record of each identity")
        manifest.removeValue(forKey: "representatives")
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        // Through the index.
        let fast = try run(["link", "--store", dir + "/s.db", "--incremental", "--json", "--export-clusters", dir + "/index.csv"],
                           environment: ["UPSTREAM_PROGRESS": "plain:0"])
        #expect(!fast.err.contains("whole store"), "no fallback: \(fast.err)")
        // Each step's read shows its progress in records.
        #expect(fast.err.contains("link screen: done in") && fast.err.contains("link read persons: done in") && fast.err.contains(" records, "),
                "\(fast.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(fast.out.utf8)) as? [String: Any])
        let link = try #require(report["link"] as? [String: Any])
        let refresh = try #require(link["refresh"] as? [String: Any])
        let newRecords = try #require(refresh["newRecords"] as? Int), read = try #require(refresh["existingRecordsRead"] as? Int)
        #expect(refresh["indexBuilt"] as? Bool == false)
        // The persons the month could change are among those read, and some were (month records of known people).
        let personsRead = try #require(refresh["personsRead"] as? Int), paired = try #require(refresh["personsPaired"] as? Int)
        // Two steps: one record of each candidate identity scored first, then only the persons paired (and those a new
        // record is identical to) read whole.
        let candidates = try #require(refresh["candidatePersons"] as? Int), screened = try #require(refresh["identitiesScreened"] as? Int)
        #expect(paired > 0 && paired <= personsRead && personsRead < candidates, "\(paired) persons paired, \(personsRead) read whole of \(candidates)")
        #expect(screened >= candidates, "\(screened) identities screened for \(candidates) candidate persons")
        // Against every stored record (an --evaluate run takes the whole-store path, scoring against the truth).
        _ = try run(["link", "--store", dir + "/w.db", "--incremental", "--evaluate", dir + "/city/truth/records.csv",
                     "--export-clusters", dir + "/whole.csv"])
        // With no index: it is built from the store first (said on standard error), then the same refresh.
        let built = try run(["link", "--store", dir + "/b.db", "--incremental", "--json", "--export-clusters", dir + "/built.csv"])
        #expect(built.err.contains("no block index"), "the rebuild is announced: \(built.err)")
        let builtReport = try #require(try JSONSerialization.jsonObject(with: Data(built.out.utf8)) as? [String: Any])
        #expect(((builtReport["link"] as? [String: Any])?["refresh"] as? [String: Any])?["indexBuilt"] as? Bool == true)

        let before = try MonthlyRefreshTests.assignments(dir + "/before.csv")
        let indexed = try MonthlyRefreshTests.assignments(dir + "/index.csv"), whole = try MonthlyRefreshTests.assignments(dir + "/whole.csv")
        let rebuilt = try MonthlyRefreshTests.assignments(dir + "/built.csv")
        let truth = try MonthlyRefreshTests.assignments(dir + "/city/truth/records.csv")
        let month = Set(indexed.keys).subtracting(before.keys)
        #expect(month.count == newRecords && newRecords > 20)
        #expect(read < before.count / 2, "the refresh read \(read) of \(before.count) stored records")
        #expect(indexed.count == whole.count)
        let differ = whole.filter { indexed[$0.key] != $0.value }
        #expect(differ.isEmpty, "\(differ.count) records got another person than the whole-store refresh gives, e.g. \(differ.prefix(3))")
        #expect(rebuilt == indexed, "a rebuilt index gives the same refresh")
        let old = try run(["link", "--store", dir + "/o.db", "--incremental", "--json", "--export-clusters", dir + "/old.csv"])
        #expect(old.err.contains("earlier version"), "the rebuild of an earlier version's index is announced: \(old.err)")
        let oldReport = try #require(try JSONSerialization.jsonObject(with: Data(old.out.utf8)) as? [String: Any])
        #expect(((oldReport["link"] as? [String: Any])?["refresh"] as? [String: Any])?["indexBuilt"] as? Bool == true)
        #expect(try MonthlyRefreshTests.assignments(dir + "/old.csv") == indexed, "an earlier version's index, rebuilt, gives the same refresh")
        #expect(before.filter { indexed[$0.key] != $0.value }.isEmpty, "history records keep their persons")
        // The store as the refresh left it (it writes only the persons it makes or changes, and adds its totals to the
        // previous run's instead of counting): every person's record count is its records, and the run's totals are
        // the tables' own counts.
        var perPerson: [String: Int] = [:]
        for p in indexed.values { perPerson[p, default: 0] += 1 }
        let (stored, totals, counted) = try DatabaseQueue(path: dir + "/s.db").read { db in
            (Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, records FROM persons").map { ($0["id"] as String, $0["records"] as Int) }),
             try Row.fetchOne(db, sql: "SELECT records, persons FROM linkage_runs ORDER BY id DESC LIMIT 1").map { [$0["records"] as Int, $0["persons"] as Int] },
             [try Int.fetchOne(db, sql: "SELECT count(*) FROM assignments") ?? -1, try Int.fetchOne(db, sql: "SELECT count(*) FROM persons") ?? -1])
        }
        #expect(stored == perPerson, "each person's stored record count is its records")
        #expect(totals == counted && counted == [indexed.count, perPerson.count], "the run's totals \(String(describing: totals)) against the tables' \(counted)")
        // No duplicate persons for people already known, against the truth: none beyond the whole-store refresh's.
        let duplicates = MonthlyRefreshTests.duplicates(month: month, linked: indexed, truth: truth)
        #expect(duplicates == MonthlyRefreshTests.duplicates(month: month, linked: whole, truth: truth))
        let known = month.filter { r in before.keys.contains { truth[$0] == truth[r] } }
        #expect(duplicates * 10 <= known.count, "\(duplicates) of \(known.count) month records of known people became new persons")

        // A second refresh with nothing new: the index (now with the month's segment) is current and used.
        let again = try run(["link", "--store", dir + "/s.db", "--incremental", "--json"])
        #expect(!again.err.contains("whole store") && !again.err.contains("block index"), "\(again.err)")
        let againReport = try #require(try JSONSerialization.jsonObject(with: Data(again.out.utf8)) as? [String: Any])
        #expect(((againReport["link"] as? [String: Any])?["refresh"] as? [String: Any])?["newRecords"] as? Int == 0)
        #expect(((againReport["link"] as? [String: Any])?["persons"] as? Int) == Set(indexed.values).count)
        // The text report says what the refresh read.
        let text = try run(["link", "--store", dir + "/s.db", "--incremental"]).out
        #expect(text.contains("refresh:") && text.contains("persons read whole"), "\(text)")
    }

    @Test("a refresh killed while saving leaves the store and the index as they were; a stale index is detected and rebuilt")
    func crashAndStaleIndex() async throws {
        let dir = NSTemporaryDirectory() + "upstream-refresh9-crash-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func run(_ args: [String], environment: [String: String] = [:]) throws -> (out: String, err: String) {
            let r = try UpstreamBinary.run(args, environment: environment)
            #expect(r.status == 0, "upstream \(args.joined(separator: " ")): \(r.err)")
            return (r.out, r.err)
        }
        let synth = try run(["synth", "--people", "800", "--seed", "4", "--years", "3", "--monthly", "--out", dir + "/city", "--json"]).out
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(synth.utf8)) as? [String: Any])
        let monthDir = try #require((summary["monthDelivery"] as? [String: Any])?["folder"] as? String)
        let store = dir + "/s.db", manifest = dir + "/s.db.link-index/manifest.json"
        _ = try run(["ingest", "--synth", dir + "/city", "--store", store])
        _ = try run(["link", "--store", store, "--export-clusters", dir + "/before.csv"])
        _ = try run(["ingest", "--synth", monthDir, "--store", store])
        let manifestBefore = try String(contentsOfFile: manifest, encoding: .utf8)

        // Killed inside the save's transaction: nothing of the refresh is kept, in the store or the index.
        let binary = try #require(UpstreamBinary.path)
        let marker = dir + "/stalled"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["link", "--store", store, "--incremental"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        var env = ProcessInfo.processInfo.environment
        env["UPSTREAM_TEST_STALL_BEFORE_COMMIT"] = "linkage_runs"
        env["UPSTREAM_TEST_STALL_MARKER"] = marker
        process.environment = env
        try process.run()
        var waited = 0
        while !FileManager.default.fileExists(atPath: marker), process.isRunning, waited < 600_000 {
            try await Task.sleep(for: .milliseconds(20)); waited += 20
        }
        let stalled = process.isRunning && FileManager.default.fileExists(atPath: marker)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(stalled, "the refresh did not reach its save")
        #expect(try String(contentsOfFile: manifest, encoding: .utf8) == manifestBefore, "the index is untouched")
        let afterCrash = try run(["link", "--store", store, "--incremental", "--json", "--export-clusters", dir + "/first.csv"])
        #expect(!afterCrash.err.contains("block index"), "the index is still current after the crash: \(afterCrash.err)")
        let first = try MonthlyRefreshTests.assignments(dir + "/first.csv"), before = try MonthlyRefreshTests.assignments(dir + "/before.csv")
        #expect(first.count > before.count)

        // The store moves on but the index does not (as after a crash between the store's commit and the index's
        // rename): the next refresh says the index is stale, rebuilds it, and links as before.
        try manifestBefore.write(toFile: manifest, atomically: true, encoding: .utf8)
        let stale = try run(["link", "--store", store, "--incremental", "--json", "--export-clusters", dir + "/second.csv"])
        #expect(stale.err.contains("belongs to linkage run"), "\(stale.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(stale.out.utf8)) as? [String: Any])
        let refresh = try #require((report["link"] as? [String: Any])?["refresh"] as? [String: Any])
        #expect(refresh["indexBuilt"] as? Bool == true)
        #expect(refresh["newRecords"] as? Int == 0)
        #expect(try MonthlyRefreshTests.assignments(dir + "/second.csv") == first)
        #expect(try Self.manifestDeletions(manifest) == 0, "nothing deleted: the index knows without counting the records")

        // A delivery replaced by a shorter file deletes records the index holds: the store's count of deleted records
        // moves, so the refresh counts the records, finds fewer, says so and rebuilds the index.
        let specs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../specs").standardized.path
        let custody = try String(contentsOfFile: dir + "/city/police_custody.csv", encoding: .utf8)
        let shorter = custody.split(separator: "\n", omittingEmptySubsequences: false).dropLast(2).joined(separator: "\n") + "\n"
        try shorter.write(toFile: dir + "/custody.csv", atomically: true, encoding: .utf8)
        _ = try run(["ingest", "--spec", specs + "/police_custody.yaml", dir + "/custody.csv", "--store", store, "--replace"])
        let replaced = try run(["link", "--store", store, "--incremental", "--json"])
        #expect(replaced.err.contains("records were replaced or removed"), "\(replaced.err)")
        let replacedReport = try #require(try JSONSerialization.jsonObject(with: Data(replaced.out.utf8)) as? [String: Any])
        #expect(((replacedReport["link"] as? [String: Any])?["refresh"] as? [String: Any])?["indexBuilt"] as? Bool == true)
        let deleted = try #require(try Self.manifestDeletions(manifest))
        #expect(deleted > 0, "the rebuilt index records the store's count of deleted records")
        // And with nothing deleted since, the next refresh uses the index as it is. It also clears what a process
        // killed while writing the index left (a temporary file named with its process id), but not a running one's.
        let index = dir + "/s.db.link-index"
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let abandoned = index + "/run-9.seg.tmp-\(ended.processIdentifier)-12345", live = index + "/run-9.seg.tmp-\(getpid())-12345"
        for f in [abandoned, live] { FileManager.default.createFile(atPath: f, contents: Data("partial".utf8)) }
        let after = try run(["link", "--store", store, "--incremental", "--json"])
        #expect(!after.err.contains("block index"), "\(after.err)")
        #expect(try Self.manifestDeletions(manifest) == deleted)
        #expect(!FileManager.default.fileExists(atPath: abandoned), "a killed writer's temporary file is removed")
        #expect(FileManager.default.fileExists(atPath: live), "a running process's is kept")
    }

    /// The count of deleted records the block index's manifest recorded (nil when it has none).
    static func manifestDeletions(_ path: String) throws -> Int? {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return json?["deletions"] as? Int
    }
}
