import Foundation
import PropertyBased
import Testing
import UpstreamModel

/// The one pure CSV reader (RFC 4180): quoted fields, embedded line breaks, CRLF, a byte-order mark, any chunking.
@Suite("CSV tokenizer")
struct CSVTokenizerTests {
    static let fieldCharacters: [Character] = [
        "a", "Z", "0", " ", ",", "|", "\t", "\"", "\n", "\r\n", "\r", "é", "漢", "😀", "'", "x",
    ]
    static let field = Gen<Character?>.element(of: fieldCharacters).map { $0! }.string(of: 0...6)
    static let record = field.array(of: 1...5)
    static let table = record.array(of: 1...6)

    /// RFC 4180 writing: quote a field holding the delimiter, a quote or a line break, doubling its quotes.
    static func line(_ fields: [String], delimiter: Character) -> String {
        if fields == [""] { return "\"\"" }  // one empty field would be a blank line
        return fields.map { f in
            f.contains(where: { $0 == delimiter || $0 == "\"" || $0.isNewline }) ? "\"" + f.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" : f
        }.joined(separator: String(delimiter))
    }

    static func read(_ bytes: [UInt8], delimiter: Character = ",", chunk: Int) -> [[String]] {
        var t = CSVTokenizer(delimiter: delimiter.asciiValue!)
        var out: [[String]] = []
        var i = 0
        while i < bytes.count {
            t.feed(bytes[i..<min(bytes.count, i + chunk)]) { r in out.append((0..<r.count).map { r.string($0) }) }
            i += chunk
        }
        t.finish { r in out.append((0..<r.count).map { r.string($0) }) }
        return out
    }

    @Test("written fields read back unchanged, whatever the line ends, byte-order mark, delimiter and chunk size")
    func roundTrip() async {
        await propertyCheck(count: 300, input: Self.table, Gen.int(in: 1...17), Gen.int(in: 0...3)) { table, chunk, style in
            let crlf = style & 1 == 1, bom = style & 2 == 2
            for delimiter: Character in [",", "|"] {
                let text = table.map { Self.line($0, delimiter: delimiter) }.joined(separator: crlf ? "\r\n" : "\n") + (crlf ? "\r\n" : "")
                let bytes = (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)
                #expect(Self.read(bytes, delimiter: delimiter, chunk: chunk) == table)
            }
        }
    }

    @Test("the whole-text helpers read the same rows and key records by the header")
    func wholeText() {
        let text = "\u{FEFF}person,notes\r\nP1,\"said \"\"hi\"\",\r\nthen left\"\r\n\r\nP2,\r\n"
        #expect(CSVTokenizer.rows(text) == [["person", "notes"], ["P1", "said \"hi\",\r\nthen left"], ["P2", ""]])
        let (header, records) = CSVTokenizer.records(text)
        #expect(header == ["person", "notes"])
        #expect(records.map { $0["person"] } == ["P1", "P2"])
        #expect(records[1]["notes"] == "")
        #expect(CSVTokenizer.records("").records.isEmpty)
    }

    @Test("a field cut off inside quotes at the end is marked, and blank lines are counted")
    func unterminated() {
        var t = CSVTokenizer()
        var rows: [CSVTokenizer.Row] = []
        t.feed(Array("a,b\n\n\"open,\nstill".utf8)) { rows.append($0) }
        t.finish { rows.append($0) }
        #expect(rows.count == 2)
        #expect(rows[1].unterminatedQuote)
        #expect(rows[1].string(0) == "open,\nstill")
        #expect(t.blankLines == 1)
    }
}

/// The one JSON string escape.
@Suite("JSON text")
struct JSONTextTests {
    @Test("quotes, reverse solidus and control characters are escaped; other text is kept")
    func escapes() {
        #expect(JSONText.quoted("a\"b\\c\nd\re\tf\u{01}g é😀") == "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g é😀\"")
        #expect(JSONText.quoted("") == "\"\"")
    }

    @Test("any string survives a round trip through a JSON parser")
    func roundTrip() async {
        let chars: [Character] = ["a", "\"", "\\", "\n", "\u{0}", "\u{1F}", "/", "é", "😀", " "]
        await propertyCheck(count: 300, input: Gen<Character?>.element(of: chars).map { $0! }.string(of: 0...12)) { s in
            let data = Data(("[" + JSONText.quoted(s) + "]").utf8)
            let back = try? JSONSerialization.jsonObject(with: data) as? [String]
            #expect(back == [s])
        }
    }
}
