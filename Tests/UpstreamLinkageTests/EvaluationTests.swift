import Testing
@testable import UpstreamLinkage
import UpstreamModel

@Suite("Evaluation against truth: pairwise, B-cubed and exact persons")
struct EvaluationTests {
    @Test func handComputedSmallCase() {
        // True persons: X = {a/1, a/2}, Y = {b/1}. Predicted: all three in one person P.
        let truth: [RecordKey: String] = [RecordKey(source: "a", recordID: "1"): "X", RecordKey(source: "a", recordID: "2"): "X",
                                          RecordKey(source: "b", recordID: "1"): "Y"]
        let predicted = truth.mapValues { _ in "P" }
        let e = Evaluation.evaluate(predicted: predicted, truth: truth) { $0.source }
        // True pairs 1 (a1-a2), predicted pairs 3, correct 1.
        #expect(e.pairwise == Evaluation.Pairwise(truePairs: 1, predictedPairs: 3, correctPairs: 1))
        // Cells (P,X) = 2 and (P,Y) = 1; |P| = 3, |X| = 2, |Y| = 1.
        // B-cubed precision = (2*2/3 + 1*1/3) / 3 = 5/9; recall = (2*2/2 + 1*1/1) / 3 = 1.
        #expect(abs(e.bcubedPrecision - 5.0 / 9.0) < 1e-12)
        #expect(abs(e.bcubedRecall - 1) < 1e-12)
        #expect(e.exactPersons == 0)
        #expect(e.truePersons == 2 && e.predictedPersons == 1 && e.records == 3)
        // Agency pairs: a-a has the one true pair (found); a-b has two predicted pairs, none true.
        let aa = e.agencyPairs.first { $0.left == "a" && $0.right == "a" }?.pairwise
        let ab = e.agencyPairs.first { $0.left == "a" && $0.right == "b" }?.pairwise
        #expect(aa == Evaluation.Pairwise(truePairs: 1, predictedPairs: 1, correctPairs: 1))
        #expect(ab == Evaluation.Pairwise(truePairs: 0, predictedPairs: 2, correctPairs: 0))
    }

    /// Session 7 keyed the contingency cells on `p * 1_000_003 + t`: with more than 1,000,003 true persons
    /// (a 2- or 3-million-person city) the cells (0, 1_000_003) and (1, 0) shared a key, so two records in
    /// different predicted and different true persons counted as one correct pair.
    @Test func cellsStayApartBeyondAMillionTruePersons() {
        #expect(Evaluation.Cell(p: 0, t: 1_000_003) != Evaluation.Cell(p: 1, t: 0))
        let rows = [Evaluation.Row(p: 0, t: 1_000_003, a: 0), Evaluation.Row(p: 1, t: 0, a: 0)]
        let e = Evaluation.score(rows: rows, predictedPersons: 2, truePersons: 1_000_004, agencies: ["a"])
        // Two singletons in both truth and prediction: no pairs anywhere, B-cubed perfect, both persons exact.
        #expect(e.pairwise == Evaluation.Pairwise(truePairs: 0, predictedPairs: 0, correctPairs: 0))
        #expect(e.bcubedPrecision == 1 && e.bcubedRecall == 1)
        #expect(abs(e.exactPersons - 2.0 / 1_000_004.0) < 1e-15)
        // And the same two records predicted together: one predicted pair, none correct.
        let merged = Evaluation.score(rows: [Evaluation.Row(p: 0, t: 1_000_003, a: 0), Evaluation.Row(p: 0, t: 0, a: 0)],
                                      predictedPersons: 1, truePersons: 1_000_004, agencies: ["a"])
        #expect(merged.pairwise == Evaluation.Pairwise(truePairs: 0, predictedPairs: 1, correctPairs: 0))
        #expect(abs(merged.bcubedPrecision - 0.5) < 1e-12 && merged.bcubedRecall == 1)
    }

    /// The sweep's scorer indexes the truth once; it must give exactly what `evaluate` gives from a dictionary,
    /// including truth rows whose record was not linked (singletons) and records outside the truth (ignored).
    @Test func scorerMatchesEvaluate() {
        var rng = SplitMix64(seed: 7)
        let sources = ["police", "school", "health"]
        var keys: [RecordKey] = [], truth: [RecordKey: String] = [:]
        for i in 0..<600 {
            let k = RecordKey(source: sources[i % 3], recordID: String(i))
            if i % 50 != 0 { keys.append(k) }             // every 50th truth row is not among the records
            if i % 70 != 1 { truth[k] = "T\(rng.below(150))" } // some records are not in the truth
        }
        for labelCount in [1, 40, 200, 600] {
            let labels = keys.map { _ in rng.below(labelCount) }
            var predicted: [RecordKey: String] = [:]
            for (i, k) in keys.enumerated() { predicted[k] = "L\(labels[i])" }
            let agencyOf: (RecordKey) -> String = { $0.source == "police" ? "Police" : "Other" }
            let direct = Evaluation.evaluate(predicted: predicted, truth: truth, agencyOf: agencyOf)
            let scored = Evaluation.Scorer(keys: keys, truth: truth, agencyOf: agencyOf).evaluate(labels: labels)
            #expect(scored.pairwise == direct.pairwise)
            #expect(scored.records == direct.records && scored.truePersons == direct.truePersons && scored.predictedPersons == direct.predictedPersons)
            #expect(abs(scored.bcubedF1 - direct.bcubedF1) < 1e-12 && abs(scored.exactPersons - direct.exactPersons) < 1e-12)
            #expect(Set(scored.agencyPairs) == Set(direct.agencyPairs))
        }
    }
}
