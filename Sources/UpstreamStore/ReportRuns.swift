import Foundation

/// One intervention plan as `upstream plan` made it: its headline figures as columns (for listing and checking
/// without decoding) and the whole plan as JSON (UpstreamInterventions' `Plan`, encoded with ``ReportRunJSON``).
public struct StoredPlanRun: Hashable, Sendable, Codable {
    /// Assigned by the store (0 before saving).
    public var id: Int64
    /// Seconds since 1970-01-01 UTC.
    public var createdAt: Int64
    /// Who ran `upstream plan`.
    public var createdBy: String
    /// The scores' as-of date (`YYYY-MM-DD`); nil for a plan made from a scores CSV.
    public var asOf: String?
    public var budgetPence: Int64
    public var costPence: Int64
    public var offers: Int
    public var candidates: Int
    /// The plan, as ``ReportRunJSON`` encodes it.
    public var planJSON: Data

    public init(id: Int64 = 0, createdAt: Int64, createdBy: String, asOf: String?, budgetPence: Int64, costPence: Int64, offers: Int,
                candidates: Int, planJSON: Data) {
        self.id = id; self.createdAt = createdAt; self.createdBy = createdBy; self.asOf = asOf; self.budgetPence = budgetPence
        self.costPence = costPence; self.offers = offers; self.candidates = candidates; self.planJSON = planJSON
    }
}

/// One strategic assessment as `upstream assess` made it: its period, source and size as columns, and the whole
/// assessment as JSON (UpstreamAssessment's `Assessment`, encoded with ``ReportRunJSON``).
public struct StoredAssessmentRun: Hashable, Sendable, Codable {
    /// Assigned by the store (0 before saving).
    public var id: Int64
    /// Seconds since 1970-01-01 UTC.
    public var createdAt: Int64
    public var createdBy: String
    /// The first and last month (`YYYY-MM`).
    public var periodFrom: String
    public var periodTo: String
    /// `store` (the force's recorded crime) or `police.uk`.
    public var source: String
    /// Crimes in the assessment's base.
    public var crimes: Int
    /// The assessment, as ``ReportRunJSON`` encodes it.
    public var assessmentJSON: Data

    public init(id: Int64 = 0, createdAt: Int64, createdBy: String, periodFrom: String, periodTo: String, source: String, crimes: Int,
                assessmentJSON: Data) {
        self.id = id; self.createdAt = createdAt; self.createdBy = createdBy; self.periodFrom = periodFrom; self.periodTo = periodTo
        self.source = source; self.crimes = crimes; self.assessmentJSON = assessmentJSON
    }
}

/// The one JSON form of a stored plan or assessment: the types' own `Codable` keys (no renaming), sorted, with
/// infinities and NaN as strings (an assessment's ratios can be infinite). The writers encode and the web app decodes
/// with these, so the two cannot drift.
public enum ReportRunJSON {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return d
    }
}

/// The kinds of report run a store keeps (migration `v7-runs`): each in its own table, all through one code path
/// (``ReportRunStore/saveReportRun(kind:values:)``, ``ReportRunStore/latestReportRun(kind:)``).
public enum ReportRunKind: String, Sendable, CaseIterable {
    case plan, assessment

    /// Its table.
    public var table: String {
        switch self {
        case .plan: "plan_runs"
        case .assessment: "assessment_runs"
        }
    }

    /// Its table's columns after `id`, in the order ``ReportRun/values`` gives them; the last holds the run's JSON.
    public var columns: [String] {
        switch self {
        case .plan: ["created_at", "created_by", "as_of", "budget_pence", "cost_pence", "offers", "candidates", "plan_json"]
        case .assessment: ["created_at", "created_by", "period_from", "period_to", "source", "crimes", "assessment_json"]
        }
    }

    /// The command that makes a run of this kind (for messages).
    public var command: String {
        switch self {
        case .plan: "upstream plan"
        case .assessment: "upstream assess --store STORE"
        }
    }
}

/// One column's value in a report run's row.
public enum ReportRunValue: Hashable, Sendable {
    case integer(Int64)
    case text(String)
    case bytes(Data)
    case null

    var integer: Int64? { if case .integer(let v) = self { v } else { nil } }
    var text: String? { if case .text(let v) = self { v } else { nil } }
    var bytes: Data? { if case .bytes(let v) = self { v } else { nil } }
}

/// A run of one ``ReportRunKind``: one row of its kind's table.
public protocol ReportRun: Hashable, Sendable {
    /// Its kind (and so its table and columns).
    static var kind: ReportRunKind { get }
    /// Assigned by the store (0 before saving).
    var id: Int64 { get set }
    /// The run as ``ReportRunJSON`` encodes it.
    var json: Data { get }
    /// The values of `Self.kind.columns`, in order.
    var values: [ReportRunValue] { get }
    /// A run read from its row: `values` are those of `Self.kind.columns`, in order.
    /// - Throws: ``StoreError/corrupt(_:)`` when a value is missing or of the wrong type.
    init(id: Int64, values: [ReportRunValue]) throws
}

/// Reads the values of a row in order, refusing a missing or mistyped one.
struct ReportRunRow {
    let kind: ReportRunKind
    let id: Int64
    let values: [ReportRunValue]
    var next = 0

    init(_ kind: ReportRunKind, id: Int64, values: [ReportRunValue]) throws {
        guard values.count == kind.columns.count else {
            throw StoreError.corrupt("\(kind.table) row \(id) has \(values.count) columns, not \(kind.columns.count)")
        }
        self.kind = kind; self.id = id; self.values = values
    }

    mutating func take<T>(_ read: (ReportRunValue) -> T?) throws -> T {
        defer { next += 1 }
        guard let v = read(values[next]) else {
            throw StoreError.corrupt("\(kind.table) row \(id): \(kind.columns[next]) is missing or of the wrong type")
        }
        return v
    }
    mutating func integer() throws -> Int64 { try take(\.integer) }
    mutating func count() throws -> Int { Int(try integer()) }
    mutating func text() throws -> String { try take(\.text) }
    mutating func optionalText() throws -> String? { try take { $0 == .null ? .some(nil) : $0.text.map { .some($0) } } }
    mutating func bytes() throws -> Data { try take(\.bytes) }
}

extension StoredPlanRun: ReportRun {
    public static var kind: ReportRunKind { .plan }
    public var json: Data { planJSON }
    public var values: [ReportRunValue] {
        [.integer(createdAt), .text(createdBy), asOf.map { .text($0) } ?? .null, .integer(budgetPence), .integer(costPence),
         .integer(Int64(offers)), .integer(Int64(candidates)), .bytes(planJSON)]
    }
    public init(id: Int64, values: [ReportRunValue]) throws {
        var r = try ReportRunRow(Self.kind, id: id, values: values)
        self.init(id: id, createdAt: try r.integer(), createdBy: try r.text(), asOf: try r.optionalText(), budgetPence: try r.integer(),
                  costPence: try r.integer(), offers: try r.count(), candidates: try r.count(), planJSON: try r.bytes())
    }
}

extension StoredAssessmentRun: ReportRun {
    public static var kind: ReportRunKind { .assessment }
    public var json: Data { assessmentJSON }
    public var values: [ReportRunValue] {
        [.integer(createdAt), .text(createdBy), .text(periodFrom), .text(periodTo), .text(source), .integer(Int64(crimes)),
         .bytes(assessmentJSON)]
    }
    public init(id: Int64, values: [ReportRunValue]) throws {
        var r = try ReportRunRow(Self.kind, id: id, values: values)
        self.init(id: id, createdAt: try r.integer(), createdBy: try r.text(), periodFrom: try r.text(), periodTo: try r.text(),
                  source: try r.text(), crimes: try r.count(), assessmentJSON: try r.bytes())
    }
}

/// A store that keeps the plans and strategic assessments made from it (migration `v7-runs`): runs accumulate, the
/// latest is the one shown. One save and one read serve every ``ReportRunKind``.
///
/// The in-memory, SQLite and PostgreSQL stores conform. Each call is one transaction.
public protocol ReportRunStore: Sendable {
    /// Saves one run of `kind`: `values` are those of `kind.columns`, in order. Returns its id.
    func saveReportRun(kind: ReportRunKind, values: [ReportRunValue]) throws -> Int64
    /// The latest run of `kind` (highest id): its id and the values of `kind.columns`, or nil when there is none.
    func latestReportRun(kind: ReportRunKind) throws -> (id: Int64, values: [ReportRunValue])?
}

extension ReportRunStore {
    /// Saves `run`; returns it with its id.
    @discardableResult
    public func saveRun<R: ReportRun>(_ run: R) throws -> R {
        var saved = run
        saved.id = try saveReportRun(kind: R.kind, values: run.values)
        return saved
    }

    /// The latest run of `R`'s kind, or nil.
    public func latestRun<R: ReportRun>(_ type: R.Type) throws -> R? {
        try latestReportRun(kind: R.kind).map { try R(id: $0.id, values: $0.values) }
    }

    /// The id and JSON (the last column) of the latest run of `kind`, or nil.
    /// - Throws: ``StoreError/corrupt(_:)`` when the row holds no JSON.
    public func latestReportRunJSON(kind: ReportRunKind) throws -> (id: Int64, json: Data)? {
        guard let run = try latestReportRun(kind: kind) else { return nil }
        guard case .bytes(let json)? = run.values.last else { throw StoreError.corrupt("\(kind.table) row \(run.id) holds no JSON") }
        return (run.id, json)
    }
}

extension InMemoryStore: ReportRunStore {
    public func saveReportRun(kind: ReportRunKind, values: [ReportRunValue]) throws -> Int64 {
        withLock { s in
            s.reportRuns[kind, default: []].append(values)
            return Int64(s.reportRuns[kind]!.count)
        }
    }

    public func latestReportRun(kind: ReportRunKind) throws -> (id: Int64, values: [ReportRunValue])? {
        withLock { s in
            guard let rows = s.reportRuns[kind], let last = rows.last else { return nil }
            return (Int64(rows.count), last)
        }
    }
}
