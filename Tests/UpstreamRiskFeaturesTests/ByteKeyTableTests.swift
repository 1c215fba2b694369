import Foundation
import PropertyBased
import Testing
@testable import UpstreamRiskFeatures

/// `ByteKeyTable` and `PostcodeDeciles`: exact answers by bytes, whatever the table's size.
@Suite struct ByteKeyTableTests {
    static func value(_ table: ByteKeyTable<Int>, _ key: String) -> Int? {
        var key = key
        return key.withUTF8 { table.value(for: $0) }
    }

    @Test func everyKeyIsFoundAndNoOtherThroughGrowth() {
        var table = ByteKeyTable<Int>()
        let keys = [""] + (0..<5_000).map { "K\($0)" } + ["é", "e\u{301}", "K1 ", "k1"]
        for (i, key) in keys.enumerated() { table.insert(key, i) }
        #expect(table.count == keys.count)
        for (i, key) in keys.enumerated() { #expect(Self.value(table, key) == i, "\(key)") }
        for missing in ["K5000", "K-1", " ", "K", "E\u{301}", "\u{e9} "] { #expect(Self.value(table, missing) == nil, "\(missing)") }
        // A key given twice keeps its first value.
        table.insert("K7", -1)
        #expect(Self.value(table, "K7") == 8 && table.count == keys.count)
    }

    static let postcode = Gen<String?>.element(of: ["a", "B", "1", " ", "z", "É", "é", "ß", "ſ", "", "AB1 2CD", "ab1 2cd"]).map { $0! }
        .array(of: 0...4).map { $0.joined() }

    @Test func decilesByBytesAreDecilesByString() async {
        let deciles = PostcodeDeciles(["AB1 2CD": 3, "ab9 9zz": 7, "ÉB1": 2, "SS": 4, "": 9, "A": 12])
        #expect(deciles.decile("ab1 2cd") == 3 && deciles.decile("AB9 9ZZ") == 7 && deciles.decile("") == 0 && deciles.decile(nil) == 0)
        await propertyCheck(count: 2_000, input: Self.postcode) { postcode in
            var text = postcode
            let bytes = text.withUTF8 { deciles.decile(bytes: $0) }
            #expect(bytes == deciles.decile(postcode), "\(postcode.debugDescription)")
        }
        #expect(deciles.decile(bytes: nil) == 0)
    }

    /// The packed path (keys of one to eight ASCII bytes) gives what the byte table and the strings give, for a city's
    /// worth of postcodes (250,000 keys; a 3,000,000-person city has about 200,000) and for keys just outside it (nine bytes, a NUL, non-ASCII).
    @Test func packedPostcodesAreTheStringsAnswers() {
        var lookup: [String: Int] = [:]
        for i in 0..<250_000 { lookup["P\(i / 400) \(i % 10)\(Character(UnicodeScalar(65 + i % 26)!))\(Character(UnicodeScalar(65 + (i / 26) % 26)!))"] = 1 + i % 10 }
        for (key, decile) in ["ABCDEFGHI": 4, "AB\u{0}1": 6, "ÅB1 2CD": 8, "X": 2, "12345678": 9] { lookup[key] = decile }
        let deciles = PostcodeDeciles(lookup)
        // Mismatches are gathered and expected empty once: an #expect per key took over two minutes in a debug build.
        var unlikeString: [String] = [], unlikeLookup: [String] = []
        for key in Array(lookup.keys) + ["abcdefghi", "ab\u{0}1", "åb1 2cd", "x", "ABCDEFGH", "P0 0AA ", "Q0 0AA", "1234567"] {
            var text = key
            let bytes = text.withUTF8 { deciles.decile(bytes: $0) }
            if bytes != deciles.decile(key) { unlikeString.append(key) }
            if bytes != UInt8(lookup[key.uppercased()] ?? 0) { unlikeLookup.append(key) }
        }
        #expect(unlikeString.isEmpty, "the bytes' answer differs from the string's for \(unlikeString.prefix(10).map(\.debugDescription))")
        #expect(unlikeLookup.isEmpty, "the bytes' answer differs from the lookup's for \(unlikeLookup.prefix(10).map(\.debugDescription))")
        var nine = "ABCDEFGHI", nul = "AB\u{0}1", ab = "ab"
        #expect(nine.withUTF8 { PackedKeys.number($0) } == nil && nul.withUTF8 { PackedKeys.number($0) } == nil)
        #expect(ab.withUTF8 { PackedKeys.number($0, upperCased: true) } == 0x4241)
    }
}
