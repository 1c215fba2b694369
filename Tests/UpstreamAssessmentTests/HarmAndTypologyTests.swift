import Testing
import UpstreamModel
@testable import UpstreamAssessment

@Suite("Typology and harm")
struct HarmAndTypologyTests {
    @Test("a crime is assigned every typology its code and flags give")
    func typologies() {
        let domesticKnife = Typology.of(code: "8N", flags: [.domesticAbuse, .knife], youngParty: false, serious: true)
        #expect(domesticKnife == [.allViolence, .familyIntimate, .domesticAbuse, .knife])
        let street = Typology.of(code: "8N", flags: [.knife, .nightTimeEconomy], youngParty: true, serious: true)
        #expect(street == [.allViolence, .community, .publicPlace, .knife, .nightTimeEconomy, .seriousYouthViolence])
        #expect(Typology.of(code: "8K", flags: [], youngParty: false, serious: false).contains(.fgm))
        #expect(Typology.of(code: "106", flags: [], youngParty: false, serious: false).contains(.modernSlavery))
        #expect(Typology.of(code: "9B", flags: [], youngParty: false, serious: false) == [.hate])
        #expect(Typology.of(code: "62A", flags: [], youngParty: false, serious: false) == [.collective])
        #expect(Typology.of(code: "10D", flags: [], youngParty: false, serious: false) == [.knife])
        #expect(Typology.of(code: "46", flags: [], youngParty: false, serious: false).isEmpty)
        #expect(Typology.of(code: "19C", flags: [.childSexualExploitation], youngParty: false, serious: false) == [.allViolence, .community, .cse])
        #expect(Typology.of(code: "34B", flags: [.honourBased], youngParty: false, serious: false) == [.allViolence, .community, .publicPlace, .honourBased])
    }

    @Test("codes are found however the store writes them")
    func codes() {
        #expect(OffenceTable.offence("8n")?.subgroup == "Violence with injury")
        #expect(OffenceTable.offence(" 008N ")?.code == "8N")
        #expect(OffenceTable.offence("4.1")?.subgroup == "Homicide")
        #expect(OffenceTable.offence("ZZZ") == nil)
    }

    @Test("harm and cost weights come from the CCHI medians and the Home Office unit costs")
    func weights() {
        #expect(OffenceTable.harmDays(code: "8N") == 365)
        #expect(OffenceTable.harmDays(code: "19C") == 2555)
        #expect(OffenceTable.harmDays(code: "28E") == 273.5)
        #expect(OffenceTable.harmDays(code: "10D") == 273.75)
        #expect(OffenceTable.cost(code: "8N") == 14_050)
        #expect(OffenceTable.cost(code: "105A") == nil)
    }

    @Test("a police.uk type's harm is its subgroups' CCHI days weighted by the West Midlands 2017/18 mix")
    func policeUKWeights() {
        // Robbery: 34A business (910 × 365) and 34B personal (6,552 × 365): 365 either way.
        #expect(OffenceTable.policeUKHarmDays("Robbery") == 365)
        // Cost: only personal robbery has a published cost: 6,552 × 11,320 / 7,462 = 9,939.59… (business robbery counts £0).
        #expect(abs(OffenceTable.policeUKCost("Robbery")! - 6_552.0 * 11_320 / 7_462) < 1e-6)
        // Possession of weapons: every code is in the one subgroup, 273.75.
        #expect(OffenceTable.policeUKHarmDays("possession of weapons") == 273.75)
        #expect(OffenceTable.policeUKHarmDays("Anti-social behaviour") == nil)
        // Violence and sexual offences sits between violence without injury (10) and homicide (5,475).
        let v = OffenceTable.policeUKHarmDays("Violence and sexual offences")!
        #expect(v > 100 && v < 500)
    }

    @Test("harm share against volume share: a few grave crimes outweigh many minor ones")
    func shares() throws {
        let m = YearMonth(year: 2024, month: 1)!
        let input = AssessmentInput(
            source: "test", first: m, months: 1,
            series: [
                SeriesInput(key: "a", title: "A", framework: "", who: "", rule: "", confidence: "high", hiddenHarm: nil, vulnerability: 3,
                            isThreat: true, monthly: [90], harmDays: 900, costGBP: 0, costed: 0),
                SeriesInput(key: "b", title: "B", framework: "", who: "", rule: "", confidence: "high", hiddenHarm: nil, vulnerability: 3,
                            isThreat: true, monthly: [10], harmDays: 9_100, costGBP: 140_500, costed: 10),
            ],
            baseLabel: "all", baseCount: 100, baseHarmDays: 10_000, areas: [])
        let a = Assessment.build(input, weights: PriorityWeights(), generated: "test")
        #expect(a.series[0].volumeShare == 0.9 && a.series[0].harmShare == 0.09)
        #expect(a.series[1].volumeShare == 0.1 && a.series[1].harmShare == 0.91)
        #expect(a.series[1].harmPerCrime == 910)
        #expect(a.series[1].costCoverage == 1)
    }
}
