import Foundation
import PropertyBased
import Testing
import UpstreamModel

/// The one CSV reader and writer (RFC 4180): quoted fields, embedded line breaks, CRLF, a byte-order mark, any
/// chunking; what the writer writes, the reader reads back unchanged.
@Suite("CSV reader and writer")
struct CSVTests {
    static let fieldCharacters: [Character] = [
        "a", "Z", "0", " ", ",", "|", "\t", "\"", "\n", "\r\n", "\r", "é", "漢", "😀", "'", "x", "\u{FEFF}",
    ]
    static let field = Gen<Character?>.element(of: fieldCharacters).map { $0! }.string(of: 0...6)
    static let record = field.array(of: 1...5)
    static let table = record.array(of: 1...6)

    /// An independent RFC 4180 writer for the reader's test: quote every field, doubling its quotes.
    static func quotedLine(_ fields: [String], delimiter: Character) -> String {
        fields.map { "\"" + $0.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" }
            .joined(separator: String(delimiter))
    }

    static func read(_ bytes: [UInt8], delimiter: Character = ",", chunk: Int) -> [[String]] {
        var reader = CSVReader(ArrayByteStream(bytes, chunkSize: chunk), options: CSVOptions(delimiter: delimiter.asciiValue!), chunkSize: 64)
        var out: [[String]] = []
        // Bytes in memory: the stream never throws.
        while try! reader.next() {
            #expect(reader.problem == nil)
            out.append(reader.fields)
        }
        return out
    }

    @Test("fields written fully quoted read back unchanged, whatever the line ends, byte-order mark, delimiter and chunk size")
    func readerRoundTrip() async {
        await propertyCheck(count: 300, input: Self.table, Gen.int(in: 1...17), Gen.int(in: 0...3)) { table, chunk, style in
            let crlf = style & 1 == 1, bom = style & 2 == 2
            for delimiter: Character in [",", "|"] {
                let text = table.map { Self.quotedLine($0, delimiter: delimiter) }.joined(separator: crlf ? "\r\n" : "\n") + (crlf ? "\r\n" : "")
                let bytes = (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)
                #expect(Self.read(bytes, delimiter: delimiter, chunk: chunk) == table)
            }
        }
    }

    @Test("a field appended as bytes is the field the text writer escapes: short and long, native and bridged, any delimiter")
    func appendFieldIsTheEscapedField() async {
        await propertyCheck(count: 400, input: Self.field) { f in
            for (delimiter, byte) in [(Character(","), UInt8(ascii: ",")), (Character("|"), UInt8(ascii: "|"))] {
                for s in [f, NSString(string: f) as String, f + String(repeating: "x", count: 20), String(repeating: "y", count: 20) + f] {
                    var bytes: [UInt8] = [0x41]
                    CSVWriter.appendField(s, delimiter: byte, to: &bytes)
                    #expect(bytes == [0x41] + Array(CSVWriter.escape(s, delimiter: delimiter).utf8), "\(s.debugDescription)")
                }
            }
        }
    }

    @Test("what CSVWriter writes (text or bytes) CSVReader reads back unchanged: quoted commas, doubled quotes, CRLF, embedded newlines, a leading BOM")
    func writerRoundTrip() async {
        await propertyCheck(count: 300, input: Self.table, Gen.int(in: 1...17), Gen.int(in: 0...1)) { table, chunk, style in
            for delimiter: Character in [",", "|"] {
                let lineEnd = style == 1 ? "\r\n" : "\n"
                let text = CSVWriter.text(header: nil, rows: table, delimiter: delimiter, lineEnd: lineEnd)
                #expect(Self.read(Array(text.utf8), delimiter: delimiter, chunk: chunk) == table)
                var bytes: [UInt8] = []
                for r in table { CSVWriter.append(r, delimiter: delimiter.asciiValue!, to: &bytes) }
                #expect(bytes == Array(CSVWriter.text(header: nil, rows: table, delimiter: delimiter).utf8), "the byte writer writes what the text writer writes")
            }
        }
    }

    @Test("the writer quotes only what needs it")
    func writerQuoting() {
        #expect(CSVWriter.line(["a", "b c", ""]) == "a,b c,")
        #expect(CSVWriter.line(["a,b", "say \"hi\"", "x\ny", "x\r\ny"]) == "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\"x\r\ny\"")
        #expect(CSVWriter.line([" lead", "trail ", "\u{FEFF}bom"]) == "\" lead\",\"trail \",\"\u{FEFF}bom\"")
        #expect(CSVWriter.line([""]) == "\"\"", "a lone empty field is not a blank line")
        #expect(CSVWriter.line(["a|b", "c,d"], delimiter: "|") == "\"a|b\"|c,d")
        // Vertical tab and form feed are white space too: the byte writer quotes them at an end as the text writer does.
        var bytes: [UInt8] = []
        CSVWriter.append(["\u{0B}vt", "ff\u{0C}", "mid\u{0B}dle"], to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == CSVWriter.line(["\u{0B}vt", "ff\u{0C}", "mid\u{0B}dle"]) + "\n")
        #expect(CSVWriter.line(["\u{0B}vt", "ff\u{0C}", "mid\u{0B}dle"]) == "\"\u{0B}vt\",\"ff\u{0C}\",mid\u{0B}dle")
    }

    @Test("the whole-text helpers read the same rows and key records by the header")
    func wholeText() {
        let text = "\u{FEFF}person,notes\r\nP1,\"said \"\"hi\"\",\r\nthen left\"\r\n\r\nP2,\r\n"
        #expect(CSV.rows(text) == [["person", "notes"], ["P1", "said \"hi\",\r\nthen left"], ["P2", ""]])
        let (header, records) = CSV.records(text)
        #expect(header == ["person", "notes"])
        #expect(records.map { $0["person"] } == ["P1", "P2"])
        #expect(records[1]["notes"] == "")
        #expect(CSV.records("").records.isEmpty)
        #expect(CSV.rows("a|b\n1|2", delimiter: UInt8(ascii: "|")) == [["a", "b"], ["1", "2"]])
    }

    @Test("a quote that never closes is reported on its first line and has no fields; blank lines are counted; a last line without a line end is a record")
    func unterminated() throws {
        var reader = CSVReader(ArrayByteStream(Array("a,b\n\n\"open,\nstill".utf8), chunkSize: 3))
        var rows: [CSVRow] = []
        while try reader.next() { rows.append(reader.row) }
        #expect(rows.count == 3)
        #expect(rows[0].string(1) == "b" && rows[0].line == 1)
        #expect(rows[1].unterminatedQuote && rows[1].count == 0 && rows[1].line == 3)
        #expect(rows[2].string(0) == "still" && !rows[2].unterminatedQuote)
        #expect(reader.blankLines == 1)
        #expect(CSV.rows("a,b\n\"open") == [["a", "b"]], "the whole-text helper skips the record it cannot split")
    }

    @Test("a row kept as a value holds its fields after the reader moves on")
    func rowValue() throws {
        var reader = CSVReader(ArrayByteStream(Array("x,\"y\"\"z\",\n1,,3\n".utf8), chunkSize: 2))
        var rows: [CSVRow] = []
        while try reader.next() { rows.append(reader.row) }
        #expect(rows.map { r in (0..<r.count).map { r.string($0) } } == [["x", "y\"z", ""], ["1", "", "3"]])
        #expect(rows[1].isEmpty(1) && !rows[1].isEmpty(2) && rows[1].isEmpty(7))
    }
}

/// The one JSON string escape.
@Suite("JSON text")
struct JSONTextTests {
    @Test("quotes, reverse solidus and control characters are escaped; other text is kept")
    func escapes() {
        #expect(JSONText.quoted("a\"b\\c\nd\re\tf\u{01}g é😀") == "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g é😀\"")
        #expect(JSONText.quoted("") == "\"\"")
        var out = "{"
        JSONText.append("plain é😀", to: &out)
        JSONText.append("a\"b", to: &out)
        #expect(out == "{\"plain é😀\"\"a\\\"b\"")
    }

    @Test("any string survives a round trip through a JSON parser")
    func roundTrip() async {
        let chars: [Character] = ["a", "\"", "\\", "\n", "\u{0}", "\u{1F}", "/", "é", "😀", " "]
        await propertyCheck(count: 300, input: Gen<Character?>.element(of: chars).map { $0! }.string(of: 0...12)) { s in
            let data = Data(("[" + JSONText.quoted(s) + "]").utf8)
            let back = try? JSONSerialization.jsonObject(with: data) as? [String]
            #expect(back == [s])
            var bytes: [UInt8] = []
            JSONText.append(s, toUTF8: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == JSONText.quoted(s))
        }
    }
}
