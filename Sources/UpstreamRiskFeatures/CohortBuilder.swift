import UpstreamChronology
import UpstreamModel
import UpstreamRisk

/// Who is in a cohort and what counts as the outcome.
public struct CohortConfig: Codable, Sendable, Hashable {
    /// Ages (whole years on the as-of date) of the young people scored. Default 8 to 17.
    public var minimumAge: Int
    public var maximumAge: Int
    /// The outcome: a first serious violence offence as suspect or offender within this many months after the date.
    public var horizonMonths: Int

    public init(minimumAge: Int = 8, maximumAge: Int = 17, horizonMonths: Int = 24) {
        self.minimumAge = minimumAge; self.maximumAge = maximumAge; self.horizonMonths = horizonMonths
    }
}

/// One young person at one as-of date: features from what was recorded before the date, the groups the
/// fairness audit looks at, and the outcome in the following horizon.
public struct CohortRow: Sendable, Hashable {
    public var personID: String
    public var asOf: CivilDate
    public var age: Int
    public var sex: Sex?
    /// The ONS 5+1 group most often recorded (`EthnicGroups`), `nil` when no record gives a known one.
    public var ethnicity: String?
    public var deprivationDecile: Int?
    /// In the order of `RiskFeatures.all`.
    public var features: [Float]
    /// 1 when a first serious violence offence was recorded within the horizon after `asOf`.
    public var outcome: UInt8
    public var outcomeDate: CivilDate?

    /// Quintile 1 (most deprived) to 5, or "unknown".
    public var deprivationQuintile: String { deprivationDecile.map { "Q\(($0 + 1) / 2)" } ?? "unknown" }
    public var aceCount: Int { Int(features[RiskFeature.aceCount.column]) }
}

/// The young people of one as-of date, and how many were left out and why (nothing is dropped silently).
public struct Cohort: Sendable {
    public var asOf: CivilDate
    public var rows: [CohortRow]
    /// Reason → people left out: "no date of birth", "already committed serious violence".
    public var excluded: [String: Int]

    public init(asOf: CivilDate, rows: [CohortRow], excluded: [String: Int]) {
        self.asOf = asOf; self.rows = rows; self.excluded = excluded
    }
}

/// Builds cohorts of young people as of chosen dates from linked records, without leakage: the features of a
/// date are computed from the records dated before it only (the household is inferred from them too), and
/// only the outcome looks beyond it.
///
/// Pure: give it every linked record of the city (persons × records) and a postcode → deprivation decile lookup.
public struct CohortBuilder: Sendable {
    public let config: CohortConfig
    /// How a cohort's persons are spread over threads; the cohort is the same for any worker count.
    public var parallelism: Parallelism
    let records: [LinkedRecord]
    let postcodeDecile: [String: Int]
    /// Each person's serious violence offences (suspect or offender), sorted by event date.
    let seriousViolence: [String: [CivilDate]]
    /// The same offences by the day each became known to the police (`Event.knownFrom`), sorted: what a feature
    /// about a co-suspect's serious violence may see.
    let seriousViolenceKnown: [String: [CivilDate]]
    /// School census rows' sessions: key → (possible, authorised, unauthorised, free school meals).
    let sessions: [String: (Int, Int, Int, Bool)]
    /// Crime reference of each suspect row, and the suspects of each crime with the day each was recorded as one.
    let crimeOf: [String: String]
    let suspectsOf: [String: [String: CivilDate]]
    /// Each person's postcodes, dated by the day each record became known, sorted by that date.
    let postcodes: [String: [(CivilDate, String)]]

    public init(records: [LinkedRecord], postcodeDeprivation: [String: Int] = [:], config: CohortConfig = .init(),
                parallelism: Parallelism = .serial) {
        self.config = config; self.parallelism = parallelism
        self.records = records.filter { $0.record.event != nil }
        postcodeDecile = Dictionary(postcodeDeprivation.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        var sv: [String: [CivilDate]] = [:], svKnown: [String: [CivilDate]] = [:]
        var sessions: [String: (Int, Int, Int, Bool)] = [:]
        var crimeOf: [String: String] = [:], suspects: [String: [String: CivilDate]] = [:]
        var postcodes: [String: [(CivilDate, String)]] = [:]
        for l in self.records {
            let r = l.record, e = r.event!
            let key = r.source + "/" + r.recordID
            if CohortBuilder.isSeriousViolenceOffence(e) {
                sv[l.personID, default: []].append(e.date)
                svKnown[l.personID, default: []].append(e.knownFrom)
            }
            if e.kind == .termAbsence, let possible = Int(l.extras["SessionsPossible"] ?? "") {
                sessions[key] = (possible, Int(l.extras["SessionsAuthorisedAbsence"] ?? "") ?? 0,
                                 Int(l.extras["SessionsUnauthorisedAbsence"] ?? "") ?? 0,
                                 ["Y", "YES", "TRUE", "1"].contains((l.extras["FSM"] ?? "").uppercased()))
            }
            if e.kind == .crime, e.role == .suspect || e.role == .offender, let ref = e.reference, !ref.isEmpty {
                crimeOf[key] = ref
                suspects[ref, default: [:]][l.personID] = min(suspects[ref]?[l.personID] ?? e.knownFrom, e.knownFrom)
            }
            if let pc = r.identity.postcode, !pc.isEmpty { postcodes[l.personID, default: []].append((e.knownFrom, pc.uppercased())) }
        }
        seriousViolence = sv.mapValues { $0.sorted() }
        seriousViolenceKnown = svKnown.mapValues { $0.sorted() }
        self.sessions = sessions; self.crimeOf = crimeOf; suspectsOf = suspects
        self.postcodes = postcodes.mapValues { $0.sorted { $0.0 < $1.0 } }
    }

    /// Serious violence as the model's outcome: the young person suspected of or charged with homicide,
    /// attempted murder, wounding with intent, or assault with injury or robbery with a knife or firearm
    /// (`SeriousViolence.isSerious`).
    public static func isSeriousViolenceOffence(_ e: Event) -> Bool {
        guard let code = e.offenceCode, e.role == .suspect || e.role == .offender else { return false }
        return SeriousViolence.isSerious(code: code, flags: e.flags)
    }

    /// The records a date's features may use: those in the agencies' systems before it (`Event.knownFrom`, the day
    /// a record was entered, not the day it is about) whose events fall in the lookback (five years) before it.
    func known(asOf: CivilDate) -> [LinkedRecord] {
        let from = asOf.adding(months: -RiskFeatures.lookbackMonths)
        return records.filter { let e = $0.record.event!; return e.knownFrom < asOf && e.date >= from }
    }

    /// The records known in the lookback before `asOf`, as a chronology builder.
    public func builder(asOf: CivilDate) -> ChronologyBuilder {
        ChronologyBuilder(records: known(asOf: asOf))
    }

    /// Every young person of the configured ages on `asOf` who has not already committed serious violence.
    public func cohort(asOf: CivilDate, persons only: Set<String>? = nil) -> Cohort {
        let known = known(asOf: asOf)
        var byPerson: [String: [LinkedRecord]] = [:]
        for r in known where only == nil || only!.contains(r.personID) { byPerson[r.personID, default: []].append(r) }
        let chronologies = ChronologyBuilder(records: known)
        var excluded: [String: Int] = [:]
        var candidates: [String] = []
        for (person, own) in byPerson {
            guard let dob = ChronologyBuilder.dateOfBirth(own) else { excluded["no date of birth recorded", default: 0] += 1; continue }
            let age = dob.age(on: asOf)
            guard age >= config.minimumAge && age <= config.maximumAge else { continue }
            // Left out when a serious violence offence was on record before the date (entered, not only dated, before it).
            if let first = seriousViolenceKnown[person]?.first, first < asOf {
                excluded["serious violence already recorded", default: 0] += 1; continue
            }
            candidates.append(person)
        }
        candidates.sort()
        let people = candidates, own = byPerson
        let horizonEnd = asOf.adding(months: config.horizonMonths)
        var rows = [CohortRow?](repeating: nil, count: candidates.count)
        rows.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            parallelism.forEach(max(1, min(64, people.count))) { chunk in
                let n = people.count, chunks = max(1, min(64, n))
                for i in stride(from: chunk, to: n, by: chunks) {
                    let person = people[i]
                    guard let c = chronologies.chronology(for: person, pseudonym: "") else { continue }
                    let own = own[person] ?? []
                    let values = computeFeatures(chronology: c, asOf: asOf, evidence: false).values
                    let outcome = seriousViolence[person]?.first { $0 >= asOf && $0 < horizonEnd }
                    out[i] = CohortRow(
                        personID: person, asOf: asOf, age: c.dateOfBirth.map { $0.age(on: asOf) } ?? 0, sex: c.sex,
                        ethnicity: ChronologyBuilder.mode(own.compactMap { r in r.record.identity.ethnicity.flatMap { EthnicGroups.group(code: $0, agency: r.record.agency) } }),
                        deprivationDecile: deprivationDecile(of: person, before: asOf),
                        features: values, outcome: outcome == nil ? 0 : 1, outcomeDate: outcome)
                }
            }
        }
        return Cohort(asOf: asOf, rows: rows.compactMap { $0 }, excluded: excluded)
    }

    /// The deprivation decile of the person's latest postcode before the date.
    func deprivationDecile(of person: String, before date: CivilDate) -> Int? {
        guard let list = postcodes[person] else { return nil }
        for (d, pc) in list.reversed() where d < date { if let decile = postcodeDecile[pc] { return decile } }
        return nil
    }

    /// A cohort as a dataset for the learners: the features, the outcomes, and "personID@asOf" keys.
    public static func dataset(_ rows: [CohortRow]) -> Dataset {
        let names = RiskFeatures.names
        var columns = [[Float]](repeating: [], count: names.count)
        for f in 0..<names.count { columns[f] = rows.map { $0.features[f] } }
        return Dataset(featureNames: names, columns: columns, labels: rows.map(\.outcome),
                       keys: rows.map { $0.personID + "@" + $0.asOf.iso })
    }
}
