import Testing
import UpstreamModel
@testable import UpstreamReports

@Suite("Demo index page")
struct IndexPageTests {
    let report = Samples.demo()
    var page: String { IndexPage.html(report) }

    @Test func pageAndChartsAreWellFormedXML() {
        let html = page
        #expect(XMLCheck.parse(html).error == nil, "\(XMLCheck.parse(html).error ?? "")")
        let svgs = XMLCheck.svgFragments(html)
        #expect(svgs.count == 2)
        for svg in svgs { #expect(XMLCheck.parse(svg).error == nil) }
        #expect(!html.contains("<script"))
        #expect(!html.contains("https://"))
    }

    @Test func everyCaseLinksToItsChronology() {
        let html = page
        let hrefs = XMLCheck.parse(html).elements.filter { $0.name == "a" }.compactMap { $0.attributes["href"] }
        for c in report.cases {
            #expect(hrefs.contains(c.href), "missing \(c.href)")
            #expect(html.contains(">\(c.pseudonym)</a>"))
        }
        #expect(html.contains("<td>2004-02-10</td><td class=\"n\">0</td><td><span class=\"swatch\" style=\"background:#d55e00\"></span>Emergency departments</td>"))
        #expect(html.contains("<td class=\"n\">15.5</td>"))   // years from earliest contact to first serious violence
    }

    @Test func barsPerAgencyAndQuarantineByReason() {
        let html = page
        let bars = XMLCheck.parse(XMLCheck.svgFragments(html)[0]).elements.compactMap { $0.attributes["data-agency"] }
        #expect(bars == ["school", "police", "health", "social_care", "youth_justice"])   // largest first
        #expect(html.contains("Police: 77,967 loaded, 343 quarantined"))
        #expect(html.contains("<td>school_census</td><td>invalid date</td><td>dob</td><td class=\"n\">410</td>"))
        #expect(html.contains("<td>police_crime</td><td>unparseable row</td><td>–</td>"))
    }

    @Test func thresholdSweepChart() {
        let elements = XMLCheck.parse(XMLCheck.svgFragments(page)[1]).elements
        #expect(elements.compactMap { $0.attributes["data-series"] } == ["precision", "recall", "f1"])
        #expect(elements.filter { $0.name == "polyline" }.count == 3)
        #expect(elements.contains { $0.attributes["class"] == "current-threshold" })
        #expect(page.contains("threshold 0.90</text>"))
        #expect(page.contains("<td>F1</td><td class=\"n\">0.9671</td>"))
    }

    @Test func headlineFiguresAndNotes() {
        let html = page
        #expect(html.contains("<span>Rows read</span><b>234,710</b>"))
        #expect(html.contains("<span>Cases</span><b>3</b>"))
        #expect(html.contains("<li>Counts are from a synthetic city; small counts are shown unrounded.</li>"))
    }

    @Test func hostileCaseIsEscapedAndSchemesAreRefused() {
        var r = Samples.demo(cases: [
            DemoReport.Case(pseudonym: "<script>x</script>", href: "javascript:alert(1)", sex: nil, birthYear: nil, recordedACEs: 1,
                            firstSeriousViolence: nil, ageAtFirstSeriousViolence: nil, earliestContact: nil, ageAtEarliestContact: nil,
                            earliestAgency: nil),
            DemoReport.Case(pseudonym: "A&B", href: "chronology/a\"b<c>.html", sex: .female, birthYear: 2001, recordedACEs: 2,
                            firstSeriousViolence: nil, ageAtFirstSeriousViolence: nil, earliestContact: nil, ageAtEarliestContact: nil,
                            earliestAgency: nil),
        ])
        r.title = "Demo </title><script>"
        r.notes = ["<img src=x>"]
        r.quarantine.append(.init(source: "<s>", reason: "bad&worse", field: "\"f\"", count: 1))
        let html = IndexPage.html(r)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("javascript:"))
        #expect(html.contains("href=\"#\""))
        #expect(html.contains("href=\"chronology/a&quot;b&lt;c&gt;.html\""))
        #expect(html.contains("A&amp;B</a>"))
        #expect(XMLCheck.parse(html).error == nil)
    }

    @Test func noLinkageNoCases() {
        var r = Samples.demo(cases: [])
        r.linkage = nil
        r.quarantine = []
        let html = IndexPage.html(r)
        #expect(XMLCheck.parse(html).error == nil)
        #expect(XMLCheck.svgFragments(html).count == 1)
        #expect(html.contains("No linkage evaluation in this run."))
        #expect(html.contains("No young person in this city went on to serious violence."))
    }
}
