import Testing
import UpstreamModel
@testable import UpstreamInterventions

/// The closed loop's reading of a synthetic city's truth, and the stand-in risk model, against hand-made tables.
@Suite("Closed loop: the city's truth and the stand-in risk model")
struct ClosedLoopTruthTests {
    let asOf = CivilDate(year: 2021, month: 1, day: 1)!
    let end = CivilDate(year: 2023, month: 1, day: 1)!
    let people = """
        person_id,date_of_birth,sex,ethnicity,deprivation_decile
        P1,2008-05-01,M,White,1
        P2,2006-02-01,F,Asian,10
        P3,2000-01-01,M,White,3
        P4,2009-01-01,M,Black,4
        P5,2007-01-01,F,White,
        """
    let aces = "person_id,ace,onset_date\nP1,domestic_abuse,2015-01-01\nP1,parental_prison,2022-01-01\nP2,neglect,2010-06-01\nP2,domestic_abuse,2012-06-01\n"
    let outcomes = "person_id,date_of_birth,sex,ace_count,first_serious_violence_offender,first_serious_violence_victim\nP1,,,,2021-06-01,\nP4,,,,2020-12-31,\nP5,,,,2023-01-01,\n"

    @Test("the cohort is 10-17 at the date with no offence before it; ACEs count only those begun before the date")
    func cohort() {
        let c = ClosedLoopCohort(people: people, aces: aces, outcomes: outcomes, asOf: asOf, horizonEnd: end)
        // P3 is 21; P4 offended the day before the date.
        #expect(c.people.map(\.id) == ["P1", "P2", "P5"])
        let p1 = c.people[0], p2 = c.people[1], p5 = c.people[2]
        #expect(p1.age == 12 && p1.aces == 1 && p1.outcome && p1.deprivation == "Q1")
        #expect(p2.age == 14 && p2.aces == 2 && !p2.outcome && p2.deprivation == "Q5")
        // An offence on the horizon's end falls outside it; a missing decile is unknown.
        #expect(!p5.outcome && p5.deprivation == "unknown")
        let truth = TruthOutcomes(csv: outcomes)
        #expect(truth.firstOffence(of: "P1", from: asOf, to: end) && !truth.firstOffence(of: "P5", from: asOf, to: end))
        #expect(truth.offendedBefore("P4", asOf) && !truth.offendedBefore("P1", asOf) && !truth.offendedBefore("P9", asOf))
    }

    @Test("the stand-in's rate in a cell is shrunk towards the overall rate with the weight of 20 young people")
    func cellModel() {
        // 40 girls aged 14-17 with no ACEs, 4 offended; 60 boys aged 10-13 with one ACE, none offended.
        func person(_ i: Int, sex: String, age: Int, aces: Int, outcome: Bool) -> ClosedLoopCohort.Person {
            .init(id: "P\(i)", age: age, sex: sex, ethnicity: "x", deprivation: "Q1", aces: aces, outcome: outcome)
        }
        let training = (0..<40).map { person($0, sex: "F", age: 15, aces: 0, outcome: $0 < 4) } + (40..<100).map { person($0, sex: "M", age: 11, aces: 1, outcome: false) }
        let m = CellRiskModel(training)
        #expect(abs(m.overall - 0.04) < 1e-12)
        // (4 + 20 × 0.04) / (40 + 20) = 0.08; (0 + 0.8) / 80 = 0.01; an empty cell gets the overall rate.
        #expect(abs(m.risk(person(0, sex: "F", age: 16, aces: 0, outcome: false)) - 0.08) < 1e-12)
        #expect(abs(m.risk(person(0, sex: "M", age: 12, aces: 1, outcome: false)) - 0.01) < 1e-12)
        #expect(abs(m.risk(person(0, sex: "M", age: 16, aces: 5, outcome: false)) - 0.04) < 1e-12)
    }

    @Test("candidates and outcomes from CSV, with errors naming the line and column")
    func csv() throws {
        let t = try CandidateTable.parse(csv: "person,score,age,sex,f1\nYP-1,0.2,14,F,3\nYP-2,0.1,,,\n", name: "s.csv")
        #expect(t.columns == ["f1"] && t.rows.count == 2 && t.rows[0].features == [3] && t.rows[1].features[0].isNaN && t.rows[1].sex == "unknown")
        #expect(throws: InterventionsError.input("s.csv line 2, column score", "'1.5' is not a probability between 0 and 1")) {
            try CandidateTable.parse(csv: "person,score\nYP-1,1.5\n", name: "s.csv")
        }
        let rows = try ProgrammeEvaluation.rows(csv: "person,programme,score,outcome\nA,mentoring,0.2,1\nB,,0.1,0\n", name: "o.csv")
        #expect(rows.count == 2 && rows[0].programme == "mentoring" && rows[1].programme == nil && rows[0].outcome == 1)
        #expect(throws: InterventionsError.self) { try ProgrammeEvaluation.rows(csv: "person,programme,score,outcome\nA,,0.2,2\n", name: "o.csv") }
    }
}
