import UpstreamModel

/// One person's part in one violent crime, as the store's police nominal records give it.
public struct Involvement: Sendable, Hashable {
    /// Whoever the person is: the linked person's id, or a key from their recorded identity before linkage.
    public var person: String
    public var crime: String
    public var role: EventRole
    public var age: Int?
    public var sex: Sex?

    public init(person: String, crime: String, role: EventRole, age: Int?, sex: Sex?) {
        self.person = person; self.crime = crime; self.role = role; self.age = age; self.sex = sex
    }
}

/// Victims and suspects of violence by age and sex, young people's share, and repeat victimisation.
public struct PeopleFigures: Codable, Sendable, Equatable {
    /// One cell of the age-by-sex table.
    public struct Cell: Codable, Sendable, Equatable {
        public var role: String
        public var ageBand: String
        public var sex: String
        public var count: SmallCount
    }

    /// Age bands (the last is open).
    public static let bands: [(String, ClosedRange<Int>)] = [
        ("0–9", 0...9), ("10–17", 10...17), ("18–24", 18...24), ("25–34", 25...34), ("35–49", 35...49), ("50–64", 50...64),
        ("65+", 65...200),
    ]

    public var cells: [Cell]
    /// Victimisations (person-crime pairs) and suspect involvements counted.
    public var victimisations: Int
    public var suspectInvolvements: Int
    /// Victimisations and suspect involvements of people aged under 25 at the time, of those with a known age.
    public var youngVictims: SmallShare
    public var youngSuspects: SmallShare
    /// People victimised at least once, and those victimised two or more times in the period.
    public var victims: Int
    public var repeatVictims: SmallShare
    /// Victimisations that were a repeat (a person's second or later in the period).
    public var repeatVictimisations: SmallShare
    /// Whether people were counted as linked persons (true) or by recorded identity before linkage.
    public var linked: Bool

    public static func of(_ involvements: [Involvement], linked: Bool) -> PeopleFigures {
        var cells: [String: Int] = [:]
        var vic = 0, sus = 0, youngV = 0, knownV = 0, youngS = 0, knownS = 0
        var perVictim: [String: Set<String>] = [:]
        var seen = Set<Involvement>()
        for i in involvements where seen.insert(i).inserted {
            let role: String
            switch i.role {
            case .victim: role = "victim"; vic += 1; perVictim[i.person, default: []].insert(i.crime)
            case .suspect, .offender: role = "suspect"; sus += 1
            default: continue
            }
            let band = i.age.flatMap { a in bands.first { $0.1.contains(a) }?.0 } ?? "unknown"
            let sex = i.sex.map { $0 == .male ? "male" : "female" } ?? "unknown"
            cells["\(role)|\(band)|\(sex)", default: 0] += 1
            if let a = i.age {
                if role == "victim" { knownV += 1; if a < 25 { youngV += 1 } } else { knownS += 1; if a < 25 { youngS += 1 } }
            }
        }
        var out: [Cell] = []
        for role in ["victim", "suspect"] {
            for band in bands.map(\.0) + ["unknown"] {
                for sex in ["female", "male", "unknown"] {
                    let n = cells["\(role)|\(band)|\(sex)"] ?? 0
                    if n > 0 || sex != "unknown" && band != "unknown" { out.append(Cell(role: role, ageBand: band, sex: sex, count: SmallCount(n))) }
                }
            }
        }
        let repeatPeople = perVictim.values.filter { $0.count >= 2 }.count
        let repeats = perVictim.values.reduce(0) { $0 + max(0, $1.count - 1) }
        return PeopleFigures(
            cells: out, victimisations: vic, suspectInvolvements: sus, youngVictims: SmallShare(youngV, of: knownV),
            youngSuspects: SmallShare(youngS, of: knownS), victims: perVictim.count,
            repeatVictims: SmallShare(repeatPeople, of: perVictim.count), repeatVictimisations: SmallShare(repeats, of: vic),
            linked: linked)
    }
}

/// One young person who went on to serious violence, as their linked records showed them beforehand.
public struct CraigCase: Sendable, Hashable {
    /// ACEs any agency had recorded before the violence.
    public var aces: Set<ACE>
    /// Age at the serious violence.
    public var ageAtViolence: Int?
    /// The earliest contact with any agency: which, and at what age.
    public var firstContactAgency: Agency?
    public var firstContactAge: Int?
    /// Years from that first contact to the violence.
    public var yearsBefore: Double?
    /// Records each agency held about them before the violence.
    public var priorContacts: [Agency: Int]

    public init(aces: Set<ACE>, ageAtViolence: Int?, firstContactAgency: Agency?, firstContactAge: Int?, yearsBefore: Double?,
                priorContacts: [Agency: Int]) {
        self.aces = aces; self.ageAtViolence = ageAtViolence; self.firstContactAgency = firstContactAgency
        self.firstContactAge = firstContactAge; self.yearsBefore = yearsBefore; self.priorContacts = priorContacts
    }
}

/// The Craig pattern at population level: what agencies knew about the young people who went on to serious violence.
public struct CraigPattern: Codable, Sendable, Equatable {
    public struct ACEShare: Codable, Sendable, Equatable { public var ace: String; public var people: SmallShare }
    public struct FirstContact: Codable, Sendable, Equatable {
        public var agency: String
        public var people: SmallShare
        public var medianAge: Double?
        public var medianYearsBefore: Double?
    }
    public struct Demand: Codable, Sendable, Equatable {
        public var agency: String
        /// Young people the agency had any record of beforehand.
        public var people: SmallShare
        /// Records per young person (all of them, including those with none).
        public var recordsPerPerson: Double
        public var records: Int
    }

    /// Young people (aged 10–24) with a first serious violence offence in the period.
    public var offenders: Int
    public var withAnyACE: SmallShare
    public var withFourOrMoreACEs: SmallShare
    public var aces: [ACEShare]
    public var firstContact: [FirstContact]
    public var medianAgeFirstContact: Double?
    public var medianYearsBefore: Double?
    public var medianAgeAtViolence: Double?
    public var demand: [Demand]

    public static func of(_ cases: [CraigCase]) -> CraigPattern {
        let n = cases.count
        let aces = ACE.allCases.map { a in ACEShare(ace: a.title, people: SmallShare(cases.filter { $0.aces.contains(a) }.count, of: n)) }
        var first: [FirstContact] = []
        for agency in Agency.allCases {
            let these = cases.filter { $0.firstContactAgency == agency }
            guard !these.isEmpty else { continue }
            let suppressed = SmallCount(these.count).isSuppressed
            first.append(FirstContact(
                agency: agency.title, people: SmallShare(these.count, of: n),
                medianAge: suppressed ? nil : Statistics.median(these.compactMap { $0.firstContactAge.map(Double.init) }),
                medianYearsBefore: suppressed ? nil : Statistics.median(these.compactMap(\.yearsBefore))))
        }
        first.sort { $0.people.count.value > $1.people.count.value }
        var demand: [Demand] = []
        for agency in Agency.allCases {
            let records = cases.reduce(0) { $0 + ($1.priorContacts[agency] ?? 0) }
            let people = cases.filter { ($0.priorContacts[agency] ?? 0) > 0 }.count
            demand.append(Demand(agency: agency.title, people: SmallShare(people, of: n),
                                 recordsPerPerson: n > 0 ? Double(records) / Double(n) : 0, records: records))
        }
        return CraigPattern(
            offenders: n, withAnyACE: SmallShare(cases.filter { !$0.aces.isEmpty }.count, of: n),
            withFourOrMoreACEs: SmallShare(cases.filter { $0.aces.count >= 4 }.count, of: n), aces: aces, firstContact: first,
            medianAgeFirstContact: Statistics.median(cases.compactMap { $0.firstContactAge.map(Double.init) }),
            medianYearsBefore: Statistics.median(cases.compactMap(\.yearsBefore)),
            medianAgeAtViolence: Statistics.median(cases.compactMap { $0.ageAtViolence.map(Double.init) }),
            demand: demand)
    }
}
