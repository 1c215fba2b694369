import Foundation
import Testing
import UpstreamIngest
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamSynth

@Suite struct SyntheticCityCountsTests {
    /// Every row of every extract of a small synthetic city is either loaded or quarantined with a reason,
    /// and every person-level row of the ground truth can be found in one or the other.
    @Test func everyRowOfEveryExtractIsLoadedOrQuarantined() throws {
        let dir = temporaryDirectory("city")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = SynthConfig.defaults
        config.people = 5000
        config.seed = 7
        let summary = try CityGenerator(config: config).generate(to: dir + "/city", overwrite: true)
        let specs = try SpecLoader.loadDirectory(specsFolder)
        let store = try SQLiteStore(path: dir + "/upstream.db")
        let ingestor = Ingestor(store: store, loadedAt: Int64(Date().timeIntervalSince1970))

        var reports: [String: FileReport] = [:]
        for schema in ExtractSchema.all {
            let spec = try #require(specs[schema.name])
            let report = try ingestor.ingest(path: dir + "/city/\(schema.name).csv", spec: spec)
            #expect(report.counts.balances, "\(schema.name): \(report.balanceLine)")
            #expect(report.counts.rowsRead == summary.rows[schema.name], "\(schema.name)")
            reports[schema.name] = report
        }

        // The store agrees with the reports.
        for c in try store.sourceCounts() {
            let r = try #require(reports[c.source])
            #expect(c.records == r.counts.loaded, "\(c.source)")
            #expect(c.quarantined == r.counts.quarantined, "\(c.source)")
        }

        // Every truth record is in the store or in quarantine.
        var loadedIDs = Set<String>()
        try store.forEachRecord(source: nil, personLevelOnly: true) { loadedIDs.insert($0.record.source + "/" + $0.record.recordID) }
        var quarantinedRaw: [String: [String]] = [:]
        try store.forEachQuarantinedRow(source: nil, reason: nil) {
            quarantinedRaw[$0.source, default: []].append(String(decoding: $0.raw, as: UTF8.self))
            #expect(QuarantineReason(rawValue: $0.reason) != nil)
        }
        let truth = try String(contentsOfFile: dir + "/city/truth/records.csv", encoding: .utf8)
        var truthRows = 0
        for line in truth.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            truthRows += 1
            let found = loadedIDs.contains(f[0] + "/" + f[1]) || (quarantinedRaw[f[0]] ?? []).contains { $0.contains(f[1]) }
            #expect(found, "truth record \(f[0]) \(f[1]) is neither loaded nor quarantined")
        }
        #expect(truthRows == summary.personRecords)
        #expect(try store.integrityProblems().isEmpty)
    }
}
