import Foundation
import Testing

@testable import UpstreamRisk

@Suite struct LogisticTests {
    /// `n` rows of three normal features (means 1, 0, −2; standard deviations 1, 2, 0.5) and outcomes drawn from
    /// σ(3 + 0.8·a − 0.5·b + 2·c) (`truth`).
    static func simulate(n: Int, seed: UInt64) -> Dataset {
        var rng = Metrics.SeededGenerator(seed: seed)
        func normal() -> Double {
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
            let v = Double.random(in: 0..<1, using: &rng)
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        var columns = [[Float]](repeating: [], count: 3)
        var labels: [UInt8] = []
        for _ in 0..<n {
            let x = [1 + normal(), 2 * normal(), -2 + 0.5 * normal()]
            let margin = truth.intercept + zip(truth.perUnit, x).map(*).reduce(0, +)
            labels.append(Double.random(in: 0..<1, using: &rng) < 1 / (1 + exp(-margin)) ? 1 : 0)
            for j in 0..<3 { columns[j].append(Float(x[j])) }
        }
        return Dataset(featureNames: ["a", "b", "c"], columns: columns, labels: labels)
    }

    static let truth = (intercept: 3.0, perUnit: [0.8, -0.5, 2.0])

    @Test func recoversKnownCoefficients() throws {
        // Given 50,000 rows from a known model, with a negligible penalty
        let data = Self.simulate(n: 50_000, seed: 1)
        let model = try LogisticRegression.train(data, l2: 1e-3)
        // Then each per-unit coefficient is within about 4 standard errors (0.06; one is about 0.015 here)
        #expect(model.converged)
        for (got, want) in zip(model.coefficientsPerUnit, Self.truth.perUnit) {
            #expect(abs(got - want) < 0.06, "coefficient \(got) vs \(want)")
        }
        // and the intercept on the raw scale too.
        let rawIntercept = model.intercept - zip(model.coefficientsPerUnit, model.means).map(*).reduce(0, +)
        #expect(abs(rawIntercept - Self.truth.intercept) < 0.15)
    }

    @Test func contributionsSumToTheMargin() throws {
        var data = Self.simulate(n: 2_000, seed: 2)
        for i in stride(from: 0, to: 2_000, by: 7) { data.columns[1][i] = .nan }
        let model = try LogisticRegression.train(data)
        let margins = model.margins(data)
        for i in [0, 7, 13, 700] {
            let c = model.contributions(row: data.row(i))
            #expect(c.perFeature.count == 3)
            #expect(abs(c.perFeature.reduce(c.base, +) - margins[i]) < 1e-9)
            #expect(abs(model.margin(row: data.row(i)) - margins[i]) < 1e-9)
        }
        // A missing value contributes its indicator's coefficient; at the mean a feature contributes nothing.
        let missing = model.contributions(row: data.row(7)).perFeature[1]
        #expect(missing == model.missingCoefficients[1])
        let atMean = model.contributions(row: model.means.map(Float.init))
        #expect(atMean.perFeature.allSatisfy { abs($0) < 1e-6 })
    }

    @Test func missingValuesGetTheirOwnWeight() throws {
        // Given a feature whose missingness itself carries risk
        var rng = Metrics.SeededGenerator(seed: 4)
        let n = 20_000
        var x = [Float]()
        var y = [UInt8]()
        for _ in 0..<n {
            let missing = Double.random(in: 0..<1, using: &rng) < 0.3
            let v = Double.random(in: -1..<1, using: &rng)
            let margin = missing ? 1.0 : -1 + v
            x.append(missing ? .nan : Float(v))
            y.append(Double.random(in: 0..<1, using: &rng) < 1 / (1 + exp(-margin)) ? 1 : 0)
        }
        let model = try LogisticRegression.train(Dataset(featureNames: ["x"], columns: [x], labels: y), l2: 1e-3)
        // Then the model puts missing rows well above present ones, near the simulated log-odds of 1
        let missingMargin = model.margin(row: [.nan])
        #expect(abs(missingMargin - 1) < 0.15)
        #expect(model.margins(Dataset(featureNames: ["x"], columns: [[Float.nan, 0]])).allSatisfy { $0.isFinite })
        #expect(model.missingCoefficients.count == 1 && model.missingCoefficients[0] != nil)
    }

    @Test func aWarmStartEndsAtTheSameFitInFewerIterations() throws {
        // Given a model fitted on every row, and four fifths of the rows (other means and standard deviations)
        var data = Self.simulate(n: 20_000, seed: 6)
        for i in stride(from: 0, to: 20_000, by: 11) { data.columns[2][i] = .nan }
        let whole = try LogisticRegression.train(data)
        let part = Dataset(featureNames: data.featureNames, columns: data.columns.map { Array($0[4_000...]) }, labels: Array(data.labels[4_000...]))
        // When the start is taken as it is (no iteration), every row with nothing missing has the whole model's margin
        let taken = try LogisticRegression.train(part, maxIterations: 0, start: whole)
        #expect(taken.means != whole.means && taken.scales != whole.scales)
        let (a, b) = (taken.margins(part), whole.margins(part))
        for i in stride(from: 0, to: part.rowCount, by: 97) where !part.row(i).contains(where: \.isNaN) {
            #expect(abs(a[i] - b[i]) < 1e-9)
        }
        // and fitted from it, the part's fit is the one a cold start finds, in fewer iterations.
        let cold = try LogisticRegression.train(part), warm = try LogisticRegression.train(part, start: whole)
        #expect(cold.converged && warm.converged)
        #expect(warm.iterations < cold.iterations, "warm \(warm.iterations), cold \(cold.iterations)")
        let (w, c) = (warm.margins(part), cold.margins(part))
        #expect(zip(w, c).map { abs($0 - $1) }.max()! < 1e-4)
        // A start of other features is ignored.
        let other = Dataset(featureNames: ["x", "y", "z"], columns: part.columns, labels: part.labels)
        #expect(try LogisticRegression.train(other, start: whole) == LogisticRegression.train(other))
    }

    @Test func codableRoundTripScoresTheSame() throws {
        let data = Self.simulate(n: 1_000, seed: 3)
        let model = try LogisticRegression.train(data)
        let back = try JSONDecoder().decode(LogisticModel.self, from: JSONEncoder().encode(model))
        #expect(back == model)
        #expect(back.probabilities(data) == model.probabilities(data))
    }

    @Test func scoresByFeatureNameWhateverTheColumnOrder() throws {
        let data = Self.simulate(n: 1_000, seed: 5)
        let model = try LogisticRegression.train(data)
        let reordered = data.selecting(features: ["c", "a", "b"])
        #expect(model.margins(reordered) == model.margins(data))
    }

    @Test func refusesDataItCannotLearnFrom() {
        let one = Dataset(featureNames: ["x"], columns: [[1, 2]], labels: [1, 1])
        #expect(throws: LogisticRegression.Error.oneClass) { try LogisticRegression.train(one) }
        let none = Dataset(featureNames: ["x"], columns: [[]], labels: [])
        #expect(throws: LogisticRegression.Error.noRows) { try LogisticRegression.train(none) }
        let infinite = Dataset(featureNames: ["x"], columns: [[1, .infinity]], labels: [0, 1])
        #expect(throws: LogisticRegression.Error.notFinite(feature: "x")) { try LogisticRegression.train(infinite) }
    }

    @Test func penaltyShrinksCoefficients() throws {
        let data = Self.simulate(n: 2_000, seed: 6)
        let loose = try LogisticRegression.train(data, l2: 0.01)
        let tight = try LogisticRegression.train(data, l2: 1_000)
        #expect(tight.coefficients.map(abs).reduce(0, +) < loose.coefficients.map(abs).reduce(0, +))
    }

    @Test func choosesAPenaltyByCrossValidation() throws {
        let data = Self.simulate(n: 3_000, seed: 7)
        let folds = CrossValidation.stratifiedFolds(labels: data.labels, k: 3, seed: 1)
        let choice = try LogisticRegression.chooseL2(data, candidates: [0.1, 1e5], folds: folds)
        #expect(choice.l2 == 0.1)
        #expect(choice.logLoss.count == 2)
    }
}
