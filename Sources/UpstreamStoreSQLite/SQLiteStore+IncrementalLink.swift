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

    /// How many records have ever been deleted from the store (kept by a trigger on every delete: `v11-record-deletions`).
    public func recordDeletions() throws -> Int64 {
        try guarding { try db.read { db in try Int64.fetchOne(db, sql: "SELECT total FROM record_deletions") ?? 0 } }
    }

    /// How many person-level records have an id at most `id`.
    public func personLevelRecordCount(upTo id: Int64) throws -> Int {
        try guarding { try db.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE id <= ? AND person_level", arguments: [id]) ?? 0
        } }
    }

    /// Every record's person (a relink's earlier ids), in the assignments' own key order (source, then record id,
    /// by bytes): a scan of the table, not of the by-person index. Without its `ORDER BY` SQLite scanned the by-person
    /// index (it covers every column asked for), so the records came person by person and a relink looked each one up
    /// by binary search instead of merging (session 23's profile of a 3,000,000-person relink: the merge held 48% of
    /// the assign-ids stage's samples, most of them on the search's loads; Benchmarks/force-scale.md). Decoded straight from SQLite's statement; each person id's text is made once and shared by all its
    /// records (a million persons' ids, not nine million copies), and so is each source name.
    public func forEachRecordPerson(_ body: (RecordKey, PersonID) throws -> Void) throws {
        try guarding { try db.read { db in
            let statement = try db.makeStatement(sql: "SELECT source, record_id, person_id FROM assignments ORDER BY source, record_id")
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

    /// Calls `body` with every person-level record whose id is above `id` (the records loaded since), in id order: its
    /// linkage columns only (``LinkageRow``).
    public func forEachPersonLevelRecord(after id: Int64, _ body: (Int64, SourceRecord) throws -> Void) throws {
        try guarding { try db.read { db in
            let statement = try db.makeStatement(sql: "SELECT \(LinkageRow.columns) FROM records r WHERE r.id > ? AND r.person_level ORDER BY r.id")
            try LinkageRow.forEach(db, statement, bind: { _ = sqlite3_bind_int64($0, 1, id) }) { s in
                let record = try LinkageRow.record(s)
                try body(sqlite3_column_int64(s, 0), record)
            }
        } }
    }

    /// Every person-level record in id order, its linkage columns only (``LinkageRow``), decoded straight from
    /// SQLite's statement: a full link's read. Through ``forEachRecord(source:personLevelOnly:_:)`` each record's
    /// 34 columns and its delivery went through GRDB's rows, one boxed value a column (a small part of a
    /// 3,000,000-person read, about 5% of its samples in session 22's profile: most went to standardising and
    /// interning; Benchmarks/force-scale.md).
    public func forEachLinkageRecord(_ body: (SourceRecord) throws -> Void) throws {
        try guarding { try db.read { db in
            let statement = try db.makeStatement(sql: "SELECT \(LinkageRow.columns) FROM records r WHERE r.person_level ORDER BY r.id")
            try LinkageRow.forEach(db, statement, bind: { _ in }) { s in try body(try LinkageRow.record(s)) }
        } }
    }

    /// Calls `body` with every person-level record that has a person (with its id and person), in id order: its
    /// linkage columns only (``LinkageRow``).
    public func forEachLinkedRecord(_ body: (Int64, SourceRecord, PersonID) throws -> Void) throws {
        try guarding { try db.read { db in
            let statement = try db.makeStatement(sql: """
                SELECT \(LinkageRow.columns), a.person_id FROM records r
                JOIN assignments a ON a.source = r.source AND a.record_id = r.record_id
                WHERE r.person_level ORDER BY r.id
                """)
            var persons: [String: PersonID] = [:]
            try LinkageRow.forEach(db, statement, bind: { _ in }) { s in
                let text = LinkageRow.text(s, LinkageRow.count) ?? ""
                let person = persons[text] ?? { let p = PersonID(text); persons[text] = p; return p }()
                let record = try LinkageRow.record(s)
                try body(sqlite3_column_int64(s, 0), record, person)
            }
        } }
    }

    /// Where the records of `persons` are: each assigned record's id with the position of its person in `persons`, in
    /// id order. Read from two indexes alone (assignments by person, then records by key, which holds the id), never
    /// the records table, so the records can then be read in the table's own order (``forEachLinkageRecord(ids:_:)``).
    /// Reading them person by person went to the table in no order: 883 s of a 3,000,000-person refresh's 1,403.
    public func recordIDs(of persons: [PersonID]) throws -> [(id: Int64, person: Int32)] {
        var out: [(id: Int64, person: Int32)] = []
        try guarding { try db.read { db in
            let statement = try db.makeStatement(sql: """
                SELECT r.id FROM assignments a JOIN records r ON r.source = a.source AND r.record_id = a.record_id
                WHERE a.person_id = ?
                """)
            for (i, p) in persons.enumerated() {
                var text = p.rawValue
                try LinkageRow.forEach(db, statement, bind: { s in
                    text.withUTF8 { b in _ = sqlite3_bind_text(s, 1, b.baseAddress, Int32(b.count), SQLiteBinding.transient) }
                }) { s in out.append((sqlite3_column_int64(s, 0), Int32(i))) }
            }
        } }
        out.sort { $0.id < $1.id }
        return out
    }

    /// Calls `body` with each of `ids` (ascending) that names a person-level record: its position in `ids` and its
    /// linkage columns only (``LinkageRow``), read in id order, so the table is read once from start to end.
    public func forEachLinkageRecord(ids: [Int64], _ body: (Int, SourceRecord) throws -> Void) throws {
        precondition(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 }, "record ids in ascending order")
        try guarding { try db.read { db in
            let statement = try db.makeStatement(sql: "SELECT \(LinkageRow.columns) FROM records r WHERE r.id = ? AND r.person_level")
            for (i, id) in ids.enumerated() {
                try LinkageRow.forEach(db, statement, bind: { _ = sqlite3_bind_int64($0, 1, id) }) { s in try body(i, try LinkageRow.record(s)) }
            }
        } }
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

    /// Saves a refresh in one transaction: the run, the assignments that are new or changed, the persons they make or
    /// change (each with its whole record count), the persons merged away, and the run's review queue (replacing the
    /// pending pairs, as a full run does). The other assignments and persons are left as they are. A crash or a throw
    /// leaves the previous state whole.
    ///
    /// The run's totals (records with a person, persons) are the previous run's plus what this save inserted and
    /// less what it deleted: only linkage saves write the two tables, and each run records the totals it left, so
    /// the tables are not counted. Counting them was a scan of the whole assignments table (26.6 million rows at
    /// 3,000,000 people). With no previous run the tables are counted.
    /// - Parameters:
    ///   - persons: every person the refresh made or whose record count it changed, as it leaves them (id, records).
    ///   - removed: persons merged into another, which no longer have records.
    /// - Throws: ``StoreError/collision(_:)`` when a person's pseudonym names another person.
    public func saveLinkageRefresh(_ run: LinkageRunInfo, assignments: [PersonAssignment], persons: [(PersonID, Int)], removed: [PersonID],
                                   review: [StoredReviewItem], pseudonym: (PersonID) -> String) throws -> LinkageRunInfo {
        try guarding { try writeImmediately { db in
            // The totals the previous run left (nil for the first run).
            let previous = try Row.fetchOne(db, sql: "SELECT records, persons FROM linkage_runs ORDER BY id DESC LIMIT 1")
                .map { (records: $0["records"] as Int, persons: $0["persons"] as Int) }
            try db.execute(
                sql: "INSERT INTO linkage_runs (finished_at, run_by, records, persons, model, detail) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [run.finishedAt, run.by, run.records, run.persons, run.modelJSON, run.detailJSON])
            var stored = run
            stored.id = db.lastInsertedRowID
            // Each row is updated where it is, else inserted: the inserts are counted for the run's totals.
            let updatePerson = try db.makeStatement(sql: "UPDATE persons SET records = ?, linkage_run = ? WHERE id = ?")
            let insertPerson = try db.makeStatement(sql: "INSERT INTO persons (id, pseudonym, records, linkage_run) VALUES (?, ?, ?, ?)")
            var personsInserted = 0
            for (p, n) in persons.sorted(by: { $0.0 < $1.0 }) {
                try updatePerson.execute(arguments: [n, stored.id, p.rawValue])
                if db.changesCount > 0 { continue }
                do { try insertPerson.execute(arguments: [p.rawValue, pseudonym(p), n, stored.id]) } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                    throw StoreError.collision("\(pseudonym(p)) would name two persons; rotate the pseudonymisation key (docs/governance.md)")
                }
                personsInserted += 1
            }
            let updateAssignment = try db.makeStatement(sql: "UPDATE assignments SET person_id = ?, probability = ? WHERE source = ? AND record_id = ?")
            let insertAssignment = try db.makeStatement(sql: "INSERT INTO assignments (source, record_id, person_id, probability) VALUES (?, ?, ?, ?)")
            var assignmentsInserted = 0
            // In the table's key order, so consecutive rows fall on the same pages of its B-tree and each is read once.
            for a in assignments.sorted(by: Self.keyOrder) {
                try updateAssignment.execute(arguments: [a.person.rawValue, a.probability, a.record.source, a.record.recordID])
                if db.changesCount > 0 { continue }
                try insertAssignment.execute(arguments: [a.record.source, a.record.recordID, a.person.rawValue, a.probability])
                assignmentsInserted += 1
            }
            let drop = try db.makeStatement(sql: "DELETE FROM persons WHERE id = ?")
            var personsDeleted = 0
            for p in removed {
                try drop.execute(arguments: [p.rawValue])
                personsDeleted += db.changesCount
            }
            try db.execute(sql: "DELETE FROM review_items WHERE queue = ? AND pending", arguments: [ReviewQueueName.linkagePairs.rawValue])
            let insert = try db.makeStatement(sql: """
                INSERT INTO review_items (queue, subject, pending, updated_at, state) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(queue, subject) DO NOTHING
                """)
            for i in review { try insert.execute(arguments: [ReviewQueueName.linkagePairs.rawValue, i.subject, i.pending, i.updatedAt, i.stateJSON]) }
            // The run's totals, as the store now holds them.
            let records: Int, count: Int
            if let previous {
                records = previous.records + assignmentsInserted
                count = previous.persons + personsInserted - personsDeleted
            } else {
                records = try Int.fetchOne(db, sql: "SELECT count(*) FROM assignments") ?? 0
                count = try Int.fetchOne(db, sql: "SELECT count(*) FROM persons") ?? 0
            }
            try db.execute(sql: "UPDATE linkage_runs SET records = ?, persons = ? WHERE id = ?", arguments: [records, count, stored.id])
            stored.records = records; stored.persons = count
            CrashTestHook.stallBeforeCommit("linkage_runs")
            return stored
        } }
    }
}

/// What linking reads of a stored record: its id, key, agency and identity columns, decoded straight from SQLite's
/// statement. Not its event, provenance, flags or extras (a `LinkInput` uses none of them): the monthly refresh read
/// 2.7 million whole records at 1,000,000 people, a third of its link.
enum LinkageRow {
    static let columns = """
        r.id, r.source, r.record_id, r.agency, r.forename, r.middle_names, r.surname, r.dob, r.sex, r.postcode, r.nhs_number,
        r.nhs_valid, r.upn, r.pnc_id, r.local_id, r.address
        """
    /// How many columns `columns` names (a query may add its own after them).
    static let count: Int32 = 16

    /// Binds with `bind`, steps `statement` to its end calling `row` on each row, and resets it.
    static func forEach(_ db: Database, _ statement: Statement, bind: (OpaquePointer?) -> Void, _ row: (OpaquePointer?) throws -> Void) throws {
        let s = statement.sqliteStatement
        sqlite3_reset(s)
        defer { sqlite3_reset(s) }
        bind(s)
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
            }
            try row(s)
        }
    }

    static func text(_ s: OpaquePointer?, _ i: Int32) -> String? {
        guard let p = sqlite3_column_text(s, i) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, i))), as: UTF8.self)
    }

    /// The row's record: its identity checked as ``SQLiteStore/record(from:columns:)`` checks it, no event, and an
    /// empty provenance (but its source).
    static func record(_ s: OpaquePointer?) throws -> SourceRecord {
        guard let agency = text(s, 3).flatMap(Agency.init(rawValue:)) else { throw StoreError.corrupt("records.agency") }
        var sex: Sex?
        if let code = text(s, 8) {
            guard let v = Sex(rawValue: code) else { throw StoreError.corrupt("records.sex") }
            sex = v
        }
        let dob: CivilDate? = sqlite3_column_type(s, 7) == SQLITE_NULL ? nil : CivilDate(dayNumber: Int32(truncatingIfNeeded: sqlite3_column_int64(s, 7)))
        let valid: Bool? = sqlite3_column_type(s, 11) == SQLITE_NULL ? nil : sqlite3_column_int64(s, 11) != 0
        let identity = Identity(forename: text(s, 4), middleNames: text(s, 5), surname: text(s, 6), dateOfBirth: dob, sex: sex,
                                postcode: text(s, 9), nhsNumber: text(s, 10), nhsNumberValid: valid, upn: text(s, 12), pncID: text(s, 13),
                                localID: text(s, 14), address: text(s, 15))
        let source = text(s, 1) ?? ""
        return SourceRecord(source: source, recordID: text(s, 2) ?? "", agency: agency, identity: identity, event: nil,
                            provenance: Provenance(source: source, fileName: "", fileSHA256: "", line: 0, loadedAt: 0))
    }
}
