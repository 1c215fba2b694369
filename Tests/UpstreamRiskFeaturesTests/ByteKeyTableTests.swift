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
}
