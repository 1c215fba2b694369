import Testing
import UpstreamRisk
@testable import UpstreamReports

@Suite("Risk report text")
struct RiskReportTextTests {
    let text = RiskReportText.render(RiskSamples.report())
    var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    @Test func titleNoticeAndHeadline() {
        #expect(text.hasPrefix("Serious violence risk model: evaluation\n=======================================\n"))
        #expect(text.contains("*** Scores are offers of support for a practitioner to review, never automatic decisions."))
        #expect(text.contains("finds 52 (precision 10.8%, recall 9.0%): the model finds 50 more for the same number of offers."))
    }

    @Test func modelsTableIsAlignedWithCapacityCounts() throws {
        let header = try #require(lines.firstIndex { $0.hasPrefix("  model") && $0.contains("precision@cap") })
        let rows = lines[(header + 2)...].prefix { !$0.isEmpty }
        #expect(rows.count == 3)
        let end = lines[header].count
        for r in rows { #expect(r.count == end, "misaligned: \(r)") }   // right-aligned last column
        #expect(rows.first?.hasPrefix("  Gradient-boosted trees") == true)
        #expect(rows.first?.hasSuffix("482  21.2% (102/482)  17.6% (102/579)") == true)
        #expect(rows.last?.contains("0.661   0.041       –") == true)
    }

    @Test func linkageLeadTimeAndFairnessFlags() {
        #expect(text.contains("0.735 -> 0.752"))
        #expect(text.contains("102 -> 113"))
        #expect(text.contains("Lead time: 212 of 579 who went on to the outcome were flagged before it (36.6%)"))
        #expect(text.contains("  median 14 months before (range 1-66)"))
        #expect(text.contains("  median age at first flag 15 (range 11-17)"))
        #expect(text.contains("  FLAG  ethnicity: false positive rate Black 0.0183 vs White 0.0067, ratio 2.72"))
        #expect(XMLCheck.occurrences(of: "  FLAG  ", in: text) == 4)
        #expect(text.contains("suppressed (fewer than 50): sex = not recorded, ethnicity = Other"))
    }

    @Test func topFlaggedWithFirstReasons() {
        #expect(text.contains("Flagged at the latest date: 6. Offers of support to review, not decisions."))
        #expect(text.contains("     1  KESTREL-4821   15  41.2%  Permanently excluded from school, April 2016 (+0.92); Father imprisoned, March 2014 (+0.71)"))
        #expect(text.contains("Missing from home 4 times in 2018 & twice in 2019 (+0.84)"))
        #expect(!text.contains("−"))   // ASCII minus only
        let short = RiskReportText.render(RiskSamples.report(), top: 2)
        #expect(short.contains("Flagged at the latest date: 6 (top 2 shown)."))
        #expect(!short.contains("HERON-7730"))
    }

    @Test func controlCharactersAreDropped() {
        var r = RiskSamples.report()
        r.flagged[0].reasons[0].text = "evil\u{1B}[2Jclear"
        let t = RiskReportText.render(r)
        #expect(!t.unicodeScalars.contains("\u{1B}"))
        #expect(t.contains("evil[2Jclear"))
    }
}
