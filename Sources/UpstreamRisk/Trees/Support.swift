import Dispatch
import Foundation

/// Splits index ranges over the machine's cores with `DispatchQueue.concurrentPerform`. Chunks are fixed by
/// the count alone (never by timing), so reductions done per chunk and then in chunk order are deterministic.
///
/// The bodies are not `@Sendable`: this is the learner's one unchecked boundary. Callers promise that
/// concurrent iterations write disjoint memory (their own chunk of rows, their own feature's histogram) and only
/// read what no iteration writes.
enum GBTParallel {
    static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// How many chunks `count` items make: at least `minChunk` items each, at most 16 — a function of the count
    /// only, not of the core count, so per-chunk sums are the same on every machine.
    static func chunkCount(_ count: Int, minChunk: Int) -> Int {
        max(1, min(count / max(1, minChunk), 16))
    }

    /// Runs `body(chunk, range)` for each chunk, in parallel when there is more than one.
    static func forEachChunk(_ count: Int, minChunk: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        let chunks = chunkCount(count, minChunk: minChunk)
        if chunks == 1 { body(0, 0..<count); return }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                body(c, (count * c / chunks)..<(count * (c + 1) / chunks))
            }
        }
    }

    /// Runs `body(i)` for each of `count` independent items (features), in parallel.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || workers == 1 { for i in 0..<count { body(i) }; return }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: count) { body($0) }
        }
    }
}

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
