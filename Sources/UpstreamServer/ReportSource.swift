import Foundation
import UpstreamAssessment
import UpstreamInterventions
import UpstreamStore

/// Where the web app finds the latest intervention plan and strategic assessment.
///
/// `upstream plan` and `upstream assess --store` save each run in the store (migration `v7-runs`);
/// ``StoreReportSource`` reads the latest. ``FixedReportSource`` holds values (tests that need no store).
public protocol ReportSource: Sendable {
    /// The latest plan, or nil when none has been made.
    /// - Throws: a ``WebError`` (500) when a plan exists but cannot be read.
    func plan() throws -> Plan?
    /// The latest strategic assessment, or nil when none has been made.
    /// - Throws: a ``WebError`` (500) when an assessment exists but cannot be read.
    func assessment() throws -> Assessment?
}

/// Plans and assessments given as values (or none): the ``ReportSource`` of the demo and the tests.
public struct FixedReportSource: ReportSource {
    let fixedPlan: Plan?
    let fixedAssessment: Assessment?
    /// A source holding `plan` and `assessment` (either may be nil: the page then shows how to make one).
    public init(plan: Plan? = nil, assessment: Assessment? = nil) { fixedPlan = plan; fixedAssessment = assessment }
    public func plan() throws -> Plan? { fixedPlan }
    public func assessment() throws -> Assessment? { fixedAssessment }
}

/// Reads the latest plan and assessment runs from the store each time it is asked (so a new plan shows without a
/// restart), decoding them with the writers' own `Codable` types in the store's one JSON form (``ReportRunJSON``).
/// A run never changes once saved, so each decoded run is kept until a newer one appears.
public final class StoreReportSource: ReportSource, @unchecked Sendable {
    let store: any ReportRunStore
    // Guarded by `lock`: the last decoded plan and assessment, by run id.
    private let lock = NSLock()
    private var plans: (id: Int64, plan: Plan)?
    private var assessments: (id: Int64, assessment: Assessment)?

    /// The runs of `store`.
    public init(store: any ReportRunStore) { self.store = store }

    public func plan() throws -> Plan? {
        guard let run = try store.latestPlanRun() else { return nil }
        if let hit = lock.withLock({ plans }), hit.id == run.id { return hit.plan }
        let plan = try Self.decode(Plan.self, run.planJSON, what: "plan run \(run.id)", make: "upstream plan")
        lock.withLock { plans = (run.id, plan) }
        return plan
    }

    public func assessment() throws -> Assessment? {
        guard let run = try store.latestAssessmentRun() else { return nil }
        if let hit = lock.withLock({ assessments }), hit.id == run.id { return hit.assessment }
        let a = try Self.decode(Assessment.self, run.assessmentJSON, what: "assessment run \(run.id)", make: "upstream assess --store STORE")
        lock.withLock { assessments = (run.id, a) }
        return a
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data, what: String, make: String) throws -> T {
        do { return try ReportRunJSON.decoder().decode(T.self, from: data) } catch {
            throw WebError(.serverFailure, "\(what) in the store cannot be read by this build: make it again with \(make)")
        }
    }
}
