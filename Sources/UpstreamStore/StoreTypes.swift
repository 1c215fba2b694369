import UpstreamModel

/// Marks on a stored record for values that were kept but must not be trusted.
public struct RecordFlags: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The NHS number fails its modulus-11 check; it is kept for review but is not an identifier.
    public static let nhsNumberInvalid = RecordFlags(rawValue: 1 << 0)
    /// The unique pupil number fails its check letter; kept, not trusted.
    public static let upnInvalid = RecordFlags(rawValue: 1 << 1)
    /// The date of birth was a known placeholder (such as 01/01/1900) and is stored as missing.
    public static let dateOfBirthPlaceholder = RecordFlags(rawValue: 1 << 2)
    /// The date of birth is after the event's date. Kept (a pre-birth social care referral is real), but one of
    /// the two dates may be wrong.
    public static let dateOfBirthAfterEvent = RecordFlags(rawValue: 1 << 3)

    /// Every flag with its name, for reports.
    public static let names: [(RecordFlags, String)] = [
        (.nhsNumberInvalid, "nhs_number_invalid"), (.upnInvalid, "upn_invalid"),
        (.dateOfBirthPlaceholder, "dob_placeholder"), (.dateOfBirthAfterEvent, "dob_after_event"),
    ]
}

/// One record as the store holds it: the canonical source record plus what ingest learned about it.
public struct StoredRecord: Hashable, Sendable, Codable {
    public var record: SourceRecord
    /// Whether the row is about one person; crime-level rows (police_crimes) are event-only.
    public var personLevel: Bool
    public var flags: RecordFlags
    /// Columns the spec keeps verbatim that have no place in the canonical model (grid references, counts).
    public var extras: [String: String]

    public init(record: SourceRecord, personLevel: Bool, flags: RecordFlags = [], extras: [String: String] = [:]) {
        self.record = record; self.personLevel = personLevel; self.flags = flags; self.extras = extras
    }
}

/// How long a source's records may be kept, and from which date that period runs.
public struct RetentionPolicy: Hashable, Sendable, Codable {
    /// The date a record's retention period runs from.
    public enum Anchor: String, Hashable, Sendable, Codable, CaseIterable {
        /// The event's end date when it has one, otherwise its date; the load date for records without an event.
        case event
        /// The day the record was loaded.
        case load
    }

    public var years: Int
    public var from: Anchor

    public init(years: Int, from: Anchor = .event) { self.years = years; self.from = from }

    /// The earliest anchor date still kept on `asOf`: records anchored before it are past retention.
    public func cutoff(asOf: CivilDate) -> CivilDate {
        let c = asOf.components
        let y = c.year - years
        let d = min(c.day, CivilDate.daysIn(month: c.month, year: y))
        return CivilDate(year: y, month: c.month, day: d)!
    }
}

/// What the store knows about a source: who owns it, why it may be shared, how long it is kept.
public struct SourceInfo: Hashable, Sendable, Codable {
    public var name: String
    public var agency: Agency
    public var owner: String
    public var legalBasis: String
    public var retention: RetentionPolicy

    public init(name: String, agency: Agency, owner: String, legalBasis: String, retention: RetentionPolicy) {
        self.name = name; self.agency = agency; self.owner = owner; self.legalBasis = legalBasis
        self.retention = retention
    }
}

/// One file delivered by a source, identified by its content hash and the spec it was read with.
public struct Delivery: Hashable, Sendable, Codable {
    public var source: String
    public var fileName: String
    public var fileSHA256: String
    /// Seconds since 1970-01-01 UTC.
    public var loadedAt: Int64
    /// The SHA-256 of the spec the file was read with (`nil` for deliveries loaded before specs were recorded).
    /// The same file read under a different spec is a new delivery that supersedes the earlier attempt.
    public var specSHA256: String?

    public init(source: String, fileName: String, fileSHA256: String, loadedAt: Int64, specSHA256: String? = nil) {
        self.source = source; self.fileName = fileName; self.fileSHA256 = fileSHA256; self.loadedAt = loadedAt
        self.specSHA256 = specSHA256
    }
}

/// The figures of one delivery: every row read is either loaded or quarantined.
public struct DeliveryCounts: Hashable, Sendable, Codable {
    public var rowsRead = 0
    public var loaded = 0
    public var quarantined = 0
    /// Blank lines skipped (not rows).
    public var blankLines = 0
    public var nhsNumberInvalid = 0
    public var upnInvalid = 0
    public var dateOfBirthPlaceholder = 0
    /// Records loaded with a date of birth after their event's date (flagged `dob_after_event`).
    public var dateOfBirthAfterEvent = 0

    public init() {}

    /// Whether rows read = loaded + quarantined.
    public var balances: Bool { rowsRead == loaded + quarantined }
}

/// A stored delivery and its figures.
public struct DeliverySummary: Hashable, Sendable, Codable {
    public var id: Int64
    public var delivery: Delivery
    public var counts: DeliveryCounts
    /// The delivery that replaced this one, if any.
    public var supersededBy: Int64?

    public init(id: Int64, delivery: Delivery, counts: DeliveryCounts, supersededBy: Int64?) {
        self.id = id; self.delivery = delivery; self.counts = counts; self.supersededBy = supersededBy
    }
}

/// What loading a delivery did.
public enum DeliveryOutcome: Hashable, Sendable {
    /// The delivery was loaded; `superseded` lists earlier deliveries it replaced and `supersededRecords` their records removed.
    case loaded(DeliverySummary, superseded: [Int64], supersededRecords: Int)
    /// This exact file (same source, same SHA-256, read with the same spec) is already in the store; nothing changed.
    case alreadyLoaded(DeliverySummary)
}

/// A row that could not be loaded, kept with where it came from and why.
public struct QuarantinedRow: Hashable, Sendable, Codable {
    public var source: String
    public var fileName: String
    public var fileSHA256: String
    /// The physical line the row starts on (1-based; the header is line 1).
    public var line: Int
    /// The row's bytes exactly as delivered (without the line ending).
    public var raw: [UInt8]
    /// A stable reason code, e.g. `invalid_date`, `column_count`.
    public var reason: String
    /// The spec field or column concerned, when there is one.
    public var field: String?
    public var loadedAt: Int64

    public init(
        source: String, fileName: String, fileSHA256: String, line: Int, raw: [UInt8], reason: String,
        field: String?, loadedAt: Int64
    ) {
        self.source = source; self.fileName = fileName; self.fileSHA256 = fileSHA256; self.line = line
        self.raw = raw; self.reason = reason; self.field = field; self.loadedAt = loadedAt
    }
}

/// Quarantined rows counted by source, reason and field.
public struct QuarantineGroup: Hashable, Sendable, Codable {
    public var source: String
    public var reason: String
    public var field: String?
    public var count: Int
    public init(source: String, reason: String, field: String?, count: Int) {
        self.source = source; self.reason = reason; self.field = field; self.count = count
    }
}

/// Records and quarantined rows held for one source.
public struct SourceCount: Hashable, Sendable, Codable {
    public var source: String
    public var agency: Agency
    public var records: Int
    public var personRecords: Int
    public var quarantined: Int
    public var deliveries: Int
    public init(source: String, agency: Agency, records: Int, personRecords: Int, quarantined: Int, deliveries: Int) {
        self.source = source; self.agency = agency; self.records = records; self.personRecords = personRecords
        self.quarantined = quarantined; self.deliveries = deliveries
    }
}

/// Records of one source that are past its retention period on a date.
public struct RetentionDue: Hashable, Sendable, Codable {
    public var source: String
    public var policy: RetentionPolicy
    /// Records anchored before this date are past retention.
    public var cutoff: CivilDate
    public var records: Int
    public init(source: String, policy: RetentionPolicy, cutoff: CivilDate, records: Int) {
        self.source = source; self.policy = policy; self.cutoff = cutoff; self.records = records
    }
}

/// Who did something recorded in the audit trail, and how the store knows it.
public struct AuditActor: Hashable, Sendable, Codable {
    /// How the actor's name was established.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// Said by the person running a command (`--user` or `$USER`): recorded, not proven.
        case selfAsserted = "self-asserted"
        /// Established by a server's login.
        case authenticated
        /// Upstream itself, or a program that opened the store without saying who was acting.
        case system
    }

    public var name: String
    public var kind: Kind
    /// The role the actor acted in (`analyst`, `practitioner`, …), or empty when none applies.
    public var role: String

    public init(name: String, kind: Kind, role: String) { self.name = name; self.kind = kind; self.role = role }

    /// A program that opened the store without saying who is acting.
    public static let unknown = AuditActor(name: "unknown", kind: .system, role: "")
}

/// What one audit trail entry records: who did what, to which person or source, when and why.
///
/// Ids, pseudonyms, counts and figures only: never names, dates of birth or other personal values.
public struct AuditEvent: Hashable, Sendable, Codable {
    /// Seconds since 1970-01-01 UTC.
    public var at: Int64
    public var actor: AuditActor
    /// `ingest`, `supersede`, `retention_delete`, `view-pseudonymised`, `identify`, `risk-train`, `risk-review-…`, …
    public var action: String
    /// The person (by pseudonym), model or group the action concerned; empty when none.
    public var subject: String
    /// The source concerned, for loads and retention.
    public var source: String?
    /// How many records or people the action touched.
    public var count: Int
    /// Why, as the actor stated it (required for identification and decisions).
    public var reason: String
    /// Ids and figures only, never personal data.
    public var detail: String

    public init(
        at: Int64, actor: AuditActor, action: String, subject: String = "", source: String? = nil, count: Int = 0,
        reason: String = "", detail: String = ""
    ) {
        self.at = at; self.actor = actor; self.action = action; self.subject = subject; self.source = source
        self.count = count; self.reason = reason; self.detail = detail
    }
}

/// One entry of the store's one audit trail: an event, its place in the chain and its keyed MAC.
///
/// Entries are numbered 1, 2, 3, … without gaps. Each carries the MAC of the entry before it, so an edit,
/// deletion or reordering breaks the chain. The MAC is computed by the store's ``AuditSealer``; an entry written
/// by a store opened without one has an empty MAC, and verification reports it.
public struct AuditEntry: Hashable, Sendable, Codable {
    /// The entry's place in the trail, from 1.
    public var seq: Int64
    public var event: AuditEvent
    /// The MAC of entry `seq - 1` (64 zeros for the first entry).
    public var previousMAC: String
    /// The keyed MAC of this entry chained to `previousMAC`, in lower-case hex; empty when unsealed.
    public var mac: String

    public init(seq: Int64, event: AuditEvent, previousMAC: String, mac: String) {
        self.seq = seq; self.event = event; self.previousMAC = previousMAC; self.mac = mac
    }

    /// The MAC that precedes the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// The entry's sequence number (the id of the v1 log).
    public var id: Int64 { seq }
    public var at: Int64 { event.at }
    public var action: String { event.action }
    public var source: String? { event.source }
    public var count: Int { event.count }
    public var detail: String { event.detail }
}

/// Seals the audit trail: computes each entry's keyed MAC and keeps the trail's signed head.
///
/// The store calls it inside the transaction that appends (so every writer, loads and retention included, chains
/// into one trail), and ``didAppend(_:)`` after that transaction commits. UpstreamGovernance implements it with
/// HMAC-SHA256 under a key the operator holds.
public protocol AuditSealer: Sendable {
    /// Who is acting through this store (recorded on entries the store writes itself: loads, supersessions, retention).
    var actor: AuditActor { get }
    /// The MAC of entry `seq` holding `event`, chained to `previousMAC`.
    func mac(seq: Int64, event: AuditEvent, previousMAC: String) -> String
    /// Called after a transaction that appended entries has committed, with the trail's last entry.
    func didAppend(_ last: AuditEntry) throws
}

extension StoredRecord {
    /// The date this record's retention period runs from under `policy`.
    public func retentionAnchor(_ policy: RetentionPolicy) -> CivilDate {
        let loadDay = CivilDate(dayNumber: Int32(record.provenance.loadedAt / 86_400))
        switch policy.from {
        case .load: return loadDay
        case .event:
            guard let e = record.event else { return loadDay }
            return e.endDate ?? e.date
        }
    }
}
