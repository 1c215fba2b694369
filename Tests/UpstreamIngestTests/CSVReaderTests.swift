import PropertyBased
import Testing
import UpstreamIngest
import UpstreamModel

/// Reads every record of `text` (or bytes) as arrays of fields, with each record's line and problem.
func readAll(_ bytes: [UInt8], delimiter: Character = ",", chunk: Int = 1 << 16, maxRecord: Int = 1 << 20)
    throws -> [(line: Int, fields: [String], problem: CSVProblem?)]
{
    var reader = CSVReader(
        ArrayByteStream(bytes, chunkSize: chunk),
        options: CSVOptions(delimiter: delimiter.asciiValue!, maxRecordBytes: maxRecord), chunkSize: 64)
    var out: [(Int, [String], CSVProblem?)] = []
    while try reader.next() {
        out.append((reader.line, (0..<reader.fieldCount).map(reader.field), reader.problem))
    }
    return out
}

func readAll(_ text: String, delimiter: Character = ",", chunk: Int = 1 << 16) throws -> [[String]] {
    try readAll(Array(text.utf8), delimiter: delimiter, chunk: chunk).map(\.fields)
}

@Suite struct CSVReaderTests {
    @Test func quotedFieldsHoldDelimitersQuotesAndNewlines() throws {
        let rows = try readAll("a,\"b,c\",\"say \"\"hi\"\"\"\n\"x\ny\",,z\n")
        #expect(rows == [["a", "b,c", "say \"hi\""], ["x\ny", "", "z"]])
    }

    @Test func lineNumbersCountPhysicalLinesIncludingEmbeddedNewlines() throws {
        let rows = try readAll(Array("h1,h2\n\"a\nb\",c\nd,e\n".utf8))
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test func crlfAndCrLineEndingsAreAccepted() throws {
        #expect(try readAll("a,b\r\nc,d\r\n") == [["a", "b"], ["c", "d"]])
        #expect(try readAll("a,b\rc,d") == [["a", "b"], ["c", "d"]])
        // Split exactly between CR and LF.
        #expect(try readAll("a,b\r\nc,d\r\n", chunk: 4) == [["a", "b"], ["c", "d"]])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        var reader = CSVReader(ArrayByteStream([0xEF, 0xBB, 0xBF] + Array("id,name\n1,x\n".utf8), chunkSize: 1))
        #expect(try reader.next())
        #expect(reader.field(0) == "id")
        #expect(reader.hadByteOrderMark)
    }

    @Test func pipeDelimiter() throws {
        #expect(try readAll("a|b,c|\"d|e\"\n", delimiter: "|") == [["a", "b,c", "d|e"]])
    }

    @Test func blankLinesAreSkippedAndCounted() throws {
        var reader = CSVReader(ArrayByteStream(Array("a\n\n\r\nb\n".utf8)))
        var seen: [String] = []
        while try reader.next() { seen.append(reader.field(0)) }
        #expect(seen == ["a", "b"])
        #expect(reader.blankLines == 2)
    }

    @Test func lastRecordWithoutNewlineAndTrailingEmptyField() throws {
        #expect(try readAll("a,b\nc,") == [["a", "b"], ["c", ""]])
    }

    @Test func emptyInputHasNoRecords() throws {
        #expect(try readAll("").isEmpty)
        #expect(try readAll(Array([0xEF, 0xBB, 0xBF])).isEmpty)
    }

    @Test func unbalancedQuoteIsReportedAsOneLineAndReadingResumes() throws {
        let rows = try readAll(Array("id,name\n1,\"open\n2,ok\n3,fine\n".utf8))
        #expect(rows.count == 4)
        #expect(rows[1].problem == .unbalancedQuote)
        #expect(rows[1].line == 2)
        #expect(rows[2].fields == ["2", "ok"])
        #expect(rows[2].line == 3)
        #expect(rows[3].fields == ["3", "fine"])
    }

    @Test func unbalancedQuoteStopsAtTheRecordLimit() throws {
        var text = "1,\"never closed\n"
        for i in 0..<50 { text += "\(i),row\n" }
        let rows = try readAll(Array(text.utf8), chunk: 7, maxRecord: 64)
        #expect(rows[0].problem == .unbalancedQuote)
        #expect(rows[1].fields == ["0", "row"])
        #expect(rows.count == 51)
    }

    @Test func textAfterClosingQuoteIsFlaggedMalformed() throws {
        let rows = try readAll(Array("\"ab\"cd,e\nf,g\n".utf8))
        #expect(rows[0].problem == .malformedQuote)
        #expect(rows[1].problem == nil)
        #expect(rows[1].fields == ["f", "g"])
    }

    @Test func overlongRecordIsTruncatedAndSkipped() throws {
        let long = String(repeating: "x", count: 500)
        let rows = try readAll(Array("a,b\n\(long)\nc,d\n".utf8), chunk: 13, maxRecord: 100)
        #expect(rows.count == 3)
        #expect(rows[1].problem == .recordTooLong)
        #expect(rows[2].fields == ["c", "d"])
        #expect(rows[2].line == 3)
    }

    @Test func rawBytesAreTheRecordAsDelivered() throws {
        var reader = CSVReader(ArrayByteStream(Array("a,\"b\"\"c\"\r\nd\n".utf8), chunkSize: 3))
        #expect(try reader.next())
        #expect(String(decoding: reader.raw, as: UTF8.self) == "a,\"b\"\"c\"")
        #expect(try reader.next())
        #expect(String(decoding: reader.raw, as: UTF8.self) == "d")
    }

    @Test func latin1BytesAreInvalidUTF8() throws {
        // "Zoë" written in Latin-1 inside an otherwise UTF-8 file.
        var reader = CSVReader(ArrayByteStream(Array("ok,é\n".utf8) + [0x5A, 0x6F, 0xEB, 0x2C, 0x31, 0x0A]))
        #expect(try reader.next())
        #expect(reader.isValidUTF8)
        #expect(try reader.next())
        #expect(!reader.isValidUTF8)
    }

    // MARK: Properties

    static let fieldCharacters: [Character] = [
        "a", "Z", "0", " ", ",", "|", ";", "\t", "\"", "\n", "\r\n", "é", "ß", "漢", "😀", "\u{301}", "'", "x",
    ]
    static let field = Gen<Character?>.element(of: fieldCharacters).map { $0! }.string(of: 0...6)
    static let record = field.array(of: 1...5)
    static let table = record.array(of: 1...6)

    @Test func writtenFieldsReadBackUnchanged() async throws {
        await propertyCheck(count: 300, input: Self.table, Gen.int(in: 1...17), Gen<Character?>.element(of: [",", "|", ";", "\t"]).map { $0! }) { table, chunk, delimiter in
            // A record of one empty field is indistinguishable from a blank line, so write it quoted.
            let text = table.map { rec in
                rec == [""] ? "\"\"" : CSVWriter.line(rec, delimiter: delimiter)
            }.joined(separator: "\r\n") + "\n"
            let back = try readAll(Array(text.utf8), delimiter: delimiter, chunk: chunk)
            #expect(back.map(\.fields) == table)
            #expect(back.allSatisfy { $0.problem == nil })
        }
    }

    @Test func quotingEveryFieldAlsoReadsBack() async throws {
        await propertyCheck(count: 200, input: Self.table, Gen.int(in: 1...9)) { table, chunk in
            let text = table.map { rec in
                rec.map { "\"" + $0.replacingOccurrencesOfQuote() + "\"" }.joined(separator: ",")
            }.joined(separator: "\n")
            let back = try readAll(Array(text.utf8), chunk: chunk)
            #expect(back.map(\.fields) == table)
        }
    }
}

extension String {
    func replacingOccurrencesOfQuote() -> String {
        var out = String.UnicodeScalarView()
        for u in unicodeScalars {
            out.append(u)
            if u == "\"" { out.append(u) }
        }
        return String(out)
    }
}
