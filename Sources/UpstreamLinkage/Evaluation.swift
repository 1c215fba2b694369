import UpstreamModel

/// Evaluation against a ground truth of `source, record_id, person_id`.
public struct Evaluation: Codable, Sendable, Hashable {
    public struct Pairwise: Codable, Sendable, Hashable {
        public var truePairs: Int
        public var predictedPairs: Int
        public var correctPairs: Int
        public var precision: Double { predictedPairs == 0 ? 1 : Double(correctPairs) / Double(predictedPairs) }
        public var recall: Double { truePairs == 0 ? 1 : Double(correctPairs) / Double(truePairs) }
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }

        enum CodingKeys: String, CodingKey { case truePairs = "true_pairs", predictedPairs = "predicted_pairs", correctPairs = "correct_pairs", precision, recall, f1 }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(truePairs, forKey: .truePairs); try c.encode(predictedPairs, forKey: .predictedPairs)
            try c.encode(correctPairs, forKey: .correctPairs); try c.encode(precision, forKey: .precision)
            try c.encode(recall, forKey: .recall); try c.encode(f1, forKey: .f1)
        }
        public init(truePairs: Int, predictedPairs: Int, correctPairs: Int) {
            self.truePairs = truePairs; self.predictedPairs = predictedPairs; self.correctPairs = correctPairs
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            truePairs = try c.decode(Int.self, forKey: .truePairs); predictedPairs = try c.decode(Int.self, forKey: .predictedPairs)
            correctPairs = try c.decode(Int.self, forKey: .correctPairs)
        }
    }

    public struct AgencyPair: Codable, Sendable, Hashable {
        public var left: String
        public var right: String
        public var pairwise: Pairwise
    }

    /// Records scored (those in the truth).
    public var records: Int
    public var truePersons: Int
    public var predictedPersons: Int
    public var pairwise: Pairwise
    /// B-cubed precision, recall and F1 (Bagga and Baldwin 1998): per-record cluster overlap, averaged.
    public var bcubedPrecision: Double
    public var bcubedRecall: Double
    public var bcubedF1: Double
    /// Share of true persons whose records form exactly one predicted person, with nothing else in it.
    public var exactPersons: Double
    public var agencyPairs: [AgencyPair]

    /// Scores `predicted` (a person label per record) against `truth`. Records missing from `predicted`
    /// count as singletons; records not in the truth are ignored.
    public static func evaluate(predicted: [RecordKey: String], truth: [RecordKey: String], agencyOf: (RecordKey) -> String) -> Evaluation {
        var predIndex: [String: Int] = [:], truthIndex: [String: Int] = [:], agencyIndex: [String: Int] = [:]
        var agencies: [String] = []
        var rows: [(p: Int, t: Int, a: Int)] = []
        rows.reserveCapacity(truth.count)
        for (key, t) in truth {
            let pl = predicted[key] ?? "\u{0}singleton:\(key.source)/\(key.recordID)"
            let p = predIndex[pl] ?? { let v = predIndex.count; predIndex[pl] = v; return v }()
            let ti = truthIndex[t] ?? { let v = truthIndex.count; truthIndex[t] = v; return v }()
            let ag = agencyOf(key)
            let a = agencyIndex[ag] ?? { let v = agencies.count; agencyIndex[ag] = v; agencies.append(ag); return v }()
            rows.append((p, ti, a))
        }
        let na = agencies.count
        var predCounts = [[Int]](repeating: [Int](repeating: 0, count: na), count: predIndex.count)
        var truthCounts = [[Int]](repeating: [Int](repeating: 0, count: na), count: truthIndex.count)
        var cells: [Int: [Int]] = [:]
        for r in rows {
            predCounts[r.p][r.a] += 1; truthCounts[r.t][r.a] += 1
            cells[r.p &* 1_000_003 &+ r.t, default: [Int](repeating: 0, count: na)][r.a] += 1
        }
        func pairsByAgency(_ vectors: some Sequence<[Int]>) -> [[Int]] {
            var out = [[Int]](repeating: [Int](repeating: 0, count: na), count: na)
            for v in vectors {
                for i in 0..<na where v[i] > 0 {
                    out[i][i] += v[i] * (v[i] - 1) / 2
                    for j in (i + 1)..<max(i + 1, na) { out[i][j] += v[i] * v[j] }
                }
            }
            return out
        }
        let pp = pairsByAgency(predCounts), tp = pairsByAgency(truthCounts), cp = pairsByAgency(cells.values)
        func total(_ m: [[Int]]) -> Int { m.reduce(0) { $0 + $1.reduce(0, +) } }
        let pairwise = Pairwise(truePairs: total(tp), predictedPairs: total(pp), correctPairs: total(cp))
        var agencyPairs: [AgencyPair] = []
        let order = agencies.indices.sorted { agencies[$0] < agencies[$1] }
        for (x, i) in order.enumerated() {
            for j in order[x...] {
                let (lo, hi) = (min(i, j), max(i, j))
                let pw = Pairwise(truePairs: tp[lo][hi], predictedPairs: pp[lo][hi], correctPairs: cp[lo][hi])
                if pw.truePairs > 0 || pw.predictedPairs > 0 { agencyPairs.append(AgencyPair(left: agencies[i], right: agencies[j], pairwise: pw)) }
            }
        }
        // B-cubed and exact persons.
        let predSize = predCounts.map { $0.reduce(0, +) }, truthSize = truthCounts.map { $0.reduce(0, +) }
        var bp = 0.0, br = 0.0
        var exact = 0
        for (k, v) in cells {
            let p = k / 1_000_003, t = k % 1_000_003
            let c = Double(v.reduce(0, +))
            bp += c * c / Double(predSize[p]); br += c * c / Double(truthSize[t])
            if Int(c) == predSize[p] && Int(c) == truthSize[t] { exact += 1 }
        }
        let n = Double(max(rows.count, 1))
        let bP = bp / n, bR = br / n
        return Evaluation(
            records: rows.count, truePersons: truthIndex.count, predictedPersons: predIndex.count, pairwise: pairwise,
            bcubedPrecision: bP, bcubedRecall: bR, bcubedF1: bP + bR == 0 ? 0 : 2 * bP * bR / (bP + bR),
            exactPersons: Double(exact) / Double(max(truthIndex.count, 1)), agencyPairs: agencyPairs)
    }
}
