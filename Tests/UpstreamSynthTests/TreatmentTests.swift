import Foundation
import Testing
import UpstreamModel
@testable import UpstreamSynth

/// A treated re-run of the city (common random numbers): the same seed re-lives the same lives, and only the treated
/// young people's lives after the treatment date change.
@Suite("Treated re-runs of the city")
struct TreatmentTests {
    static let people = 10_000
    static let seed: UInt64 = 23
    static let from = CivilDate(year: 2014, month: 1, day: 1)!

    /// The untreated city, the treated city and the treatment: every child born 1994-2006 is treated with a
    /// programme whose effect lies in 70%-90%, so that many serious violence offences are averted.
    static let fixture: (untreated: String, treated: String, treatment: Treatment) = {
        var cfg = SynthConfig.defaults
        cfg.people = people
        cfg.seed = seed
        let base = NSTemporaryDirectory() + "upstream-treat-test-\(getpid())"
        let untreated = base + "/untreated", treated = base + "/treated"
        _ = try! CityGenerator(config: cfg).generate(to: untreated, overwrite: true)
        var assignments: [String: String] = [:]
        for p in CityFixture.table(untreated + "/truth/people.csv") where !p["upn"]!.isEmpty {
            let year = Int(p["date_of_birth"]!.prefix(4))!
            if (1994...2006).contains(year) { assignments[p["person_id"]!] = "strong" }
        }
        let treatment = Treatment(from: from, programmes: [.init(id: "strong", low: 0.7, high: 0.9)], assignments: assignments)
        _ = try! CityGenerator(config: cfg, treatment: treatment).generate(to: treated, overwrite: true)
        return (untreated, treated, treatment)
    }()

    /// Every record id and crime serial a treated person's life course can write, by extract.
    static func lifeIDs(_ treatment: Treatment) -> [String: Set<String>] {
        let book = IdentifierBook(people: people, seed: seed)
        var out: [String: Set<String>] = [:]
        let owners = treatment.assignments.keys.compactMap { Treatment.index(of: $0) }
        for s in ExtractSchema.all {
            var ids = Set<String>()
            for o in owners {
                if s.name == ExtractSchema.policeCrimes.name {
                    for k in 0..<CityWriter.crimesPerLife { ids.insert(book.crimeSerial(CityWriter.lifeCrimeBase + o * CityWriter.crimesPerLife + k)) }
                } else {
                    for k in 0..<CityWriter.recordsPerLife { ids.insert(book.recordID(s.name, CityWriter.lifeRecordBase + o * CityWriter.recordsPerLife + k)) }
                }
            }
            out[s.name] = ids
        }
        return out
    }

    /// An extract's rows, split into those written by treated people's life courses and the rest (each sorted).
    static func split(_ dir: String, _ s: ExtractSchema, owned: Set<String>) -> (owned: [String], rest: [String]) {
        let (header, rows) = CityFixture.read(dir + "/" + s.name + ".csv", delimiter: Character(s.delimiter))
        let idIndex = header.firstIndex(of: s.idColumn)!
        var mine: [String] = [], rest: [String] = []
        for r in rows {
            let id = r[idIndex]
            // Record ids end in the permuted key; crime references are "NN/serial/YY".
            let key = s.name == ExtractSchema.policeCrimes.name ? String(id.split(separator: "/")[1]) : String(id.suffix(10))
            let line = r.joined(separator: "\u{1F}")
            if owned.contains(key) { mine.append(line) } else { rest.append(line) }
        }
        return (mine.sorted(), rest.sorted())
    }

    @Test("every row not written by a treated person's life is byte-identical to the untreated run's")
    func untreatedRowsIdentical() throws {
        let f = TreatmentTests.fixture
        #expect(f.treatment.assignments.count > 500)
        let ids = TreatmentTests.lifeIDs(f.treatment)
        var changed = 0, compared = 0
        for s in ExtractSchema.all {
            let a = TreatmentTests.split(f.untreated, s, owned: ids[s.name]!)
            let b = TreatmentTests.split(f.treated, s, owned: ids[s.name]!)
            #expect(a.rest == b.rest, "\(s.name): rows outside treated lives differ")
            compared += a.rest.count
            if a.owned != b.owned { changed += 1 }
        }
        #expect(compared > 50_000)
        // The treatment changed something (at least the police extracts of the treated).
        #expect(changed >= 2)
        // The truth that does not depend on events is the same file.
        for file in ["truth/people.csv", "truth/aces.csv", "truth/relationships.csv", "truth/residences.csv", "reference/postcodes.csv"] {
            #expect(try String(contentsOfFile: f.untreated + "/" + file, encoding: .utf8) == String(contentsOfFile: f.treated + "/" + file, encoding: .utf8))
        }
    }

    @Test("treated lives are the same before the date, and their serious violence after it falls by about the true effect")
    func treatedLivesChangeOnlyAfterTheDate() throws {
        let f = TreatmentTests.fixture
        let a = CityFixture.table(f.untreated + "/truth/outcomes.csv"), b = CityFixture.table(f.treated + "/truth/outcomes.csv")
        #expect(a.count == b.count)
        let fromISO = TreatmentTests.from.iso
        var before = 0, afterUntreated = 0, afterTreated = 0, untreatedSame = 0, untreatedAll = 0
        for (x, y) in zip(a, b) {
            #expect(x["person_id"] == y["person_id"])
            let ox = x["first_serious_violence_offender"]!, oy = y["first_serious_violence_offender"]!
            if f.treatment.assignments[x["person_id"]!] != nil {
                if !ox.isEmpty && ox < fromISO { before += 1; #expect(ox == oy) }
                if !ox.isEmpty && ox >= fromISO { afterUntreated += 1 }
                if !oy.isEmpty && oy >= fromISO { afterTreated += 1 }
            } else {
                // An untreated person's own offending is their own life: identical.
                untreatedAll += 1
                if ox == oy { untreatedSame += 1 }
            }
        }
        #expect(untreatedSame == untreatedAll)
        #expect(afterUntreated >= 20, "too few offences to judge: \(afterUntreated)")
        // True effect 70%-90%; allow for chance and for later lives diverging.
        #expect(Double(afterTreated) <= 0.5 * Double(afterUntreated), "\(afterTreated) after treatment against \(afterUntreated)")
        let effects = CityFixture.table(f.treated + "/truth/programme_effects.csv")
        let e = try #require(effects.first.flatMap { Double($0["true_effect"]!) })
        #expect(e >= 0.7 && e <= 0.9)
        #expect(effects.first?["treated"] == String(f.treatment.assignments.count))
        #expect(FileManager.default.fileExists(atPath: f.treated + "/truth/treatment.csv"))
        #expect(!FileManager.default.fileExists(atPath: f.untreated + "/truth/programme_effects.csv"))
    }

    @Test("the same seed and programme always draw the same true effect, within the interval")
    func trueEffectsAreReproducible() {
        let t = Treatment(from: TreatmentTests.from, programmes: [.init(id: "a", low: 0.1, high: 0.3), .init(id: "b", low: 0.3, high: 0.3)],
                          assignments: [:])
        let e1 = t.trueEffects(seed: 9), e2 = t.trueEffects(seed: 9)
        #expect(e1 == e2)
        #expect(e1["a"]! >= 0.1 && e1["a"]! <= 0.3)
        #expect(e1["b"] == 0.3)
        #expect(t.trueEffects(seed: 10)["a"] != e1["a"])
    }

    @Test("a treatment naming an unknown person or programme is refused with what is wrong")
    func badTreatmentsAreRefused() {
        let p = [Treatment.Programme(id: "a", low: 0.1, high: 0.3)]
        #expect(throws: SynthError.self) { try Treatment(from: TreatmentTests.from, programmes: p, assignments: ["P00000001": "b"]).validate(people: 10) }
        #expect(throws: SynthError.self) { try Treatment(from: TreatmentTests.from, programmes: p, assignments: ["P00000011": "a"]).validate(people: 10) }
        #expect(throws: SynthError.self) { try Treatment(from: TreatmentTests.from, programmes: p, assignments: ["YP-1": "a"]).validate(people: 10) }
        #expect(throws: SynthError.self) { try Treatment(from: TreatmentTests.from, programmes: [.init(id: "a", low: 0.5, high: 0.2)], assignments: [:]).validate(people: 10) }
        #expect(throws: Never.self) { try Treatment(from: TreatmentTests.from, programmes: p, assignments: ["P00000009": "a"]).validate(people: 10) }
    }
}
