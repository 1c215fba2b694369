import Foundation
import Testing

@testable import UpstreamRisk

@Suite struct CalibrationTests {
    @Test func isotonicFitsAMonotoneStepExactly() throws {
        // Given outcomes that are 0 below 5 and 1 from 5 up
        let s = (0..<10).map(Double.init)
        let y = s.map { UInt8($0 >= 5 ? 1 : 0) }
        let c = Calibrator.fitIsotonic(scores: s, labels: y)
        // Then the fit reproduces the step (clipped by ε) at every training score
        for (score, label) in zip(s, y) {
            #expect(abs(c.apply(score) - Double(label)) <= Calibrator.epsilon + 1e-12)
        }
        // and is stored compactly: the two ends of each flat step.
        guard case .isotonic(let thresholds, _) = c else {
            Issue.record("not isotonic")
            return
        }
        #expect(thresholds == [0, 4, 5, 9])
        // Between 4 and 5 it interpolates; beyond the ends it is flat.
        #expect(abs(c.apply(4.5) - 0.5) < 1e-9)
        #expect(c.apply(-100) == Calibrator.epsilon && c.apply(100) == 1 - Calibrator.epsilon)
    }

    @Test func isotonicPoolsViolatorsAndIsMonotone() {
        // Hand-worked: labels 1,0 at scores 1,2 pool to ½; the rest is increasing.
        let c = Calibrator.fitIsotonic(scores: [1, 2, 3, 4], labels: [1, 0, 0, 1])
        // PAV: [1,0] → ½,½; then 0 < ½ → pool [1,0,0] → ⅓; then 1.
        #expect(abs(c.apply(1) - 1.0 / 3) < 1e-12 && abs(c.apply(3) - 1.0 / 3) < 1e-12)
        #expect(abs(c.apply(4) - (1 - Calibrator.epsilon)) < 1e-12)

        var rng = Metrics.SeededGenerator(seed: 5)
        let s = (0..<2_000).map { _ in Double.random(in: -3..<3, using: &rng) }
        let y = s.map { UInt8(Double.random(in: 0..<1, using: &rng) < 1 / (1 + exp(-$0)) ? 1 : 0) }
        let fit = Calibrator.fitIsotonic(scores: s, labels: y)
        let grid = stride(from: -4.0, through: 4.0, by: 0.01).map { fit.apply($0) }
        #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(grid.allSatisfy { $0 >= Calibrator.epsilon && $0 <= 1 - Calibrator.epsilon })
    }

    @Test func plattRecoversKnownSlopeAndIntercept() throws {
        // Given outcomes drawn from σ(1.7·x − 0.8)
        var rng = Metrics.SeededGenerator(seed: 9)
        let n = 100_000
        let x = (0..<n).map { _ in Double.random(in: -3..<3, using: &rng) }
        let y = x.map { UInt8(Double.random(in: 0..<1, using: &rng) < 1 / (1 + exp(-(1.7 * $0 - 0.8))) ? 1 : 0) }
        // When Platt scaling is fitted
        guard case .platt(let a, let b) = Calibrator.fitPlatt(scores: x, labels: y) else {
            Issue.record("not Platt")
            return
        }
        // Then a and b are within a few standard errors (about 0.012 and 0.010 here)
        #expect(abs(a - 1.7) < 0.05)
        #expect(abs(b + 0.8) < 0.05)
    }

    @Test func calibratorsRoundTripThroughJSON() throws {
        for c in [Calibrator.platt(a: 1.5, b: -2), .isotonic(thresholds: [0, 1], values: [0.1, 0.9])] {
            let back = try JSONDecoder().decode(Calibrator.self, from: JSONEncoder().encode(c))
            #expect(back == c)
            #expect(c.apply([0.5]) == back.apply([0.5]))
        }
    }

    @Test func plattNeverReversesARanking() {
        // Higher scores have the outcome less often: an unconstrained fit would give a negative slope.
        let scores = (0..<200).map { Double($0) / 20 - 5 }
        let labels: [UInt8] = scores.map { $0 < -3 ? 1 : 0 }
        guard case .platt(let a, _) = Calibrator.fitPlatt(scores: scores, labels: labels) else { Issue.record("not Platt"); return }
        #expect(a > 0)
        let calibrated = Calibrator.fitPlatt(scores: scores, labels: labels).apply(scores)
        #expect(zip(calibrated, calibrated.dropFirst()).allSatisfy { $0 < $1 })
        #expect(abs(calibrated.reduce(0, +) / 200 - 0.2) < 0.01)
    }
}
