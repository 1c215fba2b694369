import Synchronization

/// The comparison vectors of streamed candidate pairs, kept by the counting pass (``PatternCounts``) so that the
/// scoring pass reads each pair's vector instead of comparing the pair again.
///
/// A link whose candidate pairs do not fit its memory budget streams them twice: once to count the vectors (what
/// training needs) and once to score them. Comparing a pair (string similarities of names and addresses, dates,
/// postcodes) is most of each pass: at 1,000,000 people the two took 113 s and 111 s. Kept here, a pair costs two
/// bytes: an index into its work piece's own table of distinct vectors, in the order ``Blocking/forEachPairInPieces``
/// visits the piece's pairs, which is the same on every pass with the same parallelism. The scoring pass lets each
/// piece's indexes go as soon as it has read them. A piece with more distinct vectors than 16 bits can index keeps
/// none, and neither does a piece that finds the pass's ``Allowance`` spent; their pairs are compared again. The
/// weights are the same either way: a kept vector is the vector, so which pieces keep theirs (which can depend on
/// the workers' timing) changes the time, never the result.
public final class PairVectors: @unchecked Sendable {
    /// One piece's vectors while they are counted: its distinct vectors, how many pairs had each, and (when kept)
    /// each pair's index into them.
    public struct Piece: Sendable {
        /// The piece's distinct vectors and their counts.
        var seen = VectorTable()
        var table: [UInt64] { seen.vectors }
        var counts: [Double] { seen.counts }
        var ids: [UInt16] = []
        var keeping: Bool
        var pairs = 0
        /// What the whole pass may keep, and how many of this piece's indexes it has reserved so far.
        let allowance: Allowance?
        var reserved = 0

        init(keeping: Bool) { self.keeping = keeping; allowance = nil }

        /// A piece that keeps its pairs' vectors while `allowance` lasts (none when it is nil).
        init(allowance: Allowance?) { keeping = allowance != nil; self.allowance = allowance }

        mutating func add(_ bits: UInt64) {
            pairs += 1
            let id = seen.add(bits)
            guard keeping else { return }
            if let allowance, ids.count == reserved {
                guard allowance.reserve(Allowance.step) else { stopKeeping(); return }
                reserved += Allowance.step
            }
            if id <= Int(UInt16.max) { ids.append(UInt16(id)) } else { stopKeeping() }
        }

        /// Keeps no more and lets go of what was kept, giving its reservation back.
        mutating func stopKeeping() {
            keeping = false
            ids = []
            allowance?.giveBack(reserved)
            reserved = 0
        }
    }

    /// The indexes the counting pass may keep in all, shared by its pieces: each reserves room for `step` more
    /// pairs at a time, and a piece refused stops keeping and gives its room back, so the kept indexes never
    /// exceed the allowance, however many pairs the blocks hold.
    public final class Allowance: Sendable {
        /// Pairs a piece reserves at a time (8 KiB of indexes).
        static let step = 4_096
        private let remaining: Atomic<Int>

        /// Room for `bytes` of indexes (two bytes a pair).
        public init(bytes: Int) { remaining = Atomic(max(0, bytes / 2)) }

        /// The allowance for a link under `memoryBudget`: an eighth of it (1 GiB of the default 8 GiB, 537 M pairs).
        /// The indexes are held through the counting pass and training, when the link holds its records and blocks
        /// but not yet its kept pairs, and let go piece by piece as the scoring pass fills the kept pairs, so the
        /// link's peak (the kept pairs joined, after the last piece is read) does not hold them.
        public static func forLink(memoryBudget: Int) -> Allowance { Allowance(bytes: memoryBudget / 8) }

        /// Pairs still free to keep.
        public var pairsLeft: Int { remaining.load(ordering: .relaxed) }

        func reserve(_ pairs: Int) -> Bool {
            if remaining.subtract(pairs, ordering: .relaxed).newValue >= 0 { return true }
            remaining.add(pairs, ordering: .relaxed)
            return false
        }

        func giveBack(_ pairs: Int) { if pairs > 0 { remaining.add(pairs, ordering: .relaxed) } }
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
