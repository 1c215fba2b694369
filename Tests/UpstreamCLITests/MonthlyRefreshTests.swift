import Foundation
import Testing
import UpstreamTesting

/// The monthly refresh (issue 17): a new month of deliveries is ingested and linked incrementally against the existing
/// persons, through the binary, and checked against the city's truth.
@Suite("Monthly refresh, through the binary")
struct MonthlyRefreshTests {
    /// source/record_id → person_id, from `--export-clusters` or the truth.
    static func assignments(_ path: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            out[f[0] + "/" + f[1]] = String(f[2])
        }
        return out
    }

    /// Month records whose true person already had records in the history, but which were put in a person that
    /// holds none of that true person's history records: a duplicate person for someone already known.
    static func duplicates(month: Set<String>, linked: [String: String], truth: [String: String]) -> Int {
        var historyTruthByPerson: [String: Set<String>] = [:]
        var truthWithHistory = Set<String>()
        for (record, person) in linked where !month.contains(record) {
            historyTruthByPerson[person, default: []].insert(truth[record]!)
            truthWithHistory.insert(truth[record]!)
        }
        return month.filter { r in
            guard let t = truth[r], truthWithHistory.contains(t), let p = linked[r] else { return false }
            return !(historyTruthByPerson[p]?.contains(t) ?? false)
        }.count
    }

    @Test("a month's records join their existing persons: ids kept, no more duplicates than a full run over the same records")
    func refreshAgainstTruth() throws {
        let dir = NSTemporaryDirectory() + "upstream-refresh-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func run(_ args: [String]) throws -> String {
            let r = try UpstreamBinary.run(args)
            #expect(r.status == 0, "upstream \(args.joined(separator: " ")): \(r.err)")
            return r.out
        }
        let synth = try run(["synth", "--people", "3000", "--seed", "5", "--years", "4", "--monthly", "--out", dir + "/city", "--json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(synth.utf8)) as? [String: Any])
        let monthInfo = try #require(summary["monthDelivery"] as? [String: Any])
        let monthDir = try #require(monthInfo["folder"] as? String)
        // The force's store: the history, linked; then the month arrives.
        _ = try run(["ingest", "--synth", dir + "/city", "--store", dir + "/s.db"])
        _ = try run(["link", "--store", dir + "/s.db", "--export-clusters", dir + "/before.csv"])
        _ = try run(["ingest", "--synth", monthDir, "--store", dir + "/s.db"])
        let refresh = try run(["link", "--store", dir + "/s.db", "--incremental", "--json", "--export-clusters", dir + "/after.csv"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(refresh.utf8)) as? [String: Any])
        let newRecords = try #require((report["link"] as? [String: Any])?["newRecords"] as? Int)
        // A full run over the same records, for comparison.
        _ = try run(["ingest", "--synth", dir + "/city", "--store", dir + "/all.db"])
        _ = try run(["ingest", "--synth", monthDir, "--store", dir + "/all.db"])
        _ = try run(["link", "--store", dir + "/all.db", "--export-clusters", dir + "/full.csv"])

        let before = try Self.assignments(dir + "/before.csv"), after = try Self.assignments(dir + "/after.csv")
        let full = try Self.assignments(dir + "/full.csv"), truth = try Self.assignments(dir + "/city/truth/records.csv")
        let month = Set(after.keys).subtracting(before.keys)
        #expect(month.count == newRecords, "the refresh linked exactly the month's new records")
        #expect(month.count > 20)
        #expect(after.count == full.count, "every record of both deliveries has a person")
        // Every history record keeps its person id.
        let moved = before.filter { after[$0.key] != $0.value }.count
        #expect(moved == 0, "\(moved) history records changed person at the refresh")
        // Duplicates against the truth: no more than the full run makes over the same records.
        let refreshDuplicates = Self.duplicates(month: month, linked: after, truth: truth)
        let fullDuplicates = Self.duplicates(month: month, linked: full, truth: truth)
        #expect(refreshDuplicates <= fullDuplicates,
                "the refresh made \(refreshDuplicates) duplicate persons for people already known; a full run made \(fullDuplicates)")
        let known = month.filter { r in before.keys.contains { truth[$0] == truth[r] } }
        #expect(refreshDuplicates * 10 <= known.count, "\(refreshDuplicates) of \(known.count) month records of known people became new persons")
    }
}
