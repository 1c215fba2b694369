/// The agencies whose extracts Upstream integrates.
public enum Agency: String, Sendable, Codable, CaseIterable, Comparable {
    case police, school, health, socialCare = "social_care", youthJustice = "youth_justice"
    case probation, prison, substanceMisuse = "substance_misuse", mentalHealth = "mental_health"

    public static func < (a: Agency, b: Agency) -> Bool { a.rawValue < b.rawValue }

    /// How the agency is named in reports.
    public var title: String {
        switch self {
        case .police: "Police"
        case .school: "Schools"
        case .health: "Emergency departments"
        case .socialCare: "Children's social care"
        case .youthJustice: "Youth justice"
        case .probation: "Probation"
        case .prison: "Prisons"
        case .substanceMisuse: "Substance misuse services"
        case .mentalHealth: "Mental health services"
        }
    }
}

/// Sex as recorded by agencies.
public enum Sex: String, Sendable, Codable, CaseIterable {
    case male = "M", female = "F"
}

/// The ten standard adverse childhood experiences (CDC-Kaiser; Felitti et al. 1998).
public enum ACE: String, Sendable, Codable, CaseIterable, Comparable {
    case emotionalAbuse = "emotional_abuse"
    case physicalAbuse = "physical_abuse"
    case sexualAbuse = "sexual_abuse"
    case emotionalNeglect = "emotional_neglect"
    case physicalNeglect = "physical_neglect"
    case domesticViolence = "domestic_violence"
    case householdSubstanceMisuse = "household_substance_misuse"
    case householdMentalIllness = "household_mental_illness"
    case parentalSeparation = "parental_separation"
    case householdIncarceration = "household_incarceration"

    public static func < (a: ACE, b: ACE) -> Bool { a.index < b.index }
    public var index: Int { ACE.allCases.firstIndex(of: self)! }
    /// A bit for `ACESet`.
    public var bit: UInt16 { 1 << UInt16(index) }

    /// Plain words for practitioners.
    public var title: String {
        switch self {
        case .emotionalAbuse: "emotional abuse"
        case .physicalAbuse: "physical abuse"
        case .sexualAbuse: "sexual abuse"
        case .emotionalNeglect: "emotional neglect"
        case .physicalNeglect: "physical neglect"
        case .domesticViolence: "domestic abuse in the household"
        case .householdSubstanceMisuse: "household substance misuse"
        case .householdMentalIllness: "household mental illness"
        case .parentalSeparation: "parental separation"
        case .householdIncarceration: "household member imprisoned"
        }
    }
}

/// A set of ACEs packed in one integer.
public struct ACESet: Hashable, Sendable, Codable {
    public var bits: UInt16
    public init(bits: UInt16 = 0) { self.bits = bits }
    public func contains(_ a: ACE) -> Bool { bits & a.bit != 0 }
    public mutating func insert(_ a: ACE) { bits |= a.bit }
    public var count: Int { bits.nonzeroBitCount }
    public var members: [ACE] { ACE.allCases.filter(contains) }
}

/// A person's role in an event.
public enum EventRole: String, Sendable, Codable, CaseIterable {
    case victim, suspect, offender, witness, subject, householdMember = "household_member"
}

/// What an event records. Each agency's rows map to one of these.
public enum EventKind: String, Sendable, Codable, CaseIterable {
    // police
    case crime, incident, custody, missingPersonReport = "missing_person_report", stopSearch = "stop_search"
    // schools
    case termAbsence = "term_absence", suspension, permanentExclusion = "permanent_exclusion"
    case alternativeProvision = "alternative_provision"
    // emergency departments
    case edAttendance = "ed_attendance"
    // children's social care
    case socialCareContact = "social_care_contact", socialCareReferral = "social_care_referral"
    case socialCareAssessment = "social_care_assessment"
    case childInNeedPlan = "child_in_need_plan", childProtectionPlan = "child_protection_plan"
    case lookedAfter = "looked_after", missingEpisode = "missing_episode"
    // youth justice, probation and prisons
    case youthJusticeDisposal = "youth_justice_disposal"
    case probationSupervision = "probation_supervision"
    case prisonReception = "prison_reception"
    // adult health services
    case substanceMisuseTreatment = "substance_misuse_treatment"
    case mentalHealthTreatment = "mental_health_treatment"
}

/// Recorded-crime flags (Home Office crime flags and local markers).
public struct CrimeFlags: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let domesticAbuse = CrimeFlags(rawValue: 1 << 0)
    public static let hate = CrimeFlags(rawValue: 1 << 1)
    public static let knife = CrimeFlags(rawValue: 1 << 2)
    public static let firearm = CrimeFlags(rawValue: 1 << 3)
    public static let childSexualExploitation = CrimeFlags(rawValue: 1 << 4)
    public static let honourBased = CrimeFlags(rawValue: 1 << 5)
    public static let gang = CrimeFlags(rawValue: 1 << 6)
    public static let nightTimeEconomy = CrimeFlags(rawValue: 1 << 7)

    /// Every flag with the code written in extracts.
    public static let codes: [(CrimeFlags, String)] = [
        (.domesticAbuse, "DA"), (.hate, "HATE"), (.knife, "KNIFE"), (.firearm, "FIREARM"),
        (.childSexualExploitation, "CSE"), (.honourBased, "HBA"), (.gang, "GANG"), (.nightTimeEconomy, "NTE"),
    ]

    /// Codes separated by `|`, as written in extracts.
    public var code: String { CrimeFlags.codes.filter { contains($0.0) }.map(\.1).joined(separator: "|") }

    /// Parses `DA|KNIFE`; `nil` if a code is unknown.
    public init?(code: String) {
        var f = CrimeFlags()
        for part in code.split(separator: "|") where !part.isEmpty {
            guard let hit = CrimeFlags.codes.first(where: { $0.1 == part.uppercased() }) else { return nil }
            f.insert(hit.0)
        }
        self = f
    }
}

/// Hate crime strands (the five monitored strands in England and Wales).
public enum HateStrand: String, Sendable, Codable, CaseIterable {
    case race, religion, sexualOrientation = "sexual_orientation", disability, transgender
}

/// Ethnic groups at the level of the ONS 2011 census five-way grouping.
public enum Ethnicity: String, Sendable, Codable, CaseIterable {
    case white = "W", mixed = "M", asian = "A", black = "B", other = "O"
    public var title: String {
        switch self {
        case .white: "White"
        case .mixed: "Mixed"
        case .asian: "Asian"
        case .black: "Black"
        case .other: "Other"
        }
    }
}

extension ACE {
    /// The Children in Need census factor code that social care records for this ACE, where there is one.
    /// The synthetic city writes these codes and the chronology reads them back, so both use this one table.
    public var childrenInNeedFactor: String? {
        switch self {
        case .domesticViolence: "3A"
        case .householdSubstanceMisuse: "2A"
        case .householdMentalIllness: "4A"
        case .physicalAbuse: "6A"
        case .sexualAbuse: "7A"
        case .emotionalAbuse: "5A"
        case .physicalNeglect, .emotionalNeglect: "22A"
        case .parentalSeparation, .householdIncarceration: nil
        }
    }

    /// The ACE a social care factor code or child protection plan category names, if any
    /// (`8B`, child sexual exploitation, counts as sexual abuse; neglect is read as physical neglect).
    public init?(socialCareCode code: String) {
        switch code.uppercased() {
        case "8B", "SEXUAL": self = .sexualAbuse
        case "22A", "NEGLECT": self = .physicalNeglect
        case "PHYSICAL": self = .physicalAbuse
        case "EMOTIONAL": self = .emotionalAbuse
        default:
            guard let a = ACE.allCases.first(where: { $0.childrenInNeedFactor == code.uppercased() }) else { return nil }
            self = a
        }
    }
}
