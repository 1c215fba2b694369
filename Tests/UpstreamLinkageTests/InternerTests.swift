import Testing
@testable import UpstreamLinkage

/// The interner that turns standardised values into ids: the ids, and so the blocks and persons, must not depend on
/// how its table is laid out.
@Suite("Interner")
struct InternerTests {
    @Test("ids are dense, in first-seen order, one per (space, text), through many growths of the table")
    func firstSeenOrder() {
        var interner = PreparedData.Interner()
        var reference: [String: Int32] = [:]
        var texts: [Int32: (String, Int32)] = [:]
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<60_000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let n = Int(x >> 33) % 20_000
            // Texts that share prefixes, lengths and bytes; a few non-ASCII; the empty string too.
            let text = n == 0 ? "" : (n % 7 == 0 ? "é" : "") + "value \(n % 5_000)" + String(repeating: "x", count: n % 3)
            let space = Int32(n % 4) - 3  // -3 … 0: the spaces derived values use, and a column's own
            let id = interner.id(text, space)
            let key = "\(space)|\(text)"
            if let known = reference[key] {
                #expect(id == known)
            } else {
                #expect(id == Int32(reference.count))
                reference[key] = id
                texts[id] = (text, space)
            }
        }
        #expect(interner.strings.count == reference.count)
        #expect(reference.count > 4_096)  // the table grew several times
        for (id, (text, _)) in texts { #expect(interner.strings[Int(id)] == Array(text.utf8)) }
        // The same text in another space is another id; asked again, each keeps its own.
        let a = interner.id("SMITH", 0), b = interner.id("SMITH", 1)
        #expect(a != b && interner.id("SMITH", 0) == a && interner.id("SMITH", 1) == b)
    }

    @Test("warming a look-up reads only: the same ids with and without it, the empty string and unseen texts included")
    func warmingChangesNothing() {
        var plain = PreparedData.Interner(), warmed = PreparedData.Interner()
        var fold: UInt64 = 0
        for n in 0..<20_000 {
            let text = n % 97 == 0 ? "" : "v\(n % 3_000)"
            let space = Int32(n % 3) - 2
            var hashes: [UInt64] = [], keys: [UInt64] = [], words: [UInt64] = [], froms: [Int] = []
            for t in [text, nil, "never interned \(n)", "v\((n + 1) % 3_000)"] { PreparedData.Interner.collect(t, space, &hashes, &keys) }
            // Nothing is collected for the empty or missing text; the others each once.
            #expect(hashes.count == keys.count && hashes.count == (text.isEmpty ? 2 : 3))
            fold ^= warmed.warm(hashes: hashes, keys: keys, words: &words, froms: &froms)
            #expect(words.count == hashes.count && froms.count <= hashes.count)
            #expect(warmed.id(text, space) == plain.id(text, space))
        }
        #expect(warmed.strings == plain.strings)
        _ = fold
    }
}
