import Foundation
import GRDB
import Testing
import UpstreamModel
import UpstreamStore
import UpstreamStorePostgres
import UpstreamStoreSQLite

/// Which backend a conformance test runs against.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case memory, sqliteInMemory, sqliteFile, postgres

    var testDescription: String { rawValue }

    /// The backends to test: PostgreSQL when `UPSTREAM_TEST_POSTGRES_URL` is set, and always under `CI=true`
    /// (where a missing URL makes its cases fail rather than vanish).
    static var enabled: [Backend] { TestPostgres.enabled ? allCases : allCases.filter { $0 != .postgres } }

    func make() throws -> any RecordStore {
        switch self {
        case .memory: return InMemoryStore()
        case .sqliteInMemory: return try SQLiteStore(path: ":memory:")
        case .sqliteFile:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).db").path
            return try SQLiteStore(path: path)
        case .postgres: return try TestPostgres.makeStore()
        }
    }
}

struct Boom: Error {}

let t0: Int64 = 1_700_000_000  // 2023-11-14
let sha1 = String(repeating: "a", count: 64)
let sha2 = String(repeating: "b", count: 64)

func info(_ name: String = "police_custody", years: Int = 10, from: RetentionPolicy.Anchor = .event) -> SourceInfo {
    SourceInfo(name: name, agency: .police, owner: "owner", legalBasis: "basis", retention: RetentionPolicy(years: years, from: from))
}

func record(_ id: String, source: String = "police_custody", sha: String = sha1, line: Int = 2, eventDay: CivilDate? = CivilDate(year: 2020, month: 5, day: 1)) -> StoredRecord {
    let identity = Identity(forename: "ANNA", middleNames: "MAY", surname: "SMITH", dateOfBirth: CivilDate(year: 2005, month: 2, day: 3),
                            sex: .female, postcode: "UC1 2AB", ethnicity: "W", nhsNumber: "9434765919", nhsNumberValid: true,
                            upn: nil, pncID: "14/123456A", localID: "L1")
    let event = eventDay.map {
        Event(kind: .custody, date: $0, minuteOfDay: 615, endDate: nil, role: .suspect, area: "E01000001", offenceCode: "8N",
              flags: [.knife, .gang], detail: "RO", reference: "20/1/17")
    }
    return StoredRecord(
        record: SourceRecord(source: source, recordID: id, agency: .police, identity: identity, event: event,
                             provenance: Provenance(source: source, fileName: "f.csv", fileSHA256: sha, line: line, loadedAt: t0)),
        personLevel: true, flags: [.dateOfBirthPlaceholder], extras: ["Easting": "512345", "Note": "a \"quoted\"\nvalue"])
}

/// Loads one `police_custody` delivery (file f.csv, kept 6 years from the event) of records with these ids and event dates.
func loadDated(_ store: any RecordStore, _ records: [(id: String, year: Int, month: Int, day: Int)]) throws {
    _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                               source: info(years: 6), replacing: false) { w in
        for r in records { _ = try w.append(record(r.id, eventDay: CivilDate(year: r.year, month: r.month, day: r.day))) }
        return counts(read: records.count, loaded: records.count, quarantined: 0)
    }
}

func counts(read: Int, loaded: Int, quarantined: Int) -> DeliveryCounts {
    var c = DeliveryCounts()
    c.rowsRead = read; c.loaded = loaded; c.quarantined = quarantined
    return c
}

@Suite struct StoreConformanceTests {
    @Test(arguments: Backend.enabled)
    func recordsReadBackWithProvenanceExactly(_ backend: Backend) throws {
        let store = try backend.make()
        let r = record("R1")
        let outcome = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                             source: info(), replacing: false) { w in
            let added = try w.append(r)
            #expect(added)
            return counts(read: 1, loaded: 1, quarantined: 0)
        }
        guard case .loaded(let summary, let superseded, _) = outcome else { Issue.record("not loaded"); return }
        #expect(superseded.isEmpty)
        #expect(summary.counts.loaded == 1)
        let back = try store.records()
        #expect(back == [r])
        #expect(try store.sources() == [info()])
    }

    @Test(arguments: Backend.enabled)
    func eventOnlyRecordsAreAccepted(_ backend: Backend) throws {
        let store = try backend.make()
        var crime = record("CR1", source: "police_crimes")
        crime.record.identity = Identity()
        crime.personLevel = false
        _ = try store.loadDelivery(Delivery(source: "police_crimes", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info("police_crimes"), replacing: false) { w in
            _ = try w.append(crime)
            return counts(read: 1, loaded: 1, quarantined: 0)
        }
        let back = try store.records()
        #expect(back == [crime])
        #expect(try store.records(personLevelOnly: true).isEmpty)
        #expect(try store.sourceCounts().first?.personRecords == 0)
    }

    @Test(arguments: Backend.enabled)
    func sameFileTwiceChangesNothing(_ backend: Backend) throws {
        let store = try backend.make()
        let d = Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0)
        _ = try store.loadDelivery(d, source: info(), replacing: false) { w in
            _ = try w.append(record("R1"))
            return counts(read: 1, loaded: 1, quarantined: 0)
        }
        var called = false
        let again = try store.loadDelivery(d, source: info(), replacing: false) { _ in
            called = true
            return DeliveryCounts()
        }
        #expect(!called)
        guard case .alreadyLoaded(let existing) = again else { Issue.record("expected alreadyLoaded"); return }
        #expect(existing.id == 1)
        #expect(try store.records().count == 1)
        #expect(try store.deliveries(source: nil).count == 1)
    }

    @Test(arguments: Backend.enabled)
    func aThrowingLoadLeavesTheStoreAsBefore(_ backend: Backend) throws {
        let store = try backend.make()
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info(), replacing: false) { w in
            _ = try w.append(record("R1"))
            return counts(read: 1, loaded: 1, quarantined: 0)
        }
        let before = (try store.records(), try store.deliveries(source: nil), try store.auditLog())
        #expect(throws: Boom.self) {
            _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "g.csv", fileSHA256: sha2, loadedAt: t0),
                                       source: info(years: 3), replacing: true) { w in
                _ = try w.append(record("R2", sha: sha2))
                try w.quarantine(QuarantinedRow(source: "police_custody", fileName: "g.csv", fileSHA256: sha2, line: 3,
                                                raw: [1, 2], reason: "invalid_date", field: "DOB", loadedAt: t0))
                throw Boom()
            }
        }
        #expect(try store.records() == before.0)
        #expect(try store.deliveries(source: nil) == before.1)
        #expect(try store.auditLog() == before.2)
        #expect(try store.quarantinedRows().isEmpty)
        #expect(try store.sources().first?.retention.years == 10)
    }

    @Test(arguments: Backend.enabled)
    func duplicateRecordIDsAreRefused(_ backend: Backend) throws {
        let store = try backend.make()
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info(), replacing: false) { w in
            let first = try w.append(record("R1"))
            let second = try w.append(record("R1", line: 3))
            #expect(first)
            #expect(!second)
            return counts(read: 2, loaded: 1, quarantined: 1)
        }
        #expect(try store.records().map(\.record.provenance.line) == [2])
    }

    @Test(arguments: Backend.enabled)
    func replacingSupersedesEarlierDeliveries(_ backend: Backend) throws {
        let store = try backend.make()
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info(), replacing: false) { w in
            _ = try w.append(record("R1")); _ = try w.append(record("R2"))
            try w.quarantine(QuarantinedRow(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, line: 4, raw: Array("x".utf8),
                                            reason: "invalid_date", field: "DOB", loadedAt: t0))
            return counts(read: 3, loaded: 2, quarantined: 1)
        }
        let outcome = try store.loadDelivery(Delivery(source: "police_custody", fileName: "g.csv", fileSHA256: sha2, loadedAt: t0 + 10),
                                             source: info(), replacing: true) { w in
            _ = try w.append(record("R1", sha: sha2))
            return counts(read: 1, loaded: 1, quarantined: 0)
        }
        guard case .loaded(_, let superseded, let removed) = outcome else { Issue.record("not loaded"); return }
        #expect(superseded == [1])
        #expect(removed == 2)
        #expect(try store.records().map(\.record.provenance.fileSHA256) == [sha2])
        #expect(try store.quarantinedRows().isEmpty)
        let ds = try store.deliveries(source: "police_custody")
        #expect(ds.map(\.supersededBy) == [2, nil])
        #expect(try store.auditLog().map(\.action) == ["ingest", "supersede", "ingest"])
        // The superseded file can be loaded again: it is a new delivery.
        let back = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0 + 20),
                                          source: info(), replacing: true) { _ in DeliveryCounts() }
        if case .alreadyLoaded = back { Issue.record("a superseded delivery must be loadable again") }
    }

    @Test(arguments: Backend.enabled)
    func quarantineIsGroupedByReasonAndKeepsRawBytes(_ backend: Backend) throws {
        let store = try backend.make()
        let raw: [UInt8] = [0x5A, 0x6F, 0xEB, 0x2C, 0x31]
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info(), replacing: false) { w in
            for (line, reason) in [(2, "invalid_date"), (3, "invalid_date"), (4, "invalid_encoding")] {
                try w.quarantine(QuarantinedRow(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, line: line, raw: raw,
                                                reason: reason, field: reason == "invalid_date" ? "DOB" : nil, loadedAt: t0))
            }
            return counts(read: 3, loaded: 0, quarantined: 3)
        }
        #expect(try store.quarantineGroups(source: nil) == [
            QuarantineGroup(source: "police_custody", reason: "invalid_date", field: "DOB", count: 2),
            QuarantineGroup(source: "police_custody", reason: "invalid_encoding", field: nil, count: 1),
        ])
        let rows = try store.quarantinedRows(reason: "invalid_encoding")
        #expect(rows.count == 1)
        #expect(rows.first?.raw == raw)
        #expect(rows.first?.line == 4)
        #expect(rows.first?.fileSHA256 == sha1)
    }

    @Test(arguments: Backend.enabled)
    func retentionListsAndDeletesWithAnAuditEntry(_ backend: Backend) throws {
        let store = try backend.make()
        try loadDated(store, [("OLD", 2010, 1, 1), ("EDGE", 2018, 6, 30), ("NEW", 2022, 1, 1)])
        let asOf = CivilDate(year: 2024, month: 6, day: 30)!
        let due = try store.retentionDue(asOf: asOf)
        #expect(due == [RetentionDue(source: "police_custody", policy: RetentionPolicy(years: 6), cutoff: CivilDate(year: 2018, month: 6, day: 30)!, records: 1)])
        #expect(try store.records().count == 3)
        let applied = try store.applyRetention(asOf: asOf, at: t0 + 100)
        #expect(applied == due)
        #expect(try store.records().map(\.record.recordID) == ["EDGE", "NEW"])
        let last = try #require(try store.auditLog().last)
        #expect(last.action == "retention_delete")
        #expect(last.count == 1)
        #expect(last.at == t0 + 100)
        #expect(try store.retentionDue(asOf: asOf).isEmpty)
    }

    @Test(arguments: Backend.enabled)
    func retentionFromLoadUsesTheLoadDate(_ backend: Backend) throws {
        let store = try backend.make()
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info(years: 1, from: .load), replacing: false) { w in
            _ = try w.append(record("A", eventDay: CivilDate(year: 1990, month: 1, day: 1)))
            return counts(read: 1, loaded: 1, quarantined: 0)
        }
        #expect(try store.retentionDue(asOf: CivilDate(year: 2024, month: 11, day: 1)!).isEmpty)
        #expect(try store.retentionDue(asOf: CivilDate(year: 2024, month: 11, day: 20)!).first?.records == 1)
    }

    @Test(arguments: Backend.enabled)
    func awkwardTextAndBytesRoundTripExactly(_ backend: Backend) throws {
        let store = try backend.make()
        var r = record("R\t1\\")
        r.record.identity.forename = "O'BRIEN\tX\\Y\nZ\r \\N"
        r.record.identity.surname = "Zoë 😀 \"Ä\""
        r.record.identity.middleNames = ""
        r.record.event?.detail = "\\."
        r.extras = ["Tab\tKey": "back\\slash", "Empty": ""]
        let raw: [UInt8] = [0x00, 0x09, 0x0A, 0x5C, 0xFF]
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info(), replacing: false) { w in
            let added = try w.append(r)
            #expect(added)
            try w.quarantine(QuarantinedRow(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, line: 3, raw: raw,
                                            reason: "invalid_encoding", field: nil, loadedAt: t0))
            return counts(read: 2, loaded: 1, quarantined: 1)
        }
        #expect(try store.records() == [r])
        #expect(try store.quarantinedRows().map(\.raw) == [raw])
    }

    @Test("every delete path adds to the store's count of deleted records (the refresh's index check)",
          arguments: Backend.enabled.filter { $0 == .sqliteFile || $0 == .postgres })
    func storesCountEveryDeletedRecord(_ backend: Backend) throws {
        let store = try backend.make()
        func deletions() throws -> Int64 {
            if let s = store as? SQLiteStore { return try s.recordDeletions() }
            return try #require(store as? PostgresStore).recordDeletions()
        }
        #expect(try deletions() == 0)
        try loadDated(store, [("OLD", 2010, 1, 1), ("NEW", 2022, 1, 1), ("NEWER", 2023, 1, 1)])
        #expect(try deletions() == 0, "loading deletes nothing")
        _ = try store.applyRetention(asOf: CivilDate(year: 2024, month: 6, day: 30)!, at: t0 + 100)
        #expect(try deletions() == 1, "retention")
        // The same file again under another spec supersedes the first read of it (its records deleted by delivery).
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0 + 200, specSHA256: sha2),
                                   source: info(years: 6), replacing: false) { w in
            _ = try w.append(record("NEW", eventDay: CivilDate(year: 2022, month: 1, day: 1)))
            return counts(read: 1, loaded: 1, quarantined: 0)
        }
        #expect(try deletions() == 3, "a delivery read again")
        // A replacing load deletes the source's records.
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "g.csv", fileSHA256: sha2, loadedAt: t0 + 300),
                                   source: info(years: 6), replacing: true) { _ in DeliveryCounts() }
        #expect(try deletions() == 4, "a replacing load")
        #expect(try store.records().isEmpty)
    }

    @Test func sqliteStorePersistsAcrossOpens() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("persist-\(UUID().uuidString).db").path
        do {
            let store = try SQLiteStore(path: path)
            _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                       source: info(), replacing: false) { w in
                _ = try w.append(record("R1"))
                return counts(read: 1, loaded: 1, quarantined: 0)
            }
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try reopened.records().map(\.record.recordID) == ["R1"])
        #expect(try reopened.sourceCounts() == [SourceCount(source: "police_custody", agency: .police, records: 1, personRecords: 1, quarantined: 0, deliveries: 1)])
        #expect(try reopened.integrityProblems().isEmpty)
    }
}

/// A sealer for the conformance suite: a plain hash of the chained fields (UpstreamGovernance's keyed chain is
/// tested in UpstreamGovernanceTests), counting what the store reports after each commit.
final class TestSealer: AuditSealer, @unchecked Sendable {
    let actor = AuditActor(name: "tester", kind: .system, role: "")
    private let lock = NSLock()
    private var _heads: [Int64] = []
    var heads: [Int64] { lock.lock(); defer { lock.unlock() }; return _heads }

    func mac(seq: Int64, event: AuditEvent, previousMAC: String) -> String {
        "mac(\(seq),\(event.action),\(event.subject),\(previousMAC.prefix(12)))"
    }

    func didAppend(_ last: AuditEntry) throws { lock.lock(); _heads.append(last.seq); lock.unlock() }
}

extension Backend {
    func make(sealer: any AuditSealer) throws -> any RecordStore {
        switch self {
        case .memory: return InMemoryStore(auditSealer: sealer)
        case .sqliteInMemory: return try SQLiteStore(path: ":memory:", auditSealer: sealer)
        case .sqliteFile:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).db").path
            return try SQLiteStore(path: path, auditSealer: sealer)
        case .postgres: return try TestPostgres.makeStore(auditSealer: sealer)
        }
    }
}

@Suite struct AuditTrailConformanceTests {
    @Test(arguments: Backend.allCases)
    func appendsAreNumberedChainedAndSealed(_ backend: Backend) throws {
        let sealer = TestSealer()
        let store = try backend.make(sealer: sealer)
        let actor = AuditActor(name: "alice", kind: .selfAsserted, role: "practitioner")
        let first = try store.appendAudit([AuditEvent(at: t0, actor: actor, action: "identify", subject: "YP-1", reason: "s47 strategy")])
        let more = try store.appendAudit([AuditEvent(at: t0 + 1, actor: actor, action: "view-pseudonymised", subject: "YP-2"),
                                          AuditEvent(at: t0 + 2, actor: actor, action: "view-pseudonymised", subject: "YP-3")])
        #expect(first.map(\.seq) == [1])
        #expect(more.map(\.seq) == [2, 3])
        let all = try store.auditLog()
        #expect(all == first + more)
        #expect(try store.auditCount() == 3)
        #expect(all[0].previousMAC == AuditEntry.genesis)
        #expect(all[0].mac == "mac(1,identify,YP-1,000000000000)")
        #expect(all[2].previousMAC == all[1].mac)
        #expect(all[0].event.reason == "s47 strategy")
        #expect(all[0].event.actor == actor)
        // The sealer hears of each committed append, with the trail's last entry.
        #expect(sealer.heads == [1, 3])
    }

    @Test(arguments: Backend.allCases)
    func loadsAndRetentionJoinTheSameTrail(_ backend: Backend) throws {
        let sealer = TestSealer()
        let store = try backend.make(sealer: sealer)
        _ = try store.appendAudit([AuditEvent(at: t0, actor: sealer.actor, action: "view-pseudonymised", subject: "YP-1")])
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info(years: 6), replacing: false) { w in
            _ = try w.append(record("OLD", eventDay: CivilDate(year: 2010, month: 1, day: 1)))
            return counts(read: 1, loaded: 1, quarantined: 0)
        }
        _ = try store.applyRetention(asOf: CivilDate(year: 2024, month: 6, day: 30)!, at: t0 + 100)
        let all = try store.auditLog()
        #expect(all.map(\.action) == ["view-pseudonymised", "ingest", "retention_delete"])
        #expect(all.map(\.seq) == [1, 2, 3])
        #expect(all[1].previousMAC == all[0].mac && all[2].previousMAC == all[1].mac)
        #expect(all[1].event.actor == sealer.actor)
        #expect(all[1].source == "police_custody")
        #expect(sealer.heads == [1, 2, 3])
    }

    @Test(arguments: Backend.allCases)
    func withoutASealerEntriesAreUnsealed(_ backend: Backend) throws {
        let store = try backend.make()
        let e = try store.appendAudit([AuditEvent(at: t0, actor: .unknown, action: "view-pseudonymised")])
        #expect(e.first?.mac == "")
        #expect(e.first?.event.actor == .unknown)
    }

    @Test func sqliteTrailIsAppendOnly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("append-only-\(UUID().uuidString).db").path
        let store = try SQLiteStore(path: path, auditSealer: TestSealer())
        _ = try store.appendAudit([AuditEvent(at: t0, actor: .unknown, action: "identify")])
        let other = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) { try other.write { try $0.execute(sql: "UPDATE audit_trail SET reason = 'x'") } }
        #expect(throws: (any Error).self) { try other.write { try $0.execute(sql: "DELETE FROM audit_trail") } }
        #expect(try store.auditCount() == 1)
    }

    @Test func sqliteStoreFileIsOwnerOnly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mode-\(UUID().uuidString).db").path
        _ = try SQLiteStore(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}
