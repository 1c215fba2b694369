import Foundation
import Testing
import UpstreamModel
@testable import UpstreamSynth

@Suite("Synthetic city")
struct CityTests {
    @Test("the same seed gives byte-identical files; another seed gives another city")
    func determinism() throws {
        let a = CityFixture.make(people: 1_500, seed: 42).0
        let b = CityFixture.make(people: 1_500, seed: 42).0 + "-b"
        var cfg = SynthConfig.defaults
        cfg.people = 1_500; cfg.seed = 42
        _ = try CityGenerator(config: cfg).generate(to: b, overwrite: true)
        cfg.seed = 43
        let c = b + "-c"
        _ = try CityGenerator(config: cfg).generate(to: c, overwrite: true)
        for s in ExtractSchema.all {
            let fa = try Data(contentsOf: URL(fileURLWithPath: "\(a)/\(s.name).csv"))
            let fb = try Data(contentsOf: URL(fileURLWithPath: "\(b)/\(s.name).csv"))
            #expect(fa == fb, "\(s.name) differs between two runs with the same seed")
        }
        for f in ["truth/records.csv", "truth/people.csv", "truth/aces.csv", "manifest.json"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(a)/\(f)")) == Data(contentsOf: URL(fileURLWithPath: "\(b)/\(f)")))
        }
        let pa = try Data(contentsOf: URL(fileURLWithPath: "\(a)/truth/people.csv"))
        let pc = try Data(contentsOf: URL(fileURLWithPath: "\(c)/truth/people.csv"))
        #expect(pa != pc)
    }

    @Test("children's ACEs recover the configured prevalences (Wales 2015: 47% one or more, 14% four or more)")
    func acePrevalence() throws {
        let outcomes = CityFixture.table(CityFixture.large.dir + "/truth/outcomes.csv").filter { !$0["ace_count"]!.isEmpty }
        let n = Double(outcomes.count)
        #expect(n > 10_000)
        let one = Double(outcomes.filter { Int($0["ace_count"]!)! >= 1 }.count) / n
        let four = Double(outcomes.filter { Int($0["ace_count"]!)! >= 4 }.count) / n
        let cfg = SynthConfig.defaults.aces
        #expect(abs(one - cfg.targetAtLeastOne) < 0.04, "one or more ACEs: \(one)")
        #expect(abs(four - cfg.targetFourOrMore) < 0.025, "four or more ACEs: \(four)")
        // Each item within 2 points of its configured prevalence.
        let aces = CityFixture.table(CityFixture.large.dir + "/truth/aces.csv")
        for ace in ACE.allCases {
            let share = Double(aces.filter { $0["ace"] == ace.rawValue }.count) / n
            #expect(abs(share - cfg.itemPrevalence[ace.rawValue]!) < 0.02, "\(ace.rawValue): \(share)")
        }
        // Clustering: siblings share household ACEs far more often than chance.
        let people = CityFixture.table(CityFixture.large.dir + "/truth/people.csv")
        let household = Dictionary(uniqueKeysWithValues: people.map { ($0["person_id"]!, $0["household_id"]!) })
        var byHousehold: [String: [Int]] = [:]
        for o in outcomes { byHousehold[household[o["person_id"]!]!, default: []].append(Int(o["ace_count"]!)!) }
        let pairs = byHousehold.values.filter { $0.count >= 2 }
        let bothFourPlus = Double(pairs.filter { $0[0] >= 4 && $0[1] >= 4 }.count) / Double(pairs.count)
        #expect(bothFourPlus > 3 * four * four, "siblings both 4+: \(bothFourPlus) vs independent \(four * four)")
    }

    @Test("serious violence is rare (about 1.1% by 18) and ACEs raise it as published (AOR 7.71, 95% CI 4.90-12.14)")
    func seriousViolence() throws {
        let outcomes = CityFixture.table(CityFixture.large.dir + "/truth/outcomes.csv").filter { !$0["ace_count"]!.isEmpty }
        // The cohort whose ages 10 to 17 all fall inside the window (born 2000-2006 for the default 2010-2024 window).
        let cohort = outcomes.filter { let y = Int($0["date_of_birth"]!.prefix(4))!; return (2000...2006).contains(y) }
        func sv18(_ r: [String: String]) -> Bool {
            guard let d = r["first_serious_violence_offender"], !d.isEmpty else { return false }
            let dob = CivilDate.parse(r["date_of_birth"]!, layout: .iso)!
            return dob.age(on: CivilDate.parse(d, layout: .iso)!) < 18
        }
        let rate = Double(cohort.filter(sv18).count) / Double(cohort.count)
        #expect(rate > 0.006 && rate < 0.018, "serious violence by 18: \(rate)")
        let four = cohort.filter { Int($0["ace_count"]!)! >= 4 }, none = cohort.filter { Int($0["ace_count"]!)! == 0 }
        let p4 = Double(four.filter(sv18).count) / Double(four.count)
        let p0 = Double(none.filter(sv18).count) / Double(none.count)
        let odds = (p4 / (1 - p4)) / (p0 / (1 - p0))
        // A wider band than the published CI, for sampling error at this city size.
        #expect(odds > 3.5 && odds < 16, "odds ratio 4+ vs 0 ACEs: \(odds)")
    }

    @Test("crime volume per 1,000 people and the offence mix match the reference table")
    func crimeVolumeAndMix() throws {
        let crimes = CityFixture.read(CityFixture.large.dir + "/police_crimes.csv")
        let cfg = SynthConfig.defaults
        let perThousand = Double(crimes.rows.count) / Double(CityFixture.large.summary.people) / Double(cfg.years) * 1000
        let target = Double(CrimeMix.rows.reduce(0) { $0 + $1.count }) / Double(CrimeMix.population) * 1000
        #expect(abs(perThousand - target) / target < 0.1, "crimes per 1,000 a year: \(perThousand) vs \(target)")
        var groupOf: [String: String] = [:]
        var expected: [String: Double] = [:]
        for r in CrimeMix.rows {
            groupOf[CityGenerator.normalisedCode(r.code)] = r.group
            expected[r.group, default: 0] += Double(r.count)
        }
        let total = expected.values.reduce(0, +)
        var got: [String: Double] = [:]
        let i = crimes.header.firstIndex(of: "HOCode")!
        for row in crimes.rows { got[groupOf[row[i]] ?? "other", default: 0] += 1 }
        for (g, e) in expected {
            let share = (got[g] ?? 0) / Double(crimes.rows.count), want = e / total
            #expect(abs(share - want) < 0.03, "\(g): \(share) vs \(want)")
        }
        // Night-time peak for violence, and flags present.
        let flags = crimes.header.firstIndex(of: "Flags")!
        for f in ["DA", "KNIFE", "HATE", "NTE"] {
            #expect(crimes.rows.contains { $0[flags].contains(f) }, "no crime flagged \(f)")
        }
    }
}
