/// A small, fast, seeded random number generator (SplitMix64), so a plan's Monte Carlo can be reproduced exactly
/// from its recorded seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform on [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// The distributions the Monte Carlo draws from.
public enum Draw {
    /// Uniform between `low` and `high`.
    public static func uniform<G: RandomNumberGenerator>(_ low: Double, _ high: Double, using g: inout G) -> Double {
        low == high ? low : low + (high - low) * Double(g.next() >> 11) * 0x1.0p-53
    }

    /// Triangular with the given lower limit, mode and upper limit (inverse CDF): the point estimate is the most
    /// likely value and the interval's ends are the least likely.
    public static func triangular<G: RandomNumberGenerator>(low a: Double, mode c: Double, high b: Double, using g: inout G) -> Double {
        guard b > a else { return c }
        let u = Double(g.next() >> 11) * 0x1.0p-53
        let f = (c - a) / (b - a)
        return u < f ? a + ((b - a) * (c - a) * u).squareRoot() : b - ((b - a) * (b - c) * (1 - u)).squareRoot()
    }

    /// The `q` quantile (0…1) of values, by linear interpolation between order statistics.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}
