import Testing
@testable import UpstreamLinkage
import UpstreamModel

/// The refresh standardises each distinct record once (`IncrementalLink.prepare`): the data must be exactly what
/// standardising every record gives.
@Suite("The refresh standardises repeated records once")
struct IncrementalPrepareTests {
    static func same(_ a: PreparedData, _ b: PreparedData) {
        #expect(a.keys == b.keys)
        #expect(a.agencyOfRecord == b.agencyOfRecord)
        #expect(a.agencies == b.agencies)
        #expect(a.nodeOfRecord == b.nodeOfRecord)
        #expect(a.recordCount == b.recordCount)
        #expect(a.strings == b.strings)
        #expect(a.dataset == b.dataset)
        #expect(a.isNew == b.isNew)
        #expect(a.truncatedValues == b.truncatedValues)
        #expect(a.columnIndex == b.columnIndex)
        #expect(a.columns.count == b.columns.count)
        for (x, y) in zip(a.columns, b.columns) {
            let name = x.spec.name
            #expect(x.value == y.value, "\(name)")
            #expect(x.days == y.days, "\(name)")
            #expect(x.tokenStart == y.tokenStart, "\(name)")
            #expect(x.tokens == y.tokens, "\(name)")
            #expect(x.part0 == y.part0, "\(name)")
            #expect(x.part1 == y.part1, "\(name)")
            #expect(x.part2 == y.part2, "\(name)")
            #expect(x.scope == y.scope, "\(name)")
            #expect(x.phonetic == y.phonetic, "\(name)")
            #expect(x.canonical == y.canonical, "\(name)")
            #expect(x.tokenBits == y.tokenBits, "\(name)")
            #expect(x.numbers.count == y.numbers.count, "\(name)")
        }
    }

    @Test("the same keys, nodes, strings and columns as standardising every record; repeats and rejected records included")
    func sameAsEveryRecord() {
        let pop = People.population(people: 300, seed: 5).inputs
        // Repeats that differ only in their record id (a census row each term), some of them new, in between the others.
        var inputs: [LinkInput] = []
        for (i, r) in pop.enumerated() {
            inputs.append(r)
            if i % 3 == 0 { var c = r; c.recordID += "-term2"; inputs.append(c) }
            if i % 7 == 0 { var c = r; c.recordID += "-term3"; inputs.append(c) }
        }
        let isNew = inputs.indices.map { $0 % 5 == 0 || $0 > inputs.count * 9 / 10 }
        let rejected: Set<RecordKey> = [inputs[3].key, inputs[4].key, inputs[21].key]
        let s = LinkageSettings()
        for ownNode in [Set<RecordKey>(), rejected] {
            let plain = PreparedData(inputs, settings: s, isNew: isNew, ownNode: ownNode)
            let once = IncrementalLink.prepare(inputs, isNew: isNew, ownNode: ownNode, settings: s, parallel: .serial)
            #expect(plain.nodeCount < inputs.count)
            Self.same(once, plain)
        }
        // A value cut to max_field_length is counted per record: then every record is standardised, as before.
        var cut = s
        cut.maxFieldLength = 4
        Self.same(IncrementalLink.prepare(inputs, isNew: isNew, ownNode: [], settings: cut, parallel: .serial),
                  PreparedData(inputs, settings: cut, isNew: isNew))
    }
}
