import Foundation

/// The risk model's calibration **among the young people a plan's own rule selects**, measured where the outcome is
/// already known (docs/interventions.md §3, "The selection calibration").
///
/// A risk model calibrated for the whole cohort is right on average for each score, not within every subgroup. A plan
/// does not take the highest-ranked young people: it takes those whose **need rules** match a programme and ranks them
/// by harm averted, so its offers can be a group the model under- or over-predicts. This measures that group's
/// observed over expected first offences on the plan the same rule (catalogue, budget, places) makes at an earlier
/// date whose whole outcome window ends by the plan's date: O′ first offences among its offers, E′ the sum of the
/// model's risks for them. The plan then values today's offers at the model's risk × O′/E′, and its Monte Carlo (and
/// the closed loop's predictive interval) draws the multiplier over O′/E′ · exp(±1.96/√O′), the 95% interval of a
/// Poisson count on the log scale. With fewer than ``minimumObserved`` first offences there is too little to measure,
/// and `measure` returns nil (the plan keeps the whole test set's range).
public struct SelectionCalibration: Sendable, Codable, Equatable {
    /// The earlier date the same rule was applied at.
    public var asOf: String
    /// Offers the same rule made then.
    public var offers: Int
    /// First offences within the horizon among them (O′).
    public var observed: Int
    /// The sum of the model's risks for them (E′).
    public var expected: Double
    /// O′ / E′: the multiplier applied to the model's risk for today's offers.
    public var ratio: Double
    /// The 95% interval of the ratio: ratio · exp(∓1.96 / √O′).
    public var low: Double
    public var high: Double

    /// Below this many first offences among the earlier offers the ratio is not measured.
    public static let minimumObserved = 5

    /// In words, for the plan's assumptions.
    public var note: String {
        "the same rule's \(offers) offers as of \(asOf) (whose outcomes are known by the plan's date): \(observed) first offences observed "
            + String(format: "against %.2f expected by the model (O′/E′ %.2f, 95%% %.2f-%.2f)", expected, ratio, low, high)
    }

    /// Measures the ratio on an earlier plan's offers.
    /// - Parameters:
    ///   - asOf: the earlier plan's date.
    ///   - risks: the model's (calibrated) risk of each of its offers.
    ///   - outcomes: whether each of them had a first serious violence offence within the horizon (same order).
    /// - Returns: nil when fewer than ``minimumObserved`` offences were observed or nothing was expected.
    public static func measure(asOf: String, risks: [Double], outcomes: [Bool]) -> SelectionCalibration? {
        precondition(risks.count == outcomes.count, "one outcome per offer")
        let observed = outcomes.filter { $0 }.count
        let expected = risks.reduce(0, +)
        guard observed >= minimumObserved, expected > 0 else { return nil }
        let ratio = Double(observed) / expected
        let half = 1.959964 / Double(observed).squareRoot()
        return SelectionCalibration(asOf: asOf, offers: risks.count, observed: observed, expected: expected, ratio: ratio,
                                    low: ratio * exp(-half), high: ratio * exp(half))
    }

    /// Measures the ratio on `plan`'s offers, `outcome` giving each offered person's first offence within the horizon.
    public static func measure(plan: Plan, outcome: (String) -> Bool) -> SelectionCalibration? {
        measure(asOf: plan.asOf ?? "", risks: plan.offers.map(\.risk), outcomes: plan.offers.map { outcome($0.person) })
    }

    /// `settings` with this ratio as the central calibration and its interval as the Monte Carlo's range (the range it
    /// replaces stays in the source's words).
    public func applied(to settings: PlanSettings) -> PlanSettings {
        var s = settings
        s.calibrationCentral = ratio
        s.calibrationLow = low
        s.calibrationHigh = high
        s.calibrationSource = "selection calibration: " + note + "; not used, the range measured before it: " + settings.calibrationSource
        return s
    }
}
