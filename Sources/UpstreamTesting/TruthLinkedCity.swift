import Dispatch
import Foundation
import UpstreamChronology
import UpstreamIngest
import UpstreamModel
import UpstreamStore
import UpstreamSynth

/// A small synthetic city, loaded through the shipped specs and linked by its ground truth
/// (so that these tests check the chronology, not the linkage).
public enum TruthLinkedCity {
    /// Every core, for the test cities (the result is the same on any number).
    public static let cores = Parallelism(workers: ProcessInfo.processInfo.activeProcessorCount) { n, body in
        DispatchQueue.concurrentPerform(iterations: n, execute: body)
    }

    public struct Loaded: @unchecked Sendable {
        public var records: [LinkedRecord]
        public var people: [String: [String: String]]
        public var aces: [String: [ACE: CivilDate]]
        public var relationships: [(String, String, String)]
        public var outcomes: [String: [String: String]]
        /// `reference/postcodes.csv`: postcode → deprivation decile.
        public var postcodeDeciles: [String: Int]
        /// The last day of the city's records.
        public var end: CivilDate
    }

    /// 6,000 people, seed 21: the chronology tests' city.
    public static let small: Loaded = load(people: 6000, seed: 21)

    public static func table(_ path: String) -> [[String: String]] {
        CSV.records(try! String(contentsOfFile: path, encoding: .utf8)).records
    }

    /// Generates a city (`configure` may change any parameter, e.g. raise the serious violence rate so a small
    /// city has enough outcomes to learn from), ingests it through the shipped specs and links it by its truth.
    public static func load(people count: Int, seed: UInt64, configure: (inout SynthConfig) -> Void = { _ in }) -> Loaded {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chronology-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = SynthConfig.defaults
        config.people = count
        config.seed = seed
        configure(&config)
        let summary = try! CityGenerator(config: config, parallelism: TruthLinkedCity.cores).generate(to: dir, overwrite: true)
        let specsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("specs").path
        _ = summary
        let specs = try! SpecLoader.loadDirectory(specsFolder)
        let store = InMemoryStore()
        let ingestor = Ingestor(store: store, loadedAt: 1_764_000_000)
        for s in ExtractSchema.all { _ = try! ingestor.ingest(path: "\(dir)/\(s.name).csv", spec: specs[s.name]!) }
        var owner: [String: String] = [:]
        for t in table(dir + "/truth/records.csv") { owner[t["source"]! + "/" + t["record_id"]!] = t["person_id"]! }
        var records: [LinkedRecord] = []
        try! store.forEachRecord(source: nil, personLevelOnly: true) { r in
            if let p = owner[r.record.source + "/" + r.record.recordID] { records.append(LinkedRecord(personID: p, record: r.record, extras: r.extras)) }
        }
        var aces: [String: [ACE: CivilDate]] = [:]
        for a in table(dir + "/truth/aces.csv") {
            aces[a["person_id"]!, default: [:]][ACE(rawValue: a["ace"]!)!] = CivilDate.parse(a["onset_date"]!, layout: .iso)!
        }
        let people = Dictionary(uniqueKeysWithValues: table(dir + "/truth/people.csv").map { ($0["person_id"]!, $0) })
        let outcomes = Dictionary(uniqueKeysWithValues: table(dir + "/truth/outcomes.csv").map { ($0["person_id"]!, $0) })
        let rel = table(dir + "/truth/relationships.csv").map { ($0["person_id"]!, $0["related_person_id"]!, $0["relationship"]!) }
        var deciles: [String: Int] = [:]
        for t in table(dir + "/reference/postcodes.csv") { deciles[t["postcode"]!] = Int(t["imd_decile"]!) }
        let end = records.compactMap { $0.record.event?.date }.max()!
        return Loaded(records: records, people: people, aces: aces, relationships: rel, outcomes: outcomes, postcodeDeciles: deciles, end: end)
    }
}

