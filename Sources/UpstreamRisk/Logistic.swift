import Foundation
import UpstreamModel

/// Trains L2-regularised logistic regression on a `Dataset` by Newton's method (iteratively reweighted least squares).
///
/// Each feature is standardised with the training mean and standard deviation. A missing value (NaN) is imputed
/// with the training mean (0 once standardised) and, for every column that had missing values in training, a
/// missing-indicator term is added, so "not recorded" can carry its own weight. The objective is
///
///     Σᵢ log-loss(yᵢ, marginᵢ) + (l2 / 2) · Σ coefficients²
///
/// (scikit-learn's `C = 1 / l2`); the intercept is not penalised, the missing-indicator terms are. The loss and its
/// gradient are computed over chunks of rows in parallel; chunks are summed in a fixed order, so training is
/// deterministic whatever the number of cores.
public enum LogisticRegression {

    /// Why a logistic regression could not be trained. Carries counts, never data values.
    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        private enum Code: Equatable { case noRows, noLabels, oneClass, notFinite }
        private let code: Code
        /// The feature concerned, when there is one.
        public let feature: String?

        /// The dataset has no rows.
        public static let noRows = Error(code: .noRows, feature: nil)
        /// The dataset has no outcome labels.
        public static let noLabels = Error(code: .noLabels, feature: nil)
        /// Every row has the same outcome, so there is nothing to separate.
        public static let oneClass = Error(code: .oneClass, feature: nil)
        /// A feature holds an infinite value.
        public static func notFinite(feature: String) -> Error { Error(code: .notFinite, feature: feature) }

        public var description: String {
            switch code {
            case .noRows: "cannot train a logistic regression on no rows"
            case .noLabels: "cannot train a logistic regression without outcome labels"
            case .oneClass: "every row has the same outcome; a logistic regression needs both outcomes"
            case .notFinite: "feature \(feature ?? "?") holds an infinite value; use NaN for missing"
            }
        }
    }

    /// Trains on every row of `data`.
    /// - Parameters:
    ///   - l2: ridge penalty on the (standardised) coefficients; larger shrinks more.
    ///   - maxIterations: Newton iterations at most.
    ///   - tolerance: stop when the largest gradient component of the per-row objective falls below this.
    ///   - parallelism: how columns and row chunks are spread over threads; the model is the same for any worker count.
    ///   - start: a model of the same features fitted on similar rows (the final model, for a cross-fitting fold's
    ///     fit), to start from instead of every coefficient zero. The objective is strictly convex (the ridge
    ///     penalty), so the fit ends at the same optimum, to the tolerance, in fewer iterations.
    /// - Returns: the fitted model (`converged` says whether the tolerance was met).
    /// - Throws: `LogisticRegression.Error` when there are no rows, no labels, one class only, or an infinite value.
    public static func train(
        _ data: Dataset, l2: Double = 1.0, maxIterations: Int = 500, tolerance: Double = 1e-7,
        parallelism: Parallelism = .serial, start: LogisticModel? = nil
    ) throws -> LogisticModel {
        let n = data.rowCount
        let d = data.featureCount
        guard n > 0 else { throw Error.noRows }
        guard data.labels.count == n else { throw Error.noLabels }
        let positives = data.labels.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        guard positives > 0 && positives < n else { throw Error.oneClass }

        // Standardisation and which columns get a missing indicator.
        var means = [Double](repeating: 0, count: d)
        var scales = [Double](repeating: 1, count: d)
        var hasMissing = [Bool](repeating: false, count: d)
        let stats = parallelism.map(d) { j -> (Double, Double, Bool, Bool) in
            var count = 0
            var mean = 0.0
            var m2 = 0.0
            var missing = false
            var infinite = false
            for x in data.columns[j] {
                if x.isNaN {
                    missing = true
                    continue
                }
                if x.isInfinite {
                    infinite = true
                    continue
                }
                count += 1
                let v = Double(x)
                let delta = v - mean
                mean += delta / Double(count)
                m2 += delta * (v - mean)
            }
            let sd = count > 1 ? (m2 / Double(count)).squareRoot() : 0
            return (mean, sd, missing, infinite)
        }
        for j in 0..<d {
            if stats[j].3 { throw Error.notFinite(feature: data.featureNames[j]) }
            means[j] = stats[j].0
            scales[j] = stats[j].1 > 1e-12 ? stats[j].1 : 1
            hasMissing[j] = stats[j].2
        }
        let problem = Problem(
            columns: data.columns, labels: data.labels, means: means, inverseScales: scales.map { 1 / $0 },
            hasMissing: hasMissing, l2: l2, parallel: parallelism)

        // Start at the prior log-odds with every coefficient zero, or at `start`'s model in this fit's standardisation.
        var theta = [Double](repeating: 0, count: problem.parameterCount)
        theta[0] = log(Double(positives) / Double(n - positives))
        if let start, start.featureNames == data.featureNames {
            theta = start.parameters(means: means, scales: scales, indicatorIndex: problem.indicatorIndex, count: problem.parameterCount)
        }
        let result = minimiseNewton(
            start: theta, maxIterations: maxIterations, tolerance: tolerance, objective: problem.lossAndGradient,
            hessian: problem.hessian)
        theta = result.x

        var missingCoefficients = [Double?](repeating: nil, count: d)
        for j in 0..<d where problem.indicatorIndex[j] >= 0 {
            missingCoefficients[j] = theta[problem.indicatorIndex[j]]
        }
        return LogisticModel(
            featureNames: data.featureNames, means: means, scales: scales, intercept: theta[0],
            coefficients: Array(theta[1..<(1 + d)]), missingCoefficients: missingCoefficients, l2: l2,
            iterations: result.iterations, converged: result.converged)
    }

    /// Chooses the ridge penalty by cross-validation: the candidate with the lowest out-of-fold log-loss.
    /// - Parameters:
    ///   - candidates: penalties to try.
    ///   - folds: a fold per row, from `CrossValidation.stratifiedFolds`.
    /// - Returns: the chosen penalty and each candidate's mean out-of-fold log-loss, in the order given.
    /// - Throws: `LogisticRegression.Error` when a fold cannot be trained.
    public static func chooseL2(
        _ data: Dataset, candidates: [Double] = [0.01, 0.1, 1, 10, 100], folds: [Int], maxIterations: Int = 200,
        parallelism: Parallelism = .serial
    ) throws -> (l2: Double, logLoss: [Double]) {
        precondition(!candidates.isEmpty, "at least one candidate")
        let losses = try candidates.map { l2 in
            let scores = try CrossValidation.outOfFoldScores(data, folds: folds) { training in
                let model = try train(training, l2: l2, maxIterations: maxIterations, parallelism: parallelism)
                return { model.probabilities($0, parallelism: parallelism) }
            }
            var loss = 0.0
            for i in scores.indices {
                let p = min(1 - 1e-15, max(1e-15, scores[i]))
                loss -= data.labels[i] != 0 ? log(p) : log(1 - p)
            }
            return loss / Double(max(1, scores.count))
        }
        let best = losses.indices.min { losses[$0] < losses[$1] }!
        return (candidates[best], losses)
    }

    /// The training objective over a fixed dataset. Parameters: `[intercept, coefficients…, indicators…]`.
    struct Problem: Sendable {
        let columns: [[Float]]
        let labels: [UInt8]
        let means: [Double]
        let inverseScales: [Double]
        /// Position of feature `j`'s missing indicator in the parameters, or −1.
        let indicatorIndex: [Int]
        let parameterCount: Int
        let l2: Double
        let parallel: Parallelism
        var rows: Int { labels.count }

        init(
            columns: [[Float]], labels: [UInt8], means: [Double], inverseScales: [Double], hasMissing: [Bool],
            l2: Double, parallel: Parallelism
        ) {
            self.parallel = parallel
            self.columns = columns
            self.labels = labels
            self.means = means
            self.inverseScales = inverseScales
            self.l2 = l2
            var next = 1 + columns.count
            indicatorIndex = hasMissing.map { m in
                guard m else { return -1 }
                defer { next += 1 }
                return next
            }
            parameterCount = next
        }

        /// The objective divided by the number of rows, and its gradient.
        ///
        /// Per chunk of rows: the margins, four columns at a time (each row's terms still added in column order); the
        /// loss and residuals with one `exp` per row (σ and the softplus share `exp(−|m|)`); then the gradient, four
        /// columns at a time, each column's sums taken over the rows in order as before, so every figure is the
        /// same, bit for bit, as one column after another (a missing value adds 0 to the present values' sum and a
        /// present one 0 to the missing values'; neither sum can be −0, so adding 0 changes nothing).
        func lossAndGradient(_ theta: [Double]) -> (Double, [Double]) {
            let p = parameterCount
            let d = columns.count
            let chunks = LogisticRegression.chunks(rows: rows)
            let partials = Self.withBases(columns[...], []) { bases in
                nonisolated(unsafe) let bases = bases
                return parallel.map(chunks.count) { c -> [Double] in
                    chunk(chunks[c], theta: theta, bases: bases, features: d, parameters: p)
                }
            }
            var grad = [Double](repeating: 0, count: p)
            var loss = 0.0
            for partial in partials {
                for q in 0..<p { grad[q] += partial[q] }
                loss += partial[p]
            }
            for q in 1..<p {
                loss += 0.5 * l2 * theta[q] * theta[q]
                grad[q] += l2 * theta[q]
            }
            let scale = 1 / Double(rows)
            return (loss * scale, grad.map { $0 * scale })
        }

        /// The columns' base addresses, for as long as `body` runs.
        static func withBases<R>(_ columns: ArraySlice<[Float]>, _ bases: [UnsafePointer<Float>], _ body: ([UnsafePointer<Float>]) -> R) -> R {
            guard let first = columns.first else { return body(bases) }
            return first.withUnsafeBufferPointer { b in
                withBases(columns.dropFirst(), bases + [b.baseAddress ?? UnsafePointer(bitPattern: 8)!], body)
            }
        }

        /// Adds each row's margin terms to `margin` (which holds the intercept): four columns at a time, each row's
        /// terms still added in column order.
        func addMargins(_ margin: UnsafeMutableBufferPointer<Double>, start: Int, theta: [Double], bases: [UnsafePointer<Float>], features d: Int) {
            let count = margin.count
            func a(_ j: Int) -> Double { theta[1 + j] * inverseScales[j] }
            func v(_ j: Int) -> Double { indicatorIndex[j] >= 0 ? theta[indicatorIndex[j]] : 0 }
            var j = 0
            while j + 4 <= d {
                let c0 = bases[j] + start, c1 = bases[j + 1] + start, c2 = bases[j + 2] + start, c3 = bases[j + 3] + start
                let a0 = a(j), a1 = a(j + 1), a2 = a(j + 2), a3 = a(j + 3)
                let b0 = -a0 * means[j], b1 = -a1 * means[j + 1], b2 = -a2 * means[j + 2], b3 = -a3 * means[j + 3]
                let v0 = v(j), v1 = v(j + 1), v2 = v(j + 2), v3 = v(j + 3)
                for k in 0..<count {
                    let x0 = c0[k], x1 = c1[k], x2 = c2[k], x3 = c3[k]
                    var m = margin[k]
                    m += x0.isNaN ? v0 : a0 * Double(x0) + b0
                    m += x1.isNaN ? v1 : a1 * Double(x1) + b1
                    m += x2.isNaN ? v2 : a2 * Double(x2) + b2
                    m += x3.isNaN ? v3 : a3 * Double(x3) + b3
                    margin[k] = m
                }
                j += 4
            }
            while j < d {
                let col = bases[j] + start
                let aj = a(j), bj = -aj * means[j], vj = v(j)
                for k in 0..<count {
                    let x = col[k]
                    margin[k] += x.isNaN ? vj : aj * Double(x) + bj
                }
                j += 1
            }
        }

        /// One chunk's gradient terms, with its loss in the last slot.
        func chunk(_ range: Range<Int>, theta: [Double], bases: [UnsafePointer<Float>], features d: Int, parameters p: Int) -> [Double] {
            var grad = [Double](repeating: 0, count: p + 1)  // last slot: loss
            let start = range.lowerBound
            let count = range.count
            var buffer = [Double](repeating: theta[0], count: count)
            var loss = 0.0
            buffer.withUnsafeMutableBufferPointer { margin in
                addMargins(margin, start: start, theta: theta, bases: bases, features: d)
                var g0 = 0.0
                labels.withUnsafeBufferPointer { labels in
                    for k in 0..<count {
                        let m = margin[k]
                        let y = Double(labels[start + k])
                        // log(1 + e^m) − y·m, stably, and the residual σ(m) − y (`Calibrator.sigmoid`), from one
                        // e = exp(−|m|): the same values as computing each on its own.
                        let e = exp(m > 0 ? -m : m)
                        loss += (m > 0 ? m + log1p(e) : log1p(e)) - y * m
                        let r = (m >= 0 ? 1 / (1 + e) : e / (1 + e)) - y
                        margin[k] = r
                        g0 += r
                    }
                }
                grad[0] = g0
                let residual = UnsafeBufferPointer(margin)
                func store(_ j: Int, _ acc: Double, _ accMissing: Double) {
                    grad[1 + j] = acc * inverseScales[j]
                    if indicatorIndex[j] >= 0 { grad[indicatorIndex[j]] = accMissing }
                }
                var j = 0
                while j + 4 <= d {
                    let c0 = bases[j] + start, c1 = bases[j + 1] + start, c2 = bases[j + 2] + start, c3 = bases[j + 3] + start
                    let mu0 = means[j], mu1 = means[j + 1], mu2 = means[j + 2], mu3 = means[j + 3]
                    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, n0 = 0.0, n1 = 0.0, n2 = 0.0, n3 = 0.0
                    for k in 0..<count {
                        let r = residual[k]
                        let x0 = c0[k], x1 = c1[k], x2 = c2[k], x3 = c3[k]
                        s0 += x0.isNaN ? 0 : r * (Double(x0) - mu0); n0 += x0.isNaN ? r : 0
                        s1 += x1.isNaN ? 0 : r * (Double(x1) - mu1); n1 += x1.isNaN ? r : 0
                        s2 += x2.isNaN ? 0 : r * (Double(x2) - mu2); n2 += x2.isNaN ? r : 0
                        s3 += x3.isNaN ? 0 : r * (Double(x3) - mu3); n3 += x3.isNaN ? r : 0
                    }
                    store(j, s0, n0); store(j + 1, s1, n1); store(j + 2, s2, n2); store(j + 3, s3, n3)
                    j += 4
                }
                while j < d {
                    var acc = 0.0, accMissing = 0.0
                    let mu = means[j], col = bases[j] + start
                    for k in 0..<count {
                        let x = col[k]
                        if x.isNaN { accMissing += residual[k] } else { acc += residual[k] * (Double(x) - mu) }
                    }
                    store(j, acc, accMissing)
                    j += 1
                }
            }
            grad[p] = loss
            return grad
        }

        /// The objective's Hessian divided by the number of rows, `p × p` row-major: Σᵢ wᵢ zᵢ zᵢᵀ / n, with zᵢ the
        /// row's parameters' multipliers (1, the standardised features, the missing indicators) and
        /// wᵢ = σ(mᵢ)(1 − σ(mᵢ)), plus the ridge on every coefficient but the intercept. Summed by fixed chunks in
        /// order, so it is the same for any worker count.
        func hessian(_ theta: [Double]) -> [Double] {
            let p = parameterCount, d = columns.count
            let chunks = LogisticRegression.chunks(rows: rows)
            let partials = Self.withBases(columns[...], []) { bases in
                nonisolated(unsafe) let bases = bases
                return parallel.map(chunks.count) { c -> [Double] in
                    hessianChunk(chunks[c], theta: theta, bases: bases, features: d, parameters: p)
                }
            }
            var h = [Double](repeating: 0, count: p * p)
            for partial in partials { for q in 0..<(p * p) { h[q] += partial[q] } }
            let scale = 1 / Double(rows)
            for a in 0..<p {
                for b in a..<p {
                    let v = (h[a * p + b] + (a == b && a > 0 ? l2 : 0)) * scale
                    h[a * p + b] = v
                    h[b * p + a] = v
                }
            }
            return h
        }

        /// One chunk's Σ wᵢ zᵢ zᵢᵀ (upper triangle), the rows' multipliers laid out a block of rows at a time.
        func hessianChunk(_ range: Range<Int>, theta: [Double], bases: [UnsafePointer<Float>], features d: Int, parameters p: Int) -> [Double] {
            let start = range.lowerBound, count = range.count, block = 64
            var h = [Double](repeating: 0, count: p * p)
            var weights = [Double](repeating: theta[0], count: count)
            var z = [Double](repeating: 0, count: block * p)
            weights.withUnsafeMutableBufferPointer { w in
                addMargins(w, start: start, theta: theta, bases: bases, features: d)
                for k in 0..<count {
                    let m = w[k], e = exp(m > 0 ? -m : m)
                    let sigma = m >= 0 ? 1 / (1 + e) : e / (1 + e)
                    w[k] = sigma * (1 - sigma)
                }
                h.withUnsafeMutableBufferPointer { h in
                    z.withUnsafeMutableBufferPointer { z in
                        let H = h.baseAddress!, Z = z.baseAddress!
                        for from in stride(from: 0, to: count, by: block) {
                            let n = min(block, count - from)
                            for r in 0..<n { Z[r * p] = 1 }
                            for j in 0..<d {
                                let col = bases[j] + start + from, mu = means[j], inv = inverseScales[j], ind = indicatorIndex[j]
                                for r in 0..<n {
                                    let x = col[r]
                                    Z[r * p + 1 + j] = x.isNaN ? 0 : (Double(x) - mu) * inv
                                    if ind >= 0 { Z[r * p + ind] = x.isNaN ? 1 : 0 }
                                }
                            }
                            for r in 0..<n {
                                let weight = w[from + r], row = Z + r * p
                                for a in 0..<p {
                                    let wa = weight * row[a]
                                    if wa == 0 { continue }
                                    let Ha = H + a * p
                                    for b in a..<p { Ha[b] += wa * row[b] }
                                }
                            }
                        }
                    }
                }
            }
            return h
        }
    }

    /// Newton's method with a backtracking (Armijo) line search, as iteratively reweighted least squares fits a
    /// GLM: the objective is smooth and strictly convex (the ridge), and with a few dozen parameters the Hessian is
    /// cheap beside a pass over the rows. A 3,000,000-person city's training rows took L-BFGS 430 iterations to the
    /// tolerance (its features' scales differ by orders of magnitude); Newton takes about ten.
    static func minimiseNewton(
        start: [Double], maxIterations: Int, tolerance: Double,
        objective: ([Double]) -> (Double, [Double]), hessian: ([Double]) -> [Double]
    ) -> (x: [Double], iterations: Int, converged: Bool) {
        func dot(_ a: [Double], _ b: [Double]) -> Double {
            var s = 0.0
            for i in a.indices { s += a[i] * b[i] }
            return s
        }
        func largest(_ g: [Double]) -> Double { g.reduce(0) { max($0, abs($1)) } }
        var x = start
        var (f, g) = objective(x)
        var iteration = 0
        while iteration < maxIterations {
            if largest(g) < tolerance { return (x, iteration, true) }
            iteration += 1
            var direction = choleskySolve(hessian(x), g.map { -$0 }) ?? g.map { -$0 }
            var slope = dot(g, direction)
            if !(slope < 0) {
                direction = g.map { -$0 }
                slope = -dot(g, g)
            }
            var step = 1.0, accepted = false, newX = x, newF = f, newG = g
            for _ in 0..<60 {
                newX = zip(x, direction).map { $0 + step * $1 }
                (newF, newG) = objective(newX)
                if newF.isFinite && newF <= f + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            guard accepted else { return (x, iteration, largest(g) < tolerance * 100) }
            let decrease = f - newF
            x = newX
            f = newF
            g = newG
            if decrease >= 0 && decrease <= 1e-15 * max(1, abs(f)) && largest(g) >= tolerance {
                return (x, iteration, largest(g) < tolerance * 100)
            }
        }
        return (x, iteration, largest(g) < tolerance)
    }

    /// The solution of `a · x = b` for a symmetric positive definite `a` (`n × n`, row-major) by Cholesky; nil when
    /// `a` is not positive definite to working precision.
    static func choleskySolve(_ a: [Double], _ b: [Double]) -> [Double]? {
        let n = b.count
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 0, sum.isFinite else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
            y[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
            y[i] /= l[i * n + i]
        }
        return y.allSatisfy(\.isFinite) ? y : nil
    }
}

/// A fitted logistic regression: standardisation, coefficients and missing-indicator terms, and the means it imputes.
///
/// `margin = intercept + Σⱼ contributionⱼ`, where feature `j` contributes `coefficient × (x − mean) / scale` when
/// present and its missing-indicator coefficient (or 0 if it had none in training) when missing.
public struct LogisticModel: Codable, Sendable, Hashable {
    /// The features, in the order rows are read.
    public var featureNames: [String]
    /// Training mean of each feature (the value a missing one is imputed with).
    public var means: [Double]
    /// Training standard deviation of each feature (1 for a constant feature).
    public var scales: [Double]
    /// The margin of a row at the training mean with nothing missing.
    public var intercept: Double
    /// One per feature, per standard deviation.
    public var coefficients: [Double]
    /// The effect of the feature being missing, for features that had missing values in training; `nil` otherwise.
    public var missingCoefficients: [Double?]
    /// The ridge penalty it was trained with.
    public var l2: Double
    /// Newton iterations the fit took (L-BFGS iterations for models trained before session 26).
    public var iterations: Int
    /// Whether the fit met its tolerance within the iterations allowed.
    public var converged: Bool

    public init(
        featureNames: [String], means: [Double], scales: [Double], intercept: Double, coefficients: [Double],
        missingCoefficients: [Double?], l2: Double, iterations: Int = 0, converged: Bool = true
    ) {
        self.featureNames = featureNames
        self.means = means
        self.scales = scales
        self.intercept = intercept
        self.coefficients = coefficients
        self.missingCoefficients = missingCoefficients
        self.l2 = l2
        self.iterations = iterations
        self.converged = converged
    }

    /// Coefficients per unit of each feature as given (not standardised).
    public var coefficientsPerUnit: [Double] { zip(coefficients, scales).map { $0 / $1 } }

    /// The model's parameters in another fit's standardisation (`means`, `scales`) and layout (missing indicators
    /// at `indicatorIndex`, −1 for none): the same margin for every row with nothing missing, each feature's slope
    /// per unit kept and the intercept moved with the means. A warm start, not a model: a missing value's term is
    /// kept as it was.
    func parameters(means newMeans: [Double], scales newScales: [Double], indicatorIndex: [Int], count: Int) -> [Double] {
        var theta = [Double](repeating: 0, count: count)
        theta[0] = intercept
        for j in coefficients.indices {
            let perUnit = coefficients[j] / scales[j]
            theta[1 + j] = perUnit * newScales[j]
            theta[0] += perUnit * (newMeans[j] - means[j])
            if indicatorIndex[j] >= 0 { theta[indicatorIndex[j]] = missingCoefficients[j] ?? 0 }
        }
        return theta
    }

    /// The margin (log-odds) of one row of feature values, in `featureNames` order.
    public func margin(row: [Float]) -> Double {
        let c = contributions(row: row)
        return c.perFeature.reduce(c.base, +)
    }

    /// Each feature's exact part in one row's margin: `base + Σ perFeature = margin`. A present value contributes
    /// `coefficient × (x − mean) / scale`; a missing one contributes its missing-indicator coefficient (0 if the
    /// feature was never missing in training), so each original feature gets one number.
    public func contributions(row: [Float]) -> (base: Double, perFeature: [Double]) {
        precondition(row.count == featureNames.count, "one value per feature")
        let perFeature = row.indices.map { j in
            row[j].isNaN ? (missingCoefficients[j] ?? 0) : coefficients[j] * (Double(row[j]) - means[j]) / scales[j]
        }
        return (intercept, perFeature)
    }

    /// The margin (log-odds) of every row. The dataset's features are matched by name (extra columns are ignored).
    public func margins(_ data: Dataset, parallelism: Parallelism = .serial) -> [Double] {
        let columns: [[Float]]
        if data.featureNames == featureNames {
            columns = data.columns
        } else {
            let index = Dictionary(data.featureNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            columns = featureNames.map { name in
                guard let j = index[name] else { preconditionFailure("the dataset lacks the model's feature \(name)") }
                return data.columns[j]
            }
        }
        let n = data.rowCount
        let chunks = LogisticRegression.chunks(rows: n)
        let parts = parallelism.map(chunks.count) { c -> [Double] in
            let range = chunks[c]
            var buffer = [Double](repeating: intercept, count: range.count)
            buffer.withUnsafeMutableBufferPointer { margin in
                for j in columns.indices {
                    let a = coefficients[j] / scales[j]
                    let b = -a * means[j]
                    let v = missingCoefficients[j] ?? 0
                    columns[j].withUnsafeBufferPointer { column in
                        let col = UnsafeBufferPointer(rebasing: column[range])
                        for k in 0..<range.count {
                            let x = col[k]
                            margin[k] += x.isNaN ? v : a * Double(x) + b
                        }
                    }
                }
            }
            return buffer
        }
        return Array(parts.joined())
    }

    /// The probability of the outcome for every row (the sigmoid of the margin).
    public func probabilities(_ data: Dataset, parallelism: Parallelism = .serial) -> [Double] {
        margins(data, parallelism: parallelism).map(Calibrator.sigmoid)
    }
}

extension LogisticRegression {
    /// Rows per chunk: big enough to amortise scheduling, small enough that a chunk's buffers stay in cache.
    /// Fixed, so the chunks (and the order their sums are added in) do not depend on the worker count.
    static let chunkSize = 8_192

    /// `0..<rows` cut into consecutive ranges of `chunkSize`.
    static func chunks(rows: Int) -> [Range<Int>] {
        stride(from: 0, to: rows, by: chunkSize).map { $0..<min(rows, $0 + chunkSize) }
    }
}
