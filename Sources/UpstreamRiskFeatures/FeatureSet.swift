import UpstreamChronology
import UpstreamModel

/// What one feature measures, and how to say it in plain words.
public struct FeatureDefinition: Sendable, Hashable {
    /// Stable column name ("school_suspensions_12m").
    public var name: String
    /// What it counts, as a noun phrase ("suspensions from school").
    public var title: String
    public var kind: Kind
    public var agency: Agency?

    public enum Kind: Sendable, Hashable {
        /// Events counted within the last `months` months.
        case count(months: Int)
        /// 0 or 1.
        case indicator
        /// Years from the first event of this kind within the lookback to the date (missing when there was none).
        case yearsSinceFirst
        /// Days since the last event (missing when there was none).
        case daysSinceLast
        /// A rate or level (absence share, deprivation decile, age).
        case level
    }
}

/// The features of the risk model, computed for one young person as of a date from what the agencies had
/// recorded before that date. Sex and ethnicity are not features: they are audited, never used to score.
public enum RiskFeatures {
    /// Every feature looks back this far, and no further: records older than five years before a date are not used,
    /// so a feature means the same at every date (the data begins in a given year, so "ever" would mean five years
    /// of history at one date and eleven at another).
    public static let lookbackMonths = 60

    static func count(_ name: String, _ title: String, _ months: Int, _ agency: Agency?) -> FeatureDefinition {
        FeatureDefinition(name: name, title: title, kind: .count(months: months), agency: agency)
    }
    static func flag(_ name: String, _ title: String, _ agency: Agency?) -> FeatureDefinition {
        FeatureDefinition(name: name, title: title, kind: .indicator, agency: agency)
    }
    static func first(_ name: String, _ title: String, _ agency: Agency?) -> FeatureDefinition {
        FeatureDefinition(name: name, title: title, kind: .yearsSinceFirst, agency: agency)
    }

    /// Every feature, in column order.
    public static let all: [FeatureDefinition] = typed.map(\.definition)

    /// Every feature with its typed column, in column order: the one list that gives each `RiskFeature` its name,
    /// words and column.
    static let typed: [(feature: RiskFeature, definition: FeatureDefinition)] = {
        var f: [(RiskFeature, FeatureDefinition)] = [
            (.age, FeatureDefinition(name: "age", title: "age", kind: .level, agency: nil)),
            (.deprivationDecile, FeatureDefinition(name: "deprivation_decile", title: "area deprivation decile (1 = most deprived)", kind: .level, agency: nil)),
        ]
        for (kind, title, agency) in Self.counted {
            f.append((.recent(kind), count(kind.rawValue + "_12m", title, 12, agency)))
            f.append((.lookback(kind), count(kind.rawValue + "_5y", title, lookbackMonths, agency)))
        }
        f += [
            (.policeViolenceVictim, count("police_violence_victim_5y", "times a victim of violence or robbery", lookbackMonths, .police)),
            (.policeViolenceSuspect, count("police_violence_suspect_5y", "times a suspect in violence or robbery (not serious violence)", lookbackMonths, .police)),
            (.policeWeaponSuspect, count("police_weapon_suspect_5y", "times a suspect in a weapon offence or a crime with a knife or firearm", lookbackMonths, .police)),
            (.policeDrugsSuspect, count("police_drugs_suspect_5y", "times a suspect in a drugs offence", lookbackMonths, .police)),
            (.policeDomesticIncidentPresent, count("police_domestic_incident_present_5y", "domestic incidents at which the child was present", lookbackMonths, .police)),
            (.policeGangFlag, flag("police_gang_flag", "crimes flagged as gang-related", .police)),
            (.policeCSEVictim, flag("police_cse_victim", "crimes of child sexual exploitation against the child", .police)),
            (.coOffenders, count("co_offenders_5y", "people suspected of crimes together with the child", lookbackMonths, .police)),
            (.coOffendersSeriousViolence, count("co_offenders_serious_violence", "co-suspects already known for serious violence", lookbackMonths, .police)),
            (.schoolPermanentExclusion, flag("school_permanent_exclusion", "permanent exclusions", .school)),
            (.schoolAlternativeProvision, flag("school_alternative_provision", "placements in alternative provision", .school)),
            (.schoolAbsenceRate, FeatureDefinition(name: "school_absence_rate_12m", title: "share of school sessions missed in the last year", kind: .level, agency: .school)),
            (.schoolUnauthorisedRate, FeatureDefinition(name: "school_unauthorised_rate_12m", title: "share of school sessions missed without authorisation in the last year", kind: .level, agency: .school)),
            (.freeSchoolMeals, flag("free_school_meals", "free school meals", .school)),
            (.edAssault, count("ed_assault_5y", "emergency department attendances for assault", lookbackMonths, .health)),
            (.childInNeedPlan, flag("child_in_need_plan", "child in need plans", .socialCare)),
            (.childProtectionPlan, flag("child_protection_plan", "child protection plans", .socialCare)),
            (.lookedAfter, flag("looked_after", "periods looked after by the local authority", .socialCare)),
            (.substanceMisuse, count("substance_misuse_5y", "referrals to substance misuse services", lookbackMonths, .substanceMisuse)),
            (.mentalHealth, count("mental_health_5y", "referrals to mental health services", lookbackMonths, .mentalHealth)),
            (.yearsSinceFirst(.police), first("years_since_first_police", "first police contact", .police)),
            (.yearsSinceFirst(.policeSuspect), first("years_since_first_police_suspect", "first suspected of a crime", .police)),
            (.yearsSinceFirst(.schoolExclusion), first("years_since_first_school_exclusion", "first suspension or exclusion", .school)),
            (.yearsSinceFirst(.emergencyDepartment), first("years_since_first_ed", "first emergency department attendance", .health)),
            (.yearsSinceFirst(.socialCare), first("years_since_first_social_care", "first known to children's social care", .socialCare)),
            (.yearsSinceFirst(.youthJustice), first("years_since_first_youth_justice", "first youth justice outcome", .youthJustice)),
            (.daysSincePolice, FeatureDefinition(name: "days_since_police", title: "days since the last police contact", kind: .daysSinceLast, agency: .police)),
            (.daysSinceAnyContact, FeatureDefinition(name: "days_since_any_contact", title: "days since the last contact with any agency", kind: .daysSinceLast, agency: nil)),
            (.aceCount, count("ace_count", "adverse childhood experiences recorded", lookbackMonths, nil)),
        ]
        for ace in ACE.allCases { f.append((.ace(ace), flag("ace_" + ace.rawValue, ace.title, nil))) }
        return f.map { (feature: $0.0, definition: $0.1) }
    }()

    /// Event kinds counted over the last 12 months and the last 5 years: kind, noun phrase, agency.
    static let counted: [(CountedEvent, String, Agency)] = [
        (.policeVictim, "times recorded as a victim of crime", .police),
        (.policeSuspect, "times suspected of a crime", .police),
        (.policeIncident, "police incidents", .police),
        (.policeCustody, "arrests", .police),
        (.policeStopSearch, "stop and searches", .police),
        (.policeMissing, "missing person reports", .police),
        (.schoolSuspensions, "suspensions from school", .school),
        (.edAttendances, "emergency department attendances", .health),
        (.socialCareReferrals, "referrals to children's social care", .socialCare),
        (.socialCareContacts, "contacts with children's social care", .socialCare),
        (.missingEpisodes, "missing episodes recorded by social care", .socialCare),
        (.youthJustice, "youth justice outcomes", .youthJustice),
    ]

    public static var names: [String] { all.map(\.name) }
    static let index: [String: Int] = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1.name, $0) })
    /// The column of each typed feature.
    static let columnOf: [RiskFeature: Int] = Dictionary(uniqueKeysWithValues: typed.enumerated().map { ($1.feature, $0) })

    /// The column of a feature by name (names come from model files, catalogues and the command line; code uses
    /// `RiskFeature.column`).
    public static func column(_ name: String) -> Int? { index[name] }
    public static func definition(_ name: String) -> FeatureDefinition? { index[name].map { all[$0] } }
    /// The typed feature of a column name, or nil for a name that is not a feature.
    public static func feature(named name: String) -> RiskFeature? { index[name].map { typed[$0].feature } }
}

/// One column of the risk model, typed: the code that computes, explains or reads a feature names it by case, so
/// a misspelt feature is a compile error rather than a failed look-up at run time. `name` is the stable column
/// name that model files, catalogues and reports use; `RiskFeatures.all` gives the order.
public enum RiskFeature: Hashable, Sendable {
    case age, deprivationDecile
    /// Events of a kind in the last 12 months.
    case recent(CountedEvent)
    /// Events of a kind in the lookback (`RiskFeatures.lookbackMonths`).
    case lookback(CountedEvent)
    case policeViolenceVictim, policeViolenceSuspect, policeWeaponSuspect, policeDrugsSuspect, policeDomesticIncidentPresent
    case policeGangFlag, policeCSEVictim, coOffenders, coOffendersSeriousViolence
    case schoolPermanentExclusion, schoolAlternativeProvision, schoolAbsenceRate, schoolUnauthorisedRate, freeSchoolMeals
    case edAssault, childInNeedPlan, childProtectionPlan, lookedAfter, substanceMisuse, mentalHealth
    /// Years since the first contact of a kind within the lookback.
    case yearsSinceFirst(FirstContact)
    case daysSincePolice, daysSinceAnyContact, aceCount
    /// An adverse childhood experience recorded in the lookback.
    case ace(ACE)

    /// The feature's column in `RiskFeatures.all` and in every row of features.
    public var column: Int { RiskFeatures.columnOf[self]! }
    /// The stable column name ("school_suspensions_12m").
    public var name: String { RiskFeatures.all[column].name }
    /// What it measures, in plain words.
    public var definition: FeatureDefinition { RiskFeatures.all[column] }
}

/// The event kinds counted twice, over the last 12 months and over the lookback; the raw value is the columns' stem.
public enum CountedEvent: String, CaseIterable, Sendable {
    case policeVictim = "police_victim", policeSuspect = "police_suspect", policeIncident = "police_incident"
    case policeCustody = "police_custody", policeStopSearch = "police_stop_search", policeMissing = "police_missing"
    case schoolSuspensions = "school_suspensions", edAttendances = "ed_attendances"
    case socialCareReferrals = "social_care_referrals", socialCareContacts = "social_care_contacts"
    case missingEpisodes = "missing_episodes", youthJustice = "youth_justice"
}

/// The kinds of first contact whose age (years before the date) is a feature.
public enum FirstContact: CaseIterable, Sendable {
    case police, policeSuspect, schoolExclusion, emergencyDepartment, socialCare, youthJustice
}

/// Offence groups of the Home Office counting rules, for the codes the synthetic city records
/// (from reference/recorded_crime_west_midlands_2017_18.csv).
public enum OffenceGroup: String, Sendable {
    case violence, robbery, weapons, drugs, sexual, other

    public init(code: String) {
        let c = code.uppercased()
        if Self.violenceCodes.contains(c) { self = .violence }
        else if c.hasPrefix("34") { self = .robbery }
        else if ["10A", "10B", "10C", "10D", "81", "90"].contains(c) { self = .weapons }
        else if c.hasPrefix("92") { self = .drugs }
        else if Self.sexualCodes.contains(c) { self = .sexual }
        else { self = .other }
    }

    static let violenceCodes: Set<String> = [
        "1", "1/4.1/4.10/4.2", "8R", "8L", "8Q", "8M", "8N", "5D", "8S", "8P", "5E", "2", "4.4", "37.1", "4.8",
        "4.3", "105A", "11A", "3B", "104", "106", "105B", "36", "13",
    ]
    static let sexualCodes: Set<String> = [
        "20A", "22B", "20B", "21", "88E", "17B", "17A", "88A", "71", "22A", "23", "73", "88C", "70", "88D", "19C",
        "19D", "19E", "19H", "19F", "19G",
    ]
}

extension CivilDate {
    /// The same day `n` months later (or earlier), clamped to the end of a shorter month.
    public func adding(months n: Int) -> CivilDate {
        let c = components
        let m0 = c.year * 12 + (c.month - 1) + n
        let y = m0 / 12, m = m0 % 12 + 1
        return CivilDate(year: y, month: m, day: min(c.day, CivilDate.daysIn(month: m, year: y)))!
    }

    /// "March 2014".
    public var monthAndYear: String {
        let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return names[month - 1] + " " + String(year)
    }

    /// "5 March 2014".
    public var long: String { String(day) + " " + monthAndYear }

    /// The English school year group (Reception = 0, Year 7 = 7) of a child born on `dob`, on this date:
    /// a child is in Year N when they were N + 4 on the 31 August before the school year began (so Year 7
    /// children are 11 at the start of the year and the oldest were born in September).
    public func schoolYear(dateOfBirth dob: CivilDate) -> Int {
        let startYear = month >= 9 ? year : year - 1
        return dob.age(on: CivilDate(year: startYear, month: 8, day: 31)!) - 4
    }
}
