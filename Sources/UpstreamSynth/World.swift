import UpstreamModel

/// A small area of the city: its code, grid position, deprivation decile and whether it is a hotspot.
public struct Area: Sendable {
    public var code: String
    public var easting: Int
    public var northing: Int
    /// 1 = most deprived tenth of areas, 10 = least deprived.
    public var decile: Int
    public var hotspot: Bool
    /// Postcode district and sector, e.g. `UC4` and `UC4 7`.
    public var district: String
    public var sector: String
    /// Fixed venues (repeat locations) as small offsets from the area's centre.
    public var venues: [(Int, Int)]
}

/// One person of the synthetic city, with the true identity that agencies' records distort.
public struct Person: Sendable {
    public var index: Int32
    public var sex: Sex
    public var dob: CivilDate
    public var ethnicity: Ethnicity
    public var forename: String
    public var middle: String
    public var surname: String
    public var household: Int32
    public var mother: Int32 = -1
    public var father: Int32 = -1
    public var twinOf: Int32 = -1
    /// A later surname (step-parent's or hyphenated) and the date records can start using it.
    public var laterSurname: String = ""
    public var surnameChangeDate: CivilDate = CivilDate(dayNumber: .max)
    /// Own move away from the household (a separated parent), with the new postcode and area.
    public var leftHouseholdDate: CivilDate = CivilDate(dayNumber: .max)
    public var ownArea: Int32 = -1
    public var ownPostcode: String = ""
    /// Child-level: the ACEs and when each began (day numbers; `Int32.max` when absent).
    public var aceOnset: [Int32] = []
    /// Offending propensity multiplier for adults and young people (age curve applied separately).
    public var propensity: Double = 1

    public var id: String { "P" + SynthText.pad(Int(index), 8) }
    public var isChild: Bool { !aceOnset.isEmpty }

    /// ACEs that had begun by `date`.
    public func aces(by date: CivilDate) -> ACESet {
        var s = ACESet()
        for (i, d) in aceOnset.enumerated() where d <= date.dayNumber { s.insert(ACE.allCases[i]) }
        return s
    }

    public var lifetimeACEs: ACESet {
        var s = ACESet()
        for (i, d) in aceOnset.enumerated() where d != .max { s.insert(ACE.allCases[i]) }
        return s
    }
}

/// A household: where it lives, who is in it, its latent adversity and its household-level ACE events.
public struct Household: Sendable {
    public var index: Int32
    public var area: Int32
    public var postcode: String
    public var moveDate: CivilDate = CivilDate(dayNumber: .max)
    public var newArea: Int32 = -1
    public var newPostcode: String = ""
    public var adults: [Int32] = []
    public var children: [Int32] = []
    public var latent: Double = 0
    /// Household-level ACE onsets by ACE index (`Int32.max` when none); children inherit those within their childhood.
    public var householdACE: [Int32] = Array(repeating: .max, count: 10)
    public var stepParent: Int32 = -1
    public var stepParentFrom: CivilDate = CivilDate(dayNumber: .max)

    func area(on date: CivilDate) -> Int32 { date >= moveDate ? newArea : area }
    func postcode(on date: CivilDate) -> String { date >= moveDate ? newPostcode : postcode }
}

/// Small text helpers that avoid Foundation formatting so output is identical on every platform.
public enum SynthText {
    public static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// A bijective scramble of a counter into `digits` digits, so record ids do not reveal generation order.
    public static func scrambledID(_ counter: Int, digits: Int = 9, salt: Int = 0) -> String {
        var mod = 1
        for _ in 0..<digits { mod *= 10 }
        let x = (counter % mod &* 747_494_203 &+ 12_345 &+ salt &* 1_000_003) % mod
        return pad(x, digits)
    }
}
