/// A scored candidate pair of nodes.
public struct ScoredPair: Sendable, Hashable {
    public var a: Int32
    public var b: Int32
    public var gamma: UInt64
    public var weight: Double
    public var probability: Double { Math.probability(weight: weight) }
}

/// Term frequencies of forenames and surnames among the identities being linked.
public struct TermFrequencies: Sendable {
    var forename: [Int32: Double] = [:]
    var surname: [Int32: Double] = [:]

    public init(data: PreparedData) {
        var f: [Int32: Double] = [:], s: [Int32: Double] = [:]
        var nf = 0.0, ns = 0.0
        for n in 0..<data.nodeCount {
            if data.forename[n] >= 0 { f[data.forename[n], default: 0] += 1; nf += 1 }
            if data.surname[n] >= 0 { s[data.surname[n], default: 0] += 1; ns += 1 }
        }
        for k in f.keys { f[k]! /= max(nf, 1) }
        for k in s.keys { s[k]! /= max(ns, 1) }
        forename = f; surname = s
    }

    func frequency(_ kind: ComparisonKind, _ value: Int32) -> Double? {
        switch kind {
        case .forename: forename[value]
        case .surname: surname[value]
        default: nil
        }
    }
}

/// Scoring: match weight and probability for compared pairs, and the explanation of any pair.
public struct Prediction: Sendable {
    public let model: LinkageModel
    public let data: PreparedData
    public let tf: TermFrequencies
    let weights: [[Double]]
    let tfIndex: [(Int, ComparisonKind, Double)]  // comparison index, kind, u of its exact level

    public init(model: LinkageModel, data: PreparedData) {
        self.model = model; self.data = data
        tf = TermFrequencies(data: data)
        weights = model.weightTable
        tfIndex = model.comparisons.enumerated().compactMap { i, c in c.kind.termFrequencyAdjusted ? (i, c.kind, c.levels[0].u) : nil }
    }

    /// The term-frequency adjustment of comparison `i` for nodes a and b (0 unless at the exact level):
    /// log2(u_exact / frequency of the shared value), within the settings' bounds.
    func tfAdjustment(_ i: Int, _ kind: ComparisonKind, _ uExact: Double, _ gamma: Gamma, _ a: Int) -> Double {
        guard gamma.level(i) == 1 else { return 0 }
        let value = kind == .forename ? data.forename[a] : data.surname[a]
        guard value >= 0, let f = tf.frequency(kind, value) else { return 0 }
        let r = model.settings.tfAdjustmentRange
        return min(max((uExact / f).log2Value, r.lowerBound), r.upperBound)
    }

    /// The match weight of a pair, in bits.
    public func weight(_ a: Int, _ b: Int, gamma: Gamma) -> Double {
        var w = model.priorWeight
        for i in weights.indices { w += weights[i][gamma.level(i)] }
        for (i, k, u) in tfIndex { w += tfAdjustment(i, k, u, gamma, a) }
        return w
    }

    /// Scores every candidate pair and keeps those with probability at or above `keep`.
    public func score(_ candidates: CandidatePairs, keep: Double, parallel: Parallelism = .serial) -> [ScoredPair] {
        let keepWeight = keep <= 0 ? -Double.infinity : (keep / (1 - keep)).log2Value
        let chunk = max(1, candidates.count / (parallel.workers * 8) + 1)
        let parts = parallel.map((candidates.count + chunk - 1) / chunk) { c -> [ScoredPair] in
            var out: [ScoredPair] = []
            for p in (c * chunk)..<min(candidates.count, (c + 1) * chunk) {
                let g = Gamma(bits: candidates.gamma[p])
                let w = weight(Int(candidates.a[p]), Int(candidates.b[p]), gamma: g)
                if w >= keepWeight { out.append(ScoredPair(a: candidates.a[p], b: candidates.b[p], gamma: g.bits, weight: w)) }
            }
            return out
        }
        return parts.flatMap { $0 }
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
        let g = Comparer(data: data, kinds: model.settings.comparisons).gamma(a, b)
        var total = model.priorWeight
        var steps: [Step] = []
        for (i, c) in model.comparisons.enumerated() {
            let l = g.level(i)
            let (left, right) = values(c.kind, a, b)
            if l == 0 {
                steps.append(Step(comparison: c.kind.rawValue, level: "null (missing)", left: left, right: right, m: nil, u: nil, bayesFactor: nil, weight: 0, tfAdjustment: 0, cumulative: total))
                continue
            }
            let lv = c.levels[l - 1]
            let adj = tfIndex.first { $0.0 == i }.map { tfAdjustment($0.0, $0.1, $0.2, g, a) } ?? 0
            total += lv.weight + adj
            steps.append(Step(comparison: c.kind.rawValue, level: lv.label, left: left, right: right, m: lv.m, u: lv.u, bayesFactor: lv.m / lv.u, weight: lv.weight, tfAdjustment: adj, cumulative: total))
        }
        return Explanation(priorWeight: model.priorWeight, steps: steps, weight: total, probability: Math.probability(weight: total))
    }

    func values(_ kind: ComparisonKind, _ a: Int, _ b: Int) -> (String?, String?) {
        func t(_ col: [Int32]) -> (String?, String?) { (data.text(col[a]), data.text(col[b])) }
        func strip(_ s: String?) -> String? { s.map { String($0.dropFirst()) } }
        switch kind {
        case .forename:
            func f(_ n: Int) -> String? {
                guard let x = data.text(data.forename[n]) else { return nil }
                let mids = data.middles(n).compactMap { data.text($0) }
                return ([x] + mids).joined(separator: " ")
            }
            return (f(a), f(b))
        case .surname: return t(data.surname)
        case .dob:
            func d(_ n: Int) -> String? { data.dob[n] == PreparedData.missingDate ? nil : CivilDateText.iso(data.dob[n]) }
            return (d(a), d(b))
        case .sex:
            func s(_ n: Int) -> String? { data.sex[n] == 1 ? "M" : data.sex[n] == 2 ? "F" : nil }
            return (s(a), s(b))
        case .postcode: return t(data.postcodeUnit)
        case .nhs, .upn, .pnc:
            let col = kind == .nhs ? data.nhs : kind == .upn ? data.upn : data.pnc
            let (x, y) = t(col)
            return (strip(x), strip(y))
        case .localID:
            let (x, y) = t(data.localID)
            return (strip(x), strip(y))
        }
    }
}

import UpstreamModel

enum CivilDateText {
    static func iso(_ day: Int32) -> String { CivilDate(dayNumber: day).iso }
}
