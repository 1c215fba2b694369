import Testing
import UpstreamLinkage
import UpstreamModel

/// The monthly refresh through the block index (issue 17): reading only the persons the index says a month's records
/// can meet gives the same persons, record by record, as linking the month against every stored record.
@Suite("Incremental link through the block index")
struct IncrementalLinkTests {
    /// A history linked in full, and a month: every ninth record of the history's people, and the last people whole.
    static func city(people: Int, seed: UInt64) -> (history: [LinkInput], month: [LinkInput]) {
        let pop = People.population(people: people, seed: seed)
        var history: [LinkInput] = [], month: [LinkInput] = []
        let cut = pop.inputs.count * 19 / 20
        for (i, r) in pop.inputs.enumerated() { if i >= cut || i % 9 == 4 { month.append(r) } else { history.append(r) } }
        return (history, month)
    }

    /// The whole-store refresh (`Linker.linkIncrementally`) and the refresh through the index, each as every record's
    /// person after the run, and how many history records the index refresh read.
    static func both(settings: LinkageSettings, people: Int, seed: UInt64, decisions: [ReviewDecision] = [])
        -> (whole: [RecordKey: PersonID], indexed: [RecordKey: PersonID], read: Int, history: Int, month: [LinkInput]) {
        let (history, month) = city(people: people, seed: seed)
        let linker = Linker(settings: settings)
        let first = linker.link(history, decisions: decisions)
        let existing = Array(zip(history, first.personIDs))
        // Today's refresh: every stored record, read and blocked again.
        let whole = linker.linkIncrementally(existing: existing, new: month, model: first.model, decisions: decisions)
        var wholeMap: [RecordKey: PersonID] = [:]
        for (i, k) in whole.data.keys.enumerated() { wholeMap[k] = whole.personIDs[i] }
        // Through the index written from the full run: only the candidate persons' records are read.
        var personOfNode = [PersonID?](repeating: nil, count: first.data.nodeCount)
        for (r, n) in first.data.nodeOfRecord.enumerated() where personOfNode[Int(n)] == nil { personOfNode[Int(n)] = first.personIDs[r] }
        let view = BlockIndexView(segments: [BlockIndex.segment(data: first.data, personOfNode: personOfNode.map { $0! })])
        var persons = IncrementalLink.candidatePersons(new: month, model: first.model, decisions: decisions, index: view)
        let before = Dictionary(uniqueKeysWithValues: existing.map { ($0.0.key, $0.1) })
        for d in decisions { for k in [d.left, d.right] { if let p = before[k] { persons.insert(p) } } }
        let read = existing.filter { persons.contains($0.1) }
        let (indexed, _) = IncrementalLink.link(existing: read, new: month, model: first.model, decisions: decisions, index: view, linker: linker)
        var indexedMap = before
        // Persons merged away by the refresh: every one of their records was read, so each is in the result.
        for (i, k) in indexed.data.keys.enumerated() { indexedMap[k] = indexed.personIDs[i] }
        return (wholeMap, indexedMap, read.count, history.count, month)
    }

    @Test("the same persons as the whole-store refresh, record by record (default blocking)")
    func samePersonsDefault() {
        let r = Self.both(settings: LinkageSettings(), people: 600, seed: 11)
        #expect(r.whole.count == r.indexed.count)
        let differ = r.whole.filter { r.indexed[$0.key] != $0.value }
        #expect(differ.isEmpty, "\(differ.count) records differ, e.g. \(differ.prefix(3))")
        #expect(r.read < r.history, "the refresh read \(r.read) of \(r.history) history records")
        // New records did join existing persons (the comparison is not vacuous).
        let existingPersons = Set(r.whole.filter { k, _ in !r.month.contains { $0.key == k } }.values)
        #expect(r.month.filter { existingPersons.contains(r.whole[$0.key]!) }.count > r.month.count / 2)
    }

    @Test("the same persons when blocks are split and skipped by the whole city's counts")
    func samePersonsSplitAndSkipped() {
        var s = LinkageSettings()
        s.splitBlockSize = 3
        s.maxBlockSize = 12
        let r = Self.both(settings: s, people: 500, seed: 7)
        let differ = r.whole.filter { r.indexed[$0.key] != $0.value }
        #expect(differ.isEmpty, "\(differ.count) records differ, e.g. \(differ.prefix(3))")
        #expect(r.read < r.history)
    }

    @Test("the same persons with review decisions (an accepted pair merges two existing persons, a rejected one keeps two apart)")
    func samePersonsWithDecisions() {
        let (history, _) = Self.city(people: 300, seed: 3)
        // Two records of different people, accepted; two of one person, rejected.
        let a = history[0].key, b = history[40].key, c = history[1].key
        let decisions = [
            ReviewDecision(left: a, right: b, verdict: .accept, decidedAt: 1, reviewer: "t"),
            ReviewDecision(left: a, right: c, verdict: .reject, decidedAt: 2, reviewer: "t"),
        ]
        let r = Self.both(settings: LinkageSettings(), people: 300, seed: 3, decisions: decisions)
        let differ = r.whole.filter { r.indexed[$0.key] != $0.value }
        #expect(differ.isEmpty, "\(differ.count) records differ, e.g. \(differ.prefix(3))")
    }

    @Test("a segment's bytes read back: entries by key, persons, value counts")
    func segmentRoundTrip() {
        let e = [BlockIndexSegment.Entry(k0: 5, k1: 1, k2: 0, person: 0), BlockIndexSegment.Entry(k0: 5, k1: 2, k2: 0, person: 1),
                 BlockIndexSegment.Entry(k0: 9, k1: 0, k2: 0, person: 1)]
        let bytes = BlockIndexSegment.encode(rules: [e, []], persons: [PersonID("P-1"), PersonID("P-22")],
                                             tables: [.init(name: "value:surname", counts: [(3, 7), (10, 2)], total: 9)])
        let s = BlockIndexSegment(bytes: bytes)
        #expect(s.isValid)
        #expect(s.entries(rule: 0, k0: 5) == Array(e.prefix(2)))
        #expect(s.entries(rule: 0, k0: 9) == [e[2]])
        #expect(s.entries(rule: 0, k0: 6).isEmpty && s.entries(rule: 1, k0: 5).isEmpty)
        #expect(s.person(0) == PersonID("P-1") && s.person(1) == PersonID("P-22"))
        #expect(s.count("value:surname", 10) == 2 && s.count("value:surname", 4) == 0 && s.total("value:surname") == 9)
        #expect(s.count("value:forename", 3) == 0)
        #expect(!BlockIndexSegment(bytes: [1, 2, 3]).isValid)
    }
}
