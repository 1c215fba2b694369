import Testing
@testable import UpstreamAssessment
import UpstreamModel

@Suite("police.uk files as published")
struct PoliceUKTests {
    func read(_ bytes: [UInt8], chunk: Int, file: String = "2024-01-west-midlands-street.csv", into tally: inout PoliceUKTally) throws {
        var reader = PoliceUKReader(file: file)
        try reader.read(ArrayByteStream(bytes, chunkSize: chunk), into: &tally)
    }

    @Test("every row is counted, and unusable rows are counted by reason", arguments: [1, 2, 3, 7, 64, 100_000])
    func everyRowCounted(chunk: Int) throws {
        var tally = PoliceUKTally()
        try read(PoliceUKFixture.bytes, chunk: chunk, into: &tally)
        let s = tally.summary()
        #expect(s.rows == 8)
        #expect(s.rowsUsed == 6)
        #expect(s.rowsWithoutLocation == 1)
        #expect(s.rowsWithoutCrimeID == 1)
        #expect(s.unusable == [.init(label: "fewer fields than the header", count: 1), .init(label: "month is not YYYY-MM", count: 1)])
        #expect(s.files == [.init(file: "2024-01-west-midlands-street.csv", kind: .street, rows: 8, blankLines: 1)])
        #expect(s.forces == ["West Midlands Police"])
        let m1 = YearMonth(year: 2024, month: 1)!, m2 = YearMonth(year: 2024, month: 2)!
        #expect(s.counts == [
            .init(month: m1, crimeType: "Anti-social behaviour", count: 1),
            .init(month: m1, crimeType: "Violence and sexual offences", count: 2),
            .init(month: m2, crimeType: "Robbery", count: 2),
            .init(month: m2, crimeType: "Violence and sexual offences", count: 1),
        ])
        #expect(s.topAreas == [
            .init(crimeType: "Anti-social behaviour", lsoaCode: "E01000001", lsoaName: "Birmingham 001A", count: 1),
            .init(crimeType: "Robbery", lsoaCode: "E01000001", lsoaName: "Birmingham 001A", count: 1),
            .init(crimeType: "Violence and sexual offences", lsoaCode: "E01000001", lsoaName: "Birmingham 001A", count: 2),
            .init(crimeType: "Violence and sexual offences", lsoaCode: "E01000002", lsoaName: "Birmingham 002B", count: 1),
        ])
    }

    @Test("the tokenizer unquotes fields, keeps commas and line breaks inside quotes, and drops the BOM and CRs")
    func tokenizer() throws {
        var t = CSVReader(ArrayByteStream(PoliceUKFixture.bytes))
        var rows: [[String]] = []
        while try t.next() { rows.append(t.fields) }
        #expect(rows.count == 9)
        #expect(rows[0].first == "Crime ID")
        #expect(rows[3][6] == "On or near High Street, Aston")
        #expect(rows[5][6] == "On or near \"The Crown\" pub")
        #expect(rows[6][11] == "First line\r\nsecond line, with a comma")
        #expect(rows[2][0] == "")
        #expect(rows[1][11] == "")
        #expect(t.blankLines == 1)
    }

    @Test("a last line with no line end is still a row, and one cut off inside quotes is marked")
    func lastLine() throws {
        var t = CSVReader(ArrayByteStream(Array("a,b\n1,2\n1,\"2".utf8)))
        var rows: [CSVRow] = []
        while try t.next() { rows.append(t.row) }
        #expect(rows.count == 3)
        #expect(rows[1].string(1) == "2")
        #expect(rows[2].unterminatedQuote)
    }

    @Test("outcomes and stop-and-search files are recognised by their headers")
    func otherFiles() throws {
        var tally = PoliceUKTally()
        try read(PoliceUKFixture.bytes, chunk: 4096, into: &tally)
        try read(Array(PoliceUKFixture.outcomes.utf8), chunk: 5, file: "outcomes.csv", into: &tally)
        try read(Array(PoliceUKFixture.stopAndSearch.utf8), chunk: 5, file: "stop-and-search.csv", into: &tally)
        let s = tally.summary()
        #expect(s.files.map(\.kind) == [.street, .outcomes, .stopAndSearch])
        #expect(s.outcomes?.rows == 2)
        #expect(s.outcomes?.byOutcome.count == 2)
        #expect(s.stopAndSearch?.rows == 2)
        #expect(s.stopAndSearch?.byMonth == [.init(label: "2024-01", count: 2)])
        #expect(s.stopAndSearch?.byObject == [.init(label: "Controlled drugs", count: 1), .init(label: "Offensive weapons", count: 1)])
        #expect(s.rows == 8)
    }

    @Test("a file that is not from police.uk is refused with its header named")
    func unrecognised() {
        var tally = PoliceUKTally()
        #expect(throws: AssessmentError.unrecognisedHeader(file: "x.csv", columns: ["name", "age"])) {
            try read(Array("name,age\nA,1\n".utf8), chunk: 10, file: "x.csv", into: &tally)
        }
        #expect(throws: AssessmentError.emptyFile("empty.csv")) {
            try read([], chunk: 10, file: "empty.csv", into: &tally)
        }
    }

    @Test("the assessment input has one series per crime type, and violence by area from violence and robbery")
    func input() throws {
        var tally = PoliceUKTally()
        try read(PoliceUKFixture.bytes, chunk: 4096, into: &tally)
        let input = try tally.assessmentInput()
        #expect(input.first == YearMonth(year: 2024, month: 1))
        #expect(input.months == 2)
        #expect(input.series.map(\.key) == ["Anti-social behaviour", "Robbery", "Violence and sexual offences"])
        #expect(input.series.map(\.monthly) == [[1, 0], [0, 2], [2, 1]])
        // Anti-social behaviour is not a crime: left out of the base, and its shares are 0.
        #expect(input.baseCount == 5)
        #expect(input.series.map(\.inBase) == [false, true, true])
        let a = Assessment.build(input, weights: PriorityWeights(), generated: "test")
        #expect(a.series[0].volumeShare == 0)
        #expect(a.series[1].volumeShare == 0.4 && a.series[2].volumeShare == 0.6)
        let areas = Dictionary(uniqueKeysWithValues: input.areas.map { ($0.code, $0) })
        #expect(areas["E01000001"]?.count == 3)  // two violence, one robbery
        #expect(areas["E01000002"]?.count == 1)
        // Centre of E01000001: mean of the four located rows there (-1.900, -1.902, -1.900, -1.898).
        #expect(abs((areas["E01000001"]?.longitude ?? 0) - (-1.9)) < 1e-12)
        #expect(abs((areas["E01000001"]?.latitude ?? 0) - 52.48) < 1e-12)
        let narrowed = try tally.assessmentInput(from: YearMonth(year: 2024, month: 2), to: YearMonth(year: 2024, month: 2))
        #expect(narrowed.series.map(\.monthly) == [[0], [2], [1]])
        #expect(Dictionary(uniqueKeysWithValues: narrowed.areas.map { ($0.code, $0.count) })["E01000001"] == 2)
    }

    @Test("numbers are read from bytes exactly as Double reads them", arguments: ["-1.900000", "52.48", "0", "+3.5", "12", "-0.000001"])
    func numbers(_ text: String) {
        #expect(PoliceUKTally.number(Array(text.utf8)[...]) == Double(text))
    }

    @Test("text that is not a number is not a coordinate")
    func notNumbers() {
        #expect(PoliceUKTally.number(Array("".utf8)[...]) == nil)
        #expect(PoliceUKTally.number(Array("abc".utf8)[...]) == nil)
        #expect(PoliceUKTally.number(Array("1.2.3".utf8)[...]) == nil)
    }
}
