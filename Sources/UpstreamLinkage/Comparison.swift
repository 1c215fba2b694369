import UpstreamModel

/// A comparison vector packed into 64 bits: four bits per comparison, in settings order; 0 is "null".
public struct Gamma: Hashable, Sendable, Codable {
    public var bits: UInt64
    public init(bits: UInt64 = 0) { self.bits = bits }
    public func level(_ i: Int) -> Int { Int((bits >> (UInt64(i) * 4)) & 0xF) }
    public mutating func set(_ i: Int, _ level: Int) { bits |= UInt64(level) << (UInt64(i) * 4) }
}

/// Computes comparison levels between two nodes of a `PreparedData`, for declared comparisons.
public struct Comparer: Sendable {
    public let data: PreparedData
    public let comparisons: [ComparisonSpec]

    /// A comparison resolved against the data: its column, and each level's test with the level it gives (0 = null).
    struct Resolved: Sendable {
        var column: Int
        var levels: [(test: Test, level: Int)]
        var elseLevel: Int
    }

    /// A level test with its columns resolved to indices and its null values to string ids.
    enum Test: Sendable {
        case exact, jaroWinkler(Double), jaro(Double), levenshtein(Int), damerau(Int), jaccard(Double), phonetic, nickname, initial
        case inList(Int), sharedToken, listIntersect(Int), tokenWeight(Double), reversed(Int, Double)
        case dayMonthSwapped, dateOneOff, daysWithin(Int), yearsWithin(Int), yearOff(Int, Int), numberWithin(Double), numberRelative(Double)
        case part0, part1, part2, prefix(Int), substring(Int, Int), houseNumberAndStreet(Double), oneOf([[UInt8]])
        case any([Test]), all([Test])
    }

    let resolved: [Resolved]

    /// A level test flattened for the per-pair path: plain values only (no arrays, no enum payloads that are
    /// reference counted), so evaluating a comparison copies nothing and retains nothing. `any` and `all` name their
    /// parts as a range of this same list. Every test but Jaccard, list intersection and `one_of` has a flat form;
    /// a comparison with one of those takes the general test tree.
    struct FastTest: Sendable {
        enum Kind: UInt8, Sendable {
            case exact, jaroWinkler, jaro, levenshtein, damerau, daysWithin, yearsWithin, part0, part1, part2, dateOneOff,
                 dayMonthSwapped, yearOff, numberWithin, numberRelative
            case initial, phonetic, nickname, inList, sharedToken, tokenWeight, reversed, prefix, substring, houseNumberAndStreet
            case any, all
        }
        var kind: Kind
        var level: Int
        /// Edits, days, years, a prefix's length or a substring's start; the list's or other column's index; for `any`
        /// and `all`, where their parts start in `fastTests`.
        var k: Int = 0
        /// The day tolerance of `yearOff`, a substring's length; for `any` and `all`, where their parts end.
        var k2: Int = 0
        var threshold: Double = 0
        /// For Jaro-Winkler: the lowest Jaro-Winkler threshold of its comparison, under which no level can hold, so the
        /// similarity need only be known when it reaches it (``Comparators/jaroWinkler(_:_:atLeast:)``).
        var floor: Double = 0
    }
    /// Per comparison: whether every level has a flat form (then `fastRange` holds them in `fastTests`, each level's
    /// parts after all the levels), its column and its else level.
    let isFast: [Bool]
    /// Per comparison: whether its levels are Jaro-Winkler tests after an optional exact one, nothing else (names
    /// and addresses; ``similarityLevels(_:_:_:shift:into:)``).
    let similarityOnly: [Bool]
    let fastRange: [Range<Int>]
    let fastTests: [FastTest]
    let columnOf: [Int]
    let elseLevelOf: [Int]
    /// The columns and the string table as unowned references: `data` holds them for the comparer's life, and reading
    /// them per pair through these does not retain and release them.
    let columnRefs: [Unmanaged<ColumnData>]
    let stringsRef: Unmanaged<StringTable>
    /// The sketches of the strings in the columns a floored Jaro-Winkler test reads (nil when none does), held here and
    /// read per pair through the unowned reference.
    let sketches: JaroSketches?
    let sketchesRef: Unmanaged<JaroSketches>?
    /// The columns the comparisons read, each with whether its strings are sketched and whether a test reads its
    /// strings' bytes unsketched (an edit distance, a prefix; ``warm(_:)``).
    let warmedColumns: [(column: Int, sketched: Bool, bytes: Bool)]
    /// Per name comparison (``similarityOnly``), the levels between its column's most frequent values when they
    /// repeat enough (``FrequentLevels``); empty when the comparer was made without them.
    private(set) var frequent: [FrequentLevels?] = []

    /// The flat form of `t`, its parts (for `any` and `all`) appended to `parts`; nil when it has none.
    static func flatten(_ t: Test, level: Int, parts: inout [FastTest]) -> FastTest? {
        switch t {
        case .exact: return FastTest(kind: .exact, level: level)
        case .jaroWinkler(let x): return FastTest(kind: .jaroWinkler, level: level, threshold: x)
        case .jaro(let x): return FastTest(kind: .jaro, level: level, threshold: x)
        case .levenshtein(let k): return FastTest(kind: .levenshtein, level: level, k: k)
        case .damerau(let k): return FastTest(kind: .damerau, level: level, k: k)
        case .daysWithin(let k): return FastTest(kind: .daysWithin, level: level, k: k)
        case .yearsWithin(let k): return FastTest(kind: .yearsWithin, level: level, k: k)
        case .part0: return FastTest(kind: .part0, level: level)
        case .part1: return FastTest(kind: .part1, level: level)
        case .part2: return FastTest(kind: .part2, level: level)
        case .dateOneOff: return FastTest(kind: .dateOneOff, level: level)
        case .dayMonthSwapped: return FastTest(kind: .dayMonthSwapped, level: level)
        case .yearOff(let y, let d): return FastTest(kind: .yearOff, level: level, k: y, k2: d)
        case .numberWithin(let x): return FastTest(kind: .numberWithin, level: level, threshold: x)
        case .numberRelative(let x): return FastTest(kind: .numberRelative, level: level, threshold: x)
        case .initial: return FastTest(kind: .initial, level: level)
        case .phonetic: return FastTest(kind: .phonetic, level: level)
        case .nickname: return FastTest(kind: .nickname, level: level)
        case .inList(let l): return FastTest(kind: .inList, level: level, k: l)
        case .sharedToken: return FastTest(kind: .sharedToken, level: level)
        case .tokenWeight(let bits): return FastTest(kind: .tokenWeight, level: level, threshold: bits)
        case .reversed(let o, let th): return FastTest(kind: .reversed, level: level, k: o, threshold: th)
        case .prefix(let n): return FastTest(kind: .prefix, level: level, k: n)
        case .substring(let s, let l): return FastTest(kind: .substring, level: level, k: s, k2: l)
        case .houseNumberAndStreet(let bits): return FastTest(kind: .houseNumberAndStreet, level: level, threshold: bits)
        case .any(let p), .all(let p):
            var flat: [FastTest] = []
            for q in p {
                guard let f = flatten(q, level: 0, parts: &parts) else { return nil }
                flat.append(f)
            }
            let from = parts.count
            parts.append(contentsOf: flat)
            if case .any = t { return FastTest(kind: .any, level: level, k: from, k2: parts.count) }
            return FastTest(kind: .all, level: level, k: from, k2: parts.count)
        case .jaccard, .listIntersect, .oneOf: return nil
        }
    }

    public init(data: PreparedData, comparisons: [ComparisonSpec]) {
        self.init(data: data, comparisons: comparisons, frequentLevels: true)
    }

    /// A comparer; with `frequentLevels`, its name comparisons take the levels between their columns' most frequent
    /// values from a table (``FrequentLevels``; the same levels, found faster).
    init(data: PreparedData, comparisons: [ComparisonSpec], frequentLevels: Bool) {
        self.data = data; self.comparisons = comparisons
        func resolve(_ t: LevelTest) -> Test {
            switch t {
            case .exact: .exact
            case .jaroWinkler(let x): .jaroWinkler(x)
            case .jaro(let x): .jaro(x)
            case .levenshtein(let x): .levenshtein(x)
            case .damerauLevenshtein(let x): .damerau(x)
            case .jaccard(let x): .jaccard(x)
            case .phonetic: .phonetic
            case .nickname: .nickname
            case .initial: .initial
            case .inList(let l): .inList(data.columnIndex[l] ?? -1)
            case .sharedToken: .sharedToken
            case .listIntersect(let x): .listIntersect(x)
            case .tokenWeight(let x): .tokenWeight(x)
            case .reversed(let o, let x): .reversed(data.columnIndex[o] ?? -1, x)
            case .dayMonthSwapped: .dayMonthSwapped
            case .dateOneOff: .dateOneOff
            case .daysWithin(let x): .daysWithin(x)
            case .yearsWithin(let x): .yearsWithin(x)
            case .yearOff(let y, let d): .yearOff(y, d)
            case .numberWithin(let x): .numberWithin(x)
            case .numberRelative(let x): .numberRelative(x)
            case .postcodeSector, .houseNumber: .part0
            case .postcodeDistrict: .part1
            case .postcodeArea, .town: .part2
            case .prefix(let x): .prefix(x)
            case .substring(let s, let l): .substring(s, l)
            case .houseNumberAndStreet(let x): .houseNumberAndStreet(x)
            case .oneOf(let v): .oneOf(v.flatMap { [Array($0.utf8), Array(Standardise.textTokens($0).joined(separator: " ").utf8), Array(Standardise.nameTokens($0).joined().utf8)] })
            case .any(let p): .any(p.map(resolve))
            case .all(let p): .all(p.map(resolve))
            }
        }
        resolved = comparisons.map { c in
            var k = 0
            let levels = c.levels.map { l -> (Test, Int) in
                if l.isNull { return (resolve(l.test), 0) }
                k += 1
                return (resolve(l.test), k)
            }
            return Resolved(column: data.columnIndex[c.column] ?? -1, levels: levels, elseLevel: k + 1)
        }
        // Each fast comparison's levels side by side (its range), the parts of its `any` and `all` levels after them.
        var isFast: [Bool] = [], ranges: [Range<Int>] = [], tests: [FastTest] = []
        var sketched = Set<Int>()
        // Columns whose fast tests (levels or their parts) read a string's bytes or length without a sketch in front.
        var readsBytes = Set<Int>()
        for r in resolved {
            let from = tests.count
            tests.append(contentsOf: repeatElement(FastTest(kind: .exact, level: 0), count: r.levels.count))
            var flat = true
            for (j, l) in r.levels.enumerated() {
                guard let f = Comparer.flatten(l.test, level: l.level, parts: &tests) else { flat = false; break }
                tests[from + j] = f
            }
            if flat {
                // Every Jaro-Winkler test of the comparison (its levels and their parts, all from `from` on) shares
                // the comparison's memoised similarity, so each may skip it under the lowest of their thresholds.
                let floor = tests[from...].filter { $0.kind == .jaroWinkler }.map(\.threshold).min() ?? 0
                for f in from..<tests.count where tests[f].kind == .jaroWinkler { tests[f].floor = floor }
                if floor > 0 && r.column >= 0 { sketched.insert(r.column) }
                let bytesRead: Set<FastTest.Kind> = [.jaro, .levenshtein, .damerau, .prefix, .substring, .initial]
                if r.column >= 0 && tests[from...].contains(where: { bytesRead.contains($0.kind) }) { readsBytes.insert(r.column) }
                isFast.append(true); ranges.append(from..<(from + r.levels.count))
            } else {
                tests.removeSubrange(from...); isFast.append(false); ranges.append(0..<0)
            }
        }
        self.isFast = isFast; fastRange = ranges; fastTests = tests
        similarityOnly = ranges.indices.map { i in
            let r = ranges[i]
            guard isFast[i], !r.isEmpty else { return false }
            let kinds = tests[r].map(\.kind)
            let rest = kinds.first == .exact ? kinds.dropFirst() : kinds[...]
            return !rest.isEmpty && rest.allSatisfy { $0 == .jaroWinkler }
        }
        columnOf = resolved.map(\.column); elseLevelOf = resolved.map(\.elseLevel)
        columnRefs = data.columns.map { Unmanaged.passUnretained($0) }
        stringsRef = Unmanaged.passUnretained(data.strings)
        sketches = sketched.isEmpty ? nil : data.comparerCache.sketches(data, columns: sketched.sorted())
        warmedColumns = Set(columnOf.filter { $0 >= 0 }).sorted().map { ($0, sketched.contains($0), readsBytes.contains($0)) }
        sketchesRef = sketches.map { Unmanaged.passUnretained($0) }
        if frequentLevels {
            frequent = similarityOnly.indices.map { i in
                guard similarityOnly[i], columnOf[i] >= 0, data.columns[columnOf[i]].scope.isEmpty else { return nil }
                let key = "\(columnOf[i]) \(elseLevelOf[i]) " + fastTests[fastRange[i]].map { "\($0.kind) \($0.level) \($0.threshold) \($0.floor)" }.joined(separator: " ")
                return data.comparerCache.frequentLevels(key) { makeFrequentLevels(i) }
            }
        }
    }

    /// The table of comparison `i`'s levels between its column's most frequent values, each level found by
    /// ``similarityLevels(_:_:_:shift:into:)`` for a pair of nodes holding the two values (this comparer has no
    /// table yet); nil when fewer than two values repeat enough.
    private func makeFrequentLevels(_ i: Int) -> FrequentLevels? {
        let (values, nodes) = FrequentLevels.frequentValues(data.columns[columnOf[i]].value)
        let n = values.count
        guard n >= 2 else { return nil }
        var a = [Int32](repeating: 0, count: n * n), b = a
        for x in 0..<n {
            for y in 0..<n { a[x * n + y] = nodes[x]; b[x * n + y] = nodes[y] }
        }
        var out = [UInt64](repeating: 0, count: n * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { out in similarityLevels(i, a, b, shift: 0, into: out) }
            }
        }
        return FrequentLevels(values: values, levels: out.map { UInt8($0) })
    }

    /// Reads what comparing `nodes` with each other will read (each column's value, date and first part, and a
    /// sketched value's sketch), the reads independent of each other so their cache misses overlap; returns a fold
    /// of them for the caller to keep (``Blocking/forEachPair(onlyNew:parallel:warm:make:_:)``).
    func warm(_ nodes: UnsafeBufferPointer<Int32>) -> UInt64 {
        var folded: UInt64 = 0
        for (c, sketched, bytes) in warmedColumns { folded ^= warm(column: c, sketched: sketched, bytes: bytes, nodes) }
        return folded
    }

    /// ``warm(_:)`` for the one column comparison `i` reads (u's sampled pairs are compared one comparison at a time).
    func warm(comparison i: Int, _ nodes: UnsafeBufferPointer<Int32>) -> UInt64 {
        guard let w = warmedColumns.first(where: { $0.column == columnOf[i] }) else { return 0 }
        return warm(column: w.column, sketched: w.sketched, bytes: w.bytes, nodes)
    }

    private func warm(column c: Int, sketched: Bool, bytes: Bool, _ nodes: UnsafeBufferPointer<Int32>) -> UInt64 {
        var folded: UInt64 = 0
        columnRefs[c]._withUnsafeGuaranteedRef { col in
            col.value.withUnsafeBufferPointer { value in
                for n in nodes { folded ^= UInt64(UInt32(bitPattern: value[Int(n)])) }
                if sketched, let s = sketchesRef {
                    s._withUnsafeGuaranteedRef { sk in for n in nodes { folded ^= sk.warm(value[Int(n)]) } }
                }
                if bytes {
                    stringsRef._withUnsafeGuaranteedRef { st in
                        st.start.withUnsafeBufferPointer { start in
                            st.bytes.withUnsafeBufferPointer { b in
                                for n in nodes {
                                    let v = value[Int(n)]
                                    guard v >= 0 else { continue }
                                    let at = Int(start[Int(v)])
                                    folded ^= UInt64(start[Int(v) + 1]) ^ (at < b.count ? UInt64(b[at]) : 0)
                                }
                            }
                        }
                    }
                }
            }
            if !col.days.isEmpty { col.days.withUnsafeBufferPointer { d in for n in nodes { folded ^= UInt64(UInt32(bitPattern: d[Int(n)])) } } }
            if !col.part0.isEmpty { col.part0.withUnsafeBufferPointer { p in for n in nodes { folded ^= UInt64(UInt32(bitPattern: p[Int(n)])) } } }
            if !col.part1.isEmpty { col.part1.withUnsafeBufferPointer { p in for n in nodes { folded ^= UInt64(UInt32(bitPattern: p[Int(n)])) } } }
            if !col.part2.isEmpty { col.part2.withUnsafeBufferPointer { p in for n in nodes { folded ^= UInt64(UInt32(bitPattern: p[Int(n)])) } } }
        }
        return folded
    }

    /// `level` for a comparison whose tests all have a flat form: the same tests in the same order, with the same
    /// outcomes as the general tree.
    @inline(__always) func fastLevel(_ i: Int, _ a: Int, _ b: Int) -> Int {
        let c = columnOf[i]
        guard c >= 0 else { return 0 }
        return columnRefs[c]._withUnsafeGuaranteedRef { col in
            stringsRef._withUnsafeGuaranteedRef { st in
                let x = col.value[a], y = col.value[b]
                if x < 0 || y < 0 { return 0 }
                if !col.scope.isEmpty && col.scope[a] != col.scope[b] { return 0 }
                var jw = -1.0
                for f in fastRange[i] {
                    switch fastOutcome(fastTests[f], col, st, a, b, x, y, &jw) {
                    case .yes: return fastTests[f].level
                    case .toElse: return elseLevelOf[i]
                    case .no: continue
                    }
                }
                return elseLevelOf[i]
            }
        }
    }

    /// One flat test's outcome for nodes `a` and `b` whose values in `col` are `x` and `y` (both present); `jw` holds
    /// their Jaro-Winkler similarity once a test has computed it (-1 before), or a bound under the comparison's lowest
    /// Jaro-Winkler threshold when the similarity cannot reach it (every such test fails either way).
    func fastOutcome(_ t: FastTest, _ col: ColumnData, _ st: StringTable, _ a: Int, _ b: Int, _ x: Int32, _ y: Int32,
                     _ jw: inout Double) -> Outcome {
        @inline(__always) func yes(_ c: Bool) -> Outcome { c ? .yes : .no }
        switch t.kind {
        case .exact: return yes(x == y)
        case .jaroWinkler:
            if jw < 0 {
                // The sketches' bound first (no string read); when it reaches the floor, or a string has no sketch, the
                // similarity itself (with the bytes' own bound in the second case).
                let bound = t.floor > 0 ? sketchesRef?._withUnsafeGuaranteedRef { $0.bound(x, y) } ?? -1 : -1
                if bound >= 0 && bound < t.floor - 1e-9 {
                    jw = bound
                } else if bound >= 0 {
                    jw = st.with(x, y) { Comparators.jaroWinkler($0, $1) }
                } else {
                    jw = st.with(x, y) { Comparators.jaroWinkler($0, $1, atLeast: t.floor) }
                }
            }
            return yes(jw >= t.threshold)
        case .jaro: return yes(st.with(x, y) { Comparators.jaro($0, $1) } >= t.threshold)
        case .levenshtein, .damerau:
            let k = t.k, transpose = t.kind == .damerau
            if abs(st.count(x) - st.count(y)) > k { return .no }
            if k == 1 { return yes(st.with(x, y) { Comparators.withinOneEdit($0, $1, transpose: transpose) }) }
            if k == 0 { return yes(x == y) }
            return yes(st.with(x, y) { transpose ? Comparators.damerauLevenshtein($0, $1) : Comparators.levenshtein($0, $1) } <= k)
        case .daysWithin: return yes(abs(Int(col.days[a]) - Int(col.days[b])) <= t.k)
        case .yearsWithin: return yes(Double(abs(Int(col.days[a]) - Int(col.days[b]))) <= 365.25 * Double(t.k))
        case .part0: return yes(col.part0[a] >= 0 && col.part0[a] == col.part0[b])
        case .part1: return yes(col.part1[a] >= 0 && col.part1[a] == col.part1[b])
        case .part2: return yes(col.part2[a] >= 0 && col.part2[a] == col.part2[b])
        case .dateOneOff: return yes(Comparer.oneOff(col.days[a], col.days[b]))
        case .dayMonthSwapped:
            let p = CivilDate(dayNumber: col.days[a]).components, q = CivilDate(dayNumber: col.days[b]).components
            return yes(p.year == q.year && p.month == q.day && p.day == q.month && p.month != p.day)
        case .yearOff:
            let p = CivilDate(dayNumber: col.days[a]).components, q = CivilDate(dayNumber: col.days[b]).components
            let dy = abs(p.year - q.year)
            return yes(dy >= 1 && dy <= t.k && p.month == q.month && abs(p.day - q.day) <= t.k2)
        case .numberWithin: return yes(abs(col.numbers[a] - col.numbers[b]) <= t.threshold)
        case .numberRelative:
            let p = col.numbers[a], q = col.numbers[b], m = max(abs(p), abs(q))
            return yes(m == 0 || abs(p - q) / m <= t.threshold)
        case .initial:
            guard st.count(x) == 1 || st.count(y) == 1 else { return .no }
            return st.firstByte(x) == st.firstByte(y) ? .yes : .toElse
        case .phonetic: return yes(!col.phonetic.isEmpty && col.phonetic[a] >= 0 && col.phonetic[a] == col.phonetic[b])
        case .nickname: return yes(!col.canonical.isEmpty && col.canonical[a] >= 0 && col.canonical[a] == col.canonical[b])
        case .inList:
            guard t.k >= 0 else { return .no }
            return columnRefs[t.k]._withUnsafeGuaranteedRef { list in
                yes(list.tokensOf(b).contains(x) || list.tokensOf(a).contains(y))
            }
        case .sharedToken:
            let ta = col.tokensOf(a), tb = col.tokensOf(b)
            for t in ta where t == y || tb.contains(t) { return .yes }
            for t in tb where t == x { return .yes }
            return yes(x == y)
        case .tokenWeight: return yes(sharedBits(col, a, b) >= t.threshold)
        case .reversed:
            guard t.k >= 0 else { return .no }
            return columnRefs[t.k]._withUnsafeGuaranteedRef { other in
                let xa = x, xb = y, oa = other.value[a], ob = other.value[b]
                guard oa >= 0, ob >= 0, xa != xb, oa != ob else { return .no }
                if xa == ob && oa == xb { return .yes }
                if t.threshold >= 1 { return .no }
                if st.count(xa) == 1 || st.count(xb) == 1 || st.count(oa) == 1 || st.count(ob) == 1 { return .no }
                return yes(st.with(xa, ob) { Comparators.jaroWinkler($0, $1) } >= t.threshold
                           && st.with(oa, xb) { Comparators.jaroWinkler($0, $1) } >= t.threshold)
            }
        case .prefix:
            let n = t.k
            return yes(st.with(x, y) { sx, sy in sx.count >= n && sy.count >= n && sx.prefix(n).elementsEqual(sy.prefix(n)) })
        case .substring:
            let s = t.k, e = t.k - 1 + t.k2
            return yes(st.with(x, y) { sx, sy in sx.count >= e && sy.count >= e && sx[(s - 1)..<e].elementsEqual(sy[(s - 1)..<e]) })
        case .houseNumberAndStreet:
            guard col.part0[a] >= 0, col.part0[a] == col.part0[b], col.part1[a] == col.part1[b] else { return .no }
            return yes(sharedBits(col, a, b) >= t.threshold)
        case .any:
            for p in t.k..<t.k2 {
                let r = fastOutcome(fastTests[p], col, st, a, b, x, y, &jw)
                if r != .no { return r }
            }
            return .no
        case .all:
            for p in t.k..<t.k2 where fastOutcome(fastTests[p], col, st, a, b, x, y, &jw) != .yes { return .no }
            return .yes
        }
    }

    enum Outcome { case yes, no, toElse }

    /// Memoised similarity of one pair in one column, so several Jaro-Winkler levels compute it once.
    struct Memo { var jw: Double = -1 }

    @inline(__always) func jw(_ a: Int32, _ b: Int32) -> Double { data.strings.with(a, b) { Comparators.jaroWinkler($0, $1) } }

    func evaluate(_ t: Test, _ col: ColumnData, _ a: Int, _ b: Int, _ x: Int32, _ y: Int32, _ memo: inout Memo) -> Outcome {
        @inline(__always) func yes(_ c: Bool) -> Outcome { c ? .yes : .no }
        switch t {
        case .exact: return yes(x == y)
        case .jaroWinkler(let th):
            if memo.jw < 0 { memo.jw = jw(x, y) }
            return yes(memo.jw >= th)
        case .jaro(let th): return yes(data.strings.with(x, y) { Comparators.jaro($0, $1) } >= th)
        case .levenshtein(let k):
            return yes(data.strings.with(x, y) { abs($0.count - $1.count) <= k && Comparators.levenshtein($0, $1) <= k })
        case .damerau(let k):
            return yes(data.strings.with(x, y) { abs($0.count - $1.count) <= k && Comparators.damerauLevenshtein($0, $1) <= k })
        case .jaccard(let th):
            let ta = Set(tokenSet(col, a, x)), tb = Set(tokenSet(col, b, y))
            let inter = ta.intersection(tb).count, union = ta.union(tb).count
            return yes(union > 0 && Double(inter) / Double(union) >= th)
        case .phonetic: return yes(!col.phonetic.isEmpty && col.phonetic[a] >= 0 && col.phonetic[a] == col.phonetic[b])
        case .nickname: return yes(!col.canonical.isEmpty && col.canonical[a] >= 0 && col.canonical[a] == col.canonical[b])
        case .initial:
            let st = data.strings
            guard st.count(x) == 1 || st.count(y) == 1 else { return .no }
            return st.firstByte(x) == st.firstByte(y) ? .yes : .toElse
        case .inList(let l):
            guard l >= 0 else { return .no }
            let list = data.columns[l]
            return yes(list.tokensOf(b).contains(x) || list.tokensOf(a).contains(y))
        case .sharedToken:
            let ta = col.tokensOf(a), tb = col.tokensOf(b)
            for t in ta where t == y || tb.contains(t) { return .yes }
            for t in tb where t == x { return .yes }
            return yes(x == y)
        case .listIntersect(let k):
            let ta = tokenSet(col, a, x), tb = tokenSet(col, b, y)
            var n = 0
            for t in Set(ta) where tb.contains(t) { n += 1 }
            return yes(n >= k)
        case .tokenWeight(let bits): return yes(sharedBits(col, a, b) >= bits)
        case .reversed(let o, let th):
            guard o >= 0 else { return .no }
            let other = data.columns[o]
            let xa = x, xb = y, oa = other.value[a], ob = other.value[b]
            guard oa >= 0, ob >= 0, xa != xb, oa != ob else { return .no }
            if xa == ob && oa == xb { return .yes }
            if th >= 1 { return .no }
            let st = data.strings
            if st.count(xa) == 1 || st.count(xb) == 1 || st.count(oa) == 1 || st.count(ob) == 1 { return .no }
            return yes(jw(xa, ob) >= th && jw(oa, xb) >= th)
        case .dayMonthSwapped:
            let p = CivilDate(dayNumber: col.days[a]).components, q = CivilDate(dayNumber: col.days[b]).components
            return yes(p.year == q.year && p.month == q.day && p.day == q.month && p.month != p.day)
        case .dateOneOff: return yes(Comparer.oneOff(col.days[a], col.days[b]))
        case .daysWithin(let k): return yes(abs(Int(col.days[a]) - Int(col.days[b])) <= k)
        case .yearsWithin(let k): return yes(Double(abs(Int(col.days[a]) - Int(col.days[b]))) <= 365.25 * Double(k))
        case .yearOff(let years, let days):
            let p = CivilDate(dayNumber: col.days[a]).components, q = CivilDate(dayNumber: col.days[b]).components
            let dy = abs(p.year - q.year)
            return yes(dy >= 1 && dy <= years && p.month == q.month && abs(p.day - q.day) <= days)
        case .numberWithin(let d): return yes(abs(col.numbers[a] - col.numbers[b]) <= d)
        case .numberRelative(let f):
            let p = col.numbers[a], q = col.numbers[b], m = max(abs(p), abs(q))
            return yes(m == 0 || abs(p - q) / m <= f)
        case .part0: return yes(col.part0[a] >= 0 && col.part0[a] == col.part0[b])
        case .part1: return yes(col.part1[a] >= 0 && col.part1[a] == col.part1[b])
        case .part2: return yes(col.part2[a] >= 0 && col.part2[a] == col.part2[b])
        case .prefix(let n):
            return yes(data.strings.with(x, y) { sx, sy in sx.count >= n && sy.count >= n && sx.prefix(n).elementsEqual(sy.prefix(n)) })
        case .substring(let s, let l):
            let e = s - 1 + l
            return yes(data.strings.with(x, y) { sx, sy in sx.count >= e && sy.count >= e && sx[(s - 1)..<e].elementsEqual(sy[(s - 1)..<e]) })
        case .houseNumberAndStreet(let bits):
            guard col.part0[a] >= 0, col.part0[a] == col.part0[b], col.part1[a] == col.part1[b] else { return .no }
            return yes(sharedBits(col, a, b) >= bits)
        case .oneOf(let values):
            return yes(data.strings.with(x, y) { sx, sy in values.contains { $0.elementsEqual(sx) || $0.elementsEqual(sy) } })
        case .any(let parts):
            for p in parts {
                let r = evaluate(p, col, a, b, x, y, &memo)
                if r != .no { return r }
            }
            return .no
        case .all(let parts):
            for p in parts where evaluate(p, col, a, b, x, y, &memo) != .yes { return .no }
            return .yes
        }
    }

    @inline(__always) func tokenSet(_ col: ColumnData, _ n: Int, _ v: Int32) -> ArraySlice<Int32> {
        let t = col.tokensOf(n)
        return t.isEmpty ? [v][...] : t
    }

    /// The weights of the distinct tokens `a` and `b` share, added in `a`'s order (no set made per pair).
    func sharedBits(_ col: ColumnData, _ a: Int, _ b: Int) -> Double {
        let ta = col.tokensOf(a), tb = col.tokensOf(b)
        var bits = 0.0
        for i in ta.indices where tb.contains(ta[i]) && !ta[ta.startIndex..<i].contains(ta[i]) { bits += col.tokenBits[ta[i]] ?? 0 }
        return bits
    }

    /// The level of comparison `i` for nodes `a` and `b` (0 = null).
    @inline(__always) public func level(_ i: Int, _ a: Int, _ b: Int) -> Int {
        if isFast[i] { return fastLevel(i, a, b) }
        return generalLevel(i, a, b)
    }

    /// Whether comparison `i` takes the fast path (every level a plain test of the two values).
    public func isFastComparison(_ i: Int) -> Bool { isFast[i] }

    /// The level of comparison `i` through the general test tree, whatever its tests (what `level` gives).
    public func generalLevel(_ i: Int, _ a: Int, _ b: Int) -> Int {
        let r = resolved[i]
        guard r.column >= 0 else { return 0 }
        let col = data.columns[r.column]
        let x = col.value[a], y = col.value[b]
        if x < 0 || y < 0 { return 0 }
        if !col.scope.isEmpty && col.scope[a] != col.scope[b] { return 0 }
        var memo = Memo()
        for (t, l) in r.levels {
            switch evaluate(t, col, a, b, x, y, &memo) {
            case .yes: return l
            case .toElse: return r.elseLevel
            case .no: continue
            }
        }
        return r.elseLevel
    }

    /// The comparison vector of nodes `a` and `b`.
    public func gamma(_ a: Int, _ b: Int) -> Gamma {
        var g = Gamma()
        for i in resolved.indices { g.set(i, level(i, a, b)) }
        return g
    }

    /// The comparison vector with only the `active` comparisons evaluated (the others left null): an EM session
    /// leaves the comparisons its rule forces out of the likelihood, so they need not be computed.
    public func gamma(_ a: Int, _ b: Int, active: [Bool]) -> Gamma {
        var g = Gamma()
        for i in resolved.indices where active[i] { g.set(i, level(i, a, b)) }
        return g
    }

    /// The comparison vectors of the pairs (`a[k]`, `b[k]`) into `out` (as many as there are pairs), computed
    /// comparison by comparison over the whole batch: the same as ``gamma(_:_:)`` (or ``gamma(_:_:active:)``) pair by
    /// pair, but each comparison's column, tests and string table are looked up once a batch, and the same tests run
    /// one after another, so their branches are predicted.
    public func gammas(_ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>, active: [Bool]? = nil,
                       into out: UnsafeMutableBufferPointer<UInt64>) {
        precondition(a.count == b.count && out.count >= a.count)
        for k in a.indices { out[k] = 0 }
        for i in resolved.indices where active?[i] ?? true {
            let shift = UInt64(i) * 4
            if isFast[i] {
                fastLevels(i, a, b, shift: shift, into: out)
            } else {
                for k in a.indices { out[k] |= UInt64(generalLevel(i, Int(a[k]), Int(b[k]))) << shift }
            }
        }
    }

    /// The levels of comparison `i` for the pairs (`a[k]`, `b[k]`) into `out`: ``level(_:_:_:)`` pair by pair, a
    /// batch at a time.
    public func levels(_ i: Int, _ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>, into out: UnsafeMutableBufferPointer<UInt64>) {
        precondition(a.count == b.count && out.count >= a.count)
        for k in a.indices { out[k] = 0 }
        if isFast[i] {
            fastLevels(i, a, b, shift: 0, into: out)
        } else {
            for k in a.indices { out[k] = UInt64(generalLevel(i, Int(a[k]), Int(b[k]))) }
        }
    }

    /// `fastLevel` of comparison `i` for a batch of pairs, each level or-ed into `out` at `shift`.
    func fastLevels(_ i: Int, _ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>, shift: UInt64,
                    into out: UnsafeMutableBufferPointer<UInt64>) {
        let c = columnOf[i]
        guard c >= 0 else { return }
        if similarityOnly[i] { return similarityLevels(i, a, b, shift: shift, into: out) }
        let range = fastRange[i]
        let elseLevel = UInt64(elseLevelOf[i])
        // A comparison whose first level is exact agreement settles equal values without a call.
        let exactFirst = !range.isEmpty && fastTests[range.lowerBound].kind == .exact
        let firstLevel = exactFirst ? UInt64(fastTests[range.lowerBound].level) : 0
        columnRefs[c]._withUnsafeGuaranteedRef { col in
            stringsRef._withUnsafeGuaranteedRef { st in
                col.value.withUnsafeBufferPointer { value in
                    col.scope.withUnsafeBufferPointer { scope in
                        let scoped = !scope.isEmpty
                        pairs: for k in a.indices {
                            let p = Int(a[k]), q = Int(b[k])
                            let x = value[p], y = value[q]
                            if x < 0 || y < 0 { continue }
                            if scoped && scope[p] != scope[q] { continue }
                            if exactFirst && x == y { out[k] |= firstLevel << shift; continue }
                            var jw = -1.0
                            for f in range {
                                switch fastOutcome(fastTests[f], col, st, p, q, x, y, &jw) {
                                case .yes: out[k] |= UInt64(fastTests[f].level) << shift; continue pairs
                                case .toElse: out[k] |= elseLevel << shift; continue pairs
                                case .no: continue
                                }
                            }
                            out[k] |= elseLevel << shift
                        }
                    }
                }
            }
        }
    }

    /// ``fastLevels(_:_:_:shift:into:)`` for a comparison of Jaro-Winkler levels after an optional exact level
    /// (``similarityOnly``): the similarity found as ``fastOutcome`` finds it (the sketches' bound when it falls under
    /// the comparison's floor, else the similarity itself), then the first level it reaches, without a call per test.
    func similarityLevels(_ i: Int, _ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>, shift: UInt64,
                          into out: UnsafeMutableBufferPointer<UInt64>) {
        let range = fastRange[i]
        let exactFirst = fastTests[range.lowerBound].kind == .exact
        let firstLevel = UInt64(fastTests[range.lowerBound].level)
        let similar = exactFirst ? (range.lowerBound + 1)..<range.upperBound : range
        let floor = fastTests[similar.lowerBound].floor
        let cuts = floor > 0 ? Comparators.SketchCuts(floor: floor) : nil
        let elseLevel = UInt64(elseLevelOf[i])
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Comparators.jaroTableWords) { table in
            let table = table.baseAddress!
            table.update(repeating: 0, count: 256)
            withUnsafeTemporaryAllocation(of: (threshold: Double, level: UInt64).self, capacity: similar.count) { levels in
                for (k, f) in similar.enumerated() { levels[k] = (fastTests[f].threshold, UInt64(fastTests[f].level)) }
                columnRefs[columnOf[i]]._withUnsafeGuaranteedRef { col in
                    stringsRef._withUnsafeGuaranteedRef { st in
                        col.value.withUnsafeBufferPointer { value in
                            col.scope.withUnsafeBufferPointer { scope in
                                let scoped = !scope.isEmpty
                                // `under(x, y)`: 1 when the sketches' bound is under the floor (the else level, as the
                                // bound taken for the similarity gave), 0 when it is not, -1 when a string has no sketch.
                                // `known(x, y)`: the level from the frequent values' table, -1 when either is not in it.
                                @inline(__always) func each(_ under: (Int32, Int32) -> Int, _ known: (Int32, Int32) -> Int) {
                                    for k in a.indices {
                                        let p = Int(a[k]), q = Int(b[k])
                                        let x = value[p], y = value[q]
                                        if x < 0 || y < 0 { continue }
                                        if scoped && scope[p] != scope[q] { continue }
                                        if exactFirst && x == y { out[k] |= firstLevel << shift; continue }
                                        let stored = known(x, y)
                                        if stored >= 0 { out[k] |= UInt64(stored) << shift; continue }
                                        let bounded = under(x, y)
                                        if bounded == 1 { out[k] |= elseLevel << shift; continue }
                                        // Past the sketches (or with none), the similarity with the floor in its loop.
                                        let jw = if let cuts {
                                            st.with(x, y) { Comparators.jaroWinkler($0, $1, atLeast: cuts, table: table) }
                                        } else {
                                            st.with(x, y) { Comparators.jaroWinkler($0, $1) }
                                        }
                                        var level = elseLevel
                                        for l in levels where jw >= l.threshold { level = l.level; break }
                                        out[k] |= level << shift
                                    }
                                }
                                @inline(__always) func run(_ known: (Int32, Int32) -> Int) {
                                    if let cuts, let s = sketchesRef {
                                        s._withUnsafeGuaranteedRef { sk in sk.withTables { r, w in each({ JaroSketches.under(r, w, $0, $1, cuts) }, known) } }
                                    } else {
                                        each({ _, _ in -1 }, known)
                                    }
                                }
                                if i < frequent.count, let f = frequent[i] {
                                    f.withLookUp { run($0) }
                                } else {
                                    run { _, _ in -1 }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One digit different, two adjacent digits transposed, or one day apart.
    static func oneOff(_ x: Int32, _ y: Int32) -> Bool {
        if abs(Int(x) - Int(y)) == 1 { return true }
        let da = digits(CivilDate(dayNumber: x).components), db = digits(CivilDate(dayNumber: y).components)
        var diff = 0
        for i in 0..<8 where da[i] != db[i] { diff += 1 }
        if diff == 1 { return true }
        if diff == 2 {
            for i in 0..<7 where da[i] != db[i] { return da[i] == db[i + 1] && da[i + 1] == db[i] }
        }
        return false
    }

    /// Date of birth levels of the UK preset: exact, day-month swap, one digit or one day off, year off by one, else.
    public static func dobLevel(_ x: Int32, _ y: Int32) -> Int {
        if x == PreparedData.missingDate || y == PreparedData.missingDate { return 0 }
        if x == y { return 1 }
        if abs(Int(x) - Int(y)) == 1 { return 3 }
        let a = CivilDate(dayNumber: x).components, b = CivilDate(dayNumber: y).components
        if a.year == b.year && a.month == b.day && a.day == b.month { return 2 }
        if oneOff(x, y) { return 3 }
        if abs(a.year - b.year) == 1 && a.month == b.month && abs(a.day - b.day) <= 3 { return 4 }
        return 5
    }

    static func digits(_ c: (year: Int, month: Int, day: Int)) -> [Int] {
        [c.year / 1000 % 10, c.year / 100 % 10, c.year / 10 % 10, c.year % 10, c.month / 10, c.month % 10, c.day / 10, c.day % 10]
    }
}
