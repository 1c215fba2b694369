import UpstreamModel

/// The typologies of violence a strategic assessment reports on: the WHO typology (World report on violence and
/// health, 2002) and the force's strands, each mapped to Home Office offence codes and crime flags as
/// reference/violence_typologies.csv sets out (with its sources and its confidence in each mapping).
public enum Typology: String, Codable, Sendable, CaseIterable, Comparable {
    case allViolence = "all_violence"
    case familyIntimate = "who_family_intimate"
    case community = "who_community"
    case collective = "who_collective"
    case publicPlace = "public_place"
    case domesticAbuse = "domestic_abuse"
    case cse = "child_sexual_exploitation"
    case fgm = "fgm"
    case honourBased = "honour_based"
    case hate = "hate_crime"
    case modernSlavery = "modern_slavery"
    case knife = "knife_crime"
    case gang = "gang_violence"
    case nightTimeEconomy = "night_time_economy"
    case seriousYouthViolence = "serious_youth_violence"

    public static func < (a: Typology, b: Typology) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// How the report names it.
    public var title: String {
        switch self {
        case .allViolence: "All violence"
        case .familyIntimate: "WHO: family and intimate partner"
        case .community: "WHO: community"
        case .collective: "WHO: collective"
        case .publicPlace: "Public place violence"
        case .domesticAbuse: "Domestic abuse"
        case .cse: "Child sexual exploitation"
        case .fgm: "Female genital mutilation"
        case .honourBased: "Honour-based violence"
        case .hate: "Hate crime"
        case .modernSlavery: "Modern slavery"
        case .knife: "Knife crime"
        case .gang: "Gang violence"
        case .nightTimeEconomy: "Night-time economy violence"
        case .seriousYouthViolence: "Serious youth violence"
        }
    }

    /// WHO type and subtype.
    public var who: String {
        switch self {
        case .allViolence: "Interpersonal and collective"
        case .familyIntimate, .domesticAbuse, .fgm, .honourBased: "Interpersonal: family and intimate partner"
        case .cse: "Interpersonal: family and intimate partner, or community"
        case .collective: "Collective: social, political, economic"
        case .hate: "Interpersonal (collective if organised): community"
        default: "Interpersonal: community"
        }
    }

    /// Which framework it belongs to.
    public var framework: String {
        switch self {
        case .allViolence: "Upstream total"
        case .familyIntimate, .community, .collective: "WHO typology (2002)"
        case .knife, .gang, .nightTimeEconomy, .seriousYouthViolence: "Force strand"
        default: "UK policing category"
        }
    }

    /// How the crime is recognised in recorded crime.
    public var rule: String {
        switch self {
        case .allViolence: "violence against the person, sexual offences or robbery (Home Office offence groups)"
        case .familyIntimate: "a violent offence flagged domestic abuse"
        case .community: "a violent offence not flagged domestic abuse"
        case .collective: "violent disorder (62A), or a public order offence flagged hate"
        case .publicPlace: "violence with or without injury, homicide or robbery, not flagged domestic abuse (no location type is recorded, so this is every non-domestic assault and robbery)"
        case .domesticAbuse: "any offence with the domestic abuse flag"
        case .cse: "any offence with the child sexual exploitation flag"
        case .fgm: "offence code 8K (poisoning or female genital mutilation: the code combines both)"
        case .honourBased: "any offence with the honour-based abuse flag"
        case .hate: "the hate crime flag, or a racially or religiously aggravated code (8D, 8H, 8J, 8M, 8P, 9B, 58J)"
        case .modernSlavery: "offence code 106 (modern slavery)"
        case .knife: "the knife flag, or possession of an article with a blade or point (10D)"
        case .gang: "the force's gang marker"
        case .nightTimeEconomy: "the force's night-time economy marker"
        case .seriousYouthViolence: "serious violence (homicide, attempted murder, 5D, 5E, or assault with injury or robbery with a knife or firearm) with a victim or suspect aged 10 to 24"
        }
    }

    /// The confidence reference/violence_typologies.csv gives the mapping.
    public var mappingConfidence: String {
        switch self {
        case .allViolence, .community, .publicPlace: "high"
        case .domesticAbuse, .fgm, .hate, .knife: "high"
        case .familyIntimate, .cse, .honourBased, .modernSlavery: "medium"
        case .collective, .gang, .seriousYouthViolence, .nightTimeEconomy: "low"
        }
    }

    /// Where recording is known to understate the harm, a note for the board.
    public var hiddenHarm: String? {
        switch self {
        case .fgm: "FGM is rarely reported: victims are children, often taken abroad, and families and communities seldom come forward. Recorded crime counts a handful of offences a year nationally against thousands of cases seen by the NHS; code 8K also mixes FGM with poisoning. Treat the count as a floor."
        case .modernSlavery: "Modern slavery is hidden by design: victims are controlled, fear the authorities and often do not see themselves as victims. Recorded offences reflect proactive policing and National Referral Mechanism referrals more than prevalence."
        case .honourBased: "Honour-based abuse is under-reported because the abusers are family or community members; the flag's definition and start date vary, so counts depend on officers applying it."
        case .cse: "Child sexual exploitation is under-reported and depends on the flag being applied; counts rise with awareness and proactive work, not only with prevalence."
        case .domesticAbuse: "Most domestic abuse is never reported to the police (the Crime Survey for England and Wales finds far more victims than are recorded); the flag also depends on officers applying it."
        default: nil
        }
    }

    /// Codes that are racially or religiously aggravated.
    static let aggravated: Set<String> = ["8D", "8H", "8J", "8M", "8P", "9B", "58J"]

    /// The typologies of one recorded crime from the store.
    /// - Parameters:
    ///   - code: Home Office offence code.
    ///   - flags: the crime's flags.
    ///   - youngParty: whether a victim or suspect of the crime was aged 10 to 24 at the time.
    ///   - serious: whether the crime is serious violence (`SeriousViolence.isSerious`).
    public static func of(code: String, flags: CrimeFlags, youngParty: Bool, serious: Bool) -> [Typology] {
        let offence = OffenceTable.offence(code)
        let c = offence?.code ?? code.uppercased()
        let group = offence?.group ?? ""
        let subgroup = offence?.subgroup ?? ""
        let violent = group == "Violence against the person" || group == "Sexual offences" || group == "Robbery"
        var out: [Typology] = []
        if violent { out.append(.allViolence) }
        if violent && flags.contains(.domesticAbuse) { out.append(.familyIntimate) }
        if violent && !flags.contains(.domesticAbuse) { out.append(.community) }
        if c == "62A" || (group == "Public order offences" && flags.contains(.hate)) { out.append(.collective) }
        let assault = ["Homicide", "Violence with injury", "Violence without injury"].contains(subgroup) || group == "Robbery"
        if assault && !flags.contains(.domesticAbuse) { out.append(.publicPlace) }
        if flags.contains(.domesticAbuse) { out.append(.domesticAbuse) }
        if flags.contains(.childSexualExploitation) { out.append(.cse) }
        if c == "8K" { out.append(.fgm) }
        if flags.contains(.honourBased) { out.append(.honourBased) }
        if flags.contains(.hate) || aggravated.contains(c) { out.append(.hate) }
        if c == "106" { out.append(.modernSlavery) }
        if flags.contains(.knife) || c == "10D" { out.append(.knife) }
        if flags.contains(.gang) { out.append(.gang) }
        if flags.contains(.nightTimeEconomy) { out.append(.nightTimeEconomy) }
        if serious && youngParty { out.append(.seriousYouthViolence) }
        return out
    }

    /// The WHO typology and force strand a police.uk crime type stands for, at the resolution of police.uk's types
    /// (police.uk publishes no offence code and no flags: domestic abuse, hate, knife and the other strands cannot be
    /// told apart within "Violence and sexual offences").
    public static func policeUK(_ crimeType: String) -> (who: String, strand: String, violence: Bool) {
        switch crimeType.lowercased() {
        case "violence and sexual offences": ("Interpersonal (family and intimate partner, and community)", "all violence (every WHO interpersonal subtype and every strand)", true)
        case "robbery": ("Interpersonal: community", "public place violence", true)
        case "possession of weapons": ("Interpersonal: community", "knife crime (possession offences, which include other weapons)", false)
        case "public order": ("Collective or community", "public disorder", false)
        case "anti-social behaviour": ("not a crime", "anti-social behaviour (not notifiable crime)", false)
        default: ("not violence", "—", false)
        }
    }
}

