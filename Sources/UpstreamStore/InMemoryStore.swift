import Foundation
import UpstreamModel

/// A store held in memory: the reference implementation of ``RecordStore`` for tests and small runs.
///
/// A delivery is loaded into a copy of the state that replaces the original only when the closure
/// returns, so a throwing load leaves the store as it was.
public final class InMemoryStore: RecordStore, @unchecked Sendable {
    struct State {
        var sources: [String: SourceInfo] = [:]
        var deliveries: [DeliverySummary] = []
        var records: [(deliveryID: Int64, record: StoredRecord)] = []
        var recordKeys: Set<String> = []
        var quarantine: [(deliveryID: Int64, row: QuarantinedRow)] = []
        var audit: [AuditEntry] = []
        var nextDeliveryID: Int64 = 1
        var sealer: (any AuditSealer)?
        var persons = PersonState()
        var reportRuns: [ReportRunKind: [[ReportRunValue]]] = [:]

        /// Appends one event to the trail, chained to the last entry.
        @discardableResult
        mutating func append(_ event: AuditEvent) -> AuditEntry {
            let seq = Int64(audit.count + 1)
            let previous = audit.last?.mac ?? AuditEntry.genesis
            let entry = AuditEntry(seq: seq, event: event, previousMAC: previous,
                                   mac: sealer?.mac(seq: seq, event: event, previousMAC: previous) ?? "")
            audit.append(entry)
            return entry
        }

        mutating func log(at: Int64, action: String, source: String?, count: Int, detail: String) {
            append(AuditEvent(at: at, actor: sealer?.actor ?? .unknown, action: action, subject: source ?? "", source: source,
                              count: count, detail: detail))
        }
    }

    // Guarded by `lock` (Mutex needs macOS 15; the package supports macOS 14).
    private let lock = NSLock()
    private var _state = State()
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&_state)
    }

    /// A new, empty store.
    /// - Parameter auditSealer: seals the audit trail's entries (UpstreamGovernance's keyed chain); without one,
    ///   entries are written unsealed and verification reports them.
    public init(auditSealer: (any AuditSealer)? = nil) { _state.sealer = auditSealer }


    final class Writer: DeliveryWriter {
        var state: State
        let deliveryID: Int64
        init(state: State, deliveryID: Int64) { self.state = state; self.deliveryID = deliveryID }

        /// Keeps the record with its extras as they are (the text is not needed).
        func append(_ record: StoredRecord, extrasJSON: String?) throws -> Bool {
            let key = record.record.source + "\u{1F}" + record.record.recordID
            guard state.recordKeys.insert(key).inserted else { return false }
            state.records.append((deliveryID, record))
            return true
        }

        func quarantine(_ row: QuarantinedRow) throws { state.quarantine.append((deliveryID, row)) }
    }

    public func loadDelivery(
        _ delivery: Delivery, source: SourceInfo, replacing: Bool,
        _ body: (any DeliveryWriter) throws -> DeliveryCounts
    ) throws -> DeliveryOutcome {
        let before = withLock { $0.audit.count }
        let outcome: DeliveryOutcome = try withLock { current in
            let live = current.deliveries.filter { $0.delivery.source == delivery.source && $0.supersededBy == nil }
            if let existing = live.first(where: {
                $0.delivery.fileSHA256 == delivery.fileSHA256 && $0.delivery.specSHA256 == delivery.specSHA256
            }) {
                return .alreadyLoaded(existing)
            }
            var s = current
            s.sources[source.name] = source
            let id = s.nextDeliveryID
            s.nextDeliveryID += 1
            // With `replacing`, every live delivery of the source; otherwise only earlier reads of this same file
            // under a different spec.
            let superseded = (replacing ? live : live.filter { $0.delivery.fileSHA256 == delivery.fileSHA256 }).map(\.id)
            var removed = 0
            if !superseded.isEmpty {
                let gone = Set(superseded)
                for i in s.deliveries.indices where gone.contains(s.deliveries[i].id) { s.deliveries[i].supersededBy = id }
                let before = s.records.count
                s.records.removeAll { gone.contains($0.deliveryID) }
                removed = before - s.records.count
                s.recordKeys = Set(s.records.map { $0.record.record.source + "\u{1F}" + $0.record.record.recordID })
                s.quarantine.removeAll { gone.contains($0.deliveryID) }
                s.log(at: delivery.loadedAt, action: "supersede", source: delivery.source, count: removed,
                      detail: SupersedeDetail.text(superseded: superseded, by: id, replacing: replacing, delivery: delivery))
            }
            let writer = Writer(state: s, deliveryID: id)
            let counts = try body(writer)
            s = writer.state
            let summary = DeliverySummary(id: id, delivery: delivery, counts: counts, supersededBy: nil)
            s.deliveries.append(summary)
            s.log(at: delivery.loadedAt, action: "ingest", source: delivery.source, count: counts.loaded,
                  detail: "delivery \(id) sha256 \(delivery.fileSHA256) read \(counts.rowsRead) quarantined \(counts.quarantined)")
            current = s
            return DeliveryOutcome.loaded(summary, superseded: superseded, supersededRecords: removed)
        }
        try afterAppend(since: before)
        return outcome
    }

    private func afterAppend(since before: Int) throws {
        let (sealer, last) = withLock { s in (s.sealer, s.audit.count > before ? s.audit.last : nil) }
        if let sealer, let last { try sealer.didAppend(last) }
    }

    public func sources() throws -> [SourceInfo] {
        withLock { $0.sources.values.sorted { $0.name < $1.name } }
    }

    public func deliveries(source: String?) throws -> [DeliverySummary] {
        withLock { s in s.deliveries.filter { source == nil || $0.delivery.source == source } }
    }

    public func sourceCounts() throws -> [SourceCount] {
        withLock { s in
            s.sources.values.sorted { $0.name < $1.name }.map { info in
                let recs = s.records.filter { $0.record.record.source == info.name }
                return SourceCount(
                    source: info.name, agency: info.agency, records: recs.count,
                    personRecords: recs.filter { $0.record.personLevel }.count,
                    quarantined: s.quarantine.filter { $0.row.source == info.name }.count,
                    deliveries: s.deliveries.filter { $0.delivery.source == info.name && $0.supersededBy == nil }.count)
            }
        }
    }

    public func forEachRecord(source: String?, personLevelOnly: Bool, _ body: (StoredRecord) throws -> Void) throws {
        let recs = withLock { $0.records.map(\.record) }
        for r in recs where (source == nil || r.record.source == source) && (!personLevelOnly || r.personLevel) {
            try body(r)
        }
    }

    public func quarantineGroups(source: String?) throws -> [QuarantineGroup] {
        withLock { s in
            var counts: [QuarantineGroupKey: Int] = [:]
            for q in s.quarantine where source == nil || q.row.source == source {
                counts[QuarantineGroupKey(source: q.row.source, reason: q.row.reason, field: q.row.field), default: 0] += 1
            }
            return counts.map { QuarantineGroup(source: $0.key.source, reason: $0.key.reason, field: $0.key.field, count: $0.value) }
                .sorted { ($0.source, $0.reason, $0.field ?? "") < ($1.source, $1.reason, $1.field ?? "") }
        }
    }

    public func forEachQuarantinedRow(source: String?, reason: String?, _ body: (QuarantinedRow) throws -> Void) throws {
        let rows = withLock { $0.quarantine.map(\.row) }
        for r in rows where (source == nil || r.source == source) && (reason == nil || r.reason == reason) { try body(r) }
    }

    static func due(_ s: State, asOf: CivilDate) -> [(RetentionDue, Set<Int>)] {
        s.sources.values.sorted { $0.name < $1.name }.compactMap { info in
            let cutoff = info.retention.cutoff(asOf: asOf)
            var idx = Set<Int>()
            for (i, r) in s.records.enumerated() where r.record.record.source == info.name {
                if r.record.retentionAnchor(info.retention) < cutoff { idx.insert(i) }
            }
            guard !idx.isEmpty else { return nil }
            return (RetentionDue(source: info.name, policy: info.retention, cutoff: cutoff, records: idx.count), idx)
        }
    }

    public func retentionDue(asOf: CivilDate) throws -> [RetentionDue] {
        withLock { InMemoryStore.due($0, asOf: asOf).map(\.0) }
    }

    public func applyRetention(asOf: CivilDate, at: Int64) throws -> [RetentionDue] {
        let before = withLock { $0.audit.count }
        let result: [RetentionDue] = withLock { s in
            let due = InMemoryStore.due(s, asOf: asOf)
            let all = due.reduce(into: Set<Int>()) { $0.formUnion($1.1) }
            s.records = s.records.enumerated().filter { !all.contains($0.offset) }.map(\.element)
            s.recordKeys = Set(s.records.map { $0.record.record.source + "\u{1F}" + $0.record.record.recordID })
            for (d, _) in due {
                s.log(at: at, action: "retention_delete", source: d.source, count: d.records,
                      detail: "as of \(asOf.iso): anchored before \(d.cutoff.iso) (\(d.policy.years) years from \(d.policy.from.rawValue))")
            }
            return due.map(\.0)
        }
        try afterAppend(since: before)
        return result
    }

    public func appendAudit(_ events: [AuditEvent]) throws -> [AuditEntry] {
        let before = withLock { $0.audit.count }
        let entries = withLock { s in events.map { s.append($0) } }
        try afterAppend(since: before)
        return entries
    }

    public func forEachAuditEntry(_ body: (AuditEntry) throws -> Void) throws {
        for e in withLock({ $0.audit }) { try body(e) }
    }

    public func auditCount() throws -> Int { withLock { $0.audit.count } }
}

struct QuarantineGroupKey: Hashable {
    var source: String
    var reason: String
    var field: String?
}
