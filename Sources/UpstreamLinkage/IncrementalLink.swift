import UpstreamModel

/// A block index's segments read as one (the full link's, then each refresh's new identities), with the persons that
/// later refreshes merged renamed to the person they became.
public struct BlockIndexView: Sendable {
    public var segments: [BlockIndexSegment]
    /// Person ids merged away by a refresh, to the id they became.
    public var renames: [PersonID: PersonID]
    /// The size (bytes) of mapped segments above which their pages are let go after each step of a refresh; nil: always.
    /// A refresh sets a quarter of its memory budget: a smaller index stays resident (letting it go made each later
    /// look-up map its pages again, 12-18% of a 1,000,000-person refresh's time), a larger one (3.6 GB at 3,000,000
    /// people) is let go.
    public var releasePagesAbove: Int?

    public init(segments: [BlockIndexSegment], renames: [PersonID: PersonID] = [:]) { self.segments = segments; self.renames = renames }

    /// A person after every later merge.
    public func resolve(_ p: PersonID) -> PersonID {
        var p = p, steps = 0
        while let q = renames[p], q != p, steps < 10_000 { p = q; steps += 1 }
        return p
    }

    /// A walk over the segments' sorted entries for keys asked in ascending order: one cursor a segment, each
    /// starting at 0 (``BlockIndexSegment/entries(rule:k0:from:)``). One walk serves one rule.
    func walk() -> [Int] { [Int](repeating: 0, count: segments.count) }

    /// Every segment's entries of rule `r` with base key `k0`, each with its (resolved) person; keys asked in
    /// ascending order on one `walk`.
    func entries(rule r: Int, k0: UInt64, walk: inout [Int]) -> [(entry: BlockIndexSegment.Entry, person: PersonID)] {
        var out: [(BlockIndexSegment.Entry, PersonID)] = []
        for (i, s) in segments.enumerated() { for e in s.entries(rule: r, k0: k0, from: &walk[i]) { out.append((e, resolve(s.person(e.person)))) } }
        return out
    }

    /// Every segment's entries of rule `r` with base key `k0`, without their persons; keys asked in ascending order
    /// on one `walk`.
    func keys(rule r: Int, k0: UInt64, walk: inout [Int]) -> [BlockIndexSegment.Entry] {
        if segments.count == 1 { return segments[0].entries(rule: r, k0: k0, from: &walk[0]) }
        var out: [BlockIndexSegment.Entry] = []
        for (i, s) in segments.enumerated() { out += s.entries(rule: r, k0: k0, from: &walk[i]) }
        return out
    }

    /// Each of `hashes`' node count in the table called `name`, summed over the segments, in the order given. They are
    /// looked up in ascending order, each segment's table walked forward once: a refresh asks for the values of
    /// hundreds of thousands of identities, and a search from the whole table for each touched its pages at random.
    func counts(_ name: String, _ hashes: [UInt64]) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: hashes.count)
        guard !hashes.isEmpty else { return out }
        let order = hashes.indices.sorted { hashes[$0] < hashes[$1] }
        for s in segments {
            guard let t = s.table(name) else { continue }
            var cursor = 0
            for i in order { out[i] += s.count(table: t, hashes[i], from: &cursor) }
        }
        return out
    }
    /// The segments' bytes.
    public var byteCount: Int { segments.reduce(0) { $0 + $1.byteCount } }

    /// Lets the mapped segments' pages go from the process when they are larger than ``releasePagesAbove`` (called
    /// after each rule's look-ups, so at most one rule's pages are then resident at a time).
    public func releaseResidentPages() {
        if let limit = releasePagesAbove, byteCount <= limit { return }
        for s in segments { s.releaseResidentPages() }
    }
    func total(_ name: String) -> UInt64 { segments.reduce(0) { $0 + $1.total(name) } }
}

/// The monthly refresh's link (issue 17): a month's records against the existing persons, reading only the
/// persons the block index says they can meet.
///
/// It gives the same persons as `Linker.linkIncrementally` over the whole store, because it reproduces exactly what
/// that run sees for every pair involving a new record:
/// - **the same blocks**: a block's split (over `split_block_size`) and skip (over `max_block_size`) follow from the
///   whole city's identity counts, taken from the index plus the month's new identities, not from the records read;
///   every existing identity in a block that holds a new one is read (through its person);
/// - **the same scores**: term frequencies and token weights are the whole city's node counts (index plus new);
/// - **the same clustering**: every existing person touched is read whole (all its records), so its evidence, size
///   and record count (which decides the id a merged person keeps) are the whole person's; the persons named in
///   review decisions are read too, so accepted and rejected decisions apply as before.
/// Pairs between two existing identities are never compared, as before.
///
/// A refresh goes in two steps (docs/scale.md, "The refresh in two steps"): ``candidates(new:model:decisions:index:parallel:)``
/// and ``screen(prepared:persons:model:decisions:index:linker:progress:)`` score the month against one record of each
/// candidate identity, then ``link(prepared:persons:model:decisions:index:linker:progress:)`` links it with only the
/// persons that a pair in the review band or above (or an identical record, or a review decision) can change.
public enum IncrementalLink {
    /// Whether the index can reproduce these settings' blocking (at most two split keys a rule).
    public static func supports(_ s: LinkageSettings) -> Bool {
        s.blockingRules.allSatisfy { s.splitBlockSize == Int.max || $0.split.count <= 2 }
    }

    /// Per rule, each node's final key (the level its whole-city block counts take it to; `Blocking.missingKey` when it
    /// has none) and that block's whole-city identity count (0 for a node with no key).
    static func finalKeys(data: PreparedData, newOnly: [Bool], index: BlockIndexView) -> [(keys: [UInt64], counts: [Int])] {
        let s = data.settings
        let sh = BlockIndex.stringHashes(data)
        return s.blockingRules.enumerated().map { r, rule in
            let ch = BlockIndex.chains(data, rule: rule, settings: s, sh)
            let levels = BlockIndex.levels(rule, s)
            // The month's new identities at each level's key.
            var fresh: [[UInt64: Int]] = [[:], [:], [:]]
            for n in 0..<data.nodeCount where newOnly[n] {
                guard let c = ch[n] else { continue }
                fresh[0][c.0, default: 0] += 1
                if levels > 1 { fresh[1][c.1, default: 0] += 1 }
                if levels > 2 { fresh[2][c.2, default: 0] += 1 }
            }
            // Each first-level block's count in the index, and when it splits, its entries counted by their keys at
            // the next levels, once a block (the entries were kept and scanned again for each node of the block;
            // `finalKeys`'s own time was 20% of the block stage's samples in a 3,000,000-person refresh).
            // The nodes are taken in their first-level keys' order, so each first-level block is read from the index
            // once, in the index's own order (``BlockIndexView/walk()``), and its counts serve its nodes there and
            // then: no table of the blocks read, nor of the counts by final key (dictionaries keyed by 64-bit keys and
            // hashed with SipHash were 6.5% of a 2,000,000-person refresh's samples, and a growing share).
            var order: [(k0: UInt64, node: Int32)] = []
            order.reserveCapacity(data.nodeCount)
            for n in 0..<data.nodeCount { if let c = ch[n] { order.append((c.0, Int32(n))) } }
            order.sort { $0.k0 < $1.k0 }
            var keys = [UInt64](repeating: Blocking.missingKey, count: data.nodeCount)
            var counts = [Int](repeating: 0, count: data.nodeCount)
            var walk = index.walk()
            var i = 0
            while i < order.count {
                let k0 = order[i].k0
                let e = SplitCounts(index.keys(rule: r, k0: k0, walk: &walk), levels: levels, fresh: fresh[0][k0, default: 0],
                                    splitBlockSize: s.splitBlockSize)
                let firstCount = e.total + fresh[0][k0, default: 0]
                while i < order.count && order[i].k0 == k0 {
                    let n = Int(order[i].node)
                    i += 1
                    guard let c = ch[n] else { continue }
                    var key = k0, count = firstCount
                    if levels > 1 && count > s.splitBlockSize {
                        key = c.1; count = e.k1[c.1, default: 0] + fresh[1][c.1, default: 0]
                        if levels > 2 && count > s.splitBlockSize {
                            key = c.2; count = e.k2[c.2, default: 0] + fresh[2][c.2, default: 0]
                        }
                    }
                    keys[n] = key; counts[n] = count
                }
            }
            index.releaseResidentPages()
            return (keys, counts)
        }
    }

    /// A first-level block of the index: how many identities it holds and, when it splits (more than the split size
    /// with the month's), how many at each key of the next levels (`k2` counted over the whole block, as the block's
    /// entries were).
    struct SplitCounts {
        var total: Int
        var k1: [UInt64: Int] = [:], k2: [UInt64: Int] = [:]

        init(_ entries: [BlockIndexSegment.Entry], levels: Int, fresh: Int, splitBlockSize: Int) {
            total = entries.count
            guard levels > 1, total + fresh > splitBlockSize else { return }
            for x in entries {
                k1[x.k1, default: 0] += 1
                if levels > 2 { k2[x.k2, default: 0] += 1 }
            }
        }
    }

    /// What the block index says a month's records can meet.
    public struct Candidates: Sendable {
        /// The persons with an identity in a block (as the whole city's counts split it) that holds one of the new
        /// records, or an identity a new record is identical to: what a refresh that reads persons whole reads.
        public var persons: Set<PersonID> = []
        /// The persons a new record is identical to (it joins their identity with no pair scored): changed by the
        /// month whatever its pairs, so always read whole.
        public var identical: Set<PersonID> = []
        /// One record of each of those identities (``BlockIndexSegment/Entry/record``), with its person, in id order.
        public var representatives: [(record: UInt32, person: PersonID)] = []
        /// Whether every identity has a representative (an index written without them, or with an id above 2³², has not).
        public var representativesComplete = true
    }

    /// The identities and persons a month's records can meet (``Candidates``).
    public static func candidates(new: [LinkInput], model: LinkageModel, decisions: [ReviewDecision], index: BlockIndexView,
                                  parallel: Parallelism = .serial) -> Candidates {
        let s = model.settings
        let data = PreparedData(new, settings: s, ownNode: Linker.rejectedKeys(decisions), parallel: parallel)
        let sh = BlockIndex.stringHashes(data)
        let ids = BlockIndex.identities(data, sh)
        var out = Candidates()
        var representatives: [UInt32: PersonID] = [:]
        func add(_ e: BlockIndexSegment.Entry, _ p: PersonID) {
            out.persons.insert(p)
            if e.record == 0 { out.representativesComplete = false } else { representatives[e.record] = p }
        }
        var newOnly = [Bool](repeating: true, count: data.nodeCount)
        // Every look-up in its keys' order (``BlockIndexView/walk()``); what is added does not depend on the order.
        let idRule = BlockIndex.identityRule(s)
        var walk = index.walk()
        for n in (0..<data.nodeCount).sorted(by: { ids[$0] < ids[$1] }) {
            let m = index.entries(rule: idRule, k0: ids[n], walk: &walk)
            if !m.isEmpty { newOnly[n] = false; for x in m { add(x.entry, x.person); out.identical.insert(x.person) } }
        }
        index.releaseResidentPages()
        let finals = finalKeys(data: data, newOnly: newOnly, index: index)
        for (r, rule) in s.blockingRules.enumerated() {
            let ch = BlockIndex.chains(data, rule: rule, settings: s, sh)
            let levels = BlockIndex.levels(rule, s)
            // Each final block once: its first-level key, and the level and key its identities are matched at.
            var done = Set<UInt64>()
            var blocks: [(k0: UInt64, level: Int, key: UInt64)] = []
            for n in 0..<data.nodeCount {
                guard let c = ch[n] else { continue }
                let key = finals[r].keys[n]
                guard done.insert(key).inserted, finals[r].counts[n] <= s.maxBlockSize else { continue }
                blocks.append((c.0, key == c.0 ? 0 : key == c.1 && levels > 1 ? 1 : 2, key))
            }
            blocks.sort { $0.k0 < $1.k0 }
            var walk = index.walk()
            var i = 0
            while i < blocks.count {
                let k0 = blocks[i].k0
                let entries = index.entries(rule: r, k0: k0, walk: &walk)
                while i < blocks.count && blocks[i].k0 == k0 {
                    let (_, level, key) = blocks[i]
                    for (e, p) in entries {
                        let k = level == 0 ? e.k0 : level == 1 ? e.k1 : e.k2
                        if k == key { add(e, p) }
                    }
                    i += 1
                }
            }
            index.releaseResidentPages()
        }
        out.representatives = representatives.sorted { $0.key < $1.key }.map { (record: $0.key, person: $0.value) }
        return out
    }

    /// What scoring a month's records against one record of each candidate identity found (``screen(prepared:persons:model:decisions:index:linker:progress:)``).
    public struct Screen: Sendable {
        /// The existing persons with an identity in a scored pair at or above the review band's lower bound: the only
        /// ones the month's records can join, merge or be queued for review with.
        public var paired: Set<PersonID>
        /// The pairs compared and those kept (the whole-store refresh's counts: the same pairs are compared).
        public var compared: Int
        public var kept: Int
    }

    /// The first of a refresh's two steps: the month's records scored against one record of each candidate identity
    /// (`prepared`: the representatives first, `persons[i]` the person of representative `i`, then the new records),
    /// with the whole city's blocks, term frequencies and token weights, as ``link(prepared:persons:model:decisions:index:linker:progress:)``
    /// scores them. Every record of an identity has its linkage values, so these are the pairs of the month's records
    /// with existing identities that a refresh reading the candidate persons whole would score; a person without
    /// one at or above the review band's lower bound can be neither joined nor merged (a pair under the match
    /// threshold merges nothing) nor queued for review, so the second step reads whole only the persons paired.
    public static func screen(prepared raw: PreparedData, persons: [PersonID], model: LinkageModel, decisions: [ReviewDecision],
                              index: BlockIndexView, linker: Linker, progress: (Linker.Stage) -> Void = { _ in }) -> Screen {
        let scored = score(prepared: raw, persons: persons, model: model, index: index, linker: linker, progress: progress)
        let paired = pairedPersons(data: scored.data, pairs: scored.pairs, persons: persons, atLeast: model.settings.reviewLower)
        return Screen(paired: paired, compared: scored.compared, kept: scored.pairs.count)
    }

    /// The existing persons (`persons[i]`: record `i`'s, the data's first records) with an identity in a pair of
    /// probability at least `minimum`.
    public static func pairedPersons(data: PreparedData, pairs: [ScoredPair], persons: [PersonID], atLeast minimum: Double) -> Set<PersonID> {
        var personOfNode = [Int32](repeating: -1, count: data.nodeCount)
        var ordinal: [PersonID: Int32] = [:], list: [PersonID] = []
        for (r, p) in persons.enumerated() {
            let o = ordinal[p] ?? { let v = Int32(list.count); ordinal[p] = v; list.append(p); return v }()
            personOfNode[Int(data.nodeOfRecord[r])] = o
        }
        var paired = Set<PersonID>()
        for pair in pairs where pair.probability >= minimum {
            for n in [pair.a, pair.b] where personOfNode[Int(n)] >= 0 { paired.insert(list[Int(personOfNode[Int(n)])]) }
        }
        return paired
    }

    /// Links `new` records against `existing` ones (every record of the candidate persons, in store order) with a
    /// saved model, blocking, scoring and clustering as a run over the whole store would (see the type's notes).
    public static func link(
        existing: [(LinkInput, PersonID)], new: [LinkInput], model: LinkageModel, decisions: [ReviewDecision], index: BlockIndexView,
        linker: Linker, progress: (Linker.Stage) -> Void = { _ in }
    ) -> (result: Linker.Result, newOnly: [Bool]) {
        let builder = standardiser(model: model, decisions: decisions, linker: linker, expectedRecords: existing.count + new.count)
        builder.add(existing.map(\.0))
        builder.add(new, isNew: [Bool](repeating: true, count: new.count))
        return link(prepared: builder.finish(), persons: existing.map(\.1), model: model, decisions: decisions, index: index, linker: linker,
                    progress: progress)
    }

    /// The standardisation a refresh's records go through, batch by batch as they are read: the existing records
    /// first, in store order, then the new ones (`isNew`), so a refresh never holds its records whole.
    public static func standardiser(model: LinkageModel, decisions: [ReviewDecision], linker: Linker, expectedRecords: Int = 0) -> PreparedData.Builder {
        PreparedData.Builder(settings: model.settings, ownNode: Linker.rejectedKeys(decisions), parallel: linker.parallel,
                             expectedRecords: expectedRecords)
    }

    /// The same link over records already standardised by ``standardiser(model:decisions:linker:expectedRecords:)``:
    /// the existing records first (`persons[i]` is record `i`'s person), then the new ones.
    public static func link(
        prepared raw: PreparedData, persons: [PersonID], model: LinkageModel, decisions: [ReviewDecision], index: BlockIndexView,
        linker: Linker, progress: (Linker.Stage) -> Void = { _ in }
    ) -> (result: Linker.Result, newOnly: [Bool]) {
        let scored = score(prepared: raw, persons: persons, model: model, index: index, linker: linker, progress: progress)
        let data = scored.data
        // Existing persons start as one cluster each and are never split (as `Linker.startingLabels` makes them).
        var labelOfPerson: [PersonID: Int32] = [:]
        var initial = [Int32](repeating: -1, count: data.nodeCount)
        var previous: [RecordKey: PersonID] = [:]
        previous.reserveCapacity(persons.count)
        for (r, person) in persons.enumerated() {
            previous[data.keys[r]] = person
            let label = labelOfPerson[person] ?? { let v = Int32(labelOfPerson.count); labelOfPerson[person] = v; return v }()
            let node = Int(data.nodeOfRecord[r])
            if initial[node] < 0 { initial[node] = label }
        }
        labelOfPerson = [:]
        let constraints = Linker.constraints(decisions, data: data)
        let result = linker.finish(data: data, model: model, prediction: scored.prediction, pairs: scored.pairs, candidatePairs: scored.compared,
                                   streamed: true, constraints: constraints, initial: initial, previousIDs: { previous }, decisions: decisions,
                                   progress: progress)
        return (result, scored.newOnly)
    }

    /// Standardised records (the existing ones first, `persons[i]` the person of record `i`, then the new ones) with the
    /// whole city's token weights and term frequencies, blocked by the whole city's counts and scored: every pair
    /// with a new record kept at or above the lower of the keep threshold and the review band's lower bound.
    static func score(prepared raw: PreparedData, persons: [PersonID], model: LinkageModel, index: BlockIndexView, linker: Linker,
                      progress: (Linker.Stage) -> Void) -> (data: PreparedData, newOnly: [Bool], prediction: Prediction, pairs: [ScoredPair], compared: Int) {
        let s = model.settings
        progress(.standardise)
        var hasOld = [Bool](repeating: false, count: raw.nodeCount)
        for r in 0..<persons.count { hasOld[Int(raw.nodeOfRecord[r])] = true }
        let newOnly = (0..<raw.nodeCount).map { raw.isNew[$0] && !hasOld[$0] }
        // The whole city's token weights and term frequencies: the index's node counts plus the new identities'.
        let sh = BlockIndex.stringHashes(raw)
        let (valueColumns, tokenColumns) = BlockIndex.frequencyColumns(s)
        var columns = raw.columns
        for name in tokenColumns {
            guard let ci = raw.columnIndex[name] else { continue }
            let c = raw.columns[ci]
            var fresh: [Int32: UInt64] = [:], freshTotal: UInt64 = 0
            for n in 0..<raw.nodeCount where newOnly[n] && c.value[n] >= 0 {
                freshTotal += 1
                for t in Set(c.tokensOf(n)) { fresh[t, default: 0] += 1 }
            }
            let withValue = index.total("token:" + name) + freshTotal
            var bits: [Int32: Double] = [:]
            let tokens = Array(Set(c.tokens))
            for (t, indexed) in zip(tokens, index.counts("token:" + name, tokens.map { UInt64(sh[Int($0)]) })) {
                let count = indexed + fresh[t, default: 0]
                if count > 0 { bits[t] = -(Double(count) / Double(max(withValue, 1))).log2Value }
            }
            columns[ci] = ColumnData(copying: c, tokenBits: bits)
            index.releaseResidentPages()
        }
        let data = PreparedData(raw, columns: columns)
        var tf = TermFrequencies(data: data, comparisons: [])
        for name in valueColumns {
            guard let ci = data.columnIndex[name] else { continue }
            let c = data.columns[ci]
            var fresh: [Int32: UInt64] = [:], freshTotal: UInt64 = 0
            for n in 0..<data.nodeCount where newOnly[n] && c.value[n] >= 0 { fresh[c.value[n], default: 0] += 1; freshTotal += 1 }
            let total = Double(index.total("value:" + name) + freshTotal)
            var f: [Int32: Double] = [:]
            let values = Set(c.value).filter { $0 >= 0 }.map { $0 }
            for (v, indexed) in zip(values, index.counts("value:" + name, values.map { UInt64(sh[Int($0)]) })) {
                f[v] = Double(indexed + fresh[v, default: 0]) / max(total, 1)
            }
            tf.share[ci] = f
            index.releaseResidentPages()
        }
        progress(.block)
        let finals = finalKeys(data: data, newOnly: newOnly, index: index)
        let blocking = Blocking(data: data, rules: s.blockingRules, finalKeys: finals.map(\.keys), wholeCounts: finals.map(\.counts),
                                maxBlockSize: s.maxBlockSize, splitBlockSize: s.splitBlockSize)
        progress(.compare)
        progress(.score)
        let prediction = Prediction(model: model, data: data, tf: tf)
        let keep = min(s.keepThreshold, s.reviewLower)
        let (pairs, compared) = prediction.score(blocking: blocking, onlyNew: true, keep: keep, parallel: linker.parallel)
        return (data, newOnly, prediction, pairs, compared)
    }
}

extension Blocking {
    /// Blocks from given keys (a refresh's: each node's final key under the whole city's counts), keeping only the
    /// blocks whose whole-city count (`wholeCounts[r][node]`, the same for every node of a block) is within
    /// `maxBlockSize`.
    init(data: PreparedData, rules: [BlockingRule], finalKeys: [[UInt64]], wholeCounts: [[Int]], maxBlockSize: Int, splitBlockSize: Int) {
        self.data = data; self.rules = rules; self.maxBlockSize = maxBlockSize; self.splitBlockSize = splitBlockSize
        keys = finalKeys
        var sorted: [[Int32]] = [], blocks: [[Range<Int>]] = []
        for r in rules.indices {
            let (idx, ranges) = Blocking.group(finalKeys[r])
            sorted.append(idx)
            blocks.append(ranges.filter { wholeCounts[r][Int(idx[$0.lowerBound])] <= maxBlockSize })
        }
        self.sorted = sorted; self.blocks = blocks; splitBlocks = [Int](repeating: 0, count: rules.count)
    }
}

extension ColumnData {
    /// The same column with other token weights (a refresh's: the whole city's).
    convenience init(copying c: ColumnData, tokenBits: [Int32: Double]) {
        var b = ColumnBuilder(spec: c.spec)
        b.value = c.value; b.days = c.days; b.numbers = c.numbers; b.tokenStart = c.tokenStart; b.tokens = c.tokens
        b.part0 = c.part0; b.part1 = c.part1; b.part2 = c.part2; b.phonetic = c.phonetic; b.canonical = c.canonical; b.scope = c.scope
        b.tokenBits = tokenBits
        self.init(b)
    }
}

extension PreparedData {
    /// The same data with other columns (the same values, other weights).
    init(_ d: PreparedData, columns: [ColumnData]) {
        keys = d.keys; agencyOfRecord = d.agencyOfRecord; agencies = d.agencies; nodeOfRecord = d.nodeOfRecord; recordCount = d.recordCount
        strings = d.strings; self.columns = columns; columnIndex = d.columnIndex; dataset = d.dataset
        isNew = d.isNew; truncatedValues = d.truncatedValues; linkType = d.linkType; settings = d.settings
        // The same strings and values: the sketches and frequent levels made for `d` hold for this data too.
        comparerCache = d.comparerCache
    }
}

extension Prediction {
    /// Scoring with given term frequencies (a refresh's: the whole city's, not the records read).
    init(model: LinkageModel, data: PreparedData, tf: TermFrequencies) {
        let p = Prediction(model: model, data: data)
        self.model = model; self.data = data; self.tf = tf; weights = p.weights; tfIndex = p.tfIndex; tfValues = p.tfValues
        tfTables = Prediction.tfTables(p.tfIndex, tf: tf, range: model.settings.tfAdjustmentRange)
    }
}
