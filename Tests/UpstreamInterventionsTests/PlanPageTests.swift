import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import UpstreamInterventions
import UpstreamReports

@Suite("The business case page")
struct PlanPageTests {
    final class Collector: NSObject, XMLParserDelegate {
        var names: [String] = []
        var error: String?
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) { names.append(elementName) }
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            error = "line \(parser.lineNumber), column \(parser.columnNumber): \(parseError)"
        }
    }

    @Test("is well-formed, offline, and shows the plan, curve, marginal return, tornado, fairness and sources")
    func page() throws {
        let catalogue = try CatalogueLoader.load(yaml: tinyCatalogueYAML())
        let rows = (0..<30).map { candidate("p\($0)<&>", risk: 0.05 + Double($0) / 100, f1: 2, f2: 1, sex: $0 % 2 == 0 ? "F" : "M") }
        let plan = try PlanBuilder.build(catalogue: catalogue, candidates: CandidateTable(columns: ["f1", "f2"], rows: rows),
                                         settings: PlanSettings(budget: Money(pounds: 4000), monteCarloDraws: 50))
        let html = PlanPage.html(plan)
        let parser = XMLParser(data: Data(html.utf8))
        let c = Collector()
        parser.delegate = c
        #expect(parser.parse(), "\(c.error ?? "")")
        #expect(c.names.filter { $0 == "svg" }.count == 3)  // mix bar, curve, tornado
        #expect(!html.contains("<script") && !html.contains("src=\"http"))
        for heading in ["Programme mix", "Harm averted against budget", "Marginal return", "Sensitivity (tornado)", "Offers against need",
                        "Assumptions and sources", "Offers, not decisions"] {
            #expect(html.contains(heading), "\(heading)")
        }
        #expect(html.contains("p29&lt;&amp;&gt;"))  // names are escaped
        #expect(html.contains("test outcome"))     // the assumptions carry the catalogue's words
    }

    @Test("the demo's index shows the plan's headline and links to the business case, with the price year")
    func indexCard() throws {
        let catalogue = try CatalogueLoader.load(yaml: tinyCatalogueYAML())
        let rows = (0..<30).map { candidate("p\($0)", risk: 0.05 + Double($0) / 100, f1: 2, f2: 1, sex: $0 % 2 == 0 ? "F" : "M") }
        let plan = try PlanBuilder.build(catalogue: catalogue, candidates: CandidateTable(columns: ["f1", "f2"], rows: rows),
                                         settings: PlanSettings(budget: Money(pounds: 4000), asOf: "2024-01-01", monteCarloDraws: 50))
        var report = DemoReport(title: "t", generatedAt: "2026-01-01", people: 1000, seed: 1, sources: [], quarantine: [], linkage: nil,
                                cases: [], notes: [])
        #expect(!IndexPage.html(report).contains("The intervention plan"))
        report.plan = DemoReport.PlanLink(plan: plan, href: "plan/business-case.html")
        let html = IndexPage.html(report)
        #expect(html.contains("<h2>The intervention plan</h2>"))
        #expect(html.contains("href=\"plan/business-case.html\""))
        #expect(html.contains(plan.totals.cost.wholePounds) && html.contains(plan.budget.wholePounds))
        #expect(html.contains("\(plan.priceYear) prices"))
        #expect(html.contains("as of 2024-01-01"))
        // The card survives a round trip through the report's JSON.
        let back = try JSONDecoder().decode(DemoReport.self, from: JSONEncoder().encode(report))
        #expect(back.plan?.offers == plan.totals.offers)
    }
}
