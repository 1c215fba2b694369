import Foundation

/// The closed loop (docs/interventions.md §8): the harm a plan said it would avert, against the harm it averted when
/// the synthetic city re-lived the same lives with the plan's treatment.
///
/// Realised harm averted = (first serious violence offences within the horizon among the treated in the untreated
/// run − the same in the treated run) × cost per offence × the discount factor, the plan's own valuation of one
/// offence. The plan's Monte Carlo interval is an interval for the *expected* harm averted; the realised figure also
/// carries chance (whether each treated young person would have offended at all), so the comparison also reports a
/// predictive interval: the same draws of calibration and effects, plus, in each draw, one Bernoulli draw per offer
/// of an offence averted with probability min(1, risk × calibration) × effect. The calibration is drawn over the plan's
/// range, which (with the selection calibration, ``SelectionCalibration``) is the interval of the base rate among those
/// the plan's rule selects: so the predictive interval holds the uncertainty of that base rate as well as of the effects.
public enum ClosedLoop {
    /// The comparison of predicted and realised harm averted.
    public struct Comparison: Sendable, Codable, Equatable {
        public var offers: Int
        /// First serious violence offences within the horizon among the treated, in each run.
        public var offencesUntreatedRun: Int
        public var offencesTreatedRun: Int
        public var offencesAverted: Int
        public var expectedOffencesAverted: Double
        public var realisedHarmAverted: Money
        public var predictedHarmAverted: Money
        /// The plan's Monte Carlo 95% interval (expected harm averted).
        public var planLow: Money
        public var planHigh: Money
        /// The 95% predictive interval (the plan's uncertainty plus chance in who offends).
        public var predictiveLow: Money
        public var predictiveHigh: Money
        public var withinPlanInterval: Bool
        public var withinPredictiveInterval: Bool
        /// The verdict: predicted and realised agree when the realised harm averted lies within the **predictive**
        /// interval. The plan's Monte Carlo interval is for the mean (the expected harm averted) and leaves out chance
        /// in who offends, so a realised count falls outside it far more often than 5% of the time when few offences
        /// are expected; it is reported, not judged against (docs/interventions.md §8).
        public var agree: Bool { withinPredictiveInterval }
        /// What each interval is, in words, for reports.
        public static let intervalsExplained = "the plan's Monte Carlo interval is for the expected (mean) harm averted; "
            + "the predictive interval adds chance in which treated young people would have offended, and is the one "
            + "the realised figure is judged against"
    }

    /// The true person a linked person mostly is: the one holding most of the linked person's records (ties to the
    /// smallest id), or nil when none of its records is in the truth. Used to re-live a plan made on linked persons
    /// in the synthetic city, whose truth is by true person.
    /// - Parameter votes: records of the linked person by true person id.
    public static func majority(_ votes: [String: Int]) -> String? {
        votes.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
    }

    /// Compares a plan with the outcomes of the two runs.
    /// - Parameters:
    ///   - plan: the plan (its offers' `person` must be the keys of the outcome maps).
    ///   - programmes: each programme's effect interval (low, point, high) by id, as the plan's Monte Carlo drew them.
    ///   - untreated, treated: for each offered person, whether a first serious violence offence followed within the
    ///     horizon in the untreated and in the treated run.
    ///   - draws, seed: the predictive interval's draws.
    public static func compare(plan: Plan, programmes: [String: (low: Double, point: Double, high: Double)],
                               untreated: [String: Bool], treated: [String: Bool], draws: Int = 2_000, seed: UInt64 = 1) -> Comparison {
        let offers = plan.offers
        let before = offers.filter { untreated[$0.person] == true }.count
        let after = offers.filter { treated[$0.person] == true }.count
        let unit = plan.costPerOffence.pounds * plan.discountFactor
        let ids = Set(offers.map(\.programme)).sorted()
        var g = SeededGenerator(seed: seed)
        var totals: [Double] = []
        totals.reserveCapacity(draws)
        for _ in 0..<max(draws, 1) {
            let m = Draw.uniform(plan.uncertainty.calibrationLow, plan.uncertainty.calibrationHigh, using: &g)
            var effect: [String: Double] = [:]
            for id in ids {
                let e = programmes[id] ?? (0, 0, 0)
                effect[id] = Draw.triangular(low: e.low, mode: e.point, high: e.high, using: &g)
            }
            var count = 0
            for o in offers where g.unit() < min(1, o.risk * m) * (effect[o.programme] ?? 0) { count += 1 }
            totals.append(Double(count) * unit)
        }
        totals.sort()
        let realised = Double(before - after) * unit
        let lo = Draw.quantile(totals, 0.025), hi = Draw.quantile(totals, 0.975)
        // The plan's own expectation: the model's risk × the central calibration (1, or the selection calibration's O′/E′).
        let central = plan.uncertainty.calibrationCentral ?? 1
        let expected = offers.reduce(0.0) { $0 + min(1, $1.risk * central) * (programmes[$1.programme]?.point ?? 0) }
        return Comparison(
            offers: offers.count, offencesUntreatedRun: before, offencesTreatedRun: after, offencesAverted: before - after,
            expectedOffencesAverted: expected, realisedHarmAverted: Money(pounds: realised), predictedHarmAverted: plan.totals.harmAverted,
            planLow: plan.uncertainty.harmAvertedLow, planHigh: plan.uncertainty.harmAvertedHigh,
            predictiveLow: Money(pounds: lo), predictiveHigh: Money(pounds: hi),
            withinPlanInterval: realised >= plan.uncertainty.harmAvertedLow.pounds - 0.005 && realised <= plan.uncertainty.harmAvertedHigh.pounds + 0.005,
            withinPredictiveInterval: realised >= lo - 0.005 && realised <= hi + 0.005)
    }
}
