import Foundation

/// MoRiLE-style priority scoring. MoRiLE's published order of steps is followed (score harm, score likelihood with
/// vulnerability, combine into risk, qualify by confidence, adjust by organisational position: reference/morile.md);
/// its official scale points and weights were not found, so Upstream's scales below are its own, printed in the report
/// and configurable.
public struct PriorityWeights: Codable, Sendable, Equatable {
    /// Weight of harm (CCHI days per crime, scaled 1–5) in the risk score.
    public var harm: Double
    /// Weight of likelihood (volume, scaled 1–5, one point up for a significant rise and down for a significant fall).
    public var likelihood: Double
    /// Weight of victim vulnerability (1–5, from the typology: see `PriorityWeights.vulnerability`).
    public var vulnerability: Double
    /// Organisational position: 1–5 for how much the partnership could do that it is not doing (3 when not assessed).
    public var organisationalPosition: Double

    public init(harm: Double = 0.4, likelihood: Double = 0.35, vulnerability: Double = 0.25, organisationalPosition: Double = 3) {
        self.harm = harm; self.likelihood = likelihood; self.vulnerability = vulnerability
        self.organisationalPosition = organisationalPosition
    }

    /// Parses `harm=0.4,likelihood=0.35,vulnerability=0.25[,position=3]`.
    public static func parse(_ text: String) throws -> PriorityWeights {
        var w = PriorityWeights()
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let v = Double(kv[1]), v >= 0, v.isFinite else {
                throw AssessmentError.badWeights("\"\(part)\" is not name=number (e.g. harm=0.4,likelihood=0.35,vulnerability=0.25)")
            }
            switch kv[0] {
            case "harm": w.harm = v
            case "likelihood": w.likelihood = v
            case "vulnerability": w.vulnerability = v
            case "position", "organisational_position":
                guard (1...5).contains(v) else { throw AssessmentError.badWeights("position must be between 1 and 5") }
                w.organisationalPosition = v
            default: throw AssessmentError.badWeights("unknown weight \"\(kv[0])\": use harm, likelihood, vulnerability or position")
            }
        }
        guard w.harm + w.likelihood + w.vulnerability > 0 else { throw AssessmentError.badWeights("the weights add up to 0") }
        return w
    }

    /// Victim vulnerability on 1–5 (Upstream's judgement, printed in the report): 5 where victims are children or
    /// controlled (CSE, FGM, modern slavery, serious youth violence), 4 for abuse within families and hate, 3 otherwise.
    public static func vulnerability(_ t: Typology) -> Double {
        switch t {
        case .cse, .fgm, .modernSlavery, .seriousYouthViolence: 5
        case .domesticAbuse, .familyIntimate, .honourBased, .hate: 4
        default: 3
        }
    }

    /// Confidence multiplier from the mapping confidence: high 1.0, medium 0.9, low 0.8.
    public static func confidence(_ level: String) -> Double {
        switch level { case "high": 1.0; case "medium": 0.9; default: 0.8 }
    }
}

/// One threat, scored and ranked, with the evidence behind its rank.
public struct Priority: Codable, Sendable, Equatable {
    public var rank: Int
    public var threat: String
    public var harmScore: Double
    public var likelihoodScore: Double
    public var vulnerabilityScore: Double
    /// Weighted sum of the three, on 1–5.
    public var riskScore: Double
    public var confidence: Double
    /// risk × confidence × organisational position / 3.
    public var priorityScore: Double
    public var evidence: [String]
}

/// What the scorer needs of one threat.
public struct ThreatEvidence: Sendable {
    public var title: String
    /// Victim vulnerability on 1–5.
    public var vulnerability: Double
    public var hiddenHarm: Bool
    public var count: Int
    public var harmPerCrime: Double
    public var harmShare: Double
    public var volumeShare: Double
    public var trend: SeasonalChangeTest?
    public var confidence: String

    public init(title: String, vulnerability: Double, hiddenHarm: Bool, count: Int, harmPerCrime: Double, harmShare: Double,
                volumeShare: Double, trend: SeasonalChangeTest?, confidence: String) {
        self.title = title; self.vulnerability = vulnerability; self.hiddenHarm = hiddenHarm; self.count = count; self.harmPerCrime = harmPerCrime; self.harmShare = harmShare
        self.volumeShare = volumeShare; self.trend = trend; self.confidence = confidence
    }
}

/// Ranks the assessment's threats: harm (CCHI days a crime) and likelihood (volume, a point up or down for a significant
/// trend) scored 1–5 on a log scale across the threats, with the typology's victim vulnerability; their weighted mean,
/// times the mapping confidence and the organisational position, is the priority (``PriorityWeights``).
public enum PriorityScoring {
    /// Scales `value` to 1–5 on a log scale between the smallest and largest positive values of the set.
    static func logScale(_ value: Double, among values: [Double]) -> Double {
        let positive = values.filter { $0 > 0 }
        guard value > 0, let lo = positive.min(), let hi = positive.max() else { return 1 }
        guard hi > lo else { return 3 }
        return 1 + 4 * (log(value) - log(lo)) / (log(hi) - log(lo))
    }

    /// Scores and ranks the threats (ties broken by harm share, then name).
    public static func rank(_ threats: [ThreatEvidence], weights: PriorityWeights) -> [Priority] {
        let harms = threats.map(\.harmPerCrime), volumes = threats.map { Double($0.count) }
        let total = weights.harm + weights.likelihood + weights.vulnerability
        var out: [Priority] = []
        for t in threats where t.count > 0 {
            let h = logScale(t.harmPerCrime, among: harms)
            var l = logScale(Double(t.count), among: volumes)
            if let tr = t.trend, tr.significant { l = min(5, max(1, l + (tr.ratio > 1 ? 1 : -1))) }
            let v = t.vulnerability
            let risk = (weights.harm * h + weights.likelihood * l + weights.vulnerability * v) / total
            let c = PriorityWeights.confidence(t.confidence)
            var evidence = [
                "\(SmallCount(t.count).text) crimes (\(pct(t.volumeShare)) by volume)",
                "\(pct(t.harmShare)) by harm; \(SeasonalChangeTest.fixed(t.harmPerCrime, 0)) CCHI days per crime",
            ]
            if let tr = t.trend { evidence.append("latest 12 months against the 12 before: \(tr.words)") }
            else { evidence.append("too little history for a trend test") }
            evidence.append("mapping confidence \(t.confidence); vulnerability \(SeasonalChangeTest.fixed(v, 0)) of 5")
            if t.hiddenHarm { evidence.append("hidden harm: recorded crime understates it") }
            out.append(Priority(rank: 0, threat: t.title, harmScore: h, likelihoodScore: l, vulnerabilityScore: v,
                                riskScore: risk, confidence: c, priorityScore: risk * c * weights.organisationalPosition / 3,
                                evidence: evidence))
        }
        out.sort { ($0.priorityScore, $1.threat) > ($1.priorityScore, $0.threat) }
        for i in out.indices { out[i].rank = i + 1 }
        return out
    }

    static func pct(_ x: Double) -> String { SeasonalChangeTest.fixed(x * 100, 1) + "%" }
}
