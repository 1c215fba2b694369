import Foundation

/// Figures of merit for a score against a 0/1 outcome: ROC AUC, average precision, Brier score, curves,
/// calibration bins, the confusion at a threshold and precision/recall at a fixed capacity.
///
/// Every function takes `scores` (higher = more at risk; finite, never NaN) and `labels` (0 or 1) of equal length.
/// Ranking functions sort once, so they are O(n log n) and fine at a million rows. Ties are treated the way
/// scikit-learn treats them: all rows with the same score move together (one curve point per distinct score).
public enum Metrics {

    /// Area under the ROC curve: the probability that a random positive scores above a random negative, ties counting
    /// one half (the Mann-Whitney U statistic over positives × negatives). Exact: computed from integer counts.
    /// - Returns: `nil` when either class is absent.
    public static func rocAUC(scores: [Double], labels: [UInt8]) -> Double? {
        Ranking(scores: scores, labels: labels).rocAUC
    }

    /// Average precision, the precision-recall AUC as scikit-learn defines it:
    /// `Σ (R_k − R_{k−1}) · P_k` over distinct score thresholds in decreasing order (tied scores form one step,
    /// no interpolation).
    /// - Returns: `nil` when there are no positives.
    public static func averagePrecision(scores: [Double], labels: [UInt8]) -> Double? {
        Ranking(scores: scores, labels: labels).averagePrecision
    }

    /// Brier score: the mean squared difference between the probability and the outcome (lower is better).
    /// - Returns: `nil` for no rows.
    public static func brier(scores: [Double], labels: [UInt8]) -> Double? {
        precondition(scores.count == labels.count, "one label per score")
        guard !scores.isEmpty else { return nil }
        var sum = 0.0
        for i in scores.indices {
            let d = scores[i] - Double(labels[i])
            sum += d * d
        }
        return sum / Double(scores.count)
    }

    /// The ROC curve (x = false positive rate, y = true positive rate), one point per distinct score plus the
    /// origin, downsampled evenly to at most `maxPoints` points that always keep the two ends.
    ///
    /// The origin's threshold is just above the highest score (nothing flagged). Empty when either class is absent.
    public static func rocCurve(scores: [Double], labels: [UInt8], maxPoints: Int = 200) -> [CurvePoint] {
        Ranking(scores: scores, labels: labels).rocCurve(maxPoints: maxPoints)
    }

    /// The precision-recall curve (x = recall, y = precision), one point per distinct score, starting (as scikit-learn
    /// does) at recall 0, precision 1, downsampled evenly to at most `maxPoints` points that keep the two ends.
    /// Empty when there are no positives.
    public static func prCurve(scores: [Double], labels: [UInt8], maxPoints: Int = 200) -> [CurvePoint] {
        Ranking(scores: scores, labels: labels).prCurve(maxPoints: maxPoints)
    }

    /// How to cut scores into the bins of a calibration chart.
    public enum BinStrategy: String, Codable, Sendable, CaseIterable {
        /// Equal numbers of rows per bin (tied scores are never split, so bins may be uneven); best for rare outcomes.
        case quantile
        /// Equal widths over [0, 1]; scores outside are clipped into the end bins.
        case uniform
    }

    /// Calibration (reliability) bins: mean predicted probability against the observed rate. Empty bins are left out.
    ///
    /// For `.uniform` the bin's `lower`/`upper` are its edges; for `.quantile` they are the lowest and highest score
    /// in it.
    public static func calibration(
        scores: [Double], labels: [UInt8], bins: Int = 10, strategy: BinStrategy = .quantile
    ) -> [CalibrationBin] {
        precondition(scores.count == labels.count, "one label per score")
        precondition(bins >= 1, "at least one bin")
        guard !scores.isEmpty else { return [] }
        switch strategy {
        case .uniform:
            var count = [Int](repeating: 0, count: bins)
            var positives = [Int](repeating: 0, count: bins)
            var sum = [Double](repeating: 0, count: bins)
            for i in scores.indices {
                let b = min(bins - 1, max(0, Int((scores[i] * Double(bins)).rounded(.down))))
                count[b] += 1
                positives[b] += Int(labels[i])
                sum[b] += scores[i]
            }
            return (0..<bins).compactMap { b in
                guard count[b] > 0 else { return nil }
                return CalibrationBin(
                    lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: count[b],
                    positives: positives[b], meanPredicted: sum[b] / Double(count[b]),
                    observedRate: Double(positives[b]) / Double(count[b]))
            }
        case .quantile:
            let order = scores.indices.sorted { scores[$0] < scores[$1] }
            let n = order.count
            var result: [CalibrationBin] = []
            var start = 0
            for b in 1...bins {
                guard start < n else { break }
                var end = max(start + 1, Int((Double(n) * Double(b) / Double(bins)).rounded()))
                end = min(end, n)
                // Never split a run of tied scores between two bins.
                while end < n && scores[order[end]] == scores[order[end - 1]] { end += 1 }
                if b == bins { end = n }
                var positives = 0
                var sum = 0.0
                for i in start..<end {
                    positives += Int(labels[order[i]])
                    sum += scores[order[i]]
                }
                let count = end - start
                result.append(
                    CalibrationBin(
                        lower: scores[order[start]], upper: scores[order[end - 1]], count: count, positives: positives,
                        meanPredicted: sum / Double(count), observedRate: Double(positives) / Double(count)))
                start = end
            }
            return result
        }
    }

    /// The confusion matrix when every row scoring at least `threshold` is flagged.
    public static func confusion(scores: [Double], labels: [UInt8], threshold: Double) -> ConfusionCounts {
        precondition(scores.count == labels.count, "one label per score")
        var c = ConfusionCounts()
        for i in scores.indices {
            let flagged = scores[i] >= threshold
            switch (flagged, labels[i] != 0) {
            case (true, true): c.truePositives += 1
            case (true, false): c.falsePositives += 1
            case (false, true): c.falseNegatives += 1
            case (false, false): c.trueNegatives += 1
            }
        }
        return c
    }

    /// How many rows a capacity of `perHundredThousand` per 100,000 allows among `population` rows:
    /// `round(population × perHundredThousand / 100,000)`, at least 1 and at most `population`.
    public static func capacityCount(population: Int, perHundredThousand: Double) -> Int {
        guard population > 0 else { return 0 }
        let k = Int((Double(population) * perHundredThousand / 100_000).rounded())
        return min(population, max(1, k))
    }

    /// The rows flagged at a capacity: exactly `capacityCount(population:perHundredThousand:)` rows with the highest
    /// scores, highest first.
    ///
    /// When the cut-off falls inside a run of tied scores, which of the tied rows are taken is decided by a random
    /// order seeded with `seed` (reproducible; never by row order, which could encode something about the person).
    public static func flaggedAtCapacity(scores: [Double], perHundredThousand: Double, seed: UInt64 = 0) -> [Int] {
        let k = capacityCount(population: scores.count, perHundredThousand: perHundredThousand)
        guard k > 0 else { return [] }
        let order = descendingOrder(scores)
        let cut = scores[order[k - 1]]
        var runStart = k - 1
        while runStart > 0 && scores[order[runStart - 1]] == cut { runStart -= 1 }
        var runEnd = k
        while runEnd < order.count && scores[order[runEnd]] == cut { runEnd += 1 }
        if runEnd == k { return Array(order[..<k]) }
        var tied = Array(order[runStart..<runEnd])
        var rng = SeededGenerator(seed: seed)
        tied.shuffle(using: &rng)
        return Array(order[..<runStart]) + tied[..<(k - runStart)]
    }

    /// Precision and recall when only the top `perHundredThousand` per 100,000 can be offered support
    /// (see `flaggedAtCapacity(scores:perHundredThousand:seed:)` for the count and how ties are broken).
    /// The threshold is the lowest score flagged (0 when there are no rows). When the cut-off falls inside a tie,
    /// `confusion` counts exactly the rows taken, which `Metrics.confusion(threshold:)` at that score would not.
    public static func atCapacity(
        scores: [Double], labels: [UInt8], perHundredThousand: Double, seed: UInt64 = 0
    ) -> CapacityResult {
        precondition(scores.count == labels.count, "one label per score")
        let flagged = flaggedAtCapacity(scores: scores, perHundredThousand: perHundredThousand, seed: seed)
        var c = ConfusionCounts()
        var isFlagged = [Bool](repeating: false, count: scores.count)
        for i in flagged { isFlagged[i] = true }
        for i in scores.indices {
            switch (isFlagged[i], labels[i] != 0) {
            case (true, true): c.truePositives += 1
            case (true, false): c.falsePositives += 1
            case (false, true): c.falseNegatives += 1
            case (false, false): c.trueNegatives += 1
            }
        }
        return CapacityResult(
            perHundredThousand: perHundredThousand, population: scores.count, flagged: flagged.count,
            threshold: flagged.last.map { scores[$0] } ?? 0, confusion: c)
    }

    /// Everything the report shows for one model on one set of held-out rows.
    /// - Parameters:
    ///   - name: display name; `key`: stable key; `population`: which rows, in words.
    ///   - capacityPerHundredThousand: when given, precision and recall at that capacity.
    ///   - probabilities: `true` when the scores are probabilities, so the Brier score and calibration bins mean
    ///     something; `false` for a rule such as an ACE count (both are then left out).
    ///   - seed: breaks ties at the capacity cut-off.
    public static func evaluate(
        name: String, key: String, population: String, scores: [Double], labels: [UInt8],
        capacityPerHundredThousand: Double? = nil, probabilities: Bool = true, seed: UInt64 = 0,
        maxCurvePoints: Int = 200
    ) -> ModelEvaluation {
        let ranking = Ranking(scores: scores, labels: labels)
        return ModelEvaluation(
            name: name, key: key, population: population, rows: scores.count, positives: ranking.positives,
            rocAUC: ranking.rocAUC, prAUC: ranking.averagePrecision,
            brier: probabilities ? brier(scores: scores, labels: labels) : nil,
            roc: ranking.rocCurve(maxPoints: maxCurvePoints), pr: ranking.prCurve(maxPoints: maxCurvePoints),
            calibration: probabilities
                ? calibration(scores: scores, labels: labels, bins: 10, strategy: .quantile) : [],
            capacity: capacityPerHundredThousand.map {
                atCapacity(scores: scores, labels: labels, perHundredThousand: $0, seed: seed)
            })
    }

    /// Row indices by score, highest first; equal scores in row order.
    static func descendingOrder(_ scores: [Double]) -> [Int] {
        precondition(!scores.contains { $0.isNaN }, "scores must not be NaN")
        return scores.indices.sorted { a, b in
            let sa = scores[a]
            let sb = scores[b]
            return sa > sb || (sa == sb && a < b)
        }
    }

    /// `count` indices spread evenly over `0..<total`, always including the first and last.
    static func evenlySpaced(total: Int, count: Int) -> [Int] {
        guard total > count else { return Array(0..<total) }
        guard count >= 2 else { return [total - 1] }
        var out: [Int] = []
        out.reserveCapacity(count)
        for j in 0..<count {
            let i = Int((Double(j) * Double(total - 1) / Double(count - 1)).rounded())
            if out.last != i { out.append(i) }
        }
        return out
    }
}

extension Metrics {
    /// Cumulative true and false positives at each distinct score, highest score first
    /// (scikit-learn's `_binary_clf_curve`): the one sort every ranking measure shares.
    struct Ranking {
        var thresholds: [Double] = []
        var truePositives: [Int] = []
        var falsePositives: [Int] = []
        var positives: Int { truePositives.last ?? 0 }
        var negatives: Int { falsePositives.last ?? 0 }

        init(scores: [Double], labels: [UInt8]) {
            precondition(scores.count == labels.count, "one label per score")
            let order = Metrics.descendingOrder(scores)
            var tp = 0
            var fp = 0
            for (j, i) in order.enumerated() {
                if labels[i] != 0 { tp += 1 } else { fp += 1 }
                if j == order.count - 1 || scores[order[j + 1]] != scores[i] {
                    thresholds.append(scores[i])
                    truePositives.append(tp)
                    falsePositives.append(fp)
                }
            }
        }

        var rocAUC: Double? {
            let p = positives
            let n = negatives
            guard p > 0 && n > 0 else { return nil }
            // Twice the Mann-Whitney U: each negative counts 2 per positive above it and 1 per positive tied with it.
            var twiceU = 0.0
            var prevTP = 0
            var prevFP = 0
            for k in thresholds.indices {
                let dTP = truePositives[k] - prevTP
                let dFP = falsePositives[k] - prevFP
                twiceU += Double(dFP) * Double(2 * prevTP + dTP)
                prevTP = truePositives[k]
                prevFP = falsePositives[k]
            }
            return twiceU / (2 * Double(p) * Double(n))
        }

        var averagePrecision: Double? {
            let p = positives
            guard p > 0 else { return nil }
            var ap = 0.0
            var prevTP = 0
            for k in thresholds.indices where truePositives[k] != prevTP {
                let precision = Double(truePositives[k]) / Double(truePositives[k] + falsePositives[k])
                ap += Double(truePositives[k] - prevTP) / Double(p) * precision
                prevTP = truePositives[k]
            }
            return ap
        }

        func rocCurve(maxPoints: Int) -> [CurvePoint] {
            let p = Double(positives)
            let n = Double(negatives)
            guard p > 0 && n > 0, let top = thresholds.first else { return [] }
            var all = [CurvePoint(x: 0, y: 0, threshold: top.nextUp)]
            all.reserveCapacity(thresholds.count + 1)
            for k in thresholds.indices {
                all.append(
                    CurvePoint(
                        x: Double(falsePositives[k]) / n, y: Double(truePositives[k]) / p, threshold: thresholds[k]))
            }
            return Metrics.evenlySpaced(total: all.count, count: max(2, maxPoints)).map { all[$0] }
        }

        func prCurve(maxPoints: Int) -> [CurvePoint] {
            let p = Double(positives)
            guard p > 0, let top = thresholds.first else { return [] }
            var all = [CurvePoint(x: 0, y: 1, threshold: top.nextUp)]
            all.reserveCapacity(thresholds.count + 1)
            for k in thresholds.indices {
                let precision = Double(truePositives[k]) / Double(truePositives[k] + falsePositives[k])
                all.append(CurvePoint(x: Double(truePositives[k]) / p, y: precision, threshold: thresholds[k]))
            }
            return Metrics.evenlySpaced(total: all.count, count: max(2, maxPoints)).map { all[$0] }
        }
    }
}

extension Metrics {
    /// SplitMix64: a small, fast, seedable generator, so folds and tie-breaks are reproducible from a recorded seed.
    /// (Nested so it cannot collide with another generator in the module.)
    struct SeededGenerator: RandomNumberGenerator {
        private var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// The generator after `draws` more draws (SplitMix64's state moves by a constant per draw).
        func jumped(by draws: UInt64) -> SeededGenerator {
            var g = self
            g.state &+= draws &* 0x9E37_79B9_7F4A_7C15
            return g
        }
    }
}
