import Foundation
import Testing
import UpstreamRisk
@testable import UpstreamReports

@Suite("Risk report page")
struct RiskReportPageTests {
    let report = RiskSamples.report()
    var page: String { RiskReportPage.html(report, links: RiskSamples.links) }

    @Test func pageAndChartsAreWellFormedAndSelfContained() {
        let html = page
        #expect(XMLCheck.parse(html).error == nil, "\(XMLCheck.parse(html).error ?? "")")
        let svgs = XMLCheck.svgFragments(html)
        for svg in svgs { #expect(XMLCheck.parse(svg).error == nil) }
        let classes = svgs.compactMap { XMLCheck.parse($0).elements.first?.attributes["class"] }
        // ROC, PR and calibration for the linked and the true persons, two histograms, a dot plot per attribute.
        for chart in ["roc", "pr", "calibration-chart"] { #expect(classes.filter { $0 == chart }.count == 2, "\(chart)") }
        #expect(classes.contains("lead-months") && classes.contains("lead-ages"))
        #expect(classes.filter { $0 == "fairness-dots" }.count == 2)
        #expect(classes.filter { $0 == "contribution" }.count == 19)   // one bar per reason, raising or lowering
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        #expect(!html.contains("https://"))
        #expect(!html.contains("@import") && !html.contains("url("))
        // Element ids (chart titles, sections) are unique.
        let ids = XMLCheck.parse(html).elements.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count)
        for link in XMLCheck.parse(html).elements.filter({ $0.name == "a" }).compactMap({ $0.attributes["href"] }) where link.hasPrefix("#") {
            #expect(ids.contains(String(link.dropFirst())), "dangling \(link)")
        }
    }

    @Test func sectionsInOrder() throws {
        let html = page
        var last = html.startIndex
        for heading in ["1. Headline", "2. Models side by side", "3. Linked persons against the city", "4. Lead time", "5. Fairness audit",
                        "6. Young people flagged", "7. Model card"] {
            let r = try #require(html.range(of: "<h2>" + heading), "missing \(heading)")
            #expect(r.lowerBound > last, "\(heading) out of order")
            last = r.lowerBound
        }
    }

    @Test func headlineInPlainWordsWithTheNotice() {
        let html = page
        #expect(html.contains("<div class=\"notice\" role=\"note\"><b>Offers of support, not decisions.</b> Scores are offers of support for a practitioner to review, never automatic decisions."))
        #expect(html.contains("<span>Best-ranking model</span><b>Gradient-boosted trees</b><span>PR AUC 0.104 · ROC AUC 0.735</span>"))
        #expect(html.contains("<span>Precision at capacity</span><b>21.2%</b><span>102 of 482 flagged had the outcome</span>"))
        #expect(html.contains("<span>Recall at capacity</span><b>17.6%</b><span>102 of 579 outcomes found</span>"))
        #expect(html.contains("<span>ACE-count rule (today)</span><b>10.8% · 9.0%</b>"))
        #expect(html.contains("<span>Lead time, median</span><b>14 months</b>"))
        #expect(html.contains("<div class=\"fact sv\"><span>Fairness flags</span><b>4</b>"))
        #expect(html.contains("With capacity to offer support to 1,000 in every 100,000, it would flag 482 young people. 102 of them went on to the outcome (precision 21.2%): 102 of the 579 who did (recall 17.6%)."))
        #expect(html.contains("The ACE-count rule practitioners use today, at the same capacity, finds 52 (precision 10.8%, recall 9.0%): the model finds 50 more for the same number of offers."))
        #expect(html.contains("Of the 579 young people who went on to the outcome, 212 (36.6%) were flagged before it, a median of 14 months before, at a median age of 15."))
    }

    @Test func modelsTableWithCountsBehindTheRates() {
        let html = page
        #expect(html.contains("<th class=\"n\">Flagged at capacity (1,000 per 100,000)</th>"))
        #expect(html.contains("<tr class=\"best\"><td><b>Gradient-boosted trees</b> <span class=\"tag\">best</span></td><td class=\"n\">48,210</td><td class=\"n\">579</td><td class=\"n\">0.735</td><td class=\"n\">0.104</td><td class=\"n\">0.0112</td><td class=\"n\">482</td><td class=\"n\">21.2% <span class=\"k\">(102/482)</span></td><td class=\"n\">17.6% <span class=\"k\">(102/579)</span></td><td class=\"n\">0.082</td></tr>"))
        // A rule without probabilities: no Brier score, a whole-number cut-off.
        #expect(html.contains("<td class=\"n\">0.661</td><td class=\"n\">0.041</td><td class=\"n\">–</td><td class=\"n\">482</td><td class=\"n\">10.8% <span class=\"k\">(52/482)</span></td><td class=\"n\">9.0% <span class=\"k\">(52/579)</span></td><td class=\"n\">4</td>"))
        #expect(html.contains("<span class=\"tag today\">practice today</span>"))
        // Calibration bins of the best model, with the counts.
        #expect(html.contains("<tr><td>0.5%–1%</td><td class=\"n\">12,050</td><td class=\"n\">75</td><td class=\"n\">0.59%</td><td class=\"n\">0.62%</td></tr>"))
    }

    @Test func chartsHaveAxesLegendsReferencesAndDistinctStyles() throws {
        let svgs = XMLCheck.svgFragments(page)
        let roc = try #require(svgs.first { $0.contains("class=\"roc\"") })
        let elements = XMLCheck.parse(roc).elements
        #expect(elements.compactMap { $0.attributes["data-series"] } == ["gbt", "logistic", "ace_count"])
        let lines = elements.filter { $0.name == "polyline" }
        #expect(lines.count == 3)
        #expect(Set(lines.compactMap { $0.attributes["stroke"] }).count == 3)
        #expect(Set(lines.map { $0.attributes["stroke-dasharray"] ?? "solid" }).count == 3)
        #expect(roc.contains(">false positive rate</text>") && roc.contains(">true positive rate (recall)</text>"))
        #expect(roc.contains(">chance (AUC 0.5)</text>") && roc.contains("class=\"reference\""))
        #expect(roc.contains(">Gradient-boosted trees · AUC 0.735</text>"))
        #expect(roc.contains(">at capacity (1,000 per 100,000)</text>"))
        #expect(roc.contains(">40%</text>") && roc.contains(">100%</text>"))
        #expect(elements.filter { $0.name == "g" && $0.attributes["class"] == "marks" }.count == 1)

        let pr = try #require(svgs.first { $0.contains("class=\"pr\"") })
        #expect(pr.contains(">prevalence 1.2% (no skill)</text>"))
        #expect(pr.contains(">Logistic regression · AP 0.085</text>"))

        let cal = try #require(svgs.first { $0.contains("class=\"calibration-chart\"") })
        let calElements = XMLCheck.parse(cal).elements
        // The ACE count gives no probabilities: only the two models are drawn, each point sized by its bin's count.
        #expect(calElements.compactMap { $0.attributes["data-series"] } == ["gbt", "logistic"])
        #expect(cal.contains(">perfect calibration</text>"))
        #expect(cal.contains("Gradient-boosted trees, band 0.5%–1%: 12,050 people, 75 outcomes; predicted 0.59%, observed 0.62%"))
        #expect(cal.contains("class=\"weight-strip\""))
        #expect(cal.contains(">30%</text>"))   // axes to the largest rate, not to 100%
    }

    @Test func linkageCostOnTheTruePersons() {
        let html = page
        #expect(html.contains("<tr><td>Gradient-boosted trees</td><td class=\"n\">0.735 → 0.752 <span class=\"k\">(+0.017)</span></td>"))
        #expect(html.contains("<tr><td>ACE count (practice today)</td><td class=\"n\">0.661 → 0.675 <span class=\"k\">(+0.014)</span></td><td class=\"n\">0.041 → 0.046 <span class=\"k\">(+0.005)</span></td><td class=\"n\">–</td>"))
        #expect(html.contains("17.6% → 19.3% <span class=\"k\">(+1.7 pts)</span>"))
        #expect(html.contains("102 → 113 <span class=\"k\">(+11)</span>"))
        #expect(html.contains("<td class=\"n\">47,880</td>"))
    }

    @Test func linkageSectionWithoutTruth() {
        var r = report
        r.truePersonModels = []
        let html = RiskReportPage.html(r)
        #expect(html.contains("Not available: the true persons are known only in a synthetic city"))
        #expect(XMLCheck.svgFragments(html).filter { $0.contains("class=\"roc\"") }.count == 1)
        #expect(XMLCheck.parse(html).error == nil)
    }

    @Test func leadTimeFiguresAndHistograms() throws {
        let html = page
        #expect(html.contains("<span>Flagged before it</span><b>212</b><span>36.6% of them</span>"))
        #expect(html.contains("<span>Months before, median</span><b>14</b><span>range 1–66</span>"))
        #expect(html.contains("<span>Age at first flag, median</span><b>15</b><span>range 11–17</span>"))
        let months = try #require(XMLCheck.svgFragments(html).first { $0.contains("class=\"lead-months\"") })
        let bars = XMLCheck.parse(months).elements.filter { $0.attributes["class"] == "bar" }
        #expect(bars.count == 12)   // 0–5 … 66–71, six months a bar
        #expect(months.contains(">50</text>"))   // the axis ends on a round tick above the tallest bar (46)
        #expect(months.contains("<title>0–5: 46</title>"))
        let ages = try #require(XMLCheck.svgFragments(html).first { $0.contains("class=\"lead-ages\"") })
        #expect(ages.contains("<title>15: 52</title>"))
    }

    @Test func fairnessTablesSuppressionAndFlags() throws {
        let html = page
        let flags = try #require(report.fairness?.flags)
        #expect(flags.count == 4)
        for f in flags { #expect(html.contains("<li class=\"flag\">⚑ \(Markup.escape(f))</li>")) }
        #expect(html.contains("ethnicity: false positive rate Black 0.0183 vs White 0.0067, ratio 2.72"))
        #expect(html.contains("<b>⚑ 4 disparities above the bound of 1.25.</b>"))
        #expect(html.contains("<tr class=\"suppressed\"><td>not recorded</td><td colspan=\"9\">suppressed (fewer than 50)</td></tr>"))
        #expect(html.contains("<tr class=\"suppressed\"><td>Other</td><td colspan=\"9\">suppressed (fewer than 50)</td></tr>"))
        #expect(html.contains("<tr><td>Black</td><td class=\"n\">4,100</td><td class=\"n\">62</td><td class=\"n\">2.15%</td><td class=\"n\">1.83%</td><td class=\"n\">77.4%</td><td class=\"n\">15.9%</td><td class=\"n\">1.51%</td><td class=\"n\">1.72%</td><td class=\"n\">0.702</td></tr>"))
        #expect(html.contains("<tr class=\"over\"><td>False positive rate</td><td>Black 1.83%</td><td>White 0.67%</td><td class=\"n\">2.72</td><td class=\"n\">–</td><td><span class=\"flag\">⚑ above 1.25</span></td></tr>"))
        #expect(html.contains("<tr><td>False negative rate</td>"))   // within the bound: not flagged
        #expect(html.contains("<td>Calibration (observed ÷ predicted)</td>"))
        // The dot plots: flagged panels marked, suppressed groups listed without a dot.
        let dots = XMLCheck.svgFragments(html).filter { $0.contains("class=\"fairness-dots\"") }
        #expect(dots.count == 2)
        let ethnicity = XMLCheck.parse(dots[1]).elements
        let flaggedPanels = ethnicity.filter { $0.attributes["class"] == "panel flagged" }.compactMap { $0.attributes["data-measure"] }
        #expect(flaggedPanels == ["selection_rate", "false_positive_rate", "positive_predictive_value"])
        #expect(dots[1].contains(">suppressed (fewer than 50)</text>"))
        #expect(ethnicity.filter { $0.name == "circle" }.count == 16)   // 4 groups × 4 measures
        // In a flagged panel the two groups behind the disparity are red, the others are not.
        #expect(dots[1].contains("fill=\"#c1121f\" stroke=\"#fff\" stroke-width=\"1\"><title>Black: False positive rate 1.8%</title>"))
        #expect(dots[1].contains("fill=\"#1d2329\" stroke=\"#fff\" stroke-width=\"1\"><title>Asian: False positive rate 0.73%</title>"))
    }

    @Test func flaggedPeopleLinkedWithReasonsEscaped() {
        let html = page
        #expect(html.contains("<td class=\"n\">1</td><td><a href=\"chronology/KESTREL-4821.html\">KESTREL-4821</a></td><td class=\"n\">15</td><td class=\"n\">41.2%</td>"))
        #expect(html.contains("<td>OSPREY-1093</td>"))   // no chronology link given
        #expect(html.contains("<td class=\"n\">–</td><td class=\"n\">17.6%</td>"))   // age unknown
        #expect(html.contains("<span class=\"c\">+0.92</span> Permanently excluded from school, April 2016</li>"))
        #expect(html.contains("<li class=\"down\">"))
        #expect(html.contains("<span class=\"c\">−0.22</span> No emergency department attendance in the last 2 years</li>"))
        #expect(html.contains("Missing from home 4 times in 2018 &amp; twice in 2019"))
        #expect(html.contains("Domestic abuse in the household &lt;reported by police&gt;, 2011–2015"))
        #expect(html.contains("Suspended 5 times, &quot;persistent disruptive behaviour&quot;"))
        #expect(html.contains("(O&#39;Brien household)"))
        #expect(!html.contains("<reported by police>"))
    }

    @Test func modelCardInFull() {
        let html = page
        #expect(html.contains("<dt>Intended use</dt><dd>Rank young people for a practitioner to consider offering early, voluntary support"))
        #expect(html.contains("<li>Enforcement, arrest, stop and search or any criminal justice decision</li>"))
        #expect(html.contains("<dt>Features (14)</dt>"))
        #expect(html.contains("<dt>Safeguards</dt><dd><ul><li>Every flag is reviewed by a practitioner before any contact</li>"))
        #expect(html.contains("<dt>Data</dt><dd>Linked records from police, schools, health, children&#39;s social care"))
    }

    @Test func hostileTextIsEscapedAndSchemesRefused() {
        var r = report
        r.title = "Risk </title><script>alert(1)</script>"
        r.models[0].name = "<img src=x onerror=y>"
        r.card.notFor.append("<b>bold</b>")
        r.fairness?.attributes[0].groups[0].group = "F & \"quoted\""
        r.flagged[0].key = "<KEY>"
        let html = RiskReportPage.html(r, links: ["<KEY>": "javascript:alert(1)", "OSPREY-1093": "chronology/a\"b.html"])
        #expect(XMLCheck.parse(html).error == nil, "\(XMLCheck.parse(html).error ?? "")")
        for svg in XMLCheck.svgFragments(html) { #expect(XMLCheck.parse(svg).error == nil) }
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>bold"))
        #expect(!html.contains("javascript:"))
        #expect(html.contains("<a href=\"#\">&lt;KEY&gt;</a>"))
        #expect(html.contains("<a href=\"chronology/a&quot;b.html\">OSPREY-1093</a>"))
        #expect(html.contains("F &amp; &quot;quoted&quot;"))
    }

    @Test func emptyReportStillRenders() {
        let r = RiskReport(title: "Empty", card: RiskSamples.card(), models: [], truePersonModels: [], fairness: nil, leadTime: nil, flagged: [])
        let html = RiskReportPage.html(r)
        #expect(XMLCheck.parse(html).error == nil)
        #expect(html.contains("No model was evaluated in this run."))
        #expect(html.contains("No lead-time analysis in this run."))
        #expect(html.contains("No fairness audit in this run."))
        #expect(html.contains("Nobody is within capacity at the latest date."))
        #expect(html.contains("Offers of support, not decisions."))
    }

    @Test(arguments: [(0.3125, "31.3%"), (0.0042, "0.42%"), (0.0, "0.0%"), (1.0, "100.0%"), (0.01, "1.0%")])
    func ratesAsPercentages(x: Double, expected: String) {
        #expect(Markup.rate(x) == expected)
    }

    @Test func missingValuesShowADash() {
        #expect(Markup.rate(nil) == "–")
        #expect(Markup.fixed(nil as Double?, 3) == "–")
        #expect(Markup.signed(0.5, 2) == "+0.50")
        #expect(Markup.signed(-0.5, 2) == "−0.50")
        #expect(Chart.percentLabel(0.005) == "0.5%")
        #expect(Chart.percentLabel(0.25) == "25%")
        #expect(RiskReportPage.median([3, 1, 2, 10]) == 2.5)
        #expect(RiskReportPage.median([]) == nil)
    }
}

@Suite("Risk report in a real browser", .enabled(if: Chromium.path != nil,
    "chromium is not on PATH: install the Debian package `chromium` (.ci/run does) to render the pages to PNG"))
struct RiskReportBrowserTests {
    @Test func riskReportRendersToANonBlankPNG() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("upstream-risk-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let blank = dir.appendingPathComponent("blank.html")
        try Data("<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><title>blank</title></head><body></body></html>".utf8).write(to: blank)
        let page = dir.appendingPathComponent("risk.html")
        try Data(RiskReportPage.html(RiskSamples.report(), links: RiskSamples.links).utf8).write(to: page)

        let blankPNG = try await Chromium.screenshot(blank, in: dir, name: "blank")
        let png = try await Chromium.screenshot(page, in: dir, name: "risk")
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 30_000, "\(png.count) bytes looks blank")
        #expect(png.count > 5 * blankPNG.count)
        #expect(Chromium.distinctBytes(png) > 200)
        if let keep = ProcessInfo.processInfo.environment["UPSTREAM_REPORTS_KEEP_PNG"] {
            try? png.write(to: URL(fileURLWithPath: keep).appendingPathComponent("risk.png"))
            try? FileManager.default.contents(atPath: page.path)?.write(to: URL(fileURLWithPath: keep).appendingPathComponent("risk.html"))
            try? Data(RiskReportText.render(RiskSamples.report()).utf8).write(to: URL(fileURLWithPath: keep).appendingPathComponent("risk.txt"))
        }
    }
}
