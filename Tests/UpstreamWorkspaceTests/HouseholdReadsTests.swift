import Foundation
import Testing
import UpstreamChronology
import UpstreamIngest
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamSynth
import UpstreamTesting

/// A household read in steps (``SQLiteStore/householdRecords(of:personLevelOnly:)``: the person's records, the people
/// at their homes and incidents, those people's records) gives every young person the chronology that the whole
/// postcode neighbourhood gives (``NeighbourhoodReads/neighbourhoodRecords(of:personLevelOnly:)``), from far fewer
/// records.
@Suite("Household reads in steps")
struct HouseholdReadsTests {
    @Test("every person of a synthetic city: the same chronology from the household's records, a subset of the neighbourhood's")
    func sameChronologyFromFewerRecords() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("household-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = SynthConfig.defaults
        config.people = 500
        config.seed = 11
        _ = try CityGenerator(config: config, parallelism: TruthLinkedCity.cores).generate(to: dir + "/city", overwrite: true)
        let specsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("specs").path
        let specs = try SpecLoader.loadDirectory(specsFolder)
        let store = try SQLiteStore(path: dir + "/s.db")
        let ingestor = Ingestor(store: store, loadedAt: 1_764_000_000)
        for s in ExtractSchema.all { _ = try ingestor.ingest(path: "\(dir)/city/\(s.name).csv", spec: try #require(specs[s.name])) }
        // Linked by the city's truth, so that this checks the reads, not the linkage.
        let assignments = TruthLinkedCity.table(dir + "/city/truth/records.csv").map {
            PersonAssignment(record: RecordKey(source: $0["source"]!, recordID: $0["record_id"]!), person: PersonID($0["person_id"]!), probability: 0.97)
        }
        let persons = Set(assignments.map(\.person))
        _ = try store.saveLinkageRun(LinkageRunInfo(finishedAt: 1, by: "test", records: assignments.count, persons: persons.count,
                                                    modelJSON: Data("{}".utf8)), assignments: assignments) { "pseudo-" + $0.rawValue }
        func linked(_ rows: [NeighbourhoodRecord]) -> [LinkedRecord] {
            rows.map { LinkedRecord(personID: $0.person.rawValue, record: $0.stored.record, matchProbability: $0.probability, extras: $0.stored.extras) }
        }
        func key(_ r: NeighbourhoodRecord) -> String { "\(r.person.rawValue) \(r.stored.record.source)/\(r.stored.record.recordID)" }
        var wideRows = 0, narrowRows = 0, withHousehold = 0
        for person in persons.sorted() {
            for personLevelOnly in [true, false] {
                let wide = try store.neighbourhoodRecords(of: person, personLevelOnly: personLevelOnly)
                let narrow = try store.householdRecords(of: person, personLevelOnly: personLevelOnly)
                let a = ChronologyBuilder(records: linked(wide)).chronology(for: person.rawValue, pseudonym: "p")
                let b = ChronologyBuilder(records: linked(narrow)).chronology(for: person.rawValue, pseudonym: "p")
                #expect(a == b, "\(person.rawValue), person-level only: \(personLevelOnly)")
                #expect(Set(narrow.map(key)).isSubset(of: Set(wide.map(key))), "\(person.rawValue)")
                // By person, then load order, as the neighbourhood's read gives them.
                #expect(narrow.map(key) == wide.map(key).filter(Set(narrow.map(key)).contains), "\(person.rawValue): order")
                if personLevelOnly {
                    wideRows += wide.count; narrowRows += narrow.count
                    if !(b?.household.isEmpty ?? true) { withHousehold += 1 }
                }
            }
        }
        // The test means something: households were found, and from far fewer records.
        #expect(withHousehold > persons.count / 4, "\(withHousehold) of \(persons.count) persons have a household")
        #expect(narrowRows * 2 < wideRows, "\(narrowRows) records read against \(wideRows)")
    }

    @Test("a person unknown to the store reads as nothing")
    func unknownPerson() throws {
        let store = try SQLiteStore(path: ":memory:")
        #expect(try store.householdRecords(of: PersonID("nobody"), personLevelOnly: false).isEmpty)
    }
}
