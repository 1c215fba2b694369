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

    @Test("a table sized in advance (for a file's rows) gives the same ids, and still grows when more strings come")
    func reservedGivesTheSameIds() {
        for reserved in [0, 10, 3_000, 100_000] {
            var plain = PreparedData.Interner(), sized = PreparedData.Interner()
            sized.reserve(strings: reserved)
            for n in 0..<30_000 {
                let text = "v\(n % 12_000)", space = Int32(n % 2) - 1
                #expect(sized.id(text, space) == plain.id(text, space))
            }
            #expect(sized.strings.count == plain.strings.count && sized.strings.count == 12_000)
        }
        // Once strings are in, a reservation changes nothing.
        var late = PreparedData.Interner()
        let a = late.id("A", 0)
        late.reserve(strings: 1_000_000)
        #expect(late.id("A", 0) == a && late.id("B", 0) == a + 1)
    }

    @Test("warming a look-up reads only: the same ids with and without it, the empty string and unseen texts included")
    func warmingChangesNothing() {
        var plain = PreparedData.Interner(), warmed = PreparedData.Interner()
        var fold: UInt64 = 0
        for n in 0..<20_000 {
            let text = n % 97 == 0 ? "" : "v\(n % 3_000)"
            let space = Int32(n % 3) - 2
            var piece = PreparedData.StandardisedPiece(), words: [UInt64] = [], froms: [Int] = []
            let indices = [text, nil, "never interned \(n)", "v\((n + 1) % 3_000)"].map { piece.string($0, space) }
            // Nothing is kept for the empty or missing text; the others each once, hashed as the interner hashes them.
            #expect(indices.filter { $0 >= 0 }.count == (text.isEmpty ? 2 : 3) && piece.hashes.count == piece.keys.count)
            for (k, h) in piece.hashes.enumerated() {
                piece.bytes.withUnsafeBufferPointer { b in
                    #expect(h == PreparedData.Interner.hash(UnsafeBufferPointer(rebasing: b[Int(piece.stringStart[k])..<Int(piece.stringStart[k + 1])]), space))
                }
                #expect(piece.keys[k] == PreparedData.Interner.slotKey(h, space))
            }
            fold ^= piece.hashes.withUnsafeBufferPointer { h in piece.keys.withUnsafeBufferPointer { k in warmed.warm(hashes: h, keys: k, words: &words, froms: &froms) } }
            #expect(words.count == piece.hashes.count && froms.count <= piece.hashes.count)
            #expect(warmed.id(text, space) == plain.id(text, space))
            // A piece's string interns as its text does.
            if let k = indices[2] >= 0 ? indices[2] : nil {
                let id = piece.bytes.withUnsafeBufferPointer { b in
                    warmed.id(UnsafeBufferPointer(rebasing: b[Int(piece.stringStart[Int(k)])..<Int(piece.stringStart[Int(k) + 1])]), hash: piece.hashes[Int(k)], space)
                }
                #expect(id == plain.id("never interned \(n)", space))
            }
        }
        #expect(warmed.strings == plain.strings)
        _ = fold
    }
}

/// The table of identical rows (``PreparedData/NodeTable``): a key row finds the first node added with it, through
/// many growths, whatever other rows share its slot or its hash's high half; a row added unindexed is never found.
@Suite("Node table")
struct NodeTableTests {
    /// The table's own hash, and one whose high bits take only 1,024 values (slots are chosen by the high bits, and
    /// the table grows by them): long runs of probes, many tags alike.
    static func hash(_ kind: Int, _ row: UnsafeBufferPointer<Int32>) -> UInt64 {
        let h = PreparedData.NodeTable.hash(row)
        return kind == 0 ? h : (h & 0xFFC0_0000_0000_0000) | (h & 0xFFFF_FFFF)
    }

    @Test("each indexed row finds its first node; unindexed rows are never found; rows never added find nothing", arguments: [0, 1])
    func findsTheFirstNode(hashKind: Int) {
        let hash = { (row: UnsafeBufferPointer<Int32>) in Self.hash(hashKind, row) }
        for (width, reserved) in [(1, 0), (3, 0), (3, 50_000), (10, 7)] {
            var table = PreparedData.NodeTable(width: width)
            table.reserve(nodes: reserved)
            var first: [[Int32]: Int32] = [:], added = 0
            var x: UInt64 = 0x2545_F491_4F6C_DD1D
            for n in 0..<40_000 {
                x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // Rows from a small range, so that many repeat; every seventh added unindexed.
                let row = (0..<width).map { Int32(truncatingIfNeeded: (x >> (UInt64($0) * 7 + 20)) % 23) - 2 }
                let indexed = n % 7 != 3
                let found = row.withUnsafeBufferPointer { table.find($0, hash($0)) }
                #expect(found == (first[row] ?? -1))
                if found >= 0 && indexed { continue }
                let node = row.withUnsafeBufferPointer { table.add($0, hash($0), indexed: indexed) }
                #expect(node == Int32(added))
                added += 1
                if indexed && first[row] == nil { first[row] = node }
            }
            #expect(first.count == (width == 1 ? 23 : first.count) && first.count >= (width == 1 ? 23 : 10_000), "the table grew several times")
            for (row, node) in first { #expect(row.withUnsafeBufferPointer { table.find($0, hash($0)) } == node) }
            // Two hashes with the same high half meet in a slot's tag: the keys still tell them apart.
            let never: [Int32] = Array(repeating: 99, count: width)
            #expect(never.withUnsafeBufferPointer { table.find($0, hash($0)) } == -1)
        }
    }
}

