import Foundation
import GRDB
import GRDBSQLite
import UpstreamModel
import UpstreamStore

/// SQLite's "copy the bytes now" destructor.
enum SQLiteBinding {
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// The embedded store: one SQLite file (by default `upstream.db`), through GRDB.
///
/// All of Upstream's SQL lives in this module. A delivery loads in one transaction through prepared
/// statements; SQLite's rollback journal makes a crash (even `kill -9`) mid-load leave the file as it was
/// before that delivery.
public final class SQLiteStore: RecordStore {
    /// One connection (rollback journal), or a pool of readers beside one writer when the file is in WAL mode
    /// (``useWriteAheadLog(path:)``: the served store).
    let db: any DatabaseWriter
    /// The file, for messages.
    let path: String
    let sealer: (any AuditSealer)?

    /// How long a command waits for another one's write to finish before giving up (seconds), unless
    /// `UPSTREAM_BUSY_TIMEOUT` (seconds) says otherwise.
    public static let defaultBusyTimeout: Double = 30

    /// SQLite's page cache per connection unless a command gives it more (`upstream ingest --memory`).
    public static let defaultCacheBytes = 64 << 20

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    /// - Parameters:
    ///   - path: a file path, or `:memory:` for a private in-memory database.
    ///   - busyTimeout: how long to wait (seconds) while another process writes to the file; `nil` for
    ///     `UPSTREAM_BUSY_TIMEOUT` or ``defaultBusyTimeout``.
    ///   - auditSealer: seals the audit trail's entries (UpstreamGovernance's keyed chain); without one, entries
    ///     are written unsealed and `upstream audit verify` reports them.
    ///   - cacheBytes: SQLite's page cache (default ``defaultCacheBytes``, at least 2 MiB). A bulk load into a large
    ///     store inserts its keys at random places in the indexes; a cache that holds them saves reading their pages
    ///     back from the file for every row.
    /// - Throws: ``StoreError/busy(_:)`` when another process kept the file locked for longer than
    ///   `busyTimeout`; GRDB's `DatabaseError` when the file cannot be opened or migrated.
    public init(path: String, busyTimeout: Double? = nil, auditSealer: (any AuditSealer)? = nil, cacheBytes: Int? = nil) throws {
        self.path = path
        sealer = auditSealer
        var config = Configuration()
        config.foreignKeysEnabled = true
        // Two commands on one store (an ingest, concurrent chronology views appending to the audit trail): the
        // second waits for the first's transaction instead of failing at once.
        let env = ProcessInfo.processInfo.environment["UPSTREAM_BUSY_TIMEOUT"].flatMap(Double.init)
        let wait = busyTimeout ?? env.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } ?? Self.defaultBusyTimeout
        config.busyMode = .timeout(wait)
        // A file that `upstream serve` put in WAL mode stays in it (leaving WAL needs every other connection closed,
        // so a command run beside the server could not): readers then have their own connections.
        let wal = path != ":memory:" && Self.isWriteAheadLog(path)
        let cacheKiB = max(2 << 20, cacheBytes ?? Self.defaultCacheBytes) / 1024
        config.prepareDatabase { db in
            if wal {
                // Every commit waits for the log's fsync: a committed audit entry survives a crash or a power cut.
                try db.execute(sql: "PRAGMA synchronous = FULL")
            } else {
                // Rollback journal: a huge single-file transaction writes only the pages it changes to the journal,
                // and a crash rolls back on next open.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
            }
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
        }
        if path != ":memory:" {
            // A new store holds person-level data: create it readable by its owner only (SQLite gives its journal
            // the same mode). UPSTREAM_FILE_MODE may widen it to a group, never to others (docs/governance.md).
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, Self.fileMode)
            if fd >= 0 { fchmod(fd, Self.fileMode); close(fd) }
        }
        let queue: any DatabaseWriter = try Self.guarding(path) {
            if path == ":memory:" { return try DatabaseQueue(configuration: config) }
            if wal { return try DatabasePool(path: path, configuration: config) }
            return try DatabaseQueue(path: path, configuration: config)
        }
        db = queue
        // Several processes may open a new store at once: one migrates, and the others' attempts fail on tables it
        // has just created. Migrations are applied by name, so trying again finds them applied and moves on.
        var attempt = 0
        while true {
            do {
                try Self.guarding(path) { try Schema.migrator.migrate(queue) }
                break
            } catch {
                attempt += 1
                if attempt >= 10 { throw error }
            }
        }
        try restoreIndexesOfKilledBulkLoad()
    }

    /// Puts the SQLite file at `path` in WAL mode (it stays so: every later open uses a pool of readers beside one
    /// writer), for a store that serves the web app: a reader no longer waits for a commit, and a commit waits for
    /// one fsync of the log instead of the rollback journal's several. Commits stay durable (`synchronous = FULL`).
    /// A bulk load into a store in WAL mode writes its changes twice (the log, then the file at the checkpoint);
    /// ``useRollbackJournal(path:)`` puts it back when no other process has it open. A missing file is left alone.
    /// - Throws: ``StoreError/busy(_:)`` when another process holds the file; GRDB's error when it cannot be opened.
    public static func useWriteAheadLog(path: String) throws {
        try setJournal("WAL", path: path)
    }

    /// Puts the SQLite file at `path` back on the rollback journal (see ``useWriteAheadLog(path:)``).
    /// - Throws: ``StoreError/busy(_:)`` while another process has it open in WAL mode.
    public static func useRollbackJournal(path: String) throws {
        try setJournal("DELETE", path: path)
    }

    static func setJournal(_ mode: String, path: String) throws {
        guard path != ":memory:", FileManager.default.fileExists(atPath: path) else { return }
        try guarding(path) {
            let q = try DatabaseQueue(path: path)
            let now = try q.writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA journal_mode = \(mode)") }
            try q.close()
            guard now?.uppercased() == mode else { throw StoreError.busy(path) }
        }
    }

    /// Whether the SQLite file at `path` is in WAL mode (its header's read and write versions are 2).
    static func isWriteAheadLog(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        guard let bytes = try? h.read(upToCount: 20), bytes.count == 20 else { return false }
        return bytes[18] == 2 && bytes[19] == 2
    }

    /// 0600, or `UPSTREAM_FILE_MODE` when it is an octal mode that gives others nothing.
    static var fileMode: mode_t {
        guard let text = ProcessInfo.processInfo.environment["UPSTREAM_FILE_MODE"], let m = Int(text, radix: 8),
              m & 0o007 == 0, m & 0o600 == 0o600, m <= 0o777 else { return 0o600 }
        return mode_t(m)
    }

    /// Runs `body`, turning SQLite's "busy"/"locked" into ``StoreError/busy(_:)``; every other error passes through.
    static func guarding<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
            throw StoreError.busy(path)
        }
    }

    func guarding<T>(_ body: () throws -> T) throws -> T { try Self.guarding(path, body) }

    // MARK: Loading

    final class Writer: DeliveryWriter {
        let db: Database
        let insertRecord: Statement
        let insertQuarantine: Statement
        let deliveryID: Int64

        init(db: Database, deliveryID: Int64) throws {
            self.db = db
            self.deliveryID = deliveryID
            insertRecord = try db.makeStatement(sql: Schema.insertRecord)
            insertQuarantine = try db.makeStatement(sql: Schema.insertQuarantine)
        }

        func append(_ stored: StoredRecord, extrasJSON: String?) throws -> Bool {
            // The hot path of ingest: bind straight into the prepared statement (GRDB's StatementArguments boxes
            // every value, which cost a third of the load time).
            let s = insertRecord.sqliteStatement
            let r = stored.record, i = r.identity, e = r.event
            sqlite3_reset(s)
            var k: Int32 = 0
            func int(_ v: Int64?) { k += 1; if let v { sqlite3_bind_int64(s, k, v) } else { sqlite3_bind_null(s, k) } }
            func text(_ v: String?) {
                k += 1
                guard var v else { sqlite3_bind_null(s, k); return }
                v.withUTF8 { p in _ = sqlite3_bind_text(s, k, p.baseAddress, Int32(p.count), SQLiteBinding.transient) }
            }
            int(deliveryID); text(r.source); text(r.recordID); text(r.agency.rawValue); int(stored.personLevel ? 1 : 0)
            int(Int64(r.provenance.line))
            text(i.forename); text(i.middleNames); text(i.surname); int(i.dateOfBirth.map { Int64($0.dayNumber) })
            text(i.sex?.rawValue); text(i.postcode); text(i.ethnicity); text(i.nhsNumber)
            int(i.nhsNumberValid.map { $0 ? 1 : 0 }); text(i.upn); text(i.pncID); text(i.localID)
            text(e?.kind.rawValue); int(e.map { Int64($0.date.dayNumber) }); int(e?.minuteOfDay.map(Int64.init))
            int(e?.endDate.map { Int64($0.dayNumber) }); text(e?.role?.rawValue); text(e?.area); text(e?.offenceCode)
            int(e.map { Int64($0.flags.rawValue) }); text(e?.detail); text(e?.reference)
            int(Int64(stored.flags.rawValue)); text(extrasJSON)
            text(i.address); int(e?.recordedDate.map { Int64($0.dayNumber) })
            let rc = sqlite3_step(s)
            guard rc == SQLITE_DONE else {
                let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
                sqlite3_reset(s)
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message, sql: Schema.insertRecord)
            }
            return sqlite3_changes(db.sqliteConnection) > 0
        }

        func quarantine(_ q: QuarantinedRow) throws {
            try insertQuarantine.execute(arguments: [deliveryID, q.source, q.line, Data(q.raw), q.reason, q.field])
        }
    }

    public func loadDelivery(
        _ delivery: Delivery, source: SourceInfo, replacing: Bool,
        _ body: (any DeliveryWriter) throws -> DeliveryCounts
    ) throws -> DeliveryOutcome {
        let (outcome, last) = try guarding { try writeImmediately { db -> (DeliveryOutcome, AuditEntry?) in
            if let existing = try Self.liveDelivery(db, source: delivery.source, sha: delivery.fileSHA256, spec: delivery.specSHA256) {
                return (.alreadyLoaded(existing), nil)
            }
            var last: AuditEntry?
            try db.execute(
                sql: """
                    INSERT INTO sources (name, agency, owner, legal_basis, retention_years, retention_from)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET agency = excluded.agency, owner = excluded.owner,
                      legal_basis = excluded.legal_basis, retention_years = excluded.retention_years,
                      retention_from = excluded.retention_from
                    """,
                arguments: [source.name, source.agency.rawValue, source.owner, source.legalBasis,
                            source.retention.years, source.retention.from.rawValue])
            try db.execute(
                sql: "INSERT INTO deliveries (source, file_name, file_sha256, loaded_at, spec_sha256) VALUES (?, ?, ?, ?, ?)",
                arguments: [delivery.source, delivery.fileName, delivery.fileSHA256, delivery.loadedAt, delivery.specSHA256])
            let id = db.lastInsertedRowID
            var superseded: [Int64] = []
            var removed = 0
            if replacing {
                superseded = try Int64.fetchAll(
                    db, sql: "SELECT id FROM deliveries WHERE source = ? AND superseded_by IS NULL AND id <> ? ORDER BY id",
                    arguments: [delivery.source, id])
                if !superseded.isEmpty {
                    try db.execute(sql: "DELETE FROM records WHERE source = ?", arguments: [delivery.source])
                    removed = db.changesCount
                    try db.execute(sql: "DELETE FROM quarantine WHERE source = ?", arguments: [delivery.source])
                    try db.execute(
                        sql: "UPDATE deliveries SET superseded_by = ? WHERE source = ? AND superseded_by IS NULL AND id <> ?",
                        arguments: [id, delivery.source, id])
                }
            } else {
                // The same file read before under another spec (say, a wrong one that quarantined every row):
                // this read supersedes that attempt, which stays in the deliveries and the audit log.
                superseded = try Int64.fetchAll(
                    db, sql: """
                        SELECT id FROM deliveries WHERE source = ? AND file_sha256 = ? AND superseded_by IS NULL AND id <> ?
                        ORDER BY id
                        """, arguments: [delivery.source, delivery.fileSHA256, id])
                for old in superseded {
                    try db.execute(sql: "DELETE FROM records WHERE delivery_id = ?", arguments: [old])
                    removed += db.changesCount
                    try db.execute(sql: "DELETE FROM quarantine WHERE delivery_id = ?", arguments: [old])
                    try db.execute(sql: "UPDATE deliveries SET superseded_by = ? WHERE id = ?", arguments: [id, old])
                }
            }
            if !superseded.isEmpty {
                last = try log(db, at: delivery.loadedAt, action: "supersede", source: delivery.source, count: removed,
                               detail: SupersedeDetail.text(superseded: superseded, by: id, replacing: replacing, delivery: delivery))
            }
            let writer = try Writer(db: db, deliveryID: id)
            let c = try body(writer)
            try db.execute(
                sql: """
                    UPDATE deliveries SET rows_read = ?, loaded = ?, quarantined = ?, blank_lines = ?,
                      nhs_invalid = ?, upn_invalid = ?, dob_placeholder = ?, dob_after_event = ? WHERE id = ?
                    """,
                arguments: [c.rowsRead, c.loaded, c.quarantined, c.blankLines, c.nhsNumberInvalid, c.upnInvalid,
                            c.dateOfBirthPlaceholder, c.dateOfBirthAfterEvent, id])
            last = try log(db, at: delivery.loadedAt, action: "ingest", source: delivery.source, count: c.loaded,
                           detail: "delivery \(id) sha256 \(delivery.fileSHA256) read \(c.rowsRead) quarantined \(c.quarantined)")
            return (.loaded(DeliverySummary(id: id, delivery: delivery, counts: c, supersededBy: nil),
                            superseded: superseded, supersededRecords: removed), last)
        } }
        if let last { try sealer?.didAppend(last) }
        return outcome
    }

    /// Runs `body` in one IMMEDIATE transaction: the write lock is taken first, so concurrent writers (other
    /// processes included) queue instead of failing when a read turns into a write.
    func writeImmediately<T>(_ body: (Database) throws -> T) throws -> T {
        try db.writeWithoutTransaction { db in try Self.immediateTransaction(db, body) }
    }

    /// ``writeImmediately(_:)`` with SQLite's foreign-key enforcement off for the transaction (it can be switched
    /// only between transactions), for a write that keeps the references true by construction. Enforcement makes
    /// `DELETE FROM` visit every row of a table in a foreign key (no truncation), and every inserted child row look
    /// its parent up; a linkage run's save replaces 27 million assignments at 3,000,000 people. Enforcement is on
    /// again afterwards, whether the body committed or threw.
    func writeImmediatelyTrustingReferences<T>(_ body: (Database) throws -> T) throws -> T {
        try db.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            let result = Result { try Self.immediateTransaction(db, body) }
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            return try result.get()
        }
    }

    static func immediateTransaction<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        var result: T?
        try db.inTransaction(.immediate) {
            result = try body(db)
            return .commit
        }
        return result!
    }

    /// Appends an entry written by the store itself (a load, supersession or retention action) to the trail.
    func log(_ db: Database, at: Int64, action: String, source: String?, count: Int, detail: String) throws -> AuditEntry {
        let event = AuditEvent(at: at, actor: sealer?.actor ?? .unknown, action: action, subject: source ?? "",
                               source: source, count: count, detail: detail)
        return try appendTrail(db, [event]).last!
    }

    /// Appends events to the chained trail inside the caller's transaction. The first append to a store upgraded
    /// from v1 first imports the v1 log's entries (loads, supersessions, retention) into the chain, once.
    func appendTrail(_ db: Database, _ events: [AuditEvent]) throws -> [AuditEntry] {
        var lastSeq: Int64 = 0
        var previous = AuditEntry.genesis
        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, mac FROM audit_trail ORDER BY seq DESC LIMIT 1")) {
            lastSeq = row["seq"]
            // A damaged MAC must not stop audited work: the next entry chains to what is there, and verification
            // reports the damaged entry.
            if let v = row["mac"] as DatabaseValue?, case .string(let mac) = v.storage { previous = mac } else { previous = "" }
        }
        var all = events
        if lastSeq == 0 {
            let legacy = try Row.fetchAll(db, sql: "SELECT * FROM audit_log_v1 ORDER BY id").map { row in
                AuditEvent(at: row["at"], actor: AuditActor(name: "unknown (audit log v1)", kind: .system, role: ""),
                           action: row["action"], subject: row["source"] ?? "", source: row["source"], count: row["count"],
                           detail: "imported from the v1 audit log (entry \(row["id"] as Int64)): " + (row["detail"] as String))
            }
            if !legacy.isEmpty {
                all = legacy + events
                try db.execute(sql: "DELETE FROM audit_log_v1")
            }
        }
        let insert = try db.cachedStatement(sql: Schema.insertAudit)
        var out: [AuditEntry] = []
        out.reserveCapacity(all.count)
        for e in all {
            lastSeq += 1
            let mac = sealer?.mac(seq: lastSeq, event: e, previousMAC: previous) ?? ""
            try insert.execute(arguments: [
                lastSeq, e.at, e.actor.name, e.actor.kind.rawValue, e.actor.role, e.action, e.subject, e.source, e.count,
                e.reason, e.detail, previous, mac,
            ])
            out.append(AuditEntry(seq: lastSeq, event: e, previousMAC: previous, mac: mac))
            previous = mac
        }
        return Array(out.suffix(events.count))
    }

    static func liveDelivery(_ db: Database, source: String, sha: String, spec: String?) throws -> DeliverySummary? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM deliveries WHERE source = ? AND file_sha256 = ? AND spec_sha256 IS ? AND superseded_by IS NULL",
            arguments: [source, sha, spec]
        ).map(Self.delivery(from:))
    }

    static func delivery(from row: Row) -> DeliverySummary {
        var c = DeliveryCounts()
        c.rowsRead = row["rows_read"]; c.loaded = row["loaded"]; c.quarantined = row["quarantined"]
        c.blankLines = row["blank_lines"]; c.nhsNumberInvalid = row["nhs_invalid"]; c.upnInvalid = row["upn_invalid"]
        c.dateOfBirthPlaceholder = row["dob_placeholder"]
        c.dateOfBirthAfterEvent = row["dob_after_event"]
        return DeliverySummary(
            id: row["id"],
            delivery: Delivery(source: row["source"], fileName: row["file_name"], fileSHA256: row["file_sha256"], loadedAt: row["loaded_at"],
                               specSHA256: row["spec_sha256"]),
            counts: c, supersededBy: row["superseded_by"])
    }

    // MARK: Reading

    public func sources() throws -> [SourceInfo] {
        try guarding { try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM sources ORDER BY name")).map(Self.source(from:))
        } }
    }

    static func source(from row: Row) throws -> SourceInfo {
        let agencyCode: String = row["agency"], fromCode: String = row["retention_from"]
        guard let agency = Agency(rawValue: agencyCode) else { throw StoreError.corrupt("sources.agency") }
        guard let from = RetentionPolicy.Anchor(rawValue: fromCode) else { throw StoreError.corrupt("sources.retention_from") }
        return SourceInfo(name: row["name"], agency: agency, owner: row["owner"], legalBasis: row["legal_basis"],
                          retention: RetentionPolicy(years: row["retention_years"], from: from))
    }

    public func deliveries(source: String?) throws -> [DeliverySummary] {
        try guarding { try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM deliveries WHERE ?1 IS NULL OR source = ?1 ORDER BY id"), arguments: [source])
                .map(Self.delivery(from:))
        } }
    }

    public func sourceCounts() throws -> [SourceCount] {
        try guarding { try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.name, s.agency,
                  (SELECT count(*) FROM records r WHERE r.source = s.name) AS records,
                  (SELECT count(*) FROM records r WHERE r.source = s.name AND r.person_level) AS person_records,
                  (SELECT count(*) FROM quarantine q WHERE q.source = s.name) AS quarantined,
                  (SELECT count(*) FROM deliveries d WHERE d.source = s.name AND d.superseded_by IS NULL) AS deliveries
                FROM sources s ORDER BY s.name
                """).map { row in
                let code: String = row["agency"]
                guard let agency = Agency(rawValue: code) else { throw StoreError.corrupt("sources.agency") }
                return SourceCount(source: row["name"], agency: agency, records: row["records"], personRecords: row["person_records"],
                                   quarantined: row["quarantined"], deliveries: row["deliveries"])
            }
        } }
    }

    public func forEachRecord(source: String?, personLevelOnly: Bool, _ body: (StoredRecord) throws -> Void) throws {
        try guarding { try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT r.*, d.file_name, d.file_sha256, d.loaded_at FROM records r JOIN deliveries d ON d.id = r.delivery_id
                WHERE (?1 IS NULL OR r.source = ?1) AND (?2 = 0 OR r.person_level) ORDER BY r.id
                """, arguments: [source, personLevelOnly])
            var columns: RecordColumns?
            while let row = try cursor.next() {
                if columns == nil { columns = try RecordColumns(row) }
                try body(Self.record(from: row, columns: columns))
            }
        } }
    }

    /// Where each of a record's columns is in a query's rows, found once per query (``RecordColumns/init(_:)`` on
    /// its first row): reading a column by name makes GRDB lower-case and compare every column name of the row, which
    /// was most of a chronology's cost (docs/web.md, "Where a view's time goes").
    struct RecordColumns {
        /// The columns, each named as in the table (its case name), numbered in declaration order.
        enum Name: Int, CaseIterable {
            case agency, sex, forename, middle_names, surname, dob, postcode, ethnicity, nhs_number, nhs_valid, upn, pnc_id,
                 local_id, address, event_kind, event_date, minute_of_day, end_date, role, area, offence_code, crime_flags,
                 detail, reference, recorded_date, source, file_name, file_sha256, line, loaded_at, record_id, extras,
                 person_level, record_flags
            /// Each case's column name, worked out once (`String(describing:)` on every look-up was a fifth of the
            /// samples in a 30-second profile of a 3,000,000-person `risk score` reading its flagged persons'
            /// records; Benchmarks/force-scale.md).
            static let columns: [String] = allCases.map { String(describing: $0) }
            var column: String { Self.columns[rawValue] }
        }
        /// Each column's place in the row, by ``Name``'s number: an array, not a dictionary, so that finding a column
        /// costs no hashing (34 look-ups per record, a few hundred records per chronology).
        private let index: [Int]

        /// The columns of `row`'s query (the first column of a name, as GRDB's look-up by name finds it).
        init(_ row: Row) throws {
            let names = Array(row.columnNames.map { $0.lowercased() })
            var index: [Int] = []
            for n in Name.allCases {
                guard let i = names.firstIndex(of: n.column) else { throw StoreError.corrupt("records: no column \(n.column)") }
                index.append(i)
            }
            self.index = index
        }

        subscript(_ n: Name) -> Int { index[n.rawValue] }
    }

    /// A stored record from a row holding `records`' columns and its delivery's `file_name`, `file_sha256` and
    /// `loaded_at`; `columns` (from the query's first row) saves finding each column by name again.
    static func record(from row: Row) throws -> StoredRecord { try record(from: row, columns: nil) }

    static func record(from row: Row, columns: RecordColumns?) throws -> StoredRecord {
        let c = try columns ?? RecordColumns(row)
        func day(_ col: RecordColumns.Name) -> CivilDate? { (row[c[col]] as Int32?).map(CivilDate.init(dayNumber:)) }
        let agency = try StoredCodes.agency(row[c[.agency]])
        let identity = Identity(
            forename: row[c[.forename]], middleNames: row[c[.middle_names]], surname: row[c[.surname]], dateOfBirth: day(.dob),
            sex: try StoredCodes.sex(row[c[.sex]]), postcode: row[c[.postcode]], ethnicity: row[c[.ethnicity]],
            nhsNumber: row[c[.nhs_number]], nhsNumberValid: row[c[.nhs_valid]], upn: row[c[.upn]], pncID: row[c[.pnc_id]],
            localID: row[c[.local_id]], address: row[c[.address]])
        var event: Event?
        if let e = try StoredCodes.event(kind: row[c[.event_kind]], date: day(.event_date)) {
            event = Event(kind: e.kind, date: e.date, minuteOfDay: row[c[.minute_of_day]], endDate: day(.end_date),
                          role: try StoredCodes.role(row[c[.role]]), area: row[c[.area]], offenceCode: row[c[.offence_code]],
                          flags: CrimeFlags(rawValue: UInt16(row[c[.crime_flags]] as Int? ?? 0)),
                          detail: row[c[.detail]], reference: row[c[.reference]], recordedDate: day(.recorded_date))
        }
        let source: String = row[c[.source]]
        let prov = Provenance(source: source, fileName: row[c[.file_name]], fileSHA256: row[c[.file_sha256]],
                              line: row[c[.line]], loadedAt: row[c[.loaded_at]])
        let rec = SourceRecord(source: source, recordID: row[c[.record_id]], agency: agency, identity: identity,
                               event: event, provenance: prov)
        let extras = (row[c[.extras]] as String?).map(ExtrasJSON.decode) ?? [:]
        return StoredRecord(record: rec, personLevel: row[c[.person_level]], flags: RecordFlags(rawValue: row[c[.record_flags]]),
                            extras: extras)
    }

    public func quarantineGroups(source: String?) throws -> [QuarantineGroup] {
        try guarding { try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT source, reason, field, count(*) AS n FROM quarantine WHERE ?1 IS NULL OR source = ?1
                GROUP BY source, reason, field ORDER BY source, reason, field
                """, arguments: [source]).map {
                QuarantineGroup(source: $0["source"], reason: $0["reason"], field: $0["field"], count: $0["n"])
            }
        } }
    }

    public func forEachQuarantinedRow(source: String?, reason: String?, _ body: (QuarantinedRow) throws -> Void) throws {
        try guarding { try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT q.*, d.file_name, d.file_sha256, d.loaded_at FROM quarantine q JOIN deliveries d ON d.id = q.delivery_id
                WHERE (?1 IS NULL OR q.source = ?1) AND (?2 IS NULL OR q.reason = ?2) ORDER BY q.id
                """, arguments: [source, reason])
            while let row = try cursor.next() {
                let raw: Data = row["raw"]
                try body(QuarantinedRow(source: row["source"], fileName: row["file_name"], fileSHA256: row["file_sha256"],
                                        line: row["line"], raw: [UInt8](raw), reason: row["reason"], field: row["field"],
                                        loadedAt: row["loaded_at"]))
            }
        } }
    }

    // MARK: Retention

    static func due(_ db: Database, asOf: CivilDate) throws -> [RetentionDue] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM sources ORDER BY name")).compactMap { row -> RetentionDue? in
            let info = try source(from: row)
            let cutoff = info.retention.cutoff(asOf: asOf)
            let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE " + Schema.anchorBefore(info.retention.from),
                                     arguments: [info.name, Int(cutoff.dayNumber)]) ?? 0
            return n == 0 ? nil : RetentionDue(source: info.name, policy: info.retention, cutoff: cutoff, records: n)
        }
    }

    public func retentionDue(asOf: CivilDate) throws -> [RetentionDue] {
        try guarding { try db.read { db in try Self.due(db, asOf: asOf) } }
    }

    public func applyRetention(asOf: CivilDate, at: Int64) throws -> [RetentionDue] {
        let (due, last) = try guarding { try writeImmediately { db -> ([RetentionDue], AuditEntry?) in
            let due = try Self.due(db, asOf: asOf)
            var last: AuditEntry?
            for d in due {
                try db.execute(sql: "DELETE FROM records WHERE " + Schema.anchorBefore(d.policy.from),
                               arguments: [d.source, Int(d.cutoff.dayNumber)])
                last = try log(db, at: at, action: "retention_delete", source: d.source, count: db.changesCount,
                               detail: "as of \(asOf.iso): anchored before \(d.cutoff.iso) (\(d.policy.years) years from \(d.policy.from.rawValue))")
            }
            return (due, last)
        } }
        if let last { try sealer?.didAppend(last) }
        return due
    }

    // MARK: The audit trail

    public func appendAudit(_ events: [AuditEvent]) throws -> [AuditEntry] {
        guard !events.isEmpty else { return [] }
        let entries = try guarding { try writeImmediately { db in try appendTrail(db, events) } }
        if let last = entries.last { try sealer?.didAppend(last) }
        return entries
    }

    public func forEachAuditEntry(_ body: (AuditEntry) throws -> Void) throws {
        try guarding { try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_trail ORDER BY seq")
            while let row = try cursor.next() { try body(Self.auditEntry(from: row)) }
        } }
    }

    static func auditEntry(from row: Row) throws -> AuditEntry {
        let seq: Int64 = row["seq"]
        func text(_ column: String) throws -> String {
            guard let v = row[column] as DatabaseValue?, case .string(let s) = v.storage else {
                throw StoreError.corrupt("audit_trail entry \(seq): \(column) is missing or not text")
            }
            return s
        }
        var source: String?
        if let v = row["source"] as DatabaseValue?, case .string(let s) = v.storage { source = s }
        func int(_ column: String) throws -> Int64 {
            guard let v = row[column] as DatabaseValue?, case .int64(let n) = v.storage else {
                throw StoreError.corrupt("audit_trail entry \(seq): \(column) is not a whole number")
            }
            return n
        }
        guard let kind = AuditActor.Kind(rawValue: try text("actor_kind")) else {
            throw StoreError.corrupt("audit_trail entry \(seq): actor_kind is not self-asserted, authenticated or system")
        }
        let event = AuditEvent(
            at: try int("at"), actor: AuditActor(name: try text("actor"), kind: kind, role: try text("role")),
            action: try text("action"), subject: try text("subject"), source: source, count: Int(try int("count")),
            reason: try text("reason"), detail: try text("detail"))
        return AuditEntry(seq: seq, event: event, previousMAC: try text("previous_mac"), mac: try text("mac"))
    }

    public func auditCount() throws -> Int {
        try guarding { try db.read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM audit_trail")) ?? 0 } }
    }

    /// Checks SQLite's integrity of the file; returns the problems found (empty when sound).
    public func integrityProblems() throws -> [String] {
        try guarding { try db.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" } } }
    }
}
