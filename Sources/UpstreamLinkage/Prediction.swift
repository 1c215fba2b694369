/// A scored candidate pair of nodes: 16 bytes (no comparison vector: nothing after scoring reads it, and an
/// explanation compares the pair again), so the kept pairs, the largest thing a run holds, take two thirds of
/// what they did with it.
public struct ScoredPair: Sendable, Hashable {
    public var a: Int32
    public var b: Int32
    public var weight: Double
    public var probability: Double { Math.probability(weight: weight) }
    public init(a: Int32, b: Int32, weight: Double) { self.a = a; self.b = b; self.weight = weight }
}

/// Term frequencies of the values of every column whose comparison has a term-frequency adjusted level.
public struct TermFrequencies: Sendable {
    /// Per column index: each value's share of the nodes that have a value.
    var share: [Int: [Int32: Double]] = [:]

    public init(data: PreparedData, comparisons: [ComparisonSpec]) {
        // Counted in an array by value id, each value's first node noted, then divided once a value: the same
        // shares as a dictionary counted node by node (which hashed once a node, serially: about 0.06 s of a
        // million-record link).
        var counts: [Int32] = []
        for c in comparisons where c.termFrequencyAdjusted {
            guard let ci = data.columnIndex[c.column], share[ci] == nil else { continue }
            if counts.isEmpty { counts = [Int32](repeating: 0, count: data.strings.count) }
            var values: [Int32] = []
            var total = 0
            for v in data.columns[ci].value where v >= 0 {
                if counts[Int(v)] == 0 { values.append(v) }
                counts[Int(v)] += 1; total += 1
            }
            var f: [Int32: Double] = [:]
            f.reserveCapacity(values.count)
            for v in values { f[v] = Double(counts[Int(v)]) / max(Double(total), 1); counts[Int(v)] = 0 }
            share[ci] = f
        }
    }

}

/// Scoring: match weight and probability for compared pairs, and the explanation of any pair.
public struct Prediction: Sendable {
    public let model: LinkageModel
    public let data: PreparedData
    public let tf: TermFrequencies
    /// Each comparison's level weights, 16 places a comparison (a level is four bits of the vector), index 0 unused.
    let weights: [Double]
    /// The column values each entry of `tfIndex` reads.
    let tfValues: [[Int32]]
    /// Term-frequency adjusted comparisons: comparison index, column index, the level adjusted, and that level's u.
    let tfIndex: [(comparison: Int, column: Int, level: Int, u: Double)]

    public init(model: LinkageModel, data: PreparedData) {
        self.model = model; self.data = data
        tf = TermFrequencies(data: data, comparisons: model.settings.comparisons)
        weights = model.weightTable.flatMap { w in (0..<16).map { $0 < w.count ? w[$0] : 0 } }
        var index: [(Int, Int, Int, Double)] = []
        for (i, c) in model.settings.comparisons.enumerated() {
            guard let col = data.columnIndex[c.column] else { continue }
            var k = 0
            for l in c.levels where !l.isNull {
                k += 1
                if l.termFrequency { index.append((i, col, k, model.comparisons[i].levels[k - 1].u)) }
            }
        }
        tfIndex = index
        tfValues = index.map { data.columns[$0.1].value }
        tfTables = Prediction.tfTables(index, tf: tf, range: model.settings.tfAdjustmentRange)
    }

    /// Each adjusted level's adjustment per value, worked out once: a pair then looks its value up in a table probed
    /// by a multiplication (not a dictionary's SipHash) and takes the clamped logarithm already made.
    static func tfTables(_ index: [(comparison: Int, column: Int, level: Int, u: Double)], tf: TermFrequencies,
                         range r: ClosedRange<Double>) -> [(values: NumberTable, adjustment: [Double])] {
        index.map { t in
            let share = tf.share[t.column] ?? [:]
            var table = NumberTable(capacity: max(1, share.count))
            var adjustment: [Double] = []
            adjustment.reserveCapacity(share.count)
            for (value, f) in share {
                table.insert(UInt64(UInt32(bitPattern: value)), UInt32(adjustment.count))
                adjustment.append(min(max((t.u / f).log2Value, r.lowerBound), r.upperBound))
            }
            return (table, adjustment)
        }
    }

    /// Per entry of `tfIndex`: its column's values, each with the place of its adjustment in the array beside it.
    let tfTables: [(values: NumberTable, adjustment: [Double])]

    /// The term-frequency adjustment of comparison `i` for nodes a and b (0 unless at its adjusted level):
    /// log2(u of the level / frequency of the shared value), within the settings' bounds.
    func tfAdjustment(_ t: (comparison: Int, column: Int, level: Int, u: Double), _ gamma: Gamma, _ a: Int) -> Double {
        guard let k = tfIndex.firstIndex(where: { $0.comparison == t.comparison && $0.level == t.level }) else { return 0 }
        return tfAdjustment(k, gamma, a)
    }

    /// The adjustment of `tfIndex[k]`, from its table.
    @inline(__always) func tfAdjustment(_ k: Int, _ gamma: Gamma, _ a: Int) -> Double {
        let t = tfIndex[k]
        guard gamma.level(t.comparison) == t.level else { return 0 }
        let value = tfValues[k][a]
        guard value >= 0, let at = tfTables[k].values.value(UInt64(UInt32(bitPattern: value))) else { return 0 }
        return tfTables[k].adjustment[Int(at)]
    }

    /// The match weight of a pair, in bits.
    public func weight(_ a: Int, _ b: Int, gamma: Gamma) -> Double {
        var w = model.priorWeight
        var bits = gamma.bits
        weights.withUnsafeBufferPointer { table in
            for i in stride(from: 0, to: table.count, by: 16) { w += table[i + Int(bits & 0xF)]; bits >>= 4 }
        }
        for k in tfIndex.indices { w += tfAdjustment(k, gamma, a) }
        return w
    }

    /// Scores every candidate pair and keeps those with probability at or above `keep`.
    public func score(_ candidates: CandidatePairs, keep: Double, parallel: Parallelism = .serial) -> [ScoredPair] {
        var held = candidates
        return score(taking: &held, keep: keep, parallel: parallel)
    }

    /// Scores every candidate pair, keeps those at or above `keep`, and empties `candidates` once every pair is
    /// scored, before the workers' kept pairs are joined: when the caller held the only reference, the candidate
    /// pairs' pages go before the joined copy of the kept pairs is made.
    public func score(taking candidates: inout CandidatePairs, keep: Double, parallel: Parallelism = .serial) -> [ScoredPair] {
        var parts = scoredParts(candidates, keep: keep, parallel: parallel)
        candidates = CandidatePairs()
        return Prediction.joined(&parts)
    }

    /// Each worker's piece of the kept pairs, in the candidates' order.
    func scoredParts(_ candidates: CandidatePairs, keep: Double, parallel: Parallelism) -> [[ScoredPair]] {
        let keepWeight = keep <= 0 ? -Double.infinity : (keep / (1 - keep)).log2Value
        let chunk = max(1, candidates.count / Parallelism.linkagePieces + 1)
        return parallel.map((candidates.count + chunk - 1) / chunk) { c -> [ScoredPair] in
            var out: [ScoredPair] = []
            for p in (c * chunk)..<min(candidates.count, (c + 1) * chunk) {
                let g = Gamma(bits: candidates.gamma[p])
                let w = weight(Int(candidates.a[p]), Int(candidates.b[p]), gamma: g)
                if w >= keepWeight { out.append(ScoredPair(a: candidates.a[p], b: candidates.b[p], weight: w)) }
            }
            return out
        }
    }

    /// The workers' kept pairs as one array, each part freed once copied, so the pairs' pages peak at about one
    /// copy and one part, not two copies.
    static func joined(_ parts: inout [[ScoredPair]]) -> [ScoredPair] {
        var out: [ScoredPair] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for i in parts.indices { out.append(contentsOf: parts[i]); parts[i] = [] }
        return out
    }

    /// Blocks, compares and scores in one pass without holding the candidate pairs: each worker keeps only the
    /// pairs at or above `keep`, in the same order as `CandidatePairs.generate` would list them.
    /// Returns the kept pairs and how many pairs were compared.
    /// With `vectors` (kept by ``PatternCounts`` over the same blocking, `onlyNew` and `parallel`), each pair's
    /// comparison vector is read rather than computed again; the scores are the same.
    public func score(blocking: Blocking, onlyNew: Bool = false, keep: Double, parallel: Parallelism = .serial,
                      vectors: PairVectors? = nil) -> (pairs: [ScoredPair], compared: Int) {
        let keepWeight = keep <= 0 ? -Double.infinity : (keep / (1 - keep)).log2Value
        let comparer = Comparer(data: data, comparisons: model.settings.comparisons)
        var parts = blocking.forEachPairInPieces(onlyNew: onlyNew, parallel: parallel, make: { p in
            ([ScoredPair](), 0, vectors?.reader(piece: p) ?? PairVectors.Reader(kept: nil))
        }) { acc, x, y in
            acc.1 += 1
            let g = acc.2.vector { comparer.gamma(x, y) }
            let w = weight(x, y, gamma: g)
            if w >= keepWeight { acc.0.append(ScoredPair(a: Int32(x), b: Int32(y), weight: w)) }
        }
        let compared = parts.reduce(0) { $0 + $1.1 }
        var kept = parts.map(\.0)
        parts = []
        return (Prediction.joined(&kept), compared)
    }

    /// One comparison's part in a pair's match weight.
    public struct Step: Codable, Sendable, Hashable {
        public var comparison: String
        public var level: String
        public var left: String?
        public var right: String?
        public var m: Double?
        public var u: Double?
        /// m / u.
        public var bayesFactor: Double?
        /// log2(m / u), in bits.
        public var weight: Double
        /// The term-frequency adjustment, in bits (exact name agreement only).
        public var tfAdjustment: Double
        /// The running total after this step.
        public var cumulative: Double
    }

    /// The waterfall of a pair: the prior, then each comparison's contribution, then the total.
    public struct Explanation: Codable, Sendable, Hashable {
        public var priorWeight: Double
        public var steps: [Step]
        public var weight: Double
        public var probability: Double
    }

    /// Explains the pair of nodes a and b.
    public func explain(_ a: Int, _ b: Int) -> Explanation {
        explain(a, b, comparer: Comparer(data: data, comparisons: model.settings.comparisons))
    }

    /// The explanations of many pairs (a review queue's), with one comparer made for them all and pieces of the pairs
    /// explained on the workers: the same as ``explain(_:_:)`` pair by pair, which makes a comparer a pair.
    public func explain(_ pairs: [(a: Int, b: Int)], parallel: Parallelism = .serial) -> [Explanation] {
        guard !pairs.isEmpty else { return [] }
        let comparer = Comparer(data: data, comparisons: model.settings.comparisons)
        return parallel.map(chunks: pairs.count, minChunk: 256) { range in pairs[range].map { explain($0.a, $0.b, comparer: comparer) } }.flatMap { $0 }
    }

    func explain(_ a: Int, _ b: Int, comparer: Comparer) -> Explanation {
        let g = comparer.gamma(a, b)
        var total = model.priorWeight
        var steps: [Step] = []
        for (i, c) in model.comparisons.enumerated() {
            let l = g.level(i)
            let column = model.settings.comparisons[i].column
            let (left, right) = (data.display(column, a), data.display(column, b))
            if l == 0 {
                steps.append(Step(comparison: c.name, level: "null (missing)", left: left, right: right, m: nil, u: nil, bayesFactor: nil, weight: 0, tfAdjustment: 0, cumulative: total))
                continue
            }
            let lv = c.levels[l - 1]
            let adj = tfIndex.filter { $0.comparison == i }.reduce(0) { $0 + tfAdjustment($1, g, a) }
            total += lv.weight + adj
            steps.append(Step(comparison: c.name, level: lv.label, left: left, right: right, m: lv.m, u: lv.u, bayesFactor: lv.m / lv.u, weight: lv.weight, tfAdjustment: adj, cumulative: total))
        }
        return Explanation(priorWeight: model.priorWeight, steps: steps, weight: total, probability: Math.probability(weight: total))
    }

}

import UpstreamModel

enum CivilDateText {
    static func iso(_ day: Int32) -> String { CivilDate(dayNumber: day).iso }
}
