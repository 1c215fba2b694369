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
    // Guarded by `lock`: the last decoded run of each kind, by run id.
    private let lock = NSLock()
    private var decoded: [ReportRunKind: (id: Int64, value: Any)] = [:]

    /// The runs of `store`.
    public init(store: any ReportRunStore) { self.store = store }

    public func plan() throws -> Plan? { try latest(Plan.self, kind: .plan) }

    public func assessment() throws -> Assessment? { try latest(Assessment.self, kind: .assessment) }

    /// The latest run of `kind` decoded as `T`, from the one-entry cache of that kind when its id has not changed.
    /// - Throws: a ``WebError`` (500) when the run cannot be read by this build.
    func latest<T: Decodable>(_ type: T.Type, kind: ReportRunKind) throws -> T? {
        guard let run = try store.latestReportRunJSON(kind: kind) else { return nil }
        if let hit = lock.withLock({ decoded[kind] }), hit.id == run.id, let value = hit.value as? T { return value }
        let value: T
        do { value = try ReportRunJSON.decoder().decode(T.self, from: run.json) } catch {
            throw WebError(.serverFailure, "\(kind.rawValue) run \(run.id) in the store cannot be read by this build: make it again with \(kind.command)")
        }
        lock.withLock { decoded[kind] = (run.id, value) }
        return value
    }
}
