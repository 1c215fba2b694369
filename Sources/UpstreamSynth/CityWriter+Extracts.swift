import UpstreamModel

/// One function per extract: each turns a person and an event into that agency's row, in its own conventions.
extension CityWriter {
    static let hateStrandNames = HateStrand.allCases.map(\.rawValue)

    func description(of code: String) -> String { CityGenerator.descriptions[code] ?? "Other offence" }

    func localID(_ person: Int32, digits: Int, salt: Int) -> String { SynthText.scrambledID(Int(person), digits: digits, salt: salt) }

    /// Writes a crime and the people linked to it; returns the crime reference.
    @discardableResult
    func crime(code: String, date: CivilDate, minute: Int, area: Int32, flags: CrimeFlags, strand: HateStrand? = nil,
               victims: [Int32], suspects: [Int32], witness: Int32? = nil, _ rng: inout SeededRandom) -> String {
        let s = ExtractSchema.policeCrimes
        let n = counters[s.name, default: 0]
        counters[s.name] = n + 1
        let ref = SynthText.pad(20 + rng.below(60), 2) + "/" + SynthText.scrambledID(chunk * 10_000_000 + n, digits: 9, salt: 3) + "/" + SynthText.pad(date.year % 100, 2)
        let a = areas[Int(area)]
        var e = a.easting + rng.int(in: -180...180), nn = a.northing + rng.int(in: -180...180)
        if a.hotspot && rng.chance(0.5) { let v = a.venues[rng.below(a.venues.count)]; e = a.easting + v.0; nn = a.northing + v.1 }
        let dt = date.format(.dmySlash) + " " + SynthText.pad(minute / 60, 2) + ":" + SynthText.pad(minute % 60, 2)
        writers[s.name]!.append([ref, code, description(of: code), dt, a.code, String(e), String(nn), flags.code,
                                 strand?.rawValue ?? "", String(victims.count), String(suspects.count)])
        crimesByCode[code, default: 0] += 1
        let sv = SeriousViolence.isSerious(code: code, flags: flags)
        let np = ExtractSchema.policeCrimePeople
        func link(_ person: Int32, _ role: String) {
            let id = nextID(np, prefix: "NL")
            let r = observe(person, .police, date, &rng)
            let known = role == "VICTIM" ? rng.chance(0.05) : rng.chance(0.6)
            let pnc = known ? pnc(person, on: date) : ""
            write(np, id: id, person: person, [
                id, ref, role, r.surname, (r.forename + (r.middle.isEmpty ? "" : " " + r.middle)), r.dobText(.dmySlash),
                r.sex.rawValue, pnc, r.postcode, r.ethnicity.rawValue, date.format(.dmySlash), code, flags.code, a.code,
            ])
        }
        for v in victims {
            link(v, "VICTIM")
            if sv { seriousViolence.append((v, date.dayNumber, false)) }
        }
        for (i, o) in suspects.enumerated() {
            link(o, i == 0 && rng.chance(0.3) ? "OFFENDER" : "SUSPECT")
            if sv { seriousViolence.append((o, date.dayNumber, true)) }
        }
        if let w = witness { link(w, "WITNESS") }
        return ref
    }

    func incident(_ person: Int32, no: String, category: String, role: String, date: CivilDate, minute: Int, area: Int32, _ rng: inout SeededRandom) {
        let s = ExtractSchema.policeIncidents
        let id = nextID(s, prefix: "IP")
        let r = observe(person, .police, date, &rng)
        let when = date.iso + " " + SynthText.pad(minute / 60, 2) + ":" + SynthText.pad(minute % 60, 2) + ":00"
        write(s, id: id, person: person, [id, no, when, category, r.forename + " " + r.surname, r.dobText(.iso), r.sex.rawValue,
                                          r.postcode, role, areas[Int(area)].code])
    }

    func custody(_ person: Int32, date: CivilDate, code: String, crimeRef: String, _ rng: inout SeededRandom) {
        let s = ExtractSchema.policeCustody
        let id = nextID(s, prefix: "CU")
        let r = observe(person, .police, date, &rng)
        write(s, id: id, person: person, [id, date.format(.dmySlash), pnc(person, on: date), r.surname, r.forename, r.middle,
                                          r.dobText(.dmySlash), r.sex.rawValue, r.postcode, code, crimeRef])
    }

    func missing(_ person: Int32, date: CivilDate, found: CivilDate, fromCare: Bool, _ rng: inout SeededRandom) {
        let s = ExtractSchema.policeMissing
        let id = nextID(s, prefix: "MP")
        let r = observe(person, .police, date, &rng)
        let risk = ["LOW", "MEDIUM", "HIGH"][rng.weighted([0.5, 0.4, 0.1])]
        write(s, id: id, person: person, [id, date.format(.dmySlash), found.format(.dmySlash), r.surname,
                                          r.forename + (r.middle.isEmpty ? "" : " " + r.middle), r.dobText(.dmySlash),
                                          r.sex.rawValue, r.postcode, risk, fromCare ? "Y" : "N"])
    }

    func stopSearch(_ person: Int32, date: CivilDate, area: Int32, arrested: Bool, _ rng: inout SeededRandom) {
        let s = ExtractSchema.policeStopSearch
        let id = nextID(s, prefix: "SS")
        var r = observe(person, .police, date, &rng)
        if rng.chance(0.1) { r.surname = ""; r.forename = "" }  // details refused
        if rng.chance(0.3) { r.dob = nil; r.placeholderDOB = false }
        let minute = CrimePatterns.minute(violent: true, &rng)
        let object = ["DRUGS", "OFFENSIVE_WEAPON", "STOLEN_PROPERTY"][rng.weighted([0.6, 0.25, 0.15])]
        let outcome = arrested ? "ARREST" : (rng.chance(0.1) ? "COMMUNITY_RESOLUTION" : "NFA")
        write(s, id: id, person: person, [id, date.iso + " " + SynthText.pad(minute / 60, 2) + ":" + SynthText.pad(minute % 60, 2),
                                          r.surname, r.forename, r.dobText(.dmySlash), r.sex.rawValue, r.ethnicity.rawValue,
                                          object, outcome, areas[Int(area)].code])
    }

    static let dfeEthnicity: [Ethnicity: [String]] = [
        .white: ["WBRI"], .mixed: ["MWBC", "MWAS", "MWBA"], .asian: ["APKN", "AIND", "ABAN"], .black: ["BCRB", "BAFR"], .other: ["OOTH", "WOTH"],
    ]

    func dfeCode(_ person: Int32) -> String {
        let list = CityWriter.dfeEthnicity[people[Int(person)].ethnicity]!
        return list[Int(person) % list.count]
    }

    func census(_ child: Int32, term: String, termStart: CivilDate, year: Int, possible: Int, authorised: Int, unauthorised: Int,
                school: String, fsm: Bool, _ rng: inout SeededRandom) {
        let s = ExtractSchema.schoolCensus
        let id = nextID(s, prefix: "SC")
        let r = observe(child, .school, termStart, &rng)
        write(s, id: id, person: child, [id, NoiseModel.upn(child), r.title(r.surname), r.title(r.forename), r.title(r.middle),
                                         r.dobText(.iso), r.sex.rawValue, dfeCode(child), r.postcode, school, term, termStart.iso,
                                         String(year), String(possible), String(authorised), String(unauthorised), fsm ? "1" : "0"])
    }

    func exclusion(_ child: Int32, category: String, date: CivilDate, sessions: Int, reason: String, _ rng: inout SeededRandom) {
        let s = ExtractSchema.schoolExclusions
        let id = nextID(s, prefix: "EX")
        let r = observe(child, .school, date, &rng)
        write(s, id: id, person: child, [id, NoiseModel.upn(child), r.title(r.surname), r.title(r.forename), r.dobText(.iso),
                                         r.sex.rawValue, category, date.iso, category == "SUSP" ? String(sessions) : "", reason])
    }

    func ed(_ person: Int32, date: CivilDate, minute: Int, intent: String, mechanism: String, complaint: String, _ rng: inout SeededRandom) {
        let s = ExtractSchema.edAttendances
        let id = nextID(s, prefix: "ED")
        let r = observe(person, .health, date, &rng)
        write(s, id: id, person: person, [id, r.nhs.isEmpty ? "" : NHSNumber.spaced(r.nhs), r.title(r.surname) + ", " + r.title(r.forename),
                                          r.dobText(.compact), r.sex == .male ? "1" : "2", r.postcode,
                                          date.iso + " " + SynthText.pad(minute / 60, 2) + ":" + SynthText.pad(minute % 60, 2),
                                          intent, mechanism, complaint])
    }

    func cscContact(_ child: Int32, date: CivilDate, source: String, factor: String, referral: Bool, _ rng: inout SeededRandom) {
        let s = ExtractSchema.cscContacts
        let id = nextID(s, prefix: "CT")
        let r = observe(child, .socialCare, date, &rng)
        write(s, id: id, person: child, [id, "C" + localID(child, digits: 8, salt: 11), r.title(r.forename), r.title(r.surname),
                                         r.dobText(.dmySlash), r.sex == .male ? "Male" : "Female", dfeCode(child), r.postcode,
                                         date.format(.dmySlash), source, factor, referral ? "REFERRAL" : "NFA"])
    }

    func cscEpisode(_ child: Int32, type: String, start: CivilDate, end: CivilDate?, category: String, _ rng: inout SeededRandom) {
        let s = ExtractSchema.cscEpisodes
        let id = nextID(s, prefix: "EP")
        let r = observe(child, .socialCare, start, &rng)
        write(s, id: id, person: child, [id, "C" + localID(child, digits: 8, salt: 11), r.title(r.forename), r.title(r.surname),
                                         r.dobText(.dmySlash), r.sex == .male ? "Male" : "Female", type, start.format(.dmySlash),
                                         end?.format(.dmySlash) ?? "", category])
    }

    func yjs(_ child: Int32, date: CivilDate, disposal: String, code: String, _ rng: inout SeededRandom) {
        let s = ExtractSchema.yjsDisposals
        let id = nextID(s, prefix: "YD")
        let r = observe(child, .youthJustice, date, &rng)
        write(s, id: id, person: child, [id, "YOT" + localID(child, digits: 7, salt: 13), r.surname.uppercased() + ", " + r.title(r.forename),
                                         r.dobText(.dmonYDash), r.sex.rawValue, r.postcode, pnc(child, on: date),
                                         date.format(.dmonYDash), disposal, code])
    }

    func probation(_ person: Int32, date: CivilDate, sentence: String, code: String, _ rng: inout SeededRandom) {
        let s = ExtractSchema.probationCases
        let id = nextID(s, prefix: "PB")
        let r = observe(person, .probation, date, &rng)
        write(s, id: id, person: person, [id, "X" + localID(person, digits: 6, salt: 17), r.title(r.surname), r.title(r.forename),
                                          r.dobText(.dmySlash), r.sex.rawValue, pnc(person, on: date), r.postcode,
                                          date.format(.dmySlash), sentence, code])
    }

    func prison(_ person: Int32, reception: CivilDate, release: CivilDate, code: String, _ rng: inout SeededRandom) {
        let s = ExtractSchema.prisonReceptions
        let id = nextID(s, prefix: "PR")
        let r = observe(person, .prison, reception, &rng)
        let l = Array("ABCDEFGHJKLMNPRSTUVWXYZ")
        let n = Int(person)
        let number = "A" + SynthText.pad(n % 10000, 4) + String(l[(n / 10000) % l.count]) + String(l[(n / 230000) % l.count])
        write(s, id: id, person: person, [id, number, r.surname.uppercased(), (r.forename + (r.middle.isEmpty ? "" : " " + r.middle)).uppercased(),
                                          r.dobText(.iso), r.sex.rawValue, pnc(person, on: reception), reception.iso, release.iso, code])
    }

    func substance(_ person: Int32, date: CivilDate, substance: String, parental: String, _ rng: inout SeededRandom) {
        let s = ExtractSchema.substanceMisuse
        let id = nextID(s, prefix: "SM")
        let r = observe(person, .substanceMisuse, date, &rng)
        write(s, id: id, person: person, [id, "CL" + localID(person, digits: 7, salt: 19), String(r.forename.prefix(1)), String(r.surname.prefix(1)),
                                          r.dobText(.dmySlash), r.sex.rawValue, r.postcode, rng.chance(0.6) ? "" : r.nhs,
                                          date.format(.dmySlash), substance, parental])
    }

    func mentalHealth(_ person: Int32, date: CivilDate, team: String, _ rng: inout SeededRandom) {
        let s = ExtractSchema.mentalHealth
        let id = nextID(s, prefix: "MH")
        let r = observe(person, .mentalHealth, date, &rng)
        write(s, id: id, person: person, [id, r.nhs.isEmpty ? "" : NHSNumber.spaced(r.nhs), r.title(r.forename), r.title(r.surname),
                                          r.dobText(.iso), r.sex == .male ? "1" : "2", r.postcode, date.iso, team])
    }
}
