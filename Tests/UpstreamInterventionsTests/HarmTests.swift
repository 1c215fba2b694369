import Testing
@testable import UpstreamInterventions

@Suite("Cost of harm and discounting")
struct HarmTests {
    @Test("one serious violence offence costs the recorded mix of Home Office unit costs: £602,677,090 / 35,048 = £17,195.76")
    func costPerOffence() throws {
        let c = try CatalogueLoader.load(yaml: try shippedCatalogueText())
        // (41 × £3,200,000 + 27,545 × £14,050 + 7,462 × £11,320) / 35,048 offences (hand-computed).
        #expect(c.harm.costPerOffenceAtSourcePrices == Money(pounds: 17195.76))
        #expect(try c.harm.costPerOffence(deflator: c.deflator, priceYear: "2015/16") == Money(pounds: 17195.76))
        // CCHI: (41 × 5,475 + 35,007 × 365) / 35,048 = 370.98 days.
        #expect(abs(c.harm.harmIndexDaysPerOffence - 370.9778) < 0.001)
    }

    @Test("the deflator moves prices by the ratio of index values, and a missing year is an error")
    func deflator() throws {
        let d = Deflator(series: "test", source: "test", index: ["2015/16": 80, "2023/24": 100])
        #expect(try d.factor(from: "2015/16", to: "2023/24") == 1.25)
        #expect(try d.factor(from: "2015/16", to: "2015/16") == 1)
        #expect(throws: InterventionsError.self) { try d.factor(from: "2015/16", to: "2024/25") }
        var h = try CatalogueLoader.load(yaml: try shippedCatalogueText()).harm
        h.offences = [OffenceHarm(name: "x", codes: [], weight: 1, unitCost: Money(pounds: 14050), unitCostNote: "", cchiDays: 365)]
        #expect(try h.costPerOffence(deflator: d, priceYear: "2023/24") == Money(pounds: 17562.50))
    }

    @Test("harm spread evenly over two years at 3.5% is worth 0.96637 of its undiscounted value")
    func discounting() {
        // (1 − 1.035^−2) / (2 · ln 1.035), hand-computed.
        #expect(abs(Discounting.spreadFactor(rate: 0.035, years: 2) - 0.966374159) < 1e-8)
        #expect(Discounting.spreadFactor(rate: 0, years: 2) == 1)
        #expect(abs(Discounting.factor(rate: 0.035, years: 1) - 1 / 1.035) < 1e-12)
        // Spread harm is worth more than harm all at the end and less than harm now.
        let f = Discounting.spreadFactor(rate: 0.035, years: 5)
        #expect(f < 1 && f > Discounting.factor(rate: 0.035, years: 5))
    }
}
