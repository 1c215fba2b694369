import Foundation
import GRDB
import Testing
import UpstreamTesting

/// Cases of issue 12's catalogue that had a fix but no test at the level the issue reported them: each runs the
/// binary the way the report did.
@Suite("issue 12: the catalogue's remaining cases, through the binary", .serialized)
struct Issue12GapTests {
    static let dir = NSTemporaryDirectory() + "upstream-issue12-\(getpid())"

    /// Item 7: `link --config --input` quarantines a row with a field over the 1 MiB record limit as
    /// `record_too_long`, says so, and counts it (rows read = linked + quarantined), as ingest does.
    @Test("link --config --input quarantines a field longer than 1 MiB, and counts it")
    func linkInputQuarantinesAnOverlongField() throws {
        let dir = Self.dir + "/overlong"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let long = String(repeating: "C", count: 1_100 * 1_024)
        let csv = """
            record_id,forename,surname,dob,sex,postcode
            1,Anna,Berg,2001-02-03,F,UC1 1AA
            2,Ben,\(long),2002-03-04,M,UC1 1AB
            3,Cara,Dunn,2003-04-05,F,UC1 1AD
            4,Cara,Dunn,2003-04-05,F,UC1 1AD

            """
        try csv.write(toFile: dir + "/people.csv", atomically: true, encoding: .utf8)
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/linkage-synthetic-city.json").path
        let r = try UpstreamBinary.run(["link", "--config", config, "--input", dir + "/people.csv", "--json"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("record_too_long"), "no word about the quarantined row: \(r.err)")
        let link = (try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["link"] as? [String: Any]
        let input = try #require((link?["inputs"] as? [[String: Any]])?.first)
        #expect(input["rowsRead"] as? Int == 4)
        #expect(input["loaded"] as? Int == 3)
        #expect((input["quarantined"] as? [String: Int])?["record_too_long"] == 1)
        #expect((input["lines"] as? [String: [Int]])?["record_too_long"] == [3])
    }

    /// Item 10 on a store: `link --store --explain` at another threshold explains the pair with the saved model and
    /// changes nothing: no new run, the same persons and assignments, the same review queue.
    @Test("link --store --explain is read-only")
    func explainOnAStoreIsReadOnly() throws {
        let dir = Self.dir + "/explain"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = dir + "/city.db"
        for args in [["synth", "--people", "400", "--seed", "3", "--out", dir + "/city"],
                     ["ingest", "--synth", dir + "/city", "--store", store], ["link", "--store", store]] {
            let r = try UpstreamBinary.run(args)
            try #require(r.status == 0, "\(args[0]): \(r.err)")
        }
        func rows(_ sql: String) throws -> [String] {
            try DatabaseQueue(path: store).read { db in try String.fetchAll(db, sql: sql) }
        }
        let persons = "SELECT id || ' ' || pseudonym || ' ' || records || ' ' || linkage_run FROM persons ORDER BY id"
        let assignments = "SELECT source || ':' || record_id || ' ' || person_id FROM assignments ORDER BY source, record_id"
        let queue = "SELECT subject || ' ' || pending || ' ' || updated_at FROM review_items ORDER BY queue, subject"
        let runs = "SELECT id || ' ' || finished_at FROM linkage_runs ORDER BY id"
        let before = [try rows(persons), try rows(assignments), try rows(queue), try rows(runs)]
        let pair = try rows("SELECT source || ':' || record_id FROM assignments ORDER BY person_id, source, record_id LIMIT 2")
        try #require(pair.count == 2)
        let r = try UpstreamBinary.run(["link", "--store", store, "--threshold", "0.5", "--explain", pair.joined(separator: ",")])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("waterfall"))
        #expect([try rows(persons), try rows(assignments), try rows(queue), try rows(runs)] == before)
    }
}
