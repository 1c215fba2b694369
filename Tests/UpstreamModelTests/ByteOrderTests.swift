import Foundation
import PropertyBased
import Testing
import UpstreamModel

/// Record keys in the stores' order (UTF-8 bytes, SQLite's BINARY collation): the fast comparison agrees with a
/// byte-by-byte walk for any strings, short or long, ASCII or not, native or bridged.
@Suite("Byte order of strings and record keys")
struct ByteOrderTests {
    static let characters: [Character] = ["a", "b", "Z", "0", "9", "-", " ", "é", "e\u{301}", "漢", "😀", "\u{0}", "~"]
    static let text = Gen<Character?>.element(of: characters).map { $0! }.string(of: 0...40)

    static func walk(_ a: String, _ b: String) -> Int {
        a.utf8.elementsEqual(b.utf8) ? 0 : (a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1)
    }

    @Test("compare agrees with a walk over the UTF-8 bytes, and is antisymmetric")
    func agreesWithTheBytes() async {
        await propertyCheck(count: 500, input: Self.text, Self.text) { a, b in
            #expect(ByteOrder.compare(a, b).signum() == Self.walk(a, b))
            #expect(ByteOrder.compare(b, a).signum() == -Self.walk(a, b))
            #expect(ByteOrder.compare(a, a) == 0)
            // A string that shares its prefix: the shorter comes first.
            #expect(ByteOrder.compare(a, a + "x") < 0)
            // Bridged strings (not native storage) compare the same.
            let bridged = NSString(string: a) as String
            #expect(ByteOrder.compare(bridged, b).signum() == Self.walk(a, b))
        }
    }

    @Test("record keys order by source, then record id, by bytes: not String's canonical order")
    func recordKeys() async {
        await propertyCheck(count: 300, input: Self.text, Self.text, Self.text) { s, r1, r2 in
            let a = RecordKey(source: s, recordID: r1), b = RecordKey(source: s, recordID: r2)
            #expect(RecordKey.bytesPrecede(a, b) == (Self.walk(r1, r2) < 0))
            #expect(RecordKey.sameBytes(a, b) == (Self.walk(r1, r2) == 0))
            #expect(RecordKey.bytesPrecede(RecordKey(source: s, recordID: r1), RecordKey(source: s + "z", recordID: "")))
        }
        // "é" precomposed (C3 A9) sorts after "e" + combining accent (65 CC 81) by bytes, though String calls them equal.
        let composed = RecordKey(source: "x", recordID: "\u{E9}"), decomposed = RecordKey(source: "x", recordID: "e\u{301}")
        #expect(composed == decomposed && RecordKey.bytesPrecede(decomposed, composed) && !RecordKey.sameBytes(composed, decomposed))
    }
}
