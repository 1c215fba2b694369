import Foundation
import GRDB
import GRDBSQLite
import UpstreamModel
import UpstreamStore

/// Persons, runs, review queues, scores and offers in the SQLite file (migration v5, docs/stores.md).
extension SQLiteStore: PersonStore {
    // MARK: Linkage runs and persons

    public func saveLinkageRun<C: Collection>(_ run: LinkageRunInfo, assignments: C, review: [StoredReviewItem]?,
                                              pseudonym: (PersonID) -> String) throws -> LinkageRunInfo where C.Element == PersonAssignment {
        // Every assignment's person is one of `persons` (made from the assignments), each person names this run, and
        // only assignments refer to persons: the references hold by construction, so SQLite need not check them
        // row by row (at 200,000 people the deletes took 4.5 s checked and 0.2 s not, the inserts 8.0 and 3.7 s;
        // Benchmarks/force-scale.md, session 24). A test checks them after a save (`foreign_key_check`).
        return try guarding { try writeImmediatelyTrustingReferences { db in
            try db.execute(
                sql: "INSERT INTO linkage_runs (finished_at, run_by, records, persons, model, detail) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [run.finishedAt, run.by, run.records, run.persons, run.modelJSON, run.detailJSON])
            var stored = run
            stored.id = db.lastInsertedRowID
            // The previous run's persons give way to this run's, in this same transaction. The by-person index is
            // dropped and built again after the bulk insert (in this transaction too: a crash leaves the old
            // table and its index): inserted row by row, its random person ids made millions of rows slow.
            // Rows go in in their keys' order, so each insert appends to the table's B-tree. Unchecked, the deletes
            // truncate both tables instead of deleting row by row.
            try db.execute(sql: "DROP INDEX IF EXISTS assignments_by_person")
            try db.execute(sql: "DELETE FROM assignments")
            try db.execute(sql: "DELETE FROM persons")
            // Both bulk inserts bind straight into their prepared statements, as the ingest's hot path does
            // (GRDB's StatementArguments boxes every value of every row).
            let assign = try db.makeStatement(sql: "INSERT INTO assignments (source, record_id, person_id, probability) VALUES (?, ?, ?, ?)")
            func insert(_ a: PersonAssignment) throws {
                try BulkInsert.step(db, assign) { b in
                    b.text(a.record.source); b.text(a.record.recordID); b.text(a.person.rawValue); b.double(a.probability)
                }
            }
            // Assignments in key order (`LinkRunStore` gives them so) are inserted as they are checked and counted, in
            // one pass: a pass to check and count first, then one to insert, made each lazily made assignment twice
            // (about a tenth of a 500,000-person city's save, by its profile: Benchmarks/force-scale.md, session 39).
            // The first one out of order undoes the inserts and falls back to checking with a set and inserting sorted.
            let persons: [PersonSummary]
            if let counts = try PersonRows.countsInKeyOrder(assignments, each: insert) {
                persons = try PersonRows.summaries(counts, pseudonym: pseudonym)
            } else {
                try db.execute(sql: "DELETE FROM assignments")
                persons = try PersonRows.persons(assignments, pseudonym: pseudonym)
                for a in assignments.sorted(by: Self.keyOrder) { try insert(a) }
            }
            let person = try db.makeStatement(sql: "INSERT INTO persons (id, pseudonym, records, linkage_run) VALUES (?, ?, ?, ?)")
            for p in persons.sorted(by: { ByteOrder.compare($0.person.rawValue, $1.person.rawValue) < 0 }) {
                do {
                    try BulkInsert.step(db, person) { b in
                        b.text(p.person.rawValue); b.text(p.pseudonym); b.int(Int64(p.records)); b.int(stored.id)
                    }
                } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                    throw StoreError.collision("\(p.pseudonym) would name two persons; rotate the pseudonymisation key (docs/governance.md)")
                }
            }
            // SQLite's sorter may use a helper thread for the index build (the same index; PRAGMA threads only
            // lets it sort on two cores).
            try db.execute(sql: "PRAGMA threads = 2")
            try db.execute(sql: "CREATE INDEX assignments_by_person ON \(Schema.assignmentsByPerson)")
            if let review {
                try db.execute(sql: "DELETE FROM review_items WHERE queue = ? AND pending", arguments: [ReviewQueueName.linkagePairs.rawValue])
                let insert = try db.makeStatement(sql: """
                    INSERT INTO review_items (queue, subject, pending, updated_at, state) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(queue, subject) DO NOTHING
                    """)
                for i in review {
                    try insert.execute(arguments: [ReviewQueueName.linkagePairs.rawValue, i.subject, i.pending, i.updatedAt, i.stateJSON])
                }
            }
            CrashTestHook.stallBeforeCommit("linkage_runs")
            return stored
        } }
    }

    /// The assignments table's key order (source, record_id), as SQLite's BINARY collation compares them: by UTF-8 bytes.
    static func keyOrder(_ x: PersonAssignment, _ y: PersonAssignment) -> Bool {
        RecordKey.bytesPrecede(x.record, y.record)
    }

    static func linkageRun(_ row: Row) -> LinkageRunInfo {
        LinkageRunInfo(id: row["id"], finishedAt: row["finished_at"], by: row["run_by"], records: row["records"],
                       persons: row["persons"], modelJSON: row["model"], detailJSON: row["detail"])
    }

    public func linkageRuns() throws -> [LinkageRunInfo] {
        try guarding { try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM linkage_runs ORDER BY id")).map(Self.linkageRun)
        } }
    }

    public func currentLinkageRun() throws -> LinkageRunInfo? {
        try guarding { try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM linkage_runs ORDER BY id DESC LIMIT 1")).map(Self.linkageRun)
        } }
    }

    public func forEachAssignment(_ body: (PersonAssignment) throws -> Void) throws {
        try guarding { try db.read { db in
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT person_id, source, record_id, probability FROM assignments ORDER BY person_id, source, record_id")
            while let row = try cursor.next() {
                try body(PersonAssignment(record: RecordKey(source: row[1], recordID: row[2]), person: PersonID(row[0]),
                                          probability: row[3]))
            }
        } }
    }

    public func person(of record: RecordKey) throws -> PersonID? {
        try guarding { try db.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT person_id FROM assignments WHERE source = ? AND record_id = ?"),
                                arguments: [record.source, record.recordID]).map(PersonID.init)
        } }
    }

    static func summary(_ row: Row) -> PersonSummary {
        PersonSummary(person: PersonID(row["id"]), pseudonym: row["pseudonym"], records: row["records"])
    }

    public func person(pseudonym: String) throws -> PersonSummary? {
        try guarding { try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, pseudonym, records FROM persons WHERE pseudonym = ?"), arguments: [pseudonym])
                .map(Self.summary)
        } }
    }

    public func personSummary(_ person: PersonID) throws -> PersonSummary? {
        try guarding { try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, pseudonym, records FROM persons WHERE id = ?"), arguments: [person.rawValue])
                .map(Self.summary)
        } }
    }

    public func records(of person: PersonID) throws -> [StoredRecord] {
        try guarding { try db.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT r.*, d.file_name, d.file_sha256, d.loaded_at FROM assignments a
                JOIN records r ON r.source = a.source AND r.record_id = a.record_id
                JOIN deliveries d ON d.id = r.delivery_id
                WHERE a.person_id = ? ORDER BY r.id
                """), arguments: [person.rawValue])
            // The columns found once for the query, not again for every row.
            guard let first = rows.first else { return [] }
            let columns = try RecordColumns(first)
            return try rows.map { try Self.record(from: $0, columns: columns) }
        } }
    }

    public func forEachPerson(_ body: (PersonID, [StoredRecord]) throws -> Void) throws {
        try guarding { try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT a.person_id AS assigned_person, r.*, d.file_name, d.file_sha256, d.loaded_at FROM assignments a
                JOIN records r ON r.source = a.source AND r.record_id = a.record_id
                JOIN deliveries d ON d.id = r.delivery_id
                ORDER BY a.person_id, r.id
                """)
            var current: String?
            var group: [StoredRecord] = []
            var columns: RecordColumns?
            while let row = try cursor.next() {
                if columns == nil { columns = try RecordColumns(row) }
                let p: String = row["assigned_person"]
                if p != current {
                    if let c = current { try body(PersonID(c), group) }
                    current = p
                    group.removeAll(keepingCapacity: true)
                }
                group.append(try Self.record(from: row, columns: columns))
            }
            if let c = current { try body(PersonID(c), group) }
        } }
    }

    public func neighbours(of person: PersonID) throws -> [PersonSummary] {
        try guarding { try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.id, p.pseudonym, p.records FROM persons p WHERE p.id IN (
                  SELECT a2.person_id FROM assignments a
                  JOIN records r ON r.source = a.source AND r.record_id = a.record_id
                  JOIN records r2 ON r2.postcode = r.postcode
                  JOIN assignments a2 ON a2.source = r2.source AND a2.record_id = r2.record_id
                  WHERE a.person_id = ?1 AND r.postcode IS NOT NULL AND r2.person_level AND a2.person_id <> ?1)
                ORDER BY p.id
                """, arguments: [person.rawValue]).map(Self.summary)
        } }
    }

    // MARK: Review queues

    public func saveReviewItems(_ items: [StoredReviewItem]) throws {
        guard !items.isEmpty else { return }
        try guarding { try writeImmediately { db in try Self.upsert(db, items) } }
    }

    static func upsert(_ db: Database, _ items: [StoredReviewItem]) throws {
        let upsert = try db.makeStatement(sql: """
            INSERT INTO review_items (queue, subject, pending, updated_at, state) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(queue, subject) DO UPDATE SET pending = excluded.pending, updated_at = excluded.updated_at,
              state = excluded.state
            """)
        for i in items { try upsert.execute(arguments: [i.queue.rawValue, i.subject, i.pending, i.updatedAt, i.stateJSON]) }
    }

    static func reviewItem(_ row: Row) throws -> StoredReviewItem {
        guard let queue = ReviewQueueName(rawValue: row["queue"]) else { throw StoreError.corrupt("review_items.queue") }
        return StoredReviewItem(queue: queue, subject: row["subject"], pending: row["pending"], updatedAt: row["updated_at"],
                                stateJSON: row["state"])
    }

    public func reviewItems(_ queue: ReviewQueueName, pendingOnly: Bool) throws -> [StoredReviewItem] {
        try guarding { try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM review_items WHERE queue = ? AND (? = 0 OR pending) ORDER BY subject"),
                             arguments: [queue.rawValue, pendingOnly]).map(Self.reviewItem)
        } }
    }

    public func reviewItem(_ queue: ReviewQueueName, subject: String) throws -> StoredReviewItem? {
        try guarding { try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM review_items WHERE queue = ? AND subject = ?"),
                             arguments: [queue.rawValue, subject]).map(Self.reviewItem)
        } }
    }

    // MARK: Risk runs and scores

    public func saveRiskRun(_ run: RiskRunInfo, scores: [PersonScore]) throws -> RiskRunInfo {
        try PersonRows.checkScores(scores)
        return try guarding { try writeImmediately { db in
            try db.execute(sql: """
                INSERT INTO risk_runs (kind, model_id, as_of, finished_at, run_by, model, report, linkage_run, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.kind.rawValue, run.modelID, run.asOf.dayNumber, run.finishedAt, run.by, run.modelJSON,
                                 run.reportJSON, run.linkageRun, run.detailJSON])
            var stored = run
            stored.id = db.lastInsertedRowID
            let insert = try db.makeStatement(sql: """
                INSERT INTO scores (run_id, person_id, as_of, score, rank, age, flagged, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            // In person order: the primary key and the by-person index are then filled in key order, each page once,
            // instead of at random (a 3,000,000-person city's scores, 281,130 rows, took 10-15 s in rank order, 7 s in person order in one run).
            for s in scores.sorted(by: { $0.person.rawValue < $1.person.rawValue }) {
                do {
                    try insert.execute(arguments: [stored.id, s.person.rawValue, s.asOf.dayNumber, s.score, s.rank, s.age, s.flagged,
                                                   PersonRows.reasonsJSON(s)])
                } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                    throw StoreError.invalidRun("person \(s.person) is scored twice in one risk run")
                }
            }
            CrashTestHook.stallBeforeCommit("risk_runs")
            return stored
        } }
    }

    static func riskRun(_ row: Row) throws -> RiskRunInfo {
        guard let kind = RiskRunInfo.Kind(rawValue: row["kind"]) else { throw StoreError.corrupt("risk_runs.kind") }
        return RiskRunInfo(id: row["id"], kind: kind, modelID: row["model_id"], asOf: CivilDate(dayNumber: row["as_of"]),
                           finishedAt: row["finished_at"], by: row["run_by"], modelJSON: row["model"], reportJSON: row["report"],
                           linkageRun: row["linkage_run"], detailJSON: row["detail"])
    }

    public func riskRuns() throws -> [RiskRunInfo] {
        try guarding { try db.read { db in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM risk_runs ORDER BY id")).map(Self.riskRun) } }
    }

    public func latestRiskRun(_ kind: RiskRunInfo.Kind) throws -> RiskRunInfo? {
        try guarding { try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM risk_runs WHERE kind = ? ORDER BY id DESC LIMIT 1"), arguments: [kind.rawValue])
                .map(Self.riskRun)
        } }
    }

    static func score(_ row: Row) throws -> PersonScore {
        let reasons = try PersonRows.reasons(row["reasons"])
        return PersonScore(run: row["run_id"], person: PersonID(row["person_id"]), asOf: CivilDate(dayNumber: row["as_of"]),
                           score: row["score"], rank: row["rank"], age: row["age"], flagged: row["flagged"],
                           raising: reasons.raising, lowering: reasons.lowering)
    }

    public func scores(run: Int64) throws -> [PersonScore] {
        try guarding { try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM scores WHERE run_id = ? ORDER BY rank, person_id"), arguments: [run]).map(Self.score)
        } }
    }

    public func scores(of person: PersonID) throws -> [PersonScore] {
        try guarding { try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM scores WHERE person_id = ? ORDER BY run_id"), arguments: [person.rawValue])
                .map(Self.score)
        } }
    }

    // MARK: Offers

    public func saveOffers(_ offers: [StoredOffer]) throws -> [StoredOffer] {
        try guarding { try writeImmediately { db in
            let saved = try Self.insert(db, offers)
            CrashTestHook.stallBeforeCommit("offers")
            return saved
        } }
    }

    /// Inserts `offers` in the open transaction of `db`, returning them with their ids.
    static func insert(_ db: Database, _ offers: [StoredOffer]) throws -> [StoredOffer] {
        let insert = try db.makeStatement(sql: """
            INSERT INTO offers (person_id, programme, cost, status, created_at, detail) VALUES (?, ?, ?, ?, ?, ?)
            """)
        return try offers.map { o in
            try insert.execute(arguments: [o.person.rawValue, o.programme, o.cost, o.status, o.createdAt, o.detailJSON])
            var x = o
            x.id = db.lastInsertedRowID
            return x
        }
    }

    public func updateOffer(id: Int64, status: String) throws {
        try guarding { try writeImmediately { db in
            try db.execute(sql: "UPDATE offers SET status = ? WHERE id = ?", arguments: [status, id])
            if db.changesCount == 0 { throw StoreError.notFound("offer \(id)") }
        } }
    }

    public func offers(of person: PersonID?) throws -> [StoredOffer] {
        try guarding { try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM offers WHERE ?1 IS NULL OR person_id = ?1 ORDER BY id"),
                             arguments: [person?.rawValue]).map { row in
                StoredOffer(id: row["id"], person: PersonID(row["person_id"]), programme: row["programme"], cost: row["cost"],
                            status: row["status"], createdAt: row["created_at"], detailJSON: row["detail"])
            }
        } }
    }
}

/// One row of a bulk insert, bound straight into a prepared statement's SQLite handle.
struct BulkInsert {
    let s: SQLiteStatement
    private(set) var k: Int32 = 0
    mutating func int(_ v: Int64?) { k += 1; if let v { sqlite3_bind_int64(s, k, v) } else { sqlite3_bind_null(s, k) } }
    mutating func double(_ v: Double?) { k += 1; if let v { sqlite3_bind_double(s, k, v) } else { sqlite3_bind_null(s, k) } }
    mutating func text(_ v: String?) {
        k += 1
        guard var v else { sqlite3_bind_null(s, k); return }
        v.withUTF8 { p in _ = sqlite3_bind_text(s, k, p.baseAddress, Int32(p.count), SQLiteBinding.transient) }
    }

    /// Binds one row with `bind` and runs `statement` once; throws GRDB's `DatabaseError` (with SQLite's result
    /// code, so a constraint failure reads as one) when the step fails.
    static func step(_ db: Database, _ statement: Statement, _ bind: (inout BulkInsert) -> Void) throws {
        let s = statement.sqliteStatement
        sqlite3_reset(s)
        var b = BulkInsert(s: s)
        bind(&b)
        let rc = sqlite3_step(s)
        guard rc == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(s)
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message, sql: statement.sql)
        }
    }
}

/// A hook for the crash-consistency tests only (Tests/UpstreamCLITests/CrashConsistencyTests.swift): with
/// `UPSTREAM_TEST_STALL_BEFORE_COMMIT=TABLE` and `UPSTREAM_TEST_STALL_MARKER=PATH` set, a save of a linkage run
/// (`linkage_runs`), risk run (`risk_runs`) or a plan's offers (`offers`) does all its writes, creates PATH and waits inside its open transaction,
/// so the test can `kill -9` it there. Without both variables it does nothing.
enum CrashTestHook {
    static func stallBeforeCommit(_ table: String) {
        let env = ProcessInfo.processInfo.environment
        guard env["UPSTREAM_TEST_STALL_BEFORE_COMMIT"] == table, let marker = env["UPSTREAM_TEST_STALL_MARKER"] else { return }
        _ = FileManager.default.createFile(atPath: marker, contents: nil)
        while true { sleep(1) }
    }
}
