import Foundation
import Testing
import UpstreamModel
@testable import UpstreamSynth

@Suite("Agency extracts")
struct ExtractTests {
    @Test("every extract has its documented header and the same number of fields on every row")
    func schemas() throws {
        let dir = CityFixture.small.dir
        for s in ExtractSchema.all {
            let (header, rows) = CityFixture.read("\(dir)/\(s.name).csv", delimiter: Character(s.delimiter))
            #expect(header == s.header, "\(s.name) header")
            #expect(!rows.isEmpty, "\(s.name) is empty")
            for (n, r) in rows.enumerated() where r.count != header.count {
                Issue.record("\(s.name) line \(n + 2) has \(r.count) fields, expected \(header.count)")
                break
            }
            #expect(CityFixture.small.summary.rows[s.name] == rows.count)
        }
    }

    @Test("the truth lists every person-level record once, with the extract's id column")
    func truthCoversEveryRecord() throws {
        let dir = CityFixture.small.dir
        let truth = CityFixture.read(dir + "/truth/records.csv").rows
        var bySource: [String: Set<String>] = [:]
        for t in truth { bySource[t[0], default: []].insert(t[1]) }
        #expect(truth.count == bySource.values.reduce(0) { $0 + $1.count }, "duplicate record ids in the truth")
        for s in ExtractSchema.all where s.personLevel {
            let t = CityFixture.table("\(dir)/\(s.name).csv", delimiter: Character(s.delimiter))
            let ids = Set(t.map { $0[s.idColumn]! })
            #expect(ids.count == t.count, "\(s.name) ids are not unique")
            #expect(ids == bySource[s.name] ?? [], "\(s.name) and truth/records.csv disagree")
        }
        #expect(bySource["police_crimes"] == nil)
        let crimes = CityFixture.table("\(dir)/police_crimes.csv").map { $0["CrimeRef"]! }
        #expect(Set(crimes).count == crimes.count, "crime references are not unique")
    }

    @Test("NHS numbers and pupil numbers carry valid check characters, except the few the noise model mistypes")
    func identifiersAreValid() throws {
        let dir = CityFixture.small.dir
        var seen = 0, valid = 0
        for (file, column) in [("ed_attendances", "NHSNumber"), ("mental_health", "NHSNumber"), ("substance_misuse", "NHSNumber")] {
            for r in CityFixture.table("\(dir)/\(file).csv") where !r[column]!.isEmpty {
                if NHSNumber.isValid(r[column]!) { valid += 1 }
                seen += 1
            }
        }
        #expect(seen > 100)
        #expect(Double(valid) / Double(seen) > 0.98, "\(valid) of \(seen) NHS numbers valid")
        let upns = CityFixture.table("\(dir)/school_census.csv").map { $0["UPN"]! }
        #expect(Double(upns.filter { UniquePupilNumber.isValid($0) }.count) / Double(upns.count) > 0.99)
    }

    @Test("identifier noise: rates follow the config and at least one record in ten differs from the truth")
    func noiseRates() throws {
        let dir = CityFixture.large.dir
        let people = Dictionary(uniqueKeysWithValues: CityFixture.table(dir + "/truth/people.csv").map { ($0["person_id"]!, $0) })
        var owner: [String: String] = [:]
        for t in CityFixture.read(dir + "/truth/records.csv").rows where t[0] == "police_crime_people" { owner[t[1]] = t[2] }
        let rows = CityFixture.table(dir + "/police_crime_people.csv")
        var placeholder = 0, missingPostcode = 0, differs = 0
        for r in rows {
            let p = people[owner[r["NominalLinkID"]!]!]!
            let dob = CivilDate.parse(p["date_of_birth"]!, layout: .iso)!.format(.dmySlash)
            if r["DOB"] == "01/01/1900" { placeholder += 1 }
            if r["Postcode"]!.isEmpty { missingPostcode += 1 }
            let names = r["Forenames"]!.split(separator: " ").map(String.init)
            let trueNames = [p["forename"]!] + (p["middle_names"]!.isEmpty ? [] : [p["middle_names"]!])
            let surnameOK = r["Surname"] == p["surname"] || r["Surname"] == p["later_surname"]
            if !surnameOK || names != trueNames || r["DOB"] != dob || r["Postcode"]!.isEmpty { differs += 1 }
        }
        let n = Double(rows.count)
        let cfg = SynthConfig.defaults.noise
        let m = cfg.agencyMultiplier["police"]!
        #expect(abs(Double(placeholder) / n - cfg.placeholderDOB * m) < 0.003, "placeholder DOBs \(Double(placeholder) / n)")
        #expect(abs(Double(missingPostcode) / n - cfg.missingPostcode * m) < 0.01, "missing postcodes \(Double(missingPostcode) / n)")
        #expect(Double(differs) / n >= 0.10, "records differing from the truth: \(Double(differs) / n)")
    }
}
