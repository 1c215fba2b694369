import Foundation
import Testing

@testable import UpstreamRisk

@Suite struct ReliabilityTests {
    @Test func garwoodIntervalsMatchTheChiSquareForm() {
        // The exact Poisson interval is (χ²(2.5%; 2k)/2, χ²(97.5%; 2k + 2)/2); values from scipy.stats.chi2.ppf.
        let expected: [(Int, Double, Double)] = [
            (0, 0, 3.6888794541139354), (1, 0.025317807984289876, 5.571643390938898), (2, 0.24220927854396496, 7.22468766772396),
            (5, 1.6234863901184207, 11.66833207932267), (10, 4.7953886961324335, 18.39035604201778),
            (100, 81.36399125092314, 121.62679379242638),
        ]
        for (k, lo, hi) in expected {
            let (l, h) = Reliability.poissonInterval(k)
            #expect(abs(l - lo) < 1e-6 * max(1, lo), "k = \(k): low \(l), want \(lo)")
            #expect(abs(h - hi) < 1e-6 * hi, "k = \(k): high \(h), want \(hi)")
        }
        // k = 0: the upper end is −ln(0.025), where seeing nothing has probability 2.5%.
        #expect(abs(Reliability.poissonInterval(0).high - -log(0.025)) < 1e-9)
    }

    @Test func bandsByRankWithHandCountedSums() {
        // Ten rows, five bands of two by rank (ties kept in row order), the top 20% and the top 3.
        let scores = [0.05, 0.1, 0.1, 0.2, 0.3, 0.3, 0.4, 0.5, 0.6, 0.9]
        let labels: [UInt8] = [0, 0, 1, 0, 0, 0, 1, 0, 1, 1]
        let b = Reliability.bands(scores: scores, labels: labels, deciles: 5, topShares: [0.2], topCounts: [3])
        #expect(b.map(\.label) == ["band 1 (lowest)", "band 2", "band 3", "band 4", "band 5 (highest)", "top 20%", "top 3"])
        #expect(b.map(\.count) == [2, 2, 2, 2, 2, 2, 3])
        #expect(b.map(\.observed) == [0, 1, 0, 1, 2, 2, 2])
        let e = [0.15, 0.3, 0.6, 0.9, 1.5, 1.5, 2.0]
        for (band, want) in zip(b, e) { #expect(abs(band.expected - want) < 1e-12, "\(band.label)") }
        // Band 5: 2 seen against 1.5 expected, O/E 1.33 with the interval (0.2422, 7.2247) / 1.5.
        #expect(abs(b[4].ratio! - 2 / 1.5) < 1e-12)
        #expect(abs(b[4].ratioLow! - 0.24220927854396496 / 1.5) < 1e-6 && abs(b[4].ratioHigh! - 7.22468766772396 / 1.5) < 1e-6)
        #expect(b[4].consistent)
        // Band 2: 1 seen against 0.3 expected: O/E 3.33, but the interval (0.084, 18.6) holds 1.
        #expect(b[1].consistent)
    }

    @Test func aTopThatHoldsMoreThanItsIntervalIsFlagged() {
        // 1,000 rows at 1% each: 10 expected overall; the top 100 hold 0.01 × 100 = 1 expected but 8 outcomes.
        let scores = (0..<1_000).map { 0.01 + Double($0) * 1e-9 }
        var labels = [UInt8](repeating: 0, count: 1_000)
        for i in 900..<908 { labels[i] = 1 }
        let top = Reliability.bands(scores: scores, labels: labels, deciles: 10, topShares: [0.01]).first { $0.label == "decile 10 (highest)" }!
        #expect(top.observed == 8 && abs(top.expected - 1.0) < 1e-3)
        // 8 against 1: the Poisson interval for 8 is (3.45, 15.76), so 1 is outside it.
        #expect(!top.consistent)
        #expect(top.ratioLow! > 3.4 && top.ratioLow! < 3.5)
        let deciles = Reliability.bands(scores: scores, labels: labels, topShares: [])
        #expect(deciles.count == 10 && deciles.allSatisfy { $0.count == 100 })
        // The remainder of an uneven split goes to the lowest bands: 11 rows in 10 deciles → 2, then 1s.
        #expect(Reliability.bands(scores: Array(repeating: 0.5, count: 11), labels: Array(repeating: 0, count: 11), topShares: []).map(\.count) == [2, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    }
}
