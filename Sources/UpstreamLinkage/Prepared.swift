import Dispatch
import UpstreamModel

/// One standardised column, node by node, integer-coded.
///
/// A class with constant arrays, so the comparer reads them per pair without copying the column or checking
/// exclusive access; built once from a `ColumnBuilder` while `PreparedData` is made.
public final class ColumnData: Sendable {
    public let spec: ColumnSpec
    /// Each node's standardised value (an interned string id), `PreparedData.missing` (-1) when absent.
    public let value: [Int32]
    /// Day numbers (date columns), `PreparedData.missingDate` when absent.
    let days: [Int32]
    /// Numbers (number columns), NaN when absent.
    let numbers: [Double]
    /// Tokens of each node (`tokens[tokenStart[n]..<tokenStart[n+1]]`): list items, name or text words, address street words.
    let tokenStart: [Int32]
    let tokens: [Int32]
    /// Parts: postcode sector, district, area; address house number, flat, town.
    let part0: [Int32], part1: [Int32], part2: [Int32]
    /// Derived codes, filled when a level or key needs them.
    let phonetic: [Int32]
    let canonical: [Int32]
    /// The id system of each node's value (local ids); empty when the column is not scoped.
    let scope: [Int32]
    /// Each token's weight, −log2 of the share of nodes (with a value) holding it.
    let tokenBits: [Int32: Double]

    init(_ b: ColumnBuilder) {
        spec = b.spec; value = b.value; days = b.days; numbers = b.numbers; tokenStart = b.tokenStart; tokens = b.tokens
        part0 = b.part0; part1 = b.part1; part2 = b.part2; phonetic = b.phonetic; canonical = b.canonical; scope = b.scope
        tokenBits = b.tokenBits
    }

    @inline(__always) func tokensOf(_ n: Int) -> ArraySlice<Int32> { tokens[Int(tokenStart[n])..<Int(tokenStart[n + 1])] }
}

/// Every interned string's bytes in one buffer (the interner's own arena, not a copy), so a comparison reads two
/// values without touching an array object per string (no reference counting per pair), and a city's tens of millions
/// of short strings cost their bytes and four more each, not an array object each (about 50 bytes more, estimated
/// from the allocator's and the array header's sizes, not measured).
public final class StringTable: Sendable, RandomAccessCollection, Equatable {
    let bytes: [UInt8]
    /// String `i` is `bytes[start[i]..<start[i + 1]]`.
    let start: [UInt32]

    init(bytes: [UInt8], start: [UInt32]) { self.bytes = bytes; self.start = start }

    /// The same strings in the same order.
    public static func == (a: StringTable, b: StringTable) -> Bool { a.start == b.start && a.bytes == b.bytes }

    public var startIndex: Int { 0 }
    public var endIndex: Int { start.count - 1 }
    /// String `i`'s bytes, as an array of their own (a copy: the comparer's hot paths use ``with(_:_:_:)``).
    public subscript(i: Int) -> [UInt8] { Array(bytes[Int(start[i])..<Int(start[i + 1])]) }

    @inline(__always) func count(_ i: Int32) -> Int { Int(start[Int(i) + 1] - start[Int(i)]) }

    /// The first byte of string `i` (which must not be empty).
    @inline(__always) func firstByte(_ i: Int32) -> UInt8 { bytes[Int(start[Int(i)])] }

    /// Calls `body` with the bytes of string `i`.
    @inline(__always) func with<R>(_ i: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { p in body(UnsafeBufferPointer(rebasing: p[Int(start[Int(i)])..<Int(start[Int(i) + 1])])) }
    }

    /// Calls `body` with the bytes of strings `x` and `y`.
    @inline(__always) func with<R>(_ x: Int32, _ y: Int32, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { p in
            let a = UnsafeBufferPointer(rebasing: p[Int(start[Int(x)])..<Int(start[Int(x) + 1])])
            let b = UnsafeBufferPointer(rebasing: p[Int(start[Int(y)])..<Int(start[Int(y) + 1])])
            return body(a, b)
        }
    }
}

/// A column while it is being filled.
struct ColumnBuilder {
    let spec: ColumnSpec
    var value: [Int32] = [], days: [Int32] = [], numbers: [Double] = [], tokenStart: [Int32] = [0], tokens: [Int32] = []
    var part0: [Int32] = [], part1: [Int32] = [], part2: [Int32] = [], phonetic: [Int32] = [], canonical: [Int32] = [], scope: [Int32] = []
    var tokenBits: [Int32: Double] = [:]
    init(spec: ColumnSpec) { self.spec = spec }
    func tokensOf(_ n: Int) -> ArraySlice<Int32> { tokens[Int(tokenStart[n])..<Int(tokenStart[n + 1])] }

    /// Room for `nodes` nodes in the arrays every column fills (value and token starts) and in those its type fills.
    mutating func reserve(nodes: Int) {
        guard nodes > 0 else { return }
        value.reserveCapacity(nodes); tokenStart.reserveCapacity(nodes + 1)
        switch spec.type {
        case .date: days.reserveCapacity(nodes)
        case .number: numbers.reserveCapacity(nodes)
        case .ukPostcode, .address: part0.reserveCapacity(nodes); part1.reserveCapacity(nodes); part2.reserveCapacity(nodes)
        default: break
        }
    }

    /// The storage ``reserve(nodes:)`` reserved for `nodes` nodes.
    func reservedStorage(nodes: Int) -> [MemoryRange] {
        [value, tokenStart, days, part0, part1, part2].compactMap { MemoryRange.reserved(by: $0, elements: nodes + 1) }
            + [MemoryRange.reserved(by: numbers, elements: nodes)].compactMap { $0 }
    }
}

/// Standardised records, held column by column and integer-coded.
///
/// Rows whose standardised values are identical in every column the settings use (a pupil's twelve census rows,
/// say) collapse into one *node*: nodes are what blocking, comparison and clustering work on, and every record
/// follows its node.
public struct PreparedData: Sendable {
    public static let missing: Int32 = -1
    public static let missingDate: Int32 = .min

    /// The source and id of each record, in input order.
    public let keys: [RecordKey]
    /// Each record's agency (index into `agencies`).
    public let agencyOfRecord: [Int32]
    public let agencies: [String]
    /// Each record's node.
    public let nodeOfRecord: [Int32]
    /// How many records each node holds.
    public let recordCount: [Int32]
    /// Interned strings, as upper-case bytes, in one buffer.
    public let strings: StringTable
    /// The columns the settings use, by name.
    public let columns: [ColumnData]
    public let columnIndex: [String: Int]
    /// Each node's dataset (its source file), used by link-only runs.
    public let dataset: [Int32]
    /// Whether each node holds at least one record flagged as new (incremental linking).
    public let isNew: [Bool]
    /// Values cut to the settings' `max_field_length` (a data-quality note).
    public let truncatedValues: Int
    public let linkType: LinkType
    /// The settings the data was standardised for.
    public let settings: LinkageSettings
    /// What the comparers of this data have asked for (Jaro-Winkler sketches, the levels between frequent names), made on first use.
    let comparerCache: ComparerCache

    public var nodeCount: Int { dataset.count }
    public var recordCountTotal: Int { keys.count }

    /// The column called `name`, if the settings use it.
    public func column(_ name: String) -> ColumnData? { columnIndex[name].map { columns[$0] } }


    /// Interns (space, text) pairs to dense ids in first-seen order: an open-addressing table over the strings' own
    /// bytes with a 64-bit hash read a word at a time (``ByteHash/words(_:seed:)``), instead of a `Dictionary` keyed
    /// by `String` (whose hashing was a tenth of a link's CPU, all of it in the serial part of standardisation). Same
    /// ids in the same order.
    ///
    /// The strings go into one byte arena (handed to ``StringTable`` as it is), and each slot holds its string's id
    /// with 32 more bits of its hash, so a probe that meets another string is told apart in the slot itself, without
    /// reading that string (session 22's profile of a 3,000,000-person read: `Interner.id` held 12.4% of its samples).
    struct Interner {
        /// Every string's bytes; string `i` is `bytes[start[i]..<start[i + 1]]`.
        private(set) var bytes: [UInt8] = []
        private(set) var start: [UInt32] = [0]
        private(set) var spaces: [Int32] = []
        /// The hash's high 24 bits (`tag`), the string's space (one byte) and `id + 1` in the low half; 0 for an
        /// empty slot. Under half full. A probe reads the arena only when tag and space both match, and no
        /// longer reads `spaces` for every candidate (reasoned to save a cache miss a look-up in a table of tens of
        /// millions of strings; not shown at 3,000,000 people, where one run of it was under the host's steal:
        /// Benchmarks/force-scale.md, "Session 24").
        private var slots = [UInt64](repeating: 0, count: 1 << 12)
        static let tagMask: UInt64 = 0xFFFF_FF00_0000_0000
        /// The spaces the builder uses (-3 … 252) fit the slot's byte (`spaces` holds each string's own).
        static let spaceRange: ClosedRange<Int32> = -3...252
        /// The tag and the space.
        static let keyMask: UInt64 = 0xFFFF_FFFF_0000_0000
        @inline(__always) static func slotKey(_ hash: UInt64, _ space: Int32) -> UInt64 {
            (hash & tagMask) | UInt64(UInt8(truncatingIfNeeded: space)) << 32
        }
        /// The strings interned, as the comparer reads them.
        var strings: StringTable { StringTable(bytes: bytes, start: start) }

        /// The string's hash in its space (the space seeds the hash, so one text in two spaces takes two slots).
        @inline(__always) static func hash(_ b: UnsafeBufferPointer<UInt8>, _ space: Int32) -> UInt64 {
            ByteHash.words(b, seed: UInt64(UInt32(bitPattern: space)))
        }

        /// The text of string `id`.
        func text(_ id: Int32) -> String {
            bytes.withUnsafeBufferPointer { p in String(decoding: p[Int(start[Int(id)])..<Int(start[Int(id) + 1])], as: UTF8.self) }
        }

        /// The id of `text` in `space` (one of ``spaces``), adding it when new.
        mutating func id(_ text: String, _ space: Int32) -> Int32 {
            var t = text
            return t.withUTF8 { b in id(b, hash: Interner.hash(b, space), space) }
        }

        /// The id of the string `b` in `space`, whose ``hash(_:_:)`` is `h`, adding it when new.
        mutating func id(_ b: UnsafeBufferPointer<UInt8>, hash h: UInt64, _ space: Int32) -> Int32 {
            assert(Self.spaceRange.contains(space), "an interner space outside -3 … 252")
            assert(h == Interner.hash(b, space), "a string's hash made in another space")
            let tag = Self.slotKey(h, space)
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: h) & mask
            let found: Int32? = slots.withUnsafeBufferPointer { slot in
                bytes.withUnsafeBufferPointer { arena in
                    start.withUnsafeBufferPointer { start in
                        while true {
                            let s = slot[i]
                            if s == 0 { return nil }
                            if s & Self.keyMask == tag {
                                let v = Int(s & 0xFFFF_FFFF) - 1
                                let from = Int(start[v]), to = Int(start[v + 1])
                                // Eight bytes at a time (the generic `elementsEqual` went byte by byte: about 5% of
                                // a 200,000-person read's samples).
                                if to - from == b.count
                                    && ByteOrder.compare(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: arena[from..<to])), UnsafeRawBufferPointer(b)) == 0 {
                                    return Int32(v)
                                }
                            }
                            i = (i + 1) & mask
                        }
                    }
                }
            }
            if let found { return found }
            let v = Int32(spaces.count)
            bytes.append(contentsOf: b)
            precondition(bytes.count <= Int(UInt32.max), "the interned strings exceed 4 GiB")
            start.append(UInt32(bytes.count)); spaces.append(space)
            if spaces.count * 2 > slots.count { grow() } else { slots[i] = tag | UInt64(v + 1) }
            return v
        }

        /// Reads what looking up the strings whose hashes and slot keys are given will read first, and returns the
        /// reads folded together: every string's slot, then the start of each string whose slot's tag matches, then
        /// its first byte. Each pass is a short loop of loads that do not depend on each other, so the processor
        /// has many cache misses in flight at once. (Warming a string at a time, its hash computed between its
        /// loads, kept only a record's few in flight: the warm alone waited on them for 6% of the samples of a
        /// 1,000,000-record link, Benchmarks/linkage.md, session 39.)
        func warm(hashes: UnsafeBufferPointer<UInt64>, keys: UnsafeBufferPointer<UInt64>, words: inout [UInt64], froms: inout [Int]) -> UInt64 {
            var folded: UInt64 = 0
            words.removeAll(keepingCapacity: true); froms.removeAll(keepingCapacity: true)
            slots.withUnsafeBufferPointer { slot in
                let mask = slot.count - 1
                for h in hashes { words.append(slot[Int(truncatingIfNeeded: h) & mask]) }
            }
            start.withUnsafeBufferPointer { start in
                for i in words.indices {
                    let s = words[i]
                    folded ^= s
                    if s != 0 && s & Self.keyMask == keys[i] { froms.append(Int(start[Int(s & 0xFFFF_FFFF) - 1])) }
                }
            }
            bytes.withUnsafeBufferPointer { b in for f in froms where f < b.count { folded ^= UInt64(b[f]) ^ UInt64(f) } }
            return folded
        }

        /// Room for `strings` strings before the table grows (it stays under half full). Only before any is interned.
        mutating func reserve(strings: Int) {
            guard strings > 0, spaces.isEmpty else { return }
            var size = slots.count
            while size < 2 * strings { size *= 2 }
            if size > slots.count { slots = [UInt64](repeating: 0, count: size) }
            start.reserveCapacity(strings + 1); spaces.reserveCapacity(strings)
        }

        /// The strings' offsets' and spaces' reserved storage.
        var reservedStorage: [MemoryRange] { [MemoryRange.reserved(by: start), MemoryRange.reserved(by: spaces)].compactMap { $0 } }

        /// Doubles the table, placing every string again (their hashes computed again from the arena).
        private mutating func grow() {
            var grown = [UInt64](repeating: 0, count: slots.count * 2)
            let mask = grown.count - 1
            bytes.withUnsafeBufferPointer { arena in
                for v in 0..<spaces.count {
                    let h = Interner.hash(UnsafeBufferPointer(rebasing: arena[Int(start[v])..<Int(start[v + 1])]), spaces[v])
                    var j = Int(truncatingIfNeeded: h) & mask
                    while grown[j] != 0 { j = (j + 1) & mask }
                    grown[j] = Self.slotKey(h, spaces[v]) | UInt64(v + 1)
                }
            }
            slots = grown
        }
    }

    /// Identical rows to one node: an open-addressing table over the nodes' key rows (each column's interned value and
    /// the dataset), kept flat, `width` values a node. A `[[Int32]: Int32]` dictionary held each key as an array of its
    /// own (about 120 bytes a node, estimated in docs/scale.md) and hashed it with SipHash on every record and again,
    /// pointer by pointer, on every resize (session 22's profile of a 3,000,000-person read: about 7% of its samples;
    /// Benchmarks/force-scale.md). Nodes are numbered in the order they are added, as before.
    ///
    /// Any 64-bit hash that is equal for equal keys will do (the builder's comes from the strings' hashes, known before
    /// the record is interned, so that its slot is read ahead: ``slot(of:)``). A slot is chosen by the hash's high bits
    /// and keeps the high half, so the table grows from its slots alone, without the keys or their hashes.
    struct NodeTable {
        let width: Int
        /// Node n's key, at `n * width ..< (n + 1) * width`.
        private var keys: [Int32] = []
        private var count = 0
        /// The hash's high half and `node + 1` in the low half; 0 for an empty slot. Under half full. A probe that
        /// meets another node is told apart by the slot itself, without reading that node's hash or key (kept in an
        /// array beside the slots, each probe read it: a cache miss on the serial interning, session 48's profile).
        private(set) var slots = [UInt64](repeating: 0, count: 1 << 12)
        /// 64 minus the table's size in bits: a hash's slot is `h >> shift` (its top bits, all within the high half).
        private var shift = 64 - 12
        private var indexed = 0
        static let tagMask: UInt64 = 0xFFFF_FFFF_0000_0000

        init(width: Int) { self.width = width }

        /// Room for `nodes` nodes: their keys, and slots that stay under half full without growing.
        mutating func reserve(nodes: Int) {
            guard nodes > 0 else { return }
            keys.reserveCapacity(nodes * width)
            var size = slots.count
            while size < 2 * nodes { size *= 2 }
            if size > slots.count {
                precondition(indexed == 0, "a node table is reserved before any node is added")
                slots = [UInt64](repeating: 0, count: size)
                shift = 64 - size.trailingZeroBitCount
            }
        }

        /// The keys' reserved storage.
        var reservedStorage: [MemoryRange] { [MemoryRange.reserved(by: keys)].compactMap { $0 } }

        static func hash(_ key: UnsafeBufferPointer<Int32>) -> UInt64 {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15
            for x in key { h = (h ^ UInt64(UInt32(bitPattern: x))) &* 0xFF51_AFD7_ED55_8CCD; h ^= h >> 32 }
            return mixed(h)
        }

        /// A 64-bit finaliser (splitmix64's), so that every bit of `h` moves the high bits a slot is chosen by.
        @inline(__always) static func mixed(_ h: UInt64) -> UInt64 {
            var h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
            return h ^ (h >> 31)
        }

        /// The first slot a key hashed `h` is looked for in (what reading ahead reads).
        @inline(__always) func slot(of h: UInt64) -> Int { Int(truncatingIfNeeded: h >> UInt64(shift)) }

        /// The node whose key is `key` (`h` its hash), or -1 when none is.
        func find(_ key: UnsafeBufferPointer<Int32>, _ h: UInt64) -> Int32 {
            let mask = slots.count - 1, tag = h & Self.tagMask
            var i = slot(of: h)
            return slots.withUnsafeBufferPointer { slots in
                keys.withUnsafeBufferPointer { all in
                    while true {
                        let s = slots[i]
                        if s == 0 { return -1 }
                        if s & Self.tagMask == tag {
                            let v = Int(s & 0xFFFF_FFFF) - 1
                            let start = v * width
                            var same = true
                            for j in 0..<width where all[start + j] != key[j] { same = false; break }
                            if same { return Int32(v) }
                        }
                        i = (i + 1) & mask
                    }
                }
            }
        }

        /// Adds the next node with `key` (`h` its hash); a node not `indexed` is never found (a record a reviewer
        /// said is nobody else).
        mutating func add(_ key: UnsafeBufferPointer<Int32>, _ h: UInt64, indexed isIndexed: Bool) -> Int32 {
            let node = Int32(count)
            precondition(count < Int(UInt32.max), "more identities than a node table holds")
            keys.append(contentsOf: key); count += 1
            guard isIndexed else { return node }
            indexed += 1
            if indexed * 2 > slots.count {
                // Each node placed again by the high bits its slot keeps (one more of them than before).
                precondition(shift > 32, "a node table's slots are chosen within the hash's high half")
                var grown = [UInt64](repeating: 0, count: slots.count * 2)
                let mask = grown.count - 1, newShift = UInt64(shift - 1)
                for s in slots where s != 0 {
                    var j = Int(truncatingIfNeeded: (s & Self.tagMask) >> newShift)
                    while grown[j] != 0 { j = (j + 1) & mask }
                    grown[j] = s
                }
                slots = grown; shift -= 1
            }
            let mask = slots.count - 1
            var i = slot(of: h)
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = (h & Self.tagMask) | UInt64(UInt32(node) + 1)
            return node
        }
    }

    /// A piece of a batch, standardised (in parallel) and waiting to be interned in input order: each record's
    /// columns as plain slots, every string they hold in one byte arena, and each string's hash in its column's space
    /// worked out here rather than while interning, which is serial. (Each record's columns were an array of cells of
    /// optional Strings and String arrays: made, copied, retained and released record by record, and the strings
    /// hashed again in the serial part; session 43 measured the change in Benchmarks/linkage.md.)
    struct StandardisedPiece {
        /// One column of one record: its strings as indices into the piece's strings (-1 for none), its tokens as
        /// the range `tokenFrom..<tokenTo` of ``tokens``, its date's day and its number.
        struct Slot {
            var value: Int32 = -1, p0: Int32 = -1, p1: Int32 = -1, p2: Int32 = -1, scope: Int32 = -1, canonical: Int32 = -1
            var tokenFrom: Int32 = 0, tokenTo: Int32 = 0
            var day: Int32 = PreparedData.missingDate
            var number = Double.nan
        }
        /// Record r's column c is `slots[r * columns + c]`.
        var slots: [Slot] = []
        /// String k is `bytes[stringStart[k]..<stringStart[k + 1]]`, hashed in its space as `hashes[k]`, with the
        /// interner's slot key `keys[k]`.
        var bytes: [UInt8] = [], stringStart: [UInt32] = [0], hashes: [UInt64] = [], keys: [UInt64] = []
        /// Tokens, as string indices (-1 for an empty token, interned as missing as before).
        var tokens: [Int32] = []
        /// Record r's strings are `recordStrings[r]..<recordStrings[r + 1]` (what the interner warms together).
        var recordStrings: [Int32] = [0]
        /// Values cut to the settings' length limit.
        var truncated = 0
        var recordCount: Int { recordStrings.count - 1 }

        init() {}
        init(reserving records: Int, columns: Int) {
            slots.reserveCapacity(records * columns); recordStrings.reserveCapacity(records + 1)
            hashes.reserveCapacity(records * columns * 3 / 2); keys.reserveCapacity(records * columns * 3 / 2)
            stringStart.reserveCapacity(records * columns * 3 / 2 + 1); bytes.reserveCapacity(records * columns * 12)
        }

        /// Adds `text` in `space` and returns its index; -1 (nothing added) for nil or empty text.
        mutating func string(_ text: String?, _ space: Int32) -> Int32 {
            guard var text, !text.isEmpty else { return -1 }
            let from = bytes.count
            text.withUTF8 { bytes.append(contentsOf: $0) }
            return finish(from, space)
        }

        /// Adds `prefix` followed by `text` in `space` (a postcode's sector, district or area) and returns its index.
        mutating func string(prefix: UInt8, _ text: String, _ space: Int32) -> Int32 {
            var text = text
            let from = bytes.count
            bytes.append(prefix)
            text.withUTF8 { bytes.append(contentsOf: $0) }
            return finish(from, space)
        }

        /// Adds `date` written as ISO 8601 (`YYYY-MM-DD`, as `CivilDate.iso` writes it) in `space` and returns its index,
        /// the digits written straight into the arena (the date's String was about a tenth of standardising, session 43).
        mutating func isoDate(_ date: CivilDate, _ space: Int32) -> Int32 {
            let (y, m, d) = date.components
            guard (0...9999).contains(y) else { return string(date.iso, space) }
            let from = bytes.count
            func digits(_ v: Int, _ width: Int) {
                var p = 1
                for _ in 1..<width { p *= 10 }
                while p > 0 { bytes.append(UInt8(ascii: "0") + UInt8(v / p % 10)); p /= 10 }
            }
            digits(y, 4); bytes.append(UInt8(ascii: "-")); digits(m, 2); bytes.append(UInt8(ascii: "-")); digits(d, 2)
            return finish(from, space)
        }

        /// Adds each of `items` as a token in `space` and returns their range in ``tokens``.
        mutating func addTokens(_ items: [String], _ space: Int32) -> (Int32, Int32) {
            let from = Int32(tokens.count)
            for t in items { let k = string(t, space); tokens.append(k) }
            return (from, Int32(tokens.count))
        }

        private mutating func finish(_ from: Int, _ space: Int32) -> Int32 {
            let k = Int32(hashes.count)
            let h = bytes.withUnsafeBufferPointer { Interner.hash(UnsafeBufferPointer(rebasing: $0[from...]), space) }
            stringStart.append(UInt32(bytes.count)); hashes.append(h); keys.append(Interner.slotKey(h, space))
            return k
        }
    }

    /// What ``standardise(_:plan:spaces:into:)`` needs to know of the columns, worked out once per run: each column's input
    /// field, length limit and whether its canonical form is needed (per record, these were dictionary and set
    /// look-ups by column name, and a match of the name against the input's fields, for every column).
    struct StandardisePlan: Sendable {
        /// Where a column's raw text comes from: a built-in field of a `LinkInput` (``builtIn``, its slot in a raw
        /// batch) or a declared one (``field``, an index into ``StandardisePlan/fieldNames``), worked out once so a
        /// record's text is found without comparing names.
        struct Field: Sendable {
            /// The field as a `LinkInput` column: ``StandardisePlan/inputColumns``[column].
            let column: Int
            /// The raw batch slot of a built-in field (-1 for a declared one).
            let builtIn: Int
            /// The index of a declared field in the plan's ``fieldNames`` (-1 for a built-in one).
            let field: Int
        }
        struct Column: Sendable {
            let spec: ColumnSpec
            let type: ColumnType
            let check: IdentifierCheck
            let raw: Field
            let limit: Int
            let canonical: Bool
            /// Whether a free-text column keeps its tokens (``LinkageSettings/tokenReaders``).
            let tokens: Bool
            /// The `dob` and `sex` columns read the typed date of birth and sex first.
            let isDateOfBirth: Bool, isSex: Bool
            let isMiddleNames: Bool, isLocalID: Bool
        }
        let columns: [Column]
        /// The forename's and middle names' fields and limits, read together for given names.
        let forename: (raw: Field, limit: Int), middleNames: (raw: Field, limit: Int)
        let hasForename: Bool
        /// The declared fields the plan reads, by name (`dob` and `sex` among them, read when the typed values are missing).
        let fieldNames: [String]
        let dobField: Field, sexField: Field
        /// The `LinkInput` columns the fields read.
        let inputColumns: [LinkInput.Column]

        init(specs: [ColumnSpec], needCanonical: Set<String>, tokenReaders: Set<String>, limit: Int) {
            // An address column may be twice as long as the others before it is cut.
            func limitOf(_ name: String) -> Int { specs.contains { $0.name == name && $0.type == .address } ? limit * 2 : limit }
            var names: [String] = [], inputs: [LinkInput.Column] = []
            func field(_ name: String) -> Field {
                let column = LinkInput.Column(name)
                let k = inputs.firstIndex(of: column) ?? { inputs.append(column); return inputs.count - 1 }()
                switch column {
                case .field(let n):
                    if let i = names.firstIndex(of: n) { return Field(column: k, builtIn: -1, field: i) }
                    names.append(n)
                    return Field(column: k, builtIn: -1, field: names.count - 1)
                default:
                    return Field(column: k, builtIn: RawRecordBatch.builtInSlot(column), field: -1)
                }
            }
            dobField = field("dob"); sexField = field("sex")
            columns = specs.map { Column(spec: $0, type: $0.type, check: $0.check, raw: field($0.name), limit: limitOf($0.name),
                                         canonical: needCanonical.contains($0.name), tokens: tokenReaders.contains($0.name),
                                         isDateOfBirth: $0.name == "dob", isSex: $0.name == "sex", isMiddleNames: $0.name == "middle_names",
                                         isLocalID: $0.name == "local_id") }
            forename = (field("forename"), limitOf("forename"))
            middleNames = (field("middle_names"), limitOf("middle_names"))
            hasForename = specs.contains { $0.name == "forename" }
            fieldNames = names; inputColumns = inputs
        }
    }

    /// Standardises one record's columns onto the end of `piece`, each column's strings in its interner space
    /// (`spaces`, one a column; runs on any thread).
    static func standardise<R: StandardisableRecord>(_ input: R, plan: StandardisePlan, spaces: [Int32], into piece: inout StandardisedPiece) {
        // The count of cut values and the given names are passed `inout` to static helpers: nested functions that
        // captured them had every access checked for exclusivity at run time (about 0.5% of a million-record link's
        // samples, session 45).
        var truncated = 0
        var given: (forename: String, middle: [String])?? = nil
        // The plan's columns read in place: a copy of each retained and released its spec's strings.
        plan.columns.withUnsafeBufferPointer { columns in
        for c in columns.indices {
            var x = StandardisedPiece.Slot()
            let sp = spaces[c]
            // The column's own raw text, read only by the types that take it.
            let field = columns[c].raw, limit = columns[c].limit
            switch columns[c].type {
            case .forename:
                let g = givenNames(input, plan, &given, &truncated)
                x.value = piece.string(g?.forename, sp)
                if columns[c].canonical { x.canonical = piece.string(g.map { Standardise.canonicalForename($0.forename) }, sp) }
            case .list:
                let items: [String]
                if columns[c].isMiddleNames && plan.hasForename { items = givenNames(input, plan, &given, &truncated)?.middle ?? [] } else if columns[c].isMiddleNames {
                    items = rawText(input, plan, field, limit, &truncated).map(Standardise.nameTokens) ?? []
                } else { items = rawText(input, plan, field, limit, &truncated).map(Standardise.listItems) ?? [] }
                (x.tokenFrom, x.tokenTo) = piece.addTokens(items, sp)
                x.value = items.isEmpty ? -1 : piece.string(items.joined(separator: " "), sp)
            case .name:
                let sn = Standardise.surname(rawText(input, plan, field, limit, &truncated))
                x.value = piece.string(sn?.joined, sp)
                if let t = sn?.tokens, t.count > 1 { (x.tokenFrom, x.tokenTo) = piece.addTokens(t, sp) }
                if columns[c].canonical { x.canonical = piece.string(sn.map { Standardise.canonicalForename($0.joined) }, sp) }
            case .text:
                if !columns[c].tokens && !columns[c].canonical {
                    // Only the joined value is kept: made without the tokens.
                    x.value = piece.string(rawText(input, plan, field, limit, &truncated).map(Standardise.textJoined), sp)
                    break
                }
                let t = rawText(input, plan, field, limit, &truncated).map(Standardise.textTokens) ?? []
                x.value = t.isEmpty ? -1 : piece.string(t.joined(separator: " "), sp)
                if columns[c].tokens { (x.tokenFrom, x.tokenTo) = piece.addTokens(t, sp) }
                if columns[c].canonical, let f = t.first { x.canonical = piece.string(Standardise.canonicalForename(f), sp) }
            case .date:
                let d: CivilDate? = columns[c].isDateOfBirth ? Standardise.dateOfBirth(input.dateOfBirth) ?? Standardise.date(input.raw(plan.dobField, plan)) : Standardise.date(rawText(input, plan, field, limit, &truncated))
                if let d { x.day = d.dayNumber; x.value = piece.isoDate(d, sp) }
            case .number:
                if let t = rawText(input, plan, field, limit, &truncated)?.filter({ !$0.isWhitespace && $0 != "," }), let v = Double(t), v.isFinite { x.number = v; x.value = piece.string(String(v), sp) }
            case .ukPostcode:
                if let pc = Standardise.postcode(rawText(input, plan, field, limit, &truncated)) {
                    x.value = piece.string(pc.unit, sp); x.p0 = piece.string(prefix: UInt8(ascii: "S"), pc.sector, sp)
                    x.p1 = piece.string(prefix: UInt8(ascii: "D"), pc.district, sp); x.p2 = piece.string(prefix: UInt8(ascii: "A"), pc.area, sp)
                }
            case .code:
                if let v = Standardise.code(rawText(input, plan, field, limit, &truncated)) {
                    if columns[c].isLocalID {
                        let scope = input.localIDScope ?? input.agency
                        x.scope = piece.string(scope, -3)
                        x.value = piece.string(scope + "|" + v, sp)
                    } else { x.value = piece.string(v, sp) }
                }
            case .identifier:
                x.value = piece.string(Standardise.identifier(rawText(input, plan, field, limit, &truncated), check: columns[c].check), sp)
            case .address:
                if let a = Standardise.address(rawText(input, plan, field, limit, &truncated)) {
                    x.value = piece.string(a.normalised, sp); x.p0 = piece.string(a.houseNumber, sp); x.p1 = piece.string(a.flat, sp)
                    x.p2 = piece.string(a.town, sp)
                    (x.tokenFrom, x.tokenTo) = piece.addTokens(a.street, sp)
                }
            case .sex:
                x.value = piece.string(columns[c].isSex ? (input.sex == .male ? "M" : input.sex == .female ? "F" : Standardise.sex(input.raw(plan.sexField, plan))) : Standardise.sex(rawText(input, plan, field, limit, &truncated)), sp)
            }
            piece.slots.append(x)
        }
        }
        piece.recordStrings.append(Int32(piece.hashes.count))
        piece.truncated += truncated
    }

    /// A field's raw text for the plan, cut to `limit` (counted in `truncated` when cut).
    @inline(__always) static func rawText<R: StandardisableRecord>(_ input: R, _ plan: StandardisePlan, _ field: StandardisePlan.Field, _ limit: Int,
                                                              _ truncated: inout Int) -> String? {
        let (t, cut) = Standardise.capped(input.raw(field, plan), limit)
        if cut { truncated += 1 }
        return t
    }

    /// The record's forename and middle names, worked out once a record (`given` holds them after the first call).
    static func givenNames<R: StandardisableRecord>(_ input: R, _ plan: StandardisePlan, _ given: inout (forename: String, middle: [String])??,
                                                   _ truncated: inout Int) -> (forename: String, middle: [String])? {
        if let g = given { return g }
        let g = Standardise.givenNames(forename: rawText(input, plan, plan.forename.raw, plan.forename.limit, &truncated),
                                       middle: rawText(input, plan, plan.middleNames.raw, plan.middleNames.limit, &truncated))
        given = .some(g)
        return g
    }

    /// Records standardised per parallel batch: bounds the not-yet-interned text held at once.
    static let standardiseBatch = 16_384

    /// Standardises `inputs` for `settings`. `isNew`, when given, marks the records that are new in an incremental run;
    /// records in `ownNode` never share a node (a reviewer said they are different people). Records are
    /// standardised in batches spread over `parallel`, then interned in input order, so the result does not
    /// depend on the parallelism (see `Builder`).
    public init(_ inputs: [LinkInput], settings: LinkageSettings = LinkageSettings(), isNew newFlags: [Bool]? = nil, ownNode: Set<RecordKey> = [], parallel: Parallelism = .serial) {
        let builder = Builder(settings: settings, ownNode: ownNode, parallel: parallel, expectedRecords: inputs.count)
        var start = 0
        while start < inputs.count {
            let end = min(inputs.count, start + PreparedData.standardiseBatch)
            builder.add(Array(inputs[start..<end]), isNew: newFlags.map { Array($0[start..<end]) })
            start = end
        }
        self = builder.finish()
    }

    init(keys: [RecordKey], agencyOfRecord: [Int32], agencies: [String], nodeOfRecord: [Int32], recordCount: [Int32], strings: StringTable,
         columns: [ColumnData], columnIndex: [String: Int], dataset: [Int32], isNew: [Bool], truncatedValues: Int, settings: LinkageSettings) {
        self.keys = keys; self.agencyOfRecord = agencyOfRecord; self.agencies = agencies
        self.nodeOfRecord = nodeOfRecord; self.recordCount = recordCount; self.strings = strings
        self.columns = columns; self.columnIndex = columnIndex; self.dataset = dataset; self.isNew = isNew
        self.truncatedValues = truncatedValues; self.linkType = settings.linkType; self.settings = settings
        comparerCache = ComparerCache()
    }

    /// Builds `PreparedData` from records given batch by batch, so a caller can stream them from a store without
    /// holding them all (issue 17: at 3 million people the records as `LinkInput`s alone would be about 9 GiB).
    ///
    /// Each batch is standardised in pieces spread over `parallel` while the batch before it is interned (strings to
    /// ids, identical rows to one node) on the same workers, so interning, which must follow the input order, no
    /// longer leaves a core idle. Pieces are cut by the batch's size only and interning runs batch after batch in
    /// input order, so ids, nodes and everything after are the same for any batching of the same records in the
    /// same order, and for any parallelism.
    public final class Builder {
        let settings: LinkageSettings
        let parallel: Parallelism
        let specs: [ColumnSpec]
        let colIndex: [String: Int]
        /// Whether each column keeps its values' phonetic codes (worked out once, not looked up by name per node).
        let phonetic: [Bool]
        let standardisePlan: StandardisePlan
        let ownNode: Set<RecordKey>
        /// Whether ``finish()`` numbers the nodes by the first training rule's key (``neighbourOrder()``).
        let ordersNodes: Bool
        let spaces: [Int32]
        /// Each column's type, whether it keeps its values' scopes (`local_id`) and its canonical forms, read per
        /// record by the serial interning without copying a column's spec (its name compared per record before).
        let types: [ColumnType], keepsScope: [Bool], keepsCanonical: [Bool]

        // The state interning changes, string by string. Only the interning touches it (one thread at a time, batch
        // after batch: ``add(_:isNew:)``, on ``internQueue`` with more than one worker), so Swift's run-time
        // exclusivity checks on a class's properties (a begin and end access, with a thread-local look-up, on every
        // string's id: about 1.3% of a 1,000,000-record link's samples, in its serial part) are left out for these
        // properties.
        @exclusivity(unchecked) var cols: [ColumnBuilder]
        @exclusivity(unchecked) var interner = Interner()
        /// The folded reads of ``Interner/warm(hashes:keys:words:froms:)``, kept so they are not optimised away.
        @exclusivity(unchecked) var warmed: UInt64 = 0
        @exclusivity(unchecked) var phoneticCache: [Int32: Int32] = [:]
        @exclusivity(unchecked) var agencyIndex: [String: Int32] = [:], datasetIndex: [String: Int32] = [:]
        @exclusivity(unchecked) var sourceNames: [String: String] = [:]
        @exclusivity(unchecked) var agencies: [String] = []
        @exclusivity(unchecked) var nodes: NodeTable
        /// The record being interned: each column's value, then its dataset (the key of its node).
        @exclusivity(unchecked) var nodeKey: [Int32]
        /// The last record's source and agency (records come source by source): most records look neither up.
        @exclusivity(unchecked) var lastSource = "", lastAgency = "", lastAgencyIndex: Int32 = -1, lastDataset: Int32 = 0, haveSource = false
        @exclusivity(unchecked) var keys: [RecordKey] = [], agencyOfRecord: [Int32] = [], nodeOfRecord: [Int32] = [], recordCount: [Int32] = []
        @exclusivity(unchecked) var isNew: [Bool] = [], dataset: [Int32] = []
        @exclusivity(unchecked) var truncated = 0
        /// Per-record scratch: each column's interned value and parts, and their tokens' ids (`rowTokens`).
        @exclusivity(unchecked) var row: [Row]
        @exclusivity(unchecked) var rowTokens: [Int32] = []
        /// With more than one worker, batches are interned on a serial queue of their own, in order, while the workers
        /// standardise the next batch; `internSlots` holds at most two batches waiting there. (Interning the last batch
        /// as one job beside the next batch's standardising jobs made every batch wait for both: a worker idled when
        /// its share was done first, about a tenth of the read's two cores on the like-for-like file.)
        let internQueue: DispatchQueue?
        let internSlots: DispatchSemaphore?

        /// A batch of records to add: link inputs, or rows read straight from a file.
        enum Records {
            case inputs([LinkInput])
            case raw(RawRecordBatch)
            var count: Int {
                switch self {
                case .inputs(let b): b.count
                case .raw(let b): b.count
                }
            }
        }

        /// A column of the record being interned: plain values, its tokens `rowTokens[tokenFrom..<tokenTo]`.
        struct Row { var value: Int32 = -1; var day: Int32 = PreparedData.missingDate; var number = Double.nan
                     var tokenFrom: Int32 = 0, tokenTo: Int32 = 0
                     var p0: Int32 = -1; var p1: Int32 = -1; var p2: Int32 = -1; var scope: Int32 = -1; var canonical: Int32 = -1 }

        /// A builder for `settings`; `expectedRecords` (when known) reserves the per-record arrays, and `expectedNodes`
        /// the per-node ones and the node table (a file's rows are mostly a node each; a store's pupils' census rows
        /// collapse, so a store's read reserves only its records).
        public convenience init(settings: LinkageSettings, ownNode: Set<RecordKey> = [], parallel: Parallelism = .serial, expectedRecords: Int = 0,
                    expectedNodes: Int = 0) {
            self.init(settings: settings, ownNode: ownNode, parallel: parallel, expectedRecords: expectedRecords, expectedNodes: expectedNodes,
                      ordersNodes: true)
        }

        /// A builder whose nodes keep the order they came in when `ordersNodes` is false (tests compare the two).
        init(settings: LinkageSettings, ownNode: Set<RecordKey> = [], parallel: Parallelism = .serial, expectedRecords: Int = 0,
             expectedNodes: Int = 0, ordersNodes: Bool) {
            self.settings = settings; self.parallel = parallel; self.ownNode = ownNode; self.ordersNodes = ordersNodes
            let used = settings.usedColumns
            let specs = settings.allColumns.filter { used.contains($0.name) }
            self.specs = specs
            cols = specs.map { ColumnBuilder(spec: $0) }
            var ci: [String: Int] = [:]
            for (i, s) in specs.enumerated() { ci[s.name] = i }
            colIndex = ci
            let needPhonetic = settings.derivedNeeds(phonetic: true)
            phonetic = specs.map { needPhonetic.contains($0.name) }
            standardisePlan = StandardisePlan(specs: specs, needCanonical: settings.derivedNeeds(phonetic: false), tokenReaders: settings.tokenReaders,
                                              limit: settings.maxFieldLength)
            precondition(specs.count <= Int(Interner.spaceRange.upperBound) + 1, "more compared columns than the interner's spaces (the settings' validation refuses them)")
            // Names, name lists and their canonical forms share one space, so a forename can meet a surname or a middle name.
            spaces = specs.indices.map { c in
                switch specs[c].type {
                case .forename, .name, .list: -1
                default: Int32(c)
                }
            }
            types = specs.map(\.type); keepsScope = specs.map { $0.name == "local_id" }
            keepsCanonical = standardisePlan.columns.map(\.canonical)
            row = [Row](repeating: Row(), count: specs.count)
            nodes = NodeTable(width: specs.count + 1)
            nodeKey = [Int32](repeating: 0, count: specs.count + 1)
            // Reserved, the arrays are not copied as they grow on the serial interning (the copies and their page
            // faults were about 1.5% of the like-for-like run's samples, session 45). A file's rows are estimated, so
            // the arrays filled in order get an eighth more: the Faker file's estimate was 0.2% short, and its last
            // rows copied every array to twice its size (room never written costs no memory); the node table, whose
            // slots are all written when made, gets the estimate.
            let records = expectedRecords + expectedRecords / 8, nodeRoom = expectedNodes + expectedNodes / 8
            keys.reserveCapacity(records); nodeOfRecord.reserveCapacity(records); agencyOfRecord.reserveCapacity(records)
            recordCount.reserveCapacity(nodeRoom); isNew.reserveCapacity(nodeRoom); dataset.reserveCapacity(nodeRoom)
            for c in cols.indices { cols[c].reserve(nodes: nodeRoom) }
            internQueue = parallel.workers > 1 ? DispatchQueue(label: "upstream.linkage.intern", qos: .userInitiated) : nil
            internSlots = parallel.workers > 1 ? DispatchSemaphore(value: 2) : nil
            // The node table's slots, and the strings' table sized from a file's rows (given as its expected nodes; a
            // store's are not): the like-for-like file's 998,286 rows held 1,594,398 distinct strings, and the table's
            // doublings on the way, each placing every string again on the serial interning, kept the standardising
            // workers waiting (about 0.1 s, session 48). A file with fewer strings a row holds a table up to twice the
            // size it needed (8 bytes a slot); one with more grows as before. Both tables are written when made (the
            // first touch of their 40 MiB took the like-for-like run 0.1 s), so with workers they are made on the
            // interning's queue, ahead of the first batch, while the first rows are read and standardised.
            let strings = expectedNodes + expectedNodes / 2
            if let internQueue {
                // The arrays the interning fills, faulted in ahead by the policy's adapter
                // (``Parallelism/faultInAhead``; the kernel's clearing of their pages on the interning thread was a
                // third of its samples on the Faker file when this VM's memory was cold, session 49): those reserved
                // here, up to the estimates and not the margin beyond them, then the node table's keys and the
                // strings' offsets once the queue has reserved them.
                var ahead = [MemoryRange.reserved(by: keys, elements: expectedRecords),
                             MemoryRange.reserved(by: nodeOfRecord, elements: expectedRecords),
                             MemoryRange.reserved(by: agencyOfRecord, elements: expectedRecords),
                             MemoryRange.reserved(by: recordCount, elements: expectedNodes),
                             MemoryRange.reserved(by: dataset, elements: expectedNodes)].compactMap { $0 }
                for c in cols.indices { ahead += cols[c].reservedStorage(nodes: expectedNodes) }
                parallel.faultInAhead(ahead)
                let builder = UnsafeSendable(self)
                internQueue.async {
                    let b = builder.value
                    b.nodes.reserve(nodes: expectedNodes); b.interner.reserve(strings: strings)
                    b.parallel.faultInAhead(b.nodes.reservedStorage + b.interner.reservedStorage)
                }
            } else {
                nodes.reserve(nodes: expectedNodes); interner.reserve(strings: strings)
            }
        }

        /// Records added so far (interned or waiting to be).
        public private(set) var recordsAdded = 0

        /// Adds the next records, in input order. `isNew` marks the new ones of an incremental run.
        public func add(_ batch: [LinkInput], isNew flags: [Bool]? = nil) { add(.inputs(batch), isNew: flags) }

        /// Adds the next records, read straight from a file, in input order.
        public func add(_ batch: RawRecordBatch) { add(.raw(batch), isNew: nil) }

        func add(_ batch: Records, isNew flags: [Bool]?) {
            precondition(flags == nil || flags!.count == batch.count, "one isNew flag per record")
            recordsAdded += batch.count
            guard batch.count > 0 else { return }
            let per = max(256, batch.count / Parallelism.linkagePieces + 1)
            let pieces = (batch.count + per - 1) / per
            let out = UnsafeMutablePointer<StandardisedPiece>.allocate(capacity: pieces)
            out.initialize(repeating: StandardisedPiece(), count: pieces)
            defer { out.deinitialize(count: pieces); out.deallocate() }
            let plan = standardisePlan, spaces = self.spaces, width = specs.count
            // The batch's pieces standardised on the workers, each claiming the next piece when free.
            let claim = JobCounter()
            parallel.forEach(min(parallel.workers, pieces)) { _ in
                while true {
                    let p = claim.next()
                    if p >= pieces { return }
                    let records = p * per..<min(batch.count, (p + 1) * per)
                    var piece = StandardisedPiece(reserving: records.count, columns: width)
                    switch batch {
                    case .inputs(let b): for r in records { PreparedData.standardise(b[r], plan: plan, spaces: spaces, into: &piece) }
                    case .raw(let b):
                        b.withRecords(plan) { record in
                            for r in records { PreparedData.standardise(record(r), plan: plan, spaces: spaces, into: &piece) }
                        }
                    }
                    out[p] = piece
                }
            }
            let standardised = (0..<pieces).map { out[$0] }
            guard let internQueue, let internSlots else { return intern(batch, flags, standardised) }
            // Interned in order on the queue (only it touches the interning state until ``finish()`` waits for it).
            internSlots.wait()
            let job = UnsafeSendable((self, batch, flags, standardised))
            internQueue.async {
                let (builder, batch, flags, standardised) = job.value
                builder.intern(batch, flags, standardised)
                builder.internSlots?.signal()
            }
        }

        func id(_ s: String?, _ space: Int32) -> Int32 {
            guard let s, !s.isEmpty else { return PreparedData.missing }
            return interner.id(s, space)
        }

        func phon(_ v: Int32) -> Int32 {
            guard v >= 0 else { return PreparedData.missing }
            if let p = phoneticCache[v] { return p }
            let p = id(Phonetic.nysiis(interner.text(v)), -2)
            phoneticCache[v] = p
            return p
        }

        /// How many records' strings are warmed together (``Interner/warm(hashes:keys:words:froms:)``), before the
        /// first of them is looked up.
        static let warmGroup = 32

        /// Makes `source` and `agency` the current record's (``lastSource``, ``lastAgencyIndex``, ``lastDataset``): one
        /// copy of each source name, shared by its records' keys (a name over 15 bytes is a heap string each).
        func useSourceAndAgency(_ source: String, _ agency: String) {
            if source != lastSource || !haveSource {
                haveSource = true
                lastSource = sourceNames[source] ?? { sourceNames[source] = source; return source }()
                lastDataset = settings.linkType == .linkOnly ? (datasetIndex[source] ?? {
                    let v = Int32(datasetIndex.count); datasetIndex[source] = v; return v }()) : 0
            }
            if agency != lastAgency || lastAgencyIndex < 0 {
                if let a = agencyIndex[agency] { lastAgencyIndex = a } else {
                    lastAgencyIndex = Int32(agencies.count); agencyIndex[agency] = lastAgencyIndex; agencies.append(agency)
                }
                lastAgency = agency
            }
        }

        /// Interns one standardised batch, in input order (one thread at a time).
        func intern(_ inputs: Records, _ newFlags: [Bool]?, _ standardised: [StandardisedPiece]) {
            // The strings of `warmGroup` records at a time warmed together before the first of them is looked up, so
            // that their cache misses overlap (the fold is kept so the reads are made). The scratch is local and
            // passed explicitly: captured by a nested function, each string's append was checked for exclusive
            // access at run time.
            var warmWords: [UInt64] = [], warmFroms: [Int] = []
            let width = specs.count
            var rawBatch: RawRecordBatch? = nil, linkInputs: [LinkInput] = []
            switch inputs {
            case .raw(let b): rawBatch = b
            case .inputs(let b): linkInputs = b
            }
            var i = -1
            // Each record's node hash from its values' string hashes, made as its strings are warmed (so its node
            // table slot is read ahead with them); the dataset is mixed in when the record is interned.
            var valueHashes = [UInt64](repeating: 0, count: Self.warmGroup)
            for piece in standardised {
            // The piece's arrays read through a local constant (no copy, no exclusivity check); its bytes as a buffer.
            let stringStart = piece.stringStart, hashes = piece.hashes, pieceTokens = piece.tokens, slots = piece.slots
            piece.bytes.withUnsafeBufferPointer { arena in
            /// The id of the piece's string `k` in `space` (missing for -1).
            func sid(_ k: Int32, _ space: Int32) -> Int32 {
                guard k >= 0 else { return PreparedData.missing }
                let b = UnsafeBufferPointer(rebasing: arena[Int(stringStart[Int(k)])..<Int(stringStart[Int(k) + 1])])
                return interner.id(b, hash: hashes[Int(k)], space)
            }
            truncated += piece.truncated
            for k in 0..<piece.recordCount {
            i += 1
            // A raw batch's records share their source and agency: looked up once a piece, not compared a record.
            if k == 0, let raw = rawBatch { useSourceAndAgency(raw.source, raw.agency) }
            if k % Self.warmGroup == 0 {
                let from = Int(piece.recordStrings[k]), to = Int(piece.recordStrings[min(piece.recordCount, k + Self.warmGroup)])
                warmed ^= hashes.withUnsafeBufferPointer { h in piece.keys.withUnsafeBufferPointer { slotKeys in
                    interner.warm(hashes: UnsafeBufferPointer(rebasing: h[from..<to]), keys: UnsafeBufferPointer(rebasing: slotKeys[from..<to]),
                                  words: &warmWords, froms: &warmFroms)
                } }
                let group = min(Self.warmGroup, piece.recordCount - k)
                hashes.withUnsafeBufferPointer { h in slots.withUnsafeBufferPointer { cells in
                    nodes.slots.withUnsafeBufferPointer { nodeSlots in
                        for g in 0..<group {
                            let v = Self.valueHash(cells, (k + g) * width, width, h)
                            valueHashes[g] = v
                            warmed ^= nodeSlots[nodes.slot(of: Self.nodeHash(v, lastDataset))]
                        }
                    }
                } }
            }
            let r = keys.count
            if let raw = rawBatch {
                keys.append(RecordKey(source: lastSource, recordID: raw.recordIDs[i]))
            } else {
                // An input's fields read in place: a copy of the input retained and released its fourteen references.
                useSourceAndAgency(linkInputs[i].source, linkInputs[i].agency)
                keys.append(RecordKey(source: lastSource, recordID: linkInputs[i].recordID))
            }
            let ds = lastDataset
            agencyOfRecord.append(lastAgencyIndex)
            rowTokens.removeAll(keepingCapacity: true)
            for c in 0..<width {
                let cell = slots[k * width + c]
                let sp = spaces[c]
                var x = Row()
                x.day = cell.day; x.number = cell.number
                func internTokens() {
                    x.tokenFrom = Int32(rowTokens.count)
                    for t in cell.tokenFrom..<cell.tokenTo { rowTokens.append(sid(pieceTokens[Int(t)], sp)) }
                    x.tokenTo = Int32(rowTokens.count)
                }
                // Interned in the order the values were always interned, so ids (and block order) do not change.
                switch types[c] {
                case .list:
                    internTokens(); x.value = sid(cell.value, sp)
                case .code:
                    if cell.scope >= 0 { x.scope = sid(cell.scope, -3) }
                    x.value = sid(cell.value, sp)
                case .address:
                    x.value = sid(cell.value, sp); x.p0 = sid(cell.p0, sp); x.p1 = sid(cell.p1, sp); x.p2 = sid(cell.p2, sp)
                    internTokens()
                case .ukPostcode:
                    x.value = sid(cell.value, sp); x.p0 = sid(cell.p0, sp); x.p1 = sid(cell.p1, sp); x.p2 = sid(cell.p2, sp)
                default:
                    x.value = sid(cell.value, sp)
                    internTokens()
                }
                if cell.canonical >= 0 { x.canonical = sid(cell.canonical, sp) }
                row[c] = x
            }
            for c in specs.indices { nodeKey[c] = row[c].value }
            nodeKey[specs.count] = ds
            let alone = !ownNode.isEmpty && ownNode.contains(keys[r])
            let newFlag = newFlags?[i] ?? false
            let node = nodeKey.withUnsafeBufferPointer { key in
                let h = Self.nodeHash(valueHashes[k % Self.warmGroup], ds)
                if !alone {
                    let found = nodes.find(key, h)
                    if found >= 0 { return found }
                }
                return nodes.add(key, h, indexed: !alone)
            }
            if Int(node) < dataset.count {
                nodeOfRecord.append(node); recordCount[Int(node)] += 1
                if newFlag { isNew[Int(node)] = true }
                continue
            }
            nodeOfRecord.append(node); recordCount.append(1); isNew.append(newFlag); dataset.append(ds)
            for c in specs.indices {
                let x = row[c]
                cols[c].value.append(x.value)
                switch types[c] {
                case .date: cols[c].days.append(x.day)
                case .number: cols[c].numbers.append(x.number)
                case .ukPostcode, .address: cols[c].part0.append(x.p0); cols[c].part1.append(x.p1); cols[c].part2.append(x.p2)
                default: break
                }
                if x.tokenTo > x.tokenFrom { cols[c].tokens.append(contentsOf: rowTokens[Int(x.tokenFrom)..<Int(x.tokenTo)]) }
                cols[c].tokenStart.append(Int32(cols[c].tokens.count))
                if keepsScope[c] { cols[c].scope.append(x.scope) }
                if phonetic[c] { cols[c].phonetic.append(phon(x.value)) }
                if keepsCanonical[c] { cols[c].canonical.append(x.canonical) }
            }
            }
            }
            }
        }

        /// A record's values' string hashes (of `cells[from..<from + width]`, their hashes in `hashes`) folded in column
        /// order: equal for records whose columns hold the same strings, that is whose node keys are equal but for the
        /// dataset (``nodeHash(_:_:)`` adds it).
        @inline(__always) static func valueHash(_ cells: UnsafeBufferPointer<StandardisedPiece.Slot>, _ from: Int, _ width: Int,
                                                _ hashes: UnsafeBufferPointer<UInt64>) -> UInt64 {
            var h: UInt64 = 0x243F_6A88_85A3_08D3
            for c in from..<(from + width) {
                let v = cells[c].value
                h = (h ^ (v >= 0 ? hashes[Int(v)] : 0x5851_F42D_4C95_7F2D)) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 32
            }
            return h
        }

        /// A record's node hash: its ``valueHash(_:_:_:_:)`` with its dataset, finalised.
        @inline(__always) static func nodeHash(_ valueHash: UInt64, _ dataset: Int32) -> UInt64 {
            NodeTable.mixed(valueHash ^ (UInt64(UInt32(bitPattern: dataset)) &* 0x9E37_79B9_7F4A_7C15))
        }

        /// Interns what is waiting and makes the data; the builder is spent.
        public func finish() -> PreparedData {
            internQueue?.sync {}
            nodes = NodeTable(width: specs.count + 1); phoneticCache = [:]
            // Token weights, for the columns whose levels weigh shared tokens.
            for c in cols.indices where settings.needsTokenWeights(specs[c].name) {
                var count: [Int32: Int] = [:]
                var withValue = 0
                for n in 0..<dataset.count where cols[c].value[n] >= 0 {
                    withValue += 1
                    for t in Set(cols[c].tokensOf(n)) { count[t, default: 0] += 1 }
                }
                cols[c].tokenBits = count.mapValues { -(Double($0) / Double(max(withValue, 1))).log2Value }
            }
            if ordersNodes, let order = neighbourOrder() { renumber(order) }
            return made()
        }

        /// The data as built so far (sharing the builder's arrays, not copying them).
        private func made() -> PreparedData {
            PreparedData(keys: keys, agencyOfRecord: agencyOfRecord, agencies: agencies, nodeOfRecord: nodeOfRecord,
                         recordCount: recordCount, strings: interner.strings, columns: cols.map(ColumnData.init), columnIndex: colIndex,
                         dataset: dataset, isNew: isNew, truncatedValues: truncated, settings: settings)
        }

        /// The nodes in the order of their key under the first training rule (else the first blocking rule), nodes
        /// with the same key in the order they came and those without one last; nil when they are in that order.
        ///
        /// The training session of that rule compares every pair of nodes that share its key (the benchmark's
        /// date-of-birth session, about ten million pairs of identities), and the blocking rules that refine it
        /// compare subsets of the same blocks. Numbered in the order they came, a block's nodes are scattered over
        /// every node-indexed array, so each node costs a cache line in each column it reads; numbered by key, a
        /// block's nodes are neighbours and share their lines.
        private func neighbourOrder() -> [Int32]? {
            guard dataset.count > 2, let rule = settings.trainingRules.first ?? settings.blockingRules.first else { return nil }
            let key = Blocking.keyColumn(made(), rule)
            // Sorted as (key, node) pairs by the blocking's radix sort whatever the count: 32 bytes an identity with
            // its scratch, held here before any pair is made. (`Blocking.group` sorts node numbers by comparison past
            // 4 million identities, to hold less beside the pairs; none exist yet.)
            var pairs: [Blocking.KeyedNode] = []
            pairs.reserveCapacity(key.count)
            for (n, k) in key.enumerated() { pairs.append(Blocking.KeyedNode(key: k, node: Int32(n))) }
            Blocking.radixSort(&pairs)
            let order = pairs.map(\.node)
            return order.elementsEqual(0..<Int32(order.count)) ? nil : order
        }

        /// Renumbers the nodes: node `order[i]` becomes node `i`. The columns are renumbered on the workers, a column
        /// each, each array replaced in turn (so no more than a column's array a worker is held twice).
        private func renumber(_ order: [Int32]) {
            @Sendable func permuted<T>(_ a: [T]) -> [T] {
                guard !a.isEmpty else { return a }
                return a.withUnsafeBufferPointer { a in order.map { a[Int($0)] } }
            }
            // The records' and nodes' own arrays are the first job and the columns the others, all on the workers
            // (renumbered on one thread first, the records' arrays left a core idle, session 48).
            let claim = JobCounter(), count = cols.count
            let builder = UnsafeSendable(self)
            cols.withUnsafeMutableBufferPointer { cols in
                let shared = UnsafeSendable(cols)
                parallel.forEach(min(parallel.workers, count + 1)) { _ in
                    let cols = shared.value
                    while true {
                        let job = claim.next()
                        if job > count { return }
                        if job == 0 {
                            let b = builder.value
                            var newOf = [Int32](repeating: 0, count: order.count)
                            for (i, n) in order.enumerated() { newOf[Int(n)] = Int32(i) }
                            b.nodeOfRecord = newOf.withUnsafeBufferPointer { newOf in b.nodeOfRecord.map { newOf[Int($0)] } }
                            newOf = []
                            b.recordCount = permuted(b.recordCount); b.isNew = permuted(b.isNew); b.dataset = permuted(b.dataset)
                            continue
                        }
                        let c = job - 1
                        cols[c].value = permuted(cols[c].value); cols[c].days = permuted(cols[c].days); cols[c].numbers = permuted(cols[c].numbers)
                        cols[c].part0 = permuted(cols[c].part0); cols[c].part1 = permuted(cols[c].part1); cols[c].part2 = permuted(cols[c].part2)
                        cols[c].phonetic = permuted(cols[c].phonetic); cols[c].canonical = permuted(cols[c].canonical)
                        cols[c].scope = permuted(cols[c].scope)
                        guard !cols[c].tokens.isEmpty else { continue }
                        var start = [Int32](repeating: 0, count: order.count + 1), tokens = [Int32](repeating: 0, count: cols[c].tokens.count)
                        cols[c].tokens.withUnsafeBufferPointer { old in
                            cols[c].tokenStart.withUnsafeBufferPointer { oldStart in
                                tokens.withUnsafeMutableBufferPointer { tokens in
                                    var at = 0
                                    for (i, n) in order.enumerated() {
                                        for t in Int(oldStart[Int(n)])..<Int(oldStart[Int(n) + 1]) { tokens[at] = old[t]; at += 1 }
                                        start[i + 1] = Int32(at)
                                    }
                                }
                            }
                        }
                        cols[c].tokens = tokens; cols[c].tokenStart = start
                    }
                }
            }
        }
    }

    /// The text of an interned string.
    public func text(_ id: Int32) -> String? { id < 0 ? nil : String(decoding: strings[Int(id)], as: UTF8.self) }

    /// A node's value in a column, as shown to a reviewer (a forename with its middle names; a local id without its scope).
    public func display(_ column: String, _ n: Int) -> String? {
        guard let c = self.column(column) else { return nil }
        switch c.spec.type {
        case .forename:
            guard let x = text(c.value[n]) else { return nil }
            let mids = self.column("middle_names").map { m in m.tokensOf(n).compactMap { text($0) } } ?? []
            return ([x] + mids).joined(separator: " ")
        case .code where column == "local_id":
            return text(c.value[n]).map { String($0.split(separator: "|", maxSplits: 1).last ?? "") }
        default:
            return text(c.value[n])
        }
    }

    /// The records of each node, as record indices.
    public func recordsByNode() -> [[Int32]] {
        var out = [[Int32]](repeating: [], count: nodeCount)
        for (r, n) in nodeOfRecord.enumerated() { out[Int(n)].append(Int32(r)) }
        return out
    }
}

extension LinkageSettings {
    /// Columns that comparisons, blocking and cluster guards read.
    public var usedColumns: Set<String> {
        var s = Set<String>()
        for c in comparisons {
            s.insert(c.column)
            for l in c.levels { s.formUnion(Self.columnsOf(l.test)) }
            if c.column == "forename" { s.insert("middle_names") }
        }
        for r in blockingRules + trainingRules { s.formUnion(r.columns) }
        for k in clusterGuards { s.formUnion(k.columns) }
        if let d = clusterGuardDate { s.insert(d) }
        return s.filter { column($0) != nil }
    }

    static func columnsOf(_ t: LevelTest) -> Set<String> {
        switch t {
        case .inList(let l): [l]
        case .reversed(let o, _): [o]
        case .any(let p), .all(let p): p.reduce(into: Set<String>()) { $0.formUnion(columnsOf($1)) }
        default: []
        }
    }

    static func contains(_ t: LevelTest, _ pred: (LevelTest) -> Bool) -> Bool {
        if pred(t) { return true }
        switch t {
        case .any(let p), .all(let p): return p.contains { contains($0, pred) }
        default: return false
        }
    }

    /// Columns needing phonetic codes (`phonetic: true`) or canonical forenames.
    func derivedNeeds(phonetic: Bool) -> Set<String> {
        var s = Set<String>()
        for c in comparisons where c.levels.contains(where: { Self.contains($0.test) { phonetic ? $0 == .phonetic : $0 == .nickname } }) { s.insert(c.column) }
        for r in blockingRules + trainingRules {
            for k in r.keys where k.function == (phonetic ? .phonetic : .canonical) { s.formUnion(k.columns) }
        }
        return s
    }

    /// Columns whose tokens something reads: a level that weighs, shares, intersects or lists tokens, a level that
    /// looks a value up in this column's list (or swaps it with its own), or a blocking key on its first token. A free-text column's tokens are
    /// kept for these only; the others are never interned (an address line's words were a third of a file's
    /// interning when nothing but Jaro-Winkler read the line).
    var tokenReaders: Set<String> {
        var s = Set<String>()
        func readsTokens(_ t: LevelTest) -> Bool {
            switch t {
            case .jaccard, .listIntersect, .sharedToken, .tokenWeight, .houseNumberAndStreet: true
            default: false
            }
        }
        for c in comparisons {
            if c.levels.contains(where: { Self.contains($0.test, readsTokens) }) { s.insert(c.column) }
            // The columns a level reads besides its own (a list looked up, or a swapped column: more than need be,
            // which keeps their tokens as before).
            for l in c.levels { s.formUnion(Self.columnsOf(l.test)) }
        }
        for r in blockingRules + trainingRules {
            for k in r.keys where k.function == .firstToken { s.formUnion(k.columns) }
        }
        return s
    }

    func needsTokenWeights(_ column: String) -> Bool {
        comparisons.contains { c in
            c.column == column && c.levels.contains { l in Self.contains(l.test) { if case .tokenWeight = $0 { true } else if case .houseNumberAndStreet = $0 { true } else { false } } }
        }
    }
}
