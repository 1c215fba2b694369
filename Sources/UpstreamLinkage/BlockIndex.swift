import UpstreamModel

/// The block index of a linked store: for every blocking rule, the existing identities' block keys (at every split
/// level) with their person, and the node counts behind the term frequencies and token weights, so a monthly refresh
/// finds a new record's candidate partners without reading, standardising or blocking the whole store (issue 17).
///
/// Keys here are *stable*: built from the values' bytes (64-bit hashes), not from the interned ids of one run's
/// `PreparedData`, so the keys of two different runs (the full run that wrote the index, and a refresh's handful of
/// records) can be compared. Equality of stable keys is equality of `Blocking`'s keys (up to 64-bit hash collisions).
/// A segment is a flat byte layout (`BlockIndexSegment.encode`), written as a file by the workspace and mapped back.
public enum BlockIndex {
    /// The identity pseudo-rule's index: after the blocking rules, one more "rule" keyed on each node's identity (every
    /// column's value), so a new record identical to an existing one finds that node even with no blocking key.
    public static func identityRule(_ settings: LinkageSettings) -> Int { settings.blockingRules.count }

    /// How many keys a rule's chain has: its base key, then one per split key (when splitting is on).
    public static func levels(_ rule: BlockingRule, _ settings: LinkageSettings) -> Int {
        settings.splitBlockSize < Int.max ? 1 + min(rule.split.count, 2) : 1
    }

    /// A string's stable hash (FNV-1a, 64-bit), never negative so -1 keeps meaning "missing".
    @inline(__always) static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64 {
        Int64(bitPattern: ByteHash.fnv1a(bytes) & 0x7FFF_FFFF_FFFF_FFFF)
    }

    /// Every interned string's stable hash.
    static func stringHashes(_ d: PreparedData) -> [Int64] { (0..<d.strings.count).map { d.strings.with(Int32($0), hash) } }

    /// Each node's stable value of one key (-1 when missing): `Blocking.field` with interned ids replaced by hashes.
    static func field(_ d: PreparedData, _ key: BlockingKey, _ sh: [Int64]) -> [Int64] {
        let n = d.nodeCount
        guard let c = d.column(key.columns[0]) else { return [Int64](repeating: -1, count: n) }
        func h(_ x: Int32) -> Int64 { x < 0 ? -1 : sh[Int(x)] }
        switch key.function {
        case .value:
            if c.spec.type == .date { return Blocking.field(d, key) }
            return c.value.map(h)
        case .initial, .year, .monthDay, .initials:
            return Blocking.field(d, key)
        case .phonetic: return c.phonetic.isEmpty ? [Int64](repeating: -1, count: n) : c.phonetic.map(h)
        case .canonical: return c.canonical.isEmpty ? [Int64](repeating: -1, count: n) : c.canonical.map(h)
        case .sector: return c.part0.map(h)
        case .district: return c.part1.map(h)
        case .area, .town: return c.part2.map(h)
        case .firstToken: return (0..<n).map { i in c.tokensOf(i).first.map(h) ?? h(c.value[i]) }
        case .substr:
            let s0 = key.start - 1, e = s0 + key.length
            return c.value.map { x in
                guard x >= 0 else { return -1 }
                return d.strings.with(x) { b in b.count >= e ? hash(UnsafeBufferPointer(rebasing: b[s0..<e])) : -1 }
            }
        }
    }

    /// Per node, the chain of a rule's stable keys (base key, then mixed with each split key), or nil when a base
    /// key field is missing (the node is in no block of the rule). Unused levels are 0.
    static func chains(_ d: PreparedData, rule: BlockingRule, settings: LinkageSettings, _ sh: [Int64]) -> [(UInt64, UInt64, UInt64)?] {
        let fields = rule.keys.map { field(d, $0, sh) }
        let levels = BlockIndex.levels(rule, settings)
        let splits = rule.split.prefix(levels - 1).map { field(d, $0, sh) }
        return (0..<d.nodeCount).map { n -> (UInt64, UInt64, UInt64)? in
            var key: UInt64 = 0
            for f in fields {
                if f[n] < 0 { return nil }
                key = Blocking.mix(key, f[n])
            }
            var out: (UInt64, UInt64, UInt64) = (key, 0, 0)
            if splits.count > 0 { out.1 = Blocking.mix(out.0, splits[0][n]) }
            if splits.count > 1 { out.2 = Blocking.mix(out.1, splits[1][n]) }
            return out
        }
    }

    /// Each node's identity: every column's value and its dataset, as `PreparedData` groups records into nodes.
    static func identities(_ d: PreparedData, _ sh: [Int64]) -> [UInt64] {
        (0..<d.nodeCount).map { n in
            var key = Blocking.mix(0x1D, Int64(d.dataset[n]))
            for c in d.columns { key = Blocking.mix(key, c.value[n] < 0 ? -1 : sh[Int(c.value[n])]) }
            return key
        }
    }

    /// The term-frequency columns (each value's share of the nodes) and the token-weight columns of a model's settings.
    static func frequencyColumns(_ s: LinkageSettings) -> (values: [String], tokens: [String]) {
        var values: [String] = [], tokens: [String] = []
        for c in s.comparisons where c.termFrequencyAdjusted && !values.contains(c.column) { values.append(c.column) }
        for c in s.comparisons where s.needsTokenWeights(c.column) && !tokens.contains(c.column) { tokens.append(c.column) }
        return (values, tokens)
    }

    /// Builds one segment from standardised data: the nodes `include` selects (all when nil), each with its person.
    /// - Parameters:
    ///   - personOfNode: each node's person.
    ///   - recordOfNode: each node's representative record id (``BlockIndexSegment/Entry/record``); none when nil.
    public static func segment(data d: PreparedData, personOfNode: [PersonID], recordOfNode: [UInt32]? = nil, include: [Bool]? = nil) -> BlockIndexSegment {
        BlockIndexSegment(bytes: segmentBytes(data: d, personOfNode: personOfNode, recordOfNode: recordOfNode, include: include))
    }

    /// The bytes of `segment(data:personOfNode:recordOfNode:include:)`, to write as a file.
    public static func segmentBytes(data d: PreparedData, personOfNode: [PersonID], recordOfNode: [UInt32]? = nil, include: [Bool]? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        try! writeSegment(into: &bytes, data: d, personOfNode: personOfNode, recordOfNode: recordOfNode, include: include)  // an array's appends do not throw
        return bytes
    }

    /// A store id as an entry keeps it (``BlockIndexSegment/Entry/record``): 0 when it does not fit 32 bits.
    @inline(__always) public static func representative(_ id: Int64) -> UInt32 { id > 0 && id <= Int64(UInt32.max) ? UInt32(id) : 0 }

    /// Each node's representative record id, from each record's (``representative(_:)``, in the data's record
    /// order): its first record's.
    public static func recordOfNode(_ d: PreparedData, rowIDs: [UInt32]) -> [UInt32] {
        precondition(rowIDs.count == d.nodeOfRecord.count, "one store id a record")
        var out = [UInt32](repeating: 0, count: d.nodeCount)
        var seen = [Bool](repeating: false, count: d.nodeCount)
        for (r, n) in d.nodeOfRecord.enumerated() where !seen[Int(n)] {
            seen[Int(n)] = true
            out[Int(n)] = rowIDs[r]
        }
        return out
    }

    /// Writes the segment's bytes into `sink` as they are made (a file, so a whole city's index is never all in memory).
    ///
    /// With two workers or more in `parallel`, two rules' entries are made and sorted at once, one on each worker
    /// (the same entries in the same order; two rules' entries are held at once instead of one).
    public static func writeSegment<S: SegmentByteSink>(into sink: inout S, data d: PreparedData, personOfNode: [PersonID],
                                                        recordOfNode: [UInt32]? = nil, include: [Bool]? = nil,
                                                        parallel: Parallelism = .serial) throws {
        let s = d.settings
        let sh = stringHashes(d)
        var persons: [PersonID] = [], ordinal: [PersonID: UInt32] = [:]
        let nodeOrdinal: [UInt32] = personOfNode.map { p in
            if let o = ordinal[p] { return o }
            let o = UInt32(persons.count); ordinal[p] = o; persons.append(p); return o
        }
        let keep = include ?? [Bool](repeating: true, count: d.nodeCount)
        let (vc, tc) = frequencyColumns(s)
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
        // One rule's entries at a time, each written into the segment's bytes before the next is made (holding every
        // rule's entries, then the bytes, then a copy of them was the full link's peak: three times the index).
        let rules = s.blockingRules
        let kept = keep.reduce(0) { $0 + ($1 ? 1 : 0) }
        func entries(_ i: Int) -> [BlockIndexSegment.Entry] {
            var e: [BlockIndexSegment.Entry] = []
            if i < rules.count {
                let ch = chains(d, rule: rules[i], settings: s, sh)
                for n in 0..<d.nodeCount where keep[n] { if let c = ch[n] { e.append(.init(k0: c.0, k1: c.1, k2: c.2, person: nodeOrdinal[n], record: recordOfNode?[n] ?? 0)) } }
                e.sort { ($0.k0, $0.k1, $0.k2, $0.person) < ($1.k0, $1.k1, $1.k2, $1.person) }
            } else {
                let ids = identities(d, sh)
                e.reserveCapacity(kept)
                for n in 0..<d.nodeCount where keep[n] { e.append(.init(k0: ids[n], k1: 0, k2: 0, person: nodeOrdinal[n], record: recordOfNode?[n] ?? 0)) }
                e.sort { ($0.k0, $0.person) < ($1.k0, $1.person) }
            }
            return e
        }
        // The rules' entries two at a time on two workers: the one asked for now is returned, the other kept for the
        // next call (the encoder asks for them in order).
        var next: (index: Int, entries: [BlockIndexSegment.Entry])? = nil
        func entriesInPairs(_ i: Int) -> [BlockIndexSegment.Entry] {
            if let n = next, n.index == i { next = nil; return n.entries }
            guard parallel.workers > 1, i + 1 <= rules.count else { return entries(i) }
            let two = parallel.map(2) { entries(i + $0) }
            next = (i + 1, two[1])
            return two[0]
        }
        try BlockIndexSegment.encode(into: &sink, ruleCount: rules.count + 1, entryCapacity: (rules.count + 1) * kept, rule: entriesInPairs,
                                     persons: persons, tables: tables)
    }
}

/// What owns a segment's mapped bytes and can let their pages go from the process (see
/// ``BlockIndexSegment/releaseResidentPages()``).
public protocol ResidentPages: AnyObject {
    func releaseResidentPages()
}

/// One segment of a block index as bytes: a full link's segment, or a refresh's (its new identities only).
///
/// Layout (little-endian, 8-byte words): magic, rule count R, person count P, table count T; R × (offset, count) of
/// the rules' entries (32 bytes each: k0, k1, k2, person ordinal, representative record id), sorted by key; the persons (offsets, bytes); T ×
/// (name offset, name length, offset, count, total) of the frequency tables (16 bytes an entry: hash, count).
public final class BlockIndexSegment: @unchecked Sendable {
    /// One identity under one rule: its key chain, its person and one of its records.
    public struct Entry: Sendable, Hashable {
        public var k0: UInt64; public var k1: UInt64; public var k2: UInt64; public var person: UInt32
        /// The store's id of one record of the identity (its representative: every record of an identity has the same
        /// linkage values), so a refresh can read one record for the identity instead of its person whole; 0 when
        /// unknown (a segment written without ids, or an id above 2³²).
        public var record: UInt32
        public init(k0: UInt64, k1: UInt64, k2: UInt64, person: UInt32, record: UInt32 = 0) {
            self.k0 = k0; self.k1 = k1; self.k2 = k2; self.person = person; self.record = record
        }
    }
    /// Node counts per value (or token) hash of one column, and the nodes with a value.
    public struct Table: Sendable {
        public var name: String; public var counts: [(UInt64, UInt64)]; public var total: UInt64
        public init(name: String, counts: [(UInt64, UInt64)], total: UInt64) { self.name = name; self.counts = counts; self.total = total }
    }

    static let magic: UInt64 = 0x3130_5844_4942_5055  // "UPBIDX01"
    private let storage: [UInt8]?
    private let base: UnsafeRawPointer
    public let byteCount: Int
    private let owner: AnyObject?
    let ruleCount: Int, personCount: Int, tableCount: Int
    private var tableIndex: [String: Int] = [:]

    /// A segment over bytes held in memory.
    public convenience init(bytes: [UInt8]) {
        let box = ByteBox(bytes)
        self.init(pointer: box.pointer, count: bytes.count, owner: box)
    }

    /// A segment over mapped memory that `owner` keeps alive (and unmaps when released).
    public init(pointer: UnsafeRawPointer, count: Int, owner: AnyObject?) {
        storage = nil; base = pointer; byteCount = count; self.owner = owner
        let ok = count >= 32 && pointer.loadUnaligned(as: UInt64.self) == BlockIndexSegment.magic
        ruleCount = ok ? Int(pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) : 0
        personCount = ok ? Int(pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) : 0
        tableCount = ok ? Int(pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self)) : 0
        for t in 0..<tableCount { tableIndex[tableName(t)] = t }
    }

    /// Lets the pages of a mapped segment go from the process (they stay in the file cache; a later read maps them
    /// again). A refresh's binary searches over the segment touch most of its pages, so without this a mapped index
    /// counts whole in the process's resident memory (3.4 GB at 3,000,000 people).
    public func releaseResidentPages() { (owner as? any ResidentPages)?.releaseResidentPages() }

    /// Whether the bytes start as a segment does.
    public var isValid: Bool { byteCount >= 32 && word(0) == BlockIndexSegment.magic }

    @inline(__always) func word(_ i: Int) -> UInt64 { base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) }
    private var personsHeader: Int { 4 + 2 * ruleCount }
    private var tablesHeader: Int { personsHeader + 2 }

    /// The entries of rule `r` whose base key is `k0` (every split level's keys with them).
    public func entries(rule r: Int, k0: UInt64) -> [Entry] {
        guard r < ruleCount else { return [] }
        let off = Int(word(4 + 2 * r)), n = Int(word(5 + 2 * r))
        func key(_ i: Int) -> UInt64 { base.loadUnaligned(fromByteOffset: off + i * 32, as: UInt64.self) }
        var lo = 0, hi = n
        while lo < hi { let m = (lo + hi) / 2; if key(m) < k0 { lo = m + 1 } else { hi = m } }
        return block(rule: off, n, from: lo, k0)
    }

    /// The entries from position `lo` of the rule whose `n` entries start at byte `off`, while their base key is `k0`.
    private func block(rule off: Int, _ n: Int, from lo: Int, _ k0: UInt64) -> [Entry] {
        var out: [Entry] = []
        var i = lo
        while i < n, base.loadUnaligned(fromByteOffset: off + i * 32, as: UInt64.self) == k0 {
            let p = off + i * 32
            out.append(Entry(k0: k0, k1: base.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self),
                             k2: base.loadUnaligned(fromByteOffset: p + 16, as: UInt64.self),
                             person: base.loadUnaligned(fromByteOffset: p + 24, as: UInt32.self),
                             record: base.loadUnaligned(fromByteOffset: p + 28, as: UInt32.self)))
            i += 1
        }
        return out
    }

    /// The same entries as ``entries(rule:k0:)``, for base keys asked in ascending order: the search starts at
    /// `cursor` (0 for the first key) and goes forward in doubling steps, then by halves, and leaves `cursor` at the
    /// first entry of `k0`'s block. Keys a month's records ask for lie far apart in a whole city's entries, so a search
    /// from the whole range touched a dozen scattered pages of the mapped segment a key; walked in order, the pages
    /// are touched in file order and at most about once.
    public func entries(rule r: Int, k0: UInt64, from cursor: inout Int) -> [Entry] {
        guard r < ruleCount else { return [] }
        let off = Int(word(4 + 2 * r)), n = Int(word(5 + 2 * r))
        let lo = BlockIndexSegment.gallop(from: cursor, n, k0) { base.loadUnaligned(fromByteOffset: off + $0 * 32, as: UInt64.self) }
        cursor = lo
        return block(rule: off, n, from: lo, k0)
    }

    /// The first position in `from..<n` whose key (`key(i)`, ascending) is not below `k` (`n` when none): forward
    /// from `from` in doubling steps, then by halves within the last step. Keys asked in ascending order each start
    /// where the last ended, so a walk over many keys reads the sorted keys in order.
    @inline(__always) static func gallop(from: Int, _ n: Int, _ k: UInt64, _ key: (Int) -> UInt64) -> Int {
        var lo = from
        if lo >= n || key(lo) >= k { return lo }
        // key(lo) < k: the answer is above lo, and at most hi once key(hi) >= k (or n).
        var step = 1, hi = lo + 1
        while hi < n && key(hi) < k { lo = hi; step &<<= 1; hi = lo + step }
        var l = lo + 1, h = min(hi, n)
        while l < h { let m = (l + h) / 2; if key(m) < k { l = m + 1 } else { h = m } }
        return l
    }

    /// Where the table called `name` lies (its first entry's byte offset and its entry count); nil when absent.
    public func table(_ name: String) -> (offset: Int, count: Int)? {
        guard let t = tableIndex[name] else { return nil }
        let h = tablesHeader + 5 * t
        return (Int(word(h + 2)), Int(word(h + 3)))
    }

    /// The same count as ``count(_:_:)`` in a table found by ``table(_:)``, for hashes asked in ascending order
    /// (`cursor` as in ``entries(rule:k0:from:)``).
    public func count(table t: (offset: Int, count: Int), _ hash: UInt64, from cursor: inout Int) -> UInt64 {
        let lo = BlockIndexSegment.gallop(from: cursor, t.count, hash) { base.loadUnaligned(fromByteOffset: t.offset + $0 * 16, as: UInt64.self) }
        cursor = lo
        return tableCount(t.offset, t.count, at: lo, hash)
    }

    /// How many entries rule `r` holds.
    public func entryCount(rule r: Int) -> Int { r < ruleCount ? Int(word(5 + 2 * r)) : 0 }

    /// The person of ordinal `o`.
    public func person(_ o: UInt32) -> PersonID {
        let offs = Int(word(personsHeader)), bytes = Int(word(personsHeader + 1))
        let s = Int(base.loadUnaligned(fromByteOffset: offs + Int(o) * 8, as: UInt64.self))
        let e = Int(base.loadUnaligned(fromByteOffset: offs + Int(o) * 8 + 8, as: UInt64.self))
        return PersonID(String(decoding: UnsafeRawBufferPointer(start: base + bytes + s, count: e - s), as: UTF8.self))
    }

    private func tableName(_ t: Int) -> String {
        let h = tablesHeader + 5 * t
        return String(decoding: UnsafeRawBufferPointer(start: base + Int(word(h)), count: Int(word(h + 1))), as: UTF8.self)
    }

    /// Nodes holding `hash` in the table called `name` (0 when the table or value is absent), and the table's total.
    public func count(_ name: String, _ hash: UInt64) -> UInt64 {
        guard let (off, n) = table(name) else { return 0 }
        var lo = 0, hi = n
        while lo < hi {
            let m = (lo + hi) / 2
            if base.loadUnaligned(fromByteOffset: off + m * 16, as: UInt64.self) < hash { lo = m + 1 } else { hi = m }
        }
        return tableCount(off, n, at: lo, hash)
    }

    /// The count at position `lo` of the table whose `n` entries start at byte `off`, when its hash is `hash`; else 0.
    private func tableCount(_ off: Int, _ n: Int, at lo: Int, _ hash: UInt64) -> UInt64 {
        guard lo < n, base.loadUnaligned(fromByteOffset: off + lo * 16, as: UInt64.self) == hash else { return 0 }
        return base.loadUnaligned(fromByteOffset: off + lo * 16 + 8, as: UInt64.self)
    }

    /// The nodes with a value in the table called `name`.
    public func total(_ name: String) -> UInt64 {
        guard let t = tableIndex[name] else { return 0 }
        return word(tablesHeader + 5 * t + 4)
    }

    /// The bytes of a segment.
    public static func encode(rules: [[Entry]], persons: [PersonID], tables: [Table]) -> [UInt8] {
        var out: [UInt8] = []
        try! encode(into: &out, ruleCount: rules.count, entryCapacity: rules.reduce(0) { $0 + $1.count }, rule: { rules[$0] },  // an array's appends do not throw
                    persons: persons, tables: tables)
        return out
    }

    /// The same bytes as ``encode(rules:persons:tables:)``, asking for each rule's entries in turn (`rule(i)`) and
    /// appending them to `out` after room for the header, which is written last; so only one rule's entries are
    /// held beside the bytes, and with a file for `out`, not even the bytes. `entryCapacity` (an upper bound on all the
    /// rules' entries) lets an array reserve its size once.
    static func encode<S: SegmentByteSink>(into out: inout S, ruleCount: Int, entryCapacity: Int, rule: (Int) -> [Entry],
                                           persons: [PersonID], tables: [Table]) throws {
        var w: [UInt64] = [magic, UInt64(ruleCount), UInt64(persons.count), UInt64(tables.count)]
        let header = 4 + 2 * ruleCount + 2 + 5 * tables.count
        out.reserve(header * 8 + entryCapacity * 32 + persons.count * 24 + tables.reduce(0) { $0 + 16 * $1.counts.count + 64 })
        let zeros = [UInt8](repeating: 0, count: 8)
        func put(_ x: UInt64) throws { try withUnsafeBytes(of: x.littleEndian) { try out.append($0) } }
        func pad() throws { if out.count % 8 != 0 { try zeros.withUnsafeBytes { try out.append(UnsafeRawBufferPointer(rebasing: $0.prefix(8 - out.count % 8))) } } }
        func at() -> UInt64 { UInt64(out.count) }
        for _ in 0..<header { try put(0) }
        for i in 0..<ruleCount {
            let r = rule(i)
            w.append(at()); w.append(UInt64(r.count))
            #if _endian(little)
            // An entry's memory is its 32 bytes as laid out below (five fields, little-endian, no padding): the rule's
            // entries go in one append, not an append of a 32-byte copy each.
            if MemoryLayout<Entry>.size == 32 && MemoryLayout<Entry>.stride == 32 && MemoryLayout<Entry>.offset(of: \Entry.person) == 24
                && MemoryLayout<Entry>.offset(of: \Entry.record) == 28 {
                try r.withUnsafeBytes { try out.append($0) }
                continue
            }
            #endif
            var entry = [UInt8](repeating: 0, count: 32)
            for e in r {
                entry.withUnsafeMutableBytes { p in
                    p.storeBytes(of: e.k0.littleEndian, toByteOffset: 0, as: UInt64.self)
                    p.storeBytes(of: e.k1.littleEndian, toByteOffset: 8, as: UInt64.self)
                    p.storeBytes(of: e.k2.littleEndian, toByteOffset: 16, as: UInt64.self)
                    p.storeBytes(of: e.person.littleEndian, toByteOffset: 24, as: UInt32.self)
                    p.storeBytes(of: e.record.littleEndian, toByteOffset: 28, as: UInt32.self)
                }
                try entry.withUnsafeBytes { try out.append($0) }
            }
        }
        var offsets: [UInt64] = [0]
        var text: [UInt8] = []
        for p in persons { text.append(contentsOf: p.rawValue.utf8); offsets.append(UInt64(text.count)) }
        w.append(at())
        for o in offsets { try put(o) }
        w.append(at())
        try text.withUnsafeBytes { try out.append($0) }; try pad()
        var names: [(UInt64, UInt64)] = []
        for t in tables {
            names.append((at(), UInt64(t.name.utf8.count)))
            try Array(t.name.utf8).withUnsafeBytes { try out.append($0) }; try pad()
        }
        for (i, t) in tables.enumerated() {
            w.append(names[i].0); w.append(names[i].1); w.append(at()); w.append(UInt64(t.counts.count)); w.append(t.total)
            for (h, c) in t.counts { try put(h); try put(c) }
        }
        precondition(w.count == header)
        let head = w.map(\.littleEndian)
        try head.withUnsafeBytes { try out.overwriteStart($0) }
    }
}

/// Where a segment's bytes go as they are made (``BlockIndex/writeSegment(into:data:personOfNode:include:)``): appended
/// in order, then the header, for which room was appended first, written over the start. An array of bytes is one; the
/// workspace's segment file is another.
public protocol SegmentByteSink {
    /// How many bytes have been appended.
    var count: Int { get }
    /// Makes room for about `bytes` in all (a hint).
    mutating func reserve(_ bytes: Int)
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Writes `bytes` over the first `bytes.count` bytes appended.
    mutating func overwriteStart(_ bytes: UnsafeRawBufferPointer) throws
}

extension Array: SegmentByteSink where Element == UInt8 {
    public mutating func reserve(_ bytes: Int) { reserveCapacity(bytes) }
    public mutating func append(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
    public mutating func overwriteStart(_ bytes: UnsafeRawBufferPointer) {
        withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
    }
}

/// Bytes kept at a stable address for a segment held in memory.
final class ByteBox: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let count: Int
    init(_ bytes: [UInt8]) {
        count = bytes.count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 8)
        bytes.withUnsafeBytes { if count > 0 { pointer.copyMemory(from: $0.baseAddress!, byteCount: count) } }
    }
    deinit { pointer.deallocate() }
}
