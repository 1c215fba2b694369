import Foundation
import PropertyBased
import Testing
@testable import UpstreamModel

/// `FlatJSONObject`: text it calls plain reads, pair by pair, as Foundation's JSON parser reads it; anything else is
/// refused, never misread.
@Suite struct FlatJSONObjectTests {
    static func pairs(_ text: String) -> [String: String]? {
        var text = text, out: [String: String] = [:], plain = false
        text.withUTF8 { b in
            guard FlatJSONObject.isPlain(b) else { return }
            plain = true
            FlatJSONObject.forEachPair(b) { k, v in
                out[String(decoding: UnsafeBufferPointer(rebasing: b[k]), as: UTF8.self)] = String(decoding: UnsafeBufferPointer(rebasing: b[v]), as: UTF8.self)
            }
        }
        return plain ? out : nil
    }

    static func foundation(_ text: String) -> [String: String]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String]
    }

    @Test func knownTexts() {
        #expect(Self.pairs("{}") == [:])
        #expect(Self.pairs(#"{"FSM":"1","SessionsPossible":"120"}"#) == ["FSM": "1", "SessionsPossible": "120"])
        #expect(Self.pairs(#"{"a":"é"}"#) == ["a": "é"])
        // Not plain: whitespace, escapes, a repeated or non-ASCII key, numbers, nesting, trailing text, truncation.
        for text in [#"{ "a":"1"}"#, #"{"a":"1" }"#, #"{"a":"\"1"}"#, #"{"a\\":"1"}"#, #"{"a":"1","a":"2"}"#, #"{"é":"1"}"#,
                     #"{"a":1}"#, #"{"a":{"b":"c"}}"#, #"{"a":"1"}x"#, #"{"a":"1""#, #"{"a":"1",}"#, "{\"a\":\"\t\"}", "", "{", "[]"] {
            #expect(Self.pairs(text) == nil, "\(text)")
        }
        // Too many keys for the duplicate check: refused, not misread.
        let wide = "{" + (0..<17).map { "\"k\($0)\":\"v\"" }.joined(separator: ",") + "}"
        #expect(Self.pairs(wide) == nil)
    }

    static let pieces = ["{", "}", "\"", ":", ",", "a", "b", "FSM", "1", " ", "\\", "\\\"", "é", "\u{1}", "[", "0"]
    static let text = Gen<String?>.element(of: pieces).map { $0! }.array(of: 0...14).map { $0.joined() }
    static let object = Gen<String?>.element(of: ["a", "b", "FSM", "é", "\"", "\\", " ", "1", ""]).map { $0! }
        .array(of: 0...4).map { keys -> String in
            "{" + keys.enumerated().map { JSONText.quoted($0.element) + ":" + JSONText.quoted(String($0.offset) + $0.element) }.joined(separator: ",") + "}"
        }

    @Test func whatIsPlainReadsAsFoundationReadsIt() async {
        await propertyCheck(count: 3_000, input: Self.text) { text in
            if let plain = Self.pairs(text) { #expect(plain == Self.foundation(text), "\(text.debugDescription)") }
        }
        await propertyCheck(count: 3_000, input: Self.object) { text in
            if let plain = Self.pairs(text) { #expect(plain == Self.foundation(text), "\(text.debugDescription)") }
        }
    }
}
