import UpstreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Phase two: each household's adult events that touch children, and each child's life course.
extension ChunkWorker {
    func clampToWindow(_ d: CivilDate) -> CivilDate? { d < start || d > end ? nil : d }

    /// The first day lives are simulated from.
    var burnStart: CivilDate { start.firstOfMonth(addingMonths: -burnInMonths) }

    func partner(_ hh: Household, on date: CivilDate, male: Bool) -> Int32? {
        if male {
            if hh.stepParent >= 0 && date >= hh.stepParentFrom { return hh.stepParent }
            if let f = hh.adults.first, out.people[Int(f)].sex == .male { return f }
            return nil
        }
        return hh.adults.count > 1 ? hh.adults[1] : nil
    }

    func childrenAt(_ hh: Household, _ date: CivilDate) -> [Int32] {
        hh.children.filter { let p = out.people[Int($0)]; return p.dob <= date && p.dob.age(on: date) < 18 }
    }

    func householdEvents(_ hh: Household, _ rng: inout SeededRandom) {
        guard !hh.children.isEmpty, hh.adults.count == 2 else { return }
        let father = hh.adults[0], mother = hh.adults[1]
        // Domestic abuse: incidents and crimes from its onset until separation or it stops.
        let dv = hh.householdACE[ACE.domesticViolence.index]
        if dv != .max {
            let from = CivilDate(dayNumber: max(dv, start.dayNumber))
            var until = CivilDate(dayNumber: dv).adding(days: rng.int(in: 365...6 * 365))
            let sep = out.people[Int(father)].leftHouseholdDate
            if sep > from && sep < until { until = sep }
            if until > end { until = end }
            var d = from
            while d < until {
                d = d.adding(days: Int(-log(max(rng.uniform(), 1e-12)) * 365 / 1.2) + 1)
                guard d < until else { break }
                let perp = partner(hh, on: d, male: true) ?? father
                let kids = childrenAt(hh, d)
                let area = hh.area(on: d)
                let minute = CrimePatterns.minute(violent: true, &rng)
                if rng.chance(0.4) {
                    let code = ["8N", "105A", "8L", "3B"][rng.weighted([0.4, 0.45, 0.1, 0.05])]
                    var flags: CrimeFlags = [.domesticAbuse]
                    if rng.chance(0.005) { flags.insert(.honourBased) }
                    let ref = out.crime(code: code, date: d, minute: minute, area: area, flags: flags, victims: [mother],
                                        suspects: rng.chance(0.85) ? [perp] : [], &rng)
                    if rng.chance(0.35) { out.custody(perp, date: d.adding(days: rng.below(3)), code: code, crimeRef: ref, &rng) }
                } else {
                    let no = out.book.incidentNumber(Int(hh.index) * 100_000 + Int(d.dayNumber - start.dayNumber))
                    out.incident(mother, no: no, category: "DOMESTIC", role: "VICTIM", date: d, minute: minute, area: area, &rng)
                    out.incident(perp, no: no, category: "DOMESTIC", role: "PERPETRATOR", date: d, minute: minute, area: area, &rng)
                    for k in kids where rng.chance(0.7) {
                        out.incident(k, no: no, category: "DOMESTIC", role: "CHILD_PRESENT", date: d, minute: minute, area: area, &rng)
                    }
                }
                for k in kids where rng.chance(0.45) {
                    out.cscContact(k, date: d.adding(days: rng.int(in: 1...14)), source: "POLICE", factor: "3A", referral: rng.chance(0.45), &rng)
                }
            }
        }
        // A parent imprisoned.
        let inc = hh.householdACE[ACE.householdIncarceration.index]
        if inc != .max, let d = clampToWindow(CivilDate(dayNumber: inc)) {
            let parent = rng.chance(0.85) ? (partner(hh, on: d, male: true) ?? father) : mother
            let code = ["8N", "34B", "92A", "28E", "5D"][rng.weighted([0.3, 0.15, 0.25, 0.2, 0.1])]
            let offence = d.adding(days: -rng.int(in: 30...200))
            if offence >= start {
                let ref = out.crime(code: code, date: offence, minute: CrimePatterns.minute(violent: code != "28E", &rng),
                                    area: hh.area(on: offence), flags: [], victims: [], suspects: [parent], &rng)
                out.custody(parent, date: offence.adding(days: rng.int(in: 0...20)), code: code, crimeRef: ref, &rng)
            }
            let release = d.adding(days: rng.int(in: 90...1100))
            out.prison(parent, reception: d, release: release, code: code, &rng)
            if release <= end { out.probation(parent, date: release, sentence: "LICENCE", code: code, &rng) }
        }
        // Parental substance misuse and mental illness, as far as treatment services see them.
        let sm = hh.householdACE[ACE.householdSubstanceMisuse.index]
        if sm != .max {
            let parent = rng.chance(0.55) ? father : mother
            var d = CivilDate(dayNumber: sm).adding(days: rng.int(in: 0...700))
            while d <= end && rng.chance(config.services.substanceMisuseTreatmentShareOfParents) {
                if d >= start {
                    let substance = ["ALCOHOL", "OPIATES", "CRACK", "CANNABIS", "OTHER"][rng.weighted([0.45, 0.2, 0.1, 0.15, 0.1])]
                    out.substance(parent, date: d, substance: substance, parental: "LIVES_WITH_CHILDREN", &rng)
                }
                d = d.adding(days: rng.int(in: 200...1500))
            }
        }
        let mh = hh.householdACE[ACE.householdMentalIllness.index]
        if mh != .max {
            let parent = rng.chance(0.65) ? mother : father
            var d = CivilDate(dayNumber: mh).adding(days: rng.int(in: 0...500))
            while d <= end && rng.chance(config.services.mentalHealthTreatmentShareOfParents) {
                if d >= start {
                    out.mentalHealth(parent, date: d, team: ["CMHT", "CRISIS", "PERINATAL", "IAPT"][rng.weighted([0.5, 0.15, 0.1, 0.25])], &rng)
                }
                d = d.adding(days: rng.int(in: 300...1500))
            }
        }
    }

    /// State of one child while their months are walked.
    struct ChildState {
        var suspensions = 0
        var excluded = false
        var lookedAfterUntil = CivilDate(dayNumber: .min)
        var onPlanUntil = CivilDate(dayNumber: .min)
        var offences = 0
        var violent = false
        var svDone = false
        var absenceZ = 0.0
    }

    /// One child's life course, month by month, on the child's own random streams: `rng` for everything but serious
    /// violence, `svr` for the monthly serious violence draws (two a month from age 10, whatever happens), and one
    /// stream per offence month for its details. A treated re-run therefore draws the same numbers; a treated child's
    /// hazard is scaled by (1 − effect) from the treatment's date (`treat: false` lives the untreated life).
    func childLife(_ c: Int32, _ hh: Household, treat: Bool = true) {
        var rng = SeededRandom(seed: config.seed, 13, UInt64(c))
        var svr = SeededRandom(seed: config.seed, 14, UInt64(c))
        let effect = treat ? treated[c] : nil
        let p = out.people[Int(c)]
        var st = ChildState()
        var ar = SeededRandom(seed: config.seed, 7, UInt64(p.index))
        st.absenceZ = ar.normal()
        let male = p.sex == .male
        let area0 = areas[Int(hh.area)]
        let fsm = area0.decile <= 3 ? rng.chance(0.4) : rng.chance(0.1)
        // Contacts with social care when abuse or neglect begins (if any agency notices).
        for (i, ace) in ACE.allCases.enumerated() where !PopulationBuilder.householdLevel.contains(ace) || ace == .physicalNeglect || ace == .emotionalNeglect {
            let onset = p.aceOnset[i]
            // During the burn-in nothing is written, but the referral's consequences (a plan, care) carry into the window.
            guard onset != .max else { continue }
            let d = CivilDate(dayNumber: onset).adding(days: rng.int(in: 0...400))
            guard d >= burnStart, d <= end else { continue }
            guard d.dayNumber < p.dob.adding(days: 18 * 365).dayNumber, rng.chance(0.55) else { continue }
            let factor: String
            switch ace {
            case .physicalAbuse: factor = "6A"
            case .sexualAbuse: factor = p.dob.age(on: d) >= 11 && rng.chance(0.4) ? "8B" : "7A"
            case .emotionalAbuse: factor = "5A"
            default: factor = "22A"
            }
            let source = ["POLICE", "SCHOOL", "HEALTH", "OTHER"][rng.weighted([0.3, 0.3, 0.25, 0.15])]
            out.cscContact(c, date: d, source: source, factor: factor, referral: true, &rng)
            referralPathway(c, d, ace: ace, &st, &rng)
            if ace == .sexualAbuse && rng.chance(0.3) {
                let age = p.dob.age(on: d)
                let code = age < 13 ? (male ? "17B" : "20B") : "22B"
                var flags: CrimeFlags = []
                if factor == "8B" || rng.chance(config.crime.cseShareOfChildSexualOffences) { flags.insert(.childSexualExploitation) }
                out.crime(code: code, date: d, minute: CrimePatterns.minute(violent: false, &rng), area: hh.area(on: d), flags: flags,
                          victims: [c], suspects: [], &rng)
            }
        }
        // Walk from birth, or from the start of the burn-in (from age 4 there: before school nothing carries over).
        var firstMonth = max(-burnInMonths, (p.dob.year - start.year) * 12 + p.dob.month - 1)
        if firstMonth < 0 { firstMonth = min(0, max(firstMonth, (p.dob.year + 4 - start.year) * 12 + p.dob.month - 1)) }
        for m in firstMonth..<months {
            let date = start.firstOfMonth(addingMonths: m)
            let age = p.dob.age(on: date)
            if age > 24 { break }
            let aces = Double(aceCount(p, date))
            let area = hh.area(on: date)
            let month = date.month
            let day = { (r: inout SeededRandom) -> CivilDate in date.adding(days: r.below(28)) }
            let risk = exp(perACE * aces) * p.propensity
            // School: census each term, absence, suspensions, exclusions (Reception to Year 11).
            let ageAtSep = p.dob.age(on: CivilDate(year: month >= 9 ? date.year : date.year - 1, month: 9, day: 1)!)
            if (4...15).contains(ageAtSep) {
                let ncYear = ageAtSep - 4
                if month == 9 || month == 1 || month == 4 {
                    let term = month == 9 ? "AUT" : (month == 1 ? "SPR" : "SUM")
                    let ay = month >= 9 ? date.year : date.year - 1
                    let possible = month == 9 ? 140 : 120
                    var rate = exp(rates.absenceMu + 0.6 * st.absenceZ + 0.15 * aces + (st.excluded ? 0.8 : 0))
                    rate = min(0.9, rate * exp(0.25 * rng.normal()))
                    let missed = Int((Double(possible) * rate).rounded())
                    let unauth = Int(Double(missed) * min(0.9, 0.25 + 0.05 * aces))
                    let school = st.excluded ? "9991100" : (ncYear >= 7 ? "9994" + SynthText.pad(Int(area) / 20 % 1000, 3)
                                                                        : "9992" + SynthText.pad(Int(area) / 4 % 1000, 3))
                    out.census(c, term: term, academicYear: ay, termStart: date.adding(days: 2),
                               year: ncYear, possible: possible, authorised: missed - unauth, unauthorised: unauth, school: school,
                               fsm: fsm, &rng)
                }
                if month != 8 && !st.excluded {
                    let phase = ncYear >= 7 ? 1.7 : 0.25
                    let mult = exp(perACE * 1.2 * aces + (male ? 0.4 : -0.4)) * phase * (1 + 0.4 * Double(min(st.suspensions, 5)))
                    if rng.chance(rates.suspension * mult) {
                        st.suspensions += 1
                        let reason = ["PD", "PA", "VA", "DA", "OW"][rng.weighted([0.35, 0.3, 0.2, 0.1, 0.05])]
                        out.exclusion(c, category: "SUSP", date: day(&rng), sessions: rng.int(in: 1...10), reason: reason, &rng)
                    }
                    if ncYear >= 3 && rng.chance(rates.pex * mult * (st.suspensions >= 2 ? 3 : 0.5)) {
                        st.excluded = true
                        let d = day(&rng)
                        out.exclusion(c, category: "PERM", date: d, sessions: 0, reason: ["PD", "PA", "OW", "DA"][rng.weighted([0.4, 0.3, 0.15, 0.15])], &rng)
                        out.exclusion(c, category: "AP", date: d.adding(days: rng.int(in: 6...40)), sessions: 0, reason: "", &rng)
                    }
                }
            }
            if age < 18 {
                // Social care front door.
                let careMult = exp(perACE * 2 * aces)
                if rng.chance(rates.csc * careMult) {
                    let d = day(&rng)
                    let referral = rng.chance(1 / config.services.contactsPerReferral)
                    // The factor recorded reflects the child's circumstances: one of the ACEs begun so far, if any.
                    let factor = contactFactor(p, date, &rng)
                    out.cscContact(c, date: d, source: ["POLICE", "SCHOOL", "HEALTH", "SELF", "OTHER"][rng.weighted([0.24, 0.2, 0.15, 0.1, 0.31])],
                                   factor: factor, referral: referral, &rng)
                    if referral { referralPathway(c, d, ace: nil, &st, &rng) }
                }
                // Missing episodes.
                if age >= 10 {
                    let lac = date <= st.lookedAfterUntil
                    let h = 0.004 * exp(perACE * aces) * (lac ? 12 : 1) * (st.excluded ? 2 : 1)
                    if rng.chance(h) {
                        let d = day(&rng)
                        let stayed: Int = rng.weighted([0.6, 0.3, 0.1]) * 2
                        let found = d.adding(days: stayed)
                        out.missing(c, date: d, found: found, fromCare: lac, &rng)
                        if lac { out.cscEpisode(c, type: "MISSING", start: d, end: found, category: "", &rng) }
                    }
                }
            }
            // Emergency department: accidents and self-harm (all young people), assaults come with victimisation.
            if rng.chance(0.02) {
                out.ed(c, date: day(&rng), minute: CrimePatterns.minute(violent: false, &rng), intent: "ACCIDENT",
                       mechanism: ["FALL", "BLUNT_OBJECT", "OTHER"][rng.weighted([0.5, 0.2, 0.3])], complaint: "INJURY", &rng)
            }
            if age >= 12 && rng.chance(0.0003 * exp(perACE * aces)) {
                out.ed(c, date: day(&rng), minute: CrimePatterns.minute(violent: true, &rng), intent: "SELF_HARM", mechanism: "OTHER",
                       complaint: "SELF_HARM", &rng)
            }
            guard age >= 10 else { continue }
            // Victim of violence.
            let youth = age <= 17 ? 1.0 : 0.8
            if rng.chance(0.0015 * youth * exp(0.25 * aces) * (st.offences > 0 ? 2 : 1)) {
                let d = day(&rng)
                let code = ["8N", "105A", "34B"][rng.weighted([0.55, 0.35, 0.1])]
                var flags: CrimeFlags = []
                let minute = CrimePatterns.minute(violent: true, &rng)
                let offender = rng.chance(0.4) ? randomResident(area: area, on: d, ages: 12...25, &rng) : nil
                // Knife crime by a named young offender comes only from the serious violence hazard below,
                // so that its prevalence and its link to ACEs are the configured ones.
                if offender == nil && code != "105A" && rng.chance(0.04) { flags.insert(.knife) }
                out.crime(code: code, date: d, minute: minute, area: area, flags: flags, victims: [c],
                          suspects: offender.map { [$0] } ?? [], &rng)
                if code == "8N" && rng.chance(0.35) || flags.contains(.knife) {
                    out.ed(c, date: d, minute: min(1439, minute + 30), intent: "ASSAULT",
                           mechanism: flags.contains(.knife) ? "SHARP_OBJECT" : ["BODY_PART", "BLUNT_OBJECT"][rng.below(2)], complaint: "ASSAULT", &rng)
                }
            }
            if rng.chance(0.0002) {
                out.ed(c, date: day(&rng), minute: CrimePatterns.minute(violent: true, &rng), intent: "ASSAULT", mechanism: "BODY_PART",
                       complaint: "ASSAULT", &rng)
            }
            // Offending.
            let ageFactor = CityGenerator.offendingAge(age) * (male ? 1.6 : 0.45)
            let offendMult = risk * ageFactor * (1 + 0.3 * Double(min(st.offences, 5))) * (st.excluded ? 1.8 : 1)
            if rng.chance(0.0025 * offendMult) {
                st.offences += 1
                let d = day(&rng)
                let code = ["49", "46", "58C", "105A", "92D", "9", "34B"][rng.weighted([0.25, 0.15, 0.15, 0.2, 0.1, 0.1, 0.05])]
                if code == "105A" || code == "34B" { st.violent = true }
                let victim = ["105A", "34B"].contains(code) ? randomResident(area: area, on: d, ages: 10...40, &rng) : nil
                let co = rng.chance(0.25) ? randomResident(area: area, on: d, ages: 12...22, &rng, weight: { $0.propensity / 3 }) : nil
                prosecute(c, code: code, date: d, area: area, flags: [], victim: victim, coOffender: co, age: age, &rng)
            }
            // Serious violence.
            let svDraw = svr.uniform(), svAgain = svr.uniform()
            if !st.svDone || svAgain < 0.3 {
                let curve = CityGenerator.svAgeCurve[age] ?? 0
                var mediators: Double = st.violent ? 1.4 : 1
                if st.excluded { mediators *= 1.5 }
                if date <= st.lookedAfterUntil { mediators *= 1.2 }
                mediators *= 1 + 0.05 * Double(min(st.offences, 6))
                let sexTerm: Double = male ? 0.7 : -0.7
                var h: Double = rates.sv * curve * exp(svPerACE * aces + sexTerm) * p.propensity * mediators
                if let effect, date >= treatFrom { h *= 1 - effect }
                if svDraw < h {
                    var rng = SeededRandom(seed: config.seed, 15, UInt64(c), UInt64(m + 1_000_000))
                    st.svDone = true
                    st.violent = true
                    st.offences += 1
                    let d = day(&rng)
                    let code = ["8N", "5D", "34B", "2", "1"][rng.weighted([0.45, 0.35, 0.15, 0.04, 0.01])]
                    var flags: CrimeFlags = []
                    if code == "8N" || code == "34B" || rng.chance(config.crime.knifeShareOfSeriousViolence) {
                        flags.insert(rng.chance(0.93) ? .knife : .firearm)
                    }
                    if rng.chance(config.crime.gangShareOfYouthViolence) { flags.insert(.gang) }
                    if areas[Int(area)].hotspot { flags.insert(.nightTimeEconomy) }
                    let victim = randomResident(area: area, on: d, ages: 13...30, &rng) ?? c
                    prosecute(c, code: code, date: d, area: area, flags: flags, victim: victim == c ? nil : victim, coOffender: nil,
                              age: age, serious: true, &rng)
                }
            }
            // Stop and search.
            if age >= 12 && rng.chance(0.0012 * risk * (male ? 1.5 : 0.3)) {
                out.stopSearch(c, date: day(&rng), area: area, arrested: rng.chance(0.1), &rng)
            }
        }
    }

    /// The Children in Need factor code a contact records: one of the child's ACEs so far (mostly), else a non-ACE reason.
    func contactFactor(_ p: Person, _ date: CivilDate, _ rng: inout SeededRandom) -> String {
        let current = p.aces(by: date).members.compactMap(\.childrenInNeedFactor)
        if !current.isEmpty && rng.chance(0.85) { return current[rng.below(current.count)] }
        return ["1C", "21", "OTHER"][rng.weighted([0.3, 0.3, 0.4])]  // 1C: young carer, 21: no factors identified
    }

    /// A referral's path: assessment, then perhaps a child in need or child protection plan, then perhaps care.
    func referralPathway(_ c: Int32, _ d: CivilDate, ace: ACE?, _ st: inout ChildState, _ rng: inout SeededRandom) {
        guard d > st.onPlanUntil else { return }
        let a0 = d.adding(days: rng.int(in: 1...10))
        out.cscEpisode(c, type: "ASSESSMENT", start: a0, end: a0.adding(days: rng.int(in: 10...45)), category: "", &rng)
        let abuse = ace != nil
        if rng.chance(abuse ? 0.3 : 0.1) {
            let category: String
            switch ace {
            case .physicalAbuse: category = "PHYSICAL"
            case .sexualAbuse: category = "SEXUAL"
            case .emotionalAbuse: category = "EMOTIONAL"
            case .physicalNeglect, .emotionalNeglect: category = "NEGLECT"
            default:
                let keys = ["NEGLECT", "EMOTIONAL", "PHYSICAL", "SEXUAL", "MULTIPLE"]
                category = keys[rng.weighted(keys.map { config.services.cpCategoryShares[$0] ?? 0 })]
            }
            let s = a0.adding(days: 40)
            let e = s.adding(days: rng.int(in: 90...700))
            out.cscEpisode(c, type: "CP", start: s, end: e <= end ? e : nil, category: category, &rng)
            st.onPlanUntil = e
            if rng.chance(0.25) {
                let l = s.adding(days: rng.int(in: 30...300))
                let until = l.adding(days: rng.int(in: 120...2500))
                if l <= end {
                    out.cscEpisode(c, type: "LAC", start: l, end: until <= end ? until : nil, category: "", &rng)
                    st.lookedAfterUntil = until
                }
            }
        } else if rng.chance(0.35) {
            let s = a0.adding(days: 30)
            let e = s.adding(days: rng.int(in: 90...500))
            out.cscEpisode(c, type: "CIN", start: s, end: e <= end ? e : nil, category: ["N1", "N3", "N5", "N6"][rng.weighted([0.5, 0.1, 0.25, 0.15])], &rng)
            st.onPlanUntil = e
        }
    }

    /// A young person's offence: the crime, perhaps an arrest, and the youth justice or adult disposal.
    func prosecute(_ c: Int32, code: String, date: CivilDate, area: Int32, flags: CrimeFlags, victim: Int32?, coOffender: Int32?,
                   age: Int, serious: Bool = false, _ rng: inout SeededRandom) {
        guard date <= end else { return }
        let identified = rng.chance(serious ? 0.8 : 0.5)
        var suspects: [Int32] = identified ? [c] : []
        if identified, let co = coOffender, co != c { suspects.append(co) }
        let minute = CrimePatterns.minute(violent: serious || code == "105A", &rng)
        let ref = out.crime(code: code, date: date, minute: minute, area: area, flags: flags, victims: victim.map { [$0] } ?? [],
                            suspects: suspects, &rng)
        if serious, let v = victim, rng.chance(0.5) {
            out.ed(v, date: date, minute: min(1439, minute + 40), intent: "ASSAULT",
                   mechanism: flags.contains(.firearm) ? "FIREARM" : (flags.contains(.knife) ? "SHARP_OBJECT" : "BLUNT_OBJECT"),
                   complaint: "ASSAULT", &rng)
        }
        guard identified, rng.chance(serious ? 0.85 : 0.55) else { return }
        let arrest = date.adding(days: rng.int(in: 0...20))
        guard arrest <= end else { return }
        out.custody(c, date: arrest, code: code, crimeRef: ref, &rng)
        let outcome = arrest.adding(days: rng.int(in: 20...150))
        guard outcome <= end else { return }
        if age < 18 {
            if rng.chance(serious ? 0.8 : 0.55) {
                let disposal = serious ? ["RO", "YRO", "DTO"][rng.weighted([0.35, 0.4, 0.25])] : ["YC", "YCC", "RO", "YRO"][rng.weighted([0.4, 0.25, 0.25, 0.1])]
                out.yjs(c, date: outcome, disposal: disposal, code: code, &rng)
            }
        } else if serious && rng.chance(0.6) {
            out.prison(c, reception: outcome, release: outcome.adding(days: rng.int(in: 180...2000)), code: code, &rng)
        } else if rng.chance(0.35) {
            out.probation(c, date: outcome, sentence: ["COMMUNITY_ORDER", "SUSPENDED_SENTENCE"][rng.below(2)], code: code, &rng)
        }
    }
}
