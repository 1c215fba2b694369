import Foundation
import Testing
import UpstreamModel
@testable import UpstreamSynth

/// Findings 3-8 (issue 10): wrong identifiers, addresses and moves, recorded dates, burn-in, LSOA codes, code systems.
@Suite("Realism of the extracts")
struct RealismTests {
    static func schema(_ name: String) -> ExtractSchema { ExtractSchema.all.first { $0.name == name }! }

    static func owners(_ dir: String) -> [String: String] {
        var owner: [String: String] = [:]
        for t in CityFixture.read(dir + "/truth/records.csv").rows { owner[t[0] + "/" + t[1]] = t[2] }
        return owner
    }

    @Test("NHS numbers are sometimes mistyped (check digit fails) or a relative's, and the truth lists each error")
    func wrongNHSNumbers() {
        let dir = CityFixture.large.dir
        let owner = Self.owners(dir)
        let people = Dictionary(uniqueKeysWithValues: CityFixture.table(dir + "/truth/people.csv").map { ($0["person_id"]!, $0["nhs_number"]!) })
        var listed: [String: String] = [:]
        for e in CityFixture.table(dir + "/truth/identifier_errors.csv") where e["field"] == "nhs_number" && e["source"] == "ed_attendances" {
            listed[e["record_id"]!] = e["error"]!
        }
        var present = 0, failing = 0, otherValid = 0
        for r in CityFixture.table(dir + "/ed_attendances.csv") where !r["NHSNumber"]!.isEmpty {
            present += 1
            let nhs = r["NHSNumber"]!.replacingOccurrences(of: " ", with: "")
            let own = people[owner["ed_attendances/" + r["AttendanceID"]!]!]!
            if !NHSNumber.isValid(nhs) {
                failing += 1
                #expect(listed[r["AttendanceID"]!] == "check_digit_fails")
            } else if nhs != own {
                otherValid += 1
                #expect(listed[r["AttendanceID"]!] == "relative")
            }
        }
        let cfg = SynthConfig.defaults.noise
        let m = cfg.agencyMultiplier["health"]!
        let rate = Double(failing) / Double(present)
        #expect(abs(rate - cfg.nhsMistyped * m) < 0.003, "mistyped NHS numbers: \(rate)")
        #expect(otherValid > 0, "no relative's NHS number on any record")
    }

    @Test("sex and ethnicity are sometimes recorded inconsistently, at about the configured rates")
    func inconsistentSexAndEthnicity() {
        let dir = CityFixture.large.dir
        let owner = Self.owners(dir)
        let people = Dictionary(uniqueKeysWithValues: CityFixture.table(dir + "/truth/people.csv").map { ($0["person_id"]!, $0) })
        var n = 0, wrongSex = 0
        var codesByPerson: [String: Set<String>] = [:]
        for r in CityFixture.table(dir + "/school_census.csv") {
            let p = people[owner["school_census/" + r["CensusRowID"]!]!]!
            n += 1
            if r["Gender"] != p["sex"] { wrongSex += 1 }
            codesByPerson[p["person_id"]!, default: []].insert(r["Ethnicity"]!)
        }
        let cfg = SynthConfig.defaults.noise
        let m = cfg.agencyMultiplier["school"]!
        #expect(wrongSex > 0)
        #expect(Double(wrongSex) / Double(n) < 5 * cfg.sexMisrecorded * m + 0.001)
        let inconsistent = codesByPerson.values.filter { $0.count > 1 }.count
        #expect(inconsistent > 0 && Double(inconsistent) / Double(codesByPerson.count) < 0.5, "\(inconsistent) pupils with two codes")
    }

    @Test("each extract uses its own ethnicity code system consistently")
    func ethnicityCodeSystems() {
        let dir = CityFixture.small.dir
        let dfe = Set(EthnicityCodes.detailed.map(\.2)).union(["NOBT"])
        let sixteen = Set(EthnicityCodes.detailed.map(\.1)).union(["NS"])
        let officer: Set<String> = ["W", "M", "A", "B", "O"]
        for (file, column, allowed) in [("school_census", "Ethnicity", dfe), ("csc_contacts", "Ethnicity", dfe),
                                        ("police_stop_search", "SelfDefinedEthnicity", sixteen),
                                        ("police_custody", "SelfDefinedEthnicity", sixteen),
                                        ("police_stop_search", "OfficerDefinedEthnicity", officer),
                                        ("police_crime_people", "EthnicityCode", officer)] {
            let codes = Set(CityFixture.table("\(dir)/\(file).csv").map { $0[column]! })
            #expect(codes.isSubset(of: allowed), "\(file).\(column): \(codes.subtracting(allowed))")
            #expect(codes.count >= 4, "\(file).\(column) uses only \(codes)")
        }
    }

    @Test("addresses: one postcode per street address, streets recur across towns, households move")
    func addresses() {
        let dir = CityFixture.large.dir
        let residences = CityFixture.table(dir + "/truth/residences.csv")
        var postcodeOf: [String: String] = [:]
        var townsOfStreet: [String: Set<String>] = [:]
        var movesPerHousehold: [String: Int] = [:]
        for r in residences {
            let key = [r["address_line1"]!, r["address_line2"]!, r["address_line3"]!, r["address_line4"]!].joined(separator: "|")
            #expect(postcodeOf[key] == nil, "two homes at \(key)")
            postcodeOf[key] = r["postcode"]!
            let street = r["address_line2"]!.drop { $0.isNumber || $0 == " " }
            townsOfStreet[String(street), default: []].insert(r["address_line4"]!)
            movesPerHousehold[r["household_id"]!, default: -1] += 1
        }
        #expect((townsOfStreet["High Street"]?.count ?? 0) >= 2, "High Street is in \(townsOfStreet["High Street"] ?? [])")
        let movers = movesPerHousehold.values.filter { $0 > 0 }.count
        #expect(Double(movers) / Double(movesPerHousehold.count) > 0.5, "households that ever moved: \(movers)")
        // Every postcode in an extract is in the lookup, and formatting noise is there.
        let small = CityFixture.small.dir
        let lookup = Set(CityFixture.table(small + "/reference/postcodes.csv").map { $0["postcode"]! })
        let census = CityFixture.table(small + "/school_census.csv")
        #expect(census.allSatisfy { $0["Postcode"]!.isEmpty || lookup.contains($0["Postcode"]!) })
        #expect(census.contains { $0["AddressLine2"]!.hasSuffix(" Rd") })
        #expect(census.contains { $0["AddressLine2"]!.hasSuffix(" Road") })
        #expect(census.contains { $0["AddressLine1"]!.hasPrefix("Flat ") })
        // A child who moved shows more than one address across their census rows.
        let owner = Self.owners(small)
        var addressesOf: [String: Set<String>] = [:]
        for r in census { addressesOf[owner["school_census/" + r["CensusRowID"]!]!, default: []].insert(r["Postcode"]!) }
        #expect(addressesOf.values.filter { $0.count > 1 }.count > addressesOf.count / 10)
    }

    @Test("every row is dated inside the window and recorded on or after its event, by the extract's last day")
    func recordedDates() throws {
        let dir = CityFixture.small.dir
        let cfg = SynthConfig.defaults
        let start = CivilDate(year: cfg.startYear, month: 1, day: 1)!, end = CivilDate(year: cfg.startYear + cfg.years - 1, month: 12, day: 31)!
        let formats: [String: (String, String, CivilDate.Layout)] = [
            "police_crime_people": ("CommittedDate", "RecordedDate", .dmySlash), "school_exclusions": ("StartDate", "RecordedDate", .iso),
            "csc_contacts": ("ContactDate", "RecordedDate", .dmySlash), "csc_episodes": ("StartDate", "RecordedDate", .dmySlash),
            "yjs_disposals": ("OutcomeDate", "RecordedDate", .dmonYDash), "probation_cases": ("SentenceDate", "RecordedDate", .dmySlash),
            "prison_receptions": ("ReceptionDate", "RecordedDate", .iso), "substance_misuse": ("TriageDate", "RecordedDate", .dmySlash),
            "mental_health": ("ReferralDate", "RecordedDate", .iso), "school_census": ("TermStart", "CensusDate", .iso),
        ]
        for (file, (event, recordedColumn, layout)) in formats {
            let s = Self.schema(file)
            var lagged = 0
            for r in CityFixture.table("\(dir)/\(file).csv", delimiter: Character(s.delimiter)) {
                let d = try #require(CivilDate.parse(r[event]!, layout: layout)), rec = try #require(CivilDate.parse(r[recordedColumn]!, layout: layout))
                #expect(d >= start && rec >= d && rec <= end, "\(file): \(r[event]!) recorded \(r[recordedColumn]!)")
                if rec > d { lagged += 1 }
            }
            if file != "prison_receptions" { #expect(lagged > 0, "\(file): no record entered after its event") }
        }
        // The census return that carries a term's absence comes after the term (a term is at most 16 weeks).
        for r in CityFixture.table("\(dir)/school_census.csv") {
            let t = CivilDate.parse(r["TermStart"]!, layout: .iso)!, c = CivilDate.parse(r["CensusDate"]!, layout: .iso)!
            #expect(c.dayNumber - t.dayNumber >= 100, "term starting \(r["TermStart"]!) collected on \(r["CensusDate"]!)")
        }
    }

    @Test("small areas carry LSOA-shaped codes that the lookup places in E07/E08 districts")
    func lsoaCodes() {
        let dir = CityFixture.small.dir
        let lsoas = CityFixture.table(dir + "/reference/lsoas.csv")
        let district = Dictionary(uniqueKeysWithValues: lsoas.map { ($0["lsoa"]!, $0["district"]!) })
        #expect(district.values.allSatisfy { $0.hasPrefix("E08") || $0.hasPrefix("E07") })
        func isLSOA(_ s: String) -> Bool { s.count == 9 && s.hasPrefix("E01") && s.dropFirst(3).allSatisfy(\.isNumber) }
        for r in CityFixture.table(dir + "/police_crimes.csv") { #expect(isLSOA(r["LSOA"]!) && district[r["LSOA"]!] != nil) }
        for r in CityFixture.table(dir + "/reference/postcodes.csv") {
            #expect(isLSOA(r["area"]!) && r["area"] == r["lsoa"] && r["oa"]!.hasPrefix("E00") && district[r["lsoa"]!] == r["district"])
            #expect((1...10).contains(Int(r["imd_decile"]!)!))
        }
        for p in CityFixture.table(dir + "/truth/people.csv") { #expect(isLSOA(p["area"]!)) }
    }

    @Test("with a burn-in, children enter the window with their history (pupil referral units in the first term)")
    func burnIn() throws {
        func excludedInFirstTerm(burnIn: Int) throws -> Int {
            var cfg = SynthConfig.defaults
            cfg.people = 20_000; cfg.seed = 9; cfg.burnInYears = burnIn
            let dir = NSTemporaryDirectory() + "upstream-burnin-\(getpid())-\(burnIn)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            _ = try CityGenerator(config: cfg).generate(to: dir, overwrite: true)
            let first = "\(cfg.startYear - 1)/\(SynthText.pad(cfg.startYear % 100, 2)) SPR"
            return CityFixture.table(dir + "/school_census.csv").filter { $0["Term"] == first && $0["LAEstab"] == "9991100" }.count
        }
        #expect(try excludedInFirstTerm(burnIn: 0) == 0)
        #expect(try excludedInFirstTerm(burnIn: 10) > 0)
    }
}
