import PropertyBased
import Testing
@testable import UpstreamLinkage

/// The comparison vectors' counter of the EM sessions and the counting pass (``VectorTable``) counts as a dictionary
/// does, keeps the vectors in the order first met, and merges pieces into the same counts.
@Suite("Vector table")
struct VectorTableTests {
    /// Vectors from a small range (so that most repeat), with the same low bits (neighbours in the multiplicative
    /// start), and from the whole 64 bits, including 0 (the all-null vector) and UInt64.max.
    static let vector = PropertyBased.zip(Gen<Int>.int(in: 0...3), Gen<Int>.int(in: 0...Int.max)).map { t -> UInt64 in
        let (kind, bits) = t
        return switch kind {
        case 0: UInt64(bits % 50)
        case 1: UInt64(bits % 50) << 40
        case 2: UInt64.max - UInt64(bits % 3)
        default: UInt64(bits) << 1 | UInt64(bits & 1)
        }
    }

    @Test("counts as a dictionary, in the order first met, and gives each vector its index")
    func countsAsADictionary() async {
        await propertyCheck(count: 300, input: Self.vector.array(of: 0...400)) { vectors in
            var table = VectorTable()
            var counts: [UInt64: Double] = [:]
            var order: [UInt64] = []
            for v in vectors {
                let id = table.add(v)
                if counts[v] == nil { order.append(v) }
                counts[v, default: 0] += 1
                #expect(table.vectors[id] == v)
            }
            #expect(table.vectors == order)
            #expect(table.count == order.count)
            #expect(table.dictionary == counts)
            #expect(table.counts.reduce(0, +) == Double(vectors.count))
        }
    }

    @Test("pieces merged give the counts of all their pairs")
    func mergedPieces() async {
        await propertyCheck(count: 200, input: Self.vector.array(of: 0...200).array(of: 0...5)) { pieces in
            var merged = VectorTable()
            var counts: [UInt64: Double] = [:]
            for p in pieces {
                var t = VectorTable()
                for v in p { _ = t.add(v); counts[v, default: 0] += 1 }
                merged.merge(t)
            }
            #expect(merged.dictionary == counts)
        }
    }

    @Test("grows past many distinct vectors")
    func grows() {
        var table = VectorTable()
        var wrong = 0
        for _ in 0..<2 { for v in 0..<UInt64(100_000) where table.add(v &* 0x1_0000_0001) != Int(v) { wrong += 1 } }
        #expect(wrong == 0, "each vector keeps the index it was first given")
        #expect(table.count == 100_000)
        #expect(table.counts.allSatisfy { $0 == 2 })
    }
}
