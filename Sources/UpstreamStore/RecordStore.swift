import UpstreamModel

/// Receives the rows of one delivery inside the store's transaction for that delivery.
///
/// A writer exists only inside ``RecordStore/loadDelivery(_:source:replacing:_:)``'s closure and must not escape it.
public protocol DeliveryWriter: AnyObject {
    /// Adds a record whose extras are already written as ``ExtrasJSON`` text (`nil` when it has none: ingest encodes
    /// them on its reading thread, not on the one that writes, which is its bottleneck); returns `false`, changing
    /// nothing, when the source already holds a record with the same id. A writer that keeps the extras as they are
    /// may ignore the text, which is always ``ExtrasJSON/text(of:)`` of `record.extras`.
    func append(_ record: StoredRecord, extrasJSON: String?) throws -> Bool
    /// Adds a row that could not be loaded.
    func quarantine(_ row: QuarantinedRow) throws
}

extension DeliveryWriter {
    /// Adds a record, writing its extras' text here.
    public func append(_ record: StoredRecord) throws -> Bool { try append(record, extrasJSON: ExtrasJSON.text(of: record.extras)) }
}

/// Where Upstream keeps source records, quarantined rows, deliveries and the one audit trail.
///
/// One protocol for every backend (SQLite now, PostgreSQL later); the methods name intents, and each
/// delivery loads inside one closure that is one transaction. The interface is synchronous because
/// ingest is a CPU-bound stream inside a single transaction; an asynchronous backend can bridge it.
public protocol RecordStore: Sendable {
    /// Loads one delivery atomically.
    ///
    /// If this source already holds a live delivery with the same SHA-256 read with the same spec
    /// (``Delivery/specSHA256``), nothing changes and the result is `.alreadyLoaded` (the closure is not called).
    /// Otherwise, in one transaction: the source's details are recorded; earlier live deliveries are superseded
    /// (their records and quarantined rows removed, the deliveries and an audit entry kept): with `replacing`
    /// every one of the source, without it only earlier reads of this same file under a different spec; `body`
    /// writes the rows, and the delivery and its counts are stored. If `body` throws, the store is left exactly
    /// as before.
    /// - Parameters:
    ///   - delivery: the file being loaded.
    ///   - source: the source's owner, legal basis and retention, as its spec states them.
    ///   - replacing: whether this delivery supersedes the source's earlier deliveries.
    ///   - body: writes every row; returns the delivery's figures.
    /// - Returns: what happened.
    func loadDelivery(
        _ delivery: Delivery, source: SourceInfo, replacing: Bool,
        _ body: (any DeliveryWriter) throws -> DeliveryCounts
    ) throws -> DeliveryOutcome

    /// Runs `body`, a load of several deliveries through ``loadDelivery(_:source:replacing:_:)``, letting the store
    /// keep the indexes that serve only reads out of the way until it ends, where that is cheaper: a store may drop
    /// them at the start of a first load into an empty store and build each once, sorted, at the end, instead of
    /// inserting every record into them at a random place. `building` is called before that build (it can take
    /// minutes at a force's size), so the caller can say so. Every delivery still loads in its own transaction; a
    /// crash between them leaves the indexes to be built when the store is next opened. The default runs `body`.
    func loadingInBulk<T>(building: () -> Void, _ body: () throws -> T) throws -> T
    /// Whether ``loadingInBulk(building:_:)`` would defer indexes if it began now (so a caller can plan its progress).
    func bulkLoadDefersIndexes() throws -> Bool

    /// Every registered source.
    func sources() throws -> [SourceInfo]
    /// Deliveries, oldest first, optionally of one source.
    func deliveries(source: String?) throws -> [DeliverySummary]
    /// Records and quarantined rows by source.
    func sourceCounts() throws -> [SourceCount]
    /// Calls `body` with each stored record in load order, optionally of one source and only person-level ones.
    func forEachRecord(source: String?, personLevelOnly: Bool, _ body: (StoredRecord) throws -> Void) throws
    /// Calls `body` with each person-level record in load order, as linkage reads it: its source, id, agency and
    /// identity (an NHS number's validity kept), with no event and an empty provenance (but its source). A full
    /// link reads every record this way (27 million at a force's size), so a store may read only these columns.
    func forEachLinkageRecord(_ body: (SourceRecord) throws -> Void) throws
    /// Quarantined rows counted by source, reason and field.
    func quarantineGroups(source: String?) throws -> [QuarantineGroup]
    /// Calls `body` with each quarantined row, optionally filtered.
    func forEachQuarantinedRow(source: String?, reason: String?, _ body: (QuarantinedRow) throws -> Void) throws
    /// Records past their source's retention period on `asOf`, by source (sources with none are omitted).
    func retentionDue(asOf: CivilDate) throws -> [RetentionDue]
    /// Deletes the records `retentionDue(asOf:)` lists, in one transaction, with an audit entry per source.
    /// - Parameter at: the time written in the audit trail (seconds since 1970).
    func applyRetention(asOf: CivilDate, at: Int64) throws -> [RetentionDue]

    /// Appends events to the one audit trail in one transaction, serialised against every other writer (other
    /// processes included): each gets the next sequence number and is chained to the entry before it with the
    /// store's ``AuditSealer`` (unsealed, with an empty MAC, when the store was opened without one).
    /// - Returns: the entries as stored.
    func appendAudit(_ events: [AuditEvent]) throws -> [AuditEntry]
    /// Calls `body` with each audit trail entry in sequence order.
    /// - Throws: ``StoreError/corrupt(_:)`` naming the entry when a stored entry cannot be read.
    func forEachAuditEntry(_ body: (AuditEntry) throws -> Void) throws
    /// How many entries the audit trail holds.
    func auditCount() throws -> Int
}

extension RecordStore {
    /// Runs `body` as it is: the store keeps every index row by row.
    public func loadingInBulk<T>(building: () -> Void, _ body: () throws -> T) throws -> T { try body() }
    /// False: the store keeps every index row by row.
    public func bulkLoadDefersIndexes() throws -> Bool { false }
    /// Every person-level record through ``forEachRecord(source:personLevelOnly:_:)``, whole.
    public func forEachLinkageRecord(_ body: (SourceRecord) throws -> Void) throws {
        try forEachRecord(source: nil, personLevelOnly: true) { try body($0.record) }
    }

    /// Every stored record, optionally of one source (convenience for small stores and tests).
    public func records(source: String? = nil, personLevelOnly: Bool = false) throws -> [StoredRecord] {
        var out: [StoredRecord] = []
        try forEachRecord(source: source, personLevelOnly: personLevelOnly) { out.append($0) }
        return out
    }

    /// Every quarantined row, optionally filtered (convenience for small stores and tests).
    public func quarantinedRows(source: String? = nil, reason: String? = nil) throws -> [QuarantinedRow] {
        var out: [QuarantinedRow] = []
        try forEachQuarantinedRow(source: source, reason: reason) { out.append($0) }
        return out
    }

    /// The whole audit trail, oldest first (convenience for small trails and tests).
    public func auditLog() throws -> [AuditEntry] {
        var out: [AuditEntry] = []
        try forEachAuditEntry { out.append($0) }
        return out
    }
}

/// The audit log's words for a supersession, the same for every backend.
public enum SupersedeDetail {
    /// `deliveries 1,2 superseded by 3` and why.
    public static func text(superseded: [Int64], by id: Int64, replacing: Bool, delivery: Delivery) -> String {
        let list = superseded.map(String.init).joined(separator: ",")
        if replacing { return "deliveries \(list) superseded by \(id)" }
        return "deliveries \(list) superseded by \(id): the same file (sha256 \(delivery.fileSHA256)) read again under "
            + "a different spec (sha256 \(delivery.specSHA256 ?? "none"))"
    }
}
