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
        var rows: [Row] = []
        rows.reserveCapacity(truth.count)
        for (key, t) in truth {
            let pl = predicted[key] ?? "\u{0}singleton:\(key.source)/\(key.recordID)"
            let p = predIndex[pl] ?? { let v = predIndex.count; predIndex[pl] = v; return v }()
            let ti = truthIndex[t] ?? { let v = truthIndex.count; truthIndex[t] = v; return v }()
            let ag = agencyOf(key)
            let a = agencyIndex[ag] ?? { let v = agencies.count; agencyIndex[ag] = v; agencies.append(ag); return v }()
            rows.append(Row(p: p, t: ti, a: a))
        }
        return score(rows: rows, predictedPersons: predIndex.count, truePersons: truthIndex.count, agencies: agencies)
    }

    /// The truth reduced to indices once, to score many labellings of the same records (the threshold sweep
    /// scores seven): each truth row's true person, agency and record index are found once, so scoring a
    /// labelling hashes only its labels, not every record key again.
    public struct Scorer: Sendable {
        /// Per truth row: its true person, its agency, and the index of its record among `keys` (−1 when the
        /// record is not among them: a singleton).
        let truthOf: [Int32], agencyOf: [Int32], recordOf: [Int32]
        let truePersons: Int
        let agencies: [String]
        let recordCount: Int

        /// Prepares `truth` for records `keys` (as `evaluate(predicted:truth:agencyOf:)` reads them: the last of a
        /// repeated key counts; records not in the truth are ignored).
        public init(keys: [RecordKey], truth: [RecordKey: String], agencyOf: (RecordKey) -> String) {
            var recordIndex: [RecordKey: Int32] = [:]
            recordIndex.reserveCapacity(keys.count)
            for (i, k) in keys.enumerated() { recordIndex[k] = Int32(i) }
            var truthIndex: [String: Int32] = [:], agencyIndex: [String: Int32] = [:]
            var agencies: [String] = []
            var t: [Int32] = [], a: [Int32] = [], r: [Int32] = []
            t.reserveCapacity(truth.count); a.reserveCapacity(truth.count); r.reserveCapacity(truth.count)
            for (key, person) in truth {
                t.append(truthIndex[person] ?? { let v = Int32(truthIndex.count); truthIndex[person] = v; return v }())
                let ag = agencyOf(key)
                a.append(agencyIndex[ag] ?? { let v = Int32(agencies.count); agencyIndex[ag] = v; agencies.append(ag); return v }())
                r.append(recordIndex[key] ?? -1)
            }
            truthOf = t; self.agencyOf = a; recordOf = r
            truePersons = truthIndex.count; self.agencies = agencies; recordCount = keys.count
        }

        /// Scores one labelling: `labels[i]` is the predicted person of record `keys[i]`; records with the same
        /// label are one person. The same figures as `evaluate(predicted:truth:agencyOf:)` with those labels.
        public func evaluate<Label: Hashable>(labels: [Label]) -> Evaluation {
            precondition(labels.count == recordCount, "one label per record")
            var predIndex: [Label: Int] = [:]
            predIndex.reserveCapacity(min(labels.count, truthOf.count))
            var persons = 0
            var rows: [Row] = []
            rows.reserveCapacity(truthOf.count)
            for j in truthOf.indices {
                let p: Int
                if recordOf[j] < 0 {
                    p = persons; persons += 1
                } else {
                    let l = labels[Int(recordOf[j])]
                    if let v = predIndex[l] { p = v } else { p = persons; predIndex[l] = p; persons += 1 }
                }
                rows.append(Row(p: p, t: Int(truthOf[j]), a: Int(agencyOf[j])))
            }
            return Evaluation.score(rows: rows, predictedPersons: persons, truePersons: truePersons, agencies: agencies)
        }
    }

    /// One scored record: its predicted person's index, its true person's index and its agency's index.
    struct Row: Sendable { var p: Int; var t: Int; var a: Int }

    /// A cell of the predicted-by-true contingency table, keyed on the pair itself. (Session 7 packed the
    /// pair into `p * 1_000_003 + t`, which sent two different cells to one key once a city had more than
    /// 1,000,003 true persons.)
    struct Cell: Hashable, Sendable { var p: Int; var t: Int }

    /// Scores rows already reduced to indices: `p < predictedPersons`, `t < truePersons`, `a < agencies.count`.
    static func score(rows: [Row], predictedPersons: Int, truePersons: Int, agencies: [String]) -> Evaluation {
        let na = agencies.count
        // Flat per-person agency counts (person * na + agency): one allocation however many persons.
        var predCounts = [Int](repeating: 0, count: predictedPersons * na)
        var truthCounts = [Int](repeating: 0, count: truePersons * na)
        var cells: [Cell: [Int]] = [:]
        for r in rows {
            predCounts[r.p * na + r.a] += 1; truthCounts[r.t * na + r.a] += 1
            cells[Cell(p: r.p, t: r.t), default: [Int](repeating: 0, count: na)][r.a] += 1
        }
        func add(_ v: ArraySlice<Int>, into out: inout [[Int]]) {
            let b = v.startIndex
            for i in 0..<na where v[b + i] > 0 {
                let vi = v[b + i]
                out[i][i] += vi * (vi - 1) / 2
                for j in (i + 1)..<max(i + 1, na) { out[i][j] += vi * v[b + j] }
            }
        }
        func pairsByAgency(flat: [Int]) -> [[Int]] {
            var out = [[Int]](repeating: [Int](repeating: 0, count: na), count: na)
            guard na > 0 else { return out }
            var s = 0
            while s < flat.count { add(flat[s..<(s + na)], into: &out); s += na }
            return out
        }
        let pp = pairsByAgency(flat: predCounts), tp = pairsByAgency(flat: truthCounts)
        var cp = [[Int]](repeating: [Int](repeating: 0, count: na), count: na)
        for v in cells.values { add(v[...], into: &cp) }
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
        var predSize = [Int](repeating: 0, count: predictedPersons), truthSize = [Int](repeating: 0, count: truePersons)
        for r in rows { predSize[r.p] += 1; truthSize[r.t] += 1 }
        var bp = 0.0, br = 0.0
        var exact = 0
        for (k, v) in cells {
            let c = Double(v.reduce(0, +))
            bp += c * c / Double(predSize[k.p]); br += c * c / Double(truthSize[k.t])
            if Int(c) == predSize[k.p] && Int(c) == truthSize[k.t] { exact += 1 }
        }
        let n = Double(max(rows.count, 1))
        let bP = bp / n, bR = br / n
        return Evaluation(
            records: rows.count, truePersons: truePersons, predictedPersons: predictedPersons, pairwise: pairwise,
            bcubedPrecision: bP, bcubedRecall: bR, bcubedF1: bP + bR == 0 ? 0 : 2 * bP * bR / (bP + bR),
            exactPersons: Double(exact) / Double(max(truePersons, 1)), agencyPairs: agencyPairs)
    }
}
