import Foundation
import Testing
import UpstreamRisk
@testable import UpstreamReports

/// Units, intervals, the lead time's cap, hindsight and a user's own table, on the page and in the terminal.
@Suite("Risk report: units, intervals and generic tables")
struct RiskReportUnitsTests {
    /// The sample report with intervals, per-date capacity, lead times per model and a hindsight comparison.
    static func measured() -> RiskReport {
        var r = RiskSamples.report()
        for i in r.models.indices {
            r.models[i].capacityUnit = "per date: the top 1000 per 100,000 of each date's young people, pooled over 5 dates"
            r.models[i].intervals = BootstrapIntervals(unit: "person", replicates: 500, level: 0.95,
                                                       rocAUC: Interval(lower: 0.70, upper: 0.77), precision: Interval(lower: 0.17, upper: 0.25),
                                                       recall: Interval(lower: 0.14, upper: 0.21), truePositives: Interval(lower: 84, upper: 121))
            r.models[i].leadTime = LeadTimeSummary(outcomes: 10, flaggedBefore: i == 0 ? 4 : 3, monthsBefore: i == 0 ? [3, 9, 12, 20] : [3, 6, 12],
                                                   agesAtFirstFlag: [15, 15, 16, 16].prefix(i == 0 ? 4 : 3).map { $0 }, capMonths: 48,
                                                   byPerson: i == 0 ? ["YP-A": 3, "YP-B": 9, "YP-C": 12, "YP-D": 20] : ["YP-A": 3, "YP-B": 6, "YP-E": 12])
        }
        r.leadTime = r.models[0].leadTime
        r.hindsight = HindsightComparison(withHindsight: r.models, asOfDate: r.models)
        return r
    }

    @Test func theMedianLeadTimeIsOneDefinitionEverywhere() {
        #expect(LeadTimeSummary(outcomes: 4, flaggedBefore: 4, monthsBefore: [3, 9, 12, 20], agesAtFirstFlag: []).medianMonths == 10.5)
        #expect(LeadTimeSummary(outcomes: 3, flaggedBefore: 3, monthsBefore: [12, 3, 6], agesAtFirstFlag: []).medianMonths == 6)
        #expect(LeadTimeSummary(outcomes: 3, flaggedBefore: 0, monthsBefore: [], agesAtFirstFlag: []).medianMonths == nil)
        let html = RiskReportPage.html(Self.measured())
        #expect(html.contains("<span>Lead time, median</span><b>10.5 months</b>"))
        #expect(html.contains("at most 48 in this test window"))
    }

    @Test func unitsIntervalsAndTheCapAreStated() {
        let r = Self.measured()
        let html = RiskReportPage.html(r)
        #expect(XMLCheck.parse(html).error == nil, "\(XMLCheck.parse(html).error ?? "")")
        #expect(html.contains("each row is one young person at one as-of date"))
        #expect(html.contains("capacity is applied per date: the top 1000 per 100,000 of each date"))
        #expect(html.contains("from 500 bootstrap resamples of persons"))
        #expect(html.contains("0.700–0.770"))
        #expect(html.contains("102 (95% interval 84–121) of them went on to the outcome"))
        #expect(html.contains("no lead time here can exceed 48 months"))
        // Person by person against the trees: A same date, B earlier by the trees (9 vs 6), C the same; D only trees, E only the other.
        #expect(html.contains("2 flagged by both: Gradient-boosted trees earlier for 1, the same date for 1, later for 0; 2 only by Gradient-boosted trees, 1 only by this one"))
        #expect(html.contains("id=\"hindsight\""))
        let text = RiskReportText.render(r)
        #expect(text.contains("Rows are person-dates"))
        #expect(text.contains("[0.700-0.770]"))
        #expect(text.contains("capped: no lead time can exceed 48 months"))
        #expect(text.contains("Linkage with hindsight -> linkage as of each test date"))
    }

    @Test func aReportOnAUsersTableSpeaksOfRowsNotYoungPeopleOrSyntheticData() {
        var r = RiskSamples.report()
        r.generic = true
        r.flagged = []
        r.truePersonModels = []
        r.leadTime = nil
        r.card.limits = []
        r.card.intendedUse = "An analyst's check."
        r.card.data = "cohort.csv"
        let html = RiskReportPage.html(r).lowercased()
        let text = RiskReportText.render(r).lowercased()
        for page in [html, text] {
            #expect(!page.contains("young people") && !page.contains("young person") && !page.contains("synthetic"))
        }
        #expect(html.contains("held-out rows"))
    }

    @Test func anAuditThatComparedNothingSaysSo() {
        var r = RiskSamples.report()
        var f = r.fairness!
        f.attributes = f.attributes.map { AttributeAudit(attribute: $0.attribute, groups: $0.groups, disparities: []) }
        r.fairness = f
        let html = RiskReportPage.html(r)
        #expect(html.contains("Nothing could be compared"))
        #expect(!html.contains("No disparity above the bound"))
    }
}
