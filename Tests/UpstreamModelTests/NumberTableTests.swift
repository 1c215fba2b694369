import PropertyBased
import Testing
import UpstreamModel

/// The open-addressing table of 64-bit numbers under ``PersonPositions`` and the risk features' postcode deciles
/// (``NumberTable``) answers as a dictionary that keeps each number's first value.
@Suite("Number table")
struct NumberTableTests {
    /// Numbers from a small range (so that some repeat and some collide on a slot) and from the whole 64 bits,
    /// including 0 and UInt64.max, each with a value.
    static let entry = PropertyBased.zip(Gen<Int>.int(in: 0...3), Gen<Int>.int(in: 0...Int.max), Gen<Int>.int(in: 0...1_000)).map { t -> (UInt64, UInt32) in
        let (kind, bits, value) = t
        let n: UInt64 = switch kind {
        case 0: UInt64(bits % 40)
        case 1: UInt64(bits) << 1 | UInt64(bits & 1)
        case 2: UInt64.max - UInt64(bits % 3)
        default: UInt64(bits % 40) << 32   // the same low bits: neighbours in the multiplicative start
        }
        return (n, UInt32(value))
    }

    @Test("every number gives its first value; a number never stored gives nil")
    func answersAsADictionary() async {
        await propertyCheck(count: 300, input: Self.entry.array(of: 0...200), Gen<Int>.int(in: 0...Int.max).array(of: 0...50)) { entries, probes in
            var table = NumberTable(capacity: entries.count)
            var first: [UInt64: UInt32] = [:]
            for (n, v) in entries {
                table.insert(n, v)
                if first[n] == nil { first[n] = v }
            }
            #expect(table.count == first.count)
            for (n, v) in first { #expect(table.value(n) == v) }
            for p in probes.map(UInt64.init) + [0, UInt64.max, 1 << 63] where first[p] == nil { #expect(table.value(p) == nil) }
        }
    }

    @Test("insert-if-absent answers whether the number was new and keeps the first value; touching reads only")
    func insertIfAbsentIsATestAndAnInsert() async {
        await propertyCheck(count: 300, input: Self.entry.array(of: 0...200)) { entries in
            var table = NumberTable(capacity: entries.count), plain = NumberTable(capacity: entries.count)
            var first: [UInt64: UInt32] = [:]
            var fold: UInt64 = 0
            for (n, v) in entries {
                fold ^= table.touch(n)
                #expect(table.insertIfAbsent(n, v) == (first[n] == nil))
                plain.insert(n, v)
                if first[n] == nil { first[n] = v }
            }
            #expect(table.count == first.count && plain.count == first.count)
            for (n, v) in first { #expect(table.value(n) == v && plain.value(n) == v) }
            _ = fold
        }
    }

    @Test("a full table's largest value and a table of none")
    func edges() {
        var table = NumberTable(capacity: 1)
        #expect(table.value(0) == nil && table.value(7) == nil)
        table.insert(0, UInt32.max - 1)
        #expect(table.value(0) == UInt32.max - 1 && table.value(1) == nil)
        // Above the 2.3 million persons a 3,000,000-person city's risk read numbers.
        var big = NumberTable(capacity: 2_500_000)
        for n in 0..<UInt64(2_500_000) { big.insert(n &* 0x9E37_79B9_7F4A_7C15, UInt32(n)) }
        #expect(big.count == 2_500_000)
        #expect((0..<UInt64(2_500_000)).allSatisfy { big.value($0 &* 0x9E37_79B9_7F4A_7C15) == UInt32($0) })
        #expect(big.value(2_500_000 &* 0x9E37_79B9_7F4A_7C15) == nil)
    }
}
