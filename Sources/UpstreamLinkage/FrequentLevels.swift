/// The levels of one name comparison (``Comparer/similarityOnly``) between the most frequent values of its column,
/// worked out once, so a pair of two such values takes its level from a small table instead of the sketches and
/// Jaro-Winkler.
///
/// Names repeat: in the like-for-like benchmark's Faker file (998,286 records), the 512 most common first names and
/// surnames are 93% of the records, and the 13.8 million pairs of different first names compared in the EM session on
/// date of birth are 1.13 million distinct pairs. The table holds every ordered pair of up to ``most`` values
/// (262,144 bytes at 512: it stays in a core's cache), each level made by the comparer's own batch path
/// (``Comparer/similarityLevels(_:_:_:shift:into:)`` without the table), so a pair's level is the same either way.
final class FrequentLevels: Sendable {
    /// At most this many values (the table is their square, in bytes).
    static let most = 512
    /// Nodes sampled to find the frequent values (evenly spaced over the nodes).
    static let sampled = 65_536
    /// A value counts as frequent when it is seen at least this often in the sample.
    static let minimumCount = 8

    /// The frequent values by rank, most frequent first.
    let values: [Int32]
    /// Open addressing on a value's string id: the id in the low 32 bits and its rank in the high, all ones when empty.
    private let slots: [UInt64]
    private let shift: UInt32
    /// `levels[rx * count + ry]`: the level of values of ranks `rx` and `ry`, in that order.
    private let levels: [UInt8]

    var count: Int { values.count }

    /// The most frequent values of a column (each node's value, -1 when missing), with a node holding each; fewer than
    /// two when too few values repeat for a table to pay.
    static func frequentValues(_ value: [Int32]) -> (values: [Int32], nodes: [Int32]) {
        let step = max(1, value.count / sampled)
        var seen: [Int32: (count: Int, node: Int32)] = [:]
        seen.reserveCapacity(min(value.count, sampled))
        for n in stride(from: 0, to: value.count, by: step) where value[n] >= 0 {
            seen[value[n], default: (0, Int32(n))].count += 1
        }
        let ranked = seen.filter { $0.value.count >= minimumCount }
            .sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
            .prefix(most)
        return (ranked.map(\.key), ranked.map(\.value.node))
    }

    /// A table for `values` whose levels, in rank order (`levels[rx * count + ry]`), are given.
    init(values: [Int32], levels: [UInt8]) {
        precondition(levels.count == values.count * values.count && values.count <= Int(UInt16.max))
        var size = 4
        while size < 4 * values.count { size *= 2 }
        var slots = [UInt64](repeating: .max, count: size)
        let shift = UInt32(32 - size.trailingZeroBitCount)
        for (rank, v) in values.enumerated() {
            var s = FrequentLevels.slot(v, shift)
            while slots[s] != .max { s = (s + 1) & (size - 1) }
            slots[s] = UInt64(UInt32(bitPattern: v)) | UInt64(rank) << 32
        }
        self.values = values; self.slots = slots; self.shift = shift; self.levels = levels
    }

    @inline(__always) static func slot(_ x: Int32, _ shift: UInt32) -> Int {
        Int((UInt32(bitPattern: x) &* 0x9E37_79B1) >> shift)
    }

    /// Calls `body` with a look-up: the level of values `x` and `y` (in that order) when both are frequent, else -1.
    @inline(__always) func withLookUp<R>(_ body: ((Int32, Int32) -> Int) -> R) -> R {
        slots.withUnsafeBufferPointer { slots in
            levels.withUnsafeBufferPointer { levels in
                let mask = slots.count - 1, shift = self.shift, n = values.count
                @inline(__always) func rank(_ x: Int32) -> Int {
                    var s = FrequentLevels.slot(x, shift)
                    while true {
                        let e = slots[s]
                        if e == .max { return -1 }
                        if UInt32(truncatingIfNeeded: e) == UInt32(bitPattern: x) { return Int(e >> 32) }
                        s = (s + 1) & mask
                    }
                }
                return body { x, y in
                    let rx = rank(x)
                    guard rx >= 0 else { return -1 }
                    let ry = rank(y)
                    guard ry >= 0 else { return -1 }
                    return Int(levels[rx * n + ry])
                }
            }
        }
    }
}
