import Foundation
import PropertyBased
import Testing

@testable import UpstreamRisk

@Suite struct MetricsTests {
    // A small worked example with one tied pair (a positive and a negative both at 0.5).
    let scores = [0.1, 0.4, 0.35, 0.8, 0.5, 0.5, 0.2, 0.9]
    let labels: [UInt8] = [0, 0, 1, 1, 0, 1, 0, 1]

    @Test func aucOfPerfectReversedAndTiedScores() throws {
        let labels: [UInt8] = [0, 0, 1, 1]
        #expect(Metrics.rocAUC(scores: [0.1, 0.2, 0.8, 0.9], labels: labels) == 1)
        #expect(Metrics.rocAUC(scores: [0.9, 0.8, 0.2, 0.1], labels: labels) == 0)
        #expect(Metrics.rocAUC(scores: [0.5, 0.5, 0.5, 0.5], labels: labels) == 0.5)
    }

    @Test func aucIsNilWhenAClassIsAbsent() {
        #expect(Metrics.rocAUC(scores: [0.1, 0.2], labels: [1, 1]) == nil)
        #expect(Metrics.rocAUC(scores: [0.1, 0.2], labels: [0, 0]) == nil)
        #expect(Metrics.averagePrecision(scores: [0.1, 0.2], labels: [0, 0]) == nil)
    }

    @Test func aucOfWorkedExampleWithATieCountsTheTieAsHalf() throws {
        // By hand, positive by positive, negatives ranked below (+1) or tied (+½):
        // 0.9 → 4, 0.8 → 4, 0.5 → 3 + ½, 0.35 → 2; total 13.5 of 4 × 4 pairs = 0.84375.
        // scikit-learn 1.9.1 roc_auc_score on the same data (run in a venv under /tmp) gives 0.84375.
        #expect(Metrics.rocAUC(scores: scores, labels: labels) == 0.84375)
    }

    @Test func averagePrecisionMatchesHandComputationAndScikitLearn() throws {
        // Thresholds from the top: 0.9 (R ¼, P 1), 0.8 (R ½, P 1), 0.5 (R ¾, P ¾), 0.35 (R 1, P ⅔):
        // AP = ¼·1 + ¼·1 + ¼·¾ + ¼·⅔ = 0.8541666….
        let ap = try #require(Metrics.averagePrecision(scores: scores, labels: labels))
        #expect(abs(ap - (0.25 + 0.25 + 0.25 * 0.75 + 0.25 * 2 / 3)) < 1e-12)
        // scikit-learn 1.9.1 average_precision_score: 0.8541666666666666.
        #expect(abs(ap - 0.8541666666666666) < 1e-12)
    }

    @Test func averagePrecisionTreatsTiesAsOneThresholdLikeScikitLearn() throws {
        // Reference values from scikit-learn 1.9.1 (roc_auc_score, average_precision_score), run in a venv:
        // 0.625 and 0.5932539682539683.
        let s: [Double] = [3, 3, 2, 2, 2, 1, 1, 0, 5, 4]
        let y: [UInt8] = [1, 0, 1, 0, 0, 1, 0, 0, 1, 0]
        #expect(try abs(#require(Metrics.rocAUC(scores: s, labels: y)) - 0.625) < 1e-12)
        #expect(try abs(#require(Metrics.averagePrecision(scores: s, labels: y)) - 0.5932539682539683) < 1e-12)
    }

    @Test func brierIsTheMeanSquaredError() throws {
        // scikit-learn 1.9.1 brier_score_loss on the worked example: 0.1478125.
        #expect(try abs(#require(Metrics.brier(scores: scores, labels: labels)) - 0.1478125) < 1e-12)
        #expect(Metrics.brier(scores: [1, 0], labels: [1, 0]) == 0)
        #expect(Metrics.brier(scores: [], labels: []) == nil)
    }

    @Test func curvesRunEndToEndAndAreDownsampledKeepingTheEnds() throws {
        var rng = Metrics.SeededGenerator(seed: 3)
        let n = 5_000
        let y = (0..<n).map { _ in UInt8.random(in: 0...1, using: &rng) }
        let s = y.map { Double($0) * 0.5 + Double.random(in: 0..<1, using: &rng) }
        let roc = Metrics.rocCurve(scores: s, labels: y, maxPoints: 50)
        #expect(roc.count <= 50 && roc.count >= 40)
        #expect(roc.first == CurvePoint(x: 0, y: 0, threshold: try #require(s.max()).nextUp))
        #expect(roc.last?.x == 1 && roc.last?.y == 1)
        #expect(zip(roc, roc.dropFirst()).allSatisfy { $0.x <= $1.x && $0.y <= $1.y })
        let pr = Metrics.prCurve(scores: s, labels: y, maxPoints: 50)
        #expect(pr.count <= 50)
        #expect(pr.first?.x == 0 && pr.first?.y == 1)
        #expect(pr.last?.x == 1)
        #expect(zip(pr, pr.dropFirst()).allSatisfy { $0.x <= $1.x })
        // Full resolution: one point per distinct score plus the start.
        #expect(Metrics.rocCurve(scores: scores, labels: labels, maxPoints: 1000).count == 8)
    }

    @Test(arguments: [Metrics.BinStrategy.quantile, .uniform])
    func calibrationOfAPerfectModelMatchesObservedRates(strategy: Metrics.BinStrategy) {
        // Given outcomes drawn with exactly the predicted probability
        var rng = Metrics.SeededGenerator(seed: 11)
        let n = 200_000
        let p = (0..<n).map { _ in Double.random(in: 0..<1, using: &rng) }
        let y = p.map { UInt8(Double.random(in: 0..<1, using: &rng) < $0 ? 1 : 0) }
        // When binned
        let bins = Metrics.calibration(scores: p, labels: y, bins: 10, strategy: strategy)
        // Then each bin's observed rate is its mean prediction within 4 standard errors
        #expect(bins.count == 10)
        #expect(bins.map(\.count).reduce(0, +) == n)
        for bin in bins {
            let se = (bin.meanPredicted * (1 - bin.meanPredicted) / Double(bin.count)).squareRoot()
            #expect(abs(bin.observedRate - bin.meanPredicted) < 4 * se + 1e-9)
        }
    }

    @Test func quantileBinsNeverSplitTies() {
        let s = [Double](repeating: 0.2, count: 6) + [0.3, 0.4, 0.5, 0.6]
        let bins = Metrics.calibration(
            scores: s, labels: [UInt8](repeating: 0, count: 10), bins: 5, strategy: .quantile)
        #expect(bins.first?.count == 6)
        #expect(bins.map(\.count).reduce(0, +) == 10)
    }

    @Test func confusionFlagsScoresAtOrAboveTheThreshold() {
        let c = Metrics.confusion(scores: scores, labels: labels, threshold: 0.5)
        #expect(c == ConfusionCounts(truePositives: 3, falsePositives: 1, trueNegatives: 3, falseNegatives: 1))
    }

    @Test func capacityFlagsExactlyRoundedShareOfTheHighestScores() {
        // 1,000 rows at 250 per 100,000 → 2.5 → rounds to 3 (schoolbook rounding, half away from zero).
        let s = (0..<1_000).map(Double.init)
        let y = (0..<1_000).map { UInt8($0 >= 998 ? 1 : 0) }
        let r = Metrics.atCapacity(scores: s, labels: y, perHundredThousand: 250)
        #expect(r.flagged == 3 && r.population == 1_000)
        #expect(r.threshold == 997)
        #expect(
            r.confusion == ConfusionCounts(truePositives: 2, falsePositives: 1, trueNegatives: 997, falseNegatives: 0))
        #expect(r.precision == 2.0 / 3 && r.recall == 1)
        // Always at least one.
        #expect(Metrics.atCapacity(scores: [0.1, 0.2], labels: [0, 1], perHundredThousand: 1).flagged == 1)
    }

    @Test func capacityBreaksTiesAtTheCutOffBySeedNotRowOrder() {
        // 10 tied at the top, room for 5 (5,000 per 100,000 of 100).
        let s = [Double](repeating: 1, count: 10) + [Double](repeating: 0, count: 90)
        let picks = (0..<20).map { seed in
            Set(Metrics.flaggedAtCapacity(scores: s, perHundredThousand: 5_000, seed: UInt64(seed)))
        }
        #expect(picks.allSatisfy { $0.count == 5 && $0.allSatisfy { $0 < 10 } })
        #expect(Set(picks).count > 1)  // different seeds pick different tied rows
        #expect(
            Metrics.flaggedAtCapacity(scores: s, perHundredThousand: 5_000, seed: 7)
                == Metrics.flaggedAtCapacity(scores: s, perHundredThousand: 5_000, seed: 7))
    }

    @Test func evaluateLeavesOutBrierAndCalibrationForARule() {
        let aceCounts: [Double] = [0, 1, 4, 2, 3, 5, 0, 6]
        let e = Metrics.evaluate(
            name: "ACE count", key: "ace_count", population: "test", scores: aceCounts, labels: labels,
            capacityPerHundredThousand: 25_000, probabilities: false)
        #expect(e.brier == nil && e.calibration.isEmpty)
        #expect(e.rows == 8 && e.positives == 4)
        #expect(e.capacity?.flagged == 2)
        #expect(e.rocAUC != nil)
        let p = Metrics.evaluate(name: "m", key: "m", population: "test", scores: scores, labels: labels)
        #expect(p.brier != nil && !p.calibration.isEmpty && p.capacity == nil)
    }
}

@Suite struct MetricsPropertyTests {
    /// Small score/label samples with many ties (scores 0…4).
    static let sample = Gen.int(in: 0...4).array(of: 1...30)

    @Test func aucEqualsTheBruteForcePairCount() async {
        await propertyCheck(count: 300, input: Self.sample, Self.sample) { scoreInts, labelInts in
            let n = min(scoreInts.count, labelInts.count)
            let s = scoreInts.prefix(n).map(Double.init)
            let y = labelInts.prefix(n).map { UInt8($0 % 2) }
            var wins = 0.0
            var pairs = 0.0
            for i in 0..<n where y[i] == 1 {
                for j in 0..<n where y[j] == 0 {
                    pairs += 1
                    wins += s[i] > s[j] ? 1 : (s[i] == s[j] ? 0.5 : 0)
                }
            }
            let auc = Metrics.rocAUC(scores: s, labels: y)
            #expect(auc == (pairs == 0 ? nil : wins / pairs))
        }
    }

    @Test func averagePrecisionEqualsTheSumOverPositivesOfPrecisionAtTheirScore() async {
        // With ties handled by threshold, AP = mean over positives of the precision among rows scoring at least theirs.
        await propertyCheck(count: 300, input: Self.sample, Self.sample) { scoreInts, labelInts in
            let n = min(scoreInts.count, labelInts.count)
            let s = scoreInts.prefix(n).map(Double.init)
            let y = labelInts.prefix(n).map { UInt8($0 % 2) }
            let positives = (0..<n).filter { y[$0] == 1 }
            let expected: Double? =
                positives.isEmpty
                ? nil
                : positives.map { i in
                    let atLeast = (0..<n).filter { s[$0] >= s[i] }
                    return Double(atLeast.filter { y[$0] == 1 }.count) / Double(atLeast.count)
                }.reduce(0, +) / Double(positives.count)
            let ap = Metrics.averagePrecision(scores: s, labels: y)
            #expect((ap == nil) == (expected == nil))
            if let ap, let expected { #expect(abs(ap - expected) < 1e-12) }
        }
    }
}
