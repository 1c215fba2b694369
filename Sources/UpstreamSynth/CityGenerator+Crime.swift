import UpstreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Phase three: the rest of the city's recorded crime, and the truth and manifest files.
extension ChunkWorker {
    /// What is left of each offence code's target once the life courses' crimes are counted, and where it falls.
    struct CrimePlan: @unchecked Sendable {
        var targets: [(code: String, group: String, count: Double)]
        var codeTable: AliasTable
        var total: Double
        var areaWeights: [Double]
        var areaSum: Double

        init(worker w: ChunkWorker, produced: [String: Int], peopleCount: Int) {
            let config = w.config
            let scale = config.crime.volumeScale * Double(peopleCount) / Double(CrimeMix.population) * Double(config.years)
            targets = CrimeMix.rows.map { (code: CityGenerator.normalisedCode($0.code), group: $0.group, count: Double($0.count) * scale) }
            targets.append((code: "8K", group: "Violence against the person",
                            count: config.crime.fgmPer100k / 100_000 * Double(peopleCount) * Double(config.years)))
            let remaining = targets.map { max(0, $0.count - Double(produced[$0.code] ?? 0)) }
            total = remaining.reduce(0, +)
            codeTable = AliasTable(weights: total > 0 ? remaining : [1])
            // Area weights: residents, with hotspots drawing more crime.
            areaWeights = w.areas.indices.map {
                Double(max(1, w.residents[$0].count)) * (w.areas[$0].hotspot ? config.crime.hotspotMultiplier : 1)
            }
            areaSum = areaWeights.reduce(0, +)
        }
    }

    static let personalGroups: Set<String> = ["Violence against the person", "Sexual offences", "Robbery"]

    func cityCrime(plan: CrimePlan, areaRange: Range<Int>) {
        let targets = plan.targets, total = plan.total, codeTable = plan.codeTable
        let areaWeights = plan.areaWeights, areaSum = plan.areaSum
        guard total > 0 else { return }
        var recentVictims: [[Int32]] = Array(repeating: [], count: areas.count)
        for m in 0..<months {
            let monthStart = start.firstOfMonth(addingMonths: m)
            let season = 1 + config.crime.summerPeak * cos(2 * Double.pi * Double(monthStart.month - 7) / 12)
            let days = CivilDate.daysIn(month: monthStart.month, year: monthStart.year)
            for a in areaRange {
                var rng = SeededRandom(seed: config.seed, 4, UInt64(m), UInt64(a))
                let lambda = total / Double(months) * areaWeights[a] / areaSum * season
                let n = rng.poisson(lambda)
                for _ in 0..<n {
                    let t = targets[codeTable.draw(&rng)]
                    let area = Int32(a)
                    var date = monthStart.adding(days: rng.below(days))
                    let violent = t.group == "Violence against the person" || t.group == "Public order offences"
                    if violent && date.weekday < 4 && rng.chance(0.3) { date = date.adding(days: 4 - date.weekday) } // towards the weekend
                    if date > end { date = end }
                    let minute = CrimePatterns.minute(violent: violent, &rng)
                    var flags: CrimeFlags = []
                    var strand: HateStrand?
                    var victims: [Int32] = [], suspects: [Int32] = []
                    let personal = ChunkWorker.personalGroups.contains(t.group) || t.code == "39"
                    if ["8P", "8M", "105B", "9A", "9B", "58E", "58F"].contains(t.code) { flags.insert(.hate); strand = .race }
                    else if t.group == "Public order offences" && rng.chance(config.crime.hateShareOfPublicOrder) {
                        flags.insert(.hate); strand = HateStrand.allCases[rng.weighted([0.7, 0.1, 0.12, 0.05, 0.03])]
                    }
                    if ["5D", "2", "1", "34B", "8N"].contains(t.code) && rng.chance(t.code == "8N" ? 0.05 : config.crime.knifeShareOfSeriousViolence) {
                        flags.insert(rng.chance(0.93) ? .knife : .firearm)
                    }
                    if violent && areas[a].hotspot && (minute >= 21 * 60 || minute < 4 * 60) { flags.insert(.nightTimeEconomy) }
                    if t.code == "106" { flags.insert(rng.chance(0.3) ? .childSexualExploitation : []) }
                    if personal {
                        let ages: ClosedRange<Int> = ["20B", "21", "17B", "19E", "19H", "8K", "11A", "13"].contains(t.code) ? 0...12
                            : (["22B", "19D", "19G", "71", "88A"].contains(t.code) ? 13...17 : 16...75)
                        if t.group == "Sexual offences" && ages.upperBound <= 17 && rng.chance(config.crime.cseShareOfChildSexualOffences) {
                            flags.insert(.childSexualExploitation)
                        }
                        // Repeat victims: one in five personal crimes is against someone victimised recently in the area.
                        if rng.chance(0.2), let v = recentVictims[a].last(where: { ages.contains(out.people[Int($0)].dob.age(on: date)) }) {
                            victims = [v]
                        } else if let v = randomResident(area: area, on: date, ages: ages, &rng) {
                            victims = [v]
                        }
                        if let v = victims.first {
                            recentVictims[a].append(v)
                            if recentVictims[a].count > 16 { recentVictims[a].removeFirst() }
                        }
                    } else if ["28E", "28F", "28G", "45", "48", "37.2", "126", "58A", "58C"].contains(t.code) {
                        if let v = randomResident(area: area, on: date, ages: 18...90, &rng) { victims = [v] }
                    }
                    if rng.chance(config.crime.suspectIdentifiedShare) {
                        // Young people's serious violence comes from their own hazard (phase two), not from here.
                        let sv = SeriousViolence.isSerious(code: t.code, flags: flags)
                        let o = randomResident(area: area, on: date, ages: sv ? 25...80 : 12...80, &rng, weight: {
                            CityGenerator.offendingAge($0.dob.age(on: date)) * ($0.sex == .male ? 0.8 : 0.2) * $0.propensity
                        })
                        if let o, !victims.contains(o) { suspects = [o] }
                    }
                    // Domestic abuse among adults: the suspect is the victim's partner or another adult of their household.
                    if violent && t.code != "8K", let v = victims.first, out.people[Int(v)].dob.age(on: date) >= 16,
                       rng.chance(config.crime.domesticAbuseShareOfViolence * 0.6) {
                        let hh = households[Int(out.people[Int(v)].household)]
                        if let partner = hh.adults.first(where: { $0 != v }) {
                            flags.insert(.domesticAbuse)
                            suspects = [partner]
                        }
                    }
                    let witness = !victims.isEmpty && rng.chance(0.05) ? randomResident(area: area, on: date, ages: 16...80, &rng) : nil
                    let ref = out.crime(code: t.code, date: date, minute: minute, area: area, flags: flags, strand: strand,
                                        victims: victims, suspects: suspects, witness: witness, &rng)
                    if let o = suspects.first, rng.chance(0.4) {
                        let arrest = date.adding(days: rng.below(15))
                        if arrest <= end {
                            out.custody(o, date: arrest, code: t.code, crimeRef: ref, &rng)
                            let serious = SeriousViolence.isSerious(code: t.code, flags: flags) || t.group == "Sexual offences"
                            let age = out.people[Int(o)].dob.age(on: date)
                            let sentence = arrest.adding(days: rng.int(in: 30...200))
                            if sentence <= end {
                                if age < 18 { if rng.chance(0.5) { out.yjs(o, date: sentence, disposal: ["YC", "YCC", "RO"][rng.below(3)], code: t.code, &rng) } }
                                else if serious && rng.chance(0.5) { out.prison(o, reception: sentence, release: sentence.adding(days: rng.int(in: 120...2500)), code: t.code, &rng) }
                                else if rng.chance(0.2) { out.probation(o, date: sentence, sentence: "COMMUNITY_ORDER", code: t.code, &rng) }
                            }
                        }
                    }
                    if let v = victims.first, ["8N", "5D", "2", "34B", "8P"].contains(t.code), rng.chance(0.15) {
                        out.ed(v, date: date, minute: min(1439, minute + 30), intent: "ASSAULT",
                               mechanism: flags.contains(.knife) ? "SHARP_OBJECT" : "BODY_PART", complaint: "ASSAULT", &rng)
                    }
                }
            }
        }
    }

}

extension CityGenerator {
    // MARK: Truth and manifest

    /// The truth that does not depend on events: people, relationships, ACEs.
    func writeStaticTruth(_ dir: String, people: [Person], households: [Household], areas: [Area], book: IdentifierBook) throws {
        let w = try CSVFileWriter(path: dir + "/truth/people.csv",
                                  header: ["person_id", "forename", "middle_names", "surname", "later_surname", "surname_change_date",
                                           "date_of_birth", "sex", "ethnicity", "household_id", "area", "deprivation_decile",
                                           "nhs_number", "upn", "twin_of"], delimiter: ",")
        for p in people {
            let hh = households[Int(p.household)]
            w.append([p.id, p.forename, p.middle, p.surname, p.laterSurname,
                      p.laterSurname.isEmpty ? "" : p.surnameChangeDate.iso, p.dob.iso, p.sex.rawValue, p.ethnicity.rawValue,
                      "H" + SynthText.pad(Int(p.household), 7), areas[Int(hh.area)].code, String(areas[Int(hh.area)].decile),
                      book.nhsNumber(p.index), p.isChild ? book.upn(p.index) : "",
                      p.twinOf >= 0 ? people[Int(p.twinOf)].id : ""])
        }
        try w.close()
        // The public lookups the risk model may use, as the ONS postcode directory and the English Indices of
        // Deprivation publish them: every postcode's output area, LSOA (`area`) and local authority district, and the
        // LSOA's deprivation decile; and each LSOA's district. Not truth.
        let lookup = try CSVFileWriter(path: dir + "/reference/postcodes.csv",
                                       header: ["postcode", "area", "imd_decile", "oa", "lsoa", "district"], delimiter: ",")
        for a in areas {
            for u in a.units { lookup.append([u, a.code, String(a.decile), a.oa, a.code, a.districtCode]) }
        }
        try lookup.close()
        let lsoaFile = try CSVFileWriter(path: dir + "/reference/lsoas.csv",
                                         header: ["lsoa", "lsoa_name", "district", "district_name", "imd_decile"], delimiter: ",")
        var lastLSOA = ""
        for a in areas where a.code != lastLSOA {
            lastLSOA = a.code
            lsoaFile.append([a.code, a.town + " " + SynthText.pad(a.lsoaIndex % 1000, 3) + String(PopulationBuilder.letters[a.lsoaIndex / 1000 % 20]),
                             a.districtCode, a.town, String(a.decile)])
        }
        try lsoaFile.close()
        // Every home each household had, with the date it moved in (the first is from before the burn-in).
        let noise = NoiseModel(noise: config.noise, book: book, areas: areas)
        let rw = try CSVFileWriter(path: dir + "/truth/residences.csv",
                                   header: ["household_id", "from", "address_line1", "address_line2", "address_line3",
                                            "address_line4", "postcode", "lsoa"], delimiter: ",")
        for hh in households {
            for r in hh.residences {
                rw.append(["H" + SynthText.pad(Int(hh.index), 7), r.from.iso] + noise.lines(r.address)
                          + [noise.postcode(r.address), areas[Int(r.address.area)].code])
            }
        }
        try rw.close()
        let r = try CSVFileWriter(path: dir + "/truth/relationships.csv",
                                  header: ["person_id", "related_person_id", "relationship", "from", "to"], delimiter: ",")
        for hh in households {
            for c in hh.children {
                let p = people[Int(c)]
                if p.mother >= 0 { r.append([p.id, people[Int(p.mother)].id, "mother", p.dob.iso, ""]) }
                if p.father >= 0 {
                    let left = people[Int(p.father)].leftHouseholdDate
                    r.append([p.id, people[Int(p.father)].id, "father", p.dob.iso, left.dayNumber == .max ? "" : left.iso])
                }
                if hh.stepParent >= 0 { r.append([p.id, people[Int(hh.stepParent)].id, "step_father", hh.stepParentFrom.iso, ""]) }
                for s in hh.children where s != c { r.append([p.id, people[Int(s)].id, p.twinOf == s ? "twin" : "sibling", max(p.dob, people[Int(s)].dob).iso, ""]) }
            }
            if hh.adults.count == 2 {
                let a = people[Int(hh.adults[0])], b = people[Int(hh.adults[1])]
                let left = a.leftHouseholdDate
                r.append([a.id, b.id, "partner", "", left.dayNumber == .max ? "" : left.iso])
                r.append([b.id, a.id, "partner", "", left.dayNumber == .max ? "" : left.iso])
            }
        }
        try r.close()
        let aw = try CSVFileWriter(path: dir + "/truth/aces.csv", header: ["person_id", "ace", "onset_date"], delimiter: ",")
        for p in people where p.isChild {
            for (i, d) in p.aceOnset.enumerated() where d != .max { aw.append([p.id, ACE.allCases[i].rawValue, CivilDate(dayNumber: d).iso]) }
        }
        try aw.close()
    }

    /// Each person's first serious violence as offender and as victim.
    func writeOutcomes(_ dir: String, people: [Person], firstOffender: [Int32], firstVictim: [Int32]) throws {
        let ow = try CSVFileWriter(path: dir + "/truth/outcomes.csv",
                                   header: ["person_id", "date_of_birth", "sex", "ace_count", "first_serious_violence_offender",
                                            "first_serious_violence_victim"], delimiter: ",")
        for p in people {
            let o = firstOffender[Int(p.index)], v = firstVictim[Int(p.index)]
            ow.append([p.id, p.dob.iso, p.sex.rawValue, p.isChild ? String(p.lifetimeACEs.count) : "",
                       o == .max ? "" : CivilDate(dayNumber: o).iso, v == .max ? "" : CivilDate(dayNumber: v).iso])
        }
        try ow.close()
    }

    /// A treated re-run's truth: each programme's true effect (`truth/programme_effects.csv`) and who was treated
    /// with what from when (`truth/treatment.csv`).
    func writeTreatment(_ dir: String, treatment: Treatment, people: [Person], firstOffender: [Int32]) throws {
        let effects = treatment.trueEffects(seed: config.seed)
        var treatedCount: [String: Int] = [:]
        for (_, programme) in treatment.assignments { treatedCount[programme, default: 0] += 1 }
        let w = try CSVFileWriter(path: dir + "/truth/programme_effects.csv",
                                  header: ["programme", "effect_low", "effect_high", "true_effect", "treated", "from"], delimiter: ",")
        for p in treatment.programmes.sorted(by: { $0.id < $1.id }) {
            w.append([p.id, String(p.low), String(p.high), String(effects[p.id] ?? 0), String(treatedCount[p.id] ?? 0), treatment.from.iso])
        }
        try w.close()
        let t = try CSVFileWriter(path: dir + "/truth/treatment.csv", header: ["person_id", "programme", "from"], delimiter: ",")
        for (person, programme) in treatment.assignments.sorted(by: { $0.key < $1.key }) { t.append([person, programme, treatment.from.iso]) }
        try t.close()
    }

    func writeManifest(_ dir: String, summary: CitySummary) throws {
        func js(_ s: String) -> String { JSONText.quoted(s) }
        // The seed is the key to every identifier and to the truth: it is written only into truth/generator.yaml.
        var m = "{\n  \"generator\": \"upstream synth\",\n  \"people\": \(summary.people),\n"
        m += "  \"households\": \(summary.households),\n  \"areas\": \(summary.areas),\n"
        m += "  \"window\": {\"start\": \(js(start.iso)), \"end\": \(js(end.iso))},\n"
        m += "  \"truth\": [\"truth/records.csv\", \"truth/identifier_errors.csv\", \"truth/people.csv\", \"truth/residences.csv\", "
            + "\"truth/relationships.csv\", \"truth/aces.csv\", \"truth/outcomes.csv\", \"truth/generator.yaml\""
            + (treatment == nil ? "" : ", \"truth/programme_effects.csv\", \"truth/treatment.csv\"") + "],\n"
        m += "  \"extracts\": [\n"
        m += ExtractSchema.all.map { s in
            let cols = s.columns.map { "        {\"name\": \(js($0.name)), \"meaning\": \(js($0.meaning))}" }.joined(separator: ",\n")
            return "    {\"file\": \(js(s.name + ".csv")), \"source\": \(js(s.name)), \"agency\": \(js(s.agency.rawValue)), "
                + "\"idColumn\": \(js(s.idColumn)), \"personLevel\": \(s.personLevel), \"delimiter\": \(js(s.delimiter)), "
                + "\"rows\": \(summary.rows[s.name] ?? 0), \"description\": \(js(s.description)),\n      \"columns\": [\n\(cols)\n      ]}"
        }.joined(separator: ",\n")
        let withoutSeed = config.yaml().split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("seed:") }.joined(separator: "\n")
        m += "\n  ],\n"
        if let month = summary.monthDelivery {
            let rows = month.rows.keys.sorted().map { "\(js($0)): \(month.rows[$0]!)" }.joined(separator: ", ")
            m += "  \"monthDelivery\": {\"folder\": \(js(month.folder)), \"recordedFrom\": \(js(month.from)), \"rows\": {\(rows)}},\n"
        }
        m += "  \"config\": \(js(withoutSeed))\n}\n"
        try writeText(dir + "/manifest.json", m)
        try writeText(dir + "/truth/generator.yaml", "# The configuration and seed that generated this city (the seed is secret: it regenerates the truth).\n" + config.yaml())
        var readme = "# A synthetic city generated by Upstream\n\nEverything here is synthetic: no real person's data.\n\n"
        readme += "- \(summary.people) people in \(summary.households) households and \(summary.areas) small areas, "
        readme += "\(start.iso) to \(end.iso) (lives simulated from \(config.burnInYears) years earlier; nothing before the window is written).\n"
        readme += "- One CSV per agency extract (see manifest.json for every column); `truth/` holds the ground truth and must never be loaded into a store.\n"
        readme += "- `reference/postcodes.csv`: each postcode's output area, LSOA (`area`), district and the LSOA's deprivation decile (1 = most deprived); `reference/lsoas.csv`: each LSOA's district: public lookups like the ONS postcode directory and the English Indices of Deprivation.\n\n"
        readme += "| extract | agency | rows |\n|---|---|---|\n"
        for s in ExtractSchema.all { readme += "| \(s.name).csv | \(s.agency.title) | \(summary.rows[s.name] ?? 0) |\n" }
        try writeText(dir + "/README.md", readme)
    }
}

func writeText(_ path: String, _ text: String) throws {
    guard let f = fopen(path, "wb") else { throw SynthError("cannot create \(path)") }
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
    fclose(f)
}

func makeDirectory(_ path: String) throws {
    // Create parents as needed.
    var current = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        current += "/" + part
        var st = stat()
        if stat(current, &st) != 0 && mkdir(current, 0o755) != 0 {
            throw SynthError("cannot create folder \(current): \(String(cString: strerror(errno)))")
        }
    }
}

func removeTree(_ path: String) throws {
    guard let d = opendir(path) else { _ = unlink(path); return }
    while let e = readdir(d) {
        let name = withUnsafePointer(to: e.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        if name == "." || name == ".." { continue }
        let full = path + "/" + name
        var st = stat()
        if lstat(full, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { try removeTree(full) } else { unlink(full) }
    }
    closedir(d)
    rmdir(path)
}
