/// Comparison vectors counted as pairs are met: each distinct vector's bits, in the order first met, and how many
/// pairs had it. An EM session and the candidate pairs' counting pass add one vector a pair (tens of millions a run,
/// a few hundred distinct); a `[UInt64: Int]` dictionary hashed every one with SipHash (the `Hasher` calls were about
/// 3% of a 1,000,000-record link's samples, some of them elsewhere; session 38). Here a look-up is a multiplication
/// and, nearly always, one probe of a table of a few kilobytes. Open addressing, at most half full, doubled as it
/// fills. (``NumberTable`` probes the same way but has a fixed capacity and 16-byte slots; building this on it, grown,
/// was tried and not kept: the train looked slower in three of four alternated pairs, not settled on a noisy host.)
struct VectorTable: Sendable {
    /// The distinct vectors, in the order first met (a vector's index is its place here).
    private(set) var vectors: [UInt64] = []
    /// Pairs met with each vector (whole numbers, so any order of adding gives the same sums).
    private(set) var counts: [Double] = []
    /// Each slot: 1 + the index of a vector in ``vectors``, or 0 when empty.
    private var slots = [Int32](repeating: 0, count: 64)

    /// How many distinct vectors were met.
    var count: Int { vectors.count }

    /// Counts one pair whose vector is `bits`; returns the vector's index.
    @inline(__always) mutating func add(_ bits: UInt64) -> Int {
        let mask = slots.count - 1
        var i = Self.start(bits, mask)
        while true {
            let s = Int(slots[i])
            if s == 0 { break }
            if vectors[s - 1] == bits { counts[s - 1] += 1; return s - 1 }
            i = (i + 1) & mask
        }
        let id = vectors.count
        precondition(id < Int(Int32.max), "more distinct comparison vectors than 32 bits index")
        vectors.append(bits); counts.append(1)
        if vectors.count * 2 > slots.count { grow() } else { slots[i] = Int32(id + 1) }
        return id
    }

    /// Adds another table's vectors and counts (pieces counted by different workers, merged).
    mutating func merge(_ other: VectorTable) {
        for (i, bits) in other.vectors.enumerated() {
            let id = add(bits)
            counts[id] += other.counts[i] - 1
        }
    }

    /// The counts as a dictionary from vector bits.
    var dictionary: [UInt64: Double] {
        var d = [UInt64: Double](minimumCapacity: vectors.count)
        for (i, bits) in vectors.enumerated() { d[bits] = counts[i] }
        return d
    }

    private mutating func grow() {
        var grown = [Int32](repeating: 0, count: slots.count * 2)
        let mask = grown.count - 1
        for (id, bits) in vectors.enumerated() {
            var j = Self.start(bits, mask)
            while grown[j] != 0 { j = (j + 1) & mask }
            grown[j] = Int32(id + 1)
        }
        slots = grown
    }

    /// The first slot to probe: the bits' golden-ratio multiple, its upper half.
    @inline(__always) static func start(_ bits: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }
}
