import Foundation
import PropertyBased
import Testing

@testable import UpstreamRisk

@Suite struct TabularCSVTests {
    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "id,note\r\n1,\"a, \"\"quoted\"\"\r\nline\"\r\n2,plain\r\n"
        let table = try TabularCSV.parse(text)
        #expect(table.header == ["id", "note"])
        #expect(table.rows == [["1", "a, \"quoted\"\r\nline"], ["2", "plain"]])
        // The second row starts on line 4: the first spans lines 2 and 3.
        #expect(table.lines == [2, 4])
    }

    @Test func byteOrderMarkBlankLinesAndNoFinalNewline() throws {
        let data = Data([0xEF, 0xBB, 0xBF] + Array("a,b\n\n1,2\n3,4".utf8))
        let table = try TabularCSV.parse(data)
        #expect(table.header == ["a", "b"])
        #expect(table.rows == [["1", "2"], ["3", "4"]])
        #expect(table.lines == [3, 4])
    }

    @Test(arguments: [
        ("a,b\n1,2,3\n", TabularError.fieldCount(line: 2, expected: 2, found: 3)),
        ("a,b\n1,\"2\n", TabularError.unterminatedQuote(line: 2)),
        ("a,b\n1,\"x\"y\n", TabularError.textAfterQuote(line: 2)),
        ("", TabularError.empty),
    ])
    func malformedFilesNameTheLine(text: String, error: TabularError) {
        #expect(throws: error) { try TabularCSV.parse(text) }
    }

    @Test("a quote inside an unquoted field is text, as pandas and R read it; quoted fields keep delimiters and newlines")
    func quotesAsPandasReadsThem() throws {
        let table = try TabularCSV.parse("a,b,c\r\n1,x\"y,\"p,q\"\r\n2,\"two\nlines\",\"say \"\"hi\"\"\"\r\n")
        #expect(table.rows == [["1", "x\"y", "p,q"], ["2", "two\nlines", "say \"hi\""]])
        #expect(table.lines == [2, 3])
    }

    @Test func missingValueTokens() {
        for token in ["", " ", "NA", "na", "NaN", "null", "NULL", ".", "N/A", "#N/A"] { #expect(TabularCSV.isMissing(token)) }
        for token in ["0", "none", "N"] { #expect(!TabularCSV.isMissing(token)) }
        #expect(TabularCSV.number(" 2.5 ") == 2.5)
        #expect(TabularCSV.number("inf") == nil && TabularCSV.number("1e308") == nil && TabularCSV.number("1e29") == 1e29)
        #expect(TabularCSV.outcome("Yes") == 1 && TabularCSV.outcome("FALSE") == 0 && TabularCSV.outcome("2") == nil)
    }

    // MARK: Properties

    static let characters: [Character] = ["a", "Z", "7", " ", ",", "\"", "\n", "\r\n", "é", "漢", "😀", "\u{301}", "."]
    static let field = Gen<Character?>.element(of: characters).map { $0! }.string(of: 0...6)

    @Test func renderedTablesParseBackUnchanged() async throws {
        await propertyCheck(
            count: 300, input: Self.field.array(of: 3).array(of: 0...6), Self.field.array(of: 1).array(of: 0...4)
        ) { rows, single in
            let header = ["a", "b b", "c,\"c\""]
            let back = try TabularCSV.parse(TabularCSV.render(header: header, rows: rows))
            #expect(back.header == header)
            #expect(back.rows == rows)
            // One column: an empty field must not read as a blank line.
            let one = try TabularCSV.parse(TabularCSV.render(header: ["x"], rows: single))
            #expect(one.rows == single)
        }
    }
}

@Suite struct TabularEncoderTests {
    let table = TabularCSV.Table(
        header: ["age", "borough", "sex", "outcome"],
        rows: [
            ["12", "North", "F", "1"], ["13", "North", "M", "0"], ["NA", "South", "F", "0"], ["15", "", "M", "yes"],
            ["16", "East", "", "no"], [".", "North", "F", "0"], ["14", "South", "M", "true"],
            ["12", "South", "F", "0"],
        ])

    @Test func numericAndCategoricalColumnsAreEncoded() throws {
        let encoder = try TabularEncoder.fit(table, features: ["age", "borough"], minimumLevelCount: 2)
        // North and South are seen 3 times each (kept); East once (→ other); one missing borough.
        #expect(
            encoder.featureNames == [
                "age", "borough=North", "borough=South", "borough=other", "borough=missing",
            ])
        #expect(encoder.sourceColumns == ["age", "borough", "borough", "borough", "borough"])
        let columns = try encoder.encode(table)
        #expect(columns[0][0] == 12 && columns[0][2].isNaN && columns[0][5].isNaN)
        #expect(columns[1] == [1, 1, 0, 0, 0, 1, 0, 0])
        #expect(columns[2] == [0, 0, 1, 0, 0, 0, 1, 1])
        #expect(columns[3] == [0, 0, 0, 0, 1, 0, 0, 0])
        #expect(columns[4] == [0, 0, 0, 1, 0, 0, 0, 0])
    }

    @Test func unseenLevelsEncodeAsOtherAndTheEncoderIsCodable() throws {
        let encoder = try TabularEncoder.fit(table, features: ["borough", "sex"], minimumLevelCount: 2)
        let back = try JSONDecoder().decode(TabularEncoder.self, from: JSONEncoder().encode(encoder))
        #expect(back == encoder)
        let fresh = TabularCSV.Table(header: ["sex", "borough"], rows: [["X", "West"], ["", "North"]])
        let columns = try back.encode(fresh)
        let names = back.featureNames
        func value(_ feature: String, _ row: Int) -> Float { columns[names.firstIndex(of: feature)!][row] }
        #expect(value("borough=other", 0) == 1 && value("borough=North", 0) == 0)
        #expect(value("sex=other", 0) == 1)
        #expect(value("borough=North", 1) == 1)
        #expect(value("sex=missing", 1) == 1)
        #expect(throws: TabularError.unknownColumn("borough")) {
            try back.encode(TabularCSV.Table(header: ["sex"], rows: [["F"]]))
        }
    }

    @Test func badOutcomeRowsAreReportedNotDropped() throws {
        let text = """
            id,x,sex,outcome
            p1,1,F,1
            p2,2,M,maybe
            p3,3,F,
            p4,4,M,0
            p5,5,F,0
            p6,6,M,1
            """
        let table = try TabularCSV.parse(text)
        let (rows, labels, problems) = TabularRisk.usableRows(table, outcome: "outcome", score: nil)
        #expect(rows == [0, 3, 4, 5] && labels == [1, 0, 0, 1])
        #expect(
            problems == [
                RowProblem(line: 3, column: "outcome", kind: .invalidOutcome),
                RowProblem(line: 4, column: "outcome", kind: .missingOutcome),
            ])
        #expect(problems[0].description == "line 3, column outcome: outcome is not 0/1, true/false or yes/no")
    }
}

@Suite struct TabularRiskTests {
    /// A cohort whose outcome depends on `x` and on `area`; `sex` is protected and has no effect.
    static func cohort(n: Int, seed: UInt64) -> TabularCSV.Table {
        var rng = Metrics.SeededGenerator(seed: seed)
        var rows: [[String]] = []
        for i in 0..<n {
            let x = Double.random(in: -2..<2, using: &rng)
            let area = ["A", "B", "C"][Int.random(in: 0..<3, using: &rng)]
            let sex = Bool.random(using: &rng) ? "F" : "M"
            let margin = -1 + 1.5 * x + (area == "C" ? 1 : 0)
            let y = Double.random(in: 0..<1, using: &rng) < 1 / (1 + exp(-margin))
            rows.append(["p\(i / 2)", String(format: "%.3f", x), area, sex, y ? "1" : "0"])
        }
        rows[5][4] = "?"
        return TabularCSV.Table(header: ["id", "x", "area", "sex", "outcome"], rows: rows)
    }

    @Test func trainExcludesProtectedColumnsUnlessAskedAndAuditsThem() throws {
        let table = Self.cohort(n: 2_000, seed: 1)
        let result = try TabularRisk.train(
            table,
            options: .init(outcome: "outcome", protected: ["sex"], id: "id", capacityPerHundredThousand: 10_000))
        // Levels are ordered by frequency, so compare as a set.
        #expect(result.model.featureNames.first == "x")
        #expect(Set(result.model.featureNames) == ["x", "area=A", "area=B", "area=C", "area=other"])
        #expect(result.problems == [RowProblem(line: 7, column: "outcome", kind: .invalidOutcome)])
        #expect(result.evaluation.rows == 1_999)
        #expect(try #require(result.evaluation.rocAUC) > 0.75)
        #expect(result.evaluation.capacity?.flagged == 200)
        let sex = try #require(result.fairness?.attributes.first)
        #expect(sex.attribute == "sex" && sex.groups.map(\.group) == ["F", "M"])

        let withSex = try TabularRisk.train(
            table, options: .init(outcome: "outcome", features: ["x", "sex"], protected: ["sex"]))
        #expect(Set(withSex.model.featureNames) == ["x", "sex=F", "sex=M", "sex=other"])
    }

    @Test func auditReadsAScoreColumn() throws {
        let text =
            "score,outcome,group\n"
            + (0..<40).map { i in
                "\(Double(i) / 40),\(i >= 30 ? 1 : 0),\(i % 2 == 0 ? "a" : "b")"
            }.joined(separator: "\n") + "\n,1,a\n"
        let result = try TabularRisk.audit(
            try TabularCSV.parse(text), score: "score", outcome: "outcome", protected: ["group"], threshold: 0.75)
        #expect(result.problems == [RowProblem(line: 42, column: "score", kind: .missingScore)])
        #expect(result.evaluation.rocAUC == 1)
        #expect(result.fairness.attributes.first?.groups.count == 2)
        #expect(throws: TabularError.unknownColumn("nope")) {
            try TabularRisk.audit(try TabularCSV.parse(text), score: "nope", outcome: "outcome", protected: [])
        }
    }
}
