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

/// A store that keeps the plans and strategic assessments made from it (migration `v7-runs`): runs accumulate, the
/// latest is the one shown.
///
/// The in-memory, SQLite and PostgreSQL stores conform. Each call is one transaction.
public protocol ReportRunStore: Sendable {
    /// Saves a plan run; returns it with its id.
    @discardableResult
    func savePlanRun(_ run: StoredPlanRun) throws -> StoredPlanRun
    /// The latest plan run (highest id), or nil.
    func latestPlanRun() throws -> StoredPlanRun?
    /// Saves an assessment run; returns it with its id.
    @discardableResult
    func saveAssessmentRun(_ run: StoredAssessmentRun) throws -> StoredAssessmentRun
    /// The latest assessment run (highest id), or nil.
    func latestAssessmentRun() throws -> StoredAssessmentRun?
}

/// The in-memory store's plan and assessment runs.
struct ReportRunState {
    var plans: [StoredPlanRun] = []
    var assessments: [StoredAssessmentRun] = []
}

extension InMemoryStore: ReportRunStore {
    @discardableResult
    public func savePlanRun(_ run: StoredPlanRun) throws -> StoredPlanRun {
        withLock { s in
            var r = run
            r.id = Int64(s.reportRuns.plans.count + 1)
            s.reportRuns.plans.append(r)
            return r
        }
    }

    public func latestPlanRun() throws -> StoredPlanRun? { withLock { $0.reportRuns.plans.last } }

    @discardableResult
    public func saveAssessmentRun(_ run: StoredAssessmentRun) throws -> StoredAssessmentRun {
        withLock { s in
            var r = run
            r.id = Int64(s.reportRuns.assessments.count + 1)
            s.reportRuns.assessments.append(r)
            return r
        }
    }

    public func latestAssessmentRun() throws -> StoredAssessmentRun? { withLock { $0.reportRuns.assessments.last } }
}
