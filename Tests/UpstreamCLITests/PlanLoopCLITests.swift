import Foundation
import Testing
import UpstreamTesting

/// The closed loop through the binary: plan on a city, re-live it with the plan, compare (docs/interventions.md §8).
@Suite("upstream plan loop and synth --treat, through the binary")
struct PlanLoopCLITests {
    let dir = NSTemporaryDirectory() + "upstream-loop-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    /// Cities of 20,000 people: about 1,500 young people in the cohort. At the default prevalence (1.1% by 18) only about
    /// 4 of them offend within two years, too few to check anything, so these cities have 8% by 18 (about 30); 1,000
    /// places per programme so that every matched young person is treated (about 650).
    @Test("realised harm averted lies within the predictive interval, and the evaluation's interval holds the true effect")
    func closedLoop() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "services:\n  seriousViolenceBy18: 0.08\n".write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        let r = try runUpstream(["plan", "loop", "--risk", "stand-in", "--people", "20000", "--seed", "2", "--train-seed", "1", "--as-of", "2021-01-01",
                                 "--budget", "2m", "--places", "1000", "--draws", "300", "--config", dir + "/config.yaml",
                                 "--out", dir, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let c = try #require(json["comparison"] as? [String: Any])
        #expect((json["riskModel"] as? String)?.hasPrefix("stand-in") == true)
        #expect(json["agree"] as? Bool == c["withinPredictiveInterval"] as? Bool)
        let offers = try #require(c["offers"] as? Int)
        #expect(offers >= 100)
        let before = try #require(c["offencesUntreatedRun"] as? Int), after = try #require(c["offencesTreatedRun"] as? Int)
        // Common random numbers: the treatment only lowers the treated's hazards, so they offend no more often than
        // without it (up to chance in lives that diverge after an averted offence).
        #expect(after <= before + 1)
        #expect(c["withinPredictiveInterval"] as? Bool == true, "\(c)")
        // The whole cohort's outcomes in the untreated run match the stand-in model's expectation within chance.
        let outcomes = try #require(json["cohortOutcomes"] as? Int), expected = try #require(json["expectedCohortOutcomes"] as? Double)
        #expect(outcomes >= 15)
        #expect(abs(Double(outcomes) - expected) <= 4 * expected.squareRoot() + 2, "\(outcomes) against \(expected)")
        let evaluations = try #require(json["evaluations"] as? [[String: Any]])
        #expect(!evaluations.isEmpty)
        for e in evaluations {
            let truth = try #require(e["trueEffect"] as? Double)
            #expect(truth >= 0 && truth <= 1)
            #expect(e["recovered"] as? Bool == true, "\(e)")
        }
        // The treated city's truth records each programme's true effect and who was treated.
        let effects = try String(contentsOfFile: dir + "/treated/truth/programme_effects.csv", encoding: .utf8)
        #expect(effects.hasPrefix("programme,effect_low,effect_high,true_effect,treated,from\n"))
        #expect(FileManager.default.fileExists(atPath: dir + "/closed-loop.json"))
    }

    /// A 5,000-person city (8% serious violence by 18): ingested, linked and with the risk model trained on its own
    /// store, as a user's plan would be; 1,000 places per programme.
    @Test("with the store's trained risk model: plans on linked persons, re-lives their true persons, and judges on the predictive interval")
    func closedLoopWithStoreModel() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "services:\n  seriousViolenceBy18: 0.08\n".write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        let r = try runUpstream(["plan", "loop", "--people", "5000", "--seed", "4", "--as-of", "2021-01-01", "--budget", "2m",
                                 "--places", "1000", "--draws", "200", "--config", dir + "/config.yaml", "--out", dir, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        // The store's model, trained only on dates whose outcomes end by the plan's date, and no training city.
        let model = try #require(json["riskModel"] as? String)
        #expect(model.contains("the store's trained risk model") && model.contains("tested on 2018-01-01, 2018-07-01, 2019-01-01"), "\(model)")
        #expect(json["trainSeed"] == nil || json["trainSeed"] is NSNull)
        #expect(FileManager.default.fileExists(atPath: dir + "/store/city.db"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/train"))
        // Linked persons meet true persons: nearly every scored young person is mostly one true person.
        let linkage = try #require(json["linkage"] as? [String: Any])
        let scored = try #require(linkage["scored"] as? Int), matched = try #require(linkage["matchedToTruth"] as? Int)
        #expect(scored > 100 && Double(matched) >= 0.95 * Double(scored), "\(linkage)")
        let c = try #require(json["comparison"] as? [String: Any])
        let offers = try #require(c["offers"] as? Int)
        #expect(offers > 0)
        let before = try #require(c["offencesUntreatedRun"] as? Int), after = try #require(c["offencesTreatedRun"] as? Int)
        #expect(after <= before + 1)
        #expect(c["offencesAverted"] as? Int == before - after)
        // The verdict is the predictive interval's; both intervals are reported and explained.
        #expect(json["agree"] as? Bool == c["withinPredictiveInterval"] as? Bool)
        #expect((json["intervals"] as? String)?.contains("predictive interval") == true)
        let low = try #require((c["predictiveLow"] as? [String: Any])?["pence"] as? Int)
        let high = try #require((c["predictiveHigh"] as? [String: Any])?["pence"] as? Int)
        #expect(low <= high)
        // The treated run's truth names the people treated: true persons, at most one offer each.
        let treated = try String(contentsOfFile: dir + "/treated/truth/treatment.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(treated.count + (linkage["offersWithoutTruePerson"] as? Int ?? 0) + (linkage["secondOffersToTruePerson"] as? Int ?? 0) == offers)
        #expect(treated.allSatisfy { $0.hasPrefix("P") })
    }

    @Test("synth --treat needs --from, and refuses an unknown programme with what to do")
    func treatValidation() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "person_id,programme\nP00000001,no-such-programme\n".write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        let a = try runUpstream(["synth", "--people", "800", "--out", dir + "/c", "--treat", dir + "/t.csv"])
        #expect(a.status != 0)
        #expect(a.err.contains("--from"))
        let b = try runUpstream(["synth", "--people", "800", "--out", dir + "/c", "--treat", dir + "/t.csv", "--from", "2020-01-01"])
        #expect(b.status != 0)
        #expect(b.err.contains("no-such-programme") && b.err.contains("not in the catalogue"), "\(b.err)")
    }
}
