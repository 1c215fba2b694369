import Foundation

/// Turns a model's raw score into a probability, fitted on held-out (out-of-fold) rows.
///
/// - `isotonic`: a non-decreasing step function found by pool-adjacent-violators, interpolated linearly between
///   `thresholds` (increasing raw scores) and `values` (their probabilities), flat beyond the ends — as scikit-learn's
///   `IsotonicRegression(out_of_bounds="clip")`. Works on any score scale.
/// - `platt`: `σ(a·score + b)`, Platt scaling. Expects `score` on the log-odds scale (a model's margin).
///
/// Every output is clipped to `[ε, 1 − ε]` with `ε = Calibrator.epsilon`, so no one is ever told 0 or 1.
public enum Calibrator: Codable, Sendable, Hashable {
    case isotonic(thresholds: [Double], values: [Double])
    case platt(a: Double, b: Double)

    /// The smallest distance any calibrated probability keeps from 0 and 1.
    public static let epsilon = 1e-6

    /// The probability for one raw score.
    public func apply(_ score: Double) -> Double {
        let p: Double
        switch self {
        case .platt(let a, let b):
            p = Self.sigmoid(a * score + b)
        case .isotonic(let xs, let ys):
            guard let first = xs.first, let last = xs.last else { return 0.5 }
            if score <= first {
                p = ys[0]
            } else if score >= last {
                p = ys[ys.count - 1]
            } else {
                // First threshold strictly above the score, by binary search.
                var lo = 0
                var hi = xs.count - 1
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if xs[mid] <= score { lo = mid } else { hi = mid }
                }
                let t = (score - xs[lo]) / (xs[hi] - xs[lo])
                p = ys[lo] + t * (ys[hi] - ys[lo])
            }
        }
        return min(1 - Self.epsilon, max(Self.epsilon, p))
    }

    /// The probabilities for many raw scores.
    public func apply(_ scores: [Double]) -> [Double] { scores.map(apply) }

    /// Fits an isotonic (non-decreasing) calibration by pool-adjacent-violators on the rows' scores and outcomes.
    ///
    /// Tied scores are first pooled into one point (their mean outcome, weighted by their count). Only the ends of
    /// each flat step are kept as thresholds, so the stored function is small.
    /// The calibration to use for a rare outcome: isotonic when there are at least 200 positives to shape it,
    /// Platt's two parameters otherwise (steadier with few), and plain σ(score) when one class is missing.
    public static func fit(scores: [Double], labels: [UInt8]) -> Calibrator {
        let positives = labels.reduce(0) { $0 + Int($1) }
        guard positives > 0 && positives < labels.count else { return .platt(a: 1, b: 0) }
        return positives >= 200 ? fitIsotonic(scores: scores, labels: labels) : fitPlatt(scores: scores, labels: labels)
    }

    public static func fitIsotonic(scores: [Double], labels: [UInt8]) -> Calibrator {
        precondition(scores.count == labels.count, "one label per score")
        guard !scores.isEmpty else { return .isotonic(thresholds: [], values: []) }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        // Distinct scores with their total weight and sum of outcomes.
        var x: [Double] = []
        var w: [Double] = []
        var sum: [Double] = []
        for i in order {
            if let last = x.last, last == scores[i] {
                w[w.count - 1] += 1
                sum[sum.count - 1] += Double(labels[i])
            } else {
                x.append(scores[i])
                w.append(1)
                sum.append(Double(labels[i]))
            }
        }
        // Pool adjacent violators: a stack of blocks (first point, last point, weight, sum).
        var blockStart: [Int] = []
        var blockEnd: [Int] = []
        var blockW: [Double] = []
        var blockSum: [Double] = []
        for i in x.indices {
            blockStart.append(i)
            blockEnd.append(i)
            blockW.append(w[i])
            blockSum.append(sum[i])
            while blockW.count >= 2 {
                let k = blockW.count - 1
                guard blockSum[k - 1] / blockW[k - 1] >= blockSum[k] / blockW[k] else { break }
                blockEnd[k - 1] = blockEnd[k]
                blockW[k - 1] += blockW[k]
                blockSum[k - 1] += blockSum[k]
                blockStart.removeLast()
                blockEnd.removeLast()
                blockW.removeLast()
                blockSum.removeLast()
            }
        }
        var thresholds: [Double] = []
        var values: [Double] = []
        for k in blockW.indices {
            let v = min(1 - epsilon, max(epsilon, blockSum[k] / blockW[k]))
            thresholds.append(x[blockStart[k]])
            values.append(v)
            if blockEnd[k] != blockStart[k] {
                thresholds.append(x[blockEnd[k]])
                values.append(v)
            }
        }
        return .isotonic(thresholds: thresholds, values: values)
    }

    /// Fits Platt scaling `σ(a·score + b)` by Newton's method with a backtracking line search, on Platt's smoothed
    /// targets (`(N₊ + 1)/(N₊ + 2)` for positives and `1/(N₋ + 2)` for negatives, which keep the fit finite when the
    /// classes separate). Pass scores on the log-odds scale.
    public static func fitPlatt(scores: [Double], labels: [UInt8], maxIterations: Int = 100) -> Calibrator {
        precondition(scores.count == labels.count, "one label per score")
        let nPos = Double(labels.reduce(0) { $0 + Int($1 != 0 ? 1 : 0) })
        let nNeg = Double(labels.count) - nPos
        let hi = (nPos + 1) / (nPos + 2)
        let lo = 1 / (nNeg + 2)
        let t = labels.map { $0 != 0 ? hi : lo }
        // Start as Platt does: a = 0, b = log odds of the smoothed prior. The loss is in terms of f = a·s + b.
        var a = 0.0
        var b = log((nPos + 1) / (nNeg + 1))
        func loss(_ a: Double, _ b: Double) -> Double {
            var l = 0.0
            for i in scores.indices {
                let f = a * scores[i] + b
                // t·log σ(f) + (1 − t)·log(1 − σ(f)) negated, written stably.
                l += (f >= 0 ? log1p(exp(-f)) + (1 - t[i]) * f : log1p(exp(f)) - t[i] * f)
            }
            return l
        }
        var current = loss(a, b)
        for _ in 0..<maxIterations {
            var ga = 0.0
            var gb = 0.0
            var haa = 1e-12
            var hab = 0.0
            var hbb = 1e-12
            for i in scores.indices {
                let p = sigmoid(a * scores[i] + b)
                let r = p - t[i]
                let s = scores[i]
                let v = p * (1 - p)
                ga += r * s
                gb += r
                haa += v * s * s
                hab += v * s
                hbb += v
            }
            if abs(ga) < 1e-9 * Double(max(1, scores.count)) && abs(gb) < 1e-9 * Double(max(1, scores.count)) { break }
            let det = haa * hbb - hab * hab
            guard det > 0 else { break }
            let da = -(hbb * ga - hab * gb) / det
            let db = -(haa * gb - hab * ga) / det
            var step = 1.0
            var accepted = false
            while step >= 1e-10 {
                let na = a + step * da
                let nb = b + step * db
                let l = loss(na, nb)
                if l < current + 1e-4 * step * (ga * da + gb * db) {
                    a = na
                    b = nb
                    current = l
                    accepted = true
                    break
                }
                step /= 2
            }
            if !accepted || abs(step * da) + abs(step * db) < 1e-12 { break }
        }
        // Calibration must never reverse a ranking: a slope at or below zero (noise in a small calibration set)
        // becomes a flat-but-increasing map at the base rate, keeping the model's order.
        if a <= 0 {
            let positives = Double(labels.reduce(0) { $0 + Int($1) })
            let rate = min(max(positives / Double(max(1, labels.count)), 1e-6), 1 - 1e-6)
            let mean = scores.reduce(0, +) / Double(max(1, scores.count))
            a = 1e-3
            b = log(rate / (1 - rate)) - a * mean
        }
        return .platt(a: a, b: b)
    }

    static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }
}
