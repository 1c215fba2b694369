import PropertyBased
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

    /// What the refresh's two steps did, beside the one-step refresh through the index.
    struct TwoStep {
        /// Every record's person after the two-step refresh.
        var persons: [RecordKey: PersonID]
        /// History records read whole in the second step, and representatives read in the first.
        var read: Int, screened: Int
        /// The first step's pairs compared and kept, and the one-step refresh's.
        var compared: Int, kept: Int, oneStepCompared: Int, oneStepKept: Int
    }

    /// The whole-store refresh (`Linker.linkIncrementally`) and the refresh through the index, each as every record's
    /// person after the run, and how many history records the index refresh read; and the two-step refresh (one
    /// record of each candidate identity scored first, then only the persons paired read whole).
    static func both(settings: LinkageSettings, people: Int, seed: UInt64, decisions: [ReviewDecision] = [])
        -> (whole: [RecordKey: PersonID], indexed: [RecordKey: PersonID], read: Int, history: Int, month: [LinkInput], twoStep: TwoStep) {
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
        // Each history record's store id is its place + 1.
        let recordOfNode = BlockIndex.recordOfNode(first.data, rowIDs: (0..<history.count).map { UInt32($0 + 1) })
        let view = BlockIndexView(segments: [BlockIndex.segment(data: first.data, personOfNode: personOfNode.map { $0! }, recordOfNode: recordOfNode)])
        var persons = IncrementalLink.candidates(new: month, model: first.model, decisions: decisions, index: view).persons
        let before = Dictionary(uniqueKeysWithValues: existing.map { ($0.0.key, $0.1) })
        for d in decisions { for k in [d.left, d.right] { if let p = before[k] { persons.insert(p) } } }
        let read = existing.filter { persons.contains($0.1) }
        let (indexed, _) = IncrementalLink.link(existing: read, new: month, model: first.model, decisions: decisions, index: view, linker: linker)
        var indexedMap = before
        // Persons merged away by the refresh: every one of their records was read, so each is in the result.
        for (i, k) in indexed.data.keys.enumerated() { indexedMap[k] = indexed.personIDs[i] }
        // Two steps: the representatives scored with the month, then the persons paired (and those a new record is
        // identical to, and those in decisions) read whole.
        let found = IncrementalLink.candidates(new: month, model: first.model, decisions: decisions, index: view)
        precondition(found.representativesComplete)
        let builder = IncrementalLink.standardiser(model: first.model, decisions: decisions, linker: linker)
        builder.add(found.representatives.map { history[Int($0.record) - 1] })
        builder.add(month, isNew: [Bool](repeating: true, count: month.count))
        let screen = IncrementalLink.screen(prepared: builder.finish(), persons: found.representatives.map(\.person), model: first.model,
                                            decisions: decisions, index: view, linker: linker)
        var decided = Set<PersonID>()
        for d in decisions { for k in [d.left, d.right] { if let p = before[k] { decided.insert(p) } } }
        let wanted = screen.paired.union(found.identical).union(decided)
        let read2 = existing.filter { wanted.contains($0.1) }
        let (two, _) = IncrementalLink.link(existing: read2, new: month, model: first.model, decisions: decisions, index: view, linker: linker)
        var twoMap = before
        for (i, k) in two.data.keys.enumerated() { twoMap[k] = two.personIDs[i] }
        let twoStep = TwoStep(persons: twoMap, read: read2.count, screened: found.representatives.count, compared: screen.compared,
                              kept: screen.kept, oneStepCompared: indexed.candidatePairs, oneStepKept: indexed.pairs.count)
        return (wholeMap, indexedMap, read.count, history.count, month, twoStep)
    }

    /// The two-step refresh gives the one-step refresh's persons, compares and keeps the same pairs, and reads less.
    static func checkTwoStep(_ r: (whole: [RecordKey: PersonID], indexed: [RecordKey: PersonID], read: Int, history: Int, month: [LinkInput], twoStep: TwoStep)) {
        let t = r.twoStep
        let differ = r.whole.filter { t.persons[$0.key] != $0.value }
        #expect(differ.isEmpty, "two steps: \(differ.count) records differ from the whole-store refresh, e.g. \(differ.prefix(3))")
        #expect(t.compared == t.oneStepCompared && t.kept == t.oneStepKept,
                "the first step compared \(t.compared) and kept \(t.kept) pairs; one step: \(t.oneStepCompared), \(t.oneStepKept)")
        #expect(t.read < r.read, "the second step read \(t.read) history records, one step \(r.read)")
        #expect(t.screened > 0)
    }

    @Test("the same persons as the whole-store refresh, record by record (default blocking)")
    func samePersonsDefault() {
        let r = Self.both(settings: LinkageSettings(), people: 600, seed: 11)
        Self.checkTwoStep(r)
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
        Self.checkTwoStep(r)
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
        Self.checkTwoStep(r)
        let differ = r.whole.filter { r.indexed[$0.key] != $0.value }
        #expect(differ.isEmpty, "\(differ.count) records differ, e.g. \(differ.prefix(3))")
    }

    @Test("an identity without a representative record (an id over 32 bits, or an index written without them) leaves the candidates incomplete")
    func representativesIncomplete() {
        #expect(BlockIndex.representative(1) == 1 && BlockIndex.representative(Int64(UInt32.max)) == UInt32.max)
        #expect(BlockIndex.representative(Int64(UInt32.max) + 1) == 0 && BlockIndex.representative(0) == 0)
        let (history, month) = Self.city(people: 200, seed: 5)
        let linker = Linker(settings: LinkageSettings())
        let first = linker.link(history)
        let owners = first.data.nodeOfRecord.indices.reduce(into: [PersonID?](repeating: nil, count: first.data.nodeCount)) { o, r in
            let n = Int(first.data.nodeOfRecord[r]); if o[n] == nil { o[n] = first.personIDs[r] }
        }.map { $0! }
        // The first history record's id is past 32 bits: its identity (whose first record it is) has no representative.
        var ids = (0..<history.count).map { BlockIndex.representative(Int64($0 + 1)) }
        ids[0] = BlockIndex.representative(Int64(UInt32.max) + 7)
        let reps = BlockIndex.recordOfNode(first.data, rowIDs: ids)
        let full = IncrementalLink.candidates(new: month, model: first.model, decisions: [], index:
            BlockIndexView(segments: [BlockIndex.segment(data: first.data, personOfNode: owners, recordOfNode: (0..<reps.count).map { UInt32($0 + 1) })]))
        #expect(full.representativesComplete && full.representatives.count > 0)
        let none = IncrementalLink.candidates(new: month, model: first.model, decisions: [], index:
            BlockIndexView(segments: [BlockIndex.segment(data: first.data, personOfNode: owners)]))
        #expect(!none.representativesComplete && none.representatives.isEmpty && none.persons == full.persons)
        #expect(reps[Int(first.data.nodeOfRecord[0])] == 0 && reps.filter { $0 == 0 }.count == 1,
                "only the identity of the record with a 33-bit id has no representative")
    }

    @Test("a segment's bytes read back: entries by key, persons, value counts")
    func segmentRoundTrip() {
        let e = [BlockIndexSegment.Entry(k0: 5, k1: 1, k2: 0, person: 0, record: 77), BlockIndexSegment.Entry(k0: 5, k1: 2, k2: 0, person: 1),
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

    /// A refresh asks for its keys in ascending order, each search going forward from where the last ended: the same
    /// entries and counts as a search from the whole range, for any keys (present, absent, repeated, past the last).
    @Test("keys walked in ascending order find what a search from the whole range finds")
    func walkedLookUpsAgreeWithWholeRangeSearches() async {
        let keys = Gen<Int>.int(in: 0...40).array(of: 0...120)
        await propertyCheck(count: 400, input: keys, keys) { stored, asked in
            let entries = stored.sorted().enumerated().map {
                BlockIndexSegment.Entry(k0: UInt64($0.element), k1: UInt64($0.offset), k2: 0, person: 0, record: UInt32($0.offset))
            }
            let counts = Set(stored).sorted().map { (UInt64($0), UInt64($0 * 3 + 1)) }
            let s = BlockIndexSegment(bytes: BlockIndexSegment.encode(rules: [entries], persons: [PersonID("P-1")],
                                                                      tables: [.init(name: "value:x", counts: counts, total: 9)]))
            guard let table = s.table("value:x") else { Issue.record("the table is missing"); return }
            var cursor = 0, tableCursor = 0
            for k in asked.sorted().map({ UInt64($0) }) {
                #expect(s.entries(rule: 0, k0: k, from: &cursor) == s.entries(rule: 0, k0: k), "key \(k) of \(stored.sorted())")
                #expect(s.count(table: table, k, from: &tableCursor) == s.count("value:x", k), "hash \(k)")
            }
            #expect(s.table("value:y") == nil)
        }
    }
}
