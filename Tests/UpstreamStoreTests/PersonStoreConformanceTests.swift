import Foundation
import Testing
import UpstreamModel
import UpstreamStore
import UpstreamStorePostgres
import UpstreamStoreSQLite

extension Backend {
    /// A new, empty store of this backend with persons (``WorkspaceStore``).
    func makeWorkspace() throws -> any WorkspaceStore {
        switch self {
        case .memory: return InMemoryStore()
        case .sqliteInMemory: return try SQLiteStore(path: ":memory:")
        case .sqliteFile:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("persons-\(UUID().uuidString).db").path
            return try SQLiteStore(path: path)
        case .postgres: return try TestPostgres.makeStore()
        }
    }
}

/// Records R1…Rn of `police_custody`, loaded in the order given, each with a postcode and person-level or not.
func loadRecords(_ store: any WorkspaceStore, _ rows: [(id: String, postcode: String?, personLevel: Bool)]) throws {
    _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                               source: info(), replacing: false) { w in
        for (n, row) in rows.enumerated() {
            var r = record(row.id, line: n + 2)
            r.record.identity.postcode = row.postcode
            r.personLevel = row.personLevel
            _ = try w.append(r)
        }
        return counts(read: rows.count, loaded: rows.count, quarantined: 0)
    }
}

func key(_ id: String) -> RecordKey { RecordKey(source: "police_custody", recordID: id) }
func assign(_ pairs: [(String, String)], probability: Double? = 0.97) -> [PersonAssignment] {
    pairs.map { PersonAssignment(record: key($0.0), person: PersonID($0.1), probability: probability) }
}
func run(_ persons: Int, records: Int) -> LinkageRunInfo {
    LinkageRunInfo(finishedAt: t0, by: "analyst", records: records, persons: persons, modelJSON: Data("{\"format\":1}".utf8),
                   detailJSON: Data("{\"threshold\":0.9}".utf8))
}
/// The pseudonym used in these tests: readable, and unique per person.
func yp(_ p: PersonID) -> String { "YP-" + p.rawValue }
/// A date that exists.
func day(_ y: Int, _ m: Int, _ d: Int) -> CivilDate { CivilDate(year: y, month: m, day: d)! }

/// One suite for every ``PersonStore`` backend (in memory, SQLite in memory and in a file, PostgreSQL when
/// `UPSTREAM_TEST_POSTGRES_URL` is set, and always under `CI=true`), with expectations worked out by hand.
@Suite struct PersonStoreConformanceTests {
    @Test(arguments: Backend.enabled)
    func aNewRunReplacesTheAssignmentsAndPersonsAndKeepsTheHistory(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        try loadRecords(store, [("R1", "UC1 2AB", true), ("R2", "UC1 2AB", true), ("R3", "ZZ9 9ZZ", true), ("R4", nil, true)])
        #expect(try store.currentLinkageRun() == nil)
        // Run 1: {R1, R2} is PA, R3 is PB, R4 is PC.
        let first = try store.saveLinkageRun(run(3, records: 4), assignments: assign([("R1", "PA"), ("R2", "PA"), ("R3", "PB"), ("R4", "PC")]),
                                             pseudonym: yp)
        #expect(first.id == 1)
        #expect(try store.person(of: key("R2")) == PersonID("PA"))
        #expect(try store.personSummary(PersonID("PA")) == PersonSummary(person: PersonID("PA"), pseudonym: "YP-PA", records: 2))
        // Run 2: R2 moves to PB, R4 is now PD; PC no longer exists.
        let second = try store.saveLinkageRun(run(3, records: 4),
                                              assignments: assign([("R1", "PA"), ("R2", "PB"), ("R3", "PB"), ("R4", "PD")], probability: nil),
                                              pseudonym: yp)
        #expect(second.id == 2)
        #expect(second.by == "analyst" && second.modelJSON == Data("{\"format\":1}".utf8))
        #expect(try store.linkageRuns().map(\.id) == [1, 2])
        #expect(try store.currentLinkageRun() == second)
        #expect(try store.person(of: key("R2")) == PersonID("PB"))
        #expect(try store.person(of: key("R9")) == nil)
        #expect(try store.person(pseudonym: "YP-PC") == nil)
        #expect(try store.personSummary(PersonID("PC")) == nil)
        #expect(try store.person(pseudonym: "YP-PB") == PersonSummary(person: PersonID("PB"), pseudonym: "YP-PB", records: 2))
        #expect(try store.personSummary(PersonID("PA"))?.records == 1)
        var seen: [PersonAssignment] = []
        try store.forEachAssignment { seen.append($0) }
        // Ordered by person, then record.
        #expect(seen == assign([("R1", "PA"), ("R2", "PB"), ("R3", "PB"), ("R4", "PD")], probability: nil))
        // Every record's person in the store's cheapest order (SQLite scans its table; the others go through
        // forEachAssignment): the same records and persons, each record once.
        var byRecord: [RecordKey: PersonID] = [:], calls = 0
        try store.forEachRecordPerson { byRecord[$0] = $1; calls += 1 }
        #expect(calls == 4)
        #expect(byRecord == Dictionary(uniqueKeysWithValues: seen.map { ($0.record, $0.person) }))
    }

    @Test(arguments: [Backend.sqliteInMemory, .sqliteFile])
    func sqliteGivesEveryRecordsPersonInKeyOrder(_ backend: Backend) throws {
        // Persons in the opposite order to their records: a scan of the by-person index (which covers the columns
        // asked for, and which SQLite chose without an ORDER BY) would give R4 first.
        let store = try backend.makeWorkspace()
        try loadRecords(store, [("R1", nil, true), ("R2", nil, true), ("R3", nil, true), ("R4", nil, true)])
        _ = try store.saveLinkageRun(run(4, records: 4), assignments: assign([("R1", "PD"), ("R2", "PC"), ("R3", "PB"), ("R4", "PA")]),
                                     pseudonym: yp)
        var order: [RecordKey] = []
        try store.forEachRecordPerson { key, _ in order.append(key) }
        #expect(order == ["R1", "R2", "R3", "R4"].map(key))
    }

    func pair(_ id: String, pending: Bool = true) -> StoredReviewItem {
        StoredReviewItem(queue: .linkagePairs, subject: id, pending: pending, updatedAt: t0, stateJSON: Data("{\"pair\":\"\(id)\"}".utf8))
    }

    @Test(arguments: Backend.enabled)
    func aRunReplacesThePendingPairsAndKeepsTheDecidedOnes(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        try loadRecords(store, [("R1", nil, true), ("R2", nil, true)])
        _ = try store.saveLinkageRun(run(1, records: 2), assignments: assign([("R1", "PA"), ("R2", "PA")]),
                                     review: [pair("p1"), pair("p2")], pseudonym: yp)
        try store.saveReviewItems([pair("p1", pending: false)])  // p1 decided
        // Run 2 finds p1 (already decided: kept as decided) and p3; p2 is no longer uncertain.
        _ = try store.saveLinkageRun(run(2, records: 2), assignments: assign([("R1", "PA"), ("R2", "PB")]),
                                     review: [pair("p1"), pair("p3")], pseudonym: yp)
        #expect(try store.reviewItems(.linkagePairs, pendingOnly: false) == [pair("p1", pending: false), pair("p3")])
        // Without a review list, the queue is left alone.
        _ = try store.saveLinkageRun(run(2, records: 2), assignments: assign([("R1", "PA"), ("R2", "PB")]), pseudonym: yp)
        #expect(try store.reviewItems(.linkagePairs, pendingOnly: true) == [pair("p3")])
    }

    @Test(arguments: Backend.enabled)
    func recordsOfAPersonComeInLoadOrderAndPersonsStreamInPersonOrder(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        // Loaded R3, R1, R2: the person PA holds R3 and R1, so its records come R3 then R1.
        try loadRecords(store, [("R3", "A1 1AA", true), ("R1", "A1 1AA", true), ("R2", "B2 2BB", true)])
        _ = try store.saveLinkageRun(run(2, records: 3), assignments: assign([("R1", "PA"), ("R3", "PA"), ("R2", "PB")]), pseudonym: yp)
        #expect(try store.records(of: PersonID("PA")).map(\.record.recordID) == ["R3", "R1"])
        #expect(try store.records(of: PersonID("PB")).map(\.record.recordID) == ["R2"])
        #expect(try store.records(of: PersonID("PZ")).isEmpty)
        // The records come back whole, provenance included.
        #expect(try store.records(of: PersonID("PB")).first?.record.provenance.line == 4)
        var groups: [String] = []
        try store.forEachPerson { p, rs in groups.append(p.rawValue + ":" + rs.map(\.record.recordID).joined(separator: ",")) }
        #expect(groups == ["PA:R3,R1", "PB:R2"])
    }

    @Test(arguments: Backend.enabled)
    func neighboursShareAPostcodeOnAPersonLevelRecord(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        // PA at UC1 2AB and ZZ9 9ZZ; PB at UC1 2AB; PC at ZZ9 9ZZ; PD only on an event-level row at UC1 2AB;
        // PE at Q1 1QQ alone; PF has no postcode.
        try loadRecords(store, [("R1", "UC1 2AB", true), ("R2", "ZZ9 9ZZ", true), ("R3", "UC1 2AB", true), ("R4", "ZZ9 9ZZ", true),
                                ("R5", "UC1 2AB", false), ("R6", "Q1 1QQ", true), ("R7", nil, true)])
        _ = try store.saveLinkageRun(run(6, records: 7), assignments: assign([
            ("R1", "PA"), ("R2", "PA"), ("R3", "PB"), ("R4", "PC"), ("R5", "PD"), ("R6", "PE"), ("R7", "PF"),
        ]), pseudonym: yp)
        #expect(try store.neighbours(of: PersonID("PA")).map(\.person.rawValue) == ["PB", "PC"])
        #expect(try store.neighbours(of: PersonID("PB")).map(\.person.rawValue) == ["PA"])
        // PD's own event-level row still places them at UC1 2AB.
        #expect(try store.neighbours(of: PersonID("PD")).map(\.person.rawValue) == ["PA", "PB"])
        #expect(try store.neighbours(of: PersonID("PE")).isEmpty)
        #expect(try store.neighbours(of: PersonID("PF")).isEmpty)
        #expect(try store.neighbours(of: PersonID("PA")).first == PersonSummary(person: PersonID("PB"), pseudonym: "YP-PB", records: 1))
    }

    @Test(arguments: Backend.enabled)
    func aPseudonymCollisionThrowsAndChangesNothing(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        try loadRecords(store, [("R1", nil, true), ("R2", nil, true), ("R3", nil, true)])
        let first = try store.saveLinkageRun(run(2, records: 3), assignments: assign([("R1", "PA"), ("R2", "PA"), ("R3", "PB")]),
                                             review: [pair("p1")], pseudonym: yp)
        // PA and PC would both be called YP-SAME.
        #expect(throws: StoreError.collision("YP-SAME would name two persons; rotate the pseudonymisation key (docs/governance.md)")) {
            _ = try store.saveLinkageRun(run(3, records: 3), assignments: assign([("R1", "PA"), ("R2", "PC"), ("R3", "PB")]),
                                         review: [pair("p9")], pseudonym: { $0.rawValue == "PB" ? "YP-PB" : "YP-SAME" })
        }
        #expect(try store.reviewItems(.linkagePairs, pendingOnly: false) == [pair("p1")])
        #expect(try store.linkageRuns() == [first])
        #expect(try store.person(of: key("R2")) == PersonID("PA"))
        #expect(try store.person(pseudonym: "YP-PA")?.records == 2)
        #expect(try store.person(pseudonym: "YP-SAME") == nil)
    }

    @Test(arguments: Backend.enabled)
    func assignmentsComputedAsTheStoreReadsThemAreSavedAsAnArrayWouldBe(_ backend: Backend) throws {
        // A lazy collection (what `LinkRunStore.save` gives, so the run is never held whole), in key order and not.
        let store = try backend.makeWorkspace()
        try loadRecords(store, [("R1", "UC1 2AB", true), ("R2", "UC1 2AB", true), ("R3", "ZZ9 9ZZ", true)])
        let owners = ["R1": "PA", "R2": "PA", "R3": "PB"]
        for ids in [["R1", "R2", "R3"], ["R3", "R1", "R2"]] {
            let lazy = ids.lazy.map { PersonAssignment(record: key($0), person: PersonID(owners[$0]!), probability: 0.9) }
            _ = try store.saveLinkageRun(run(2, records: 3), assignments: lazy, review: nil, pseudonym: yp)
            var saved: [PersonAssignment] = []
            try store.forEachAssignment { saved.append($0) }
            #expect(saved.map(\.record.recordID) == ["R1", "R2", "R3"] && saved.map(\.person.rawValue) == ["PA", "PA", "PB"])
            #expect(try store.person(pseudonym: yp(PersonID("PA")))?.records == 2)
        }
    }

    @Test(arguments: Backend.enabled)
    func aThrowingSaveLeavesThePreviousRunWhole(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        try loadRecords(store, [("R1", "UC1 2AB", true), ("R2", "UC1 2AB", true)])
        _ = try store.saveLinkageRun(run(2, records: 2), assignments: assign([("R1", "PA"), ("R2", "PB")]), pseudonym: yp)
        var before: [PersonAssignment] = []
        try store.forEachAssignment { before.append($0) }
        // R1 given twice: the run is refused before anything is replaced.
        #expect(throws: StoreError.invalidRun("record police_custody/R1 is assigned twice in one linkage run")) {
            _ = try store.saveLinkageRun(run(1, records: 2), assignments: assign([("R1", "PX"), ("R1", "PY"), ("R2", "PX")]), pseudonym: yp)
        }
        // Out of key order, a record given twice is found all the same (by a set of the keys, not by neighbours).
        #expect(throws: StoreError.invalidRun("record police_custody/R1 is assigned twice in one linkage run")) {
            _ = try store.saveLinkageRun(run(1, records: 2), assignments: assign([("R2", "PX"), ("R1", "PY"), ("R1", "PX")]), pseudonym: yp)
        }
        var after: [PersonAssignment] = []
        try store.forEachAssignment { after.append($0) }
        #expect(after == before)
        #expect(try store.linkageRuns().count == 1)
        #expect(try store.neighbours(of: PersonID("PA")).map(\.person.rawValue) == ["PB"])
        // A risk run scoring one person twice is refused whole as well.
        #expect(throws: StoreError.invalidRun("person PA is scored twice in one risk run")) {
            _ = try store.saveRiskRun(RiskRunInfo(kind: .score, modelID: "m1", asOf: day(2024, 1, 1), finishedAt: t0, by: "a"),
                                      scores: [score("PA", 0.5, rank: 1), score("PA", 0.4, rank: 2)])
        }
        #expect(try store.riskRuns().isEmpty)
    }

    func score(_ p: String, _ s: Double, rank: Int, run: Int64 = 0, asOf: CivilDate = day(2024, 1, 1)) -> PersonScore {
        PersonScore(run: run, person: PersonID(p), asOf: asOf, score: s, rank: rank, age: 15, flagged: rank == 1,
                    raising: [ScoreReason(feature: "aces", text: "4 adverse childhood experiences recorded", contribution: 0.61)],
                    lowering: [ScoreReason(feature: "school_attendance", text: "attends school", contribution: -0.2)])
    }

    @Test(arguments: Backend.enabled)
    func scoresComeByRankForARunAndOldestFirstForAPerson(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        let d1 = day(2023, 1, 1), d2 = day(2024, 1, 1)
        let train = try store.saveRiskRun(RiskRunInfo(kind: .train, modelID: "m1", asOf: d1, finishedAt: t0, by: "analyst",
                                                      modelJSON: Data("{\"trees\":[]}".utf8), reportJSON: Data("{\"auc\":0.7}".utf8)),
                                          scores: [])
        let s1 = try store.saveRiskRun(RiskRunInfo(kind: .score, modelID: "m1", asOf: d1, finishedAt: t0 + 1, by: "analyst"),
                                       scores: [score("PA", 0.2, rank: 2, asOf: d1), score("PB", 0.5, rank: 1, asOf: d1)])
        let s2 = try store.saveRiskRun(RiskRunInfo(kind: .score, modelID: "m1", asOf: d2, finishedAt: t0 + 2, by: "analyst", linkageRun: nil),
                                       scores: [score("PA", 0.4, rank: 1, asOf: d2)])
        #expect([train.id, s1.id, s2.id] == [1, 2, 3])
        #expect(try store.latestRiskRun(.train) == train)
        #expect(try store.latestRiskRun(.score) == s2)
        #expect(try store.riskRuns().map(\.kind) == [.train, .score, .score])
        #expect(try store.riskRuns().first?.reportJSON == Data("{\"auc\":0.7}".utf8))
        // By rank within a run, with the run's id filled in.
        #expect(try store.scores(run: 2).map(\.person.rawValue) == ["PB", "PA"])
        #expect(try store.scores(run: 2).map(\.run) == [2, 2])
        // The trend: oldest run first, reasons intact.
        let trend = try store.scores(of: PersonID("PA"))
        #expect(trend.map(\.score) == [0.2, 0.4])
        #expect(trend.map(\.asOf) == [d1, d2])
        #expect(trend.first == score("PA", 0.2, rank: 2, run: 2, asOf: d1))
        #expect(try store.scores(of: PersonID("PZ")).isEmpty)
        #expect(try store.scores(run: 1).isEmpty)
    }

    @Test(arguments: Backend.enabled)
    func reviewItemsAreReplacedBySubjectAndFilteredWhenPending(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        let a = StoredReviewItem(queue: .riskFlags, subject: "YP-B", pending: true, updatedAt: t0, stateJSON: Data("{\"s\":\"open\"}".utf8))
        let b = StoredReviewItem(queue: .riskFlags, subject: "YP-A", pending: true, updatedAt: t0, stateJSON: Data("{\"s\":\"open\"}".utf8))
        let pair = StoredReviewItem(queue: .linkagePairs, subject: "p1", pending: true, updatedAt: t0, stateJSON: Data("{}".utf8))
        try store.saveReviewItems([a, b, pair])
        #expect(try store.reviewItems(.riskFlags, pendingOnly: true).map(\.subject) == ["YP-A", "YP-B"])
        var decided = a
        decided.pending = false; decided.updatedAt = t0 + 60; decided.stateJSON = Data("{\"s\":\"offered\"}".utf8)
        try store.saveReviewItems([decided])
        #expect(try store.reviewItems(.riskFlags, pendingOnly: true).map(\.subject) == ["YP-A"])
        #expect(try store.reviewItems(.riskFlags, pendingOnly: false).map(\.subject) == ["YP-A", "YP-B"])
        #expect(try store.reviewItem(.riskFlags, subject: "YP-B") == decided)
        #expect(try store.reviewItem(.offers, subject: "YP-B") == nil)
        #expect(try store.reviewItems(.linkagePairs, pendingOnly: false) == [pair])
    }

    @Test(arguments: Backend.enabled)
    func offersGetIdsAndChangeStatus(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        let saved = try store.saveOffers([
            StoredOffer(person: PersonID("PA"), programme: "mentoring", cost: 1250.5, status: "proposed", createdAt: t0),
            StoredOffer(person: PersonID("PB"), programme: "cbt", cost: 900, status: "proposed", createdAt: t0, detailJSON: Data("{\"bcr\":2.1}".utf8)),
        ])
        #expect(saved.map(\.id) == [1, 2])
        try store.updateOffer(id: 2, status: "offered")
        #expect(try store.offers(of: nil).map(\.status) == ["proposed", "offered"])
        #expect(try store.offers(of: PersonID("PB")) == [{ var o = saved[1]; o.status = "offered"; return o }()])
        #expect(throws: StoreError.notFound("offer 9")) { try store.updateOffer(id: 9, status: "offered") }
    }
}
