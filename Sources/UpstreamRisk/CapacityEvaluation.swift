import Foundation
import UpstreamModel

/// A two-sided interval around a figure (a 95% bootstrap percentile interval, a Wilson interval).
public struct Interval: Codable, Sendable, Hashable {
    public var lower: Double
    public var upper: Double
    public init(lower: Double, upper: Double) { self.lower = lower; self.upper = upper }
    /// Whether the two intervals share any value.
    public func overlaps(_ other: Interval) -> Bool { lower <= other.upper && other.lower <= upper }
}

/// Percentile bootstrap intervals of a model's figures, from resampling **persons** (every row of a person drawn
/// goes in together, so a person seen at five dates is not counted as five independent observations).
public struct BootstrapIntervals: Codable, Sendable, Hashable {
    /// "person": what was resampled.
    public var unit: String
    public var replicates: Int
    /// 0.95.
    public var level: Double
    public var rocAUC: Interval?
    /// Precision and recall at capacity (per date, pooled), and the number of outcomes found at capacity.
    public var precision: Interval?
    public var recall: Interval?
    public var truePositives: Interval?
    public init(unit: String, replicates: Int, level: Double, rocAUC: Interval?, precision: Interval?, recall: Interval?, truePositives: Interval?) {
        self.unit = unit; self.replicates = replicates; self.level = level; self.rocAUC = rocAUC
        self.precision = precision; self.recall = recall; self.truePositives = truePositives
    }
}

/// Rows of several as-of dates scored together: who is flagged when each date has its own capacity, and how sure
/// the figures are.
///
/// Units: a **row** is one person at one as-of date (a person-date). Capacity is applied **per date** (each date
/// flags the top `perHundredThousand` per 100,000 of that date's rows, as a service would), and precision and recall
/// at capacity pool the flags of every date. Ties at a date's cut are broken by a keyed hash of the person
/// (`CrossValidation.unit(person, seed)`), so exactly the capacity is flagged, the same person wins a tie at every
/// date, and row order plays no part.
public struct DatedScores: Sendable {
    public var scores: [Double]
    public var labels: [UInt8]
    /// The person of each row (the bootstrap's unit and the tie-break's key).
    public var persons: [String]
    /// The as-of date of each row, as an index (0, 1, …) in date order.
    public var dates: [Int]
    public var seed: UInt64

    /// Each row's tie-break key in [0, 1).
    let tieKeys: [Double]
    /// Per date, its rows highest score first, ties by key.
    let orderByDate: [[Int]]

    public init(scores: [Double], labels: [UInt8], persons: [String], dates: [Int], seed: UInt64) {
        precondition(scores.count == labels.count && scores.count == persons.count && scores.count == dates.count, "one label, person and date per score")
        precondition(!scores.contains { $0.isNaN }, "scores must not be NaN")
        self.scores = scores; self.labels = labels; self.persons = persons; self.dates = dates; self.seed = seed
        let keys = persons.map { CrossValidation.unit($0, seed: seed) }
        tieKeys = keys
        var byDate = [[Int]](repeating: [], count: (dates.max() ?? -1) + 1)
        for i in scores.indices { byDate[dates[i]].append(i) }
        orderByDate = byDate.map { rows in
            rows.sorted { a, b in (scores[a], keys[a], b) > (scores[b], keys[b], a) }
        }
    }

    /// Which rows are flagged: on each date exactly `Metrics.capacityCount(population: that date's rows, …)`.
    public func flags(perHundredThousand: Double) -> [Bool] {
        var out = [Bool](repeating: false, count: scores.count)
        for order in orderByDate {
            let k = Metrics.capacityCount(population: order.count, perHundredThousand: perHundredThousand)
            for i in order.prefix(k) { out[i] = true }
        }
        return out
    }

    /// Precision and recall at capacity per date, pooled; the threshold is the lowest score flagged on any date.
    public func atCapacity(perHundredThousand: Double) -> CapacityResult {
        let f = flags(perHundredThousand: perHundredThousand)
        var c = ConfusionCounts()
        var lowest = Double.infinity
        for i in scores.indices {
            switch (f[i], labels[i] != 0) {
            case (true, true): c.truePositives += 1
            case (true, false): c.falsePositives += 1
            case (false, true): c.falseNegatives += 1
            case (false, false): c.trueNegatives += 1
            }
            if f[i] { lowest = min(lowest, scores[i]) }
        }
        return CapacityResult(perHundredThousand: perHundredThousand, population: scores.count, flagged: c.flagged,
                              threshold: lowest.isFinite ? lowest : 0, confusion: c)
    }

    /// Percentile intervals from `replicates` resamples of the persons (with replacement). In each resample a person
    /// drawn twice counts twice at every date they appear; capacity is recomputed from each date's resampled size.
    ///
    /// The replicates are independent: replicate `r` draws its `n` persons from the generator moved `r × n` draws on
    /// (SplitMix64 jumps by adding to its state), so they are spread over `parallelism`'s threads in chunks and
    /// collected in replicate order, the same figures as one after another. Each replicate reads the rows in score
    /// order (and each date's in its capacity order) from arrays laid out in that order once, not through the row
    /// indices.
    public func bootstrap(perHundredThousand: Double?, replicates: Int = 500, level: Double = 0.95,
                          parallelism: Parallelism = .serial) -> BootstrapIntervals {
        // Persons as indices.
        var index: [String: Int] = [:]
        let personOfRow = persons.map { p -> Int32 in
            if let i = index[p] { return Int32(i) }
            index[p] = index.count
            return Int32(index.count - 1)
        }
        let n = index.count
        // One global order for the AUC, as the persons and outcomes of its rows, cut where the score changes.
        let all = scores.indices.sorted { a, b in (scores[a], tieKeys[a], b) > (scores[b], tieKeys[b], a) }
        let rankedPerson = all.map { personOfRow[$0] }, rankedPositive = all.map { labels[$0] != 0 }
        var tieEnds: [Int] = []
        for j in all.indices where j == all.count - 1 || scores[all[j + 1]] != scores[all[j]] { tieEnds.append(j + 1) }
        // Each date's rows in capacity order, likewise.
        let datePerson = orderByDate.map { $0.map { personOfRow[$0] } }, datePositive = orderByDate.map { $0.map { labels[$0] != 0 } }
        let draws = max(0, replicates)
        let start = Metrics.SeededGenerator(seed: seed ^ 0xB007_5742)
        struct Figures { var auc, precision, recall, found: Double? }
        let chunks = Parallelism.chunkCount(draws, minChunk: 8)
        let parts = parallelism.map(chunks) { c -> [Figures] in
            let range = (draws * c / chunks)..<(draws * (c + 1) / chunks)
            var rng = start.jumped(by: UInt64(range.lowerBound) &* UInt64(n))
            var weight = [Int32](repeating: 0, count: n)
            var out: [Figures] = []
            out.reserveCapacity(range.count)
            for _ in range {
                var f = Figures()
                for p in 0..<n { weight[p] = 0 }
                for _ in 0..<n { weight[Int(rng.next() % UInt64(n))] += 1 }
                // ROC AUC with weights: positives above count 2, tied count 1 (Mann-Whitney).
                var tp = 0.0, fp = 0.0, twiceU = 0.0
                var j = 0
                for end in tieEnds {
                    var dTP = 0.0, dFP = 0.0
                    while j < end {
                        let w = Double(weight[Int(rankedPerson[j])])
                        if rankedPositive[j] { dTP += w } else { dFP += w }
                        j += 1
                    }
                    twiceU += dFP * (2 * tp + dTP)
                    tp += dTP; fp += dFP
                }
                if tp > 0 && fp > 0 { f.auc = twiceU / (2 * tp * fp) }
                if let c = perHundredThousand {
                    var flagged = 0, hits = 0, positives = 0
                    for d in datePerson.indices {
                        let people = datePerson[d], positive = datePositive[d]
                        var size = 0
                        for i in people.indices {
                            let w = Int(weight[Int(people[i])])
                            size += w
                            if positive[i] { positives += w }
                        }
                        var room = Metrics.capacityCount(population: size, perHundredThousand: c)
                        var i = 0
                        while room > 0 && i < people.count {
                            let take = min(room, Int(weight[Int(people[i])]))
                            room -= take; flagged += take
                            if positive[i] { hits += take }
                            i += 1
                        }
                    }
                    if flagged > 0 { f.precision = Double(hits) / Double(flagged) }
                    if positives > 0 { f.recall = Double(hits) / Double(positives) }
                    f.found = Double(hits)
                }
                out.append(f)
            }
            return out
        }
        let figures = parts.flatMap { $0 }
        func interval(_ xs: [Double]) -> Interval? {
            guard xs.count >= 2 else { return nil }
            let v = xs.sorted()
            func q(_ p: Double) -> Double { v[min(v.count - 1, max(0, Int((p * Double(v.count - 1)).rounded())))] }
            return Interval(lower: q((1 - level) / 2), upper: q(1 - (1 - level) / 2))
        }
        return BootstrapIntervals(unit: "person", replicates: replicates, level: level, rocAUC: interval(figures.compactMap(\.auc)),
                                  precision: interval(figures.compactMap(\.precision)), recall: interval(figures.compactMap(\.recall)),
                                  truePositives: interval(figures.compactMap(\.found)))
    }

    /// The report's figures for one model: ranking measures over every row, precision and recall at capacity per date
    /// (pooled), and person-level bootstrap intervals.
    public func evaluate(name: String, key: String, population: String, perHundredThousand: Double, probabilities: Bool,
                         replicates: Int = 500, parallelism: Parallelism = .serial) -> ModelEvaluation {
        var e = Metrics.evaluate(name: name, key: key, population: population, scores: scores, labels: labels,
                                 capacityPerHundredThousand: nil, probabilities: probabilities)
        e.capacity = atCapacity(perHundredThousand: perHundredThousand)
        e.capacityUnit = "per date: the top \(Metrics.numberText(perHundredThousand)) per 100,000 of each date's young people, pooled over \(orderByDate.filter { !$0.isEmpty }.count) dates"
        e.intervals = bootstrap(perHundredThousand: perHundredThousand, replicates: replicates, parallelism: parallelism)
        return e
    }
}

extension Metrics {
    /// A capacity or bound as text: no decimals when whole.
    public static func numberText(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }

    /// The Wilson score interval of a proportion `successes / trials` (95% by default, z = 1.96): unlike the
    /// normal approximation it stays inside [0, 1] and is honest for small groups and rare events.
    /// `nil` when there are no trials.
    public static func wilson(successes: Int, trials: Int, z: Double = 1.959964) -> Interval? {
        guard trials > 0 else { return nil }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return Interval(lower: max(0, centre - half), upper: min(1, centre + half))
    }
}
