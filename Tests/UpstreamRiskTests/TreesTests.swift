import Foundation
import Testing
@testable import UpstreamRisk

/// Small seeded tables for the gradient-boosted trees tests.
private struct Synthetic {
    var rng: GBTRandom
    init(seed: UInt64) { rng = GBTRandom(seed: seed) }
    mutating func uniform(_ lo: Float = -1, _ hi: Float = 1) -> Float { Float.random(in: lo..<hi, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    /// y = sign(x0·x1) with 3% of labels flipped (so the best possible AUC is 0.97), plus three noise features: no single feature (so no linear
    /// model) separates the classes.
    mutating func xor(rows: Int) -> Dataset {
        var columns = [[Float]](repeating: [], count: 5)
        var labels = [UInt8]()
        for _ in 0..<rows {
            let row = (0..<5).map { _ in uniform() }
            for f in 0..<5 { columns[f].append(row[f]) }
            let y = (row[0] * row[1] > 0) != chance(0.03)
            labels.append(y ? 1 : 0)
        }
        return Dataset(featureNames: ["x0", "x1", "n0", "n1", "n2"], columns: columns, labels: labels)
    }

    /// Random features with NaNs in every column; the label depends on x0, x1 and on whether x2 is missing.
    mutating func withMissing(rows: Int, features: Int = 6) -> Dataset {
        var columns = [[Float]](repeating: [], count: features)
        var labels = [UInt8]()
        for _ in 0..<rows {
            var row = (0..<features).map { _ in uniform() }
            for f in 0..<features where chance(0.15) { row[f] = .nan }
            let missing2 = chance(0.3)
            if missing2 { row[2] = .nan }
            let x0 = row[0].isNaN ? 0 : row[0], x1 = row[1].isNaN ? 0 : row[1]
            let logit = Double(2 * x0 - 1.5 * x1 * x0) + (missing2 ? 1.5 : -1)
            labels.append(chance(1 / (1 + exp(-logit))) ? 1 : 0)
            for f in 0..<features { columns[f].append(row[f]) }
        }
        return Dataset(featureNames: (0..<features).map { "f\($0)" }, columns: columns, labels: labels)
    }
}

/// ROC AUC by ranks (ties half).
private func rocAUC(_ scores: [Double], _ labels: [UInt8]) -> Double {
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rankSum = 0.0, i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
        for k in i...j where labels[order[k]] == 1 { rankSum += Double(i + j) / 2 + 1 }
        i = j + 1
    }
    let p = Double(labels.reduce(0) { $0 + Int($1) }), q = Double(labels.count) - p
    return (rankSum - p * (p + 1) / 2) / (p * q)
}

private let quick = GBTParameters(maxIterations: 60, learningRate: 0.2, minSamplesLeaf: 10, earlyStopping: false)

@Suite("Gradient-boosted trees")
struct TreesTests {
    @Test("learns an XOR interaction that no single feature (no linear model) shows")
    func learnsInteraction() throws {
        var synth = Synthetic(seed: 1)
        let train = synth.xor(rows: 4000), test = synth.xor(rows: 2000)
        let model = try GradientBoostedTrees.train(train, parameters: quick)
        let auc = rocAUC(model.margins(test), test.labels)
        #expect(auc > 0.9, "held-out AUC \(auc)")
        for f in 0..<2 {  // each input alone is useless in either direction
            let single = rocAUC(test.columns[f].map(Double.init), test.labels)
            #expect(abs(single - 0.5) < 0.05)
        }
        let importance = model.gainImportance()
        #expect(importance[0] + importance[1] > 0.8)
        #expect(abs(importance.reduce(0, +) - 1) < 1e-9)
    }

    @Test("missing values carry signal, and NaN follows the learned direction")
    func learnsThroughMissingValues() throws {
        var synth = Synthetic(seed: 2)
        let train = synth.withMissing(rows: 4000), test = synth.withMissing(rows: 2000)
        let model = try GradientBoostedTrees.train(train, parameters: quick)
        #expect(rocAUC(model.margins(test), test.labels) > 0.75)
        // The same row with x2 missing or present: missing must score higher (it raised the log-odds by 2.5).
        var row: [Float] = [0.2, -0.1, 0.3, 0.1, 0.4, -0.2]
        let present = model.margin(row: row)
        row[2] = .nan
        #expect(model.margin(row: row) > present + 1)
        #expect(model.trees.contains { $0.nodes.contains { !$0.isLeaf && $0.feature == 2 } })
    }

    @Test("every tree respects maxDepth, maxLeafNodes and minSamplesLeaf")
    func respectsStructureLimits() throws {
        var synth = Synthetic(seed: 3)
        let data = synth.withMissing(rows: 3000)
        for (depth, leaves, minLeaf) in [(2, 31, 20), (10, 5, 20), (6, 31, 150)] {
            let p = GBTParameters(maxIterations: 15, maxDepth: depth, maxLeafNodes: leaves, minSamplesLeaf: minLeaf,
                                  earlyStopping: false)
            let model = try GradientBoostedTrees.train(data, parameters: p)
            #expect(!model.trees.isEmpty)
            for tree in model.trees {
                #expect(tree.depth <= depth)
                #expect(tree.leafCount <= leaves)
                for node in tree.nodes where node.isLeaf { #expect(node.cover >= Double(minLeaf)) }
                for node in tree.nodes where !node.isLeaf {
                    #expect(tree.nodes[node.left].cover + tree.nodes[node.right].cover == node.cover)
                }
            }
            #expect(model.trees.contains { $0.depth == depth || $0.leafCount == leaves })
        }
    }

    @Test("early stopping stops before maxIterations on pure noise and keeps the best round")
    func earlyStoppingOnNoise() throws {
        var synth = Synthetic(seed: 4)
        var data = synth.withMissing(rows: 3000)
        data.labels = data.labels.map { _ in synth.chance(0.3) ? 1 : 0 }
        let p = GBTParameters(maxIterations: 200, patience: 10)
        let model = try GradientBoostedTrees.train(data, parameters: p)
        #expect(model.lossHistory.count < 200)
        #expect(model.iterationsUsed == model.trees.count)
        #expect(model.lossHistory.count - model.iterationsUsed >= 10)
        let best = model.lossHistory.compactMap(\.validation).min()!
        if model.iterationsUsed > 0 { #expect(model.lossHistory[model.iterationsUsed - 1].validation == best) }
    }

    @Test("the same seed gives the same model; the split is stratified")
    func deterministic() throws {
        var synth = Synthetic(seed: 5)
        let data = synth.withMissing(rows: 3000)
        let p = GBTParameters(maxIterations: 30, seed: 99)
        let a = try GradientBoostedTrees.train(data, parameters: p)
        let b = try GradientBoostedTrees.train(data, parameters: p)
        #expect(a.trees == b.trees)
        #expect(a.baseMargin == b.baseMargin)
        #expect(a.lossHistory == b.lossHistory)
        let (train, validation) = GradientBoostedTrees.stratifiedSplit(data.labels, fraction: 0.1, seed: 1)
        #expect(Set(train).isDisjoint(with: validation) && train.count + validation.count == data.rowCount)
        let rate = { (rows: [Int]) in Double(rows.reduce(0) { $0 + Int(data.labels[$1]) }) / Double(rows.count) }
        #expect(abs(rate(train) - rate(validation)) < 0.01)
    }

    @Test("raw-value thresholds agree with the bins the trees were grown on")
    func thresholdsMatchBins() throws {
        var synth = Synthetic(seed: 6)
        let data = synth.withMissing(rows: 2500)
        let model = try GradientBoostedTrees.train(data, parameters: quick)
        let margins = model.margins(data)
        let loss = zip(margins, data.labels).reduce(0.0) { $0 + gbtLogLoss(margin: $1.0, label: $1.1) } / Double(margins.count)
        // The training loss was computed on margins built from bins and leaf row ranges.
        #expect(abs(loss - model.lossHistory.last!.train) < 1e-9)
        for i in stride(from: 0, to: data.rowCount, by: 97) { #expect(model.margin(row: data.row(i)) == margins[i]) }
        #expect(zip(model.probabilities(data), margins).allSatisfy { abs($0 - 1 / (1 + exp(-$1))) < 1e-12 })
    }

    @Test("scoring matches columns by name; a feature always missing in training is harmless at scoring")
    func scoringByName() throws {
        var synth = Synthetic(seed: 7)
        var data = synth.withMissing(rows: 2000)
        data.columns[4] = [Float](repeating: .nan, count: data.rowCount)
        let model = try GradientBoostedTrees.train(data, parameters: quick)
        #expect(model.trees.allSatisfy { $0.nodes.allSatisfy { $0.feature != 4 } })
        var scoring = synth.withMissing(rows: 300)
        let expected = model.margins(scoring)
        scoring.columns[4] = (0..<300).map { Float($0) }  // values where training had none
        #expect(model.margins(scoring) == expected)
        let shuffled = Dataset(featureNames: ["extra"] + scoring.featureNames.reversed(),
                               columns: [[Float](repeating: 1, count: 300)] + scoring.columns.reversed())
        #expect(model.margins(shuffled) == expected)
    }

    @Test("a Codable round trip gives identical predictions")
    func codableRoundTrip() throws {
        var synth = Synthetic(seed: 8)
        let data = synth.withMissing(rows: 2000)
        let model = try GradientBoostedTrees.train(data, parameters: quick)
        let json = try JSONEncoder().encode(model)
        let decoded = try JSONDecoder().decode(GBTModel.self, from: json)
        #expect(decoded.margins(data) == model.margins(data))
        #expect(decoded.trees == model.trees)
        #expect(decoded.parameters == model.parameters && decoded.iterationsUsed == model.iterationsUsed)
        // An infinite threshold (a split that only separates missing values) survives JSON.
        let tree = GBTTree(nodes: [
            .init(feature: 0, threshold: .infinity, missingGoesLeft: false, left: 1, right: 2, value: 0, cover: 10, gain: 1),
            .leaf(value: -1, cover: 6), .leaf(value: 1, cover: 4),
        ])
        let back = try JSONDecoder().decode(GBTTree.self, from: JSONEncoder().encode(tree))
        #expect(back == tree)
        #expect(back.value(row: [1e30]) == -1 && back.value(row: [.nan]) == 1)
    }

    @Test("bad input fails with a clear error")
    func errors() throws {
        let p = GBTParameters(maxIterations: 2)
        #expect(throws: TreesError.emptyData) {
            try GradientBoostedTrees.train(Dataset(featureNames: ["a"], columns: [[]]), parameters: p)
        }
        #expect(throws: TreesError.labelsMissing) {
            try GradientBoostedTrees.train(Dataset(featureNames: ["a"], columns: [[1, 2, 3]]), parameters: p)
        }
        #expect(throws: TreesError.singleClass(label: 1)) {
            try GradientBoostedTrees.train(Dataset(featureNames: ["a"], columns: [[1, 2, 3]], labels: [1, 1, 1]), parameters: p)
        }
        #expect(throws: TreesError.invalidLabel(row: 1, value: 2)) {
            try GradientBoostedTrees.train(Dataset(featureNames: ["a"], columns: [[1, 2, 3]], labels: [0, 2, 1]), parameters: p)
        }
        #expect(throws: TreesError.self) {
            try GradientBoostedTrees.train(Dataset(featureNames: ["a"], columns: [[1, 2]], labels: [0, 1]),
                                           parameters: GBTParameters(maxBins: 1000))
        }
        #expect(TreesError.singleClass(label: 0).description.contains("both outcomes"))
    }

    @Test("quantile bins: thresholds split between values, NaN to the missing bin, few distinct values kept exact")
    func binning() {
        let values: [Float] = [3, 1, 2, 2, .nan, 5, 1, 3]
        let data = Dataset(featureNames: ["a", "b"], columns: [values, values.map { $0 * 1000 }], labels: [])
        let binner = GBTBinner(data: data, rows: nil, maxBins: 255, seed: 0)
        #expect(binner.edges[0] == [1.5, 2.5, 4])
        #expect(binner.realBins[0] == 4)
        let bins = binner.bin(data, rows: nil)
        #expect((0..<8).map { bins.column(0)[$0] } == [2, 0, 1, 1, 255, 3, 0, 2])
        let many = (0..<10_000).map { Float($0) }
        let coarse = GBTBinner(data: Dataset(featureNames: ["c"], columns: [many]), rows: nil, maxBins: 11, seed: 0)
        #expect(coarse.realBins[0] == 10)
        let counts = Dictionary(grouping: many.map { x in coarse.edges[0].count { $0 < x } }, by: { $0 }).mapValues(\.count)
        #expect(counts.values.allSatisfy { (900...1100).contains($0) })
        var rng = GBTRandom(seed: 3)
        let mixed: [Float] = (0..<5000).map { _ in Float.random(in: -1e6..<1e6, using: &rng) } + [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        #expect(GBTBinner.sorted(mixed) == mixed.sorted())
    }
}
