import Foundation
import GRDB
import Testing
import UpstreamChronology
import UpstreamModel
import UpstreamRiskFeatures
import UpstreamStore
@testable import UpstreamStoreSQLite
@testable import UpstreamWorkspace

/// The risk features' read of the store by ranges of person id on several connections (`RiskPersonStream`) against
/// the one-connection stream it replaces (`LinkedRecords.personStream`), on the small linked city: the same persons
/// in the same order, the same records with the same feature columns, and so the same feature matrix.
@Suite("Risk: the store's persons read by range on several connections", .serialized)
struct RiskPersonStreamTests {
    func city() throws -> LinkedCity.Built { try LinkedCity.built.get() }

    /// What the features read of a record (`CompactRecord`'s inputs), as text.
    static func featureColumns(_ l: LinkedRecord) -> String {
        let r = l.record, i = r.identity, e = r.event
        var extras = ""
        if e?.kind == .termAbsence {
            extras = LinkedRecords.featureExtras.sorted().map { "\($0)=\(l.extras[$0] ?? "-")" }.joined(separator: ";")
        }
        let event = e.map { e in
            [e.kind.rawValue, e.date.iso, e.knownFrom.iso, e.role?.rawValue ?? "-", e.offenceCode ?? "-", "\(e.flags.rawValue)",
             e.detail ?? "-", e.reference ?? "-"].joined(separator: "|")
        } ?? "no event"
        return [l.personID, r.source, r.recordID, r.agency.rawValue, i.surname ?? "-", i.dateOfBirth?.iso ?? "-", i.sex?.rawValue ?? "-",
                i.postcode ?? "-", i.address ?? "-", i.ethnicity ?? "-", event, extras].joined(separator: "|")
    }

    /// The same text for the columns a store's scan gives (it gives no source or record id: the features read neither).
    static func featureColumns(_ c: FeatureColumns, person: String) -> String {
        func text(_ b: UnsafeBufferPointer<UInt8>?) -> String { b.map { String(decoding: $0, as: UTF8.self) } ?? "-" }
        var extras = ""
        if c.event?.kind == .termAbsence {
            // A plain object comes as its text (read in place by the features), any other decoded.
            let given = c.extrasJSON.map { ExtrasJSON.decode(utf8: $0) } ?? c.extras
            extras = LinkedRecords.featureExtras.sorted().map { "\($0)=\(given[$0] ?? "-")" }.joined(separator: ";")
        }
        let event = c.event.map { e in
            [e.kind.rawValue, e.date.iso, (c.recordedDate.map { max($0, e.date) } ?? e.date).iso, c.role?.rawValue ?? "-", text(c.offenceCode),
             "\(c.flags.rawValue)", text(c.detail), text(c.reference)].joined(separator: "|")
        } ?? "no event"
        return [person, "", "", c.agency.rawValue, text(c.surname), c.dateOfBirth?.iso ?? "-", c.sex?.rawValue ?? "-",
                text(c.postcode), text(c.address), text(c.ethnicity), event, extras].joined(separator: "|")
    }

    /// ``featureColumns(_:)``'s text without the source and record id.
    static func withoutKey(_ text: String) -> String {
        var parts = text.split(separator: "|", omittingEmptySubsequences: false)
        parts[1] = ""; parts[2] = ""
        return parts.joined(separator: "|")
    }

    static func read(_ stream: PersonStream) throws -> [(String, [String])] {
        var out: [(String, [String])] = []
        try stream { person, records in out.append((person, records.map(featureColumns))) }
        return out
    }

    @Test("by range, on one or two readers, the persons and their records' feature columns are those of the one-connection stream")
    func rangesGiveTheSamePersonsAndRecords() throws {
        let store = try city().workspace.store()
        let before = try Self.read(LinkedRecords.personStream(store: store))
        #expect(before.count > 500)
        #expect(before.contains { $0.1.contains { $0.contains("term_absence") && $0.contains("SessionsPossible=") && !$0.contains("SessionsPossible=-") } },
                "some school term records carry their attendance figures")
        for (readers, size) in [(1, 4_096), (2, 37), (2, 1), (3, 250)] {
            let after = try Self.read(RiskPersonStream.stream(store: store, readers: readers, rangeSize: size))
            #expect(after.map(\.0) == before.map(\.0), "persons, \(readers) readers of ranges of \(size)")
            #expect(after.map(\.1) == before.map(\.1), "records, \(readers) readers of ranges of \(size)")
        }
    }

    @Test("the cuts split the persons into runs of the given size, in person order")
    func cutsSplitThePersonsEvenly() throws {
        let store = try city().workspace.store()
        var ids: [String] = []
        try store.forEachPerson { p, _ in ids.append(p.rawValue) }
        let cuts = try #require(store as? SQLiteStore).personCuts(every: 100).map(\.rawValue)
        #expect(cuts == stride(from: 100, to: ids.count, by: 100).map { ids[$0] })
        #expect(try #require(store as? SQLiteStore).personCuts(every: ids.count).isEmpty)
    }

    @Test("the feature matrix built from the ranges read on two connections is the one built from the one-connection stream")
    func theSameFeatureMatrix() throws {
        let store = try city().workspace.store()
        let dates = [CivilDate(year: 2022, month: 1, day: 1)!, CivilDate(year: 2023, month: 7, day: 1)!]
        func build(_ stream: @escaping PersonStream) throws -> FeatureMatrix {
            try StreamingCohortBuilder(persons: stream, memoryBudget: 64 << 20).build(dates: dates).matrix
        }
        let a = try build(LinkedRecords.personStream(store: store))
        let b = try build(RiskPersonStream.stream(store: store, readers: 2, rangeSize: 29))
        #expect(a.rowCount > 0)
        #expect(a.personIDs == b.personIDs)
        #expect(a.person == b.person && a.dateIndex == b.dateIndex && a.outcome == b.outcome && a.outcomeDay == b.outcomeDay)
        #expect(a.age == b.age && a.sex == b.sex && a.ethnicity == b.ethnicity && a.decile == b.decile)
        #expect(a.excluded == b.excluded)
        #expect(a.columns.map { $0.map(\.bitPattern) } == b.columns.map { $0.map(\.bitPattern) })
    }

    @Test("a consumer that stops part-way stops the readers: the error comes back and nothing is left waiting")
    func aConsumerErrorStopsTheReaders() throws {
        struct Stop: Error {}
        let store = try city().workspace.store()
        var seen = 0
        let stream = RiskPersonStream.stream(store: store, readers: 2, rangeSize: 10)
        #expect(throws: Stop.self) {
            try stream { _, _ in
                seen += 1
                if seen == 25 { throw Stop() }
            }
        }
        #expect(seen == 25)
    }
    @Test("the records read in the store's order, each with its person, are the persons' records of the stream; the matrix built from them is the same")
    func theRecordOrderScanGivesTheSameRecordsAndMatrix() throws {
        let store = try city().workspace.store()
        let before = try Self.read(LinkedRecords.personStream(store: store))
        for readers in [1, 2, 3] {
            let scan = try #require(try RiskPersonStream.scan(store: store, readers: readers))
            #expect(scan.parts == (readers > 1 ? 4 * readers : 1))
            // Every person the stream gives (some with no person-level record), in its order, with a bound on their records.
            #expect(scan.persons.map(\.id) == before.map(\.0))
            #expect(zip(scan.persons, before).allSatisfy { $0.records >= $1.1.count })
            var byPerson: [String: [String]] = [:], plainTerms = 0
            for part in 0..<scan.parts {
                try scan.read(part) { person, r in
                    let id = scan.persons[Int(person)].id
                    if r?.event?.kind == .termAbsence && r?.extrasJSON != nil && r?.extras.isEmpty == true { plainTerms += 1 }
                    byPerson[id, default: []] += r.map { [Self.featureColumns($0, person: id)] } ?? []
                }
            }
            #expect(Set(byPerson.keys) == Set(before.map(\.0)), "every person named, those with no person-level record too")
            #expect(before.contains { $0.1.isEmpty } == byPerson.values.contains { $0.isEmpty })
            #expect(before.allSatisfy { byPerson[$0.0, default: []] == $0.1.map(Self.withoutKey) }, "each person's records, in order, \(readers) readers")
            #expect(byPerson.values.reduce(0) { $0 + $1.count } == before.reduce(0) { $0 + $1.1.count })
            #expect(plainTerms > 0, "the school terms' extras, as the store writes them, are handed over as their text")
        }
        let dates = [CivilDate(year: 2022, month: 1, day: 1)!, CivilDate(year: 2023, month: 7, day: 1)!]
        let a = try StreamingCohortBuilder(persons: LinkedRecords.personStream(store: store), memoryBudget: 64 << 20).build(dates: dates).matrix
        for budget in [64 << 20, 200_000] {
            var builder = StreamingCohortBuilder(persons: LinkedRecords.personStream(store: store), memoryBudget: budget, parallelism: Workspace.parallelism(workers: 2))
            builder.scan = try RiskPersonStream.scan(store: store, readers: 2)
            let built = try builder.build(dates: dates)
            let b = built.matrix
            #expect(a.rowCount > 0 && a.personIDs == b.personIDs && a.outcome == b.outcome && a.excluded == b.excluded)
            #expect(a.age == b.age && a.sex == b.sex && a.ethnicity == b.ethnicity && a.decile == b.decile)
            #expect(a.columns.map { $0.map(\.bitPattern) } == b.columns.map { $0.map(\.bitPattern) }, "budget \(budget)")
            if budget < 1 << 20 { #expect(built.plan.chunks.count > 1) }
        }
    }

    @Test("each record's person, made by merging the assignments with the records' key index, is the join's; a record not linked and an assignment whose record is gone are skipped")
    func theRecordPersonsAreTheJoinsOnAStoreWithGaps() throws {
        let built = try city()
        let copy = NSTemporaryDirectory() + "upstream-record-persons-\(getpid()).db"
        defer { for f in (try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? [] where f.hasPrefix("upstream-record-persons-\(getpid())") {
            try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + f)
        } }
        _ = try built.workspace.store()
        try? FileManager.default.removeItem(atPath: copy)
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: built.workspace.location + suffix) {
            try FileManager.default.copyItem(atPath: built.workspace.location + suffix, toPath: copy + suffix)
        }
        let store = try SQLiteStore(path: copy)
        // Gaps: records not linked (their assignments gone), and assignments whose records are gone.
        try store.db.write { db in
            try db.execute(sql: "DELETE FROM assignments WHERE (source, record_id) IN (SELECT source, record_id FROM records WHERE id % 97 = 3)")
            try db.execute(sql: "DELETE FROM records WHERE id % 89 = 5")
        }
        let joined = try store.db.read { db in
            try Row.fetchAll(db, sql: "SELECT r.id, a.person_id FROM records r LEFT JOIN assignments a ON a.source = r.source AND a.record_id = r.record_id ORDER BY r.id")
        }
        var linked = 0, unlinked = 0
        for workers in [1, 2, 3, 7] {
            let (persons, of) = try store.recordPersons(workers: workers)
            let position = Dictionary(uniqueKeysWithValues: persons.enumerated().map { ($1.id.rawValue, UInt32($0)) })
            linked = 0; unlinked = 0
            for row in joined {
                let key: Int64 = row[0], person: String? = row[1]
                #expect(of.person(ofKey: key) == person.flatMap { position[$0] }, "record \(key), \(workers) workers")
                if person == nil { unlinked += 1 } else { linked += 1 }
            }
            #expect(of.person(ofKey: -1) == nil && of.person(ofKey: Int64.max) == nil)
        }
        #expect(linked > 5_000 && unlinked > 50)
        #expect(try store.db.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM assignments a WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.source = a.source AND r.record_id = a.record_id)") ?? 0 } > 50)
        // The scan gives the linked records alone, each with its person.
        let scan = try #require(try RiskPersonStream.scan(store: store, readers: 2))
        var given = 0
        for part in 0..<scan.parts { try scan.read(part) { p, _ in #expect(Int(p) < scan.persons.count); given += 1 } }
        #expect(given == linked)
        // A person the list does not hold (the store relinked between the reads) is a clear error, not a wrong person.
        try store.db.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM persons WHERE id = (SELECT person_id FROM assignments LIMIT 1)")
        }
        #expect { try store.recordPersons(workers: 2) } throws: { "\($0)".contains("relinked") }
    }
}
