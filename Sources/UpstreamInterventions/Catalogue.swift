import Foundation

/// The intervention catalogue: the programmes a commissioner can fund, what each costs and achieves with the source of
/// every figure, and the cost-of-harm model the plan values them with. Loaded from `catalogue/interventions.yaml`
/// (see `CatalogueLoader`), which an analyst can edit.
public struct Catalogue: Sendable, Codable, Equatable {
    /// The price year every amount is expressed in, after inflating with the deflator ("2015/16").
    public var priceYear: String
    /// The discount rate for future benefits (HM Treasury Green Book: 3.5% a year).
    public var discountRate: Double
    public var discountRateSource: String
    /// How far ahead the risk model predicts, in years: the harm averted is counted over this horizon.
    public var horizonYears: Double
    public var harm: HarmModel
    public var deflator: Deflator
    public var programmes: [Programme]

    public init(priceYear: String, discountRate: Double, discountRateSource: String, horizonYears: Double,
                harm: HarmModel, deflator: Deflator, programmes: [Programme]) {
        self.priceYear = priceYear; self.discountRate = discountRate; self.discountRateSource = discountRateSource
        self.horizonYears = horizonYears; self.harm = harm; self.deflator = deflator; self.programmes = programmes
    }

    /// The programmes with every figure the plan needs (effect with an interval, cost, places).
    public var plannable: [Programme] { programmes.filter(\.isPlannable) }

    /// The catalogue with its amounts in `year`'s prices (the unit costs of harm are inflated from their price year
    /// with the deflator when a plan values them); "latest" means the latest calendar year of the deflator's index.
    /// Programme costs are used as the catalogue gives them (their sources do not state a price year).
    /// - Throws: when the deflator has no index value for `year` or for the unit costs' price year.
    public func repriced(to year: String) throws -> Catalogue {
        var c = self
        if year == "latest" {
            guard let latest = deflator.latestYear else {
                throw InterventionsError.catalogue("deflator", "has no calendar year in its index, so there is no latest price year: add the deflator's file or name a price year")
            }
            c.priceYear = latest
        } else {
            c.priceYear = year
        }
        _ = try deflator.factor(from: harm.unitCostPriceYear, to: c.priceYear)
        return c
    }
}

/// One programme of the catalogue.
public struct Programme: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    /// Who delivers it (an agency or a commissioned provider).
    public var agency: String
    public var minimumAge: Int
    public var maximumAge: Int
    /// A young person is matched when any one of these holds.
    public var needs: [NeedRule]
    public var effect: Effect
    /// Cost per participant; `nil` when the reference has no figure (the entry is then a gap).
    public var cost: CostRange?
    /// Places a year. A local commissioning figure, not a published one: its note says where it came from.
    public var places: Int
    public var placesNote: String
    public var durationWeeks: Int?
    public var evidence: String
    /// What the reference lacks for this entry, in words. An entry with gaps is listed but not planned.
    public var gaps: [String]

    public init(id: String, name: String, agency: String, minimumAge: Int, maximumAge: Int, needs: [NeedRule],
                effect: Effect, cost: CostRange?, places: Int, placesNote: String = "", durationWeeks: Int? = nil,
                evidence: String = "", gaps: [String] = []) {
        self.id = id; self.name = name; self.agency = agency; self.minimumAge = minimumAge; self.maximumAge = maximumAge
        self.needs = needs; self.effect = effect; self.cost = cost; self.places = places; self.placesNote = placesNote
        self.durationWeeks = durationWeeks; self.evidence = evidence; self.gaps = gaps
    }

    /// Whether the plan can use it: an effect on violence (or a stated proxy) with an interval, a cost, and places.
    public var isPlannable: Bool { gaps.isEmpty && effect.planning != nil && cost != nil && places > 0 }
}

/// When a young person needs a programme: a feature at or above a level, said in plain words.
public struct NeedRule: Sendable, Codable, Equatable {
    /// A risk feature's name (see docs/risk-model.md), e.g. `police_domestic_incident_present_5y`.
    public var feature: String
    public var atLeast: Double
    /// Plain words for a practitioner; `{value}` is replaced by the person's value.
    public var reason: String

    public init(feature: String, atLeast: Double, reason: String) { self.feature = feature; self.atLeast = atLeast; self.reason = reason }
}

/// A relative reduction (0.21 = 21% fewer) with its interval and where each number came from.
public struct EffectEstimate: Sendable, Codable, Equatable {
    public var point: Double
    public var low: Double
    public var high: Double
    /// The outcome measured ("violence", "crime (all offending)").
    public var outcome: String
    public var source: String
    /// Where the interval came from (the sources give points; see docs/interventions.md).
    public var intervalNote: String

    public init(point: Double, low: Double, high: Double, outcome: String, source: String, intervalNote: String) {
        self.point = point; self.low = low; self.high = high; self.outcome = outcome; self.source = source; self.intervalNote = intervalNote
    }
}

/// A programme's effects: on violence where the source states one, and on offending.
public struct Effect: Sendable, Codable, Equatable {
    public var violence: EffectEstimate?
    public var offending: EffectEstimate?

    public init(violence: EffectEstimate?, offending: EffectEstimate?) { self.violence = violence; self.offending = offending }

    /// The estimate the plan uses against serious violence: the violence estimate, or else the offending estimate as a
    /// stated proxy (`proxy` true).
    public var planning: (estimate: EffectEstimate, proxy: Bool)? {
        if let violence { return (violence, false) }
        if let offending { return (offending, true) }
        return nil
    }
}

/// Cost per participant: a range where the source gives one (low = high otherwise), in the catalogue's price year.
public struct CostRange: Sendable, Codable, Equatable {
    public var low: Money
    public var high: Money
    /// The central value used in the plan: the midpoint of the range.
    public var central: Money { Money(pence: (low.pence + high.pence) / 2) }
    /// The price year of the source figure, or `nil` when the source does not state it.
    public var sourcePriceYear: String?
    public var source: String

    public init(low: Money, high: Money, sourcePriceYear: String?, source: String) {
        self.low = low; self.high = high; self.sourcePriceYear = sourcePriceYear; self.source = source
    }
}

/// A price index (HM Treasury's GDP deflator) to move amounts between price years.
public struct Deflator: Sendable, Codable, Equatable {
    public var series: String
    public var source: String
    /// Financial year ("2015/16") → index value.
    public var index: [String: Double]
    public var note: String

    public init(series: String, source: String, index: [String: Double], note: String = "") {
        self.series = series; self.source = source; self.index = index; self.note = note
    }

    /// The latest calendar year ("2024") in the index, or `nil` when it holds none.
    public var latestYear: String? {
        index.keys.filter { $0.count == 4 && Int($0) != nil }.max()
    }

    /// The index of a published calendar-year series (`year → value`, any base) with every financial year it spans:
    /// a financial year (April to March, "2015/16") is given ¾ of its first calendar year's index and ¼ of its
    /// second's, the share of its months in each. Calendar years keep their published value.
    public static func index(calendarYears: [Int: Double]) -> [String: Double] {
        var out: [String: Double] = [:]
        for (y, v) in calendarYears {
            out[String(y)] = v
            if let next = calendarYears[y + 1] {
                out[String(y) + "/" + String(format: "%02d", (y + 1) % 100)] = 0.75 * v + 0.25 * next
            }
        }
        return out
    }

    /// Reads a deflator CSV with columns `calendar_year` and `index` (other columns are ignored): one row per
    /// year, as published. Every problem is described (line and column) so an analyst can fix the file.
    public static func calendarYears(csv: String, name: String) throws -> [Int: Double] {
        var lines = csv.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !lines.isEmpty else { throw InterventionsError.catalogue(name, "is empty: it needs a header calendar_year,index and one row per year") }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let yc = header.firstIndex(of: "calendar_year"), let ic = header.firstIndex(of: "index") else {
            throw InterventionsError.catalogue(name, "needs the columns calendar_year and index (its header is \(header.joined(separator: ",")))")
        }
        var out: [Int: Double] = [:]
        for (n, line) in lines.enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > max(yc, ic), let y = Int(cells[yc]), (1900...2200).contains(y), let v = Double(cells[ic]), v > 0 else {
                throw InterventionsError.catalogue(name, "line \(n + 2) must hold a year (1900-2200) under calendar_year and a positive number under index")
            }
            guard out[y] == nil else { throw InterventionsError.catalogue(name, "line \(n + 2): the year \(y) is given twice") }
            out[y] = v
        }
        return out
    }

    /// The factor that turns `from` prices into `to` prices; 1 when they are the same year.
    /// - Throws: when either year is not in the index.
    public func factor(from: String, to: String) throws -> Double {
        if from == to { return 1 }
        guard let a = index[from] else {
            throw InterventionsError.catalogue("deflator", "no index value for \(from): add it to deflator.index from \(series)")
        }
        guard let b = index[to] else {
            throw InterventionsError.catalogue("deflator", "no index value for \(to): add it to deflator.index from \(series)")
        }
        return b / a
    }
}
