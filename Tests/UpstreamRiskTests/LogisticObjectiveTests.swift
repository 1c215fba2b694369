import Foundation
import Testing
import UpstreamModel

@testable import UpstreamRisk

/// The logistic regression's objective, computed four columns at a time with one `exp` per row, against the objective
/// as it was written one column at a time: the same loss and gradient bit for bit, so the same models.
@Suite struct LogisticObjectiveTests {
    /// The objective as written before session 10: one column at a time, σ and the softplus each with their own `exp`.
    static func reference(_ problem: LogisticRegression.Problem, _ theta: [Double]) -> (Double, [Double]) {
        let p = problem.parameterCount, d = problem.columns.count
        var grad = [Double](repeating: 0, count: p), loss = 0.0
        for range in LogisticRegression.chunks(rows: problem.rows) {
            var part = [Double](repeating: 0, count: p + 1)
            var margin = [Double](repeating: theta[0], count: range.count)
            for j in 0..<d {
                let a = theta[1 + j] * problem.inverseScales[j], b = -a * problem.means[j]
                let v = problem.indicatorIndex[j] >= 0 ? theta[problem.indicatorIndex[j]] : 0
                for k in 0..<range.count {
                    let x = problem.columns[j][range.lowerBound + k]
                    margin[k] += x.isNaN ? v : a * Double(x) + b
                }
            }
            var g0 = 0.0, chunkLoss = 0.0
            for k in 0..<range.count {
                let m = margin[k], y = Double(problem.labels[range.lowerBound + k])
                chunkLoss += (m > 0 ? m + log1p(exp(-m)) : log1p(exp(m))) - y * m
                let r = Calibrator.sigmoid(m) - y
                margin[k] = r
                g0 += r
            }
            part[0] = g0
            for j in 0..<d {
                var acc = 0.0, accMissing = 0.0
                for k in 0..<range.count {
                    let x = problem.columns[j][range.lowerBound + k]
                    if x.isNaN { accMissing += margin[k] } else { acc += margin[k] * (Double(x) - problem.means[j]) }
                }
                part[1 + j] = acc * problem.inverseScales[j]
                if problem.indicatorIndex[j] >= 0 { part[problem.indicatorIndex[j]] = accMissing }
            }
            part[p] = chunkLoss
            for q in 0..<p { grad[q] += part[q] }
            loss += part[p]
        }
        for q in 1..<p {
            loss += 0.5 * problem.l2 * theta[q] * theta[q]
            grad[q] += problem.l2 * theta[q]
        }
        let scale = 1 / Double(problem.rows)
        return (loss * scale, grad.map { $0 * scale })
    }

    @Test func theObjectiveIsTheOneColumnAtATimeObjectiveBitForBit() {
        // 20,000 rows (three chunks), 11 features (two blocks of four and three left over), missing values in some
        // columns, counts with many zeros, and margins of both signs and exactly 0.
        let threads = Parallelism(workers: 2) { n, body in for i in (0..<n).reversed() { body(i) } }
        for parallel in [Parallelism.serial, threads] {
            let problem = Self.problem(rows: 20_000, features: 11, seed: 17, parallel: parallel)
            var thetas = [[Double](repeating: 0, count: problem.parameterCount)]
            thetas.append((0..<problem.parameterCount).map { q in Double(q % 5) * 0.37 - 0.6 })
            thetas.append((0..<problem.parameterCount).map { q in q == 0 ? -40 : Double(q % 3) * 2.5 })
            for theta in thetas {
                let (loss, grad) = problem.lossAndGradient(theta), (refLoss, refGrad) = Self.reference(problem, theta)
                #expect(loss.bitPattern == refLoss.bitPattern)
                #expect(grad.map(\.bitPattern) == refGrad.map(\.bitPattern))
                #expect(grad.contains { $0 != 0 })
            }
        }
    }

    /// Rows with missing values in every third column, counts with many zeros, margins of both signs, both outcomes.
    static func problem(rows n: Int = 3_000, features d: Int = 6, seed: UInt64 = 5, parallel: Parallelism = .serial) -> LogisticRegression.Problem {
        var rng = Metrics.SeededGenerator(seed: seed)
        var columns = [[Float]](repeating: [], count: d)
        var labels: [UInt8] = []
        for i in 0..<n {
            for j in 0..<d {
                let u = Double(rng.next() % 10_000) / 10_000
                let missing = (j % 3 == 1) && rng.next() % 7 == 0
                columns[j].append(missing ? .nan : j % 2 == 0 ? Float(u * 8 - 3) : Float((rng.next() % 5 == 0) ? (u * 20).rounded() : 0))
            }
            labels.append(rng.next() % 100 < (i % 3 == 0 ? 30 : 4) ? 1 : 0)
        }
        return LogisticRegression.Problem(
            columns: columns, labels: labels, means: (0..<d).map { Double($0) * 0.3 - 1 }, inverseScales: (0..<d).map { 1 / (1 + Double($0) * 0.1) },
            hasMissing: (0..<d).map { $0 % 3 == 1 }, l2: 0.7, parallel: parallel)
    }

    @Test func theHessianIsTheGradientsDerivative() {
        // Central differences of the gradient, column by column, at a point away from the optimum.
        let problem = Self.problem()
        let p = problem.parameterCount
        let theta = (0..<p).map { q in Double(q % 4) * 0.21 - 0.3 }
        let h = problem.hessian(theta)
        for q in 0..<p {
            var up = theta, down = theta
            up[q] += 1e-5
            down[q] -= 1e-5
            let gu = problem.lossAndGradient(up).1, gd = problem.lossAndGradient(down).1
            for r in 0..<p {
                let numeric = (gu[r] - gd[r]) / 2e-5
                #expect(abs(numeric - h[r * p + q]) <= 1e-6 + 1e-4 * abs(numeric), "H[\(r),\(q)] \(h[r * p + q]) against \(numeric)")
            }
        }
        // Symmetric, and the same on any number of workers, bit for bit.
        for r in 0..<p { for q in 0..<p { #expect(h[r * p + q] == h[q * p + r]) } }
        let threads = Parallelism(workers: 2) { n, body in for i in (0..<n).reversed() { body(i) } }
        #expect(Self.problem(rows: 20_000, parallel: threads).hessian(theta).map(\.bitPattern)
                == Self.problem(rows: 20_000).hessian(theta).map(\.bitPattern))
    }

    @Test func newtonReachesTheToleranceInFewIterations() {
        let problem = Self.problem(rows: 20_000)
        var start = [Double](repeating: 0, count: problem.parameterCount)
        start[0] = -2
        let result = LogisticRegression.minimiseNewton(start: start, maxIterations: 100, tolerance: 1e-9,
                                                       objective: problem.lossAndGradient, hessian: problem.hessian)
        #expect(result.converged && result.iterations <= 15, "\(result.iterations) iterations")
        #expect(problem.lossAndGradient(result.x).1.allSatisfy { abs($0) < 1e-9 })
    }

    @Test func choleskySolvesPositiveDefiniteSystemsAndRefusesOthers() {
        let a = [4.0, 2, 0.4, 2, 5, 1, 0.4, 1, 3], x = [1.0, -2, 0.5]
        let b = (0..<3).map { i in (0..<3).reduce(0.0) { $0 + a[i * 3 + $1] * x[$1] } }
        let solved = LogisticRegression.choleskySolve(a, b)!
        #expect(zip(solved, x).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(LogisticRegression.choleskySolve([1, 2, 2, 1], [1, 1]) == nil)
        #expect(LogisticRegression.choleskySolve([0, 0, 0, 0], [1, 1]) == nil)
    }
}
