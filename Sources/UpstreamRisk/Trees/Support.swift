import Foundation

/// SplitMix64: a tiny, fast, seedable generator; the learner's only source of randomness.
struct GBTRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@inline(__always) func gbtSigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : { let e = exp(x); return e / (1 + e) }()
}

/// Log-loss of one row from its margin, computed stably: log(1 + e^m) − y·m.
@inline(__always) func gbtLogLoss(margin m: Double, label y: UInt8) -> Double {
    let softplus = m > 0 ? m + log1p(exp(-m)) : log1p(exp(m))
    return softplus - (y == 1 ? m : 0)
}
