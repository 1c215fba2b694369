import Foundation
import Synchronization
import GRDB
import GRDBSQLite
import UpstreamModel
import UpstreamStore

/// The persons by range, for the risk features on several threads (``PersonRangeStore``): each reader opens the
/// file again read-only (several readers of one file in one process, under the rollback journal's shared locks or
/// in WAL mode), and decodes the few columns the features read straight from SQLite's statement.
extension SQLiteStore: PersonRangeStore {
    public func personCuts(every size: Int) throws -> [PersonID] {
        precondition(size > 0)
        return try guarding { try db.read { db in
            var cuts: [PersonID] = [], n = 0
            let cursor = try String.fetchCursor(db, sql: "SELECT id FROM persons ORDER BY id")
            while let id = try cursor.next() {
                if n > 0 && n % size == 0 { cuts.append(PersonID(id)) }
                n += 1
            }
            return cuts
        } }
    }

    public func recordPersons(workers: Int) throws -> (persons: [(id: PersonID, records: Int)], of: RecordPersons) {
        // The persons, the span of storage keys and, for several workers, the record keys that cut the key index
        // into as many parts (by the records' count, as the span gives it), in one read.
        let (persons, span, cuts) = try guarding { try db.read { db -> ([(id: PersonID, records: Int)], (lo: Int64, hi: Int64)?, [[String]]) in
            let persons = try Self.currentPersons(db)
            guard let row = try Row.fetchOne(db, sql: "SELECT min(id), max(id) FROM records"),
                  let lo: Int64 = row[0], let hi: Int64 = row[1] else { return (persons, nil, []) }
            var cuts: [[String]] = []
            for k in 1..<max(1, workers) {
                let at = (hi - lo + 1) * Int64(k) / Int64(workers)
                guard let cut = try Row.fetchOne(db, sql: "SELECT source, record_id FROM records INDEXED BY records_by_source_id ORDER BY source, record_id LIMIT 1 OFFSET ?",
                                                 arguments: [at]) else { break }
                let key: [String] = [cut[0], cut[1]]
                if key != cuts.last { cuts.append(key) }
            }
            return (persons, (lo, hi), cuts)
        } }
        guard let (lo, hi) = span else { return (persons, RecordPersons(firstKey: 0, positions: [])) }
        let positions = PersonPositions(persons.map(\.id.rawValue))
        var of = [UInt32](repeating: RecordPersons.none, count: Int(hi - lo + 1))
        let parts = cuts.count + 1
        let failures = Mutex<[any Error]>([])
        of.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: parts) { k in
                do {
                    let connection = try reader()
                    defer { try? connection.close() }
                    try Self.guarding(path) { try connection.db.read { db in
                        try Self.mergeAssignments(db, from: k == 0 ? nil : cuts[k - 1], to: k == parts - 1 ? nil : cuts[k], positions: positions,
                                                  firstKey: lo, into: out)
                    } }
                } catch {
                    failures.withLock { $0.append(error) }
                }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw failure }
        return (persons, RecordPersons(firstKey: lo, positions: of))
    }

    /// Sets `out[key - firstKey]` to the person of each record with a key in `from..<to` (`nil`: unbounded), by a
    /// merge of two reads in the same key order (source, record id, by their bytes as SQLite's BINARY collation
    /// orders them): the assignments' primary key and the records' key index, which holds each record's storage
    /// key. A look-up of each record's assignment instead (a join) was a random read of the assignments a record:
    /// most of the risk features' read at 3,000,000 people.
    static func mergeAssignments(_ db: Database, from: [String]?, to: [String]?, positions: PersonPositions, firstKey lo: Int64,
                                 into out: UnsafeMutableBufferPointer<UInt32>) throws {
        var range: [String] = [], arguments: [String] = []
        if let from { range.append("(source, record_id) >= (?, ?)"); arguments += from }
        if let to { range.append("(source, record_id) < (?, ?)"); arguments += to }
        let within = range.isEmpty ? "" : "WHERE " + range.joined(separator: " AND ")
        let assigned = try db.makeStatement(sql: "SELECT source, record_id, person_id FROM assignments \(within) ORDER BY source, record_id")
        let records = try db.makeStatement(sql: "SELECT source, record_id, id FROM records INDEXED BY records_by_source_id \(within) ORDER BY source, record_id")
        try assigned.setArguments(StatementArguments(arguments))
        try records.setArguments(StatementArguments(arguments))
        let a = assigned.sqliteStatement, r = records.sqliteStatement
        defer { sqlite3_reset(a); sqlite3_reset(r) }
        func step(_ s: OpaquePointer?) throws -> Bool { try Self.step(s, db) }
        func key(_ s: OpaquePointer?, _ i: Int32) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: sqlite3_column_blob(s, i), count: Int(sqlite3_column_bytes(s, i)))
        }
        var moreA = try step(a), moreR = try step(r)
        while moreA && moreR {
            var c = ByteOrder.compare(key(a, 0), key(r, 0))
            if c == 0 { c = ByteOrder.compare(key(a, 1), key(r, 1)) }
            if c < 0 { moreA = try step(a); continue }   // an assignment whose record is gone
            if c > 0 { moreR = try step(r); continue }   // a record not linked yet
            let person = UnsafeBufferPointer(start: sqlite3_column_text(a, 2), count: Int(sqlite3_column_bytes(a, 2)))
            guard let p = positions.position(of: person) else {
                throw StoreError.corrupt("an assignment names a person the list of persons read first does not hold (was the store relinked during the read? Run it again)")
            }
            out[Int(sqlite3_column_int64(r, 2) - lo)] = p
            moreA = try step(a); moreR = try step(r)
        }
    }

    static func currentPersons(_ db: Database) throws -> [(id: PersonID, records: Int)] {
        var out: [(id: PersonID, records: Int)] = []
        let statement = try db.makeStatement(sql: "SELECT id, records FROM persons ORDER BY id")
        let s = statement.sqliteStatement
        defer { sqlite3_reset(s) }
        while try step(s, db) { out.append((PersonID(FeatureReader.text(s, 0) ?? ""), Int(sqlite3_column_int64(s, 1)))) }
        return out
    }

    /// Steps a statement: true with a row, false when done; SQLite's error otherwise.
    static func step(_ s: OpaquePointer?, _ db: Database, sql: String? = nil) throws -> Bool {
        let rc = sqlite3_step(s)
        if rc == SQLITE_DONE { return false }
        guard rc == SQLITE_ROW else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
        return true
    }

    public func recordKeyRanges(parts: Int) throws -> [Range<Int64>] {
        precondition(parts > 0)
        return try guarding { try db.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT min(id), max(id) FROM records"),
                  let lo: Int64 = row[0], let hi: Int64 = row[1] else { return [] }
            let span = hi - lo + 1, n = Int64(min(Int64(parts), span))
            return (0..<n).map { i in (lo + span * i / n)..<(lo + span * (i + 1) / n) }
        } }
    }

    public func featureReader() throws -> any PersonRangeReader { try reader() }

    /// A reader with its own read-only connection (the store's own for an in-memory store).
    func reader() throws -> FeatureReader {
        if path == ":memory:" { return FeatureReader(db: db, path: path, owned: false) }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(Self.defaultBusyTimeout)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -\(Self.defaultCacheBytes / 1024)") }
        let queue = try Self.guarding(path) { try DatabaseQueue(path: path, configuration: config) }
        return FeatureReader(db: queue, path: path, owned: true)
    }

    /// One thread's reader (see ``PersonRangeReader``).
    final class FeatureReader: PersonRangeReader {
        let db: any DatabaseReader
        let path: String
        let owned: Bool

        init(db: any DatabaseReader, path: String, owned: Bool) { self.db = db; self.path = path; self.owned = owned }

        func close() throws { if owned, let q = db as? DatabaseQueue { try q.close() } }

        static let columns = """
            a.person_id, r.person_level, r.source, r.record_id, r.agency, r.surname, r.dob, r.sex, r.postcode, r.ethnicity,
            r.address, r.event_kind, r.event_date, r.role, r.offence_code, r.crime_flags, r.detail, r.reference,
            r.recorded_date, CASE WHEN r.event_kind = 'term_absence' THEN r.extras END, r.record_flags
            """

        /// ``columns`` with the record's storage key first instead of its person.
        static let recordColumns = columns.replacingOccurrences(of: "a.person_id,", with: "r.id,")

        func forEachPerson(from: PersonID?, to: PersonID?, _ body: (PersonID, [StoredRecord]) throws -> Void) throws {
            var conditions: [String] = []
            if from != nil { conditions.append("a.person_id >= ?") }
            if to != nil { conditions.append("a.person_id < ?") }
            let sql = """
                SELECT \(Self.columns) FROM assignments a JOIN records r ON r.source = a.source AND r.record_id = a.record_id
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY a.person_id, r.id
                """
            try SQLiteStore.guarding(path) { try db.read { db in
                let statement = try db.makeStatement(sql: sql)
                let s = statement.sqliteStatement
                sqlite3_reset(s)
                var k: Int32 = 0
                for bound in [from, to] {
                    guard let bound else { continue }
                    k += 1
                    var text = bound.rawValue
                    text.withUTF8 { p in _ = sqlite3_bind_text(s, k, p.baseAddress, Int32(p.count), SQLiteBinding.transient) }
                }
                defer { sqlite3_reset(s) }
                var current: String?
                var group: [StoredRecord] = []
                while try SQLiteStore.step(s, db, sql: sql) {
                    let p = Self.text(s, 0)!
                    if p != current {
                        if let c = current { try body(PersonID(c), group) }
                        current = p
                        group.removeAll(keepingCapacity: true)
                    }
                    if sqlite3_column_int64(s, 1) != 0 { group.append(try Self.record(s)) }
                }
                if let c = current { try body(PersonID(c), group) }
            } }
        }

        func forEachRecord(keys: Range<Int64>, persons: RecordPersons, _ body: (UInt32, FeatureColumns?) throws -> Void) throws {
            // The records alone, in their own order: each record's person comes from `persons`.
            let sql = "SELECT \(Self.recordColumns) FROM records r WHERE r.id >= ? AND r.id < ? ORDER BY r.id"
            try SQLiteStore.guarding(path) { try db.read { db in
                let statement = try db.makeStatement(sql: sql)
                let s = statement.sqliteStatement
                sqlite3_reset(s)
                sqlite3_bind_int64(s, 1, keys.lowerBound)
                sqlite3_bind_int64(s, 2, keys.upperBound)
                defer { sqlite3_reset(s) }
                while try SQLiteStore.step(s, db, sql: sql) {
                    guard let person = persons.person(ofKey: sqlite3_column_int64(s, 0)) else { continue }
                    try body(person, sqlite3_column_int64(s, 1) != 0 ? try Self.columns(s) : nil)
                }
            } }
        }

        /// A text column's UTF-8 bytes in SQLite's buffer (valid until the statement moves), nil when NULL.
        static func bytes(_ s: OpaquePointer?, _ i: Int32) -> UnsafeBufferPointer<UInt8>? {
            guard let p = sqlite3_column_text(s, i) else { return nil }
            return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, i)))
        }

        /// One person-level row's feature columns as bytes, the codes checked as ``record(_:)`` checks them.
        static func columns(_ s: OpaquePointer?) throws -> FeatureColumns {
            func code(_ i: Int32) -> String? { text(s, i) }  // short codes: strings held inline, no allocation
            let agency = try StoredCodes.agency(code(4))
            let event = try StoredCodes.event(kind: code(11), date: day(s, 12))
            // The extras (selected for school terms alone) in place when plain, else decoded.
            let json = bytes(s, 19).flatMap { FlatJSONObject.isPlain($0) ? $0 : nil }
            return FeatureColumns(
                agency: agency, sex: try StoredCodes.sex(code(7)), dateOfBirth: day(s, 6), surname: bytes(s, 5), postcode: bytes(s, 8),
                ethnicity: bytes(s, 9), address: bytes(s, 10), event: event, role: event == nil ? nil : try StoredCodes.role(code(13)),
                offenceCode: bytes(s, 14), flags: CrimeFlags(rawValue: UInt16(truncatingIfNeeded: sqlite3_column_int64(s, 15))),
                detail: bytes(s, 16), reference: bytes(s, 17), recordedDate: day(s, 18), extras: json == nil ? extras(s, 19) : [:],
                extrasJSON: json)
        }

        static func text(_ s: OpaquePointer?, _ i: Int32) -> String? {
            guard let p = sqlite3_column_text(s, i) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, i))), as: UTF8.self)
        }

        static func day(_ s: OpaquePointer?, _ i: Int32) -> CivilDate? {
            sqlite3_column_type(s, i) == SQLITE_NULL ? nil : CivilDate(dayNumber: Int32(truncatingIfNeeded: sqlite3_column_int64(s, i)))
        }

        /// One person-level row's feature columns, checked by ``StoredCodes`` as every read path checks them.
        static func record(_ s: OpaquePointer?) throws -> StoredRecord {
            let agency = try StoredCodes.agency(text(s, 4))
            let identity = Identity(surname: text(s, 5), dateOfBirth: day(s, 6), sex: try StoredCodes.sex(text(s, 7)), postcode: text(s, 8),
                                    ethnicity: text(s, 9), address: text(s, 10))
            var event: Event?
            if let e = try StoredCodes.event(kind: text(s, 11), date: day(s, 12)) {
                event = Event(kind: e.kind, date: e.date, role: try StoredCodes.role(text(s, 13)), offenceCode: text(s, 14),
                              flags: CrimeFlags(rawValue: UInt16(truncatingIfNeeded: sqlite3_column_int64(s, 15))),
                              detail: text(s, 16), reference: text(s, 17), recordedDate: day(s, 18))
            }
            let source = text(s, 2) ?? ""
            let record = SourceRecord(source: source, recordID: text(s, 3) ?? "", agency: agency, identity: identity, event: event,
                                      provenance: Provenance(source: source, fileName: "", fileSHA256: "", line: 0, loadedAt: 0))
            return StoredRecord(record: record, personLevel: true, flags: RecordFlags(rawValue: Int(sqlite3_column_int64(s, 20))),
                                extras: extras(s, 19))
        }

        /// The extras column, read in place by ``ExtrasJSON/decode(utf8:)`` (Foundation's JSON parser was an eighth
        /// of `risk score`'s CPU).
        static func extras(_ s: OpaquePointer?, _ i: Int32) -> [String: String] {
            guard let p = sqlite3_column_text(s, i) else { return [:] }
            return ExtrasJSON.decode(utf8: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, i))))
        }
    }
}
