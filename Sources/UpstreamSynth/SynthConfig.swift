import UpstreamModel
import Yams

/// Every parameter of the synthetic city, with defaults read from `SynthConfig.defaultYAML`.
///
/// A user's file (`upstream synth --config FILE`) overrides any subset of keys; unknown keys
/// and out-of-range values are errors that name the key. `upstream synth --print-config` prints
/// the default file, with the source of every published figure.
public struct SynthConfig: Codable, Sendable, Equatable {
    public var people: Int
    public var seed: UInt64
    public var startYear: Int
    public var years: Int
    /// Years of life simulated before the window (records are written only inside the window), so that people
    /// enter the window with their history: earlier suspensions, care, offences, moves.
    public var burnInYears: Int
    public var peoplePerArea: Int
    public var population: Population
    public var aces: ACEs
    public var services: Services
    public var crime: Crime
    public var noise: Noise

    /// Household structure and demography.
    public struct Population: Codable, Sendable, Equatable {
        public var shareUnder16: Double
        public var loneParentShare: Double
        public var ethnicity: [String: Double]
        public var twinRate: Double
        public var moveRatePerYear: Double
        public var separationRatePerYear: Double
        public var newPartnerRatePerYear: Double
    }

    /// Adverse childhood experiences: prevalences and how strongly they cluster in households.
    public struct ACEs: Codable, Sendable, Equatable {
        /// Per-item share of children who experience it before 18.
        public var itemPrevalence: [String: Double]
        /// Standard deviation of the household's latent adversity on the log-odds scale.
        public var householdClustering: Double
        /// Effect of area deprivation (per decile towards the most deprived) on the latent adversity.
        public var deprivationEffect: Double
        /// Targets checked by the tests: share with at least one ACE and with four or more.
        public var targetAtLeastOne: Double
        public var targetFourOrMore: Double
    }

    /// Rates of contact with services, and how ACEs raise them.
    public struct Services: Codable, Sendable, Equatable {
        public var cscReferralsPer10kChildren: Double
        public var contactsPerReferral: Double
        public var cpPlanStartsPer10kChildren: Double
        public var cpCategoryShares: [String: Double]
        public var lookedAfterStartsPer10kChildren: Double
        public var suspensionRatePerPupilYear: Double
        public var permanentExclusionRatePerPupilYear: Double
        public var persistentAbsenceShare: Double
        public var edViolenceInjuryPer1000: Double
        public var missingEpisodesPerLookedAfterChildYear: Double
        /// Log-hazard increase per ACE for each child outcome (absence, exclusion, referral, …).
        public var acePerItemLogHazard: Double
        /// Target share of a birth cohort with a serious violence offence by age 18.
        public var seriousViolenceBy18: Double
        /// Target odds ratio of serious violence for 4+ ACEs vs none (Bellis et al. 2014).
        public var seriousViolenceOddsRatio4Plus: Double
        public var substanceMisuseTreatmentShareOfParents: Double
        public var mentalHealthTreatmentShareOfParents: Double
    }

    /// Recorded crime volumes and patterns.
    public struct Crime: Codable, Sendable, Equatable {
        /// Multiplies the reference table's rate per person (1 = the West Midlands 2017/18 rate).
        public var volumeScale: Double
        public var suspectIdentifiedShare: Double
        public var domesticAbuseShareOfViolence: Double
        public var hateShareOfPublicOrder: Double
        public var knifeShareOfSeriousViolence: Double
        public var hotspotShareOfAreas: Double
        public var hotspotMultiplier: Double
        public var summerPeak: Double
        public var fgmPer100k: Double
        public var cseShareOfChildSexualOffences: Double
        public var gangShareOfYouthViolence: Double
    }

    /// Identifier noise in the extracts: the chance that one record shows each kind of error.
    public struct Noise: Codable, Sendable, Equatable {
        public var typo: Double
        public var phoneticVariant: Double
        public var nickname: Double
        public var swappedNames: Double
        public var surnameChange: Double
        public var dobDayMonthSwap: Double
        public var dobYearOff: Double
        public var dobDigitOff: Double
        public var placeholderDOB: Double
        public var missingDOB: Double
        public var missingPostcode: Double
        public var staleAddressAfterMove: Double
        public var middleNameDropped: Double
        public var missingNHSNumber: Double
        /// An NHS number with one digit wrong or two swapped (its check digit then fails).
        public var nhsMistyped: Double
        /// A parent's, sibling's or partner's valid NHS number on the record.
        public var nhsOtherPerson: Double
        /// A pupil number with one digit wrong (its check letter then fails), or a sibling's.
        public var upnMistyped: Double
        public var upnSibling: Double
        /// A PNC id with one digit wrong.
        public var pncMistyped: Double
        /// Sex recorded as the other sex.
        public var sexMisrecorded: Double
        /// Ethnicity not stated / not obtained, or recorded as a different group.
        public var ethnicityNotStated: Double
        public var ethnicityInconsistent: Double
        /// Chance that an officer records a person of Mixed ethnicity as White, Black or Asian.
        public var officerMixedAsOther: Double
        /// Address formatting: street type abbreviated (Road -> Rd), flat dropped, a typo in the street line,
        /// locality or town left out.
        public var addressAbbreviated: Double
        public var addressFlatDropped: Double
        public var addressTypo: Double
        public var addressLocalityMissing: Double
        public var addressTownMissing: Double
        /// Per-agency multipliers of all rates (police nominals are noisier than the school census).
        public var agencyMultiplier: [String: Double]
    }
}

extension SynthConfig {
    /// Problems with a configuration, each naming the key and what is wrong.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public var problems: [String]
        public var description: String { "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
    }

    /// The defaults.
    public static var defaults: SynthConfig { try! parse(yaml: defaultYAML) }

    /// Parses a complete configuration.
    static func parse(yaml: String) throws -> SynthConfig {
        try YAMLDecoder().decode(SynthConfig.self, from: yaml)
    }

    /// The defaults with a user's YAML laid over them; unknown keys and bad values are reported by name.
    public static func load(overrides yaml: String) throws -> SynthConfig {
        guard var base = try Yams.compose(yaml: defaultYAML) else { throw Invalid(problems: ["default configuration is empty"]) }
        guard let user = try Yams.compose(yaml: yaml) else { return defaults }
        var problems: [String] = []
        merge(into: &base, user, path: "", problems: &problems)
        if !problems.isEmpty { throw Invalid(problems: problems) }
        let text = try Yams.serialize(node: base)
        let config: SynthConfig
        do { config = try parse(yaml: text) } catch { throw Invalid(problems: ["\(error)"]) }
        try config.validate()
        return config
    }

    static func merge(into base: inout Node, _ user: Node, path: String, problems: inout [String]) {
        guard case .mapping(var bm) = base, case .mapping(let um) = user else {
            if case .mapping = base { problems.append("\(path.isEmpty ? "(top)" : path): expected a mapping") }
            else if case .mapping = user { problems.append("\(path): expected a single value, not a mapping") }
            else { base = user }
            return
        }
        // Free-form maps (per-item tables) accept new keys; fixed sections do not.
        let open = ["population.ethnicity", "aces.itemPrevalence", "services.cpCategoryShares", "noise.agencyMultiplier"].contains(path)
        for (k, v) in um {
            let key = k.string ?? "?"
            let sub = path.isEmpty ? key : "\(path).\(key)"
            if var existing = bm[k] {
                merge(into: &existing, v, path: sub, problems: &problems)
                bm[k] = existing
            } else if open {
                bm[k] = v
            } else {
                let line = k.mark.map { " (line \($0.line))" } ?? ""
                problems.append("\(sub)\(line): unknown key")
            }
        }
        base = .mapping(bm)
    }

    /// Checks ranges; throws `Invalid` listing every problem.
    public func validate() throws {
        var p: [String] = []
        func prob(_ key: String, _ v: Double) { if !(0...1).contains(v) { p.append("\(key): \(v) is not a probability in [0, 1]") } }
        if people < 100 || people > IdentifierBook.maximumPeople { p.append("people: \(people) must be between 100 and 5,000,000") }
        if years < 1 || years > 40 { p.append("years: \(years) must be between 1 and 40") }
        if burnInYears < 0 || burnInYears > 30 { p.append("burnInYears: \(burnInYears) must be between 0 and 30") }
        if startYear < 1950 || startYear > 2100 { p.append("startYear: \(startYear) must be between 1950 and 2100") }
        if peoplePerArea < 50 || peoplePerArea > 5000 { p.append("peoplePerArea: \(peoplePerArea) must be between 50 and 5,000") }
        prob("population.shareUnder16", population.shareUnder16)
        prob("population.loneParentShare", population.loneParentShare)
        prob("population.twinRate", population.twinRate)
        for (k, v) in population.ethnicity {
            if Ethnicity(rawValue: k) == nil { p.append("population.ethnicity.\(k): unknown group (use W, M, A, B, O)") }
            if v < 0 { p.append("population.ethnicity.\(k): must not be negative") }
        }
        for (k, v) in aces.itemPrevalence {
            if ACE(rawValue: k) == nil { p.append("aces.itemPrevalence.\(k): unknown ACE") }
            prob("aces.itemPrevalence.\(k)", v)
        }
        for a in ACE.allCases where aces.itemPrevalence[a.rawValue] == nil { p.append("aces.itemPrevalence.\(a.rawValue): missing") }
        let m = Mirror(reflecting: noise)
        for child in m.children {
            if let v = child.value as? Double { prob("noise.\(child.label ?? "?")", v) }
        }
        for (k, v) in noise.agencyMultiplier where v < 0 || v > 10 { p.append("noise.agencyMultiplier.\(k): \(v) must be in [0, 10]") }
        prob("services.seriousViolenceBy18", services.seriousViolenceBy18)
        prob("crime.suspectIdentifiedShare", crime.suspectIdentifiedShare)
        if crime.volumeScale < 0 { p.append("crime.volumeScale: must not be negative") }
        if !p.isEmpty { throw Invalid(problems: p.sorted()) }
    }

    /// The configuration as YAML (for the manifest).
    public func yaml() -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        return (try? encoder.encode(self)) ?? ""
    }
}
