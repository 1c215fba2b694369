import Foundation
import Testing
import UpstreamStore

/// ExtrasJSON's scanner reads what `encode` writes, and gives Foundation's answer for everything else.
@Suite("extras JSON: the scanner and Foundation agree")
struct ExtrasJSONTests {
    /// Foundation's reading of `text`, as `decode` did before the scanner.
    static func foundation(_ text: String) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]) ?? [:]
    }

    @Test("what encode writes reads back unchanged, escapes and all")
    func roundTrips() {
        let cases: [[String: String]] = [
            [:],
            ["ContactSource": "POLICE"],
            ["a": "", "b": "x", "c": "with space"],
            ["quote": "say \"hi\"", "slash": "a\\b/c", "ctl": "tab\tnew\nline\r\u{01}\u{1F}"],
            ["é": "ü", "emoji": "👩🏽‍⚕️ and 𝄞", "nul": "a\u{0}b"],
        ]
        for extras in cases {
            let text = ExtrasJSON.encode(extras)
            #expect(ExtrasJSON.decode(text) == extras, "\(text)")
            #expect(ExtrasJSON.decode(text) == Self.foundation(text), "\(text)")
        }
    }

    @Test("the text is the same byte for byte as before it was written as bytes: keys in order, the same escapes")
    func exactText() {
        #expect(ExtrasJSON.encode([:]) == "{}")
        #expect(ExtrasJSON.encode(["b": "1", "a": "x\"y\\z", "c": "\u{01}\n\té"]) == #"{"a":"x\"y\\z","b":"1","c":"\u0001\n\té"}"#)
    }

    @Test("bytes read in place give what the text gives, the odd ones included")
    func bytesInPlace() {
        for text in [ExtrasJSON.encode(["FSM": "1", "Name": "Zoë, \"Z\""]), "{}", #"{ "a":"b"}"#, #"{"a":1}"#, #"{"a":"b","a":"c"}"#, "", "[]"] {
            var t = text
            #expect(t.withUTF8 { ExtrasJSON.decode(utf8: $0) } == ExtrasJSON.decode(text), "\(text)")
        }
    }

    @Test("escaped text written by another writer: \\u escapes, surrogate pairs, escaped slashes")
    func otherWriters() {
        #expect(ExtrasJSON.decode(#"{"k":"caf\u00e9"}"#) == ["k": "café"])
        #expect(ExtrasJSON.decode(#"{"k":"\ud834\udd1e"}"#) == ["k": "𝄞"])
        #expect(ExtrasJSON.decode(#"{"k":"a\/b","\u006b2":"\b\f"}"#) == ["k": "a/b", "k2": "\u{08}\u{0C}"])
        for text in [#"{"k":"caf\u00E9"}"#, #"{"k":"\ud834\udd1e"}"#, #"{"k":"a\/b","\u006b2":"\b\f"}"#] {
            #expect(ExtrasJSON.decode(text) == Self.foundation(text), "\(text)")
        }
    }

    @Test("anything the scanner does not read falls back to Foundation: whitespace, numbers, nesting, bad text")
    func fallsBack() {
        let texts = [
            #"{ "a" : "b" }"#, "{\n\"a\":\"b\"\n}", #"{"a":1}"#, #"{"a":{"b":"c"}}"#, #"["a"]"#, #""a""#, "", "{", "}",
            #"{"a":"b",}"#, #"{"a":"b""#, #"{"a" "b"}"#, #"{"a":"\x"}"#, #"{"a":"\ud834"}"#, #"{"a":"\udd1e"}"#,
            #"{"a":"b"}x"#, "{\"a\":\"line\nbreak\"}", #"{"a":"\u12"}"#,
        ]
        for text in texts {
            #expect(ExtrasJSON.decode(text) == Self.foundation(text), "\(text)")
        }
        #expect(ExtrasJSON.decode(#"{ "a" : "b" }"#) == ["a": "b"])
        #expect(ExtrasJSON.decode("not json") == [:])
    }
}
