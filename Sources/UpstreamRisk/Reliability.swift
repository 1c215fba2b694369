import Foundation

/// Observed against expected outcomes in one band of a ranking: the check that calibrated probabilities hold where
/// they are used (a plan offers places to the top of the ranking, so a model calibrated on average but not at its
/// top values the plan wrongly).
public struct ReliabilityBand: Codable, Sendable, Hashable {
    /// What the band is, e.g. "decile 10 (highest)" or "top 1%".
    public var label: String
    /// Rows in the band.
    public var count: Int
    /// Sum of the predicted probabilities (the outcomes the model expects).
    public var expected: Double
    /// Outcomes that happened.
    public var observed: Int
    /// Observed over expected; `nil` when nothing was expected.
    public var ratio: Double?
    /// The exact (Garwood) 95% Poisson interval of the observed count, divided by `expected`.
    public var ratioLow: Double?
    public var ratioHigh: Double?

    public init(label: String, count: Int, expected: Double, observed: Int) {
        self.label = label; self.count = count; self.expected = expected; self.observed = observed
        if expected > 0 {
            let (lo, hi) = Reliability.poissonInterval(observed)
            ratio = Double(observed) / expected
            ratioLow = lo / expected
            ratioHigh = hi / expected
        }
    }

    /// The band's observed count is inside the 95% Poisson interval of what the model expected there.
    public var consistent: Bool {
        guard let ratioLow, let ratioHigh else { return observed == 0 }
        return ratioLow <= 1 && 1 <= ratioHigh
    }
}

/// Reliability by bands of a ranking: the ten deciles (by rank, highest last) and the top shares asked for, each
/// with observed against expected outcomes and an exact Poisson interval.
public enum Reliability {
    /// - Parameters:
    ///   - scores: calibrated probabilities.
    ///   - labels: outcomes (0 or 1), one per score.
    ///   - deciles: how many equal-count bands by rank (10 for deciles; rows are split as evenly as they divide, the
    ///     remainder going to the lowest bands). Tied scores are ordered by their position, so the split is
    ///     deterministic.
    ///   - topShares: shares of the highest-ranked rows to report as well (0.01 = the top 1%, at least one row).
    ///   - topCounts: numbers of highest-ranked rows to report as well (e.g. the places a plan filled).
    public static func bands(scores: [Double], labels: [UInt8], deciles: Int = 10, topShares: [Double] = [0.01],
                             topCounts: [Int] = []) -> [ReliabilityBand] {
        precondition(scores.count == labels.count, "one label per score")
        let n = scores.count
        guard n > 0 else { return [] }
        // Lowest first; ties by position.
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }
        var out: [ReliabilityBand] = []
        if deciles > 0 {
            let base = n / deciles, extra = n % deciles
            var start = 0
            for d in 0..<deciles {
                let size = base + (d < extra ? 1 : 0)
                let rows = order[start..<(start + size)]
                start += size
                guard !rows.isEmpty else { continue }
                let name = deciles == 10 ? "decile" : "band"
                let label = "\(name) \(d + 1)" + (d == 0 ? " (lowest)" : d == deciles - 1 ? " (highest)" : "")
                out.append(band(label, rows, scores, labels))
            }
        }
        for share in topShares where share > 0 && share <= 1 {
            let k = max(1, Int((Double(n) * share).rounded()))
            let pct = share * 100
            let label = "top " + (pct == pct.rounded() ? String(Int(pct)) : String(format: "%.1f", pct)) + "%"
            out.append(band(label, order.suffix(k), scores, labels))
        }
        for k in topCounts where k > 0 {
            out.append(band("top \(min(k, n))", order.suffix(min(k, n)), scores, labels))
        }
        return out
    }

    static func band(_ label: String, _ rows: ArraySlice<Int>, _ scores: [Double], _ labels: [UInt8]) -> ReliabilityBand {
        var e = 0.0, o = 0
        for i in rows { e += scores[i]; o += Int(labels[i]) }
        return ReliabilityBand(label: label, count: rows.count, expected: e, observed: o)
    }

    /// The exact (Garwood) 95% interval for the mean of a Poisson count `k`: the means under which seeing `k` or
    /// more (for the lower end), or `k` or fewer (for the upper end), has probability 2.5%. The lower end is 0 for
    /// `k = 0`. Found by bisection on the Poisson distribution function.
    public static func poissonInterval(_ k: Int, alpha: Double = 0.05) -> (low: Double, high: Double) {
        precondition(k >= 0, "a count")
        let tail = alpha / 2
        // P(X ≤ k | μ), decreasing in μ.
        func cdf(_ k: Int, _ mu: Double) -> Double {
            guard k >= 0 else { return 0 }
            if mu == 0 { return 1 }
            var term = exp(-mu), sum = term
            if k > 0 { for j in 1...k { term *= mu / Double(j); sum += term } }
            // For large μ exp(−μ) underflows: sum in log space instead.
            if term == 0 && sum == 0 {
                var logSum = -Double.infinity
                var logTerm = -mu
                for j in 0...k {
                    if j > 0 { logTerm += log(mu) - log(Double(j)) }
                    let m = max(logSum, logTerm)
                    logSum = m + log(exp(logSum - m) + exp(logTerm - m))
                }
                return exp(logSum)
            }
            return min(1, sum)
        }
        func solve(_ f: (Double) -> Double, _ target: Double) -> Double {
            // f decreasing in μ; find μ with f(μ) = target.
            var lo = 0.0, hi = Double(k) + 10 + 10 * Double(k).squareRoot()
            while f(hi) > target { hi *= 2 }
            for _ in 0..<200 {
                let mid = (lo + hi) / 2
                if f(mid) > target { lo = mid } else { hi = mid }
                if hi - lo < 1e-12 * max(1, hi) { break }
            }
            return (lo + hi) / 2
        }
        // Upper: P(X ≤ k | μ) = tail. Lower: P(X ≥ k | μ) = tail, i.e. P(X ≤ k − 1 | μ) = 1 − tail.
        let high = solve({ cdf(k, $0) }, tail)
        let low = k == 0 ? 0 : solve({ cdf(k - 1, $0) }, 1 - tail)
        return (low, high)
    }
}
