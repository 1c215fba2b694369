/// Home Office offence codes with their offence group and subgroup and the police.uk crime type each is published
/// under, and the harm and cost weights of each subgroup, every figure with its source.
public enum OffenceTable {
    /// One Home Office offence code.
    public struct Offence: Sendable, Hashable {
        public var group: String
        public var subgroup: String
        public var code: String
        public var description: String
        /// The police.uk crime type this code is published under (as the Home Office table writes it).
        public var policeUK: String
        /// Offences in the West Midlands in 2017/18.
        public var count: Int
    }

    /// Violence-with-injury codes that the 2017/18 table does not list (older or rarely used classifications), named in
    /// reference/crime_harm_index.csv (ONS Crime Severity Score rows) and reference/violence_typologies.csv (8K). They
    /// carry no 2017/18 count, so they do not change any police.uk weighting.
    static let supplement: [(group: String, subgroup: String, code: String, description: String, policeUK: String, count: Int)] = [
        ("Violence against the person", "Violence with injury", "5A", "Wounding", "Violence and Sexual Offences", 0),
        ("Violence against the person", "Violence with injury", "8D", "Racially or religiously aggravated other wounding", "Violence and Sexual Offences", 0),
        ("Violence against the person", "Violence with injury", "8F", "Inflicting grievous bodily harm (GBH) without intent", "Violence and Sexual Offences", 0),
        ("Violence against the person", "Violence with injury", "8G", "Actual bodily harm (ABH) and other injury", "Violence and Sexual Offences", 0),
        ("Violence against the person", "Violence with injury", "8H", "Racially or religiously aggravated inflicting GBH without intent", "Violence and Sexual Offences", 0),
        ("Violence against the person", "Violence with injury", "8J", "Racially or religiously aggravated ABH or other injury", "Violence and Sexual Offences", 0),
        ("Violence against the person", "Violence with injury", "8K", "Poisoning or female genital mutilation", "Violence and Sexual Offences", 0),
    ]

    /// Every code, keyed by code (a row listing several codes, such as `1/4.1/4.10/4.2`, gives each).
    public static let byCode: [String: Offence] = {
        var m: [String: Offence] = [:]
        for r in rows + supplement {
            for code in r.code.split(separator: "/") {
                m[String(code)] = Offence(group: r.group, subgroup: r.subgroup, code: String(code), description: r.description,
                                          policeUK: r.policeUK, count: r.count)
            }
        }
        return m
    }()

    /// The offence for a code as a store writes it (`8N`, `008N`, ` 8n `).
    public static func offence(_ code: String) -> Offence? {
        var c = Substring(code.uppercased())
        while c.first == " " { c = c.dropFirst() }
        while c.last == " " { c = c.dropLast() }
        while c.count > 1 && c.first == "0" { c = c.dropFirst() }
        return byCode[String(c)]
    }

    /// The Cambridge Crime Harm Index subgroup name of a Home Office subgroup (the Home Office table and the CCHI
    /// summary name four subgroups differently).
    static func cchiName(_ subgroup: String) -> String {
        switch subgroup {
        case "Domestic burglary": "Residential burglary"
        case "Non-domestic burglary": "Non-residential burglary"
        case "Theft from a vehicle", "Theft of a motor vehicle", "Vehicle interference": "Vehicle offences"
        case "Miscellaneous crimes": "Miscellaneous crimes against society"
        default: subgroup
        }
    }

    /// Cambridge Crime Harm Index, 2026 update: the median days of imprisonment over the CCHI offence codes of each
    /// Home Office subgroup. Source: reference/crime_harm_index.csv, from
    /// https://github.com/isthisben/cbl-realcrime/blob/064593d5d94b119d3077b17ff11e50b117091647/data/raw/CCHI_SOURCES.md
    /// (secondary: medians computed by that repository's authors; method Sherman, Neyroud & Neyroud 2016).
    public static let cchiDays: [String: Double] = [
        "Homicide": 5475, "Violence with injury": 365, "Violence without injury": 10, "Stalking and harassment": 10,
        "Rape offences": 2555, "Other sexual offences": 182.25, "Death or serious injury - unlawful driving": 365,
        "Residential burglary": 273.5, "Non-residential burglary": 183.5, "Shoplifting": 1, "Other theft offences": 2,
        "Theft from the person": 2, "Bicycle theft": 2, "Robbery of business property": 365,
        "Robbery of personal property": 365, "Criminal damage": 2, "Arson": 185, "Public order offences": 7.5,
        "Vehicle offences": 5, "Possession of drugs": 3, "Trafficking of drugs": 5, "Possession of weapons offences": 273.75,
        "Miscellaneous crimes against society": 10,
    ]

    /// Where the CCHI weights come from, for the report.
    public static let cchiSource = "Cambridge Crime Harm Index, 2026 update: median days of imprisonment per Home Office "
        + "subgroup, as summarised in github.com/isthisben/cbl-realcrime (data/raw/CCHI_SOURCES.md); secondary source "
        + "(Sherman, Neyroud & Neyroud 2016, Policing 10(3):171-183)."

    /// Unit costs of crime, 2015/16 prices, £ per crime (Heeks, Reed, Tafsiri & Prince 2018, *The economic and social
    /// costs of crime*, 2nd ed., Home Office Research Report 99, as reported in reference/crime_unit_costs.csv). Only
    /// subgroups with a published figure are here; homicide is rounded in the source (£3.2m).
    public static let unitCostGBP: [String: Double] = [
        "Homicide": 3_200_000, "Violence with injury": 14_050, "Rape offences": 39_360, "Other sexual offences": 6_520,
        "Robbery of personal property": 11_320, "Theft of a motor vehicle": 10_290, "Theft from a vehicle": 870,
        "Arson": 8_420, "Criminal damage": 1_350,
    ]

    public static let costSource = "Heeks, Reed, Tafsiri & Prince (2018), The economic and social costs of crime, 2nd ed., "
        + "Home Office Research Report 99, 2015/16 prices (figures as reported by the South Wales Echo, 2 August 2019, and "
        + "russellwebster.com/crimecosts18). No published figure was found for violence without injury, stalking and "
        + "harassment, burglary, business robbery or weapons possession: those crimes add nothing to the cost."

    /// Harm days of one crime with this code, `nil` when the code is unknown.
    public static func harmDays(code: String) -> Double? {
        offence(code).flatMap { cchiDays[cchiName($0.subgroup)] }
    }

    /// Unit cost of one crime with this code, `nil` when unknown or unpublished.
    public static func cost(code: String) -> Double? { offence(code).flatMap { unitCostGBP[$0.subgroup] } }

    /// The police.uk crime types, as police.uk writes them today (with the Home Office table's spelling in `homeOffice`).
    public static let policeUKTypes: [(name: String, homeOffice: String)] = [
        ("Anti-social behaviour", ""), ("Bicycle theft", "Bicycle Theft"), ("Burglary", "Burglary"),
        ("Criminal damage and arson", "Criminal Damage and Arson"), ("Drugs", "Drugs"), ("Other crime", "Other crime"),
        ("Other theft", "Other Theft"), ("Possession of weapons", "Possession of Weapons"), ("Public order", "Public Order"),
        ("Robbery", "Robbery"), ("Shoplifting", "Shoplifting"), ("Theft from the person", "Theft from the Person"),
        ("Vehicle crime", "Vehicle Crime"), ("Violence and sexual offences", "Violence and Sexual Offences"),
    ]

    /// Mean harm days of one crime of a police.uk crime type: the CCHI days of each Home Office subgroup published
    /// under it, weighted by that subgroup's share of the type in the West Midlands 2017/18 (a police.uk file does
    /// not say which subgroup a crime is). `nil` for anti-social behaviour and unknown types.
    public static func policeUKHarmDays(_ crimeType: String) -> Double? { policeUKWeights[crimeType.lowercased()]?.harm }

    /// Mean unit cost of one crime of a police.uk crime type, counting subgroups with no published cost as £0 (a lower
    /// bound); `nil` when no subgroup of the type has a published cost.
    public static func policeUKCost(_ crimeType: String) -> Double? { policeUKWeights[crimeType.lowercased()]?.cost }

    private static let policeUKWeights: [String: (harm: Double, cost: Double?)] = {
        var sums: [String: (n: Double, harm: Double, cost: Double, costed: Bool)] = [:]
        for r in rows where r.count > 0 {
            guard let h = cchiDays[cchiName(r.subgroup)] else { continue }
            let key = r.policeUK.lowercased()
            var s = sums[key] ?? (0, 0, 0, false)
            s.n += Double(r.count)
            s.harm += Double(r.count) * h
            if let c = unitCostGBP[r.subgroup] { s.cost += Double(r.count) * c; s.costed = true }
            sums[key] = s
        }
        return sums.mapValues { ($0.harm / $0.n, $0.costed ? $0.cost / $0.n : nil) }
    }()
}
