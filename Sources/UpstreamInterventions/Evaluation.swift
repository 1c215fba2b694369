import Foundation

/// Estimates each programme's effect from what happened afterwards, by a risk-adjusted comparison: among the young
/// people a programme treated, observed first serious violence offences against those expected from their calibrated
/// risk (O/E), divided by the same ratio among those not treated. Effect = 1 − (O_t / E_t) / (O_u / E_u), with a 95%
/// interval from the log ratio's standard error √(1/O_t + 1/O_u) (Poisson counts; 0.5 added to a zero count).
/// The comparison adjusts for the risk the model measured, not for anything it missed: where places were allocated
/// at random among the eligible, compare with them instead (`untreatedGroup`).
public enum ProgrammeEvaluation {
    /// One young person's record for the evaluation.
    public struct Row: Sendable {
        public var person: String
        /// The programme received, or nil when none.
        public var programme: String?
        /// Calibrated risk at the as-of date.
        public var risk: Double
        /// 1 when a first serious violence offence followed within the horizon.
        public var outcome: Int
        public init(person: String, programme: String?, risk: Double, outcome: Int) {
            self.person = person; self.programme = programme; self.risk = risk; self.outcome = outcome
        }
    }

    /// One programme's estimate against the catalogue's interval.
    public struct Estimate: Sendable, Codable, Equatable {
        public var programme: String
        public var treated: Int
        public var observedTreated: Int
        public var expectedTreated: Double
        public var untreated: Int
        public var observedUntreated: Int
        public var expectedUntreated: Double
        public var effect: Double
        public var effectLow: Double
        public var effectHigh: Double
        public var catalogueLow: Double?
        public var catalogueHigh: Double?
        /// "consistent with the catalogue", "smaller than the catalogue says", "larger than the catalogue says",
        /// or "too few treated to judge (fewer than 5)".
        public var verdict: String
    }

    /// Estimates every programme in the rows.
    /// - Parameter catalogue: the catalogue, for each programme's interval (optional).
    public static func estimate(_ rows: [Row], catalogue: Catalogue? = nil) -> [Estimate] {
        let untreated = rows.filter { $0.programme == nil }
        let ou = untreated.reduce(0) { $0 + $1.outcome }, eu = untreated.reduce(0.0) { $0 + $1.risk }
        let names = Set(rows.compactMap(\.programme)).sorted()
        return names.map { name in
            let t = rows.filter { $0.programme == name }
            let ot = t.reduce(0) { $0 + $1.outcome }, et = t.reduce(0.0) { $0 + $1.risk }
            let a = max(Double(ot), 0.5), b = max(Double(ou), 0.5)
            let ratio = eu > 0 && et > 0 ? (a / et) / (b / eu) : .nan
            let se = (1 / a + 1 / b).squareRoot()
            let effect = 1 - ratio, low = 1 - ratio * exp(1.959964 * se), high = 1 - ratio * exp(-1.959964 * se)
            let interval = catalogue?.programmes.first { $0.id == name }?.effect.planning?.estimate
            var verdict = "no catalogue interval"
            if t.count < 5 {
                verdict = "too few treated to judge (fewer than 5)"
            } else if let interval {
                verdict = high < interval.low ? "smaller than the catalogue says"
                    : low > interval.high ? "larger than the catalogue says" : "consistent with the catalogue"
            }
            return Estimate(programme: name, treated: t.count, observedTreated: ot, expectedTreated: et, untreated: untreated.count,
                            observedUntreated: ou, expectedUntreated: eu, effect: effect, effectLow: low, effectHigh: high,
                            catalogueLow: interval?.low, catalogueHigh: interval?.high, verdict: verdict)
        }
    }

    /// Difference-in-differences on risk-adjusted ratios, for when places went to those the plan ranked highest (not
    /// at random): the same comparison on an earlier cohort, before any treatment, selected by the same rule, measures
    /// how far the selected young people's O/E differs from the rest's without the programme; the effect is what is
    /// left: 1 − [(O_t/E_t)/(O_u/E_u)] / [(O′_t/E′_t)/(O′_u/E′_u)], where ′ marks the earlier cohort (its `programme`
    /// is the offer the same plan would have made then). 95% interval from √(1/O_t + 1/O_u + 1/O′_t + 1/O′_u).
    /// - Parameters:
    ///   - rows: the cohort after the plan, with the programme each received.
    ///   - earlier: an earlier, untreated cohort, with the programme the same rule would have offered.
    ///   - catalogue: for each programme's interval (optional).
    public static func differenceInDifferences(_ rows: [Row], earlier: [Row], catalogue: Catalogue? = nil) -> [Estimate] {
        let now = estimate(rows, catalogue: catalogue)
        let before = Dictionary(estimate(earlier, catalogue: catalogue).map { ($0.programme, $0) }, uniquingKeysWith: { a, _ in a })
        return now.map { e in
            guard let b = before[e.programme], b.expectedTreated > 0, b.expectedUntreated > 0 else {
                var x = e
                x.verdict = "no earlier cohort selected for this programme: no difference-in-differences"
                return x
            }
            func ratio(_ x: Estimate) -> Double {
                (max(Double(x.observedTreated), 0.5) / x.expectedTreated) / (max(Double(x.observedUntreated), 0.5) / x.expectedUntreated)
            }
            let r = ratio(e) / ratio(b)
            let se = (1 / max(Double(e.observedTreated), 0.5) + 1 / max(Double(e.observedUntreated), 0.5)
                + 1 / max(Double(b.observedTreated), 0.5) + 1 / max(Double(b.observedUntreated), 0.5)).squareRoot()
            var x = e
            x.effect = 1 - r
            x.effectLow = 1 - r * exp(1.959964 * se)
            x.effectHigh = 1 - r * exp(-1.959964 * se)
            if e.treated >= 5, let lo = e.catalogueLow, let hi = e.catalogueHigh {
                x.verdict = x.effectHigh < lo ? "smaller than the catalogue says" : x.effectLow > hi ? "larger than the catalogue says" : "consistent with the catalogue"
            }
            return x
        }
    }
}
