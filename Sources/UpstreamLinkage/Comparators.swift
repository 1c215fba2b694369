import UpstreamModel
/// String comparators on byte arrays (standardised names are upper-case ASCII).
///
/// Written once here and used by the engine; adapters may expose them as SQL functions.
public enum Comparators {
    /// Jaro similarity in 0…1 (Jaro 1989): matching characters within half the longer length, halved transpositions.
    public static func jaro(_ a: [UInt8], _ b: [UInt8]) -> Double {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in jaro(pa, pb) } }
    }

    static func jaro(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        if a.isEmpty || b.isEmpty { return 0 }
        if a.count == b.count && ByteOrder.compare(UnsafeRawBufferPointer(a), UnsafeRawBufferPointer(b)) == 0 { return 1 }
        if b.count <= 64 { return jaroBits(a, b) }
        return jaroScan(a, b)
    }

    /// Jaro by bit masks, for `b` of at most 64 bytes: each byte value's positions in `b` as one word, so the first
    /// free match of `a[i]` within the window is the lowest bit of one AND, not a scan of the window. The same greedy
    /// matching as ``jaroScan(_:_:)`` (each character of `a` in order takes the first free equal character of `b`
    /// within the window), so the same similarity to the last bit; a property test checks the two agree.
    static func jaroBits(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: jaroTableWords) { buffer in
            let table = buffer.baseAddress!
            table.update(repeating: 0, count: 256)
            let (m, t) = jaroMatching(a, b, table: table, atLeast: 0)
            return jaro(matches: m, transpositions: t, a.count, b.count)
        }
    }

    /// Jaro from the matches and the characters matched out of order (`t`, halved as Jaro's definition has it).
    @inline(__always) static func jaro(matches: Int, transpositions t: Int, _ la: Int, _ lb: Int) -> Double {
        if matches == 0 { return 0 }
        let m = Double(matches)
        return (m / Double(la) + m / Double(lb) + (m - Double(t / 2)) / m) / 3
    }

    /// The greedy matching of ``jaroBits(_:_:)`` for `b` of at most 64 bytes, over `table` (``jaroTableWords`` words,
    /// the first 256 zero on entry and again on return: each byte value's positions in `b`, then the characters of `a`
    /// that found a partner, at most one per character of `b`): the matches and the characters matched out of order.
    /// With `needed` above 0 it stops as soon as the characters of `a` left cannot bring the matches to it, and returns
    /// the most the matches could still have been with -1 for the transpositions (not counted).
    @inline(__always) static func jaroMatching(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, table: UnsafeMutablePointer<UInt64>,
                                               atLeast needed: Int) -> (matches: Int, transpositions: Int) {
        let la = a.count, lb = b.count
        let window = max(0, max(la, lb) / 2 - 1)
        let positions = table
        let matchedA = UnsafeMutableRawPointer(table + 256).assumingMemoryBound(to: UInt8.self)
        for j in 0..<lb { positions[Int(b[j])] |= 1 &<< UInt64(j) }
        defer { for j in 0..<lb { positions[Int(b[j])] = 0 } }
        let all: UInt64 = lb == 64 ? ~0 : (1 &<< UInt64(lb)) &- 1
        var freeB = all
        var matches = 0
        for i in 0..<la {
            if matches + (la - i) < needed { return (matches + la - i, -1) }
            let lo = max(0, i - window), hi = min(lb - 1, i + window)
            if lo > hi { break }
            let upTo: UInt64 = hi == 63 ? ~0 : (1 &<< UInt64(hi + 1)) &- 1
            let candidates = positions[Int(a[i])] & freeB & upTo & ~((1 &<< UInt64(lo)) &- 1)
            if candidates != 0 {
                freeB &= ~(candidates & (0 &- candidates))  // the lowest candidate taken: the first free partner
                matchedA[matches] = a[i]; matches += 1
            }
        }
        if matches < needed { return (matches, -1) }
        var matchedB = ~freeB & all
        var t = 0, k = 0
        while matchedB != 0 {
            if b[matchedB.trailingZeroBitCount] != matchedA[k] { t += 1 }
            k += 1; matchedB &= matchedB &- 1
        }
        return (matches, t)
    }

    /// A zeroed scratch for ``jaroWinkler(_:_:atLeast:table:)``, held by a caller comparing many pairs: each byte
    /// value's positions (256 words) and the matched characters (64 bytes). Every call leaves it zeroed again, clearing
    /// only the entries it set, so a pair pays no 2 KiB of zeroing.
    static let jaroTableWords = 264

    /// Jaro-Winkler when it can reach the floor `cuts` was made for, otherwise a bound under that floor less 1e-9
    /// (every test at or over the floor fails on either), as ``jaroWinkler(_:_:atLeast:)`` promises, but by the bit
    /// masks of ``jaroBits(_:_:)`` with the floor in the loop: the matching stops as soon as the characters of `a`
    /// left cannot bring the matches to the fewest that could reach the floor (with no transpositions and the real
    /// prefix, ``SketchCuts/under(matches:_:_:prefix:)``), and a pair whose matches fall short is not counted for
    /// transpositions. Where it does not stop, the similarity is the one ``jaroWinkler(_:_:prefixScale:)`` gives, to
    /// the last bit.
    /// `table` holds ``jaroTableWords`` words, the first 256 zero on entry and on return.
    static func jaroWinkler(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, atLeast cuts: SketchCuts,
                            table: UnsafeMutablePointer<UInt64>) -> Double {
        let la = a.count, lb = b.count
        if la == 0 || lb == 0 || lb > 64 { return jaroWinkler(a, b, atLeast: cuts.floor) }
        if la == lb && ByteOrder.compare(UnsafeRawBufferPointer(a), UnsafeRawBufferPointer(b)) == 0 { return 1 }
        var l = 0
        while l < 4, l < la, l < lb, a[l] == b[l] { l += 1 }
        @inline(__always) func bound(_ m: Int) -> Double {
            if m == 0 { return 0 }
            let md = Double(m), jaro = (md / Double(la) + md / Double(lb) + 1) / 3
            return jaro + Double(l) * 0.1 * (1 - jaro)
        }
        // The fewest matches not under the floor (every fewer count is under it: the test is monotone in m).
        let most = min(la, lb)
        var needed = max(1, min(most + 1, Int((cuts.factor(prefix: l) * Double(la * lb) / Double(la + lb)).rounded(.up))))
        while needed > 1 && !cuts.under(matches: needed - 1, la, lb, prefix: l) { needed -= 1 }
        while needed <= most && cuts.under(matches: needed, la, lb, prefix: l) { needed += 1 }
        if needed > most { return bound(most) }
        let (m, t) = jaroMatching(a, b, table: table, atLeast: needed)
        if t < 0 { return bound(m) }
        let j = jaro(matches: m, transpositions: t, la, lb)
        return j + Double(l) * 0.1 * (1 - j)
    }

    /// Jaro by scanning each character's window: the reference form, and the one used when `b` is longer than 64 bytes.
    static func jaroScan(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        if a.isEmpty || b.isEmpty { return 0 }
        if a.elementsEqual(b) { return 1 }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: a.count + b.count) { flags in
            flags.initialize(repeating: false)
            var matches = 0
            for i in 0..<a.count {
                let lo = max(0, i - window), hi = min(b.count - 1, i + window)
                if lo > hi { continue }
                for j in lo...hi where !flags[a.count + j] && a[i] == b[j] {
                    flags[i] = true; flags[a.count + j] = true; matches += 1
                    break
                }
            }
            if matches == 0 { return 0 }
            var t = 0, k = 0
            for i in 0..<a.count where flags[i] {
                while !flags[a.count + k] { k += 1 }
                if a[i] != b[k] { t += 1 }
                k += 1
            }
            let m = Double(matches)
            return (m / Double(a.count) + m / Double(b.count) + (m - Double(t / 2)) / m) / 3
        }
    }

    /// Jaro-Winkler similarity (Winkler 1990): Jaro boosted by a common prefix of up to four characters, scale 0.1.
    public static func jaroWinkler(_ a: [UInt8], _ b: [UInt8], prefixScale: Double = 0.1) -> Double {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in jaroWinkler(pa, pb, prefixScale: prefixScale) } }
    }

    static func jaroWinkler(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, prefixScale: Double = 0.1) -> Double {
        let j = jaro(a, b)
        var l = 0
        while l < 4, l < a.count, l < b.count, a[l] == b[l] { l += 1 }
        return j + Double(l) * prefixScale * (1 - j)
    }

    /// Jaro-Winkler when it can reach `floor`, otherwise a bound under `floor` (so every test `>= t` with `t >= floor`
    /// fails as it would on the true value). The bound costs three passes over the bytes, no table: each matched
    /// character of `a` has its byte in `b` and each of `b` in `a`, so the matches are at most the smaller of the two
    /// counts of characters whose byte (modulo 64: letters, digits and space do not collide) the other string holds;
    /// with no transpositions and the real common prefix, that bounds Jaro-Winkler from above. Most pairs of different
    /// names fall under the lowest threshold this way without being matched character by character.
    static func jaroWinkler(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, atLeast floor: Double) -> Double {
        if floor > 0 && !a.isEmpty && !b.isEmpty {
            // Three passes: `a`'s bytes; `b`'s bytes, counting those `a` holds; `a` again, counting those `b` holds.
            var inA: UInt64 = 0, inB: UInt64 = 0, foundInB = 0, foundInA = 0
            for c in a { inA |= 1 &<< UInt64(c & 63) }
            for c in b {
                inB |= 1 &<< UInt64(c & 63)
                foundInA &+= Int(truncatingIfNeeded: (inA &>> UInt64(c & 63)) & 1)
            }
            for c in a { foundInB &+= Int(truncatingIfNeeded: (inB &>> UInt64(c & 63)) & 1) }
            let m = Double(min(foundInA, foundInB))
            var l = 0
            while l < 4, l < a.count, l < b.count, a[l] == b[l] { l += 1 }
            let jaro = (m / Double(a.count) + m / Double(b.count) + 1) / 3
            let bound = m == 0 ? 0 : jaro + Double(l) * 0.1 * (1 - jaro)
            // A margin far above rounding, so a bound is never taken for a value at or over the floor.
            if bound < floor - 1e-9 { return bound }
        }
        return jaroWinkler(a, b)
    }

    /// A string's summary for the Jaro-Winkler bound of ``sketchBound(_:_:)``: how many of its bytes fall in each of
    /// 32 classes (the 26 letters either case, the digits in five pairs, everything else), four bits a class in the first
    /// two words, and its length (high half) with its first four bytes (low half) in the third. Nil when the string is
    /// empty or any class holds more than seven bytes (the bound's arithmetic needs every count under eight).
    static func jaroSketch(_ s: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64)? {
        guard !s.isEmpty, s.count < 1 << 31 else { return nil }
        var low: UInt64 = 0, high: UInt64 = 0
        for c in s {
            let k = sketchClass(c)
            let shift = UInt64(k & 15) * 4
            if k < 16 {
                if (low >> shift) & 0xF == 7 { return nil }
                low &+= 1 &<< shift
            } else {
                if (high >> shift) & 0xF == 7 { return nil }
                high &+= 1 &<< shift
            }
        }
        var prefix: UInt64 = 0
        for i in 0..<min(4, s.count) { prefix |= UInt64(s[i]) &<< UInt64(8 * i) }
        return (low, high, UInt64(s.count) << 32 | prefix)
    }

    /// The class of a byte in a sketch: letters 0–25 (case folded), digits 26–30 (two to a class), the rest 31.
    @inline(__always) static func sketchClass(_ c: UInt8) -> Int {
        let letter = (c | 0x20) &- 0x61
        if letter < 26 { return Int(letter) }
        let digit = c &- 0x30
        if digit < 10 { return 26 + Int(digit >> 1) }
        return 31
    }

    /// An upper bound of Jaro-Winkler from two strings' sketches (``jaroSketch(_:)``), without reading the strings:
    /// each match pairs two equal bytes, so the matches are at most the sum over the classes of the smaller of the two
    /// counts (classes that merge bytes only raise that sum); with no transpositions and the real common prefix (of up
    /// to four bytes, from the sketches), that bounds Jaro-Winkler from above. A tighter bound than
    /// ``jaroWinkler(_:_:atLeast:)``'s (which counts a byte every time the other string holds it at all).
    @inline(__always) static func sketchBound(_ a: (UInt64, UInt64, UInt64), _ b: (UInt64, UInt64, UInt64)) -> Double {
        let (m, la, lb, prefix) = sketchTerms(a, b)
        if m == 0 { return 0 }
        let md = Double(m)
        let jaro = (md / Double(la) + md / Double(lb) + 1) / 3
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }

    /// ``sketchBound(_:_:)`` tested against a floor without dividing (its two divisions were the slowest part of a
    /// pair that the bound settles). With s = 0.1 × prefix, the bound J + s(1 − J) is under F exactly when
    /// J < (F − s) / (1 − s), that is when m(la + lb) < (3(F − s)/(1 − s) − 1) · la · lb: one factor a prefix length,
    /// made once a floor. The factors are made for the floor less 2e-9, so a pair called under has a bound under the
    /// floor less 1e-9 (the margin the similarity's own test keeps; rounding is far smaller): where the two could differ,
    /// the similarity is worked out, and it is no more than the bound, so the level is the same either way.
    struct SketchCuts: Sendable {
        let factor: (Double, Double, Double, Double, Double)
        /// The floor the factors were made for.
        let floor: Double

        init(floor: Double) {
            self.floor = floor
            func cut(_ prefix: Double) -> Double {
                let s = 0.1 * prefix, f = floor - 2e-9
                return 3 * (f - s) / (1 - s) - 1
            }
            factor = (cut(0), cut(1), cut(2), cut(3), cut(4))
        }

        /// Whether ``sketchBound(_:_:)`` of the two sketches is under the floor.
        @inline(__always) func under(_ a: (UInt64, UInt64, UInt64), _ b: (UInt64, UInt64, UInt64)) -> Bool {
            let (m, la, lb, prefix) = sketchTerms(a, b)
            return under(matches: m, la, lb, prefix: prefix)
        }

        /// Whether the bound of `m` matches between strings of `la` and `lb` bytes with a common prefix of `prefix`
        /// (no transpositions) is under the floor.
        @inline(__always) func under(matches m: Int, _ la: Int, _ lb: Int, prefix: Int) -> Bool {
            if m == 0 { return true }
            return Double(m * (la + lb)) < factor(prefix: prefix) * Double(la * lb)
        }

        /// The factor for a common prefix of `prefix` bytes (four or more: the fourth's).
        @inline(__always) func factor(prefix: Int) -> Double {
            switch prefix { case 0: factor.0; case 1: factor.1; case 2: factor.2; case 3: factor.3; default: factor.4 }
        }
    }

    /// What the bound reads from two sketches: the most matches (the classes' smaller counts, summed), the two lengths
    /// and the common prefix (up to four bytes, no longer than either string).
    @inline(__always) static func sketchTerms(_ a: (UInt64, UInt64, UInt64), _ b: (UInt64, UInt64, UInt64)) -> (m: Int, la: Int, lb: Int, prefix: Int) {
        let m = nibbleMinSum(a.0, b.0) + nibbleMinSum(a.1, b.1)
        let la = Int(truncatingIfNeeded: a.2 >> 32), lb = Int(truncatingIfNeeded: b.2 >> 32)
        let differ = UInt32(truncatingIfNeeded: a.2) ^ UInt32(truncatingIfNeeded: b.2)
        return (m, la, lb, min(differ == 0 ? 4 : differ.trailingZeroBitCount / 8, la, lb))
    }

    /// The sum over the sixteen four-bit fields of the smaller of `x`'s and `y`'s (each field under eight), in a few
    /// word operations: a field's top bit after `(x | 8…8) - y` tells whether x ≥ y there, with no borrow between fields.
    @inline(__always) static func nibbleMinSum(_ x: UInt64, _ y: UInt64) -> Int {
        let top: UInt64 = 0x8888_8888_8888_8888
        let xAtLeastY = ((x | top) &- y) & top
        let mask = (xAtLeastY >> 3) &* 0xF
        let smaller = (y & mask) | (x & ~mask)
        let bytes = (smaller & 0x0F0F_0F0F_0F0F_0F0F) &+ ((smaller >> 4) & 0x0F0F_0F0F_0F0F_0F0F)
        return Int(truncatingIfNeeded: (bytes &* 0x0101_0101_0101_0101) >> 56)
    }

    /// Jaro-Winkler on strings (UTF-8 bytes).
    public static func jaroWinkler(_ a: String, _ b: String) -> Double { jaroWinkler(Array(a.utf8), Array(b.utf8)) }

    /// Damerau-Levenshtein distance, optimal string alignment form: insertions, deletions,
    /// substitutions and transpositions of adjacent characters each cost one.
    public static func damerauLevenshtein(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in damerauLevenshtein(pa, pb) } }
    }

    static func damerauLevenshtein(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let n = b.count + 1
        // Three rows on the stack: no allocation per pair.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * n) { buf in
            var prev2 = buf.baseAddress!, prev = prev2 + n, cur = prev + n
            for j in 0..<n { prev2[j] = 0; prev[j] = j; cur[j] = 0 }
            for i in 1...a.count {
                cur[0] = i
                for j in 1..<n {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { v = min(v, prev2[j - 2] + 1) }
                    cur[j] = v
                }
                let t = prev2; prev2 = prev; prev = cur; cur = t
            }
            return prev[n - 1]
        }
    }

    /// Whether the edit distance is at most one, in one pass without a table: equal, one substitution, one
    /// insertion or deletion, or (with `transpose`) one swap of adjacent characters. The same answer as
    /// `levenshtein(a, b) <= 1` (or `damerauLevenshtein(a, b) <= 1` with `transpose`).
    static func withinOneEdit(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, transpose: Bool) -> Bool {
        let n = a.count, m = b.count
        if n == m {
            var i = 0
            while i < n && a[i] == b[i] { i += 1 }
            if i == n { return true }
            var j = i + 1
            while j < n && a[j] == b[j] { j += 1 }
            if j == n { return true }
            guard transpose, j == i + 1, a[i] == b[i + 1], a[i + 1] == b[i] else { return false }
            var k = i + 2
            while k < n && a[k] == b[k] { k += 1 }
            return k == n
        }
        guard n - m == 1 || m - n == 1 else { return false }
        let (s, l) = n < m ? (a, b) : (b, a)
        var i = 0
        while i < s.count && s[i] == l[i] { i += 1 }
        while i < s.count && s[i] == l[i + 1] { i += 1 }
        return i == s.count
    }

    /// `withinOneEdit` on byte arrays.
    public static func withinOneEdit(_ a: [UInt8], _ b: [UInt8], transpose: Bool) -> Bool {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in withinOneEdit(pa, pb, transpose: transpose) } }
    }

    /// Damerau-Levenshtein on strings (UTF-8 bytes).
    public static func damerauLevenshtein(_ a: String, _ b: String) -> Int { damerauLevenshtein(Array(a.utf8), Array(b.utf8)) }

    /// Levenshtein distance: insertions, deletions and substitutions each cost one.
    public static func levenshtein(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in levenshtein(pa, pb) } }
    }

    static func levenshtein(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let n = b.count + 1
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * n) { buf in
            var prev = buf.baseAddress!, cur = prev + n
            for j in 0..<n { prev[j] = j }
            for i in 1...a.count {
                cur[0] = i
                for j in 1..<n { cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)) }
                let t = prev; prev = cur; cur = t
            }
            return prev[n - 1]
        }
    }

    /// Levenshtein on strings (UTF-8 bytes).
    public static func levenshtein(_ a: String, _ b: String) -> Int { levenshtein(Array(a.utf8), Array(b.utf8)) }

    /// Jaccard similarity of two token sets: shared tokens over all tokens (1 when both are empty).
    public static func jaccard<T: Hashable>(_ a: Set<T>, _ b: Set<T>) -> Double {
        let u = a.union(b).count
        return u == 0 ? 1 : Double(a.intersection(b).count) / Double(u)
    }
}
