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

    public func plan() throws -> Plan? { try read(planPath, as: Plan.self, decoder: JSONDecoder()) }
    public func assessment() throws -> Assessment? {
        try read(assessmentPath, as: AssessmentFile.self, decoder: Self.assessmentDecoder())?.assessment
    }

    /// `assessment.json` as `upstream assess` writes it: the assessment's figures at the top level (store input), or
    /// beside the police.uk file figures under `assessment`.
    struct AssessmentFile: Decodable, Sendable {
        var assessment: Assessment
        enum Keys: String, CodingKey { case assessment }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            assessment = try c.decodeIfPresent(Assessment.self, forKey: .assessment) ?? Assessment(from: decoder)
        }
    }

    /// Property names whose capitals snake case loses (`costGBP` is written `cost_gbp`), by what plain snake-to-camel
    /// conversion gives back.
    static let acronyms: [String: String] = [
        "costGbp": "costGBP", "policeUk": "policeUK", "residualSd": "residualSD", "rowsWithoutCrimeId": "rowsWithoutCrimeID",
        "withAnyAce": "withAnyACE", "withFourOrMoreAcEs": "withFourOrMoreACEs",
    ]

    /// The decoder for `upstream assess`'s JSON: snake-case keys, and infinities and NaN written as strings.
    static func assessmentDecoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        d.keyDecodingStrategy = .custom { path in
            let key = path.last!
            if key.intValue != nil { return key }
            let parts = key.stringValue.split(separator: "_", omittingEmptySubsequences: true)
            guard let first = parts.first else { return key }
            let camel = String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            return AnyKey(acronyms[camel] ?? camel)
        }
        return d
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func read<T: Decodable & Sendable>(_ path: String?, as: T.Type, decoder: JSONDecoder) throws -> T? {
        guard let path, let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let stamp = "\(attributes[.size] ?? 0) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        if let hit = lock.withLock({ cache[path] }), hit.stamp == stamp, let value = hit.value as? T { return value }
        guard let data = FileManager.default.contents(atPath: path), let value = try? decoder.decode(T.self, from: data) else {
            throw WebError(.serverFailure, "\(path) cannot be read as \(T.self == Plan.self ? "a plan" : "an assessment"): make it again with "
                + (T.self == Plan.self ? "upstream plan" : "upstream assess") + " (this build may be newer than the file)")
        }
        lock.withLock { cache[path] = (stamp, value) }
        return value
    }
}
