import Foundation
import PostgresNIO
import UpstreamModel
import UpstreamStore

/// Persons, runs, review queues, scores and offers on the server (migration v5, docs/stores.md). A linkage run's
/// persons and assignments, and a scoring run's scores, go to the server with `COPY`, inside the run's transaction.
extension PostgresStore: PersonStore {
    /// Sends COPY text in chunks of about ``copyChunkBytes``.
    struct CopyBatch {
        let store: PostgresStore
        let table: String
        let columns: [String]
        var text: CopyText

        init(_ store: PostgresStore, _ table: String, _ columns: [String]) {
            self.store = store; self.table = table; self.columns = columns
            text = CopyText(capacity: min(store.copyChunkBytes, 1 << 20) + 4096)
        }

        mutating func rowDone() throws {
            text.endRow()
            if text.bytes.count >= store.copyChunkBytes { try flush() }
        }

        mutating func flush() throws {
            guard !text.isEmpty else { return }
            try store.copy(into: table, columns: columns, text.bytes)
            text.removeAll()
        }
    }

    // MARK: Linkage runs and persons

    public func saveLinkageRun<C: Collection>(_ run: LinkageRunInfo, assignments: C, review: [StoredReviewItem]?,
                                              pseudonym: (PersonID) -> String) throws -> LinkageRunInfo where C.Element == PersonAssignment {
        let persons = try PersonRows.persons(assignments, pseudonym: pseudonym)
        return try transaction(write: true) {
            let id = try scalar("""
                INSERT INTO linkage_runs (finished_at, run_by, records, persons, model, detail)
                VALUES (\(run.finishedAt), \(run.by), \(Int64(run.records)), \(Int64(run.persons)), \(run.modelJSON),
                  \(run.detailJSON)) RETURNING id
                """)
            // The previous run's persons give way to this run's, in this same transaction.
            try execute("DELETE FROM assignments")
            try execute("DELETE FROM persons")
            var p = CopyBatch(self, "persons", PostgresSchema.personColumns)
            for x in persons {
                p.text.text(x.person.rawValue); p.text.text(x.pseudonym); p.text.int(Int64(x.records)); p.text.int(id)
                try p.rowDone()
            }
            try p.flush()
            var a = CopyBatch(self, "assignments", PostgresSchema.assignmentColumns)
            for x in assignments {
                a.text.text(x.record.source); a.text.text(x.record.recordID); a.text.text(x.person.rawValue)
                a.text.double(x.probability)
                try a.rowDone()
            }
            try a.flush()
            if let review {
                try execute("DELETE FROM review_items WHERE queue = \(ReviewQueueName.linkagePairs.rawValue) AND pending")
                for i in review {
                    try execute("""
                        INSERT INTO review_items (queue, subject, pending, updated_at, state)
                        VALUES (\(ReviewQueueName.linkagePairs.rawValue), \(i.subject), \(i.pending), \(i.updatedAt), \(i.stateJSON))
                        ON CONFLICT (queue, subject) DO NOTHING
                        """)
                }
            }
            CrashTestHook.stallBeforeCommit("linkage_runs")
            var stored = run
            stored.id = id
            return stored
        }
    }

    static let linkageRunColumns = "id, finished_at, run_by, records, persons, model, detail"

    static func linkageRun(_ row: PostgresRow) throws -> LinkageRunInfo {
        try decoding("linkage_runs") {
            let (id, at, by, records, persons, model, detail) = try row.decode((Int64, Int64, String, Int, Int, Data, Data).self)
            return LinkageRunInfo(id: id, finishedAt: at, by: by, records: records, persons: persons, modelJSON: model, detailJSON: detail)
        }
    }

    public func linkageRuns() throws -> [LinkageRunInfo] {
        try rows("SELECT \(unescaped: Self.linkageRunColumns) FROM linkage_runs ORDER BY id").map(Self.linkageRun)
    }

    public func currentLinkageRun() throws -> LinkageRunInfo? {
        try rows("SELECT \(unescaped: Self.linkageRunColumns) FROM linkage_runs ORDER BY id DESC LIMIT 1").first.map(Self.linkageRun)
    }

    public func forEachAssignment(_ body: (PersonAssignment) throws -> Void) throws {
        try forEachRow("""
            SELECT person_id, source, record_id, probability FROM assignments
            ORDER BY person_id, source COLLATE "C", record_id COLLATE "C"
            """) { row in
            let (person, source, id, p) = try Self.decoding("assignments") { try row.decode((String, String, String, Double?).self) }
            try body(PersonAssignment(record: RecordKey(source: source, recordID: id), person: PersonID(person), probability: p))
        }
    }

    public func person(of record: RecordKey) throws -> PersonID? {
        try rows("SELECT person_id FROM assignments WHERE source = \(record.source) AND record_id = \(record.recordID)").first.map { row in
            PersonID(try Self.decoding("assignments.person_id") { try row.decode(String.self) })
        }
    }

    static func summary(_ row: PostgresRow) throws -> PersonSummary {
        try decoding("persons") {
            let (id, pseudonym, records) = try row.decode((String, String, Int).self)
            return PersonSummary(person: PersonID(id), pseudonym: pseudonym, records: records)
        }
    }

    public func person(pseudonym: String) throws -> PersonSummary? {
        try rows("SELECT id, pseudonym, records FROM persons WHERE pseudonym = \(pseudonym)").first.map(Self.summary)
    }

    public func personSummary(_ person: PersonID) throws -> PersonSummary? {
        try rows("SELECT id, pseudonym, records FROM persons WHERE id = \(person.rawValue)").first.map(Self.summary)
    }

    public func records(of person: PersonID) throws -> [StoredRecord] {
        var q = PostgresQuery(unsafeSQL: PostgresSchema.selectPersonRecord + " WHERE a.person_id = $1 ORDER BY r.id")
        q.binds.append(person.rawValue)
        return try rows(q).map { try Self.record(from: $0, skipping: 1) }
    }

    /// One query, ordered by person, read through a server-side cursor a batch at a time; each row's first cell is
    /// its person, so a person's group ends where that cell changes.
    public func forEachPerson(_ body: (PersonID, [StoredRecord]) throws -> Void) throws {
        var current: String?
        var group: [StoredRecord] = []
        try forEachRow(PostgresQuery(unsafeSQL: PostgresSchema.selectPersonRecord + " ORDER BY a.person_id, r.id")) { row in
            var cells = row.makeIterator()
            guard let first = cells.next() else { throw StoreError.corrupt("assignments.person_id") }
            let p = try Self.decoding("assignments.person_id") { try first.decode(String.self) }
            if p != current {
                if let c = current { try body(PersonID(c), group) }
                current = p
                group.removeAll(keepingCapacity: true)
            }
            group.append(try Self.record(from: row, skipping: 1))
        }
        if let c = current { try body(PersonID(c), group) }
    }

    public func neighbours(of person: PersonID) throws -> [PersonSummary] {
        try rows("""
            SELECT p.id, p.pseudonym, p.records FROM persons p WHERE p.id IN (
              SELECT a2.person_id FROM assignments a
              JOIN records r ON r.source = a.source AND r.record_id = a.record_id
              JOIN records r2 ON r2.postcode = r.postcode
              JOIN assignments a2 ON a2.source = r2.source AND a2.record_id = r2.record_id
              WHERE a.person_id = \(person.rawValue) AND r.postcode IS NOT NULL AND r2.person_level
                AND a2.person_id <> \(person.rawValue))
            ORDER BY p.id
            """).map(Self.summary)
    }

    // MARK: Review queues

    public func saveReviewItems(_ items: [StoredReviewItem]) throws {
        guard !items.isEmpty else { return }
        try transaction(write: true) { try upsert(items) }
    }

    func upsert(_ items: [StoredReviewItem]) throws {
        for i in items {
            try execute("""
                INSERT INTO review_items (queue, subject, pending, updated_at, state)
                VALUES (\(i.queue.rawValue), \(i.subject), \(i.pending), \(i.updatedAt), \(i.stateJSON))
                ON CONFLICT (queue, subject) DO UPDATE SET pending = excluded.pending, updated_at = excluded.updated_at,
                  state = excluded.state
                """)
        }
    }

    static func reviewItem(_ row: PostgresRow) throws -> StoredReviewItem {
        let (q, subject, pending, at, state) = try decoding("review_items") { try row.decode((String, String, Bool, Int64, Data).self) }
        guard let queue = ReviewQueueName(rawValue: q) else { throw StoreError.corrupt("review_items.queue") }
        return StoredReviewItem(queue: queue, subject: subject, pending: pending, updatedAt: at, stateJSON: state)
    }

    public func reviewItems(_ queue: ReviewQueueName, pendingOnly: Bool) throws -> [StoredReviewItem] {
        try rows("""
            SELECT queue, subject, pending, updated_at, state FROM review_items
            WHERE queue = \(queue.rawValue) AND (NOT \(pendingOnly) OR pending) ORDER BY subject
            """).map(Self.reviewItem)
    }

    public func reviewItem(_ queue: ReviewQueueName, subject: String) throws -> StoredReviewItem? {
        try rows("""
            SELECT queue, subject, pending, updated_at, state FROM review_items WHERE queue = \(queue.rawValue) AND subject = \(subject)
            """).first.map(Self.reviewItem)
    }

    // MARK: Risk runs and scores

    public func saveRiskRun(_ run: RiskRunInfo, scores: [PersonScore]) throws -> RiskRunInfo {
        try PersonRows.checkScores(scores)
        return try transaction(write: true) {
            let id = try scalar("""
                INSERT INTO risk_runs (kind, model_id, as_of, finished_at, run_by, model, report, linkage_run, detail)
                VALUES (\(run.kind.rawValue), \(run.modelID), \(Int64(run.asOf.dayNumber)), \(run.finishedAt), \(run.by),
                  \(run.modelJSON), \(run.reportJSON), \(run.linkageRun), \(run.detailJSON)) RETURNING id
                """)
            var batch = CopyBatch(self, "scores", PostgresSchema.scoreColumns)
            for s in scores {
                batch.text.int(id); batch.text.text(s.person.rawValue); batch.text.int(Int64(s.asOf.dayNumber))
                batch.text.double(s.score); batch.text.int(Int64(s.rank)); batch.text.int(s.age.map(Int64.init))
                batch.text.bool(s.flagged); batch.text.bytea(PersonRows.reasonsJSON(s))
                try batch.rowDone()
            }
            try batch.flush()
            CrashTestHook.stallBeforeCommit("risk_runs")
            var stored = run
            stored.id = id
            return stored
        }
    }

    static let riskRunColumns = "id, kind, model_id, as_of, finished_at, run_by, model, report, linkage_run, detail"

    static func riskRun(_ row: PostgresRow) throws -> RiskRunInfo {
        let (id, k, modelID, asOf, at, by, model, report, linkage, detail) = try decoding("risk_runs") {
            try row.decode((Int64, String, String, Int64, Int64, String, Data, Data, Int64?, Data).self)
        }
        guard let kind = RiskRunInfo.Kind(rawValue: k) else { throw StoreError.corrupt("risk_runs.kind") }
        return RiskRunInfo(id: id, kind: kind, modelID: modelID, asOf: CivilDate(dayNumber: Int32(truncatingIfNeeded: asOf)),
                           finishedAt: at, by: by, modelJSON: model, reportJSON: report, linkageRun: linkage,
                           detailJSON: detail)
    }

    public func riskRuns() throws -> [RiskRunInfo] {
        try rows("SELECT \(unescaped: Self.riskRunColumns) FROM risk_runs ORDER BY id").map(Self.riskRun)
    }

    public func latestRiskRun(_ kind: RiskRunInfo.Kind) throws -> RiskRunInfo? {
        try rows("SELECT \(unescaped: Self.riskRunColumns) FROM risk_runs WHERE kind = \(kind.rawValue) ORDER BY id DESC LIMIT 1")
            .first.map(Self.riskRun)
    }

    static let scoreColumns = "run_id, person_id, as_of, score, rank, age, flagged, reasons"

    static func score(_ row: PostgresRow) throws -> PersonScore {
        let (run, person, asOf, score, rank, age, flagged, reasons) = try decoding("scores") {
            try row.decode((Int64, String, Int64, Double, Int, Int?, Bool, Data).self)
        }
        let r = try PersonRows.reasons(reasons)
        return PersonScore(run: run, person: PersonID(person), asOf: CivilDate(dayNumber: Int32(truncatingIfNeeded: asOf)),
                           score: score, rank: rank, age: age, flagged: flagged, raising: r.raising, lowering: r.lowering)
    }

    public func scores(run: Int64) throws -> [PersonScore] {
        try rows("SELECT \(unescaped: Self.scoreColumns) FROM scores WHERE run_id = \(run) ORDER BY rank, person_id").map(Self.score)
    }

    public func scores(of person: PersonID) throws -> [PersonScore] {
        try rows("SELECT \(unescaped: Self.scoreColumns) FROM scores WHERE person_id = \(person.rawValue) ORDER BY run_id").map(Self.score)
    }

    // MARK: Offers

    public func saveOffers(_ offers: [StoredOffer]) throws -> [StoredOffer] {
        try transaction(write: true) { try insert(offers) }
    }

    /// Inserts `offers` in the open transaction, returning them with their ids.
    func insert(_ offers: [StoredOffer]) throws -> [StoredOffer] {
        try offers.map { o in
            var x = o
            x.id = try scalar("""
                INSERT INTO offers (person_id, programme, cost, status, created_at, detail)
                VALUES (\(o.person.rawValue), \(o.programme), \(o.cost), \(o.status), \(o.createdAt), \(o.detailJSON)) RETURNING id
                """)
            return x
        }
    }

    public func updateOffer(id: Int64, status: String) throws {
        try transaction(write: true) {
            let n = try scalar("WITH changed AS (UPDATE offers SET status = \(status) WHERE id = \(id) RETURNING 1) SELECT count(*) FROM changed")
            if n == 0 { throw StoreError.notFound("offer \(id)") }
        }
    }

    public func offers(of person: PersonID?) throws -> [StoredOffer] {
        try rows("""
            SELECT id, person_id, programme, cost, status, created_at, detail FROM offers
            WHERE \(person?.rawValue)::text IS NULL OR person_id = \(person?.rawValue) ORDER BY id
            """).map { row in
            let (id, p, programme, cost, status, at, detail) = try Self.decoding("offers") {
                try row.decode((Int64, String, String, Double, String, Int64, Data).self)
            }
            return StoredOffer(id: id, person: PersonID(p), programme: programme, cost: cost, status: status, createdAt: at,
                               detailJSON: detail)
        }
    }
}

/// An audited review decision: its audit entries and the item in one transaction (both or neither after a crash).
extension PostgresStore: AuditedReviewWrites {
    @discardableResult
    public func saveReviewItems(_ items: [StoredReviewItem], audit events: [AuditEvent]) throws -> [AuditEntry] {
        let entries = try transaction(write: true) { () -> [AuditEntry] in
            let entries = events.isEmpty ? [] : try appendTrail(events)
            try upsert(items)
            CrashTestHook.stallBeforeCommit("review_items")
            return entries
        }
        if let last = entries.last { try sealer?.didAppend(last) }
        return entries
    }
}

/// A plan's offers and its audit entry in one transaction (both or neither after a crash).
extension PostgresStore: AuditedOfferWrites {
    @discardableResult
    public func saveOffers(_ offers: [StoredOffer], audit events: [AuditEvent]) throws -> [StoredOffer] {
        let (saved, entries) = try transaction(write: true) { () -> ([StoredOffer], [AuditEntry]) in
            let entries = events.isEmpty ? [] : try appendTrail(events)
            let saved = try insert(offers)
            CrashTestHook.stallBeforeCommit("offers")
            return (saved, entries)
        }
        if let last = entries.last { try sealer?.didAppend(last) }
        return saved
    }
}
