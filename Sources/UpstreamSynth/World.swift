import UpstreamModel

/// A small area of the city (output-area sized: `peoplePerArea` people): its codes, grid position, deprivation
/// decile, whether it is a hotspot, its streets and its postcode units.
public struct Area: Sendable {
    /// The code written in extracts' `LSOA` columns: the lower layer super output area (`E01…`) the area lies in.
    public var code: String
    /// The area's own output-area code (`E00…`).
    public var oa: String = ""
    /// Index of the area's LSOA (five adjacent areas make one, as about five output areas make an LSOA).
    public var lsoaIndex: Int = 0
    /// The local authority district (`E08…` metropolitan, `E07…` shire) and its name, which is also the post town.
    public var districtCode: String = ""
    public var town: String = ""
    public var locality: String = ""
    public var streets: [String] = []
    /// The area's postcode units, e.g. `UC4 7AB`.
    public var units: [String] = []
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
    /// Own move away from the household (a separated parent), with the new address.
    public var leftHouseholdDate: CivilDate = CivilDate(dayNumber: .max)
    public var ownAddress: Address = .none
    /// The person's detailed ethnic group (index into `EthnicityCodes.detailed`), within `ethnicity`.
    public var detailedEthnicity: Int8 = 0
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
    /// The area the household lives in at the start of the window.
    public var area: Int32
    /// Where the household lived, oldest first: the first from before the burn-in, then each move.
    public var residences: [Residence] = []
    public var adults: [Int32] = []
    public var children: [Int32] = []
    public var latent: Double = 0
    /// Household-level ACE onsets by ACE index (`Int32.max` when none); children inherit those within their childhood.
    public var householdACE: [Int32] = Array(repeating: .max, count: 10)
    public var stepParent: Int32 = -1
    public var stepParentFrom: CivilDate = CivilDate(dayNumber: .max)

    /// Index in `residences` of the home on `date`.
    func residenceIndex(on date: CivilDate) -> Int {
        var i = 0
        while i + 1 < residences.count && residences[i + 1].from <= date { i += 1 }
        return i
    }

    func address(on date: CivilDate) -> Address { residences[residenceIndex(on: date)].address }
    func area(on date: CivilDate) -> Int32 { address(on: date).area }
}

/// Small text helpers that avoid Foundation formatting so output is identical on every platform.
public enum SynthText {
    public static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

}
