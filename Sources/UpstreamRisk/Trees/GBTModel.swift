import Foundation
import UpstreamModel

/// One regression tree of a boosted model: nodes in an array, the root at index 0, children after parents.
///
/// A row goes left at an internal node when its value of `feature` is `≤ threshold`; a missing value (NaN)
/// goes where the split learned to send missing values (`missingGoesLeft`).
public struct GBTTree: Codable, Sendable, Hashable {
    /// One node: an internal split (`feature ≥ 0`) or a leaf (`feature == -1`).
    public struct Node: Sendable, Hashable {
        /// The split feature's index in `GBTModel.featureNames`, or -1 for a leaf.
        public var feature: Int
        /// Values `≤ threshold` go left. `+∞` means every non-missing value goes left (the split only
        /// separates the missing values).
        public var threshold: Float
        /// Where NaN goes: learned from the training rows that were missing here, or the larger child when
        /// none were.
        public var missingGoesLeft: Bool
        public var left: Int
        public var right: Int
        /// For a leaf, what it adds to the margin (learning rate applied); for an internal node, the value it
        /// would have had as a leaf (for inspection only).
        public var value: Double
        /// Training rows that reached this node (TreeSHAP's cover).
        public var cover: Double
        /// The split's gain G²ₗ/(Hₗ+λ) + G²ᵣ/(Hᵣ+λ) − G²/(H+λ); 0 for a leaf.
        public var gain: Double

        public var isLeaf: Bool { feature < 0 }

        public init(feature: Int, threshold: Float, missingGoesLeft: Bool, left: Int, right: Int,
                    value: Double, cover: Double, gain: Double) {
            self.feature = feature; self.threshold = threshold; self.missingGoesLeft = missingGoesLeft
            self.left = left; self.right = right; self.value = value; self.cover = cover; self.gain = gain
        }

        /// A leaf.
        public static func leaf(value: Double, cover: Double) -> Node {
            Node(feature: -1, threshold: 0, missingGoesLeft: false, left: -1, right: -1, value: value, cover: cover, gain: 0)
        }

        /// The child a value goes to.
        @inlinable public func child(for x: Float) -> Int {
            x.isNaN ? (missingGoesLeft ? left : right) : (x <= threshold ? left : right)
        }
    }

    public var nodes: [Node]

    public init(nodes: [Node]) { self.nodes = nodes }

    /// The leaf value a row (all features, in the model's order) reaches.
    public func value(row: [Float]) -> Double {
        var i = 0
        while nodes[i].feature >= 0 { i = nodes[i].child(for: row[nodes[i].feature]) }
        return nodes[i].value
    }

    /// The cover-weighted mean of the leaf values: the tree's expected output over the training rows.
    public var expectedValue: Double {
        guard let root = nodes.first, root.cover > 0 else { return nodes.first?.value ?? 0 }
        return nodes.reduce(0) { $1.isLeaf ? $0 + $1.value * $1.cover : $0 } / root.cover
    }

    public var leafCount: Int { nodes.count { $0.isLeaf } }

    /// Edges from the root to the deepest leaf.
    public var depth: Int {
        var depths = [Int](repeating: 0, count: nodes.count)
        for (i, n) in nodes.enumerated() where !n.isLeaf { depths[n.left] = depths[i] + 1; depths[n.right] = depths[i] + 1 }
        return depths.max() ?? 0
    }
}

extension GBTTree.Node: Codable {
    private enum CodingKeys: String, CodingKey { case feature, threshold, missingGoesLeft, left, right, value, cover, gain }

    // A leaf is written as {value, cover}; an infinite threshold as a missing one (JSON has no ∞).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        feature = try c.decodeIfPresent(Int.self, forKey: .feature) ?? -1
        threshold = try c.decodeIfPresent(Float.self, forKey: .threshold) ?? (feature < 0 ? 0 : .infinity)
        missingGoesLeft = try c.decodeIfPresent(Bool.self, forKey: .missingGoesLeft) ?? false
        left = try c.decodeIfPresent(Int.self, forKey: .left) ?? -1
        right = try c.decodeIfPresent(Int.self, forKey: .right) ?? -1
        value = try c.decode(Double.self, forKey: .value)
        cover = try c.decode(Double.self, forKey: .cover)
        gain = try c.decodeIfPresent(Double.self, forKey: .gain) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if !isLeaf {
            try c.encode(feature, forKey: .feature)
            if threshold.isFinite { try c.encode(threshold, forKey: .threshold) }
            try c.encode(missingGoesLeft, forKey: .missingGoesLeft)
            try c.encode(left, forKey: .left)
            try c.encode(right, forKey: .right)
            try c.encode(gain, forKey: .gain)
        }
        try c.encode(value, forKey: .value)
        try c.encode(cover, forKey: .cover)
    }
}

/// The losses after one boosting round.
public struct GBTLossRecord: Codable, Sendable, Hashable {
    /// 1-based round.
    public var iteration: Int
    /// Mean log-loss on the rows the trees were fitted to.
    public var train: Double
    /// Mean log-loss on the validation rows, when there were any.
    public var validation: Double?

    public init(iteration: Int, train: Double, validation: Double?) {
        self.iteration = iteration; self.train = train; self.validation = validation
    }
}

/// A trained binary gradient-boosted trees model: margin (log-odds) = `baseMargin` + Σ tree leaf values.
///
/// Pure `Codable` value: the JSON it encodes to is everything needed to score (no binner), and decoding it
/// gives identical predictions. Scoring aligns columns by feature name, so a table with extra columns or another
/// column order scores the same; a feature the table lacks is treated as missing in every row.
public struct GBTModel: Codable, Sendable {
    public var featureNames: [String]
    public var parameters: GBTParameters
    /// Log-odds of the training base rate: every row's margin before the first tree.
    public var baseMargin: Double
    public var trees: [GBTTree]
    /// Trees kept (the best round when early stopping; fewer than `parameters.maxIterations` when it stopped).
    public var iterationsUsed: Int
    /// Losses after every round trained, including the rounds after the best that early stopping dropped.
    public var lossHistory: [GBTLossRecord]

    public init(featureNames: [String], parameters: GBTParameters, baseMargin: Double, trees: [GBTTree],
                iterationsUsed: Int? = nil, lossHistory: [GBTLossRecord] = []) {
        self.featureNames = featureNames; self.parameters = parameters; self.baseMargin = baseMargin
        self.trees = trees; self.iterationsUsed = iterationsUsed ?? trees.count; self.lossHistory = lossHistory
    }

    /// The margin (log-odds) of one row whose values are in `featureNames` order.
    public func margin(row: [Float]) -> Double {
        precondition(row.count == featureNames.count, "a row needs \(featureNames.count) values, got \(row.count)")
        var m = baseMargin
        for tree in trees { m += tree.value(row: row) }
        return m
    }

    /// Margins (log-odds) of every row of `data`, over chunks of rows spread by `parallelism`.
    public func margins(_ data: Dataset, parallelism: Parallelism = .serial) -> [Double] {
        let n = data.rowCount
        var out = [Double](repeating: baseMargin, count: n)
        guard n > 0, !trees.isEmpty else { return out }
        let forest = GBTFlatForest(trees)
        let columnFor = data.columnMap(for: featureNames)
        let featureCount = featureNames.count
        out.withUnsafeMutableBufferPointer { outBuffer in
            nonisolated(unsafe) let result = outBuffer
            parallelism.forEach(chunks: n, minChunk: 2048) { _, range in
                let block = 512
                let rowsBuffer = UnsafeMutablePointer<Float>.allocate(capacity: block * featureCount)
                defer { rowsBuffer.deallocate() }
                var lo = range.lowerBound
                while lo < range.upperBound {
                    let hi = min(lo + block, range.upperBound)
                    // Gather the block row-major, so each row's walk through the forest reads one cache line range.
                    for f in 0..<featureCount {
                        if let c = columnFor[f] {
                            data.columns[c].withUnsafeBufferPointer { col in
                                for r in lo..<hi { rowsBuffer[(r - lo) * featureCount + f] = col[r] }
                            }
                        } else {
                            for r in lo..<hi { rowsBuffer[(r - lo) * featureCount + f] = .nan }
                        }
                    }
                    for r in lo..<hi {
                        result[r] = forest.margin(base: baseMargin, row: rowsBuffer + (r - lo) * featureCount)
                    }
                    lo = hi
                }
            }
        }
        return out
    }

    /// Probabilities sigmoid(margin), uncalibrated.
    public func probabilities(_ data: Dataset, parallelism: Parallelism = .serial) -> [Double] {
        margins(data, parallelism: parallelism).map(gbtSigmoid)
    }

    /// Each feature's share of the total split gain over all trees (sums to 1; all zeros when no tree splits).
    public func gainImportance() -> [Double] {
        var gain = [Double](repeating: 0, count: featureNames.count)
        for tree in trees { for node in tree.nodes where !node.isLeaf { gain[node.feature] += node.gain } }
        let total = gain.reduce(0, +)
        return total > 0 ? gain.map { $0 / total } : gain
    }
}

extension Dataset {
    /// For each name, the index of this table's column with that name (nil when absent).
    func columnMap(for names: [String]) -> [Int?] {
        if featureNames == names { return names.indices.map { $0 } }
        var index = [String: Int]()
        for (i, name) in featureNames.enumerated() where index[name] == nil { index[name] = i }
        return names.map { index[$0] }
    }
}

/// The forest flattened into one array of small nodes for fast scoring (built per `margins` call; cheap).
struct GBTFlatForest {
    struct Node {
        var threshold: Float
        var feature: Int32  // -1: leaf
        var left: Int32
        var right: Int32
        var missingLeft: Bool
        var value: Double
    }
    var nodes: [Node] = []
    var roots: [Int] = []

    init(_ trees: [GBTTree]) {
        for tree in trees {
            let offset = nodes.count
            roots.append(offset)
            for n in tree.nodes {
                nodes.append(Node(threshold: n.threshold, feature: Int32(n.feature),
                                  left: Int32(n.isLeaf ? -1 : n.left + offset), right: Int32(n.isLeaf ? -1 : n.right + offset),
                                  missingLeft: n.missingGoesLeft, value: n.value))
            }
        }
    }

    /// base + Σ leaf values, summed in tree order (the same order as `GBTModel.margin(row:)`).
    @inline(__always) func margin(base: Double, row: UnsafePointer<Float>) -> Double {
        nodes.withUnsafeBufferPointer { nodes in
            var m = base
            for root in roots {
                var i = root
                while true {
                    let node = nodes[i]
                    if node.feature < 0 { m += node.value; break }
                    let x = row[Int(node.feature)]
                    i = Int(x.isNaN ? (node.missingLeft ? node.left : node.right) : (x <= node.threshold ? node.left : node.right))
                }
            }
            return m
        }
    }
}
