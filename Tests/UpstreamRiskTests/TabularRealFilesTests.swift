import Testing
@testable import UpstreamRisk

/// Real files: repeated header names, cells that are not numbers, small files whose folds are single-class, and
/// missing group labels handled the same way by training and audits.
@Suite("Real CSV files")
struct TabularRealFilesTests {
    /// 200 rows: x predicts y; `g` is a protected group with some "NA".
    func table(header: String = "id,x,g,y", extra: (Int) -> String = { _ in "" }) throws -> TabularCSV.Table {
        var csv = header + "\n"
        for i in 0..<200 {
            let x = Double(i % 20)
            csv += "R\(i),\(x),\(i % 7 == 0 ? "NA" : (i % 2 == 0 ? "F" : "M")),\(x >= 14 && i % 3 != 0 ? 1 : 0)\(extra(i))\n"
        }
        return try TabularCSV.parse(csv)
    }

    @Test func aRepeatedNameWithIdenticalValuesIsReadOnceWithANote() throws {
        let t = try table(header: "id,x,g,y,x", extra: { i in ",\(Double(i % 20))" })
        let p = try TabularRisk.prepare(t, options: .init(outcome: "y", protected: ["g"], id: "id"))
        #expect(p.features == ["x"])
        #expect(p.notes.contains { $0.contains("column x appears 2 times") && $0.contains("read once") })
    }

    @Test func aRepeatedNameThatIsNotUsedIsIgnoredWithANote() throws {
        let t = try table(header: "id,x,g,y,z,z", extra: { i in ",\(i),\(i + 1)" })
        let p = try TabularRisk.prepare(t, options: .init(outcome: "y", features: ["x"], protected: ["g"], id: "id"))
        #expect(p.notes.contains { $0.contains("column z") && $0.contains("not used") })
    }

    @Test func aRepeatedNameWhoseCopiesDifferIsRefusedOnlyWhenUsed() throws {
        let t = try table(header: "id,x,g,y,x", extra: { i in ",\(i == 5 ? 99.0 : Double(i % 20))" })
        #expect(throws: TabularError.duplicateColumnDiffers("x", line: 7)) {
            try TabularRisk.prepare(t, options: .init(outcome: "y", protected: ["g"], id: "id"))
        }
        #expect(TabularError.duplicateColumnDiffers("x", line: 7).description.contains("rename one"))
        // Not used: fine.
        let t2 = try table(header: "id,w,g,y,w", extra: { i in ",\(i)" })
        let p = try TabularRisk.prepare(t2, options: .init(outcome: "y", features: ["g"], id: "id"))
        #expect(p.notes.count == 1)
    }

    @Test func cellsThatAreNotNumbersBecomeMissingAndAreCounted() throws {
        var csv = "x,y\n"
        for i in 0..<100 { csv += "\(i == 3 ? "N/A" : i == 4 ? "inf" : i == 5 ? "1e308" : String(i)),\(i % 2)\n" }
        let t = try TabularCSV.parse(csv)
        let e = try TabularEncoder.fit(t, features: ["x"])
        #expect(e.columns[0].kind == .numeric)
        #expect(e.columns[0].notNumbers == 2)  // inf and 1e308; N/A is an ordinary missing value
        #expect(e.notes == ["column x: 2 cells not a usable number (such as inf, an overflowing value or text) read as missing"])
        let x = try e.encode(t)[0]
        #expect(x[3].isNaN && x[4].isNaN && x[5].isNaN && x[6] == 6)
        // A mostly-text column stays a category.
        var words = "c,y\n"
        for i in 0..<100 { words += "\(i % 3 == 0 ? "7" : ["red", "blue"][i % 2]),\(i % 2)\n" }
        let w = try TabularEncoder.fit(try TabularCSV.parse(words), features: ["c"], minimumLevelCount: 1)
        #expect(w.columns[0].kind != .numeric)
    }

    @Test func aSingleClassFoldIsExplainedAsAFoldNotTheFile() throws {
        let t = try TabularCSV.parse("x,y\n1,0\n2,0\n3,1\n")
        do {
            _ = try TabularRisk.prepare(t, options: .init(outcome: "y", folds: 3))
            Issue.record("expected an error")
        } catch let e as TabularError {
            #expect(e.description.contains("folds train on rows that all have the same outcome"))
            #expect(e.description.contains("--folds"))
        }
    }

    @Test func anAuditOnAnAllMissingScoreSaysTheScoreIsTheProblem() throws {
        let t = try TabularCSV.parse("s,y,g\nNaN,0,A\nNaN,1,B\n,0,A\n")
        #expect(throws: TabularError.noUsableScore(column: "s")) {
            try TabularRisk.audit(t, score: "s", outcome: "y", protected: ["g"])
        }
    }

    @Test func trainingAndAuditReadMissingGroupsTheSameWay() throws {
        let t = try table()
        let trained = try TabularModels.train(t, options: .init(outcome: "y", protected: ["g"], id: "id", capacityPerHundredThousand: 10_000),
                                              trees: GBTParameters(maxIterations: 20, minSamplesLeaf: 5))
        let trainGroups = Set(try #require(trained.report.fairness).attributes[0].groups.map(\.group))
        var csv = "s,y,g\n"
        for (i, row) in t.rows.enumerated() { csv += "\(Double(i % 10) / 10),\(row[3]),\(row[2])\n" }
        let audit = try TabularRisk.audit(try TabularCSV.parse(csv), score: "s", outcome: "y", protected: ["g"], threshold: 0.5)
        let auditGroups = Set(audit.fairness.attributes[0].groups.map(\.group))
        #expect(trainGroups == ["F", "M", "unknown"])
        #expect(trainGroups == auditGroups)
        #expect(trained.report.generic == true)
    }

    @Test func aThresholdThatFlagsEveryoneOrNobodyIsRefused() throws {
        let t = try TabularCSV.parse("s,y,g\n0.1,0,A\n0.9,1,B\n0.5,0,A\n")
        #expect(throws: TabularError.self) { try TabularRisk.audit(t, score: "s", outcome: "y", protected: ["g"], threshold: -1) }
        #expect(throws: TabularError.self) { try TabularRisk.audit(t, score: "s", outcome: "y", protected: ["g"], threshold: 2) }
    }
}
