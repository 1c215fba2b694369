/// One level of a trained comparison: how often matches (m) and non-matches (u) land in it.
public struct TrainedLevel: Codable, Sendable, Hashable {
    public var label: String
    public var m: Double
    public var u: Double
    /// log2(m / u), the level's match weight in bits.
    public var weight: Double { (m / u).log2Value }
    public init(label: String, m: Double, u: Double) { self.label = label; self.m = m; self.u = u }
}

/// A trained comparison: its levels in order (level 1 first; the null level is implicit and weighs 0).
public struct TrainedComparison: Codable, Sendable, Hashable {
    /// The comparison's name in the settings.
    public var name: String
    public var levels: [TrainedLevel]
    public init(name: String, levels: [TrainedLevel]) { self.name = name; self.levels = levels }
}

/// What training saw and did.
public struct TrainingSummary: Codable, Sendable, Hashable {
    public struct Session: Codable, Sendable, Hashable {
        public var rule: String
        public var pairs: Int
        public var iterations: Int
        public var converged: Bool
        /// The share of the session's pairs EM judged to match.
        public var matchShare: Double
        public var trained: [String]
    }
    public var records: Int
    public var identities: Int
    public var candidatePairs: Int
    public var uSamplePairs: Int
    public var sessions: [Session]
    /// Labelled pairs from clerical review used to re-estimate m (0 when none).
    public var reviewedPairs: Int
}

/// The saved, reusable Fellegi–Sunter model: the settings it was trained with, the prior, and m and u per level.
///
/// It holds no personal data: term frequencies are recomputed from whatever is linked.
public struct LinkageModel: Codable, Sendable, Hashable {
    public static let currentFormat = 2
    public var format: Int
    public var settings: LinkageSettings
    /// The probability that two identities drawn at random are the same person (λ).
    public var lambda: Double
    public var comparisons: [TrainedComparison]
    public var summary: TrainingSummary

    public init(settings: LinkageSettings, lambda: Double, comparisons: [TrainedComparison], summary: TrainingSummary) {
        self.format = LinkageModel.currentFormat; self.settings = settings; self.lambda = lambda
        self.comparisons = comparisons; self.summary = summary
    }

    /// The prior match weight, log2(λ / (1 − λ)).
    public var priorWeight: Double { (lambda / (1 - lambda)).log2Value }

    /// Weight tables, `weights[c][level]` (index 0, the null level, is 0).
    public var weightTable: [[Double]] { comparisons.map { [0] + $0.levels.map(\.weight) } }

    /// Checks a decoded model against the shape its settings demand.
    public func validate() throws {
        guard format == LinkageModel.currentFormat else { throw LinkageError.modelFormat(format) }
        guard comparisons.map(\.name) == settings.comparisons.map(\.name) else { throw LinkageError.modelShape("comparisons differ from settings") }
        for (c, spec) in zip(comparisons, settings.comparisons) {
            guard c.levels.count == spec.levelCount else { throw LinkageError.modelShape("\(c.name) has \(c.levels.count) levels, expected \(spec.levelCount)") }
            for l in c.levels where !(l.m > 0 && l.m <= 1 && l.u > 0 && l.u <= 1) {
                throw LinkageError.modelShape("\(c.name) level '\(l.label)' has m or u outside (0, 1]")
            }
        }
        guard lambda > 0, lambda < 1 else { throw LinkageError.modelShape("lambda outside (0, 1)") }
    }
}

/// Errors of the linkage engine: what went wrong and where, never the personal values involved.
public struct LinkageError: Error, Equatable, CustomStringConvertible, Sendable {
    enum Code: Equatable, Sendable { case modelFormat, modelShape, input, config }
    let code: Code
    public let detail: String
    /// The problems of a settings document, one each (empty for other errors).
    public let problems: [String]
    init(code: Code, detail: String, problems: [String] = []) { self.code = code; self.detail = detail; self.problems = problems }
    public var description: String {
        switch code {
        case .modelFormat: "linkage model: unsupported format \(detail)"
        case .modelShape: "linkage model: \(detail)"
        case .input: "linkage input: \(detail)"
        case .config: "linkage settings: \(detail)"
        }
    }
    public static func modelFormat(_ f: Int) -> LinkageError { LinkageError(code: .modelFormat, detail: String(f)) }
    public static func modelShape(_ s: String) -> LinkageError { LinkageError(code: .modelShape, detail: s) }
    public static func input(_ s: String) -> LinkageError { LinkageError(code: .input, detail: s) }
    /// Every problem of a settings document, one per line.
    public static func config(_ problems: [String]) -> LinkageError { LinkageError(code: .config, detail: problems.joined(separator: "\n  "), problems: problems) }
}

extension Double {
    /// Base-2 logarithm without Foundation.
    var log2Value: Double { Math.log2(self) }
    /// 2 to the power of self.
    var exp2Value: Double { Math.exp2(self) }
}

/// Minimal maths without Foundation (the core imports only the standard library).
enum Math {
    static func log2(_ x: Double) -> Double {
        guard x > 0 else { return -.infinity }
        guard x.isFinite else { return x }
        // x = f · 2^e with f in [1, 2); log2(f) by the series of ln((1+y)/(1-y)).
        let e = x.exponent
        let f = x.significand
        let y = (f - 1) / (f + 1), y2 = y * y
        var term = y, sum = 0.0, k = 1.0
        for _ in 0..<40 {
            sum += term / k
            term *= y2; k += 2
            if abs(term) < 1e-18 { break }
        }
        return Double(e) + 2 * sum / 0.693_147_180_559_945_3
    }

    static func exp2(_ x: Double) -> Double {
        if x > 1023 { return .infinity }
        if x < -1074 { return 0 }
        let n = x.rounded(.down)
        let r = (x - n) * 0.693_147_180_559_945_3  // e^r with r in [0, ln2)
        var term = 1.0, sum = 1.0
        for k in 1..<30 {
            term *= r / Double(k); sum += term
            if term < 1e-18 { break }
        }
        return Double(sign: .plus, exponent: Int(n), significand: sum)
    }

    /// Probability from a match weight: 2^w / (1 + 2^w).
    static func probability(weight w: Double) -> Double {
        if w > 60 { return 1 }
        if w < -60 { return 0 }
        let p = exp2(w)
        return p / (1 + p)
    }
}
