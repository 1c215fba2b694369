/// A small, fast, seedable random number generator (xoshiro256**), seeded by SplitMix64.
///
/// The standard library's generator is not seedable, and the synthetic city must be the
/// same bytes on every machine for the same seed, so Upstream carries its own.
/// Each person draws from a stream keyed by (seed, purpose, person), so the result does not
/// depend on the order or the number of threads that generate people.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator for `seed`, mixed with any number of `keys` (purpose, person id…).
    public init(seed: UInt64, _ keys: UInt64...) {
        var x = seed &+ 0x9E37_79B9_7F4A_7C15
        for k in keys { x = SeededRandom.splitmix(&x) ^ (k &* 0xBF58_476D_1CE4_E5B9) }
        s0 = SeededRandom.splitmix(&x); s1 = SeededRandom.splitmix(&x)
        s2 = SeededRandom.splitmix(&x); s3 = SeededRandom.splitmix(&x)
    }

    static func splitmix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform double in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// `true` with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { p > 0 && uniform() < p }

    /// A uniform integer in `0..<n`.
    public mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    /// A uniform integer in a closed range.
    public mutating func int(in r: ClosedRange<Int>) -> Int { r.lowerBound + below(r.count) }

    /// A standard normal draw (Box–Muller; `log`, `cos` and `sqrt` are correctly rounded enough
    /// on every supported platform for our purposes, and all draws go through here).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A Poisson draw with mean `lambda` (inversion; fine for the small means used here).
    public mutating func poisson(_ lambda: Double) -> Int {
        if lambda <= 0 { return 0 }
        if lambda > 30 { return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded())) }
        let l = exp(-lambda)
        let u = uniform()
        var k = 0, cdf = l, term = l
        while u > cdf && k < 200 { k += 1; term *= lambda / Double(k); cdf += term }
        return k
    }

    /// An index drawn with probability proportional to `weights` (linear scan; for short lists).
    public mutating func weighted(_ weights: [Double]) -> Int {
        var total = 0.0
        for w in weights { total += w }
        var x = uniform() * total
        for (i, w) in weights.enumerated() {
            x -= w
            if x < 0 { return i }
        }
        return weights.count - 1
    }
}

/// Walker's alias table: O(1) draws from a fixed discrete distribution (names, areas, offence codes).
public struct AliasTable: Sendable {
    let prob: [Double]
    let alias: [Int]

    public init(weights: [Double]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        var p = weights.map { $0 * Double(n) / total }
        var alias = [Int](repeating: 0, count: n)
        var prob = [Double](repeating: 1, count: n)
        var small: [Int] = [], large: [Int] = []
        for (i, v) in p.enumerated() { if v < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast() {
            guard let l = large.popLast() else { prob[s] = 1; continue }
            prob[s] = p[s]; alias[s] = l
            p[l] = p[l] + p[s] - 1
            if p[l] < 1 { small.append(l) } else { large.append(l) }
        }
        for l in large { prob[l] = 1 }
        self.prob = prob
        self.alias = alias
    }

    public var count: Int { prob.count }

    public func draw(_ rng: inout SeededRandom) -> Int {
        let i = rng.below(prob.count)
        return rng.uniform() < prob[i] ? i : alias[i]
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
