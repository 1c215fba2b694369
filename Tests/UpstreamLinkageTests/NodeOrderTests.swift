import Testing
@testable import UpstreamLinkage
import UpstreamModel

/// The builder numbers the nodes by the first training rule's key (so a block's nodes are neighbours in memory);
/// the numbering changes no record's values and no pair's score.
@Suite("nodes numbered by the first training rule's key")
struct NodeOrderTests {
    static let parallel = Parallelism(workers: 3) { n, body in for i in (0..<n).reversed() { body(i) } }

    static func built(_ inputs: [LinkInput], _ settings: LinkageSettings, ordered: Bool) -> PreparedData {
        let builder = PreparedData.Builder(settings: settings, parallel: parallel, ordersNodes: ordered)
        var start = 0
        while start < inputs.count {
            builder.add(Array(inputs[start..<min(inputs.count, start + 113)]))
            start += 113
        }
        return builder.finish()
    }

    @Test func nodesComeInKeyOrderAndEveryRecordKeepsItsValues() {
        let pop = People.population(people: 400, seed: 5)
        let settings = LinkageSettings()
        let arrival = Self.built(pop.inputs, settings, ordered: false), keyed = Self.built(pop.inputs, settings, ordered: true)
        #expect(keyed.nodeCount == arrival.nodeCount)
        #expect(keyed.keys == arrival.keys)
        #expect(keyed.strings == arrival.strings)
        #expect(keyed.nodeOfRecord != arrival.nodeOfRecord, "the city's records do not come in date-of-birth order")

        // Keys never fall; nodes without one (UInt64.max) come last; equal keys keep the order their nodes came in.
        let key = Blocking.keyColumn(keyed, settings.trainingRules[0])
        var firstRecord = [Int](repeating: Int.max, count: keyed.nodeCount)
        for (r, n) in keyed.nodeOfRecord.enumerated() { firstRecord[Int(n)] = min(firstRecord[Int(n)], r) }
        var falls = 0, outOfArrival = 0
        for n in 1..<key.count {
            if key[n - 1] > key[n] { falls += 1 }
            if key[n - 1] == key[n] && firstRecord[n - 1] > firstRecord[n] { outOfArrival += 1 }
        }
        #expect(falls == 0)
        #expect(outOfArrival == 0)
        #expect(Set(key).count > 100, "the key separates the nodes into many blocks")

        // Each record's node holds the same values, tokens, derived codes, record count and dataset either way.
        var differing = 0
        for r in keyed.keys.indices {
            let a = Int(arrival.nodeOfRecord[r]), k = Int(keyed.nodeOfRecord[r])
            if arrival.recordCount[a] != keyed.recordCount[k] || arrival.dataset[a] != keyed.dataset[k] || arrival.isNew[a] != keyed.isNew[k] {
                differing += 1
            }
            for (x, y) in zip(arrival.columns, keyed.columns) {
                func same(_ p: [Int32], _ q: [Int32]) -> Bool { p.isEmpty ? q.isEmpty : p[a] == q[k] }
                let numbers = x.numbers.isEmpty ? y.numbers.isEmpty : x.numbers[a].bitPattern == y.numbers[k].bitPattern
                if !same(x.value, y.value) || !same(x.days, y.days) || !numbers || !same(x.part0, y.part0) || !same(x.part1, y.part1)
                    || !same(x.part2, y.part2) || !same(x.phonetic, y.phonetic) || !same(x.canonical, y.canonical)
                    || !same(x.scope, y.scope) || Array(x.tokensOf(a)) != Array(y.tokensOf(k)) {
                    differing += 1
                }
            }
        }
        #expect(differing == 0)
    }

    @Test func oneModelScoresTheSamePairsWhateverTheNumbering() {
        let pop = People.population(people: 400, seed: 5)
        let settings = LinkageSettings()
        let arrival = Self.built(pop.inputs, settings, ordered: false), keyed = Self.built(pop.inputs, settings, ordered: true)
        let linker = Linker(settings: settings, parallel: Self.parallel)
        let model = linker.link(prepared: arrival).model
        // A pair named by its nodes' first records' keys, so the two numberings can be compared.
        func named(_ data: PreparedData) -> [String: Double] {
            let scored = linker.link(prepared: data, model: model)
            var first = [String](repeating: "", count: data.nodeCount)
            for (r, n) in data.nodeOfRecord.enumerated().reversed() { first[Int(n)] = data.keys[r].source + "/" + data.keys[r].recordID }
            var out: [String: Double] = [:]
            for p in scored.pairs { out[[first[Int(p.a)], first[Int(p.b)]].sorted().joined(separator: " ~ ")] = p.weight }
            return out
        }
        let x = named(arrival), y = named(keyed)
        #expect(x.count > 100)
        // Counted, so a failure says how many pairs differ rather than printing every pair.
        let missing = Set(x.keys).symmetricDifference(y.keys).count
        let reweighed = x.filter { y[$0.key] != nil && y[$0.key] != $0.value }.count
        #expect(missing == 0)
        #expect(reweighed == 0)
    }
}
