import Foundation

/// The cost of the harm the risk model predicts: what one serious violence offence costs society, as the mix of
/// offences that make up serious violence weighted by how often each is recorded, each at the Home Office unit cost
/// of crime; and the same mix in Cambridge Crime Harm Index days as a second, non-monetary measure.
public struct HarmModel: Sendable, Codable, Equatable {
    /// What the risk model predicts, in words.
    public var outcome: String
    /// The price year of the unit costs (Heeks et al. 2018: 2015/16).
    public var unitCostPriceYear: String
    public var offences: [OffenceHarm]
    public var unitCostSource: String
    public var weightSource: String
    public var cchiSource: String
    /// What the expected harm includes and leaves out, in words (shown with every plan).
    public var counted: [String]
    public var notCounted: [String]

    public init(outcome: String, unitCostPriceYear: String, offences: [OffenceHarm], unitCostSource: String,
                weightSource: String, cchiSource: String, counted: [String], notCounted: [String]) {
        self.outcome = outcome; self.unitCostPriceYear = unitCostPriceYear; self.offences = offences
        self.unitCostSource = unitCostSource; self.weightSource = weightSource; self.cchiSource = cchiSource
        self.counted = counted; self.notCounted = notCounted
    }

    var totalWeight: Double { offences.reduce(0) { $0 + $1.weight } }

    /// The weighted mean unit cost of one offence, in the unit costs' own price year.
    public var costPerOffenceAtSourcePrices: Money {
        let w = totalWeight
        guard w > 0 else { return .zero }
        return Money(pounds: offences.reduce(0) { $0 + $1.weight * $1.unitCost.pounds } / w)
    }

    /// The weighted mean unit cost of one offence in `priceYear` prices.
    public func costPerOffence(deflator: Deflator, priceYear: String) throws -> Money {
        Money(pounds: costPerOffenceAtSourcePrices.pounds * (try deflator.factor(from: unitCostPriceYear, to: priceYear)))
    }

    /// The weighted mean Cambridge Crime Harm Index of one offence, in days of imprisonment.
    public var harmIndexDaysPerOffence: Double {
        let w = totalWeight
        return w > 0 ? offences.reduce(0) { $0 + $1.weight * $1.cchiDays } / w : 0
    }
}

/// One kind of offence within serious violence: how often it is recorded, and what one costs and weighs.
public struct OffenceHarm: Sendable, Codable, Equatable {
    public var name: String
    /// Home Office offence codes.
    public var codes: [String]
    /// Relative frequency (recorded offences in the weighting source).
    public var weight: Double
    /// Home Office unit cost of one offence, in the harm model's unit-cost price year.
    public var unitCost: Money
    /// Which Heeks et al. category the cost is, and any caveat ("rounded in source", "proxy").
    public var unitCostNote: String
    /// Cambridge Crime Harm Index: days of imprisonment at the sentencing starting point.
    public var cchiDays: Double

    public init(name: String, codes: [String], weight: Double, unitCost: Money, unitCostNote: String, cchiDays: Double) {
        self.name = name; self.codes = codes; self.weight = weight; self.unitCost = unitCost
        self.unitCostNote = unitCostNote; self.cchiDays = cchiDays
    }
}

/// Discounting future benefits to present values (HM Treasury Green Book).
public enum Discounting {
    /// The present value of £1 of harm spread evenly over `years` from now, at `rate` a year:
    /// (1 − (1 + r)^−H) / (H · ln(1 + r)); 1 when the rate or the horizon is zero.
    public static func spreadFactor(rate: Double, years: Double) -> Double {
        guard rate > 0, years > 0 else { return 1 }
        return (1 - pow(1 + rate, -years)) / (years * log(1 + rate))
    }

    /// The present value of £1 received `years` from now.
    public static func factor(rate: Double, years: Double) -> Double { pow(1 + rate, -years) }
}
