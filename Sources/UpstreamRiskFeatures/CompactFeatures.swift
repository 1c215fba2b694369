import UpstreamChronology
import UpstreamModel

/// What every person's features may read about other people: the household neighbourhood (who has records at a
/// home or an incident) and co-offending (who was a suspect in which crime, and when each person's serious
/// violence first became known). Built from one pass over the persons; a few numbers per record.
struct SharedIndex: Sendable {
    /// Home (postcode and house number) or incident reference hash → persons with a record there.
    var byPlace: [UInt64: [UInt32]] = [:]
    /// Per person, the homes and incident references of their records (flat, `placeStart[p]..<placeStart[p+1]`).
    var places: [UInt64] = []
    var placeStart: [Int] = [0]
    /// Crime reference hash → (person, first day they were recorded as a suspect or offender in it).
    var suspects: [UInt64: [(person: UInt32, known: Int32)]] = [:]
    /// Per person, the crime references of their suspect records (flat, like `places`).
    var crimes: [UInt64] = []
    var crimeStart: [Int] = [0]
    /// Per person, the day their first serious violence offence became known (`Int32.max` when none).
    var seriousViolenceKnown: [Int32] = []
    /// Per person, how many records with an event they have.
    var recordCount: [Int32] = []

    /// Adds the next person (persons are numbered in stream order).
    mutating func add(_ records: [CompactRecord]) { add(records[...]) }

    /// Adds the next person, from a slice of a larger run of records.
    mutating func add(_ records: ArraySlice<CompactRecord>) {
        let p = UInt32(seriousViolenceKnown.count)
        var own: Set<UInt64> = [], crimeRefs: [UInt64: Int32] = [:]
        var sv = Int32.max
        for r in records {
            if r.home != 0 { own.insert(r.home) }
            if r.incident != 0 { own.insert(r.incident ^ Self.incidentSalt) }
            if r.crime != 0 { crimeRefs[r.crime] = min(crimeRefs[r.crime] ?? Int32.max, r.known) }
            if r.seriousViolence { sv = min(sv, r.known) }
        }
        for k in own.sorted() { byPlace[k, default: []].append(p); places.append(k) }
        placeStart.append(places.count)
        for (ref, known) in crimeRefs.sorted(by: { $0.key < $1.key }) { suspects[ref, default: []].append((p, known)); crimes.append(ref) }
        crimeStart.append(crimes.count)
        seriousViolenceKnown.append(sv)
        recordCount.append(Int32(clamping: records.count))
    }

    /// Homes and incidents share one index; an incident's hash is salted so it never meets a home's.
    static let incidentSalt: UInt64 = 0x9e37_79b9_7f4a_7c15

    /// Everyone who may share a household with `p` (records at one of their homes or incidents), not `p`.
    func neighbours(of p: UInt32) -> [UInt32] {
        var out: Set<UInt32> = []
        for k in places[placeStart[Int(p)]..<placeStart[Int(p) + 1]] { out.formUnion(byPlace[k] ?? []) }
        out.remove(p)
        return out.sorted()
    }

    /// Everyone suspected in a crime together with `p`, not `p`.
    func coSuspects(of p: UInt32) -> [UInt32] {
        var out: Set<UInt32> = []
        for ref in crimes[crimeStart[Int(p)]..<crimeStart[Int(p) + 1]] { for s in suspects[ref] ?? [] { out.insert(s.person) } }
        out.remove(p)
        return out.sorted()
    }
}

/// The rows of one person at every as-of date, and the dates at which they were left out.
struct PersonRows: Sendable {
    var rows: [MatrixRow] = []
    var noDateOfBirth: [Int] = []
    var seriousViolenceBefore: [Int] = []
}

/// The features of `CohortBuilder.computeFeatures` for one person at every as-of date at once, from compact records.
/// It reproduces the chronology's household inference and ACEs and the features value for value (a test compares
/// both on a synthetic city); what it never builds are the chronology's entries, texts and evidence.
struct CompactFeatures {
    let config: CohortConfig
    let index: SharedIndex
    let dates: [CivilDate]

    // Feature columns, looked up once.
    static func c(_ feature: RiskFeature) -> Int { feature.column }
    static let counted: [CountedEvent: (recent: Int, lookback: Int)] = Dictionary(uniqueKeysWithValues: CountedEvent.allCases.map {
        ($0, (RiskFeature.recent($0).column, RiskFeature.lookback($0).column))
    })

    /// - Parameters:
    ///   - p: the person; `own` their records, in the order they came.
    ///   - records: the records of any other person (household candidates).
    func rows(person p: UInt32, own all: [CompactRecord], records: (UInt32) -> [CompactRecord]) -> PersonRows {
        var out = PersonRows()
        if all.isEmpty { return out }
        var candidates: [(UInt32, [CompactRecord])]?
        let svKnown = index.seriousViolenceKnown[Int(p)]
        var svDates = all.filter(\.seriousViolence).map(\.date)
        svDates.sort()
        for (d, asOfDate) in dates.enumerated() {
            let asOf = asOfDate.dayNumber
            let windowStart = asOfDate.adding(months: -RiskFeatures.lookbackMonths).dayNumber
            let own = all.filter { $0.known < asOf && $0.date >= windowStart }
            if own.isEmpty { continue }
            guard let dobDay = Self.mode(own.lazy.map(\.dob).filter { $0 != CompactRecord.none }) else {
                out.noDateOfBirth.append(d); continue
            }
            let dob = CivilDate(dayNumber: dobDay)
            let age = dob.age(on: asOfDate)
            guard age >= config.minimumAge && age <= config.maximumAge else { continue }
            if svKnown < asOf { out.seriousViolenceBefore.append(d); continue }
            if candidates == nil { candidates = index.neighbours(of: p).map { ($0, records($0)) } }
            var values = features(person: p, own: own, asOf: asOfDate, windowStart: windowStart, dob: dobDay)
            let aces = self.aces(own: own, candidates: candidates!, asOf: asOf, windowStart: windowStart, dob: dobDay)
            for ace in aces {
                values[Self.c(.ace(ace))] = 1
                values[Self.c(.aceCount)] += 1
            }
            values[Self.c(.age)] = Float(asOf - dobDay) / 365.25
            let decile = Self.decile(all, before: asOf)
            values[Self.c(.deprivationDecile)] = decile.map(Float.init) ?? .nan
            let horizonEnd = asOfDate.adding(months: config.horizonMonths).dayNumber
            let outcome = svDates.first { $0 >= asOf && $0 < horizonEnd }
            let sex = Self.modeBy(own.compactMap(\.sex)) { $0.rawValue }
            out.rows.append(MatrixRow(
                date: UInt8(d), person: p, values: values, age: UInt8(clamping: age),
                sex: sex.map { UInt8(Sex.allCases.firstIndex(of: $0)! + 1) } ?? 0,
                ethnicity: Self.mode(own.lazy.map(\.ethnicity).filter { $0 != 0 }) ?? 0,
                decile: decile ?? 0, outcome: outcome == nil ? 0 : 1, outcomeDay: outcome ?? Int32.min))
        }
        return out
    }

    /// The most common value, ties to the smallest (as `ChronologyBuilder.mode`).
    static func mode<S: Sequence>(_ values: S) -> S.Element? where S.Element: Hashable & Comparable {
        var counts: [S.Element: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    /// The most common value, ties to the smallest by `key`.
    static func modeBy<T: Hashable>(_ values: [T], key: (T) -> String) -> T? {
        var counts: [T: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        return counts.max { ($0.value, key($1.key)) < ($1.value, key($0.key)) }?.key
    }

    /// The decile of the postcode of the person's record entered latest before the date (later records win a tie).
    static func decile(_ records: [CompactRecord], before asOf: Int32) -> UInt8? {
        var best: (Int32, Int)?, value: UInt8?
        for (i, r) in records.enumerated() where r.decile != 0 && r.known < asOf {
            if best == nil || (r.known, i) > best! { best = (r.known, i); value = r.decile }
        }
        return value
    }

    /// Every feature but the ACEs, age and deprivation, from the person's own records known before the date.
    func features(person p: UInt32, own: [CompactRecord], asOf asOfDate: CivilDate, windowStart: Int32, dob: Int32) -> [Float] {
        typealias C = CompactFeatures
        let asOf = asOfDate.dayNumber
        var values = [Float](repeating: 0, count: RiskFeatures.all.count)
        let yearAgo = asOfDate.adding(months: -12).dayNumber
        func add(_ feature: RiskFeature) { values[C.c(feature)] += 1 }
        func addCounted(_ kind: CountedEvent, _ r: CompactRecord) {
            let (recent, lookback) = C.counted[kind]!
            values[lookback] += 1
            if r.date >= yearAgo { values[recent] += 1 }
        }
        var firstSeen: [FirstContact: Int32] = [:]
        func first(_ kind: FirstContact, _ r: CompactRecord) { firstSeen[kind] = min(firstSeen[kind] ?? Int32.max, r.date) }
        var lastPolice: Int32?, lastAny: Int32?
        var crimeRefs: Set<UInt64> = []
        var possible = 0, authorised = 0, unauthorised = 0
        var fsm = false
        for r in own where r.date < asOf && r.date >= windowStart {
            let suspect = r.role == .suspect || r.role == .offender
            if r.kind != .termAbsence { lastAny = max(lastAny ?? Int32.min, r.date) }
            switch r.kind {
            case .crime:
                if r.role == .victim {
                    addCounted(.policeVictim, r)
                    if r.group == .violence || r.group == .robbery { add(.policeViolenceVictim) }
                    if r.flags.contains(.childSexualExploitation) { values[C.c(.policeCSEVictim)] = 1 }
                } else if suspect {
                    addCounted(.policeSuspect, r)
                    first(.policeSuspect, r)
                    if r.group == .violence || r.group == .robbery { add(.policeViolenceSuspect) }
                    if r.group == .weapons || r.flags.contains(.knife) || r.flags.contains(.firearm) { add(.policeWeaponSuspect) }
                    if r.group == .drugs { add(.policeDrugsSuspect) }
                    if r.crime != 0 { crimeRefs.insert(r.crime) }
                }
                if r.flags.contains(.gang) { values[C.c(.policeGangFlag)] = 1 }
            case .incident:
                if r.role == .householdMember, r.domestic { add(.policeDomesticIncidentPresent) } else { addCounted(.policeIncident, r) }
            case .custody: addCounted(.policeCustody, r)
            case .stopSearch: addCounted(.policeStopSearch, r)
            case .missingPersonReport: addCounted(.policeMissing, r)
            case .suspension: addCounted(.schoolSuspensions, r); first(.schoolExclusion, r)
            case .permanentExclusion: values[C.c(.schoolPermanentExclusion)] = 1; first(.schoolExclusion, r)
            case .alternativeProvision: values[C.c(.schoolAlternativeProvision)] = 1
            case .termAbsence:
                if r.hasSessions {
                    if r.date >= yearAgo { possible += Int(r.possible); authorised += Int(r.authorised); unauthorised += Int(r.unauthorised) }
                    if r.freeSchoolMeals { fsm = true }
                }
            case .edAttendance:
                addCounted(.edAttendances, r); first(.emergencyDepartment, r)
                if r.assault { add(.edAssault) }
            case .socialCareContact: addCounted(.socialCareContacts, r); first(.socialCare, r)
            case .socialCareReferral: addCounted(.socialCareReferrals, r); first(.socialCare, r)
            case .socialCareAssessment: first(.socialCare, r)
            case .childInNeedPlan: values[C.c(.childInNeedPlan)] = 1; first(.socialCare, r)
            case .childProtectionPlan: values[C.c(.childProtectionPlan)] = 1; first(.socialCare, r)
            case .lookedAfter: values[C.c(.lookedAfter)] = 1; first(.socialCare, r)
            case .missingEpisode: addCounted(.missingEpisodes, r)
            case .youthJusticeDisposal: addCounted(.youthJustice, r); first(.youthJustice, r)
            case .substanceMisuseTreatment: add(.substanceMisuse)
            case .mentalHealthTreatment: add(.mentalHealth)
            case .probationSupervision, .prisonReception: break
            }
            if r.agency == .police { lastPolice = max(lastPolice ?? Int32.min, r.date); first(.police, r) }
        }
        if possible > 0 {
            values[C.c(.schoolAbsenceRate)] = Float(authorised + unauthorised) / Float(possible)
            values[C.c(.schoolUnauthorisedRate)] = Float(unauthorised) / Float(possible)
        } else {
            values[C.c(.schoolAbsenceRate)] = .nan
            values[C.c(.schoolUnauthorisedRate)] = .nan
        }
        if fsm { values[C.c(.freeSchoolMeals)] = 1 }
        for kind in FirstContact.allCases { values[C.c(.yearsSinceFirst(kind))] = firstSeen[kind].map { Float(asOf - $0) / 365.25 } ?? .nan }
        values[C.c(.daysSincePolice)] = lastPolice.map { Float(asOf - $0) } ?? .nan
        values[C.c(.daysSinceAnyContact)] = lastAny.map { Float(asOf - $0) } ?? .nan
        // Co-suspects recorded as such before the date, and those of them whose serious violence was known by then.
        var coOffenders: Set<UInt32> = []
        for ref in crimeRefs { for s in index.suspects[ref] ?? [] where s.known < asOf { coOffenders.insert(s.person) } }
        coOffenders.remove(p)
        values[C.c(.coOffenders)] = Float(coOffenders.count)
        values[C.c(.coOffendersSeriousViolence)] = Float(coOffenders.filter { index.seriousViolenceKnown[Int($0)] < asOf }.count)
        return values
    }

    /// The ACEs first recorded in the lookback before the date: the young person's own records, the inferred
    /// household's adults, and a parent's separation (`ChronologyBuilder.householdACEEvents`).
    func aces(own: [CompactRecord], candidates: [(UInt32, [CompactRecord])], asOf: Int32, windowStart: Int32, dob: Int32) -> [ACE] {
        var first: [ACE: Int32] = [:]
        func found(_ ace: ACE, _ date: Int32) { first[ace] = min(first[ace] ?? Int32.max, date) }
        let childhoodEnd = CivilDate(dayNumber: dob).adding(days: 18 * 365 + 4).dayNumber
        func inChildhood(_ d: Int32) -> Bool { d >= dob && d < childhoodEnd }
        for r in own where inChildhood(r.date) {
            if r.kind == .incident && r.domestic && r.role == .householdMember { found(.domesticViolence, r.date) }
            else if r.agency == .socialCare, let a = r.socialCareACE { found(a, r.date) }
            else if r.flags.contains(.domesticAbuse) && r.role == .victim { found(.domesticViolence, r.date) }
        }
        // The household as `ChronologyBuilder.inferHousehold` infers it from the records known on the date.
        var addresses: [UInt64: [Int32]] = [:]
        var incidents: Set<UInt64> = [], surnames: Set<UInt64> = []
        for r in own {
            if r.surname != 0 { surnames.insert(r.surname) }
            if r.home != 0 { addresses[r.home, default: []].append(r.date) }
            if r.kind == .incident && r.incident != 0 { incidents.insert(r.incident) }
        }
        let ownAddressDates = own.filter { $0.home != 0 }
        for (_, all) in candidates {
            let records = all.filter { $0.known < asOf && $0.date >= windowStart }
            if records.isEmpty { continue }
            var lo = Int32.max, hi = Int32.min, count = 0
            var agencies: Set<Agency> = []
            var atIncident = false, sharesSurname = false
            for r in records {
                if r.surname != 0, surnames.contains(r.surname) { sharesSurname = true }
                if r.kind == .incident, r.incident != 0, incidents.contains(r.incident) {
                    atIncident = true; count += 1; lo = min(lo, r.date); hi = max(hi, r.date)
                }
                if r.home != 0, let dates = addresses[r.home], dates.contains(where: { abs(Int($0) - Int(r.date)) <= 365 }) {
                    count += 1; lo = min(lo, r.date); hi = max(hi, r.date)
                    agencies.insert(r.agency)
                }
            }
            guard atIncident || (count >= 1 && sharesSurname) || (count >= 4 && agencies.count >= 2) else { continue }
            guard count > 0 else { continue }
            let otherDOB = Self.mode(records.lazy.map(\.dob).filter { $0 != CompactRecord.none })
            let relationship: Relationship
            if let b = otherDOB, abs(Int(dob) - Int(b)) < 14 * 365 {
                relationship = .sibling
            } else if let b = otherDOB, b > dob {
                continue
            } else {
                relationship = sharesSurname ? .parent : .stepParentOrCarer
            }
            if relationship == .sibling { continue }
            // Adults' records while they lived with the young person (a year either side).
            let from = lo - 365, to = hi + 365
            for r in records where inChildhood(r.date) && r.date >= from && r.date <= to {
                switch r.kind {
                case .prisonReception: found(.householdIncarceration, r.date)
                case .substanceMisuseTreatment: found(.householdSubstanceMisuse, r.date)
                case .mentalHealthTreatment: found(.householdMentalIllness, r.date)
                case .incident where r.domestic: found(.domesticViolence, r.date)
                case .crime where r.flags.contains(.domesticAbuse): found(.domesticViolence, r.date)
                default: break
                }
            }
            // Separation: a parent recorded at another address while the young person stays at the old one.
            guard relationship == .parent else { continue }
            var later = records.filter { $0.home != 0 && $0.date > hi }
            later.sort { $0.date < $1.date }
            for r in later where inChildhood(r.date) {
                let childStill = ownAddressDates.contains { $0.date > r.date && $0.home != r.home && abs(Int($0.date) - Int(r.date)) < 730 }
                let parentElsewhere = !ownAddressDates.contains { $0.home == r.home }
                if childStill && parentElsewhere { found(.parentalSeparation, r.date); break }
            }
        }
        return first.filter { $0.value < asOf && $0.value >= windowStart }.map(\.key)
    }
}
