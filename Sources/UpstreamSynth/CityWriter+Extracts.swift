import UpstreamModel

/// One function per extract: each turns a person and an event into that agency's row, in its own conventions.
extension CityWriter {
    static let hateStrandNames = HateStrand.allCases.map(\.rawValue)

    func description(of code: String) -> String { CityGenerator.descriptions[code] ?? "Other offence" }

    static let nameFields: Set<String> = ["forename", "surname", "date_of_birth", "sex"]
    static func fields(_ extra: String...) -> Set<String> { nameFields.union(extra) }
    static let policeFields = fields("postcode", "address", "ethnicity", "pnc_id")

    /// Writes a crime and the people linked to it; returns the crime reference ("" when the crime falls before the
    /// window or was not yet recorded when the extract was taken: its serious violence still counts in the truth).
    @discardableResult
    func crime(code: String, date: CivilDate, minute: Int, area: Int32, flags: CrimeFlags, strand: HateStrand? = nil,
               victims: [Int32], suspects: [Int32], witness: Int32? = nil, _ rng: inout SeededRandom) -> String {
        let sv = SeriousViolence.isSerious(code: code, flags: flags)
        if sv {
            for v in victims { seriousViolence.append((v, date.dayNumber, false)) }
            for o in suspects { seriousViolence.append((o, date.dayNumber, true)) }
        }
        let recorded = RecordingLag.crime(code: code, date, &rng)
        guard written(date, recorded: recorded) else { return "" }
        let s = ExtractSchema.policeCrimes
        let ref = SynthText.pad(20 + rng.below(60), 2) + "/" + book.crimeSerial(nextCrimeKey()) + "/" + SynthText.pad(recorded.year % 100, 2)
        let a = areas[Int(area)]
        var e = a.easting + rng.int(in: -180...180), nn = a.northing + rng.int(in: -180...180)
        if a.hotspot && rng.chance(0.5) { let v = a.venues[rng.below(a.venues.count)]; e = a.easting + v.0; nn = a.northing + v.1 }
        let dt = date.format(.dmySlash) + " " + SynthText.pad(minute / 60, 2) + ":" + SynthText.pad(minute % 60, 2)
        extract(s).append([ref, code, description(of: code), dt, recorded.format(.dmySlash), a.code, String(e), String(nn),
                                 flags.code, strand?.rawValue ?? "", String(victims.count), String(suspects.count)])
        countCrime(code)
        let np = ExtractSchema.policeCrimePeople
        func link(_ person: Int32, _ role: String) {
            let id = nextID(np, prefix: "NL")
            var r = observe(person, .police, date, &rng)
            let known = role == "VICTIM" ? rng.chance(0.05) : rng.chance(0.6)
            let pnc = known ? pnc(person, on: date, &rng, &r.errors) : ""
            let linked = role == "VICTIM" || !rng.chance(0.3) ? recorded : recorded.adding(days: rng.int(in: 1...30))
            let adr = r.addressLines(upper: true)
            write(np, id: id, person: person, [
                id, ref, role, r.surname, (r.forename + (r.middle.isEmpty ? "" : " " + r.middle)), r.dobText(.dmySlash),
                r.sex.rawValue, pnc, adr[0], adr[1], adr[2], adr[3], r.postcode, r.officerEthnicity, date.format(.dmySlash),
                min(linked, windowEnd).format(.dmySlash), code, flags.code, a.code,
            ], errors: r.errors, carries: CityWriter.policeFields)
        }
        for v in victims { link(v, "VICTIM") }
        for (i, o) in suspects.enumerated() { link(o, i == 0 && rng.chance(0.3) ? "OFFENDER" : "SUSPECT") }
        if let w = witness { link(w, "WITNESS") }
        return ref
    }

    func incident(_ person: Int32, no: String, category: String, role: String, date: CivilDate, minute: Int, area: Int32, _ rng: inout SeededRandom) {
        guard written(date, recorded: date) else { return }
        let s = ExtractSchema.policeIncidents
        let id = nextID(s, prefix: "IP")
        let r = observe(person, .police, date, &rng)
        let when = date.iso + " " + SynthText.pad(minute / 60, 2) + ":" + SynthText.pad(minute % 60, 2) + ":00"
        let adr = r.addressLines(upper: true)
        write(s, id: id, person: person, [id, no, when, category, r.forename + " " + r.surname, r.dobText(.iso), r.sex.rawValue,
                                          adr[0], adr[1], adr[2], adr[3], r.postcode, role, areas[Int(area)].code],
              errors: r.errors, carries: CityWriter.fields("postcode", "address"))
    }

    func custody(_ person: Int32, date: CivilDate, code: String, crimeRef: String, _ rng: inout SeededRandom) {
        guard written(date, recorded: date) else { return }
        let s = ExtractSchema.policeCustody
        let id = nextID(s, prefix: "CU")
        var r = observe(person, .police, date, &rng)
        let pnc = pnc(person, on: date, &rng, &r.errors)
        let adr = r.addressLines(upper: true)
        write(s, id: id, person: person, [id, date.format(.dmySlash), pnc, r.surname, r.forename, r.middle,
                                          r.dobText(.dmySlash), r.sex.rawValue, adr[0], adr[1], adr[2], adr[3], r.postcode,
                                          r.selfDefinedEthnicity, code, crimeRef],
              errors: r.errors, carries: CityWriter.policeFields)
    }

    func missing(_ person: Int32, date: CivilDate, found: CivilDate, fromCare: Bool, _ rng: inout SeededRandom) {
        guard written(date, recorded: date) else { return }
        let s = ExtractSchema.policeMissing
        let id = nextID(s, prefix: "MP")
        let r = observe(person, .police, date, &rng)
        let risk = ["LOW", "MEDIUM", "HIGH"][rng.weighted([0.5, 0.4, 0.1])]
        let adr = r.addressLines(upper: true)
        write(s, id: id, person: person, [id, date.format(.dmySlash), found <= windowEnd ? found.format(.dmySlash) : "", r.surname,
                                          r.forename + (r.middle.isEmpty ? "" : " " + r.middle), r.dobText(.dmySlash),
                                          r.sex.rawValue, adr[0], adr[1], adr[2], adr[3], r.postcode, risk, fromCare ? "Y" : "N"],
              errors: r.errors, carries: CityWriter.fields("postcode", "address"))
    }

    func stopSearch(_ person: Int32, date: CivilDate, area: Int32, arrested: Bool, _ rng: inout SeededRandom) {
        let recorded = RecordingLag.days(date, 0...1, &rng)
        guard written(date, recorded: recorded) else { return }
        let s = ExtractSchema.policeStopSearch
        let id = nextID(s, prefix: "SS")
        var r = observe(person, .police, date, &rng)
        if rng.chance(0.1) { r.surname = ""; r.forename = "" }  // details refused
        if rng.chance(0.3) { r.dob = nil; r.placeholderDOB = false }
        let minute = CrimePatterns.minute(violent: true, &rng)
        let object = ["DRUGS", "OFFENSIVE_WEAPON", "STOLEN_PROPERTY"][rng.weighted([0.6, 0.25, 0.15])]
        let outcome = arrested ? "ARREST" : (rng.chance(0.1) ? "COMMUNITY_RESOLUTION" : "NFA")
        write(s, id: id, person: person, [id, date.iso + " " + SynthText.pad(minute / 60, 2) + ":" + SynthText.pad(minute % 60, 2),
                                          recorded.iso, r.surname, r.forename, r.dobText(.dmySlash), r.sex.rawValue,
                                          r.selfDefinedEthnicity, r.officerEthnicity, object, outcome, areas[Int(area)].code],
              errors: r.errors, carries: CityWriter.fields("ethnicity"))
    }

    func census(_ child: Int32, term: String, academicYear: Int, termStart: CivilDate, year: Int, possible: Int, authorised: Int,
                unauthorised: Int, school: String, fsm: Bool, _ rng: inout SeededRandom) {
        let recorded = RecordingLag.censusReturn(term: term, academicYear: academicYear)
        guard written(termStart, recorded: recorded) else { return }
        let s = ExtractSchema.schoolCensus
        let id = nextID(s, prefix: "SC")
        var r = observe(child, .school, termStart, &rng)
        let upn = upn(child, &rng, &r.errors)
        write(s, id: id, person: child, [id, upn, r.title(r.surname), r.title(r.forename), r.title(r.middle),
                                         r.dobText(.iso), r.sex.rawValue, r.dfeEthnicity, r.address.lines[0], r.address.lines[1],
                                         r.address.lines[2], r.address.lines[3], r.postcode, school,
                                         "\(academicYear)/\(SynthText.pad((academicYear + 1) % 100, 2)) \(term)", termStart.iso,
                                         recorded.iso, String(year), String(possible), String(authorised), String(unauthorised),
                                         fsm ? "1" : "0"],
              errors: r.errors, carries: CityWriter.fields("upn", "ethnicity", "postcode", "address"))
    }

    func exclusion(_ child: Int32, category: String, date: CivilDate, sessions: Int, reason: String, _ rng: inout SeededRandom) {
        let recorded = RecordingLag.days(date, 1...10, &rng)
        guard written(date, recorded: recorded) else { return }
        let s = ExtractSchema.schoolExclusions
        let id = nextID(s, prefix: "EX")
        var r = observe(child, .school, date, &rng)
        let upn = upn(child, &rng, &r.errors)
        write(s, id: id, person: child, [id, upn, r.title(r.surname), r.title(r.forename), r.dobText(.iso),
                                         r.sex.rawValue, category, date.iso, recorded.iso, category == "SUSP" ? String(sessions) : "", reason],
              errors: r.errors, carries: CityWriter.fields("upn"))
    }

    func ed(_ person: Int32, date: CivilDate, minute: Int, intent: String, mechanism: String, complaint: String, _ rng: inout SeededRandom) {
        guard written(date, recorded: date) else { return }
        let s = ExtractSchema.edAttendances
        let id = nextID(s, prefix: "ED")
        let r = observe(person, .health, date, &rng)
        let time = date.iso + " " + SynthText.pad(minute / 60, 2) + ":" + SynthText.pad(minute % 60, 2)
        write(s, id: id, person: person, [id, r.nhs.isEmpty ? "" : NHSNumber.spaced(r.nhs), r.title(r.surname) + ", " + r.title(r.forename),
                                          r.dobText(.compact), r.sex == .male ? "1" : "2", r.address.lines[0], r.address.lines[1],
                                          r.address.lines[2], r.address.lines[3], r.postcode, time, date.iso,
                                          intent, mechanism, complaint],
              errors: r.errors, carries: CityWriter.fields("nhs_number", "postcode", "address"))
    }

    func cscContact(_ child: Int32, date: CivilDate, source: String, factor: String, referral: Bool, _ rng: inout SeededRandom) {
        let recorded = RecordingLag.days(date, 0...3, &rng)
        guard written(date, recorded: recorded) else { return }
        let s = ExtractSchema.cscContacts
        let id = nextID(s, prefix: "CT")
        let r = observe(child, .socialCare, date, &rng)
        write(s, id: id, person: child, [id, book.childID(child), r.title(r.forename), r.title(r.surname),
                                         r.dobText(.dmySlash), r.sex == .male ? "Male" : "Female", r.dfeEthnicity,
                                         r.address.lines[0], r.address.lines[1], r.address.lines[2], r.address.lines[3], r.postcode,
                                         date.format(.dmySlash), recorded.format(.dmySlash), source, factor, referral ? "REFERRAL" : "NFA"],
              errors: r.errors, carries: CityWriter.fields("ethnicity", "postcode", "address"))
    }

    func cscEpisode(_ child: Int32, type: String, start: CivilDate, end: CivilDate?, category: String, _ rng: inout SeededRandom) {
        let recorded = RecordingLag.days(start, 0...14, &rng)
        guard written(start, recorded: recorded) else { return }
        let s = ExtractSchema.cscEpisodes
        let id = nextID(s, prefix: "EP")
        let r = observe(child, .socialCare, start, &rng)
        let close = end.flatMap { $0 <= windowEnd ? $0 : nil }
        write(s, id: id, person: child, [id, book.childID(child), r.title(r.forename), r.title(r.surname),
                                         r.dobText(.dmySlash), r.sex == .male ? "Male" : "Female", type, start.format(.dmySlash),
                                         close?.format(.dmySlash) ?? "", recorded.format(.dmySlash), category],
              errors: r.errors, carries: CityWriter.nameFields)
    }

    func yjs(_ child: Int32, date: CivilDate, disposal: String, code: String, _ rng: inout SeededRandom) {
        let recorded = RecordingLag.days(date, 1...30, &rng)
        guard written(date, recorded: recorded) else { return }
        let s = ExtractSchema.yjsDisposals
        let id = nextID(s, prefix: "YD")
        var r = observe(child, .youthJustice, date, &rng)
        let pnc = pnc(child, on: date, &rng, &r.errors)
        let adr = r.addressLines(upper: true)
        write(s, id: id, person: child, [id, book.yotCase(child), r.surname.uppercased() + ", " + r.title(r.forename),
                                         r.dobText(.dmonYDash), r.sex.rawValue, adr[0], adr[1], adr[2], adr[3], r.postcode, pnc,
                                         date.format(.dmonYDash), recorded.format(.dmonYDash), disposal, code],
              errors: r.errors, carries: CityWriter.fields("pnc_id", "postcode", "address"))
    }

    func probation(_ person: Int32, date: CivilDate, sentence: String, code: String, _ rng: inout SeededRandom) {
        let recorded = RecordingLag.days(date, 1...14, &rng)
        guard written(date, recorded: recorded) else { return }
        let s = ExtractSchema.probationCases
        let id = nextID(s, prefix: "PB")
        var r = observe(person, .probation, date, &rng)
        let pnc = pnc(person, on: date, &rng, &r.errors)
        write(s, id: id, person: person, [id, book.crn(person), r.title(r.surname), r.title(r.forename),
                                          r.dobText(.dmySlash), r.sex.rawValue, pnc, r.address.lines[0], r.address.lines[1],
                                          r.address.lines[2], r.address.lines[3], r.postcode,
                                          date.format(.dmySlash), recorded.format(.dmySlash), sentence, code],
              errors: r.errors, carries: CityWriter.fields("pnc_id", "postcode", "address"))
    }

    func prison(_ person: Int32, reception: CivilDate, release: CivilDate, code: String, _ rng: inout SeededRandom) {
        let recorded = RecordingLag.days(reception, 0...2, &rng)
        guard written(reception, recorded: recorded) else { return }
        let s = ExtractSchema.prisonReceptions
        let id = nextID(s, prefix: "PR")
        var r = observe(person, .prison, reception, &rng)
        let pnc = pnc(person, on: reception, &rng, &r.errors)
        write(s, id: id, person: person, [id, book.prisonNumber(person), r.surname.uppercased(),
                                          (r.forename + (r.middle.isEmpty ? "" : " " + r.middle)).uppercased(),
                                          r.dobText(.iso), r.sex.rawValue, pnc, reception.iso, recorded.iso, release.iso, code],
              errors: r.errors, carries: CityWriter.fields("pnc_id"))
    }

    func substance(_ person: Int32, date: CivilDate, substance: String, parental: String, _ rng: inout SeededRandom) {
        let recorded = RecordingLag.days(date, 0...7, &rng)
        guard written(date, recorded: recorded) else { return }
        let s = ExtractSchema.substanceMisuse
        let id = nextID(s, prefix: "SM")
        let r = observe(person, .substanceMisuse, date, &rng)
        let nhs = rng.chance(0.6) ? "" : r.nhs
        write(s, id: id, person: person, [id, book.clientRef(person), String(r.forename.prefix(1)), String(r.surname.prefix(1)),
                                          r.dobText(.dmySlash), r.sex.rawValue, r.address.lines[0], r.address.lines[1],
                                          r.address.lines[2], r.address.lines[3], r.postcode, nhs,
                                          date.format(.dmySlash), recorded.format(.dmySlash), substance, parental],
              errors: r.errors, carries: nhs.isEmpty ? ["date_of_birth", "sex", "postcode", "address"]
                                                     : ["date_of_birth", "sex", "postcode", "address", "nhs_number"])
    }

    func mentalHealth(_ person: Int32, date: CivilDate, team: String, _ rng: inout SeededRandom) {
        let recorded = RecordingLag.days(date, 0...5, &rng)
        guard written(date, recorded: recorded) else { return }
        let s = ExtractSchema.mentalHealth
        let id = nextID(s, prefix: "MH")
        let r = observe(person, .mentalHealth, date, &rng)
        write(s, id: id, person: person, [id, r.nhs.isEmpty ? "" : NHSNumber.spaced(r.nhs), r.title(r.forename), r.title(r.surname),
                                          r.dobText(.iso), r.sex == .male ? "1" : "2", r.address.lines[0], r.address.lines[1],
                                          r.address.lines[2], r.address.lines[3], r.postcode, date.iso, recorded.iso, team],
              errors: r.errors, carries: CityWriter.fields("nhs_number", "postcode", "address"))
    }
}
