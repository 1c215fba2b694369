import UpstreamModel

/// Builds chronologies from linked records: a young person's own records, and the records of the people
/// around them from which the household and its adverse childhood experiences are inferred.
///
/// Pure: it is given the records (the CLI streams them out of the store) and returns values.
public struct ChronologyBuilder: Sendable {
    let byPerson: [String: [LinkedRecord]]
    /// Who was recorded at each postcode and at each incident: the only people who can be inferred to share a
    /// household, so inference looks at them instead of scanning the whole city.
    let byPostcode: [String: Set<String>]
    let byIncident: [String: Set<String>]

    /// - Parameter records: the records of the young person and of anyone who may share their household.
    public init(records: [LinkedRecord]) {
        var m: [String: [LinkedRecord]] = [:]
        var pcs: [String: Set<String>] = [:], incs: [String: Set<String>] = [:]
        for r in records {
            m[r.personID, default: []].append(r)
            if let pc = r.record.identity.home, r.record.event != nil { pcs[pc, default: []].insert(r.personID) }
            if let e = r.record.event, e.kind == .incident, let ref = e.reference { incs[ref, default: []].insert(r.personID) }
        }
        byPerson = m; byPostcode = pcs; byIncident = incs
    }

    /// Person ids present, sorted.
    public var personIDs: [String] { byPerson.keys.sorted() }

    /// The most common value of a field across a person's records (ties broken by value, for determinism).
    public static func mode<T: Hashable & Comparable>(_ values: [T]) -> T? {
        var counts: [T: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    /// The person's most often recorded date of birth, ignoring placeholders before 1900.
    public static func dateOfBirth(_ records: [LinkedRecord]) -> CivilDate? {
        mode(records.compactMap { r -> CivilDate? in
            guard let d = r.record.identity.dateOfBirth, d.year > 1900 else { return nil }
            return d
        })
    }

    static let routine: Set<EventKind> = [.termAbsence]

    /// The chronology of one person, or `nil` if no record belongs to them.
    public func chronology(for personID: String, pseudonym: String, identify: Bool = false) -> Chronology? {
        guard let own = byPerson[personID], !own.isEmpty else { return nil }
        let dob = ChronologyBuilder.dateOfBirth(own)
        let sex = ChronologyBuilder.mode(own.compactMap { $0.record.identity.sex?.rawValue }).flatMap(Sex.init(rawValue:))
        let area = ChronologyBuilder.mode(own.compactMap { $0.record.event?.area })
        var entries: [ChronologyEntry] = own.compactMap { l in
            guard let e = l.record.event else { return nil }
            let p = l.record.provenance
            return ChronologyEntry(
                date: e.date, minuteOfDay: e.minuteOfDay, age: dob.map { $0.age(on: e.date) }, agency: l.record.agency,
                kind: e.kind, role: e.role, offenceCode: e.offenceCode, flags: e.flags.code, detail: e.detail,
                seriousViolence: e.offenceCode.map { SeriousViolence.isSerious(code: $0, flags: e.flags) } ?? false
                    && (e.role == .suspect || e.role == .offender),
                source: l.record.source, recordID: l.record.recordID, fileName: p.fileName, line: p.line,
                matchProbability: l.matchProbability)
        }
        entries.sort { ($0.date, $0.minuteOfDay ?? 0, $0.source, $0.recordID) < ($1.date, $1.minuteOfDay ?? 0, $1.source, $1.recordID) }
        let household = inferHousehold(personID: personID, own: own, dob: dob)
        let events = householdACEEvents(own: own, household: household, dob: dob)
        var firstByACE: [ACE: HouseholdACEEvent] = [:]
        for e in events where firstByACE[e.ace] == nil || e.date < firstByACE[e.ace]!.date { firstByACE[e.ace] = e }
        let aces = firstByACE.values.sorted { ($0.date, $0.ace) < ($1.date, $1.ace) }.map {
            ACEFinding(ace: $0.ace, firstRecorded: $0.date, agency: $0.agency, source: $0.source, recordID: $0.recordID)
        }
        var before: [String: [String: Int]] = [:]
        for limit in [10, 12, 14] {
            var counts: [String: Int] = [:]
            for e in entries where !ChronologyBuilder.routine.contains(e.kind) {
                if let a = e.age, a < limit { counts[e.agency.rawValue, default: 0] += 1 }
            }
            before[String(limit)] = counts
        }
        let merged = own.map { Chronology.MergedRecord(source: $0.record.source, recordID: $0.record.recordID, matchProbability: $0.matchProbability) }
            .sorted { ($0.source, $0.recordID) < ($1.source, $1.recordID) }
        return Chronology(
            personID: personID, pseudonym: pseudonym, sex: sex, dateOfBirth: dob, area: area, entries: entries,
            household: household, householdEvents: events, aces: aces, contactsBefore: before,
            firstSeriousViolence: entries.first { $0.seriousViolence },
            earliestContact: entries.first { !ChronologyBuilder.routine.contains($0.kind) },
            mergedRecords: merged, identity: identify ? own.map(\.record.identity) : nil)
    }

    // MARK: Household

    /// People who shared an address with the young person (two or more records within a year of each other at the
    /// same postcode, or one such record and a shared surname) or were recorded at the same domestic incident.
    func inferHousehold(personID: String, own: [LinkedRecord], dob: CivilDate?) -> [HouseholdMember] {
        var addresses: [String: [CivilDate]] = [:]
        var incidents: Set<String> = []
        var surnames: Set<String> = []
        for r in own {
            if let s = r.record.identity.surname { surnames.insert(s.uppercased()) }
            guard let e = r.record.event else { continue }
            if let pc = r.record.identity.home { addresses[pc, default: []].append(e.date) }
            if e.kind == .incident, let ref = e.reference { incidents.insert(ref) }
        }
        var candidates: Set<String> = []
        for pc in addresses.keys { candidates.formUnion(byPostcode[pc] ?? []) }
        for ref in incidents { candidates.formUnion(byIncident[ref] ?? []) }
        candidates.remove(personID)
        var members: [HouseholdMember] = []
        for other in candidates {
            guard let records = byPerson[other] else { continue }
            var together: [CivilDate] = []
            var togetherAgencies: Set<Agency> = []
            var atIncident = false
            var sharesSurname = false
            for r in records {
                if let s = r.record.identity.surname, surnames.contains(s.uppercased()) { sharesSurname = true }
                guard let e = r.record.event else { continue }
                if e.kind == .incident, let ref = e.reference, incidents.contains(ref) { atIncident = true; together.append(e.date) }
                if let pc = r.record.identity.home, let dates = addresses[pc],
                   dates.contains(where: { abs(Int($0.dayNumber) - Int(e.date.dayNumber)) <= 365 }) {
                    together.append(e.date)
                    togetherAgencies.insert(r.record.agency)
                }
            }
            // A postcode unit holds a dozen or so households, so an address alone is weak evidence: ask for the
            // same surname too, or a shared incident, or many records at the same address from several agencies.
            guard atIncident || (together.count >= 1 && sharesSurname) || (together.count >= 4 && togetherAgencies.count >= 2) else { continue }
            guard let first = together.min(), let last = together.max() else { continue }
            let otherDOB = ChronologyBuilder.dateOfBirth(records)
            let relationship: Relationship
            if let a = dob, let b = otherDOB, abs(Int(a.dayNumber) - Int(b.dayNumber)) < 14 * 365 {
                relationship = .sibling
            } else if let a = dob, let b = otherDOB, b > a {
                continue  // a younger person far younger than the child: not a carer; not modelled
            } else {
                relationship = sharesSurname ? .parent : .stepParentOrCarer
            }
            let sex = ChronologyBuilder.mode(records.compactMap { $0.record.identity.sex?.rawValue }).flatMap(Sex.init(rawValue:))
            var evidence: [String] = []
            if atIncident { evidence.append("recorded at the same domestic incident") }
            if !together.isEmpty { evidence.append("\(together.count) records at the same address") }
            if sharesSurname { evidence.append("same surname") }
            members.append(HouseholdMember(personID: other, relationship: relationship, sex: sex, birthYear: otherDOB?.year,
                                           firstTogether: first, lastTogether: last, evidence: evidence.joined(separator: "; ")))
        }
        return members.sorted { ($0.relationship.rawValue, $0.personID) < ($1.relationship.rawValue, $1.personID) }
    }

    func householdACEEvents(own: [LinkedRecord], household: [HouseholdMember], dob: CivilDate?) -> [HouseholdACEEvent] {
        var out: [HouseholdACEEvent] = []
        let childhoodEnd = dob?.adding(days: 18 * 365 + 4)
        func inChildhood(_ d: CivilDate) -> Bool {
            guard let b = dob, let e = childhoodEnd else { return true }
            return d >= b && d < e
        }
        // The young person's own records.
        for r in own {
            guard let e = r.record.event, inChildhood(e.date) else { continue }
            var ace: ACE?
            var what = ""
            if e.kind == .incident && (e.detail ?? "").uppercased().contains("DOMESTIC") && e.role == .householdMember {
                ace = .domesticViolence; what = "present at a domestic incident"
            } else if r.record.agency == .socialCare, let d = e.detail?.uppercased(), let a = ACE(socialCareCode: d) {
                ace = a; what = "social care: \(e.kind.rawValue.replacingUnderscores()) (\(d))"
            } else if e.flags.contains(.domesticAbuse) && e.role == .victim {
                ace = .domesticViolence; what = "victim of a domestic abuse crime"
            }
            if let ace {
                out.append(HouseholdACEEvent(date: e.date, ace: ace, memberID: nil, relationship: nil, description: what,
                                             agency: r.record.agency, source: r.record.source, recordID: r.record.recordID))
            }
        }
        // Adults of the household.
        for m in household where m.relationship != .sibling {
            guard let records = byPerson[m.personID] else { continue }
            let from = m.firstTogether.adding(days: -365), to = m.lastTogether.adding(days: 365)
            var addresses: Set<String> = []
            for r in records {
                guard let e = r.record.event, inChildhood(e.date), e.date >= from, e.date <= to else { continue }
                var ace: ACE?
                var what = ""
                switch e.kind {
                case .prisonReception: ace = .householdIncarceration; what = "imprisoned"
                case .substanceMisuseTreatment: ace = .householdSubstanceMisuse; what = "in substance misuse treatment"
                case .mentalHealthTreatment: ace = .householdMentalIllness; what = "referred to mental health services"
                case .incident where (e.detail ?? "").uppercased().contains("DOMESTIC"):
                    ace = .domesticViolence; what = e.role == .offender ? "perpetrator at a domestic incident" : "victim at a domestic incident"
                case .crime where e.flags.contains(.domesticAbuse):
                    ace = .domesticViolence; what = e.role == .victim ? "victim of a domestic abuse crime" : "suspect in a domestic abuse crime"
                default: break
                }
                if let pc = r.record.identity.home { addresses.insert(pc) }
                if let ace {
                    out.append(HouseholdACEEvent(date: e.date, ace: ace, memberID: m.personID, relationship: m.relationship,
                                                 description: what, agency: r.record.agency, source: r.record.source,
                                                 recordID: r.record.recordID))
                }
            }
        }
        // Separation: a parent recorded at a different address while the young person stays at the old one.
        let ownAddressDates: [(String, CivilDate)] = own.compactMap { r in
            guard let pc = r.record.identity.home, let e = r.record.event else { return nil }
            return (pc, e.date)
        }
        for m in household where m.relationship == .parent {
            guard let records = byPerson[m.personID] else { continue }
            let later = records.compactMap { r -> (String, CivilDate, LinkedRecord)? in
                guard let pc = r.record.identity.home, let e = r.record.event, e.date > m.lastTogether else { return nil }
                return (pc, e.date, r)
            }.sorted { $0.1 < $1.1 }
            for (pc, date, r) in later where inChildhood(date) {
                let childStill = ownAddressDates.contains { $0.1 > date && !($0.0 == pc) && abs(Int($0.1.dayNumber) - Int(date.dayNumber)) < 730 }
                let parentElsewhere = !ownAddressDates.contains { $0.0 == pc }
                if childStill && parentElsewhere {
                    out.append(HouseholdACEEvent(date: date, ace: .parentalSeparation, memberID: m.personID, relationship: m.relationship,
                                                 description: "parent recorded at another address", agency: r.record.agency,
                                                 source: r.record.source, recordID: r.record.recordID))
                    break
                }
            }
        }
        return out.sorted { ($0.date, $0.ace, $0.recordID) < ($1.date, $1.ace, $1.recordID) }
    }
}
