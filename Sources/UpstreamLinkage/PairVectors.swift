/// The comparison vectors of streamed candidate pairs, kept by the counting pass (``PatternCounts``) so that the
/// scoring pass reads each pair's vector instead of comparing the pair again.
///
/// A link whose candidate pairs do not fit its memory budget streams them twice: once to count the vectors (what
/// training needs) and once to score them. Comparing a pair (string similarities of names and addresses, dates,
/// postcodes) is most of each pass: at 1,000,000 people the two took 113 s and 111 s. Kept here, a pair costs two
/// bytes: an index into its work piece's own table of distinct vectors, in the order ``Blocking/forEachPairInPieces``
/// visits the piece's pairs, which is the same on every pass with the same parallelism. The scoring pass lets each
/// piece's indexes go as soon as it has read them. A piece with more distinct vectors than 16 bits can index keeps
/// none, and its pairs are compared again. The weights are the same either way: a kept vector is the vector.
public final class PairVectors: @unchecked Sendable {
    /// One piece's vectors while they are counted: its distinct vectors, how many pairs had each, and (when kept)
    /// each pair's index into them.
    public struct Piece: Sendable {
        var table: [UInt64] = []
        var counts: [Double] = []
        var index: [UInt64: Int] = [:]
        var ids: [UInt16] = []
        var keeping: Bool
        var pairs = 0

        init(keeping: Bool) { self.keeping = keeping }

        mutating func add(_ bits: UInt64) {
            pairs += 1
            let id: Int
            if let known = index[bits] {
                id = known
                counts[id] += 1
            } else {
                id = table.count
                index[bits] = id
                table.append(bits)
                counts.append(1)
            }
            guard keeping else { return }
            if id <= Int(UInt16.max) { ids.append(UInt16(id)) } else { keeping = false; ids = [] }
        }
    }

    /// One piece's kept vectors; its indexes are emptied once the scoring pass has read them (one worker reads a piece).
    final class Kept: @unchecked Sendable {
        let table: [UInt64]
        var ids: [UInt16]
        init(table: [UInt64], ids: [UInt16]) { self.table = table; self.ids = ids }
    }

    /// Per work piece, its kept vectors, or nil when it kept none.
    let pieces: [Kept?]
    /// The pairs' indexes' bytes when kept.
    public let byteCount: Int

    init(pieces: [Piece]) {
        self.pieces = pieces.map { $0.keeping ? Kept(table: $0.table, ids: $0.ids) : nil }
        byteCount = pieces.reduce(0) { $0 + ($1.keeping ? $1.ids.count * 2 : 0) }
    }

    /// Whether keeping the vectors of up to `pairs` candidate pairs fits `memoryBudget`: two bytes a pair, at most a
    /// sixteenth of the budget (512 MiB of the default 8 GiB), so that the link's peak, which comes later with the
    /// kept pairs, is not raised; at 3,000,000 people (352 M pairs) they are not kept until that is measured.
    public static func fit(pairs: Int, memoryBudget: Int) -> Bool { pairs <= memoryBudget / 16 / 2 }

    /// Scores pairs as a worker meets them, reading each one's vector from its piece when kept.
    struct Reader {
        let kept: Kept?
        var next = 0

        /// The vector of the piece's next pair: the kept one, or `compare()` when none is kept.
        mutating func vector(_ compare: () -> Gamma) -> Gamma {
            guard let kept, next < kept.ids.count else { return compare() }
            let g = Gamma(bits: kept.table[Int(kept.ids[next])])
            next += 1
            if next == kept.ids.count { kept.ids = [] }
            return g
        }
    }

    /// A reader of piece `p`'s vectors.
    func reader(piece p: Int) -> Reader { Reader(kept: p < pieces.count ? pieces[p] : nil) }
}
