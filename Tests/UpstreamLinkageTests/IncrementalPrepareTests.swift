import Testing
@testable import UpstreamLinkage
import UpstreamModel

/// The refresh standardises each distinct record once (`IncrementalLink.prepare`): the data must be exactly what
/// standardising every record gives.
@Suite("The refresh standardises repeated records once")
struct IncrementalPrepareTests {
    static func same(_ a: PreparedData, _ b: PreparedData) {
        #expect(a.keys == b.keys)
        #expect(a.agencyOfRecord == b.agencyOfRecord && a.agencies == b.agencies)
        #expect(a.nodeOfRecord == b.nodeOfRecord && a.recordCount == b.recordCount)
        #expect(a.strings == b.strings && a.dataset == b.dataset && a.isNew == b.isNew)
        #expect(a.truncatedValues == b.truncatedValues && a.columnIndex == b.columnIndex)
        #expect(a.columns.count == b.columns.count)
        for (x, y) in zip(a.columns, b.columns) {
            #expect(x.value == y.value && x.days == y.days && x.tokenStart == y.tokenStart && x.tokens == y.tokens, "\(x.spec.name)")
            #expect(x.part0 == y.part0 && x.part1 == y.part1 && x.part2 == y.part2 && x.scope == y.scope, "\(x.spec.name)")
            #expect(x.phonetic == y.phonetic && x.canonical == y.canonical && x.tokenBits == y.tokenBits, "\(x.spec.name)")
            #expect(x.numbers.count == y.numbers.count)
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
