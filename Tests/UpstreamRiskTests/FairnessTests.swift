import Foundation
import Testing

@testable import UpstreamRisk

@Suite struct FairnessTests {
    /// Rows for one group from its confusion matrix at threshold 0.5: flagged rows score 0.8, the others 0.2.
    static func rows(_ group: String, tp: Int, fp: Int, tn: Int, fn: Int) -> [(String, Double, UInt8)] {
        Array(repeating: (group, 0.8, 1), count: tp) + Array(repeating: (group, 0.8, 0), count: fp)
            + Array(repeating: (group, 0.2, 0), count: tn) + Array(repeating: (group, 0.2, 1), count: fn)
    }

    // A: TP 3, FP 1, TN 6, FN 2. B: TP 2, FP 2, TN 7, FN 1. C: 3 rows; 2 rows with no group recorded.
    let data =
        rows("A", tp: 3, fp: 1, tn: 6, fn: 2) + rows("B", tp: 2, fp: 2, tn: 7, fn: 1)
        + rows("C", tp: 1, fp: 1, tn: 1, fn: 0) + rows("", tp: 0, fp: 0, tn: 2, fn: 0)

    func audit(threshold: Double?) -> FairnessReport {
        FairnessAudit.audit(
            subject: "test", scores: data.map(\.1), labels: data.map(\.2),
            attributes: [(name: "group", groups: data.map(\.0))], threshold: threshold)
    }

    @Test func groupRatesMatchTheHandCountedConfusion() throws {
        let report = audit(threshold: 0.5)
        let groups = try #require(report.attributes.first).groups
        #expect(groups.map(\.group) == ["A", "B", "C", "unknown"])
        let a = groups[0]
        let b = groups[1]
        #expect(
            a.confusion == ConfusionCounts(truePositives: 3, falsePositives: 1, trueNegatives: 6, falseNegatives: 2))
        #expect(
            b.confusion == ConfusionCounts(truePositives: 2, falsePositives: 2, trueNegatives: 7, falseNegatives: 1))
        #expect(a.count == 12 && a.positives == 5 && a.observedRate == 5.0 / 12)
        #expect(try abs(#require(a.meanScore) - 0.4) < 1e-12)
        // AUC by hand: positives at 0.8 beat 6 negatives and tie 1; positives at 0.2 tie 6: (3·6.5 + 2·3) / 35.
        #expect(try abs(#require(a.rocAUC) - 25.5 / 35) < 1e-12)
        #expect(!a.calibration.isEmpty)
    }

    @Test func smallGroupsAreSuppressed() throws {
        let groups = try #require(audit(threshold: 0.5).attributes.first).groups
        for g in groups where g.group == "C" || g.group == "unknown" {
            #expect(g.suppressed)
            #expect(g.positives == 0 && g.observedRate == nil && g.meanScore == nil && g.rocAUC == nil)
            #expect(g.confusion == nil && g.calibration.isEmpty)
        }
        #expect(groups.first { $0.group == "C" }?.count == 3)
        // Suppressed groups take no part in the disparities.
        let disparities = try #require(audit(threshold: 0.5).attributes.first).disparities
        #expect(
            disparities.allSatisfy { ["A", "B"].contains($0.highestGroup) && ["A", "B"].contains($0.lowestGroup) })
    }

    @Test func disparityRatiosAndFlags() throws {
        let report = audit(threshold: 0.5)
        let d = Dictionary(
            uniqueKeysWithValues: try #require(report.attributes.first).disparities.map { ($0.measure, $0) })
        #expect(
            Set(d.keys) == [
                "selection_rate", "false_positive_rate", "false_negative_rate", "true_positive_rate",
                "positive_predictive_value", "calibration_ratio", "roc_auc",
            ])
        // Selection 4/12 in both: ratio 1.
        #expect(d["selection_rate"]?.ratio == 1 && d["selection_rate"]?.exceedsBound == false)
        // FPR B 2/9 vs A 1/7 = 14/9 ≈ 1.56 > 1.25, a difference of 2/9 - 1/7; but on 9 and 7 people the Wilson
        // intervals (A 0.026-0.513, B 0.063-0.547) overlap, so it is shown, not flagged.
        let fpr = try #require(d["false_positive_rate"])
        #expect(fpr.highestGroup == "B" && fpr.lowestGroup == "A")
        #expect(try abs(#require(fpr.ratio) - 14.0 / 9) < 1e-12)
        let difference = try #require(fpr.difference)
        let expected: Double = 2.0 / 9 - 1.0 / 7
        #expect(abs(difference - expected) < 1e-12)
        #expect(fpr.intervalsOverlap == true && !fpr.exceedsBound)
        // FNR A 2/5 vs B 1/3 = 1.2: within the bound.
        #expect(try abs(#require(d["false_negative_rate"]?.ratio) - 1.2) < 1e-12)
        #expect(d["false_negative_rate"]?.exceedsBound == false)
        // PPV A 3/4 vs B 1/2 = 1.5.
        #expect(try abs(#require(d["positive_predictive_value"]?.ratio) - 1.5) < 1e-12)
        // Calibration: both mean 0.4; observed 5/12 and 3/12: ratio (5/12)/(3/12) = 5/3.
        #expect(try abs(#require(d["calibration_ratio"]?.ratio) - 5.0 / 3) < 1e-12)
        #expect(report.flags.isEmpty)  // every gap here rests on a dozen people: intervals overlap
        #expect(report.anyCompared)
    }

    @Test func zeroLowestGivesAnUnboundedFlaggedRatio() throws {
        // FPR X 0/160 (Wilson 0-0.023) against Y 60/160 (0.304-0.452): unbounded and clearly apart.
        let data = Self.rows("X", tp: 40, fp: 0, tn: 160, fn: 40) + Self.rows("Y", tp: 40, fp: 60, tn: 100, fn: 40)
        let report = FairnessAudit.audit(
            subject: "t", scores: data.map(\.1), labels: data.map(\.2), attributes: [("g", data.map(\.0))],
            threshold: 0.5)
        let fpr = try #require(report.attributes[0].disparities.first { $0.measure == "false_positive_rate" })
        #expect(fpr.lowest == 0 && fpr.ratio == nil && fpr.exceedsBound)
        #expect(report.flags.contains { $0.contains("unbounded") })
    }

    @Test func ratesOnTooFewPeopleAndUnknownGroupsAreNotCompared() throws {
        // PPV of A is over 4 flagged, of B over 4; FNR over 5 and 3 outcomes. With a base of 4, B's FNR drops out.
        let report = FairnessAudit.audit(
            subject: "t", scores: data.map(\.1), labels: data.map(\.2), attributes: [(name: "group", groups: data.map(\.0))],
            threshold: 0.5, minimumGroupSize: 2, minimumRateBase: 4)
        let d = Dictionary(uniqueKeysWithValues: try #require(report.attributes.first).disparities.map { ($0.measure, $0) })
        #expect(d["positive_predictive_value"] != nil)
        #expect(d["false_negative_rate"] == nil)
        #expect(d.values.allSatisfy { $0.highestGroup != "unknown" && $0.lowestGroup != "unknown" })
    }

    @Test func thresholdFreeAuditHasNoConfusion() throws {
        let report = audit(threshold: nil)
        #expect(report.threshold == nil)
        let attribute = try #require(report.attributes.first)
        #expect(attribute.groups.allSatisfy { $0.confusion == nil })
        #expect(Set(attribute.disparities.map(\.measure)) == ["calibration_ratio", "roc_auc"])
    }
}
