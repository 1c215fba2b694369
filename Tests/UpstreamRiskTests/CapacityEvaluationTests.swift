import Testing
import UpstreamModel
@testable import UpstreamRisk

/// Capacity per date with ties broken by person, person-level bootstrap intervals, Wilson intervals, and disparities
/// flagged only when groups are big enough and their intervals do not overlap.
@Suite("Capacity, intervals and disparities")
struct CapacityEvaluationTests {

    @Test func tiesAtTheCutFlagExactlyTheCapacityAndTheSamePersonWinsAtEveryDate() {
        // Two dates of 100 rows each: 10 tied at the top on each date, room for 5 per date (5,000 per 100,000).
        let persons = (0..<100).map { "P\($0)" }
        let scores = (0..<100).map { $0 < 10 ? 1.0 : 0.0 }
        let labels = [UInt8](repeating: 0, count: 200)
        let dated = DatedScores(scores: scores + scores, labels: labels, persons: persons + persons,
                                dates: [Int](repeating: 0, count: 100) + [Int](repeating: 1, count: 100), seed: 3)
        let flags = dated.flags(perHundredThousand: 5_000)
        #expect(flags.filter { $0 }.count == 10)
        let first = Set((0..<100).filter { flags[$0] }), second = Set((0..<100).filter { flags[100 + $0] })
        #expect(first.count == 5 && first.allSatisfy { $0 < 10 })
        #expect(first == second)
        // Row order plays no part: the same persons are flagged when the rows come reversed.
        let reversed = DatedScores(scores: scores.reversed(), labels: [UInt8](repeating: 0, count: 100), persons: persons.reversed(),
                                   dates: [Int](repeating: 0, count: 100), seed: 3)
        let flaggedPersons = Set(reversed.flags(perHundredThousand: 5_000).enumerated().filter(\.element).map { persons.reversed()[$0.offset] })
        #expect(flaggedPersons == Set(first.map { persons[$0] }))
        // The capacity result counts exactly those rows, where a threshold at the tied score would take all ten.
        let c = dated.atCapacity(perHundredThousand: 5_000)
        #expect(c.flagged == 10 && c.threshold == 1)
        #expect(Metrics.confusion(scores: scores, labels: [UInt8](repeating: 0, count: 100), threshold: 1).flagged == 10)
    }

    @Test func theFairnessAuditCountsTheRowsCapacityFlaggedNotEveryRowAtTheCutScore() {
        let scores = [Double](repeating: 1, count: 20) + [Double](repeating: 0, count: 80)
        let labels = [UInt8](repeating: 0, count: 100)
        let groups = (0..<100).map { $0 % 2 == 0 ? "A" : "B" }
        var flags = [Bool](repeating: false, count: 100)
        for i in 0..<5 { flags[i] = true }
        let f = FairnessAudit.audit(subject: "s", scores: scores, labels: labels, attributes: [(name: "g", groups: groups)],
                                    threshold: 1, minimumGroupSize: 1, flagged: flags)
        let flagged = f.attributes[0].groups.compactMap { $0.confusion?.flagged }.reduce(0, +)
        #expect(flagged == 5)
    }

    @Test func bootstrapResamplesPersonsNotRows() throws {
        // 40 persons with two identical rows each (two dates); 8 persons had the outcome and score highest.
        var scores: [Double] = [], labels: [UInt8] = [], persons: [String] = [], dates: [Int] = []
        for d in 0..<2 {
            for p in 0..<40 {
                scores.append(Double(40 - p)); labels.append(p < 8 ? 1 : 0); persons.append("P\(p)"); dates.append(d)
            }
        }
        let dated = DatedScores(scores: scores, labels: labels, persons: persons, dates: dates, seed: 9)
        let b = dated.bootstrap(perHundredThousand: 5_000, replicates: 300)
        #expect(b.unit == "person" && b.replicates == 300)
        // Perfect ranking in every resample.
        #expect(b.rocAUC == Interval(lower: 1, upper: 1))
        // Capacity 2 per date of 40; the top scorers are outcomes in (nearly) every resample, so precision is 1.
        #expect(b.precision == Interval(lower: 1, upper: 1))
        let point = dated.atCapacity(perHundredThousand: 5_000)
        #expect(point.confusion.truePositives == 4 && point.flagged == 4)
        // Recall 4 of 16 outcome rows; it varies with how many outcome persons a resample draws.
        let recall = try #require(b.recall)
        #expect(recall.lower < 0.25 && recall.upper > 0.25)
        // A person's two rows are drawn together, so the outcomes found are always even (two per person).
        let found = try #require(b.truePositives)
        #expect(found.lower.truncatingRemainder(dividingBy: 2) == 0 && found.upper.truncatingRemainder(dividingBy: 2) == 0)
    }

    /// The bootstrap as it was written before its replicates were spread over threads: one generator drawn replicate
    /// after replicate, rows reached through their indices. The reference the faster one must equal, figure for figure.
    static func referenceBootstrap(_ d: DatedScores, perHundredThousand c: Double, replicates: Int) -> [[Double]] {
        var index: [String: Int] = [:]
        let personOfRow = d.persons.map { p -> Int in
            if let i = index[p] { return i }
            index[p] = index.count
            return index.count - 1
        }
        let n = index.count
        let all = d.scores.indices.sorted { a, b in (d.scores[a], d.tieKeys[a], b) > (d.scores[b], d.tieKeys[b], a) }
        var aucs: [Double] = [], precisions: [Double] = [], recalls: [Double] = [], found: [Double] = []
        var rng = Metrics.SeededGenerator(seed: d.seed ^ 0xB007_5742)
        var weight = [Int](repeating: 0, count: n)
        for _ in 0..<replicates {
            for p in 0..<n { weight[p] = 0 }
            for _ in 0..<n { weight[Int(rng.next() % UInt64(n))] += 1 }
            var tp = 0.0, fp = 0.0, twiceU = 0.0, j = 0
            while j < all.count {
                var dTP = 0.0, dFP = 0.0
                let s = d.scores[all[j]]
                while j < all.count && d.scores[all[j]] == s {
                    let w = Double(weight[personOfRow[all[j]]])
                    if d.labels[all[j]] != 0 { dTP += w } else { dFP += w }
                    j += 1
                }
                twiceU += dFP * (2 * tp + dTP)
                tp += dTP; fp += dFP
            }
            if tp > 0 && fp > 0 { aucs.append(twiceU / (2 * tp * fp)) }
            var flagged = 0, hits = 0, positives = 0
            for order in d.orderByDate {
                var size = 0
                for i in order { size += weight[personOfRow[i]]; if d.labels[i] != 0 { positives += weight[personOfRow[i]] } }
                var room = Metrics.capacityCount(population: size, perHundredThousand: c)
                for i in order where room > 0 {
                    let take = min(room, weight[personOfRow[i]])
                    room -= take; flagged += take
                    if d.labels[i] != 0 { hits += take }
                }
            }
            if flagged > 0 { precisions.append(Double(hits) / Double(flagged)) }
            if positives > 0 { recalls.append(Double(hits) / Double(positives)) }
            found.append(Double(hits))
        }
        return [aucs.sorted(), precisions.sorted(), recalls.sorted(), found.sorted()]
    }

    @Test func bootstrapOnSeveralThreadsGivesTheSameIntervalsAsOneGeneratorInOrder() throws {
        // 3 dates of 700 persons (some missing at a date), scores with many ties, a rare outcome.
        var scores: [Double] = [], labels: [UInt8] = [], persons: [String] = [], dates: [Int] = []
        var rng = Metrics.SeededGenerator(seed: 5)
        for d in 0..<3 {
            for p in 0..<700 where (p + d) % 11 != 0 {
                let x = Double(rng.next() % 40) / 40
                scores.append(x); labels.append(rng.next() % 100 < UInt64(2 + x * 10) ? 1 : 0); persons.append("P\(p)"); dates.append(d)
            }
        }
        let dated = DatedScores(scores: scores, labels: labels, persons: persons, dates: dates, seed: 4)
        let reference = Self.referenceBootstrap(dated, perHundredThousand: 2_000, replicates: 61)
        func interval(_ xs: [Double]) -> Interval? {
            guard xs.count >= 2 else { return nil }
            func q(_ p: Double) -> Double { xs[min(xs.count - 1, max(0, Int((p * Double(xs.count - 1)).rounded())))] }
            let level = 0.95
            return Interval(lower: q((1 - level) / 2), upper: q(1 - (1 - level) / 2))
        }
        let expected = BootstrapIntervals(unit: "person", replicates: 61, level: 0.95, rocAUC: interval(reference[0]), precision: interval(reference[1]),
                                          recall: interval(reference[2]), truePositives: interval(reference[3]))
        // 61 replicates make 7 chunks of replicates; three workers take them in reverse order.
        let threads = Parallelism(workers: 3) { n, body in for i in (0..<n).reversed() { body(i) } }
        for parallelism in [Parallelism.serial, threads] {
            #expect(dated.bootstrap(perHundredThousand: 2_000, replicates: 61, parallelism: parallelism) == expected)
        }
        // The intervals are not degenerate: the comparison means something.
        #expect(try #require(expected.rocAUC).lower < #require(expected.rocAUC).upper)
        #expect(try #require(expected.truePositives).lower < #require(expected.truePositives).upper)
    }

    @Test func wilsonIntervalsMatchPublishedValues() throws {
        // Newcombe (1998), table I: 0/10 → 0 to 0.2775; 5/10 → 0.2366 to 0.7634; 81/263 → 0.2553 to 0.3662.
        let a = try #require(Metrics.wilson(successes: 0, trials: 10))
        #expect(a.lower == 0 && abs(a.upper - 0.2775) < 5e-5)
        let b = try #require(Metrics.wilson(successes: 5, trials: 10))
        #expect(abs(b.lower - 0.2366) < 5e-5 && abs(b.upper - 0.7634) < 5e-5)
        let c = try #require(Metrics.wilson(successes: 81, trials: 263))
        #expect(abs(c.lower - 0.2553) < 5e-5 && abs(c.upper - 0.3662) < 5e-5)
        #expect(Metrics.wilson(successes: 0, trials: 0) == nil)
    }

    /// Two groups with selection rates 20% and 10%: ratio 2, difference 0.1. With 20 rows each the intervals overlap,
    /// so the gap is shown but not flagged; with 2,000 each it is flagged.
    func audit(perGroup n: Int) -> Disparity? {
        var scores: [Double] = [], groups: [String] = []
        for (g, share) in [("A", 0.2), ("B", 0.1)] {
            for i in 0..<n { scores.append(Double(i) < Double(n) * share ? 1 : 0); groups.append(g) }
        }
        let labels = scores.indices.map { UInt8($0 % 2) }
        let f = FairnessAudit.audit(subject: "s", scores: scores, labels: labels, attributes: [(name: "g", groups: groups)],
                                    threshold: 1, bound: 1.25, minimumGroupSize: 10, probabilities: false, minimumRateBase: 10)
        return f.attributes[0].disparities.first { $0.measure == "selection_rate" }
    }

    @Test func aDisparityIsFlaggedOnlyWhenTheIntervalsDoNotOverlap() throws {
        let small = try #require(audit(perGroup: 20))
        #expect(small.ratio == 2 && abs(small.difference! - 0.1) < 1e-12)
        #expect(small.intervalsOverlap == true && !small.exceedsBound)
        let large = try #require(audit(perGroup: 2_000))
        #expect(large.intervalsOverlap == false && large.exceedsBound)
    }

    @Test func recallIsComparedSoALowCapacityGapCanFlag() throws {
        // Group A: 400 outcomes, 40 flagged (recall 10%); group B: 400 outcomes, 8 flagged (2%). FNRs 0.90 and 0.98
        // differ by a ratio of 1.09, under the bound; recall differs fivefold.
        var scores: [Double] = [], labels: [UInt8] = [], groups: [String] = []
        for (g, found) in [("A", 40), ("B", 8)] {
            for i in 0..<4_000 {
                let outcome = i < 400
                labels.append(outcome ? 1 : 0); scores.append(outcome && i < found ? 1 : 0); groups.append(g)
            }
        }
        let f = FairnessAudit.audit(subject: "s", scores: scores, labels: labels, attributes: [(name: "g", groups: groups)],
                                    threshold: 1, bound: 1.25, minimumGroupSize: 10, probabilities: false, minimumRateBase: 10)
        let d = f.attributes[0].disparities
        let fnr = try #require(d.first { $0.measure == "false_negative_rate" })
        let tpr = try #require(d.first { $0.measure == "true_positive_rate" })
        #expect(!fnr.exceedsBound)
        #expect(tpr.exceedsBound && abs(tpr.ratio! - 5) < 1e-12)
    }

    @Test func anAuditWithEveryGroupSuppressedComparesNothing() {
        let f = FairnessAudit.audit(subject: "s", scores: [0.1, 0.9, 0.5], labels: [0, 1, 0],
                                    attributes: [(name: "g", groups: ["A", "B", "A"])], threshold: 0.5, minimumGroupSize: 10)
        #expect(!f.anyCompared && f.flags.isEmpty)
    }
}
