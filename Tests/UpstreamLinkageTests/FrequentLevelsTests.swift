import Testing
@testable import UpstreamLinkage
import UpstreamModel

/// The levels between a name comparison's most frequent values, taken from a table (``FrequentLevels``), are the
/// levels the comparer works out without it.
@Suite("Frequent values' levels")
struct FrequentLevelsTests {
    /// The benchmark's shapes of name comparison (exact then Jaro-Winkler levels; Jaro-Winkler levels only), on every
    /// pair of nodes of a population whose names repeat: the comparer with the tables gives every pair the level the
    /// comparer without them gives, and the tables were made and used.
    @Test("levels from the frequent values' table equal the levels worked out, on every pair")
    func tableLevelsEqualWorkedOutLevels() throws {
        var (inputs, _) = People.population(people: 150, seed: 41)
        var rng = SplitMix64(seed: 43)
        let streets = ["HIGH STREET", "HIGH ST", "ACACIA AVENUE", "MILL LANE"]
        // Names with near neighbours, so that pairs of frequent names reach every level.
        let fores = ["JON", "JOHN", "JOHNNY", "JOAN", "JANE", "JAYNE", "JEAN", "MARTHA", "MARTIN", "MARTINA"]
        let surs = ["SMITH", "SMYTH", "SMITHE", "JONES", "JONAS", "JOHNSON", "JOHNSTON", "KHAN"]
        for i in inputs.indices {
            inputs[i].forename = rng.below(9) == 0 ? nil : fores[rng.below(fores.count)]
            inputs[i].surname = surs[rng.below(surs.count)]
            inputs[i].fields = ["addr": "\(1 + rng.below(6)) \(streets[rng.below(4)])"]
        }
        let declared = try Declared.settings(#"""
        {"columns": {"addr": "text"},
         "comparisons": [
           {"name": "first_name", "column": "forename", "levels": [{"type": "exact", "tf": true}, {"type": "jaro_winkler", "threshold": 0.92}, {"type": "jaro_winkler", "threshold": 0.8}]},
           {"name": "surname", "column": "surname", "levels": [{"type": "exact"}, {"type": "jaro_winkler", "threshold": 0.88}]},
           {"name": "address", "column": "addr", "levels": [{"type": "jaro_winkler", "threshold": 0.9}, {"type": "jaro_winkler", "threshold": 0.7}]},
           {"name": "dob", "column": "dob", "levels": ["exact", {"type": "damerau_levenshtein", "max": 1}]}],
         "blocking_rules": ["dob"], "training_rules": ["dob"], "cluster_guards": []}
        """#)
        let data = PreparedData(inputs, settings: declared)
        let with = Comparer(data: data, comparisons: declared.comparisons)
        let without = Comparer(data: data, comparisons: declared.comparisons, frequentLevels: false)
        #expect(without.frequent.isEmpty)
        let n = data.nodeCount
        var a: [Int32] = [], b: [Int32] = []
        for x in 0..<n { for y in 0..<n { a.append(Int32(x)); b.append(Int32(y)) } }
        for i in declared.comparisons.indices {
            let name = declared.comparisons[i].name
            let table = with.frequent[i]
            #expect((table != nil) == (name != "dob"), "comparison \(name) has a table when it is a name comparison")
            var one = [UInt64](repeating: 0, count: a.count), other = one
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    one.withUnsafeMutableBufferPointer { with.levels(i, a, b, into: $0) }
                    other.withUnsafeMutableBufferPointer { without.levels(i, a, b, into: $0) }
                }
            }
            #expect(one == other, "comparison \(name): the same level on every pair")
            guard let table else { continue }
            // The pairs the table answered: both values frequent and different (equal values are settled before).
            let value = data.columns[with.columnOf[i]].value
            let frequent = Set(table.values)
            var answered = 0, levels = Set<UInt64>()
            for k in a.indices {
                let x = value[Int(a[k])], y = value[Int(b[k])]
                if x != y && frequent.contains(x) && frequent.contains(y) { answered += 1; levels.insert(one[k]) }
            }
            #expect(answered > a.count / 4, "comparison \(name): the table answers most pairs (\(answered) of \(a.count))")
            #expect(levels.count >= 2, "comparison \(name): the table's pairs reach more than one level: \(levels.sorted())")
        }
    }

    /// The frequent values: those seen at least ``FrequentLevels/minimumCount`` times in an evenly spaced sample of
    /// at most ``FrequentLevels/sampled`` nodes, most frequent first (ties by string id), at most ``FrequentLevels/most``,
    /// each with the first node of the sample that holds it; against a count by hand.
    @Test("the frequent values are the sample's most common, by count then id, each with its first node",
          arguments: [(12, 40, 3), (600, 5_000, 5), (2_000, 200_000, 7), (30, 70_000, 9)])
    func frequentValuesAreTheSamplesMostCommon(distinct: Int, nodes: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        // Skewed: value v drawn about 1/(v+1) as often as value 0; a tenth missing.
        let value: [Int32] = (0..<nodes).map { _ in
            if rng.below(10) == 0 { return -1 }
            return Int32(min(rng.below(distinct), rng.below(distinct), rng.below(distinct)))
        }
        let (values, firstNodes) = FrequentLevels.frequentValues(value)
        let step = max(1, nodes / FrequentLevels.sampled)
        var count: [Int32: Int] = [:], first: [Int32: Int32] = [:]
        for n in stride(from: 0, to: nodes, by: step) where value[n] >= 0 {
            count[value[n], default: 0] += 1
            if first[value[n]] == nil { first[value[n]] = Int32(n) }
        }
        let expected = count.filter { $0.value >= FrequentLevels.minimumCount }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(FrequentLevels.most).map(\.key)
        #expect(values == expected)
        #expect(firstNodes == expected.map { first[$0]! })
        #expect(values.count <= FrequentLevels.most)
    }

    /// The table's look-up finds each value's rank among many (its slots collide) and answers -1 for any value it
    /// does not hold, either way round.
    @Test("the look-up finds every value held and no other")
    func lookUpFindsHeldValuesOnly() {
        var rng = SplitMix64(seed: 5)
        var held = Set<Int32>()
        while held.count < FrequentLevels.most { held.insert(Int32(rng.below(1 << 20))) }
        let values = Array(held)
        let n = values.count
        let levels = (0..<(n * n)).map { UInt8(($0 * 7 + $0 / n) % 6) }
        let table = FrequentLevels(values: values, levels: levels)
        table.withLookUp { level in
            for _ in 0..<5_000 {
                let rx = rng.below(n), ry = rng.below(n)
                #expect(level(values[rx], values[ry]) == Int(levels[rx * n + ry]))
                var other = Int32(rng.below(1 << 21))
                while held.contains(other) { other += 1 }
                #expect(level(values[rx], other) == -1)
                #expect(level(other, values[ry]) == -1)
            }
        }
    }
}
