import Foundation
import UpstreamAssessment
import UpstreamInterventions

/// Where the web app finds the latest intervention plan and strategic assessment.
///
/// Neither lives in the store yet: `upstream plan --store S` writes `S.plan/plan.json` and `upstream assess --out DIR`
/// writes `DIR/assessment.json`. ``FileReportSource`` reads those files; ``FixedReportSource`` holds values (tests,
/// the demo). When plans move into the store, a store-backed source conforms here and nothing else changes.
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

/// Reads the plan and the assessment from the JSON files the commands write, each time it is asked (so a new plan
/// shows without a restart), decoding a file again only when its size or modification time changed.
public final class FileReportSource: ReportSource, @unchecked Sendable {
    let planPath: String?
    let assessmentPath: String?
    // Guarded by `lock`: the last decoded value of each file with the file's size and modification time.
    private let lock = NSLock()
    private var cache: [String: (stamp: String, value: any Sendable)] = [:]

    /// - Parameters:
    ///   - planPath: `plan.json` as `upstream plan` writes it (nil: no plan).
    ///   - assessmentPath: `assessment.json` as `upstream assess` writes it (nil: no assessment).
    public init(planPath: String?, assessmentPath: String?) {
        self.planPath = planPath; self.assessmentPath = assessmentPath
    }

    public func plan() throws -> Plan? { try read(planPath, as: Plan.self) }
    public func assessment() throws -> Assessment? { try read(assessmentPath, as: Assessment.self) }

    func read<T: Decodable & Sendable>(_ path: String?, as: T.Type) throws -> T? {
        guard let path, let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let stamp = "\(attributes[.size] ?? 0) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        if let hit = lock.withLock({ cache[path] }), hit.stamp == stamp, let value = hit.value as? T { return value }
        guard let data = FileManager.default.contents(atPath: path), let value = try? JSONDecoder().decode(T.self, from: data) else {
            throw WebError(.serverFailure, "\(path) cannot be read as \(T.self == Plan.self ? "a plan" : "an assessment"): make it again with "
                + (T.self == Plan.self ? "upstream plan" : "upstream assess") + " (this build may be newer than the file)")
        }
        lock.withLock { cache[path] = (stamp, value) }
        return value
    }
}
