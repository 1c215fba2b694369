import Foundation
import Logging
import NIOCore
import PostgresNIO
import UpstreamModel
import UpstreamStore

/// The multi-user server store: one PostgreSQL database (or one schema in it), through postgres-nio.
///
/// It runs the SQLite adapter's migrations, under the same names and in the same order, in PostgreSQL's dialect
/// (``PostgresSchema``), and passes the same conformance suite. A delivery loads in one transaction: its rows go to
/// the server with `COPY … FROM STDIN` in chunks of a few megabytes, so a crash or a throw mid-delivery rolls back
/// to the state before it. Every other value is a bound parameter. Writers take one advisory lock, so they queue
/// as they do on a SQLite file, while readers never wait.
///
/// The protocol is synchronous and postgres-nio is asynchronous: each call runs its async work on the store's own
/// event-loop thread, which is also the preferred executor of the tasks it starts, and the caller waits
/// (``EventLoopBridge``). One store holds one connection; calls from several threads take turns.
public final class PostgresStore: RecordStore, @unchecked Sendable {
    /// Where the store is (the URL, without its password).
    public let location: PostgresLocation
    let bridge: EventLoopBridge
    let connection: PostgresConnection
    let logger: Logger
    /// Seals the audit trail's entries (UpstreamGovernance's keyed chain); `nil` writes them unsealed.
    let sealer: (any AuditSealer)?
    /// Guards the connection and `depth`; recursive so a read inside `forEachRecord`'s callback works.
    private let lock = NSRecursiveLock()
    private var depth = 0
    /// Bytes of COPY text sent per `COPY` statement (tests make it small to cross chunk boundaries cheaply).
    var copyChunkBytes = 4 << 20
    /// Rows fetched per round trip by the streaming reads (tests make it small likewise).
    var fetchBatch = 5_000
    /// `COPY` statements sent so far (for tests).
    private(set) var copyStatements = 0

    /// Opens the store at a `postgres://` URL and brings its schema up to date.
    /// - Parameter url: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]` (see ``PostgresLocation``).
    /// - Throws: ``PostgresStoreError`` when the URL is wrong or the server cannot be reached;
    ///   `StoreError.unsupportedSchema` when a newer Upstream has migrated the database.
    public convenience init(url: String, auditSealer: (any AuditSealer)? = nil) throws {
        try self.init(location: PostgresLocation(url: url), auditSealer: auditSealer)
    }

    /// Opens the store at `location` and brings its schema up to date.
    /// - Throws: as ``init(url:)``.
    public init(location: PostgresLocation, auditSealer: (any AuditSealer)? = nil) throws {
        self.location = location
        sealer = auditSealer
        var logger = Logger(label: "upstream.store.postgres")
        logger.logLevel = .error
        self.logger = logger
        let bridge = EventLoopBridge()
        self.bridge = bridge
        let config: PostgresConnection.Configuration =
            if let dir = location.socketDirectory {
                .init(unixSocketPath: dir + "/.s.PGSQL.\(location.port)", username: location.user,
                      password: location.password, database: location.database)
            } else {
                .init(host: location.host, port: location.port, username: location.user, password: location.password,
                      database: location.database, tls: .disable)
            }
        do {
            connection = try bridge.run { [logger] in
                try await PostgresConnection.connect(on: bridge.loop, configuration: config, id: 1, logger: logger)
            }
        } catch {
            bridge.shutdown()
            throw PostgresStoreError.cannotConnect("\(location): \(Self.describe(error))")
        }
        if let schema = location.schema {
            try execute(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"))
            try execute(PostgresQuery(unsafeSQL: "SET search_path TO \(schema)"))
        }
        try migrate()
    }

    deinit {
        let connection = self.connection
        _ = try? bridge.run { try await connection.close() }
        bridge.shutdown()
    }

    // MARK: Talking to the server

    /// Runs one statement and returns every row it produced.
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        let connection = self.connection, logger = self.logger
        lock.lock(); defer { lock.unlock() }
        do {
            return try bridge.run { try await connection.query(query, logger: logger).collect() }
        } catch {
            throw Self.mapped(error)
        }
    }

    func execute(_ query: PostgresQuery) throws { _ = try rows(query) }

    /// How many records have ever been deleted from the store (kept by a trigger: `v11-record-deletions`), as
    /// ``UpstreamStoreSQLite/SQLiteStore/recordDeletions()`` counts them.
    public func recordDeletions() throws -> Int64 { try scalar("SELECT total FROM record_deletions") }

    /// The single `Int` a statement returns (a count or an id).
    func scalar(_ query: PostgresQuery) throws -> Int64 {
        guard let row = try rows(query).first, let cell = row.first else { throw StoreError.corrupt("no value returned") }
        return try Self.decoding("a count") { try cell.decode(Int64.self) }
    }

    /// Streams `bytes` (COPY text) into `table`.
    func copy(into table: String, columns: [String], _ bytes: [UInt8]) throws {
        let connection = self.connection, logger = self.logger
        let buffer = ByteBuffer(bytes: bytes)
        lock.lock(); defer { lock.unlock() }
        copyStatements += 1
        do {
            try bridge.run {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    try await writer.write(buffer)
                }
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Runs `body` in a transaction (a savepoint when nested); writers first take the store's advisory lock.
    /// If `body` throws, everything it did is rolled back and the error rethrown.
    func transaction<T>(write: Bool, _ body: () throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        let level = depth
        try execute(PostgresQuery(unsafeSQL: level == 0 ? "BEGIN" : "SAVEPOINT upstream_\(level)"))
        depth += 1
        defer { depth -= 1 }
        do {
            if write { try execute(PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(\(PostgresSchema.writerLock))")) }
            let result = try body()
            try execute(PostgresQuery(unsafeSQL: level == 0 ? "COMMIT" : "RELEASE SAVEPOINT upstream_\(level)"))
            return result
        } catch {
            if level == 0 {
                try? execute("ROLLBACK")
            } else {
                try? execute(PostgresQuery(unsafeSQL: "ROLLBACK TO SAVEPOINT upstream_\(level)"))
                try? execute(PostgresQuery(unsafeSQL: "RELEASE SAVEPOINT upstream_\(level)"))
            }
            throw error
        }
    }

    /// Calls `body` with each row of `query`, fetched through a server-side cursor a batch at a time.
    func forEachRow(_ query: PostgresQuery, _ body: (PostgresRow) throws -> Void) throws {
        try transaction(write: false) {
            let cursor = "upstream_cursor_\(depth)"
            try execute(PostgresQuery(unsafeSQL: "DECLARE \(cursor) NO SCROLL CURSOR FOR " + query.sql, binds: query.binds))
            while true {
                let batch = try rows(PostgresQuery(unsafeSQL: "FETCH FORWARD \(fetchBatch) FROM \(cursor)"))
                for row in batch { try body(row) }
                if batch.count < fetchBatch { break }
            }
            try execute(PostgresQuery(unsafeSQL: "CLOSE \(cursor)"))
        }
    }

    static func mapped(_ error: any Error) -> any Error {
        if error is StoreError || error is PostgresStoreError { return error }
        return PostgresStoreError.server(describe(error))
    }

    /// What went wrong, in words that never include a value: the SQLSTATE and message, not the detail.
    static func describe(_ error: any Error) -> String {
        guard let e = error as? PSQLError else { return String(describing: type(of: error)) }
        if let info = e.serverInfo {
            return [info[.sqlState].map { "SQLSTATE \($0)" }, info[.message]].compactMap { $0 }.joined(separator: ": ")
        }
        if let underlying = e.underlying { return "\(e.code): \(underlying)" }
        return "\(e.code)"
    }

    /// `body`'s value; any error but a ``StoreError`` becomes ``StoreError/corrupt(_:)`` naming `what` (built only
    /// then: this runs for every cell of every row read).
    static func decoding<T>(_ what: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StoreError { throw e } catch { throw StoreError.corrupt(what()) }
    }

    // MARK: Migrations

    /// Applies the migrations this database has not had, in order, each recorded in `schema_migrations`.
    func migrate() throws {
        try transaction(write: true) {
            try execute(PostgresQuery(unsafeSQL:
                "CREATE TABLE IF NOT EXISTS \(PostgresSchema.migrationsTable) (identifier TEXT NOT NULL PRIMARY KEY)"))
            let applied = Set(try appliedIdentifiers())
            let known = Set(PostgresSchema.migrations.map(\.name))
            if let unknown = applied.subtracting(known).sorted().first {
                throw StoreError.unsupportedSchema("migration '\(unknown)' was applied by a newer version of Upstream")
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                for statement in migration.statements { try execute(PostgresQuery(unsafeSQL: statement)) }
                try execute("INSERT INTO schema_migrations (identifier) VALUES (\(migration.name))")
            }
        }
    }

    func appliedIdentifiers() throws -> [String] {
        try rows(PostgresQuery(unsafeSQL: "SELECT identifier FROM \(PostgresSchema.migrationsTable)")).map { row in
            try Self.decoding("schema_migrations") { try row.first!.decode(String.self) }
        }
    }

    /// The names of the migrations this database has had, in the order they are defined.
    public func appliedMigrations() throws -> [String] {
        let applied = Set(try appliedIdentifiers())
        return PostgresSchema.migrations.map(\.name).filter(applied.contains)
    }

    /// Drops this store's schema and everything in it (for tests and benchmarks that made a schema of their own).
    /// - Throws: `StoreError.unsupportedSchema` when the store is not in a schema named by its URL.
    public func dropSchema() throws {
        guard let schema = location.schema else { throw StoreError.unsupportedSchema("no ?schema= in the URL; refusing to drop public") }
        try execute(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
    }

    // MARK: Loading

    /// Buffers a delivery's rows as COPY text and sends them a chunk at a time, inside the delivery's transaction.
    ///
    /// Whether a record id is new is answered from the ids the source already held when the delivery began plus
    /// those appended since (writers hold the store's lock, so nobody else adds any meanwhile): `COPY` cannot skip
    /// a conflicting row the way SQLite's `ON CONFLICT DO NOTHING` does.
    final class Writer: DeliveryWriter {
        let store: PostgresStore
        let deliveryID: Int64
        var known: [String: Set<String>] = [:]
        var records: CopyText
        var quarantined = CopyText(capacity: 65_536)

        init(store: PostgresStore, deliveryID: Int64) {
            self.store = store; self.deliveryID = deliveryID
            records = CopyText(capacity: store.copyChunkBytes + 65_536)
        }

        func append(_ stored: StoredRecord, extrasJSON: String?) throws -> Bool {
            let source = stored.record.source
            if known[source] == nil { known[source] = try store.recordIDs(source: source) }
            guard known[source]!.insert(stored.record.recordID).inserted else { return false }
            records.record(stored, deliveryID: deliveryID, extrasJSON: extrasJSON)
            if records.bytes.count >= store.copyChunkBytes { try flushRecords() }
            return true
        }

        func quarantine(_ row: QuarantinedRow) throws {
            quarantined.quarantine(row, deliveryID: deliveryID)
            if quarantined.bytes.count >= store.copyChunkBytes { try flushQuarantine() }
        }

        func flushRecords() throws {
            guard !records.isEmpty else { return }
            try store.copy(into: "records", columns: PostgresSchema.recordColumns, records.bytes)
            records.removeAll()
        }

        func flushQuarantine() throws {
            guard !quarantined.isEmpty else { return }
            try store.copy(into: "quarantine", columns: PostgresSchema.quarantineColumns, quarantined.bytes)
            quarantined.removeAll()
        }
    }

    func recordIDs(source: String) throws -> Set<String> {
        var ids = Set<String>()
        try forEachRow("SELECT record_id FROM records WHERE source = \(source)") { row in
            ids.insert(try Self.decoding("records.record_id") { try row.first!.decode(String.self) })
        }
        return ids
    }

    public func loadDelivery(
        _ delivery: Delivery, source: SourceInfo, replacing: Bool,
        _ body: (any DeliveryWriter) throws -> DeliveryCounts
    ) throws -> DeliveryOutcome {
        let (outcome, last) = try transaction(write: true) { () throws -> (DeliveryOutcome, AuditEntry?) in
            if let existing = try liveDelivery(source: delivery.source, sha: delivery.fileSHA256, spec: delivery.specSHA256) {
                return (.alreadyLoaded(existing), nil)
            }
            var last: AuditEntry?
            try execute("""
                INSERT INTO sources (name, agency, owner, legal_basis, retention_years, retention_from)
                VALUES (\(source.name), \(source.agency.rawValue), \(source.owner), \(source.legalBasis),
                  \(Int64(source.retention.years)), \(source.retention.from.rawValue))
                ON CONFLICT (name) DO UPDATE SET agency = excluded.agency, owner = excluded.owner,
                  legal_basis = excluded.legal_basis, retention_years = excluded.retention_years,
                  retention_from = excluded.retention_from
                """)
            let id = try scalar("""
                INSERT INTO deliveries (source, file_name, file_sha256, loaded_at, spec_sha256)
                VALUES (\(delivery.source), \(delivery.fileName), \(delivery.fileSHA256), \(delivery.loadedAt),
                  \(delivery.specSHA256)) RETURNING id
                """)
            var superseded: [Int64] = []
            var removed = 0
            if replacing {
                superseded = try rows("""
                    SELECT id FROM deliveries WHERE source = \(delivery.source) AND superseded_by IS NULL AND id <> \(id)
                    ORDER BY id
                    """).map { row in try Self.decoding("deliveries.id") { try row.first!.decode(Int64.self) } }
                if !superseded.isEmpty {
                    removed = Int(try scalar(
                        "WITH gone AS (DELETE FROM records WHERE source = \(delivery.source) RETURNING 1) SELECT count(*) FROM gone"))
                    try execute("DELETE FROM quarantine WHERE source = \(delivery.source)")
                    try execute("""
                        UPDATE deliveries SET superseded_by = \(id)
                        WHERE source = \(delivery.source) AND superseded_by IS NULL AND id <> \(id)
                        """)
                }
            } else {
                // The same file read before under another spec (say, a wrong one that quarantined every row):
                // this read supersedes that attempt, which stays in the deliveries and the audit trail.
                superseded = try rows("""
                    SELECT id FROM deliveries
                    WHERE source = \(delivery.source) AND file_sha256 = \(delivery.fileSHA256) AND superseded_by IS NULL
                      AND id <> \(id)
                    ORDER BY id
                    """).map { row in try Self.decoding("deliveries.id") { try row.first!.decode(Int64.self) } }
                for old in superseded {
                    removed += Int(try scalar(
                        "WITH gone AS (DELETE FROM records WHERE delivery_id = \(old) RETURNING 1) SELECT count(*) FROM gone"))
                    try execute("DELETE FROM quarantine WHERE delivery_id = \(old)")
                    try execute("UPDATE deliveries SET superseded_by = \(id) WHERE id = \(old)")
                }
            }
            if !superseded.isEmpty {
                last = try log(at: delivery.loadedAt, action: "supersede", source: delivery.source, count: removed,
                               detail: SupersedeDetail.text(superseded: superseded, by: id, replacing: replacing, delivery: delivery))
            }
            let writer = Writer(store: self, deliveryID: id)
            let c = try body(writer)
            try writer.flushRecords()
            try writer.flushQuarantine()
            try execute("""
                UPDATE deliveries SET rows_read = \(Int64(c.rowsRead)), loaded = \(Int64(c.loaded)),
                  quarantined = \(Int64(c.quarantined)), blank_lines = \(Int64(c.blankLines)),
                  nhs_invalid = \(Int64(c.nhsNumberInvalid)), upn_invalid = \(Int64(c.upnInvalid)),
                  dob_placeholder = \(Int64(c.dateOfBirthPlaceholder)), dob_after_event = \(Int64(c.dateOfBirthAfterEvent))
                WHERE id = \(id)
                """)
            last = try log(at: delivery.loadedAt, action: "ingest", source: delivery.source, count: c.loaded,
                           detail: "delivery \(id) sha256 \(delivery.fileSHA256) read \(c.rowsRead) quarantined \(c.quarantined)")
            return (.loaded(DeliverySummary(id: id, delivery: delivery, counts: c, supersededBy: nil),
                            superseded: superseded, supersededRecords: removed), last)
        }
        if let last { try sealer?.didAppend(last) }
        return outcome
    }

    /// Appends an entry written by the store itself (a load, supersession or retention action) to the trail.
    func log(at: Int64, action: String, source: String?, count: Int, detail: String) throws -> AuditEntry {
        let event = AuditEvent(at: at, actor: sealer?.actor ?? .unknown, action: action, subject: source ?? "",
                               source: source, count: count, detail: detail)
        return try appendTrail([event]).last!
    }

    /// Appends `events` to the chained trail; the caller holds a writing transaction. The first append imports the
    /// v1 log, as the SQLite adapter does.
    func appendTrail(_ events: [AuditEvent]) throws -> [AuditEntry] {
        var lastSeq: Int64 = 0
        var previous = AuditEntry.genesis
        if let row = try rows("SELECT seq, mac FROM audit_trail ORDER BY seq DESC LIMIT 1").first {
            (lastSeq, previous) = try Self.decoding("audit_trail") { try row.decode((Int64, String).self) }
        }
        var all = events
        if lastSeq == 0 {
            let legacy = try rows("SELECT id, at, action, source, count, detail FROM audit_log_v1 ORDER BY id").map { row in
                let (id, at, action, source, count, detail) = try Self.decoding("audit_log_v1") {
                    try row.decode((Int64, Int64, String, String?, Int, String).self)
                }
                return AuditEvent(at: at, actor: AuditActor(name: "unknown (audit log v1)", kind: .system, role: ""),
                                  action: action, subject: source ?? "", source: source, count: count,
                                  detail: "imported from the v1 audit log (entry \(id)): " + detail)
            }
            if !legacy.isEmpty {
                all = legacy + events
                try execute("DELETE FROM audit_log_v1")
            }
        }
        var out: [AuditEntry] = []
        out.reserveCapacity(all.count)
        for e in all {
            lastSeq += 1
            let mac = sealer?.mac(seq: lastSeq, event: e, previousMAC: previous) ?? ""
            try execute("""
                INSERT INTO audit_trail (seq, at, actor, actor_kind, role, action, subject, source, count, reason, detail,
                  previous_mac, mac)
                VALUES (\(lastSeq), \(e.at), \(e.actor.name), \(e.actor.kind.rawValue), \(e.actor.role), \(e.action),
                  \(e.subject), \(e.source), \(Int64(e.count)), \(e.reason), \(e.detail), \(previous), \(mac))
                """)
            out.append(AuditEntry(seq: lastSeq, event: e, previousMAC: previous, mac: mac))
            previous = mac
        }
        return Array(out.suffix(events.count))
    }

    static let deliveryColumns = """
        id, source, file_name, file_sha256, loaded_at, rows_read, loaded, quarantined, blank_lines, nhs_invalid,
        upn_invalid, dob_placeholder, superseded_by, spec_sha256, dob_after_event
        """

    func liveDelivery(source: String, sha: String, spec: String?) throws -> DeliverySummary? {
        var q: PostgresQuery = "SELECT \(unescaped: Self.deliveryColumns) FROM deliveries "
        q.sql += "WHERE source = $1 AND file_sha256 = $2 AND spec_sha256 IS NOT DISTINCT FROM $3 AND superseded_by IS NULL"
        q.binds.append(source); q.binds.append(sha); q.binds.append(spec)
        return try rows(q).first.map(Self.delivery(from:))
    }

    static func delivery(from row: PostgresRow) throws -> DeliverySummary {
        try decoding("deliveries") {
            let (id, source, fileName, sha, loadedAt, read, loaded, quarantined, blank, nhs, upn, dob, supersededBy, spec, after) =
                try row.decode((Int64, String, String, String, Int64, Int, Int, Int, Int, Int, Int, Int, Int64?, String?, Int).self)
            var c = DeliveryCounts()
            c.rowsRead = read; c.loaded = loaded; c.quarantined = quarantined; c.blankLines = blank
            c.nhsNumberInvalid = nhs; c.upnInvalid = upn; c.dateOfBirthPlaceholder = dob; c.dateOfBirthAfterEvent = after
            return DeliverySummary(
                id: id,
                delivery: Delivery(source: source, fileName: fileName, fileSHA256: sha, loadedAt: loadedAt, specSHA256: spec),
                counts: c, supersededBy: supersededBy)
        }
    }

    // MARK: Reading

    public func sources() throws -> [SourceInfo] {
        try rows("""
            SELECT name, agency, owner, legal_basis, retention_years, retention_from FROM sources ORDER BY name COLLATE "C"
            """).map(Self.source(from:))
    }

    static func source(from row: PostgresRow) throws -> SourceInfo {
        let (name, agencyCode, owner, basis, years, fromCode) = try decoding("sources") {
            try row.decode((String, String, String, String, Int, String).self)
        }
        guard let agency = Agency(rawValue: agencyCode) else { throw StoreError.corrupt("sources.agency") }
        guard let from = RetentionPolicy.Anchor(rawValue: fromCode) else { throw StoreError.corrupt("sources.retention_from") }
        return SourceInfo(name: name, agency: agency, owner: owner, legalBasis: basis,
                          retention: RetentionPolicy(years: years, from: from))
    }

    public func deliveries(source: String?) throws -> [DeliverySummary] {
        var q: PostgresQuery = "SELECT \(unescaped: Self.deliveryColumns) FROM deliveries "
        q.sql += "WHERE $1::text IS NULL OR source = $1 ORDER BY id"
        q.binds.append(source)
        return try rows(q).map(Self.delivery(from:))
    }

    public func sourceCounts() throws -> [SourceCount] {
        try rows("""
            SELECT s.name, s.agency,
              (SELECT count(*) FROM records r WHERE r.source = s.name) AS records,
              (SELECT count(*) FROM records r WHERE r.source = s.name AND r.person_level) AS person_records,
              (SELECT count(*) FROM quarantine q WHERE q.source = s.name) AS quarantined,
              (SELECT count(*) FROM deliveries d WHERE d.source = s.name AND d.superseded_by IS NULL) AS deliveries
            FROM sources s ORDER BY s.name COLLATE "C"
            """).map { row in
            let (name, code, records, person, quarantined, deliveries) = try Self.decoding("sources") {
                try row.decode((String, String, Int, Int, Int, Int).self)
            }
            guard let agency = Agency(rawValue: code) else { throw StoreError.corrupt("sources.agency") }
            return SourceCount(source: name, agency: agency, records: records, personRecords: person,
                               quarantined: quarantined, deliveries: deliveries)
        }
    }

    public func forEachRecord(source: String?, personLevelOnly: Bool, _ body: (StoredRecord) throws -> Void) throws {
        var q = PostgresQuery(unsafeSQL: PostgresSchema.selectRecord
            + " WHERE ($1::text IS NULL OR r.source = $1) AND (NOT $2::boolean OR r.person_level) ORDER BY r.id")
        q.binds.append(source); q.binds.append(personLevelOnly)
        try forEachRow(q) { row in try body(try Self.record(from: row)) }
    }

    /// A stored record from ``PostgresSchema/selectRecord``'s columns, after the row's first `skipping` cells.
    static func record(from row: PostgresRow, skipping: Int = 0) throws -> StoredRecord {
        var cells = row.makeIterator()
        for _ in 0..<skipping { _ = cells.next() }
        func cell(_ column: StaticString) throws -> PostgresCell {
            guard let cell = cells.next() else { throw StoreError.corrupt("records.\(column)") }
            return cell
        }
        func next<T: PostgresDecodable>(_: T.Type, _ column: StaticString) throws -> T {
            let c = try cell(column)
            return try decoding("records.\(column)") { try c.decode(T.self) }
        }
        // Most cells are text or NULL: read those straight from their bytes (a text value is its UTF-8 in either
        // format), and leave everything else to postgres-nio's decoders.
        func text(_ column: StaticString) throws -> String? {
            let c = try cell(column)
            guard let bytes = c.bytes else { return nil }
            if c.dataType == .text || c.dataType == .varchar { return String(buffer: bytes) }
            return try decoding("records.\(column)") { try c.decode(String.self) }
        }
        func requiredText(_ column: StaticString) throws -> String {
            guard let t = try text(column) else { throw StoreError.corrupt("records.\(column)") }
            return t
        }
        func optional<T: PostgresDecodable>(_: T.Type, _ column: StaticString) throws -> T? {
            let c = try cell(column)
            guard c.bytes != nil else { return nil }
            return try decoding("records.\(column)") { try c.decode(T.self) }
        }
        func day(_ column: StaticString) throws -> CivilDate? {
            try optional(Int64.self, column).map { CivilDate(dayNumber: Int32(truncatingIfNeeded: $0)) }
        }
        let source = try requiredText("source"), recordID = try requiredText("record_id")
        let agency = try StoredCodes.agency(try requiredText("agency"))
        let personLevel = try next(Bool.self, "person_level"), line = try next(Int.self, "line")
        let forename = try text("forename"), middle = try text("middle_names")
        let surname = try text("surname"), dob = try day("dob")
        let sex = try StoredCodes.sex(try text("sex"))
        let postcode = try text("postcode"), ethnicity = try text("ethnicity")
        let nhs = try text("nhs_number"), nhsValid = try optional(Bool.self, "nhs_valid")
        let upn = try text("upn"), pnc = try text("pnc_id")
        let local = try text("local_id")
        let kindCode = try text("event_kind"), eventDate = try day("event_date")
        let minute = try optional(Int.self, "minute_of_day"), endDate = try day("end_date")
        let roleCode = try text("role"), area = try text("area")
        let offence = try text("offence_code"), crimeFlags = try optional(Int64.self, "crime_flags")
        let detail = try text("detail"), reference = try text("reference")
        let recordFlags = try next(Int.self, "record_flags"), extrasText = try text("extras")
        let address = try text("address"), recordedDate = try day("recorded_date")
        let fileName = try requiredText("file_name"), sha = try requiredText("file_sha256")
        let loadedAt = try next(Int64.self, "loaded_at")

        let identity = Identity(
            forename: forename, middleNames: middle, surname: surname, dateOfBirth: dob, sex: sex, postcode: postcode,
            ethnicity: ethnicity, nhsNumber: nhs, nhsNumberValid: nhsValid, upn: upn, pncID: pnc, localID: local,
            address: address)
        var event: Event?
        if let e = try StoredCodes.event(kind: kindCode, date: eventDate) {
            let role = try StoredCodes.role(roleCode)
            event = Event(kind: e.kind, date: e.date, minuteOfDay: minute, endDate: endDate, role: role, area: area,
                          offenceCode: offence, flags: CrimeFlags(rawValue: UInt16(truncatingIfNeeded: crimeFlags ?? 0)),
                          detail: detail, reference: reference, recordedDate: recordedDate)
        }
        let provenance = Provenance(source: source, fileName: fileName, fileSHA256: sha, line: line, loadedAt: loadedAt)
        let record = SourceRecord(source: source, recordID: recordID, agency: agency, identity: identity, event: event,
                                  provenance: provenance)
        return StoredRecord(record: record, personLevel: personLevel, flags: RecordFlags(rawValue: recordFlags),
                            extras: extrasText.map(ExtrasJSON.decode) ?? [:])
    }

    public func quarantineGroups(source: String?) throws -> [QuarantineGroup] {
        // NULLS FIRST and the "C" collation give SQLite's (and Swift's) order.
        try rows("""
            SELECT source, reason, field, count(*) FROM quarantine WHERE \(source)::text IS NULL OR source = \(source)
            GROUP BY source, reason, field
            ORDER BY source COLLATE "C", reason COLLATE "C", field COLLATE "C" NULLS FIRST
            """).map { row in
            let (s, reason, field, n) = try Self.decoding("quarantine") { try row.decode((String, String, String?, Int).self) }
            return QuarantineGroup(source: s, reason: reason, field: field, count: n)
        }
    }

    public func forEachQuarantinedRow(source: String?, reason: String?, _ body: (QuarantinedRow) throws -> Void) throws {
        let q: PostgresQuery = """
            SELECT q.source, d.file_name, d.file_sha256, q.line, q.raw, q.reason, q.field, d.loaded_at
            FROM quarantine q JOIN deliveries d ON d.id = q.delivery_id
            WHERE (\(source)::text IS NULL OR q.source = \(source)) AND (\(reason)::text IS NULL OR q.reason = \(reason))
            ORDER BY q.id
            """
        try forEachRow(q) { row in
            let (s, fileName, sha, line, raw, reason, field, loadedAt) = try Self.decoding("quarantine") {
                try row.decode((String, String, String, Int, ByteBuffer, String, String?, Int64).self)
            }
            try body(QuarantinedRow(source: s, fileName: fileName, fileSHA256: sha, line: line,
                                    raw: Array(raw.readableBytesView), reason: reason, field: field, loadedAt: loadedAt))
        }
    }

    // MARK: Retention

    func due(asOf: CivilDate) throws -> [RetentionDue] {
        try sources().compactMap { info -> RetentionDue? in
            let cutoff = info.retention.cutoff(asOf: asOf)
            var q = PostgresQuery(unsafeSQL: "SELECT count(*) FROM records WHERE " + PostgresSchema.anchorBefore(info.retention.from))
            q.binds.append(info.name); q.binds.append(Int64(cutoff.dayNumber))
            let n = Int(try scalar(q))
            return n == 0 ? nil : RetentionDue(source: info.name, policy: info.retention, cutoff: cutoff, records: n)
        }
    }

    public func retentionDue(asOf: CivilDate) throws -> [RetentionDue] {
        try transaction(write: false) { try due(asOf: asOf) }
    }

    public func applyRetention(asOf: CivilDate, at: Int64) throws -> [RetentionDue] {
        let (due, last) = try transaction(write: true) { () throws -> ([RetentionDue], AuditEntry?) in
            let due = try self.due(asOf: asOf)
            var last: AuditEntry?
            for d in due {
                var q = PostgresQuery(unsafeSQL: "WITH gone AS (DELETE FROM records WHERE "
                    + PostgresSchema.anchorBefore(d.policy.from) + " RETURNING 1) SELECT count(*) FROM gone")
                q.binds.append(d.source); q.binds.append(Int64(d.cutoff.dayNumber))
                let deleted = Int(try scalar(q))
                last = try log(at: at, action: "retention_delete", source: d.source, count: deleted,
                               detail: "as of \(asOf.iso): anchored before \(d.cutoff.iso) (\(d.policy.years) years from \(d.policy.from.rawValue))")
            }
            return (due, last)
        }
        if let last { try sealer?.didAppend(last) }
        return due
    }

    // MARK: The audit trail

    public func appendAudit(_ events: [AuditEvent]) throws -> [AuditEntry] {
        guard !events.isEmpty else { return [] }
        let entries = try transaction(write: true) { try appendTrail(events) }
        if let last = entries.last { try sealer?.didAppend(last) }
        return entries
    }

    public func forEachAuditEntry(_ body: (AuditEntry) throws -> Void) throws {
        try transaction(write: false) {
            try forEachRow("""
                SELECT seq, at, actor, actor_kind, role, action, subject, source, count, reason, detail, previous_mac, mac
                FROM audit_trail ORDER BY seq
                """) { row in
                let (seq, at, actor, kindText, role, action, subject, source, count, reason, detail, previous, mac) =
                    try Self.decoding("audit_trail") {
                        try row.decode((Int64, Int64, String, String, String, String, String, String?, Int, String, String,
                                        String, String).self)
                    }
                guard let kind = AuditActor.Kind(rawValue: kindText) else {
                    throw StoreError.corrupt("audit_trail entry \(seq): actor_kind is not self-asserted, authenticated or system")
                }
                let event = AuditEvent(at: at, actor: AuditActor(name: actor, kind: kind, role: role), action: action,
                                       subject: subject, source: source, count: count, reason: reason, detail: detail)
                try body(AuditEntry(seq: seq, event: event, previousMAC: previous, mac: mac))
            }
        }
    }

    public func auditCount() throws -> Int {
        Int(try scalar("SELECT count(*) FROM audit_trail"))
    }
}
