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
    public static let all: [FeatureDefinition] = {
        var f: [FeatureDefinition] = [
            FeatureDefinition(name: "age", title: "age", kind: .level, agency: nil),
            FeatureDefinition(name: "deprivation_decile", title: "area deprivation decile (1 = most deprived)", kind: .level, agency: nil),
        ]
        for (key, title, agency) in Self.counted {
            f.append(count(key + "_12m", title, 12, agency))
            f.append(count(key + "_5y", title, lookbackMonths, agency))
        }
        f += [
            count("police_violence_victim_5y", "times a victim of violence or robbery", lookbackMonths, .police),
            count("police_violence_suspect_5y", "times a suspect in violence or robbery (not serious violence)", lookbackMonths, .police),
            count("police_weapon_suspect_5y", "times a suspect in a weapon offence or a crime with a knife or firearm", lookbackMonths, .police),
            count("police_drugs_suspect_5y", "times a suspect in a drugs offence", lookbackMonths, .police),
            count("police_domestic_incident_present_5y", "domestic incidents at which the child was present", lookbackMonths, .police),
            flag("police_gang_flag", "crimes flagged as gang-related", .police),
            flag("police_cse_victim", "crimes of child sexual exploitation against the child", .police),
            count("co_offenders_5y", "people suspected of crimes together with the child", lookbackMonths, .police),
            count("co_offenders_serious_violence", "co-suspects already known for serious violence", lookbackMonths, .police),
            flag("school_permanent_exclusion", "permanent exclusions", .school),
            flag("school_alternative_provision", "placements in alternative provision", .school),
            FeatureDefinition(name: "school_absence_rate_12m", title: "share of school sessions missed in the last year", kind: .level, agency: .school),
            FeatureDefinition(name: "school_unauthorised_rate_12m", title: "share of school sessions missed without authorisation in the last year", kind: .level, agency: .school),
            flag("free_school_meals", "free school meals", .school),
            count("ed_assault_5y", "emergency department attendances for assault", lookbackMonths, .health),
            flag("child_in_need_plan", "child in need plans", .socialCare),
            flag("child_protection_plan", "child protection plans", .socialCare),
            flag("looked_after", "periods looked after by the local authority", .socialCare),
            count("substance_misuse_5y", "referrals to substance misuse services", lookbackMonths, .substanceMisuse),
            count("mental_health_5y", "referrals to mental health services", lookbackMonths, .mentalHealth),
            first("years_since_first_police", "first police contact", .police),
            first("years_since_first_police_suspect", "first suspected of a crime", .police),
            first("years_since_first_school_exclusion", "first suspension or exclusion", .school),
            first("years_since_first_ed", "first emergency department attendance", .health),
            first("years_since_first_social_care", "first known to children's social care", .socialCare),
            first("years_since_first_youth_justice", "first youth justice outcome", .youthJustice),
            FeatureDefinition(name: "days_since_police", title: "days since the last police contact", kind: .daysSinceLast, agency: .police),
            FeatureDefinition(name: "days_since_any_contact", title: "days since the last contact with any agency", kind: .daysSinceLast, agency: nil),
            count("ace_count", "adverse childhood experiences recorded", lookbackMonths, nil),
        ]
        for ace in ACE.allCases { f.append(flag("ace_" + ace.rawValue, ace.title, nil)) }
        return f
    }()

    /// Event kinds counted over the last 12 months and the last 5 years: key, noun phrase, agency.
    static let counted: [(String, String, Agency)] = [
        ("police_victim", "times recorded as a victim of crime", .police),
        ("police_suspect", "times suspected of a crime", .police),
        ("police_incident", "police incidents", .police),
        ("police_custody", "arrests", .police),
        ("police_stop_search", "stop and searches", .police),
        ("police_missing", "missing person reports", .police),
        ("school_suspensions", "suspensions from school", .school),
        ("ed_attendances", "emergency department attendances", .health),
        ("social_care_referrals", "referrals to children's social care", .socialCare),
        ("social_care_contacts", "contacts with children's social care", .socialCare),
        ("missing_episodes", "missing episodes recorded by social care", .socialCare),
        ("youth_justice", "youth justice outcomes", .youthJustice),
    ]

    /// The columns of each counted kind: its last-12-months and last-5-years counts.
    static let countedColumns: [String: (recent: Int, lookback: Int)] = Dictionary(uniqueKeysWithValues: counted.map {
        ($0.0, (index[$0.0 + "_12m"]!, index[$0.0 + "_5y"]!))
    })

    public static var names: [String] { all.map(\.name) }
    static let index: [String: Int] = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1.name, $0) })

    /// The column of a feature by name.
    public static func column(_ name: String) -> Int? { index[name] }
    public static func definition(_ name: String) -> FeatureDefinition? { index[name].map { all[$0] } }
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
