import Foundation
import Testing
@testable import UpstreamInterventions

@Suite("Intervention catalogue")
struct CatalogueTests {
    @Test("the shipped catalogue loads: five programmes have every figure, four are listed with their gaps")
    func shipped() throws {
        let c = try shippedCatalogue()
        // price_year: latest is the deflator file's latest calendar year.
        #expect(c.priceYear == "2024")
        #expect(c.discountRate == 0.035)
        #expect(c.plannable.map(\.id) == ["focused-deterrence", "mentoring", "pre-court-diversion", "trauma-therapy", "social-skills"])
        let gaps = c.programmes.filter { !$0.isPlannable }
        #expect(gaps.map(\.id) == ["ae-navigator", "family-therapy", "cbt", "after-school"])
        #expect(gaps.allSatisfy { !$0.gaps.isEmpty })
        let mentoring = try #require(c.programmes.first { $0.id == "mentoring" })
        #expect(mentoring.cost?.central == Money(pounds: 11903))
        #expect(mentoring.effect.planning?.proxy == false)
        #expect(mentoring.effect.planning?.estimate.point == 0.21)
        let fd = try #require(c.programmes.first { $0.id == "focused-deterrence" })
        #expect(fd.effect.planning?.proxy == true)
        #expect(fd.cost?.central == Money(pounds: 1850))
    }

    @Test("every need of the shipped catalogue names a real risk feature")
    func shippedFeatures() throws {
        let c = try shippedCatalogue()
        let names = Set(c.programmes.flatMap { $0.needs.map(\.feature) })
        #expect(names.contains("police_gang_flag"))
        #expect(names.contains("ed_assault_5y"))
    }

    @Test("a bad entry gets one message per problem, naming the entry and the key")
    func badEntry() throws {
        var yaml = tinyCatalogueYAML()
        yaml = yaml.replacingOccurrences(of: "violence: {point: 0.5, low: 0.4, high: 0.6", with: "violence: {point: 0.5, low: 0.7, high: 0.6")
        yaml = yaml.replacingOccurrences(of: "places: 2\n  - id: b", with: "places: many\n  - id: b")
        yaml = yaml.replacingOccurrences(of: "cost: {low: 2000, high: 3000, source: \"test\"}", with: "")
        do {
            _ = try CatalogueLoader.load(yaml: yaml, knownFeatures: ["f1"])
            Issue.record("expected an error")
        } catch let e as InterventionsError {
            let text = e.description
            #expect(text.contains("catalogue entry 'a' key effect.violence: needs low ≤ point ≤ high"))
            #expect(text.contains("catalogue entry 'a' key places: must be a whole number"))
            #expect(text.contains("catalogue entry 'b' key cost: is missing"))
            #expect(text.contains("catalogue entry 'b' key needs[0].feature: 'f2' is not a risk feature"))
            #expect(text.contains("4 problems"))
        }
    }

    @Test("the same id twice is an error")
    func duplicateID() {
        let yaml = tinyCatalogueYAML().replacingOccurrences(of: "- id: b", with: "- id: a")
        #expect(throws: InterventionsError.self) { try CatalogueLoader.load(yaml: yaml) }
    }

    @Test("YAML that does not parse says so")
    func notYAML() {
        #expect(throws: InterventionsError.self) { try CatalogueLoader.load(yaml: "programmes: [unclosed") }
    }
}

@Suite("Money")
struct MoneyTests {
    @Test("amounts are whole pence and print with thousands separators")
    func format() {
        #expect(Money(pounds: 1_234_567).description == "£1,234,567")
        #expect(Money(pounds: 11.52).description == "£11.52")
        #expect(Money(pounds: 0.05).description == "£0.05")
        #expect(Money(pounds: -1500).description == "-£1,500")
        #expect(Money(pounds: 1999.5).wholePounds == "£2,000")
        #expect(Money(pounds: 0.1) + Money(pounds: 0.2) == Money(pounds: 0.3))
    }

    @Test("budgets parse from the forms people type", arguments: [
        ("2000000", 200_000_000), ("2,000,000", 200_000_000), ("£2m", 200_000_000), ("1.5m", 150_000_000), ("250k", 25_000_000),
        ("11.52", 1152),
    ] as [(String, Int64)])
    func parse(text: String, pence: Int64) {
        #expect(Money.parse(text) == Money(pence: pence))
    }

    @Test("nonsense is not a budget")
    func parseBad() {
        #expect(Money.parse("lots") == nil)
        #expect(Money.parse("-5") == nil)
    }
}
