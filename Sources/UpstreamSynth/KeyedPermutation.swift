/// A keyed pseudo-random permutation of `0..<n`: a balanced Feistel network on the smallest even number of bits
/// that covers `n`, with cycle-walking back into range.
///
/// The synthetic city draws every identifier that must look arbitrary (record ids, agency person ids, pupil
/// numbers, PNC serials) through one of these, keyed by the seed and the identifier's purpose, so that a value
/// says nothing about the person or the order in which rows were generated, yet distinct inputs always give
/// distinct outputs (no collisions at any city size) and the same seed always gives the same values.
public struct KeyedPermutation: Sendable {
    public let n: UInt64
    let half: UInt64
    let mask: UInt64
    let keys: [UInt64]

    /// A permutation of `0..<n` keyed by `seed` and `purpose` (a different purpose gives an unrelated permutation).
    public init(n: Int, seed: UInt64, purpose: UInt64) {
        precondition(n > 0)
        self.n = UInt64(n)
        var bits: UInt64 = 2
        while (UInt64(1) << bits) < UInt64(n) { bits += 2 }
        half = bits / 2
        mask = (UInt64(1) << half) - 1
        var rng = SeededRandom(seed: seed, 0x5EC2_E7, purpose)
        keys = (0..<6).map { _ in rng.next() }
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    func round(_ v: UInt64) -> UInt64 {
        var l = v >> half, r = v & mask
        for k in keys {
            let t = l ^ (KeyedPermutation.mix(r ^ k) & mask)
            l = r
            r = t
        }
        return (l << half) | r
    }

    /// The image of `x` (which must be in `0..<n`).
    public func apply(_ x: Int) -> Int {
        precondition(x >= 0 && UInt64(x) < n)
        var v = round(UInt64(x))
        while v >= n { v = round(v) }
        return Int(v)
    }
}
