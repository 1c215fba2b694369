import Dispatch
import Synchronization
import UpstreamModel
/// Candidate pairs with their comparison vectors, column by column.
public struct CandidatePairs: Sendable {
    public var a: [Int32] = []
    public var b: [Int32] = []
    public var gamma: [UInt64] = []
    public var count: Int { a.count }
    public init() {}

    /// Bytes one held pair costs (two node indices and a comparison vector).
    public static let bytesPerPair = 16

    mutating func append(contentsOf o: CandidatePairs) {
        a.append(contentsOf: o.a); b.append(contentsOf: o.b); gamma.append(contentsOf: o.gamma)
    }

    /// Blocks and compares: every pair of the rules' union once, with its comparison vector.
    public static func generate(data: PreparedData, blocking: Blocking, comparisons: [ComparisonSpec], onlyNew: Bool = false, parallel: Parallelism = .serial) -> CandidatePairs {
        let comparer = Comparer(data: data, comparisons: comparisons)
        var parts = blocking.forEachPairBatch(onlyNew: onlyNew, parallel: parallel, warm: comparer.warm, make: { _ in CandidatePairs() }) { acc, x, y in
            acc.a.append(contentsOf: x); acc.b.append(contentsOf: y)
            let from = acc.gamma.count
            acc.gamma.append(contentsOf: repeatElement(0, count: x.count))
            acc.gamma.withUnsafeMutableBufferPointer { comparer.gammas(x, y, into: UnsafeMutableBufferPointer(rebasing: $0[from...])) }
        }
        var out = CandidatePairs()
        let total = parts.reduce(0) { $0 + $1.count }
        // Joined column by column, each part's column freed as soon as it is copied, so the pairs' bytes are held about
        // one and a half times at the peak (the vectors, half of them, twice) rather than twice.
        out.a.reserveCapacity(total)
        for i in parts.indices { out.a.append(contentsOf: parts[i].a); parts[i].a = [] }
        out.b.reserveCapacity(total)
        for i in parts.indices { out.b.append(contentsOf: parts[i].b); parts[i].b = [] }
        out.gamma.reserveCapacity(total)
        for i in parts.indices { out.gamma.append(contentsOf: parts[i].gamma); parts[i].gamma = [] }
        return out
    }
}

/// How many candidate pairs have each comparison vector: all λ needs, in memory bounded by the number of
/// distinct vectors rather than of pairs.
public struct PatternCounts: Sendable {
    public var counts: [UInt64: Double]
    public var total: Int

    /// Counts held pairs.
    public init(_ c: CandidatePairs, parallel: Parallelism = .serial) {
        // Counted in fixed pieces over the workers; the counts are whole numbers, so any order of adding gives the same.
        let chunk = max(1, c.count / Parallelism.linkagePieces + 1)
        let parts = parallel.map((c.count + chunk - 1) / chunk) { p -> VectorTable in
            var counts = VectorTable()
            for g in c.gamma[(p * chunk)..<min(c.count, (p + 1) * chunk)] { _ = counts.add(g) }
            return counts
        }
        var counts = VectorTable()
        for p in parts { counts.merge(p) }
        self.counts = counts.dictionary; total = c.count
    }

    /// The streamed pairs' comparison vectors, kept by the counting pass when asked (``init(data:blocking:comparisons:onlyNew:parallel:keepingVectors:)``)
    /// so that scoring need not compare every pair again; nil when not kept.
    public var vectors: PairVectors?

    /// Blocks and compares without holding the pairs: each worker counts its vectors. With `keepingVectors`, each
    /// pair's vector is also kept, two bytes a pair (``PairVectors``), while the allowance lasts.
    public init(data: PreparedData, blocking: Blocking, comparisons: [ComparisonSpec], onlyNew: Bool = false, parallel: Parallelism = .serial,
                keepingVectors allowance: PairVectors.Allowance? = nil) {
        let comparer = Comparer(data: data, comparisons: comparisons)
        // Each batch's vectors in scratch of its own (on the worker's stack: the workers run at once).
        let parts = blocking.forEachPairBatch(onlyNew: onlyNew, parallel: parallel, warm: comparer.warm, make: { _ in PairVectors.Piece(allowance: allowance) }) { piece, x, y in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: x.count) { out in
                comparer.gammas(x, y, into: out)
                for bits in out { piece.add(bits) }
            }
        }
        var counts = VectorTable()
        for p in parts { counts.merge(p.seen) }
        self.counts = counts.dictionary; total = parts.reduce(0) { $0 + $1.pairs }
        if allowance != nil { vectors = PairVectors(pieces: parts) }
    }
}

/// A small deterministic generator (SplitMix64) so training is reproducible from the settings' seed.
public struct SplitMix64: Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Training: u from random pairs, m by expectation-maximisation on blocked pairs, and the prior λ.
public enum Training {
    /// u per comparison and level (`u[c][level]`, index 0 unused): the share of each level among pairs of distinct
    /// nodes that both have a value, estimated comparison by comparison over the column's *distinct values*
    /// (`estimateUByValues`). A link-only run, whose pairs must cross datasets, uses random node pairs
    /// (`estimateURandomPairs`).
    public static func estimateU(data: PreparedData, comparisons: [ComparisonSpec], samples: Int, seed: UInt64, parallel: Parallelism = .serial) -> [[Double]] {
        if data.linkType == .linkOnly { return estimateURandomPairs(data: data, comparisons: comparisons, samples: samples, seed: seed, parallel: parallel) }
        let comparer = Comparer(data: data, comparisons: comparisons)
        // The comparisons begun the costliest first (``uCost(_:_:)``), each by one worker: its signatures are found
        // in one pass over the nodes that can't be shared out, and across the comparisons those passes keep both
        // cores busy. Its pairs are then compared in jobs that any worker takes (``UEstimates``), so the cheap
        // comparisons fill in at the end and the last long one is not left to one worker: with each comparison's
        // sampling on the worker that began it, the costliest finished alone, one core idle for its last 0.25 s of
        // about 0.65 s (session 48's profile of the like-for-like run). Any order gives the same u: each
        // comparison's jobs and sums are its own, added up in job order.
        let cost = comparisons.indices.map { uCost(comparer, $0) }
        let order = comparisons.indices.sorted { cost[$0] != cost[$1] ? cost[$0] > cost[$1] : $0 < $1 }
        let shared = UEstimates(count: order.count)
        parallel.forEach(parallel.workers) { _ in
            while let task = shared.next() {
                switch task {
                case .begin(let k): shared.begun(k, UByValues(comparer: comparer, comparison: order[k], samples: samples, seed: seed))
                case .run(let k, let j, let estimate): shared.ran(k, j, estimate.job(j))
                case .wait: shared.wait()
                }
            }
        }
        let u = shared.u
        var byComparison = [[Double]](repeating: [], count: comparisons.count)
        for (k, i) in order.enumerated() { byComparison[i] = u[k] }
        return byComparison
    }

    /// A rough rank of comparison `i`'s u work, for the order the workers take them in: 0 for exact levels alone
    /// (counted, not sampled); 1 for a sampled comparison of values alone (dates, codes); and for one whose levels read
    /// its strings' bytes (similarity, edits, tokens), 2 plus the mean length of the first 4,096 values its nodes hold.
    static func uCost(_ comparer: Comparer, _ i: Int) -> Double {
        if exactOnly(comparer, i) { return 0 }
        let r = comparer.resolved[i]
        guard r.column >= 0, r.levels.contains(where: { readsBytes($0.test) }) else { return 1 }
        let data = comparer.data, value = data.columns[r.column].value
        var bytes = 0, seen = 0
        for x in value where x >= 0 {
            bytes += data.strings.count(x); seen += 1
            if seen == 4096 { break }
        }
        return 2 + Double(bytes) / Double(max(seen, 1))
    }

    /// Whether a level test reads its strings' bytes (a similarity, an edit distance, tokens), not only their ids.
    static func readsBytes(_ t: Comparer.Test) -> Bool {
        switch t {
        case .jaroWinkler, .jaro, .levenshtein, .damerau, .jaccard, .sharedToken, .listIntersect, .tokenWeight, .reversed,
             .houseNumberAndStreet, .prefix, .substring, .oneOf: true
        case .any(let p), .all(let p): p.contains(where: readsBytes)
        default: false
        }
    }

    /// Whether comparison `i`'s levels are exact agreement alone, so its u is counted without comparing any pair.
    static func exactOnly(_ comparer: Comparer, _ i: Int) -> Bool {
        comparer.resolved[i].levels.allSatisfy { if case .exact = $0.test { $0.level > 0 } else { false } }
    }

    /// The columns whose values decide comparison `i` besides its own (a forename's swap test reads the surname).
    static func otherColumns(_ t: Comparer.Test) -> [Int] {
        switch t {
        case .inList(let l): l >= 0 ? [l] : []
        case .reversed(let o, _): o >= 0 ? [o] : []
        case .any(let p), .all(let p): p.flatMap(otherColumns)
        default: []
        }
    }

    /// u of one comparison from its distinct values (stratified, so never less precise than random pairs).
    ///
    /// Every node whose column has a value gets a *signature*: its value id (plus, when a level reads another
    /// column, that column's value and tokens). All the level tests are functions of the signatures, so:
    /// 1. pairs of nodes with the same signature (n(n−1)/2 of them for a signature held by n nodes) all get the level
    ///    of the signature compared with itself: counted exactly, from the value-frequency table;
    /// 2. pairs with different signatures: when there are no more distinct signature pairs than `samples`, every
    ///    pair of signatures is compared once and weighted by the product of their frequencies (exact); otherwise
    ///    `samples` random node pairs with different signatures are compared and scaled up to the number of such pairs.
    /// Only the one comparison is evaluated per pair, and the "same value" stratum (which holds most of the exact
    /// level's mass) has no sampling error; the old estimator (`estimateURandomPairs`) sampled both strata.
    /// A level never seen gets half a pair's worth of the pairs compared, as before.
    public static func estimateUByValues(comparer: Comparer, comparison i: Int, samples: Int, seed: UInt64, parallel: Parallelism = .serial) -> [Double] {
        let estimate = UByValues(comparer: comparer, comparison: i, samples: samples, seed: seed)
        return estimate.u(parallel.map(estimate.jobs) { estimate.job($0) })
    }

    /// u from `samples` random node pairs, every comparison on every pair (pairs across datasets only in a
    /// link-only run). When the data holds no more pairs than `samples`, every pair is used.
    public static func estimateURandomPairs(data: PreparedData, comparisons: [ComparisonSpec], samples: Int, seed: UInt64, parallel: Parallelism = .serial) -> [[Double]] {
        let n = data.nodeCount
        let counts = comparisons.map(\.levelCount)
        guard n > 1 else { return counts.map { [0] + [Double](repeating: 1 / Double($0), count: $0) } }
        let comparer = Comparer(data: data, comparisons: comparisons)
        let linkOnly = data.linkType == .linkOnly
        let allPairs = n * (n - 1) / 2
        let exhaustive = allPairs <= samples
        let chunks = Parallelism.linkageSampleStreams
        let per = (exhaustive ? n : samples) / chunks + 1
        let partial = parallel.map(chunks) { c -> [[Double]] in
            var rng = SplitMix64(seed: seed &+ UInt64(c) &* 0x1234_5678_9ABC)
            var acc = counts.map { [Double](repeating: 0, count: $0 + 1) }
            func add(_ x: Int, _ y: Int) {
                if linkOnly && data.dataset[x] == data.dataset[y] { return }
                let g = comparer.gamma(x, y)
                for i in 0..<counts.count { acc[i][g.level(i)] += 1 }
            }
            if exhaustive {
                for x in min(n, c * per)..<min(n, (c + 1) * per) { for y in (x + 1)..<n { add(x, y) } }
            } else {
                var drawn = 0, tries = 0
                while drawn < per && tries < per * 20 {
                    tries += 1
                    let x = rng.below(n), y = rng.below(n)
                    if x == y || (linkOnly && data.dataset[x] == data.dataset[y]) { continue }
                    add(x, y); drawn += 1
                }
            }
            return acc
        }
        return counts.indices.map { i in
            var total = [Double](repeating: 0, count: counts[i] + 1)
            for p in partial { for l in total.indices { total[l] += p[i][l] } }
            let nonNull = total.dropFirst().reduce(0, +)
            // A level never seen among random pairs gets half a pair's worth, so no weight is infinite.
            let floor = 0.5 / max(nonNull, 1)
            var u = [0.0] + total.dropFirst().map { max($0 / max(nonNull, 1), floor) }
            let s = u.dropFirst().reduce(0, +)
            for l in 1..<u.count { u[l] /= s }
            return u
        }
    }

    /// A neutral starting point for m: most mass on agreement, the rest decaying over weaker levels.
    public static func initialM(_ levelCounts: [Int]) -> [[Double]] {
        levelCounts.map { n in
            var m = [0.0]
            var rest = 0.1
            m.append(0.9)
            for l in 2...n { let v = l == n ? rest : rest / 2; m.append(v); rest -= v }
            let s = m.reduce(0, +)
            return m.map { $0 / s }
        }
    }

    /// The result of one EM run.
    public struct EMResult: Sendable {
        public var m: [[Double]]
        public var lambda: Double
        public var iterations: Int
        public var converged: Bool
    }

    /// Expectation-maximisation over distinct comparison vectors with their counts. u is held fixed;
    /// m is estimated for the `active` comparisons only (the others are left out of the likelihood,
    /// as Splink does for the comparisons a training rule forces to agree).
    public static func em(
        patterns: [(gamma: Gamma, count: Double)], levels: [Int], active: [Bool], u: [[Double]],
        m initial: [[Double]], lambda initialLambda: Double = 0.1, maxIterations: Int = 40, tolerance: Double = 1e-6
    ) -> EMResult {
        var m = initial
        var lambda = initialLambda
        var iterations = 0, converged = false
        let total = patterns.reduce(0) { $0 + $1.count }
        guard total > 0 else { return EMResult(m: m, lambda: lambda, iterations: 0, converged: true) }
        while iterations < maxIterations {
            iterations += 1
            var mAcc = levels.map { [Double](repeating: 0, count: $0 + 1) }
            var matchMass = 0.0
            for (g, count) in patterns {
                var pm = lambda, pu = 1 - lambda
                for i in levels.indices where active[i] {
                    let l = g.level(i)
                    if l == 0 { continue }
                    pm *= m[i][l]; pu *= u[i][l]
                }
                let post = pm + pu > 0 ? pm / (pm + pu) : 0
                matchMass += post * count
                for i in levels.indices where active[i] { mAcc[i][g.level(i)] += post * count }
            }
            let newLambda = min(max(matchMass / total, 1e-9), 1 - 1e-9)
            var delta = abs(newLambda - lambda)
            for i in levels.indices where active[i] {
                let s = mAcc[i].dropFirst().reduce(0, +)
                guard s > 0 else { continue }
                for l in 1..<mAcc[i].count {
                    let v = max(mAcc[i][l] / s, 1e-6)
                    delta = max(delta, abs(v - m[i][l]))
                    m[i][l] = v
                }
                let t = m[i].dropFirst().reduce(0, +)
                for l in 1..<m[i].count { m[i][l] /= t }
            }
            lambda = newLambda
            if delta < tolerance { converged = true; break }
        }
        return EMResult(m: m, lambda: lambda, iterations: iterations, converged: converged)
    }

    /// Trains the full model: u from random pairs, one EM session per training rule (each session's pairs are
    /// the candidate pairs that share the rule's keys), m averaged over the sessions that estimated it, then λ.
    public static func train(
        data: PreparedData, blocking: Blocking, candidates: CandidatePairs, settings: LinkageSettings,
        parallel: Parallelism = .serial
    ) -> LinkageModel {
        train(data: data, blocking: blocking, patterns: PatternCounts(candidates), settings: settings, parallel: parallel)
    }

    /// Trains the full model from the candidate pairs' comparison vectors (held or streamed). With `held` (the
    /// candidate pairs, when they are held, and `blocking` made them), an EM session reads the vectors of its pairs
    /// that are candidate pairs from them instead of comparing those pairs again (``sessionCounts``).
    public static func train(
        data: PreparedData, blocking: Blocking, patterns candidates: PatternCounts, settings: LinkageSettings,
        parallel: Parallelism = .serial, held: CandidatePairs? = nil
    ) -> LinkageModel {
        let kinds = settings.comparisons
        let levelCounts = kinds.map(\.levelCount)
        // More random pairs than twenty per identity add nothing but time; the sample scales with the data
        // (a handful of records is compared pair by pair).
        let n = data.nodeCount
        let samples = min(settings.uSamplePairs, max(10_000, 20 * n), max(1, n * (n - 1) / 2))
        let u = estimateU(data: data, comparisons: kinds, samples: samples, seed: settings.seed, parallel: parallel)
        let m0 = initialM(levelCounts)
        var mSum = levelCounts.map { [Double](repeating: 0, count: $0 + 1) }
        var mSessions = [Int](repeating: 0, count: kinds.count)
        var sessions: [TrainingSummary.Session] = []
        let comparer = Comparer(data: data, comparisons: kinds)
        for rule in settings.trainingRules {
            let active = kinds.map { !LinkageSettings.forced(by: rule, $0) }
            // The session's pairs are the rule's own blocks (not only those in the union, which other rules bias),
            // sampled down to `emMaxPairs` by a hash of the pair so the sample is the same on every run.
            let session = Blocking(data: data, rules: [rule], maxBlockSize: settings.maxBlockSize, parallel: parallel)
            let counts = sessionCounts(session: session, comparer: comparer, active: active, settings: settings, parallel: parallel,
                                       held: held.map { (blocking, $0) })
            let patterns = zip(counts.vectors, counts.counts).map { (gamma: Gamma(bits: $0), count: $1) }.sorted { $0.gamma.bits < $1.gamma.bits }
            let pairs = Int(patterns.reduce(0) { $0 + $1.count })
            let result = em(patterns: patterns, levels: levelCounts, active: active, u: u, m: m0, lambda: 0.3, maxIterations: settings.emMaxIterations)
            for i in kinds.indices where active[i] && pairs > 0 {
                for l in 1..<mSum[i].count { mSum[i][l] += result.m[i][l] }
                mSessions[i] += 1
            }
            sessions.append(.init(rule: rule.description, pairs: pairs, iterations: result.iterations, converged: result.converged,
                                  matchShare: result.lambda, trained: kinds.indices.filter { active[$0] }.map { kinds[$0].name }))
        }
        let m = kinds.indices.map { i in mSessions[i] == 0 ? m0[i] : mSum[i].map { $0 / Double(mSessions[i]) } }
        let comparisons = kinds.indices.map { i in
            TrainedComparison(name: kinds[i].name, levels: kinds[i].levelLabels.enumerated().map { TrainedLevel(label: $1, m: m[i][$0 + 1], u: u[i][$0 + 1]) })
        }
        var model = LinkageModel(
            settings: settings, lambda: 1e-6, comparisons: comparisons,
            summary: TrainingSummary(records: data.recordCountTotal, identities: data.nodeCount, candidatePairs: candidates.total,
                                     uSamplePairs: samples, sessions: sessions, reviewedPairs: 0))
        model.lambda = estimateLambda(model: model, data: data, patterns: candidates)
        return model
    }

    /// The comparison vectors of one EM session's pairs (the pairs of `session`'s one rule, sampled down to
    /// `emMaxPairs` by a hash of the pair), with only the `active` comparisons evaluated, counted.
    ///
    /// When the candidate pairs are held (`held`) and neither blocking left out or split a block, a session pair is a
    /// candidate pair exactly when it shares a key of one of the blocking's rules. Those pairs' vectors are read from
    /// the candidates, masked to the active comparisons (each level is computed on its own, so a masked vector is the
    /// vector the session would compute), and only the session's other pairs are compared. A training rule that is
    /// also a blocking rule (the benchmark's `forename + surname`) then compares nothing. The counts are the same
    /// either way (whole numbers; EM reads them sorted by vector).
    static func sessionCounts(session: Blocking, comparer: Comparer, active: [Bool], settings: LinkageSettings, parallel: Parallelism,
                              held: (blocking: Blocking, pairs: CandidatePairs)?) -> VectorTable {
        let total = session.pairCount(rule: 0)
        let keep = total <= settings.emMaxPairs ? UInt64.max : UInt64(Double(UInt64.max) * Double(settings.emMaxPairs) / Double(total))
        let seed = settings.seed
        @inline(__always) func kept(_ x: Int32, _ y: Int32) -> Bool {
            guard keep != UInt64.max else { return true }
            var h = SplitMix64(seed: seed ^ (UInt64(x) << 32 | UInt64(y)))
            return h.next() <= keep
        }
        let reuse = held.flatMap { h in h.blocking.leavesEveryBlockWhole && session.leavesEveryBlockWhole ? h : nil }
        var counts = VectorTable()
        if let reuse {
            var mask: UInt64 = 0
            for i in active.indices where active[i] { mask |= 0xF << (UInt64(i) * 4) }
            let c = reuse.pairs
            let chunk = max(1, c.count / Parallelism.linkagePieces + 1)
            let parts = parallel.map((c.count + chunk - 1) / chunk) { p -> VectorTable in
                var acc = VectorTable()
                for k in (p * chunk)..<min(c.count, (p + 1) * chunk) where session.sharesRule(0, Int(c.a[k]), Int(c.b[k])) && kept(c.a[k], c.b[k]) {
                    _ = acc.add(c.gamma[k] & mask)
                }
                return acc
            }
            for p in parts { counts.merge(p) }
            // A training rule that is a blocking rule has no pairs outside the candidates.
            if reuse.blocking.rules.contains(where: { $0.description == session.rules[0].description }) { return counts }
        }
        let parts = session.forEachPairBatch(parallel: parallel, warm: comparer.warm, make: { _ in VectorTable() }) { acc, x, y in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * x.count) { pick in
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: x.count) { g in
                    var n = 0
                    for k in x.indices where kept(x[k], y[k]) {
                        if let reuse, reuse.blocking.isCandidate(Int(x[k]), Int(y[k])) { continue }
                        pick[n] = x[k]; pick[x.count + n] = y[k]; n += 1
                    }
                    let out = UnsafeMutableBufferPointer(rebasing: g[0..<n])
                    comparer.gammas(UnsafeBufferPointer(rebasing: pick[0..<n]), UnsafeBufferPointer(rebasing: pick[x.count..<(x.count + n)]),
                                    active: active, into: out)
                    for bits in out { _ = acc.add(bits) }
                }
            }
        }
        for p in parts { counts.merge(p) }
        return counts
    }

    /// λ, the chance two random identities match: the fixed point of
    /// λ = (expected matches among candidate pairs under λ) / (all pairs of identities).
    public static func estimateLambda(model: LinkageModel, data: PreparedData, candidates: CandidatePairs, parallel: Parallelism = .serial) -> Double {
        estimateLambda(model: model, data: data, patterns: PatternCounts(candidates))
    }

    /// λ from the candidate pairs' comparison vectors.
    public static func estimateLambda(model: LinkageModel, data: PreparedData, patterns: PatternCounts) -> Double {
        let n = Double(data.nodeCount)
        var allPairs = max(1, n * (n - 1) / 2)
        if data.linkType == .linkOnly {
            var sizes: [Int32: Double] = [:]
            for d in data.dataset { sizes[d, default: 0] += 1 }
            allPairs = max(1, (n * n - sizes.values.reduce(0) { $0 + $1 * $1 }) / 2)
        }
        let counts = patterns.counts
        let weights = model.weightTable
        let patternWeights = counts.sorted { $0.key < $1.key }.map { (g, c) -> (Double, Double) in
            let gamma = Gamma(bits: g)
            var w = 0.0
            for i in weights.indices { w += weights[i][gamma.level(i)] }
            return (w, c)
        }
        var lambda = min(0.5, max(1e-12, n / allPairs))
        for _ in 0..<50 {
            let prior = (lambda / (1 - lambda)).log2Value
            var expected = 0.0
            for (w, c) in patternWeights { expected += Math.probability(weight: prior + w) * c }
            let next = min(0.5, max(1e-12, expected / allPairs))
            if abs(next - lambda) / lambda < 1e-6 { lambda = next; break }
            lambda = next
        }
        return lambda
    }

    /// Re-estimates m from clerically reviewed pairs: accepted pairs are labelled matches. Each level's m
    /// becomes (reviewed count + k · current m) / (reviewed + k), with k = `priorStrength` pseudo-pairs.
    public static func reestimateM(model: LinkageModel, accepted: [Gamma], priorStrength: Double = 20) -> LinkageModel {
        guard !accepted.isEmpty else { return model }
        var out = model
        for i in out.comparisons.indices {
            var counts = [Double](repeating: 0, count: out.comparisons[i].levels.count + 1)
            for g in accepted { counts[g.level(i)] += 1 }
            let n = counts.dropFirst().reduce(0, +)
            guard n > 0 else { continue }
            for l in out.comparisons[i].levels.indices {
                let old = out.comparisons[i].levels[l].m
                out.comparisons[i].levels[l].m = max((counts[l + 1] + priorStrength * old) / (n + priorStrength), 1e-6)
            }
        }
        out.summary.reviewedPairs = accepted.count
        return out
    }
}


/// One comparison's u from its distinct values (``Training/estimateUByValues(comparer:comparison:samples:seed:parallel:)``),
/// cut into jobs any worker may run. Making it finds the signatures and counts the same-signature stratum (one pass
/// over the nodes); the pairs of different signatures are then compared in ``jobs`` jobs (the seeded streams of
/// sampled pairs, or stripes of every signature pair), and ``u(_:)`` adds the jobs' counts up in job order, so u never
/// depends on which worker ran which job or when.
struct UByValues: Sendable {
    /// How the pairs of different signatures are counted.
    enum Stratum { case none, everyPair, counted, sampled }
    let comparer: Comparer, i: Int, levels: Int, seed: UInt64
    /// Counts per level so far (index 0 nulls, the last the else level), the same-signature stratum's included.
    var total: [Double]
    var stratum = Stratum.none
    /// Each signature's node count and a node that has it.
    var count: [Int] = [], rep: [Int32] = []
    /// The nodes with a value, each as its signature and index in one word (a draw is one read of memory).
    var draws: [UInt64] = []
    /// Pairs a sampled job draws, and the pairs of different signatures there are.
    var per = 0, diffPairs = 0.0
    /// Jobs to run before ``u(_:)``.
    var jobs = 0

    init(comparer: Comparer, comparison i: Int, samples: Int, seed: UInt64) {
        self.comparer = comparer; self.i = i; self.seed = seed
        let data = comparer.data
        let levels = comparer.comparisons[i].levelCount
        self.levels = levels
        total = [Double](repeating: 0, count: levels + 2)
        let r = comparer.resolved[i]
        guard r.column >= 0 else { return }
        let col = data.columns[r.column]
        let others = Array(Set(r.levels.flatMap { Training.otherColumns($0.test) })).sorted()
        let n = data.nodeCount
        // Signatures: dense ids, with each one's node count and a representative node.
        var sig = [Int32](repeating: -1, count: n)
        if others.isEmpty {
            var ofValue = [Int32](repeating: -1, count: data.strings.count)
            for x in 0..<n {
                let v = col.value[x]
                guard v >= 0 else { continue }
                var s = ofValue[Int(v)]
                if s < 0 { s = Int32(count.count); ofValue[Int(v)] = s; count.append(0); rep.append(Int32(x)) }
                sig[x] = s; count[Int(s)] += 1
            }
        } else {
            var ofKey: [[Int32]: Int32] = [:]
            for x in 0..<n {
                let v = col.value[x]
                guard v >= 0 else { continue }
                var key: [Int32] = [v]
                for o in others { let c = data.columns[o]; key.append(-9); key.append(c.value[x]); key.append(contentsOf: c.tokensOf(x)) }
                var s = ofKey[key] ?? -1
                if s < 0 { s = Int32(count.count); ofKey[key] = s; count.append(0); rep.append(Int32(x)) }
                sig[x] = s; count[Int(s)] += 1
            }
        }
        let d = count.count
        guard d > 0 else { return }
        // 1. Same signature: exact.
        for s in 0..<d where count[s] > 1 {
            let x = Int(rep[s])
            total[comparer.level(i, x, x)] += Double(count[s]) * Double(count[s] - 1) / 2
        }
        // 2. Different signatures.
        let withValue = count.reduce(0, +)
        diffPairs = (Double(withValue) * Double(withValue) - count.reduce(0.0) { $0 + Double($1) * Double($1) }) / 2
        if d > 1 && d * (d - 1) / 2 <= samples {
            // Every pair of signatures, weighted by frequency (d(d−1)/2 ≤ samples).
            stratum = .everyPair; jobs = min(d, Parallelism.linkagePieces)
        } else if d > 1 && others.isEmpty && col.scope.isEmpty && Training.exactOnly(comparer, i) {
            // Exact levels only: two different values always fall to the else level, so that stratum is counted, not sampled.
            stratum = .counted; total[r.elseLevel] += diffPairs
        } else if d > 1 {
            stratum = .sampled
            draws.reserveCapacity(withValue)
            for x in 0..<n where sig[x] >= 0 { draws.append(UInt64(UInt32(bitPattern: sig[x])) << 32 | UInt64(x)) }
            jobs = Parallelism.linkageSampleStreams
            per = samples / jobs + 1
        }
    }

    /// Job `c`'s counts per level and the pairs it compared.
    func job(_ c: Int) -> (counts: [Double], compared: Int) {
        var acc = [Double](repeating: 0, count: levels + 2)
        switch stratum {
        case .everyPair:
            // Stripe `c` of the signatures, each against every later one.
            let d = count.count
            var s = c
            while s < d {
                let x = Int(rep[s]), ns = Double(count[s])
                for t in (s + 1)..<d { acc[comparer.level(i, x, Int(rep[t]))] += ns * Double(count[t]) }
                s += jobs
            }
            return (acc, 0)
        case .sampled:
            var rng = SplitMix64(seed: seed &+ UInt64(i + 1) &* 0x9E37_79B9 &+ UInt64(c) &* 0x1234_5678_9ABC)
            var drawn = 0, tries = 0
            // The pairs drawn are compared a batch at a time (``Comparer/levels(_:_:_:into:)``); each adds a whole
            // one to its level, so the counts are the same in any order.
            let batch = Blocking.pairBatch, draws = self.draws, per = self.per
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * batch) { pairs in
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: batch) { out in
                    var n = 0
                    var warmed: UInt64 = 0
                    defer { Blocking.warmSink.bitwiseXor(warmed, ordering: .relaxed) }
                    func flush() {
                        let got = UnsafeMutableBufferPointer(rebasing: out[0..<n])
                        let x = UnsafeBufferPointer(rebasing: pairs[0..<n]), y = UnsafeBufferPointer(rebasing: pairs[batch..<(batch + n)])
                        // The batch's reads made first, all at once, so their cache misses overlap: a random pair's
                        // value, string and bytes are each a miss, and one pair at a time they wait on each other.
                        warmed ^= comparer.warm(comparison: i, x) ^ comparer.warm(comparison: i, y)
                        comparer.levels(i, x, y, into: got)
                        for l in got { acc[Int(l)] += 1 }
                        n = 0
                    }
                    while drawn < per && tries < per * 50 {
                        tries += 1
                        let x = draws[rng.below(draws.count)], y = draws[rng.below(draws.count)]
                        if x >> 32 == y >> 32 { continue }
                        pairs[n] = Int32(truncatingIfNeeded: x); pairs[batch + n] = Int32(truncatingIfNeeded: y); n += 1; drawn += 1
                        if n == batch { flush() }
                    }
                    if n > 0 { flush() }
                }
            }
            return (acc, drawn)
        case .none, .counted:
            return (acc, 0)
        }
    }

    /// u from the jobs' results, given in job order.
    func u(_ parts: [(counts: [Double], compared: Int)]) -> [Double] {
        precondition(parts.count == jobs, "one result per job")
        let flat = [Double](repeating: 1 / Double(levels), count: levels)
        var total = self.total, compared = 0
        switch stratum {
        case .everyPair:
            compared = count.count * (count.count - 1) / 2
            for p in parts { for l in total.indices { total[l] += p.counts[l] } }
        case .sampled:
            compared = parts.reduce(0) { $0 + $1.compared }
            let scale = compared > 0 ? diffPairs / Double(compared) : 0
            for p in parts { for l in total.indices { total[l] += p.counts[l] * scale } }
        case .none, .counted: break
        }
        let nonNull = total[1...levels].reduce(0, +)
        guard nonNull > 0 else { return [0] + flat }
        // Half a pair's worth: of all non-null pairs when every stratum was counted exactly (as the old estimator
        // did when it compared every pair), of the pairs compared when the second stratum was sampled.
        let floor = 0.5 / (stratum == .sampled ? Double(max(compared, 1)) : nonNull)
        var u = [0.0] + total[1...levels].map { max($0 / nonNull, floor) }
        let s = u.dropFirst().reduce(0, +)
        for l in 1..<u.count { u[l] /= s }
        return u
    }
}

/// The comparisons' u estimates shared out among workers (``Training/estimateU(data:comparisons:samples:seed:parallel:)``):
/// a worker takes a waiting job of a comparison already begun if there is one (the earliest begun first, so its
/// memory is let go soonest), and otherwise begins the next comparison. The last comparison's jobs are shared too, so no
/// worker idles while another finishes a long one alone. A worker that finds nothing to take while a comparison is
/// being begun waits for its jobs.
final class UEstimates: Sendable {
    /// What a worker does next.
    enum Task { case begin(Int), run(Int, Int, UByValues), wait }
    struct State {
        var nextComparison = 0, beginning = 0
        /// Jobs waiting, as (comparison, job), taken from `head` on.
        var waiting: [(Int, Int)] = [], head = 0
        var estimates: [UByValues?], results: [[(counts: [Double], compared: Int)]], left: [Int]
        var u: [[Double]]
    }
    let state: Mutex<State>
    let count: Int
    /// Signalled when a comparison's jobs are posted, waking a worker that waits for them.
    let posted = DispatchSemaphore(value: 0)

    init(count: Int) {
        self.count = count
        state = Mutex(State(estimates: Array(repeating: nil, count: count), results: Array(repeating: [], count: count),
                            left: Array(repeating: 0, count: count), u: Array(repeating: [], count: count)))
    }

    /// The next task, or nil when nothing is left to take.
    func next() -> Task? {
        state.withLock { s in
            if s.head < s.waiting.count {
                let (k, j) = s.waiting[s.head]; s.head += 1
                return .run(k, j, s.estimates[k]!)
            }
            guard s.nextComparison < count else { return s.beginning > 0 ? .wait : nil }
            defer { s.nextComparison += 1; s.beginning += 1 }
            return .begin(s.nextComparison)
        }
    }

    /// Waits a moment for a comparison being begun to post its jobs.
    func wait() { _ = posted.wait(timeout: .now() + .milliseconds(2)) }

    /// Comparison `k` begun: its jobs wait for the workers (or, with none, its u is found now).
    func begun(_ k: Int, _ estimate: UByValues) {
        defer { posted.signal() }
        if estimate.jobs == 0 { let u = estimate.u([]); state.withLock { $0.u[k] = u; $0.beginning -= 1 }; return }
        let empty = (counts: [Double](), compared: 0)
        state.withLock { s in
            s.beginning -= 1
            s.estimates[k] = estimate; s.left[k] = estimate.jobs
            s.results[k] = Array(repeating: empty, count: estimate.jobs)
            for j in 0..<estimate.jobs { s.waiting.append((k, j)) }
        }
    }

    /// Job `j` of comparison `k` done; the comparison's u is found when its last job is.
    func ran(_ k: Int, _ j: Int, _ result: (counts: [Double], compared: Int)) {
        let finished: (UByValues, [(counts: [Double], compared: Int)])? = state.withLock { s in
            s.results[k][j] = result; s.left[k] -= 1
            guard s.left[k] == 0 else { return nil }
            defer { s.estimates[k] = nil; s.results[k] = [] }
            return (s.estimates[k]!, s.results[k])
        }
        guard let (estimate, parts) = finished else { return }
        let u = estimate.u(parts)
        state.withLock { $0.u[k] = u }
    }

    /// Every comparison's u, in the order they were begun.
    var u: [[Double]] { state.withLock { $0.u } }
}
