import Dispatch
import Testing
@testable import UpstreamLinkage
import UpstreamModel

/// The block index's segment is written one rule at a time into its bytes (session 11: holding every rule's entries,
/// then the bytes, then a copy was a full link's peak). The bytes must be the ones the all-at-once writer gave.
@Suite("Block index segment: written rule by rule, the same bytes")
struct SegmentBytesTests {
    /// The writer before session 11, kept as the oracle: every rule's entries held, then encoded together.
    static func allAtOnce(data d: PreparedData, personOfNode: [PersonID], include: [Bool]?) -> [UInt8] {
        let s = d.settings
        let sh = BlockIndex.stringHashes(d)
        var persons: [PersonID] = [], ordinal: [PersonID: UInt32] = [:]
        let nodeOrdinal: [UInt32] = personOfNode.map { p in
            if let o = ordinal[p] { return o }
            let o = UInt32(persons.count); ordinal[p] = o; persons.append(p); return o
        }
        let keep = include ?? [Bool](repeating: true, count: d.nodeCount)
        var rules: [[BlockIndexSegment.Entry]] = []
        for rule in s.blockingRules {
            let ch = BlockIndex.chains(d, rule: rule, settings: s, sh)
            var e: [BlockIndexSegment.Entry] = []
            for n in 0..<d.nodeCount where keep[n] { if let c = ch[n] { e.append(.init(k0: c.0, k1: c.1, k2: c.2, person: nodeOrdinal[n])) } }
            e.sort { ($0.k0, $0.k1, $0.k2, $0.person) < ($1.k0, $1.k1, $1.k2, $1.person) }
            rules.append(e)
        }
        let ids = BlockIndex.identities(d, sh)
        var identity: [BlockIndexSegment.Entry] = []
        for n in 0..<d.nodeCount where keep[n] { identity.append(.init(k0: ids[n], k1: 0, k2: 0, person: nodeOrdinal[n])) }
        identity.sort { ($0.k0, $0.person) < ($1.k0, $1.person) }
        rules.append(identity)
        let (vc, tc) = BlockIndex.frequencyColumns(s)
        var tables: [BlockIndexSegment.Table] = []
        for name in vc {
            guard let c = d.column(name) else { continue }
            var count: [UInt64: UInt64] = [:], total: UInt64 = 0
            for n in 0..<d.nodeCount where keep[n] && c.value[n] >= 0 { count[UInt64(sh[Int(c.value[n])]), default: 0] += 1; total += 1 }
            tables.append(.init(name: "value:" + name, counts: count.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, total: total))
        }
        for name in tc {
            guard let c = d.column(name) else { continue }
            var count: [UInt64: UInt64] = [:], total: UInt64 = 0
            for n in 0..<d.nodeCount where keep[n] && c.value[n] >= 0 {
                total += 1
                for t in Set(c.tokensOf(n)) { count[UInt64(sh[Int(t)]), default: 0] += 1 }
            }
            tables.append(.init(name: "token:" + name, counts: count.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, total: total))
        }
        return BlockIndexSegment.encode(rules: rules, persons: persons, tables: tables)
    }

    @Test("a linked city's segment, whole and with only some identities, is byte for byte the all-at-once segment")
    func sameBytes() {
        let history = IncrementalLinkTests.city(people: 400, seed: 11).history
        let first = Linker(settings: LinkageSettings()).link(history)
        var personOfNode = [PersonID?](repeating: nil, count: first.data.nodeCount)
        for (r, n) in first.data.nodeOfRecord.enumerated() where personOfNode[Int(n)] == nil { personOfNode[Int(n)] = first.personIDs[r] }
        let persons = personOfNode.map { $0! }
        let some = (0..<first.data.nodeCount).map { $0 % 3 != 1 }
        for include in [nil, some] {
            let bytes = BlockIndex.segmentBytes(data: first.data, personOfNode: persons, include: include)
            #expect(bytes == Self.allAtOnce(data: first.data, personOfNode: persons, include: include))
            #expect(BlockIndexSegment(bytes: bytes).isValid)
            // Two rules' entries made at once on two workers (here run in reverse order on one thread, and on real
            // threads): the same bytes.
            for parallel in [Parallelism(workers: 2) { n, body in for i in (0..<n).reversed() { body(i) } }, Self.threads] {
                var two: [UInt8] = []
                try! BlockIndex.writeSegment(into: &two, data: first.data, personOfNode: persons, include: include, parallel: parallel)
                #expect(two == bytes)
            }
        }
    }

    /// Two real threads (Dispatch), as the workspace runs them.
    static let threads = Parallelism(workers: 2) { n, body in
        DispatchQueue.concurrentPerform(iterations: n) { body($0) }
    }

    @Test("an entry is written as its five fields, little-endian, 32 bytes, whichever way the rule's entries are appended")
    func entryLayout() {
        let entries = [BlockIndexSegment.Entry(k0: 0x0102_0304_0506_0708, k1: 0x1112_1314_1516_1718, k2: 0x2122_2324_2526_2728,
                                               person: 0x3132_3334, record: 0x4142_4344),
                       BlockIndexSegment.Entry(k0: .max, k1: 0, k2: 7, person: 9, record: 0)]
        let bytes = BlockIndexSegment.encode(rules: [entries], persons: [], tables: [])
        // The header: magic, rule count, person count, table count, the rule's offset and count, the persons' two offsets.
        let header = 8 * 8
        var expected: [UInt8] = []
        for e in entries {
            for x in [e.k0, e.k1, e.k2] { withUnsafeBytes(of: x.littleEndian) { expected += $0 } }
            withUnsafeBytes(of: e.person.littleEndian) { expected += $0 }
            withUnsafeBytes(of: e.record.littleEndian) { expected += $0 }
        }
        #expect(Array(bytes[header..<(header + 64)]) == expected)
        #expect(expected.prefix(8) == [0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01])
        let segment = BlockIndexSegment(bytes: bytes)
        #expect(segment.isValid)
    }
}
