/// A budgeted plan of offers with its business case: who is offered what and why, what it costs and averts, how sure
/// we are, how the return changes with the budget, and whether offers follow need. Built by `PlanBuilder`.
public struct Plan: Sendable, Codable, Equatable {
    public var asOf: String?
    public var priceYear: String
    public var budget: Money
    /// Present value of the harm of one serious violence offence (Home Office unit costs, offence mix).
    public var costPerOffence: Money
    public var harmIndexDaysPerOffence: Double
    public var discountRate: Double
    public var horizonYears: Double
    /// Present value of £1 of harm spread evenly over the horizon.
    public var discountFactor: Double
    public var candidates: Int
    /// Young people matched to at least one plannable programme.
    public var matched: Int
    /// Total expected harm (present value) of every candidate, before any programme.
    public var expectedHarm: Money
    public var offers: [Offer]
    public var programmes: [ProgrammeSummary]
    public var totals: Totals
    public var solver: SolverSummary
    public var curve: [CurvePoint]
    /// Between consecutive points of the curve.
    public var marginal: [MarginalStep]
    /// From the budget to the budget plus the marginal step (£100,000 by default): what the next step buys.
    public var nextStep: MarginalStep?
    public var uncertainty: Uncertainty
    public var sensitivity: [SensitivityBar]
    public var fairness: [PlanFairness]
    public var assumptions: [Assumption]
    /// Catalogue entries not planned, with what is missing.
    public var notPlanned: [NotPlanned]
}

/// One offer: a young person, a programme, why, and what it is expected to achieve.
public struct Offer: Sendable, Codable, Equatable {
    public var id: String
    public var person: String
    public var programme: String
    public var programmeName: String
    public var risk: Double
    public var age: Int?
    /// Expected harm of this young person over the horizon without the programme (present value).
    public var expectedHarm: Money
    public var harmAverted: Money
    public var cost: Money
    public var benefitCostRatio: Double
    public var netPresentValue: Money
    /// Monte Carlo: 95% interval of the harm averted and the probability that it exceeds the cost.
    public var harmAvertedLow: Money
    public var harmAvertedHigh: Money
    public var probabilityBenefitExceedsCost: Double
    public var reasons: [String]
    /// Other programmes this person was matched to.
    public var alsoMatched: [String]
}

/// One programme's part in the plan.
public struct ProgrammeSummary: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var agency: String
    public var matched: Int
    public var places: Int
    public var offers: Int
    public var costPerParticipant: Money
    public var cost: Money
    public var harmAverted: Money
    public var cchiDaysAverted: Double
    public var benefitCostRatio: Double?
    public var netPresentValue: Money
    public var effect: Double
    public var effectLow: Double
    public var effectHigh: Double
    /// True when the effect is on offending, used as a proxy for violence.
    public var effectIsProxy: Bool
    public var harmAvertedLow: Money
    public var harmAvertedHigh: Money
    public var netPresentValueLow: Money
    public var netPresentValueHigh: Money
    public var probabilityBenefitExceedsCost: Double?
}

/// The whole plan's figures.
public struct Totals: Sendable, Codable, Equatable {
    public var offers: Int
    public var cost: Money
    public var harmAverted: Money
    public var offencesAverted: Double
    public var cchiDaysAverted: Double
    public var benefitCostRatio: Double?
    public var netPresentValue: Money
}

/// The solver's plan against the greedy plan.
public struct SolverSummary: Sendable, Codable, Equatable {
    public var solver: String
    public var status: String
    public var optimalHarmAverted: Money
    public var greedyHarmAverted: Money
    public var greedyOffers: Int
    /// (optimal − greedy) / optimal.
    public var optimalityGap: Double
    /// Offers given to the solver after the safe reduction, out of all matched offers.
    public var variables: Int
    public var matchedOffers: Int
}

/// Harm averted by the best plan at one budget.
public struct CurvePoint: Sendable, Codable, Equatable {
    public var budget: Money
    public var harmAverted: Money
    public var cost: Money
    public var offers: Int
    /// The solver's status at this budget.
    public var status: String
}

/// What each extra £100,000 (or the step given) buys from a budget.
public struct MarginalStep: Sendable, Codable, Equatable {
    public var from: Money
    public var to: Money
    public var extraHarmAverted: Money
    /// Harm averted per extra pound of budget.
    public var returnPerPound: Double
}

/// The Monte Carlo over effects, calibration and costs.
public struct Uncertainty: Sendable, Codable, Equatable {
    public var draws: Int
    public var seed: UInt64
    public var calibrationLow: Double
    public var calibrationHigh: Double
    /// The central calibration multiplier the offers are valued at (nil: 1, the model's own scores).
    public var calibrationCentral: Double? = nil
    public var harmAvertedLow: Money
    public var harmAvertedMedian: Money
    public var harmAvertedHigh: Money
    public var netPresentValueLow: Money
    public var netPresentValueHigh: Money
    public var benefitCostRatioLow: Double
    public var benefitCostRatioHigh: Double
    public var probabilityBenefitExceedsCost: Double
}

/// One bar of the tornado chart: the plan's net present value with one input at its low and high end.
public struct SensitivityBar: Sendable, Codable, Equatable {
    public var input: String
    public var lowSetting: String
    public var highSetting: String
    public var netPresentValueAtLow: Money
    public var netPresentValueAtHigh: Money
    public var swing: Money { Money(pence: abs(netPresentValueAtHigh.pence - netPresentValueAtLow.pence)) }
}

/// One assumption of the plan, with its source.
public struct Assumption: Sendable, Codable, Equatable {
    public var topic: String
    public var text: String
    public var source: String
}

/// A catalogue entry left out of the plan, and why.
public struct NotPlanned: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var gaps: [String]
}
