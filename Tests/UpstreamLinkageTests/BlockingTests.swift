import PropertyBased
import Synchronization
import Testing
@testable import UpstreamLinkage
import UpstreamModel

@Suite("Blocking")
struct BlockingTests {
    static let rules: [BlockingRule] = [
        "dob + initial(surname)", "dob + initial(forename)", "postcode",
        "phonetic(surname) + initial(forename) + year(dob)", "canonical(forename) + surname",
    ].map(BlockingRule.init)
    static let settings = LinkageSettings(blockingRules: rules)

    /// Grouping sorts (key, node) pairs up to a limit and node numbers by key above it: the same order and blocks
    /// either way, for random keys with many repeats and missing keys.
    @Test func groupingByPairsAndByNodesAgree() async {
        await propertyCheck(input: Gen.int(in: 1...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let keys = (0..<(50 + rng.below(400))).map { _ in rng.below(6) == 0 ? Blocking.missingKey : UInt64(rng.below(40)) &* 0x9E37_79B9_7F4A_7C15 }
            let pairs = Blocking.group(keys, pairSortLimit: Int.max), nodes = Blocking.group(keys, pairSortLimit: 0)
            #expect(pairs.0 == nodes.0)
            #expect(pairs.1 == nodes.1)
            #expect(pairs.0.allSatisfy { keys[Int($0)] != Blocking.missingKey })
        }
    }

    /// The radix sort orders (key, node) pairs as the comparison sort does: keys packed as a rule of one or two fields
    /// packs them (most bytes shared), hashed keys, one key for all, and sizes on both sides of its small-input cut.
    @Test func radixSortOrdersAsTheComparisonSort() async {
        await propertyCheck(input: Gen.int(in: 1...1_000_000)) { seed in
            var rng = SplitMix64(seed: UInt64(seed))
            let n = [0, 1, 63, 64, 65, 300, 5_000][rng.below(7)]
            let kind = rng.below(3)
            var pairs: [Blocking.KeyedNode] = []
            for i in 0..<n {
                let key: UInt64 = switch kind {
                case 0: UInt64(rng.below(3_000)) | UInt64(65 + rng.below(26)) << 32
                case 1: rng.next()
                default: 42
                }
                pairs.append(.init(key: key, node: Int32(i)))
            }
            var sorted = pairs
            Blocking.radixSort(&sorted)
            let expected = pairs.sorted { $0.key != $1.key ? $0.key < $1.key : $0.node < $1.node }
            #expect(sorted.map(\.key) == expected.map(\.key))
            #expect(sorted.map(\.node) == expected.map(\.node))
        }
    }

    /// Random small populations: the generated pairs are exactly the pairs sharing some rule's keys, each once.
    @Test func everyPairOnceAndNoneLost() async {
        await propertyCheck(input: Gen.int(in: 1...1_000_000)) { seed in
            let pop = People.population(people: 40, seed: UInt64(seed))
            let data = PreparedData(pop.inputs, settings: BlockingTests.settings)
            let blocking = Blocking(data: data, rules: BlockingTests.rules, maxBlockSize: 10_000)
            let parts = blocking.forEachPair(make: { [(Int, Int)]() }) { acc, a, b in acc.append((a, b)) }
            let pairs = parts.flatMap { $0 }
            var seen = Set<Int>()
            for (a, b) in pairs {
                #expect(a < b)
                #expect(seen.insert(a * 100_000 + b).inserted, "pair \(a),\(b) generated twice")
            }
            var expected = Set<Int>()
            for a in 0..<data.nodeCount {
                for b in (a + 1)..<max(a + 1, data.nodeCount) where (0..<BlockingTests.rules.count).contains(where: { blocking.sharesRule($0, a, b) }) {
                    expected.insert(a * 100_000 + b)
                }
            }
            #expect(seen == expected)
            let counts = blocking.analyse()
            #expect(counts.reduce(0) { $0 + $1.newPairs } == expected.count)
            #expect(counts[0].pairs == counts[0].newPairs)
        }
    }

    @Test func parallelGenerationMatchesSerial() {
        let pop = People.population(people: 300, seed: 9)
        let data = PreparedData(pop.inputs, settings: BlockingTests.settings)
        let parallel = Parallelism(workers: 4) { n, body in
            // Reverse order stands in for arbitrary scheduling.
            for i in (0..<n).reversed() { body(i) }
        }
        let blocking = Blocking(data: data, rules: BlockingTests.rules)
        let a = CandidatePairs.generate(data: data, blocking: blocking, comparisons: LinkageSettings.ukComparisons)
        let b = CandidatePairs.generate(data: data, blocking: blocking, comparisons: LinkageSettings.ukComparisons, parallel: parallel)
        #expect(a.count == b.count)
        #expect(Set(zip(a.a, a.b).map { "\($0),\($1)" }) == Set(zip(b.a, b.b).map { "\($0),\($1)" }))
    }

    /// Warming a block before its pairs (what the comparer does) changes no pair and no order, and is asked for every
    /// block of four nodes or more, with exactly that block's nodes.
    @Test func warmingEachBlockChangesNoPair() {
        let pop = People.population(people: 300, seed: 9)
        let data = PreparedData(pop.inputs, settings: BlockingTests.settings)
        let blocking = Blocking(data: data, rules: ["dob", "postcode"].map(BlockingRule.init))
        let plain = blocking.forEachPair(make: { [(Int, Int)]() }) { acc, a, b in acc.append((a, b)) }.flatMap { $0 }
        let warmedBlocks = Mutex<[[Int32]]>([])
        let comparer = Comparer(data: data, comparisons: LinkageSettings.ukComparisons)
        let warmed = blocking.forEachPair(warm: { nodes in
            warmedBlocks.withLock { $0.append(Array(nodes)) }
            return comparer.warm(nodes)
        }, make: { [(Int, Int)]() }) { acc, a, b in acc.append((a, b)) }.flatMap { $0 }
        #expect(plain.map { "\($0.0),\($0.1)" } == warmed.map { "\($0.0),\($0.1)" })
        let blocks = warmedBlocks.withLock { $0 }
        #expect(!blocks.isEmpty)
        for b in blocks {
            #expect(b.count >= 4)
            // One block: the nodes share a date of birth, or a postcode.
            let dob = data.column("dob")!, postcode = data.column("postcode")!
            #expect(Set(b.map { dob.days[Int($0)] }).count == 1 || Set(b.map { postcode.value[Int($0)] }).count == 1)
        }
    }

    @Test func oversizedBlocksAreSkippedAndCounted() {
        let d = CivilDateFixture.date(2001, 1, 1)
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let inputs: [LinkInput] = (0..<30).map { (i: Int) -> LinkInput in
            let name = "JACK" + String(letters[i % 26]) + String(letters[i / 26])
            return People.input("a", String(i), name, "SMITH", d)
        }
        let data = PreparedData(inputs)
        let blocking = Blocking(data: data, rules: [BlockingRule("dob")], maxBlockSize: 10)
        let c = blocking.analyse()[0]
        #expect(c.skippedBlocks == 1)
        #expect(data.nodeCount == 30)
        #expect(c.skippedPairs == 435)
        #expect(c.newPairs == 0)
    }
}
