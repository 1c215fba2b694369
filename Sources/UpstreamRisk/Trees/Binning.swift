import UpstreamModel

/// Quantile bin edges per feature, learned from the training rows, and the binned (UInt8) matrix they give.
///
/// Bin `b` of a feature holds the values `x` with `edges[b-1] < x <= edges[b]`, so `bin(x)` is the number of
/// edges below `x`, and "bin ≤ b" is exactly "x ≤ edges[b]": a tree stores `edges[b]` as its raw `Float`
/// threshold and scores raw values without the binner, with the same answer as on the bins. NaN goes to
/// `missingBin` (255) whatever `maxBins` is, so histograms are always 256 wide.
struct GBTBinner: Sendable {
    static let missingBin = 255
    static let histogramWidth = 256

    /// Strictly increasing thresholds per feature; empty for a feature with one distinct value or none.
    var edges: [[Float]]
    /// Real-value bins per feature (`edges.count + 1`), or 0 when the feature was always missing.
    var realBins: [Int]

    /// Learns the edges from `rows` of `data` (all rows when nil), on a seeded subsample of at most
    /// `subsample` rows (scikit-learn uses 200,000 the same way), parallel over features.
    init(data: Dataset, rows: [Int]?, maxBins: Int, subsample: Int = 200_000, seed: UInt64, parallel: Parallelism = .serial) {
        let allRows = rows ?? Array(0..<data.rowCount)
        var sample = allRows
        if sample.count > subsample {
            var rng = GBTRandom(seed: seed ^ 0xB1A5_ED6E)
            for i in 0..<subsample { sample.swapAt(i, Int.random(in: i..<sample.count, using: &rng)) }
            sample = Array(sample[0..<subsample]).sorted()
        }
        let featureCount = data.featureCount
        let maxReal = maxBins - 1
        var edges = [[Float]](repeating: [], count: featureCount)
        var realBins = [Int](repeating: 0, count: featureCount)
        edges.withUnsafeMutableBufferPointer { edgesOut in
            realBins.withUnsafeMutableBufferPointer { realOut in
                nonisolated(unsafe) let edgesOut = edgesOut, realOut = realOut
                parallel.forEach(featureCount) { f in
                    let column = data.columns[f]
                    var values = [Float]()
                    values.reserveCapacity(sample.count)
                    for r in sample { let v = column[r]; if !v.isNaN { values.append(v) } }
                    if values.isEmpty { edgesOut[f] = []; realOut[f] = 0; return }
                    values = Self.sorted(values)
                    let e = Self.edges(sorted: values, maxReal: maxReal)
                    edgesOut[f] = e
                    realOut[f] = e.count + 1
                }
            }
        }
        self.edges = edges
        self.realBins = realBins
    }

    /// Non-NaN floats in ascending order by an LSD radix sort on order-preserving keys (4 passes of 8 bits):
    /// ~10× faster than a comparison sort on the 200,000-value samples, for the same result.
    static func sorted(_ values: [Float]) -> [Float] {
        let n = values.count
        var keys = values.map { v -> UInt32 in
            let bits = v.bitPattern
            return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        }
        var other = [UInt32](repeating: 0, count: n)
        for shift in stride(from: 0, to: 32, by: 8) {
            var counts = [Int](repeating: 0, count: 257)
            for k in keys { counts[Int((k >> UInt32(shift)) & 0xFF) + 1] += 1 }
            if counts[1...].contains(n) { continue }  // every key has the same byte here
            for i in 1...256 { counts[i] += counts[i - 1] }
            for k in keys {
                let b = Int((k >> UInt32(shift)) & 0xFF)
                other[counts[b]] = k
                counts[b] += 1
            }
            swap(&keys, &other)
        }
        return keys.map { k in Float(bitPattern: k & 0x8000_0000 != 0 ? k & 0x7FFF_FFFF : ~k) }
    }

    /// A threshold between two neighbouring values: `a` goes left (≤) and `b` goes right.
    @inline(__always) static func midpoint(_ a: Float, _ b: Float) -> Float {
        if a == b { return a }
        let m = Float((Double(a) + Double(b)) / 2)
        return m >= b ? a : m
    }

    static func edges(sorted values: [Float], maxReal: Int) -> [Float] {
        var distinct = [Float]()
        distinct.reserveCapacity(min(values.count, maxReal + 1))
        for v in values where distinct.last != v {
            distinct.append(v)
            if distinct.count > maxReal { break }
        }
        var result = [Float]()
        if distinct.count <= maxReal {
            for i in 1..<distinct.count { result.append(midpoint(distinct[i - 1], distinct[i])) }
        } else {
            let n = values.count
            for i in 1..<maxReal {
                let index = min(max(Int(Double(i) * Double(n) / Double(maxReal)), 1), n - 1)
                let edge = midpoint(values[index - 1], values[index])
                if let last = result.last, edge <= last { continue }
                // An edge at the very top would leave the last bin empty.
                if edge >= values[n - 1] { continue }
                result.append(edge)
            }
        }
        return result
    }

    /// The bin of one value: the number of edges below it, by a branchless binary search over the edges padded
    /// to 256 with +∞ (`padded(_:)`); NaN → `missingBin`.
    @inline(__always) static func bin(_ x: Float, padded e: UnsafePointer<Float>) -> UInt8 {
        if x.isNaN { return UInt8(missingBin) }
        var base = 0
        var length = histogramWidth
        while length > 1 {
            let half = length >> 1
            // Arithmetic on the comparison, not a ternary: the compiler turns a ternary into a mispredicted branch.
            base &+= half & -Int(unsafeBitCast(e[base &+ half] < x, to: UInt8.self))
            length &-= half
        }
        return UInt8(truncatingIfNeeded: base &+ Int(unsafeBitCast(e[base] < x, to: UInt8.self)))
    }

    /// The edges of a feature followed by +∞ up to 256 entries.
    static func padded(_ edges: [Float]) -> [Float] {
        edges + [Float](repeating: .infinity, count: histogramWidth - edges.count)
    }

    /// Bins `rows` of `data` (all rows when nil) into a column-major matrix, parallel over features.
    /// `columnFor[f]` maps the binner's feature to a column of `data` (nil: treated as always missing).
    func bin(_ data: Dataset, rows: [Int]?, columnFor: [Int?]? = nil, parallel: Parallelism = .serial) -> GBTBinnedMatrix {
        let n = rows?.count ?? data.rowCount
        let matrix = GBTBinnedMatrix(rows: n, features: edges.count)
        nonisolated(unsafe) let base = matrix.storage
        parallel.forEach(edges.count) { f in
            let out = base + f * n
            guard let c = columnFor.map({ $0[f] }) ?? f else {
                out.update(repeating: UInt8(Self.missingBin), count: n); return
            }
            Self.padded(edges[f]).withUnsafeBufferPointer { e in
                let e = e.baseAddress!
                data.columns[c].withUnsafeBufferPointer { column in
                    if let rows {
                        for (k, r) in rows.enumerated() { out[k] = Self.bin(column[r], padded: e) }
                    } else {
                        for r in 0..<n { out[r] = Self.bin(column[r], padded: e) }
                    }
                }
            }
        }
        return matrix
    }
}

/// A column-major matrix of bins (`storage[feature * rows + row]`), owned and freed by this object.
final class GBTBinnedMatrix: @unchecked Sendable {
    let rows: Int
    let features: Int
    let storage: UnsafeMutablePointer<UInt8>

    init(rows: Int, features: Int) {
        self.rows = rows; self.features = features
        storage = .allocate(capacity: max(1, rows * features))
    }
    deinit { storage.deallocate() }

    @inline(__always) func column(_ f: Int) -> UnsafeMutablePointer<UInt8> { storage + f * rows }
}
