import Testing
import UpstreamLinkage

@Suite("Fellegi-Sunter training")
struct TrainingTests {
    /// Simulates comparison vectors from known m, u and λ, then checks EM (u fixed, as in training) recovers m and λ.
    @Test func emRecoversKnownMAndLambda() {
        let kinds = [2, 4, 5]
        // Levels: sex 2, postcode 4, dob 5.
        let m: [[Double]] = [[0, 0.97, 0.03], [0, 0.7, 0.15, 0.1, 0.05], [0, 0.85, 0.03, 0.07, 0.02, 0.03]]
        let u: [[Double]] = [[0, 0.5, 0.5], [0, 0.01, 0.09, 0.3, 0.6], [0, 0.002, 0.001, 0.02, 0.007, 0.97]]
        let lambda = 0.2
        var rng = SplitMix64(seed: 7)
        func draw(_ p: [Double]) -> Int {
            let x = Double(rng.next() % 1_000_000) / 1_000_000
            var acc = 0.0
            for l in 1..<p.count { acc += p[l]; if x < acc { return l } }
            return p.count - 1
        }
        var counts: [UInt64: Double] = [:]
        for _ in 0..<200_000 {
            let match = Double(rng.next() % 1_000_000) / 1_000_000 < lambda
            var g = Gamma()
            for i in kinds.indices { g.set(i, draw(match ? m[i] : u[i])) }
            counts[g.bits, default: 0] += 1
        }
        let patterns = counts.map { (gamma: Gamma(bits: $0.key), count: $0.value) }
        let result = Training.em(patterns: patterns, levels: kinds, active: [true, true, true], u: u,
                                 m: Training.initialM(kinds), lambda: 0.5, maxIterations: 200)
        #expect(abs(result.lambda - lambda) < 0.01)
        for i in kinds.indices {
            for l in 1..<m[i].count { #expect(abs(result.m[i][l] - m[i][l]) < 0.02, "comparison \(i) level \(l)") }
        }
    }

    /// An EM session reads its pairs that are held candidate pairs from them (their vectors masked to its active
    /// comparisons) and compares only the rest: the model is the same as when every session pair is compared, for a
    /// training rule that is a blocking rule, one that is not, with sampling down to `em_max_pairs`, and when a block
    /// over `max_block_size` sends training back to comparing every pair.
    @Test("EM sessions reading held candidate pairs train the same model")
    func sessionsReadingHeldPairsTrainTheSameModel() throws {
        let (inputs, _) = People.population(people: 500, seed: 9)
        let base = try Declared.settings(#"""
        {"comparisons": ["forename", "surname", "dob", "postcode", "sex"],
         "blocking_rules": ["dob + initial(surname)", "forename + surname", "postcode"],
         "training_rules": ["dob", "forename + surname", "postcode"], "cluster_guards": []}
        """#)
        var sampled = base
        sampled.emMaxPairs = 300
        var small = base
        small.maxBlockSize = 3
        for s in [base, sampled, small] {
            let data = PreparedData(inputs, settings: s)
            let blocking = Blocking(data: data, rules: s.blockingRules, maxBlockSize: s.maxBlockSize, parallel: .serial)
            let c = CandidatePairs.generate(data: data, blocking: blocking, comparisons: s.comparisons)
            let patterns = PatternCounts(c)
            let compared = Training.train(data: data, blocking: blocking, patterns: patterns, settings: s, parallel: .serial)
            let read = Training.train(data: data, blocking: blocking, patterns: patterns, settings: s, parallel: .serial, held: c)
            #expect(read == compared, "max_block_size \(s.maxBlockSize), em_max_pairs \(s.emMaxPairs)")
            #expect(read.summary.sessions.allSatisfy { $0.pairs > 0 })
            #expect(blocking.leavesEveryBlockWhole == (s.maxBlockSize > 3))
        }
    }

    @Test func inactiveComparisonsAreLeftAlone() {
        let kinds = [2, 4]
        let start = Training.initialM(kinds)
        let patterns: [(gamma: Gamma, count: Double)] = [(Gamma(bits: 0x11), 10), (Gamma(bits: 0x42), 90)]
        let u: [[Double]] = [[0, 0.5, 0.5], [0, 0.01, 0.09, 0.3, 0.6]]
        let r = Training.em(patterns: patterns, levels: kinds, active: [false, true], u: u, m: start)
        #expect(r.m[0] == start[0])
    }

    @Test func uFromRandomPairsAndModelRoundTrip() throws {
        let pop = People.population(people: 150, seed: 3)
        let linker = Linker(settings: LinkageSettings(uSamplePairs: 50_000))
        let result = linker.link(pop.inputs)
        let model = result.model
        try model.validate()
        // u of exact date of birth among random pairs is small; m is large.
        let dob = model.comparisons.first { $0.name == "dob" }!
        #expect(dob.levels[0].u < 0.01)
        #expect(dob.levels[0].m > 0.5)
        #expect(dob.levels[0].weight > 5)
        // The model saves and loads unchanged.
        let data = try JSONEncoderFixture.encode(model)
        let back = try JSONEncoderFixture.decode(LinkageModel.self, data)
        #expect(back == model)
    }
}
