import Foundation
import Testing
import UpstreamModel
@testable import UpstreamAssessment

@Suite("People, the Craig pattern, priorities and small-number suppression")
struct PeopleAndPriorityTests {
    @Test("victims and suspects by age and sex, young people's share and repeat victimisation")
    func people() {
        var inv: [Involvement] = []
        // Person P1 (16, male) is a victim of three crimes; P2 (30, female) of one; suspects S1 (19) in two crimes, S2 (40).
        for c in ["c1", "c2", "c3"] { inv.append(Involvement(person: "P1", crime: c, role: .victim, age: 16, sex: .male)) }
        inv.append(Involvement(person: "P2", crime: "c4", role: .victim, age: 30, sex: .female))
        inv.append(Involvement(person: "S1", crime: "c1", role: .suspect, age: 19, sex: .male))
        inv.append(Involvement(person: "S1", crime: "c2", role: .offender, age: 19, sex: .male))
        inv.append(Involvement(person: "S2", crime: "c4", role: .suspect, age: 40, sex: .male))
        inv.append(Involvement(person: "W", crime: "c4", role: .witness, age: 40, sex: .male))
        let p = PeopleFigures.of(inv, linked: true)
        #expect(p.victimisations == 4 && p.suspectInvolvements == 3)
        #expect(p.victims == 2)
        // Counts this small are suppressed, and so are their shares.
        #expect(p.repeatVictims.count.value == 1 && p.repeatVictims.share == nil)
        #expect(p.repeatVictimisations.count.value == 2 && p.repeatVictimisations.count.text == "fewer than 5")
        #expect(p.youngVictims.count.value == 3 && p.youngVictims.of == 4)
        #expect(p.youngSuspects.count.value == 2 && p.youngSuspects.of == 3)
        #expect(p.cells.first { $0.role == "victim" && $0.ageBand == "10–17" && $0.sex == "male" }?.count.value == 3)
    }

    @Test("repeat victimisation shares when counts are large enough to show")
    func repeats() {
        var inv: [Involvement] = []
        for i in 0..<20 { inv.append(Involvement(person: "V\(i)", crime: "a\(i)", role: .victim, age: 20, sex: .female)) }
        for i in 0..<6 { inv.append(Involvement(person: "V\(i)", crime: "b\(i)", role: .victim, age: 20, sex: .female)) }
        let p = PeopleFigures.of(inv, linked: false)
        // 20 victims, 6 of them twice: 6/20 repeat victims; 26 victimisations, 6 repeats.
        #expect(p.repeatVictims.share == 0.3)
        #expect(abs(p.repeatVictimisations.share! - 6.0 / 26) < 1e-12)
    }

    @Test("the Craig pattern summarises ACEs, first contact and prior demand")
    func craig() {
        var cases: [CraigCase] = []
        for i in 0..<10 {
            cases.append(CraigCase(
                aces: i < 6 ? [.domesticViolence, .parentalSeparation] : [], ageAtViolence: 16 + i % 3,
                firstContactAgency: i < 7 ? .school : .socialCare, firstContactAge: 5 + i, yearsBefore: Double(10 - i),
                priorContacts: [.school: 3, .police: i < 5 ? 1 : 0]))
        }
        let c = CraigPattern.of(cases)
        #expect(c.offenders == 10)
        #expect(c.withAnyACE.share == 0.6)
        #expect(c.aces.first { $0.ace == ACE.domesticViolence.title }?.people.share == 0.6)
        #expect(c.withFourOrMoreACEs.count.value == 0)
        #expect(c.firstContact.first?.agency == "Schools")
        #expect(c.firstContact.first?.people.share == 0.7)
        // School first contact at ages 5…11: median 8; years before 10…4: median 7.
        #expect(c.firstContact.first?.medianAge == 8)
        #expect(c.firstContact.first?.medianYearsBefore == 7)
        // Social care's group has 3 people: suppressed, so no medians either.
        #expect(c.firstContact[1].people.count.isSuppressed && c.firstContact[1].medianAge == nil)
        #expect(c.medianAgeFirstContact == 9.5)
        #expect(c.demand.first { $0.agency == "Schools" }?.recordsPerPerson == 3)
        #expect(c.demand.first { $0.agency == "Police" }?.people.share == 0.5)
    }

    @Test("small counts are written as \"fewer than 5\", zero and five or more as numbers")
    func suppression() throws {
        #expect(SmallCount(0).text == "0")
        #expect(SmallCount(1).text == "fewer than 5")
        #expect(SmallCount(4).text == "fewer than 5")
        #expect(SmallCount(5).text == "5")
        #expect(SmallCount(12345).text == "12,345")
        let json = String(decoding: try JSONEncoder().encode([SmallCount(3), SmallCount(7)]), as: UTF8.self)
        #expect(json == "[\"fewer than 5\",7]")
        #expect(SmallShare(4, of: 10).share == nil)
        #expect(SmallShare(5, of: 10).share == 0.5)
    }

    @Test("priority scores follow the printed formula")
    func priorities() throws {
        let threats = [
            ThreatEvidence(title: "Grave", vulnerability: 5, hiddenHarm: true, count: 10, harmPerCrime: 1000, harmShare: 0.5,
                           volumeShare: 0.01, trend: nil, confidence: "medium"),
            ThreatEvidence(title: "Common", vulnerability: 3, hiddenHarm: false, count: 1000, harmPerCrime: 10, harmShare: 0.5,
                           volumeShare: 0.99, trend: nil, confidence: "high"),
        ]
        let w = PriorityWeights(harm: 0.5, likelihood: 0.3, vulnerability: 0.2)
        let r = PriorityScoring.rank(threats, weights: w)
        // Grave: harm 5, likelihood 1, vulnerability 5 → risk (2.5 + 0.3 + 1)/1 = 3.8; × 0.9 × 3/3 = 3.42.
        // Common: harm 1, likelihood 5, vulnerability 3 → risk 0.5 + 1.5 + 0.6 = 2.6; × 1.0 = 2.6.
        #expect(r.map(\.threat) == ["Grave", "Common"])
        #expect(abs(r[0].priorityScore - 3.42) < 1e-12)
        #expect(abs(r[1].priorityScore - 2.6) < 1e-12)
        #expect(r[0].evidence.contains { $0.contains("hidden harm") })
        #expect(try PriorityWeights.parse("harm=0.5,likelihood=0.3,vulnerability=0.2,position=4").organisationalPosition == 4)
        #expect(throws: AssessmentError.self) { try PriorityWeights.parse("harm=x") }
        #expect(throws: AssessmentError.self) { try PriorityWeights.parse("speed=1") }
    }
}
