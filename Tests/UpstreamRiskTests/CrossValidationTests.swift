import Foundation
import Testing

@testable import UpstreamRisk

@Suite struct CrossValidationTests {
    @Test func foldsAreStratified() {
        // 1,000 rows, 100 positive, 5 folds: 20 positives and 200 rows in each.
        let labels = (0..<1_000).map { UInt8($0 % 10 == 0 ? 1 : 0) }
        let folds = CrossValidation.stratifiedFolds(labels: labels, k: 5, seed: 42)
        for f in 0..<5 {
            let rows = folds.indices.filter { folds[$0] == f }
            #expect(rows.count == 200)
            #expect(rows.filter { labels[$0] == 1 }.count == 20)
        }
        #expect(folds == CrossValidation.stratifiedFolds(labels: labels, k: 5, seed: 42))
        #expect(folds != CrossValidation.stratifiedFolds(labels: labels, k: 5, seed: 43))
    }

    @Test func aPersonsRowsNeverSplitAcrossFolds() {
        // 300 people with 1 to 5 rows each (their as-of dates); about one in six has the outcome on some row.
        var rng = Metrics.SeededGenerator(seed: 8)
        var groups: [String] = []
        var labels: [UInt8] = []
        for person in 0..<300 {
            let rows = Int.random(in: 1...5, using: &rng)
            let positive = Int.random(in: 0..<6, using: &rng) == 0
            for r in 0..<rows {
                groups.append("p\(person)")
                labels.append(positive && r == rows - 1 ? 1 : 0)
            }
        }
        let folds = CrossValidation.stratifiedFolds(labels: labels, groups: groups, k: 4, seed: 1)
        var foldOf: [String: Int] = [:]
        for (g, f) in zip(groups, folds) {
            #expect(foldOf[g, default: f] == f)
            foldOf[g] = f
        }
        // Positives still spread evenly: each fold within one of the mean.
        let positivesPerFold = (0..<4).map { f in folds.indices.filter { folds[$0] == f && labels[$0] == 1 }.count }
        #expect(positivesPerFold.max()! - positivesPerFold.min()! <= 1)
    }

    @Test func everyRowIsScoredOnceByAModelThatNeverSawIt() {
        let n = 50
        let data = Dataset(
            featureNames: ["id"], columns: [(0..<n).map(Float.init)], labels: (0..<n).map { UInt8($0 % 2) })
        let folds = CrossValidation.stratifiedFolds(labels: data.labels, k: 5, seed: 3)
        var trainings = 0
        let scores = CrossValidation.outOfFoldScores(data, folds: folds) { training in
            trainings += 1
            let seen = Set(training.columns[0])
            // A row the model was trained on scores −1 (a leak); a held-out row scores its own id.
            return { held in held.columns[0].map { seen.contains($0) ? -1 : Double($0) } }
        }
        #expect(trainings == 5)
        #expect(scores == (0..<n).map(Double.init))
    }
}
