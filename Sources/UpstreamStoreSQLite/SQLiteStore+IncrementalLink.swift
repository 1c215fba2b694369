import Foundation
import GRDB
import GRDBSQLite
import UpstreamModel
import UpstreamStore

/// The monthly refresh's reads and its save (issue 17): only the month's records and the persons they can meet are
/// read, and only what changed is written.
extension SQLiteStore {
    /// The largest record id (0 for an empty store).
    public func maxRecordID() throws -> Int64 {
        try guarding { try db.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM records") ?? 0 } }
    }

    /// How many person-level records have an id at most `id`.
    public func personLevelRecordCount(upTo id: Int64) throws -> Int {
        try guarding { try db.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE id <= ? AND person_level", arguments: [id]) ?? 0
        } }
    }

    /// Every record's person (a relink's earlier ids), in the assignments' own key order: a scan of the table,
    /// not of the by-person index (whose every row had to look its probability up in the table: a random read a
    /// record). Decoded straight from SQLite's statement; each person id's text is made once and shared by all its
    /// records (a million persons' ids, not nine million copies), and so is each source name.
    public func forEachRecordPerson(_ body: (RecordKey, PersonID) throws -> Void) throws {
        try guarding { try db.read { db in
            let statement = try db.makeStatement(sql: "SELECT source, record_id, person_id FROM assignments")
            let s = statement.sqliteStatement
            sqlite3_reset(s)
            defer { sqlite3_reset(s) }
            func bytes(_ i: Int32) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(start: sqlite3_column_text(s, i), count: Int(sqlite3_column_bytes(s, i)))
            }
            var source = ""
            var persons: [String: PersonID] = [:]
            while true {
                let rc = sqlite3_step(s)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                }
                let src = bytes(0)
                if !source.utf8.elementsEqual(src) { source = String(decoding: src, as: UTF8.self) }
                let text = String(decoding: bytes(2), as: UTF8.self)
                let person = persons[text] ?? { let p = PersonID(text); persons[text] = p; return p }()
                try body(RecordKey(source: source, recordID: String(decoding: bytes(1), as: UTF8.self)), person)
            }
        } }
    }

    /// How many records have an assignment.
    public func assignmentCount() throws -> Int {
        try guarding { try db.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM assignments") ?? 0 } }
    }

    /// Calls `body` with every person-level record whose id is above `id` (the records loaded since), in id order.
    public func forEachPersonLevelRecord(after id: Int64, _ body: (Int64, StoredRecord) throws -> Void) throws {
        try guarding { try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT r.*, d.file_name, d.file_sha256, d.loaded_at FROM records r JOIN deliveries d ON d.id = r.delivery_id
                WHERE r.id > ? AND r.person_level ORDER BY r.id
                """, arguments: [id])
            var columns: RecordColumns?
            while let row = try cursor.next() {
                if columns == nil { columns = try RecordColumns(row) }
                try body(row["id"], Self.record(from: row, columns: columns))
            }
        } }
    }

    /// Calls `body` with every person-level record that has a person (with its id and person), in id order.
    public func forEachLinkedRecord(_ body: (Int64, StoredRecord, PersonID) throws -> Void) throws {
        try guarding { try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT a.person_id AS assigned_person, r.*, d.file_name, d.file_sha256, d.loaded_at FROM records r
                JOIN assignments a ON a.source = r.source AND a.record_id = r.record_id
                JOIN deliveries d ON d.id = r.delivery_id
                WHERE r.person_level ORDER BY r.id
                """)
            var columns: RecordColumns?
            while let row = try cursor.next() {
                if columns == nil { columns = try RecordColumns(row) }
                let p: String = row["assigned_person"]
                try body(row["id"], Self.record(from: row, columns: columns), PersonID(p))
            }
        } }
    }

    /// The person-level records of `persons` (every one of each), with their ids, in id order.
    public func linkedRecords(of persons: [PersonID]) throws -> [(id: Int64, record: StoredRecord, person: PersonID)] {
        var out: [(id: Int64, record: StoredRecord, person: PersonID)] = []
        try guarding { try db.read { db in
            let statement = try db.makeStatement(sql: """
                SELECT r.*, d.file_name, d.file_sha256, d.loaded_at FROM assignments a
                JOIN records r ON r.source = a.source AND r.record_id = a.record_id
                JOIN deliveries d ON d.id = r.delivery_id
                WHERE a.person_id = ? AND r.person_level
                """)
            var columns: RecordColumns?
            for p in persons {
                let cursor = try Row.fetchCursor(statement, arguments: [p.rawValue])
                while let row = try cursor.next() {
                    if columns == nil { columns = try RecordColumns(row) }
                    out.append((row["id"], try Self.record(from: row, columns: columns), p))
                }
            }
        } }
        out.sort { $0.id < $1.id }
        return out
    }

    /// Which of `ids` name a current person.
    public func existingPersons(_ ids: [PersonID]) throws -> Set<PersonID> {
        try guarding { try db.read { db in
            let statement = try db.makeStatement(sql: "SELECT 1 FROM persons WHERE id = ?")
            var out = Set<PersonID>()
            for p in ids where try Int.fetchOne(statement, arguments: [p.rawValue]) != nil { out.insert(p) }
            return out
        } }
    }

    /// Saves a refresh in one transaction: the run, the assignments that are new or changed, the persons they make
    /// (each with its whole record count), the persons merged away, and the run's review queue (replacing the pending
    /// pairs, as a full run does). The other assignments and persons are left as they are. A crash or a throw leaves the
    /// previous state whole.
    /// - Parameters:
    ///   - persons: every person the refresh touched, as it leaves them (id, records).
    ///   - removed: persons merged into another, which no longer have records.
    /// - Throws: ``StoreError/collision(_:)`` when a person's pseudonym names another person.
    public func saveLinkageRefresh(_ run: LinkageRunInfo, assignments: [PersonAssignment], persons: [(PersonID, Int)], removed: [PersonID],
                                   review: [StoredReviewItem], pseudonym: (PersonID) -> String) throws -> LinkageRunInfo {
        try guarding { try writeImmediately { db in
            try db.execute(
                sql: "INSERT INTO linkage_runs (finished_at, run_by, records, persons, model, detail) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [run.finishedAt, run.by, run.records, run.persons, run.modelJSON, run.detailJSON])
            var stored = run
            stored.id = db.lastInsertedRowID
            let person = try db.makeStatement(sql: """
                INSERT INTO persons (id, pseudonym, records, linkage_run) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET records = excluded.records, linkage_run = excluded.linkage_run
                """)
            for (p, n) in persons.sorted(by: { $0.0 < $1.0 }) {
                do { try person.execute(arguments: [p.rawValue, pseudonym(p), n, stored.id]) } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                    throw StoreError.collision("\(pseudonym(p)) would name two persons; rotate the pseudonymisation key (docs/governance.md)")
                }
            }
            let assign = try db.makeStatement(sql: """
                INSERT INTO assignments (source, record_id, person_id, probability) VALUES (?, ?, ?, ?)
                ON CONFLICT(source, record_id) DO UPDATE SET person_id = excluded.person_id, probability = excluded.probability
                """)
            for a in assignments { try assign.execute(arguments: [a.record.source, a.record.recordID, a.person.rawValue, a.probability]) }
            let drop = try db.makeStatement(sql: "DELETE FROM persons WHERE id = ?")
            for p in removed { try drop.execute(arguments: [p.rawValue]) }
            try db.execute(sql: "DELETE FROM review_items WHERE queue = ? AND pending", arguments: [ReviewQueueName.linkagePairs.rawValue])
            let insert = try db.makeStatement(sql: """
                INSERT INTO review_items (queue, subject, pending, updated_at, state) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(queue, subject) DO NOTHING
                """)
            for i in review { try insert.execute(arguments: [ReviewQueueName.linkagePairs.rawValue, i.subject, i.pending, i.updatedAt, i.stateJSON]) }
            // The run's totals, as the store now holds them.
            let records = try Int.fetchOne(db, sql: "SELECT count(*) FROM assignments") ?? 0
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM persons") ?? 0
            try db.execute(sql: "UPDATE linkage_runs SET records = ?, persons = ? WHERE id = ?", arguments: [records, count, stored.id])
            stored.records = records; stored.persons = count
            CrashTestHook.stallBeforeCommit("linkage_runs")
            return stored
        } }
    }
}
