import Foundation

/// Stratified k-fold cross-validation, optionally by group, and out-of-fold scoring.
///
/// With a group key (a person's pseudonym) every row of a group lands in the same fold, so a model is never trained
/// on one as-of date of a person and tested on another of the same person ("never the same person's future in
/// both"). Folds are stratified: each gets about the same number of positive rows, and about the same number of rows.
public enum CrossValidation {

    /// A fold number in `0..<k` for every row.
    ///
    /// Groups (or rows, without groups) are shuffled with `seed`; groups with a positive row are then dealt one by
    /// one to the fold with the fewest positive rows so far, and the rest to the fold with the fewest rows so far
    /// (ties to the lower fold). Deterministic for a given seed.
    /// - Parameters:
    ///   - labels: the outcome per row.
    ///   - groups: an optional group key per row; rows sharing a key share a fold.
    ///   - k: the number of folds (at least 2).
    public static func stratifiedFolds(labels: [UInt8], groups: [String]? = nil, k: Int, seed: UInt64) -> [Int] {
        precondition(k >= 2, "at least two folds")
        precondition(groups == nil || groups!.count == labels.count, "one group key per row")
        let n = labels.count
        // Units that must stay together: each row alone, or all rows of a group.
        var unitOfRow = [Int](repeating: 0, count: n)
        var unitRows: [Int] = []
        var unitPositives: [Int] = []
        if let groups {
            var index: [String: Int] = [:]
            for i in 0..<n {
                let u: Int
                if let known = index[groups[i]] {
                    u = known
                } else {
                    u = unitRows.count
                    index[groups[i]] = u
                    unitRows.append(0)
                    unitPositives.append(0)
                }
                unitOfRow[i] = u
                unitRows[u] += 1
                unitPositives[u] += labels[i] != 0 ? 1 : 0
            }
        } else {
            unitOfRow = Array(0..<n)
            unitRows = [Int](repeating: 1, count: n)
            unitPositives = labels.map { $0 != 0 ? 1 : 0 }
        }
        var order = Array(unitRows.indices)
        var rng = Metrics.SeededGenerator(seed: seed)
        order.shuffle(using: &rng)
        var foldOfUnit = [Int](repeating: 0, count: unitRows.count)
        var foldRows = [Int](repeating: 0, count: k)
        var foldPositives = [Int](repeating: 0, count: k)
        func smallest(_ counts: [Int]) -> Int {
            var best = 0
            for f in 1..<k where counts[f] < counts[best] { best = f }
            return best
        }
        for u in order where unitPositives[u] > 0 {
            let f = smallest(foldPositives)
            foldOfUnit[u] = f
            foldPositives[f] += unitPositives[u]
            foldRows[f] += unitRows[u]
        }
        for u in order where unitPositives[u] == 0 {
            let f = smallest(foldRows)
            foldOfUnit[u] = f
            foldRows[f] += unitRows[u]
        }
        return unitOfRow.map { foldOfUnit[$0] }
    }

    /// Scores every row with a model trained on the other folds: one training per fold, each row scored exactly once.
    /// - Parameters:
    ///   - folds: a fold number per row (for example from `stratifiedFolds`).
    ///   - train: trains on a dataset and returns a function that scores another dataset, one score per row.
    /// - Returns: the out-of-fold score of every row, in row order.
    /// - Throws: whatever `train` throws.
    public static func outOfFoldScores(
        _ data: Dataset, folds: [Int], train: (Dataset) throws -> (Dataset) -> [Double]
    ) rethrows -> [Double] {
        precondition(folds.count == data.rowCount, "one fold per row")
        var scores = [Double](repeating: .nan, count: data.rowCount)
        for fold in Set(folds).sorted() {
            var inside: [Int] = []
            var outside: [Int] = []
            for (i, f) in folds.enumerated() {
                if f == fold { inside.append(i) } else { outside.append(i) }
            }
            let score = try train(data.subset(outside))
            let held = score(data.subset(inside))
            precondition(held.count == inside.count, "one score per held-out row")
            for (k, i) in inside.enumerated() { scores[i] = held[k] }
        }
        return scores
    }

    /// A key's stable place in [0, 1) for a seed (FNV-1a, then a 64-bit finaliser): the same person always falls
    /// on the same side of a split, whatever the row order.
    public static func unit(_ key: String, seed: UInt64) -> Double {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return Double(h >> 11) / Double(1 << 53)
    }

    /// The rows split by group into those kept and a `share` held out (to calibrate, to stop early): all rows of
    /// one group fall on the same side. When either side would be empty, every row is used for both.
    public static func holdOut(groups: [String], share: Double, seed: UInt64, rows: [Int]? = nil) -> (kept: [Int], heldOut: [Int]) {
        var kept: [Int] = [], held: [Int] = []
        for i in rows ?? Array(groups.indices) {
            if unit(groups[i], seed: seed) < share { held.append(i) } else { kept.append(i) }
        }
        if kept.isEmpty || held.isEmpty { let all = rows ?? Array(groups.indices); return (all, all) }
        return (kept, held)
    }
}
