import Foundation
import Testing
@testable import UpstreamRisk

/// Shapley values by definition: every subset S of the other features, weighted |S|!(M−|S|−1)!/M!, with the
/// path-dependent conditional expectation E[f(x) | x_S] (features outside S follow both children, weighted by
/// training cover).
private func bruteForceShapley(_ tree: GBTTree, row: [Float], features m: Int) -> [Double] {
    func expectation(_ node: Int, _ known: Set<Int>) -> Double {
        let n = tree.nodes[node]
        if n.isLeaf { return n.value }
        if known.contains(n.feature) { return expectation(n.child(for: row[n.feature]), known) }
        let l = tree.nodes[n.left], r = tree.nodes[n.right]
        return (l.cover * expectation(n.left, known) + r.cover * expectation(n.right, known)) / n.cover
    }
    func factorial(_ k: Int) -> Double { k <= 1 ? 1 : Double(k) * factorial(k - 1) }
    var phi = [Double](repeating: 0, count: m)
    for i in 0..<m {
        let others = (0..<m).filter { $0 != i }
        for mask in 0..<(1 << others.count) {
            let s = Set(others.indices.filter { mask & (1 << $0) != 0 }.map { others[$0] })
            let weight = factorial(s.count) * factorial(m - s.count - 1) / factorial(m)
            phi[i] += weight * (expectation(0, s.union([i])) - expectation(0, s))
        }
    }
    return phi
}

/// A hand-built tree on features 0–2 (feature 3 unused), splitting twice on feature 0 along one path, with a
/// missing-value direction at each split.
private let handTree = GBTTree(nodes: [
    .init(feature: 0, threshold: 0.5, missingGoesLeft: true, left: 1, right: 2, value: 0, cover: 100, gain: 3),
    .init(feature: 1, threshold: 1.0, missingGoesLeft: false, left: 3, right: 4, value: 0, cover: 60, gain: 2),
    .init(feature: 0, threshold: 2.0, missingGoesLeft: false, left: 5, right: 6, value: 0, cover: 40, gain: 1),
    .leaf(value: 1.0, cover: 30),
    .init(feature: 2, threshold: 0, missingGoesLeft: true, left: 7, right: 8, value: 0, cover: 30, gain: 1),
    .leaf(value: -0.5, cover: 25),
    .leaf(value: 2.0, cover: 15),
    .leaf(value: 0.3, cover: 10),
    .leaf(value: -1.2, cover: 20),
])

private let secondTree = GBTTree(nodes: [
    .init(feature: 2, threshold: -0.3, missingGoesLeft: false, left: 1, right: 2, value: 0, cover: 100, gain: 1),
    .init(feature: 1, threshold: 0.2, missingGoesLeft: true, left: 3, right: 4, value: 0, cover: 45, gain: 1),
    .leaf(value: 0.4, cover: 55),
    .leaf(value: -0.7, cover: 20),
    .leaf(value: 0.9, cover: 25),
])

@Suite("TreeSHAP")
struct TreesSHAPTests {
    static let rows: [[Float]] = [
        [0.1, 0.5, -1, 7], [0.1, 2, -1, 7], [0.1, 2, 1, 7], [1, 0, 0, 0], [3, 0, 0, 0], [.nan, .nan, .nan, .nan],
        [.nan, 2, 0.5, 1], [1.5, .nan, -0.5, 2], [0.5, 1.0, 0, 3], [2.0, 0.2, -0.3, 4],
    ]

    @Test("matches brute-force Shapley values on hand-built trees, to 1e-12", arguments: rows)
    func matchesBruteForce(row: [Float]) {
        let model = GBTModel(featureNames: ["a", "b", "c", "d"], parameters: .init(), baseMargin: 0.2,
                             trees: [handTree, secondTree])
        let (base, phi) = model.contributions(row: row)
        let expected = zip(bruteForceShapley(handTree, row: row, features: 4),
                           bruteForceShapley(secondTree, row: row, features: 4)).map { $0 + $1 }
        for f in 0..<4 { #expect(abs(phi[f] - expected[f]) < 1e-12, "feature \(f): \(phi[f]) vs \(expected[f])") }
        #expect(phi[3] == 0)
        #expect(abs(base - (0.2 + handTree.expectedValue + secondTree.expectedValue)) < 1e-15)
        #expect(abs(base + phi.reduce(0, +) - model.margin(row: row)) < 1e-12)
    }

    @Test("contributions sum to the margin for many rows of a trained model, NaNs included; unused features get 0")
    func sumsToMargin() throws {
        var rng = GBTRandom(seed: 11)
        let n = 3000, m = 8
        var columns = [[Float]](repeating: [], count: m)
        var labels = [UInt8]()
        for _ in 0..<n {
            var row = (0..<m).map { _ in Float.random(in: -2..<2, using: &rng) }
            for f in 0..<6 where Double.random(in: 0..<1, using: &rng) < 0.2 { row[f] = .nan }
            row[7] = 0  // constant: never split on
            let x0 = row[0].isNaN ? 1 : row[0], x1 = row[1].isNaN ? -1 : row[1], x2 = row[2].isNaN ? 0 : row[2]
            let logit = Double(x0 * x1 + x2 * x2 - 1)
            labels.append(Double.random(in: 0..<1, using: &rng) < 1 / (1 + exp(-logit)) ? 1 : 0)
            for f in 0..<m { columns[f].append(row[f]) }
        }
        let data = Dataset(featureNames: (0..<m).map { "f\($0)" }, columns: columns, labels: labels)
        let model = try GradientBoostedTrees.train(
            data, parameters: GBTParameters(maxIterations: 40, learningRate: 0.3, minSamplesLeaf: 10, earlyStopping: false))
        for i in stride(from: 0, to: n, by: 15) {
            let row = data.row(i)
            let (base, phi) = model.contributions(row: row)
            let margin = model.margin(row: row)
            #expect(abs(base + phi.reduce(0, +) - margin) <= 1e-9 * max(1, abs(margin)))
            #expect(phi[7] == 0)
        }
        // Unused feature in a brute-force sense too: a single tree of the trained model.
        let one = GBTModel(featureNames: data.featureNames, parameters: .init(), baseMargin: 0, trees: [model.trees[0]])
        let row = data.row(3)
        let used = Set(model.trees[0].nodes.filter { !$0.isLeaf }.map(\.feature))
        if used.count <= 6 {
            let shapley = bruteForceShapley(model.trees[0], row: row, features: m)
            let (_, phi) = one.contributions(row: row)
            for f in 0..<m { #expect(abs(phi[f] - shapley[f]) < 1e-12) }
        }
    }
}
