import Synchronization
import UpstreamModel

/// The Jaro-Winkler sketches (``Comparators/jaroSketch(_:)``) of the strings some columns hold, so the comparer can
/// bound a pair's similarity under a comparison's lowest threshold from six words instead of three passes over the
/// two strings' bytes (issue 13's profile: that bound was 8% of a million-record link's CPU).
///
/// Only the strings of the columns asked for are sketched, three words each, found by rank in a bitmap over all string
/// ids (one bit, plus a running count every 64 ids): a city's national ids and postcodes take no room.
final class JaroSketches: Sendable {
    /// Per 64 string ids: the bitmap word (bit set: sketched) and how many strings were sketched before it.
    private let ranks: [UInt64]
    /// Three words per sketched string, in id order.
    private let words: [UInt64]

    /// How many strings have a sketch.
    var count: Int { words.count / 3 }

    init(strings: StringTable, columns: [ColumnData]) {
        let n = strings.count
        var wanted = [UInt64](repeating: 0, count: n / 64 + 1)
        for c in columns {
            for v in c.value where v >= 0 { wanted[Int(v) >> 6] |= 1 &<< UInt64(v & 63) }
        }
        var ranks = [UInt64](repeating: 0, count: 2 * wanted.count)
        var words: [UInt64] = []
        words.reserveCapacity(3 * wanted.reduce(0) { $0 + $1.nonzeroBitCount })
        for w in wanted.indices {
            ranks[2 * w + 1] = UInt64(words.count / 3)
            var bits = wanted[w], kept: UInt64 = 0
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                bits &= bits &- 1
                if let s = strings.with(Int32(w * 64 + b), { Comparators.jaroSketch($0) }) {
                    words.append(s.0); words.append(s.1); words.append(s.2)
                    kept |= 1 &<< UInt64(b)
                }
            }
            ranks[2 * w] = kept
        }
        self.ranks = ranks; self.words = words
    }

    /// Reads string `x`'s rank word and sketch (for ``Comparer/warm(_:)``).
    @inline(__always) func warm(_ x: Int32) -> UInt64 {
        guard x >= 0 else { return 0 }
        return ranks.withUnsafeBufferPointer { r in
            let word = Int(x) >> 6, bit = UInt64(x & 63)
            let bits = r[2 * word]
            guard (bits >> bit) & 1 == 1 else { return bits }
            let at = Int(r[2 * word + 1]) + (bits & ((1 &<< bit) &- 1)).nonzeroBitCount
            return bits ^ words.withUnsafeBufferPointer { $0[3 * at] }
        }
    }

    /// The Jaro-Winkler bound of strings `x` and `y` (``Comparators/sketchBound(_:_:)``), or -1 when either has no sketch.
    @inline(__always) func bound(_ x: Int32, _ y: Int32) -> Double {
        withTables { r, w in JaroSketches.bound(r, w, x, y) }
    }

    /// Calls `body` with the rank and sketch tables, for a loop over many pairs (``bound(_:_:_:_:)``).
    @inline(__always) func withTables<R>(_ body: (UnsafeBufferPointer<UInt64>, UnsafeBufferPointer<UInt64>) -> R) -> R {
        ranks.withUnsafeBufferPointer { r in words.withUnsafeBufferPointer { w in body(r, w) } }
    }

    /// Whether the bound of strings `x` and `y` is under the floor `cuts` was made for (``Comparators/SketchCuts``):
    /// 1 when it is, 0 when not, -1 when either has no sketch. ``bound(_:_:_:_:)``'s test without its divisions.
    @inline(__always) static func under(_ r: UnsafeBufferPointer<UInt64>, _ w: UnsafeBufferPointer<UInt64>, _ x: Int32, _ y: Int32,
                                        _ cuts: Comparators.SketchCuts) -> Int {
        guard let (a, b) = sketches(r, w, x, y) else { return -1 }
        return cuts.under(a, b) ? 1 : 0
    }

    /// ``bound(_:_:)`` read from the tables ``withTables(_:)`` gives.
    @inline(__always) static func bound(_ r: UnsafeBufferPointer<UInt64>, _ w: UnsafeBufferPointer<UInt64>, _ x: Int32, _ y: Int32) -> Double {
        guard let (a, b) = sketches(r, w, x, y) else { return -1 }
        return Comparators.sketchBound(a, b)
    }

    /// The sketches of strings `x` and `y` from the tables, or nil when either has none.
    @inline(__always) static func sketches(_ r: UnsafeBufferPointer<UInt64>, _ w: UnsafeBufferPointer<UInt64>, _ x: Int32, _ y: Int32)
        -> ((UInt64, UInt64, UInt64), (UInt64, UInt64, UInt64))? {
        @inline(__always) func index(_ id: Int32) -> Int {
            let word = Int(id) >> 6, bit = UInt64(id & 63)
            let bits = r[2 * word]
            guard (bits >> bit) & 1 == 1 else { return -1 }
            return Int(r[2 * word + 1]) + (bits & ((1 &<< bit) &- 1)).nonzeroBitCount
        }
        let i = index(x), j = index(y)
        guard i >= 0, j >= 0 else { return nil }
        return ((w[3 * i], w[3 * i + 1], w[3 * i + 2]), (w[3 * j], w[3 * j + 1], w[3 * j + 2]))
    }
}

/// What comparers made on one ``PreparedData`` share, made on first use: the sketches of a set of columns, and the
/// levels between a comparison's most frequent values (``FrequentLevels``).
final class ComparerCache: Sendable {
    private let made = Mutex<[[Int]: JaroSketches]>([:])
    private let frequent = Mutex<[String: FrequentLevels?]>([:])

    func sketches(_ data: PreparedData, columns: [Int]) -> JaroSketches {
        made.withLock { made in
            if let s = made[columns] { return s }
            let s = JaroSketches(strings: data.strings, columns: columns.map { data.columns[$0] })
            made[columns] = s
            return s
        }
    }

    /// The frequent levels of the comparison `key` names (its column and tests), made by `make` the first time.
    func frequentLevels(_ key: String, _ make: () -> FrequentLevels?) -> FrequentLevels? {
        frequent.withLock { made in
            if let f = made[key] { return f }
            let f = make()
            made[key] = f
            return f
        }
    }
}
