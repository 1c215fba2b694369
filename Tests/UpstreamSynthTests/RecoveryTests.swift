import Foundation
import Testing
import UpstreamModel
@testable import UpstreamSynth

/// Finding 2 (issue 10): nothing but the truth files lets a person be recovered from an extract.
enum Recovery {
    /// For one extract: how often rows next to each other (in file order, and in record-id order) belong to the same
    /// person, against the number expected if rows were in random order, Σ n_i (n_i - 1) / N over people.
    struct Adjacency {
        var extract: String
        var rows: Int
        var expected: Double
        var adjacentInFile: Int
        var adjacentByID: Int

        /// Whether both counts are within a Poisson bound of the random expectation (5 standard deviations + 3).
        var looksRandom: Bool {
            let bound = expected + 5 * expected.squareRoot() + 3
            return Double(adjacentInFile) <= bound && Double(adjacentByID) <= bound
        }
    }

    static func adjacency(city dir: String) -> [Adjacency] {
        var owner: [String: [String: String]] = [:]
        for t in CityFixture.read(dir + "/truth/records.csv").rows { owner[t[0], default: [:]][t[1]] = t[2] }
        var out: [Adjacency] = []
        for s in ExtractSchema.all where s.personLevel {
            let (header, rows) = CityFixture.read("\(dir)/\(s.name).csv", delimiter: Character(s.delimiter))
            let idc = header.firstIndex(of: s.idColumn)!
            let own = owner[s.name] ?? [:]
            let people = rows.map { own[$0[idc]]! }
            guard people.count > 1 else { continue }
            var counts: [String: Int] = [:]
            for p in people { counts[p, default: 0] += 1 }
            let n = Double(people.count)
            let expected = counts.values.reduce(0.0) { $0 + Double($1) * Double($1 - 1) } / n
            var inFile = 0
            for i in 1..<people.count where people[i] == people[i - 1] { inFile += 1 }
            let byID = rows.indices.sorted { rows[$0][idc] < rows[$1][idc] }.map { people[$0] }
            var inID = 0
            for i in 1..<byID.count where byID[i] == byID[i - 1] { inID += 1 }
            out.append(Adjacency(extract: s.name, rows: people.count, expected: expected, adjacentInFile: inFile, adjacentByID: inID))
        }
        return out
    }
}

@Suite("No field but the truth recovers a person")
struct RecoveryTests {
    @Test("rows next to each other, in the file or by record id, are the same person no more often than random pairs")
    func adjacentRowsAreRandom() {
        for a in Recovery.adjacency(city: CityFixture.small.dir) {
            #expect(a.looksRandom, "\(a.extract): \(a.adjacentInFile) adjacent in file, \(a.adjacentByID) by id, \(a.expected) expected")
        }
    }

    @Test("each agency's person id is one per person within the agency and differs between people")
    func agencyIDsAreOnePerPerson() {
        let dir = CityFixture.small.dir
        var owner: [String: String] = [:]
        for t in CityFixture.read(dir + "/truth/records.csv").rows { owner[t[0] + "/" + t[1]] = t[2] }
        for (file, idColumn, column) in [("csc_contacts", "ContactID", "ChildID"), ("yjs_disposals", "DisposalID", "YOTCaseNo"),
                                         ("probation_cases", "CaseID", "CRN"), ("prison_receptions", "ReceptionID", "PrisonNumber"),
                                         ("substance_misuse", "EpisodeID", "ClientRef")] {
            let s = ExtractSchema.all.first { $0.name == file }!
            var personOf: [String: String] = [:], idOf: [String: String] = [:]
            for r in CityFixture.table("\(dir)/\(file).csv", delimiter: Character(s.delimiter)) {
                let p = owner[file + "/" + r[idColumn]!]!, id = r[column]!
                #expect(personOf[id] == nil || personOf[id] == p, "\(file): \(column) shared by two people")
                #expect(idOf[p] == nil || idOf[p] == id, "\(file): a person has two \(column)s")
                personOf[id] = p; idOf[p] = id
            }
            #expect(!personOf.isEmpty, "\(file) is empty")
        }
    }

    @Test("the seed that regenerates the truth is written only under truth/")
    func seedOnlyInTruth() throws {
        let dir = CityFixture.small.dir
        let manifest = try String(contentsOfFile: dir + "/manifest.json", encoding: .utf8)
        #expect(!manifest.contains("\"seed\""))
        #expect(!manifest.contains("seed:"))
        #expect(try String(contentsOfFile: dir + "/truth/generator.yaml", encoding: .utf8).contains("seed: 5"))
    }

    /// The full check at 200,000 people (about a minute in a debug build on a quiet machine, more on a busy one):
    /// run with UPSTREAM_SYNTH_200K=1, as Benchmarks/synth.sh does.
    @Test("at 200,000 people: distinct identifiers and no recoverable order",
          .enabled(if: ProcessInfo.processInfo.environment["UPSTREAM_SYNTH_200K"] == "1", "set UPSTREAM_SYNTH_200K=1"))
    func city200000() throws {
        let (dir, summary) = CityFixture.make(people: 200_000, seed: 200)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Households are added until the city reaches the size asked for, so the last one can overshoot by a few.
        #expect(summary.people >= 200_000 && summary.people < 200_010, "\(summary.people) people")
        let people = CityFixture.table(dir + "/truth/people.csv")
        #expect(people.count == summary.people)
        let nhs = people.map { $0["nhs_number"]! }
        #expect(Set(nhs).count == people.count)
        let upns = people.compactMap { $0["upn"]!.isEmpty ? nil : $0["upn"]! }
        #expect(Set(upns).count == upns.count)
        for a in Recovery.adjacency(city: dir) {
            #expect(a.looksRandom, "\(a.extract): \(a.adjacentInFile) adjacent in file, \(a.adjacentByID) by id, \(a.expected) expected")
        }
    }
}
