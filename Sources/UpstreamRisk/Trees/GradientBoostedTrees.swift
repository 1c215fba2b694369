import Foundation
import UpstreamModel

/// Histogram gradient-boosted trees for a binary outcome (log-loss), in the manner of LightGBM and
/// scikit-learn's `HistGradientBoostingClassifier`.
///
/// Each feature is cut into at most `maxBins − 1` quantile bins plus one bin for missing values; every tree is
/// grown leaf-wise on histograms of gradients and hessians (the larger child's by subtraction), with the
/// direction of missing values learned at every split. Deterministic for a given `GBTParameters.seed`.
public enum GradientBoostedTrees {
    /// Binary log-loss boosting.
    ///
    /// - Parameters:
    ///   - data: training rows with a 0/1 label each.
    ///   - validation: rows to watch for early stopping (columns matched by name). If nil and
    ///     `parameters.earlyStopping`, a stratified, seeded `validationFraction` of `data` is held out.
    ///   - parallelism: how the work is spread over threads; the model is the same for any worker count.
    ///   - progress: called after every round with the round (1-based), the training and the validation loss.
    /// - Throws: `TreesError` for empty data, missing or non-0/1 labels, a single class, bad parameters.
    public static func train(
        _ data: Dataset, parameters: GBTParameters = .init(), validation: Dataset? = nil, parallelism: Parallelism = .serial,
        progress: (@Sendable (_ iteration: Int, _ trainLoss: Double, _ validationLoss: Double?) -> Void)? = nil
    ) throws -> GBTModel {
        try parameters.validate()
        guard data.rowCount > 0, data.featureCount > 0 else { throw TreesError.emptyData }
        try checkLabels(data)

        // Which rows train and which validate.
        var trainRows: [Int]? = nil
        var validationRows: [Int]? = nil
        if let validation {
            guard validation.rowCount > 0 else { throw TreesError.validationMismatch("it has no rows") }
            guard !validation.labels.isEmpty else { throw TreesError.validationMismatch("it has no labels") }
            let names = Set(validation.featureNames)
            if let absent = data.featureNames.first(where: { !names.contains($0) }) {
                throw TreesError.validationMismatch("feature \"\(absent)\" is not in it")
            }
        } else if parameters.earlyStopping {
            (trainRows, validationRows) = stratifiedSplit(data.labels, fraction: parameters.validationFraction,
                                                          seed: parameters.seed)
        }
        let trainLabels = trainRows.map { $0.map { data.labels[$0] } } ?? data.labels
        let positives = trainLabels.reduce(0) { $0 + Int($1) }
        if positives == 0 || positives == trainLabels.count { throw TreesError.singleClass(label: trainLabels[0]) }

        let binner = GBTBinner(data: data, rows: trainRows, maxBins: parameters.maxBins, seed: parameters.seed, parallel: parallelism)
        let trainBins = binner.bin(data, rows: trainRows, parallel: parallelism)
        var validationBins: GBTBinnedMatrix?
        var validationLabels: [UInt8] = []
        if let validation {
            validationBins = binner.bin(validation, rows: nil, columnFor: validation.columnMap(for: data.featureNames), parallel: parallelism)
            validationLabels = validation.labels
        } else if let validationRows, !validationRows.isEmpty {
            validationBins = binner.bin(data, rows: validationRows, parallel: parallelism)
            validationLabels = validationRows.map { data.labels[$0] }
        }

        let n = trainLabels.count
        let baseRate = Double(positives) / Double(n)
        let baseMargin = log(baseRate / (1 - baseRate))
        let grower = GBTTreeGrower(bins: trainBins, binner: binner, parameters: parameters, parallel: parallelism)
        var margins = [Double](repeating: baseMargin, count: n)
        var validationMargins = [Double](repeating: baseMargin, count: validationLabels.count)

        var trees = [GBTTree]()
        var history = [GBTLossRecord]()
        var bestLoss = validationBins == nil ? .infinity : meanLogLoss(validationMargins, validationLabels)
        var bestCount = 0
        _ = updateGradients(margins, trainLabels, grower)

        for iteration in 1...parameters.maxIterations {
            let grown = grower.grow()
            if grown.tree.nodes.count == 1 { break }  // no split gains anything: more rounds would not either
            trees.append(grown.tree)
            applyLeaves(grown, to: &margins, rowIndex: grower.rowIndex)
            if let validationBins { addTree(grown, bins: validationBins, to: &validationMargins, parallel: parallelism) }
            let trainLoss = updateGradients(margins, trainLabels, grower)
            let validationLoss = validationBins.map { _ in meanLogLoss(validationMargins, validationLabels) }
            history.append(GBTLossRecord(iteration: iteration, train: trainLoss, validation: validationLoss))
            progress?(iteration, trainLoss, validationLoss)

            if let validationLoss {
                if validationLoss < bestLoss - parameters.tolerance {
                    bestLoss = validationLoss; bestCount = trees.count
                } else if parameters.earlyStopping && trees.count - bestCount >= parameters.patience {
                    break
                }
            }
        }
        if parameters.earlyStopping && validationBins != nil { trees.removeLast(trees.count - bestCount) }
        return GBTModel(featureNames: data.featureNames, parameters: parameters, baseMargin: baseMargin,
                        trees: trees, iterationsUsed: trees.count, lossHistory: history)
    }

    static func checkLabels(_ data: Dataset) throws {
        guard !data.labels.isEmpty else { throw TreesError.labelsMissing }
        var seen: Set<UInt8> = []
        for (row, y) in data.labels.enumerated() {
            guard y <= 1 else { throw TreesError.invalidLabel(row: row, value: y) }
            seen.insert(y)
        }
        if seen.count < 2 { throw TreesError.singleClass(label: data.labels[0]) }
    }

    /// Holds out `fraction` of each class (at least one row of each when the class has two or more), seeded.
    /// Both lists come back in ascending row order.
    static func stratifiedSplit(_ labels: [UInt8], fraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
        var rng = GBTRandom(seed: seed)
        var train = [Int](), validation = [Int]()
        for cls in [UInt8(0), 1] {
            var rows = labels.indices.filter { labels[$0] == cls }
            rows.shuffle(using: &rng)
            var held = Int((Double(rows.count) * fraction).rounded())
            if rows.count >= 2 { held = min(max(held, 1), rows.count - 1) } else { held = 0 }
            validation += rows[0..<held]
            train += rows[held...]
        }
        return (train.sorted(), validation.sorted())
    }

    /// Sets each row's gradient p − y and hessian p(1 − p) from its margin; returns the mean log-loss.
    static func updateGradients(_ margins: [Double], _ labels: [UInt8], _ grower: GBTTreeGrower) -> Double {
        let n = margins.count
        let chunks = Parallelism.chunkCount(n, minChunk: 16_384)
        var partial = [Double](repeating: 0, count: chunks)
        margins.withUnsafeBufferPointer { m in
            labels.withUnsafeBufferPointer { y in
                partial.withUnsafeMutableBufferPointer { partialOut in
                    nonisolated(unsafe) let m = m, y = y, partialOut = partialOut
                    nonisolated(unsafe) let gh = grower.gradients
                    grower.parallel.forEach(chunks: n, minChunk: 16_384) { c, range in
                        var loss = 0.0
                        for i in range {
                            let p = gbtSigmoid(m[i])
                            gh[i] = SIMD4(Float(p - Double(y[i])), Float(p * (1 - p)), 1, 0)
                            // −log p or −log(1 − p): one log instead of the softplus, while p is far from 0 and 1.
                            loss += abs(m[i]) < 16 ? -log(y[i] == 1 ? p : 1 - p) : gbtLogLoss(margin: m[i], label: y[i])
                        }
                        partialOut[c] = loss
                    }
                }
            }
        }
        return partial.reduce(0, +) / Double(n)
    }

    static func meanLogLoss(_ margins: [Double], _ labels: [UInt8]) -> Double {
        var loss = 0.0
        for i in margins.indices { loss += gbtLogLoss(margin: margins[i], label: labels[i]) }
        return loss / Double(max(1, margins.count))
    }

    /// Adds each leaf's value to the margins of the training rows it holds.
    static func applyLeaves(_ grown: GBTTreeGrower.Grown, to margins: inout [Double], rowIndex: UnsafeMutablePointer<UInt32>) {
        margins.withUnsafeMutableBufferPointer { m in
            for leaf in grown.leafRanges {
                let v = grown.tree.nodes[leaf.node].value
                for k in leaf.start..<(leaf.start + leaf.count) { m[Int(rowIndex[k])] += v }
            }
        }
    }

    /// Adds the tree's value to binned rows' margins, walking the tree by bins.
    static func addTree(_ grown: GBTTreeGrower.Grown, bins: GBTBinnedMatrix, to margins: inout [Double], parallel: Parallelism) {
        let nodes = grown.tree.nodes, splitBins = grown.splitBins
        margins.withUnsafeMutableBufferPointer { m in
            nonisolated(unsafe) let m = m
            parallel.forEach(chunks: bins.rows, minChunk: 8192) { _, range in
                for r in range {
                    var i = 0
                    while nodes[i].feature >= 0 {
                        let b = Int(bins.column(nodes[i].feature)[r])
                        let left = b == GBTBinner.missingBin ? nodes[i].missingGoesLeft : b <= splitBins[i]
                        i = left ? nodes[i].left : nodes[i].right
                    }
                    m[r] += nodes[i].value
                }
            }
        }
    }
}
