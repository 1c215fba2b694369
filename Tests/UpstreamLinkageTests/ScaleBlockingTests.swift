import Foundation
import PropertyBased
import Testing
import UpstreamLinkage
import UpstreamModel

/// Issue 17: blocks split on a further key when they grow too big, so the pairs grow with the records.
@Suite("Blocking splits big blocks")
struct SplitBlockingTests {
    /// 30 identities born the same day, all JACK?? SMITH-like: surnames by initial A (12), B (10) and C (8).
    static var thirty: PreparedData {
        let d = CivilDateFixture.date(2001, 1, 1)
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let inputs: [LinkInput] = (0..<30).map { (i: Int) -> LinkInput in
            let initial = i < 12 ? "A" : i < 22 ? "B" : "C"
            return People.input("a", String(i), "JACK", initial + "SMITH" + String(letters[i % 26]), d)
        }
        return PreparedData(inputs)
    }

    @Test func aBlockOverTheSizeIsSplitOnTheSplitKey() {
        let data = Self.thirty
        #expect(data.nodeCount == 30)
        // Hand count: unsplit, one block of 30 = 435 pairs; split on the surname's initial, 12, 10 and 8 =
        // 66 + 45 + 28 = 139 pairs.
        let whole = Blocking(data: data, rules: [BlockingRule("dob | initial(surname)")], splitBlockSize: 30).analyse()[0]
        #expect(whole.pairs == 435 && whole.splitBlocks == 0 && whole.largestBlock == 30)
        let split = Blocking(data: data, rules: [BlockingRule("dob | initial(surname)")], splitBlockSize: 29).analyse()[0]
        #expect(split.pairs == 139 && split.newPairs == 139 && split.splitBlocks == 1 && split.largestBlock == 12 && split.blocks == 3)
        // A second split key splits only what is still too big (12 and 10 over 9; every forename is JACK, so the
        // blocks keep their sizes), and a rule without split keys is never split.
        let twice = Blocking(data: data, rules: [BlockingRule("dob | initial(surname) | initial(forename)")], splitBlockSize: 9).analyse()[0]
        #expect(twice.pairs == 139 && twice.splitBlocks == 3)
        let plain = Blocking(data: data, rules: [BlockingRule("dob")], splitBlockSize: 2).analyse()[0]
        #expect(plain.pairs == 435 && plain.splitBlocks == 0)
    }

    @Test func aLaterRuleSkipsOnlyPairsAnEarlierRuleStillGenerates() {
        // Rule 1 splits dob's block by surname initial; rule 2 (dob + forename) must then generate the 435 − 139
        // pairs rule 1 no longer does, and nothing twice.
        let data = Self.thirty
        let blocking = Blocking(data: data, rules: [BlockingRule("dob | initial(surname)"), BlockingRule("dob + forename")], splitBlockSize: 29)
        let counts = blocking.analyse()
        #expect(counts[0].newPairs == 139)
        #expect(counts[1].pairs == 435 && counts[1].newPairs == 296)
        let pairs = blocking.forEachPair(make: { [Int]() }) { acc, a, b in acc.append(a * 1000 + b) }.flatMap { $0 }
        #expect(pairs.count == 435 && Set(pairs).count == 435)
    }

    static let splitRules: [BlockingRule] = [
        "dob + initial(surname) | initial(forename) | postcode", "postcode | initial(surname)",
        "phonetic(surname) + initial(forename) + year(dob) | month_day(dob)", "canonical(forename) + surname",
    ].map(BlockingRule.init)

    /// Random small populations with a tiny split size: every pair generated once, exactly the pairs sharing some
    /// rule's (split) keys, each within its rule's unsplit keys, and no block bigger than the split size unless its
    /// split keys ran out.
    @Test func everyPairOnceWithSplits() async {
        await propertyCheck(input: Gen.int(in: 1...1_000_000)) { seed in
            let pop = People.population(people: 40, seed: UInt64(seed))
            let rules = SplitBlockingTests.splitRules
            let data = PreparedData(pop.inputs, settings: LinkageSettings(blockingRules: rules))
            let blocking = Blocking(data: data, rules: rules, maxBlockSize: 10_000, splitBlockSize: 3)
            let unsplit = Blocking(data: data, rules: rules.map { BlockingRule($0.keys) }, maxBlockSize: 10_000)
            var seen = Set<Int>()
            for (a, b) in blocking.forEachPair(make: { [(Int, Int)]() }, { acc, a, b in acc.append((a, b)) }).flatMap({ $0 }) {
                #expect(seen.insert(a * 100_000 + b).inserted, "pair \(a),\(b) generated twice")
                #expect((0..<rules.count).contains { unsplit.sharesRule($0, a, b) })
            }
            var expected = Set<Int>()
            for a in 0..<data.nodeCount {
                for b in (a + 1)..<max(a + 1, data.nodeCount) where (0..<rules.count).contains(where: { blocking.sharesRule($0, a, b) }) {
                    expected.insert(a * 100_000 + b)
                }
            }
            #expect(seen == expected)
            let counts = blocking.analyse()
            #expect(counts.reduce(0) { $0 + $1.newPairs } == expected.count)
            // Rule 4 has no split keys: its blocks are the unsplit rule's.
            #expect(counts[3].pairs == unsplit.analyse()[3].pairs)
        }
    }

    @Test func rulesWithSplitKeysReadAndWriteBack() throws {
        let r = BlockingRule("dob + initial(surname) | initial(forename) | sector(postcode)")
        #expect(r.keys.map(\.description) == ["dob", "initial(surname)"])
        #expect(r.split.map(\.description) == ["initial(forename)", "sector(postcode)"])
        #expect(r.description == "dob + initial(surname) | initial(forename) | sector(postcode)")
        #expect(BlockingRule(r.description) == r)
        // In a config: the split size and the review cap read and written back; bad split keys refused clearly.
        let json = #"{"blocking_rules": ["dob | initial(surname)"], "split_block_size": 40, "max_review_pairs": 250}"#
        let s = try JSONDecoder().decode(LinkageSettings.self, from: Data(json.utf8))
        #expect(s.splitBlockSize == 40 && s.maxReviewPairs == 250 && s.blockingRules[0].split.count == 1)
        let back = try JSONDecoder().decode(LinkageSettings.self, from: JSONEncoder().encode(s))
        #expect(back == s)
        for (bad, says) in [(#"["dob | initial(surname) + sex"]"#, "a split key is one key"), (#"["dob | initial(nonesuch)"]"#, "nonesuch")] {
            let e = #expect(throws: LinkageError.self) {
                try JSONDecoder().decode(LinkageSettings.self, from: Data(#"{"blocking_rules": \#(bad)}"#.utf8))
            }
            #expect(String(describing: e).contains(says), "\(String(describing: e))")
        }
    }

    @Test func theUKPresetSplitsItsNameAndDateRules() {
        let s = LinkageSettings()
        #expect(s.splitBlockSize == LinkageSettings.defaultSplitBlockSize)
        // Every rule that keys on neither an identifier nor a postcode has a split key.
        for r in s.blockingRules where r.keys.count > 1 && !r.keys.contains(where: { $0.columns == ["postcode"] && $0.function == .value }) {
            #expect(!r.split.isEmpty, "\(r) has no split key")
        }
    }
}

/// Issue 17: the clerical review queue is a workable size.
@Suite("Review queue cap")
struct ReviewQueueCapTests {
    /// Seven identities (distinct names) and hand-made scored pairs.
    static var data: PreparedData {
        let d = CivilDateFixture.date(2001, 1, 1)
        return PreparedData(["ANNA", "BEN", "CARA", "DAN", "EVE", "FINN", "GWEN"].enumerated().map { i, n in People.input("a", String(i), n, "SMITH", d) })
    }

    static func pair(_ a: Int32, _ b: Int32, _ p: Double) -> ScoredPair {
        ScoredPair(a: a, b: b, weight: log2(p / (1 - p)))
    }

    @Test func theBandComesDownToOnePairPerTwoPersonsMostUncertainFirstUpToTheCap() throws {
        let data = Self.data
        #expect(data.nodeCount == 7)
        // Persons (labels): {0,1} joined at 0.99, {2}, {3}, {4}, {5}, {6}.
        let labels: [Int32] = [0, 0, 1, 2, 3, 4, 5]
        let pairs = [
            Self.pair(0, 1, 0.99),  // above the band: a link
            Self.pair(0, 1, 0.60),  // in the band, but nodes 0 and 1 are one person already (the 0.99 link)
            Self.pair(1, 2, 0.70),  // persons 0 and 1
            Self.pair(0, 2, 0.90),  // persons 0 and 1 again, more likely: this one is kept
            Self.pair(3, 4, 0.52),  // persons 2 and 3: the most uncertain
            Self.pair(5, 6, 0.80),  // persons 4 and 5
            Self.pair(2, 3, 0.30),  // below the band
        ]
        let all = Linker.reviewQueue(data: data, pairs: pairs, labels: labels, lower: 0.5, upper: 0.95, decisions: [])
        #expect(all.counts.inBand == 5 && all.counts.alreadyOnePerson == 1 && all.counts.samePersons == 1 && all.counts.overCap == 0)
        #expect(all.counts.queued == 3)
        // Nearest 0.5 first: 0.52, 0.80, 0.90.
        #expect(all.queue.map { Int(($0.probability * 100).rounded()) } == [52, 80, 90])
        #expect(all.queue.map(\.left.recordID) == ["3", "5", "0"] && all.queue.map(\.right.recordID) == ["4", "6", "2"])
        #expect(all.queue.allSatisfy { !$0.linkedNow })
        // The cap keeps the most uncertain and counts the rest.
        let capped = Linker.reviewQueue(data: data, pairs: pairs, labels: labels, lower: 0.5, upper: 0.95, decisions: [], cap: 2)
        #expect(capped.queue.map(\.left.recordID) == ["3", "5"] && capped.counts.overCap == 1 && capped.counts.queued == 2)
        // A decided pair is not in the band any more.
        let decided = ReviewDecision(left: RecordKey(source: "a", recordID: "3"), right: RecordKey(source: "a", recordID: "4"), verdict: .reject, decidedAt: 0)
        let after = Linker.reviewQueue(data: data, pairs: pairs, labels: labels, lower: 0.5, upper: 0.95, decisions: [decided])
        #expect(after.counts.inBand == 4 && after.queue.map(\.left.recordID) == ["5", "0"])
    }

    @Test func aRunQueuesAtMostTheCap() {
        let pop = People.population(people: 300, seed: 3)
        var s = LinkageSettings()
        let free = Linker(settings: s).link(pop.inputs)
        s.maxReviewPairs = 3
        let capped = Linker(settings: s).link(pop.inputs)
        let c = capped.reviewCounts
        #expect(c.inBand == c.alreadyOnePerson + c.samePersons + c.overCap + c.queued)
        #expect(free.reviewCounts.queued == free.review.count)
        #expect(capped.review.count == min(3, free.review.count))
        #expect(capped.review == Array(free.review.prefix(3)))
        // The persons do not depend on the cap.
        #expect(capped.personIDs == free.personIDs)
    }
}
