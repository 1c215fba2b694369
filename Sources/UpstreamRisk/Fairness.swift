import Foundation

/// Audits one set of scores across protected attributes: per-group rates, AUC and calibration, and the gap between
/// the best- and worst-served groups on each measure.
///
/// Groups smaller than `minimumGroupSize` are suppressed: their count is shown, everything else (including how many
/// had the outcome) is withheld and they take no part in the disparities, so no small group can be identified.
/// An empty group label is reported as `"unknown"`, which is kept as a group of its own (missing recording is itself
/// something to audit) but not compared in the disparities. A measure is compared only across groups where the count
/// it is a rate of (flagged people for PPV, outcomes for FNR, non-outcomes for FPR) reaches `minimumRateBase`.
public enum FairnessAudit {

    /// One protected attribute: its name and one group label per row.
    public typealias Attribute = (name: String, groups: [String])

    /// The label that stands for a missing group.
    public static let unknownGroup = "unknown"

    /// Number of quantile bins in each group's calibration chart (few, since groups are small).
    public static let groupCalibrationBins = 5

    /// Audits `scores` against `labels` for every attribute.
    /// - Parameters:
    ///   - subject: which scores these are, in words.
    ///   - threshold: scores at or above it count as flagged; `nil` for a threshold-free audit (AUC and calibration
    ///     only: no confusion, no selection rate, FPR, FNR or PPV).
    ///   - bound: a disparity ratio (highest over lowest) above this is flagged.
    ///   - minimumGroupSize: groups with fewer rows are suppressed.
    ///   - probabilities: `false` when the scores are not probabilities (a count rule): calibration is then left out.
    ///   - minimumRateBase: a group's rate is compared only when the count it is a rate of reaches this.
    ///   - flagged: who was flagged, when that is not simply "score at or above the threshold" (capacity per date with
    ///     ties broken by person: exactly the capacity, where a threshold would take every tied row).
    public static func audit(
        subject: String, scores: [Double], labels: [UInt8], attributes: [Attribute], threshold: Double?,
        bound: Double = 1.25, minimumGroupSize: Int = 10, probabilities: Bool = true, minimumRateBase: Int = 1,
        flagged: [Bool]? = nil
    ) -> FairnessReport {
        precondition(scores.count == labels.count, "one label per score")
        precondition(flagged == nil || flagged!.count == scores.count, "one flag per score")
        let audits = attributes.map { attribute -> AttributeAudit in
            precondition(attribute.groups.count == scores.count, "one group label per row for \(attribute.name)")
            var rowsByGroup: [String: [Int]] = [:]
            for (i, g) in attribute.groups.enumerated() {
                rowsByGroup[g.isEmpty ? unknownGroup : g, default: []].append(i)
            }
            let names = rowsByGroup.keys.sorted { a, b in
                (a == unknownGroup ? 1 : 0, a) < (b == unknownGroup ? 1 : 0, b)
            }
            let groups = names.map { name in
                groupFigures(
                    name, rows: rowsByGroup[name]!, scores: scores, labels: labels, threshold: threshold,
                    minimumGroupSize: minimumGroupSize, probabilities: probabilities, flagged: flagged)
            }
            return AttributeAudit(
                attribute: attribute.name, groups: groups,
                disparities: disparities(groups, threshold: threshold, bound: bound, probabilities: probabilities,
                                         minimumGroupSize: minimumRateBase))
        }
        return FairnessReport(
            subject: subject, threshold: threshold, bound: bound, minimumGroupSize: minimumGroupSize, attributes: audits
        )
    }

    static func groupFigures(
        _ name: String, rows: [Int], scores: [Double], labels: [UInt8], threshold: Double?, minimumGroupSize: Int,
        probabilities: Bool, flagged: [Bool]? = nil
    ) -> GroupFairness {
        guard rows.count >= minimumGroupSize else {
            return GroupFairness(
                group: name, count: rows.count, positives: 0, suppressed: true, meanScore: nil, observedRate: nil,
                rocAUC: nil, confusion: nil, calibration: [])
        }
        let s = rows.map { scores[$0] }
        let l = rows.map { labels[$0] }
        let positives = l.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        var confusion: ConfusionCounts?
        if let flagged, threshold != nil {
            var c = ConfusionCounts()
            for r in rows {
                switch (flagged[r], labels[r] != 0) {
                case (true, true): c.truePositives += 1
                case (true, false): c.falsePositives += 1
                case (false, true): c.falseNegatives += 1
                case (false, false): c.trueNegatives += 1
                }
            }
            confusion = c
        } else {
            confusion = threshold.map { Metrics.confusion(scores: s, labels: l, threshold: $0) }
        }
        let mean = s.reduce(0, +) / Double(s.count)
        let auc = Metrics.rocAUC(scores: s, labels: l)
        var intervals: [String: Interval] = [:]
        intervals["observed_rate"] = Metrics.wilson(successes: positives, trials: rows.count)
        if let c = confusion {
            intervals["selection_rate"] = Metrics.wilson(successes: c.flagged, trials: c.total)
            intervals["false_positive_rate"] = Metrics.wilson(successes: c.falsePositives, trials: c.negatives)
            intervals["false_negative_rate"] = Metrics.wilson(successes: c.falseNegatives, trials: c.positives)
            intervals["true_positive_rate"] = Metrics.wilson(successes: c.truePositives, trials: c.positives)
            intervals["positive_predictive_value"] = Metrics.wilson(successes: c.truePositives, trials: c.flagged)
        }
        if probabilities, mean > 0, let o = intervals["observed_rate"] {
            intervals["calibration_ratio"] = Interval(lower: o.lower / mean, upper: o.upper / mean)
        }
        if let auc { intervals["roc_auc"] = hanleyMcNeil(auc: auc, positives: positives, negatives: rows.count - positives) }
        var g = GroupFairness(
            group: name, count: rows.count, positives: positives, suppressed: false,
            meanScore: mean, observedRate: Double(positives) / Double(rows.count),
            rocAUC: auc, confusion: confusion,
            calibration: probabilities
                ? Metrics.calibration(scores: s, labels: l, bins: groupCalibrationBins, strategy: .quantile) : [])
        g.intervals = intervals
        return g
    }

    /// A 95% interval for an AUC from Hanley and McNeil's (1982) standard error, clipped to [0, 1].
    static func hanleyMcNeil(auc a: Double, positives p: Int, negatives n: Int) -> Interval? {
        guard p > 0 && n > 0 else { return nil }
        let q1 = a / (2 - a), q2 = 2 * a * a / (1 + a)
        let v = (a * (1 - a) + Double(p - 1) * (q1 - a * a) + Double(n - 1) * (q2 - a * a)) / (Double(p) * Double(n))
        let se = max(0, v).squareRoot()
        return Interval(lower: max(0, a - 1.96 * se), upper: min(1, a + 1.96 * se))
    }

    /// The measures compared across groups, with how to read each from a group's figures.
    /// The measures compared across groups, each with the count it is a rate of: a rate on fewer than the audit's
    /// minimum group size (a PPV over three flagged people, an FNR over two outcomes) is noise, so it takes no part.
    static func measures(threshold: Double?, probabilities: Bool) -> [(String, (GroupFairness) -> Double?, (GroupFairness) -> Int)] {
        var list: [(String, (GroupFairness) -> Double?, (GroupFairness) -> Int)] = []
        if threshold != nil {
            list.append(("selection_rate", { $0.confusion?.selectionRate }, { $0.count }))
            list.append(("false_positive_rate", { $0.confusion?.falsePositiveRate }, { $0.confusion?.negatives ?? 0 }))
            list.append(("false_negative_rate", { $0.confusion?.falseNegativeRate }, { $0.confusion?.positives ?? 0 }))
            // At low capacity nearly everyone with the outcome is missed in every group, so false negative rates are all
            // close to 1 and their ratio cannot flag; the share found (recall) shows the same gap as a ratio.
            list.append(("true_positive_rate", { $0.confusion?.recall }, { $0.confusion?.positives ?? 0 }))
            list.append(("positive_predictive_value", { $0.confusion?.precision }, { $0.confusion?.flagged ?? 0 }))
        }
        if probabilities {
            list.append(
                (
                    "calibration_ratio",
                    { g in
                        guard let observed = g.observedRate, let mean = g.meanScore, mean > 0 else { return nil }
                        return observed / mean
                    },
                    { $0.positives }
                ))
        }
        list.append(("roc_auc", { $0.rocAUC }, { min($0.positives, $0.count - $0.positives) }))
        return list
    }

    /// Highest over lowest for each measure across the groups that are not suppressed and where the measure is defined,
    /// and highest minus lowest. A measure needs at least two such groups. When the lowest is zero and the highest is
    /// not, the ratio is unbounded (`nil`); when both are zero the ratio is 1. A disparity is flagged only when the
    /// ratio is over the bound (or unbounded) **and** the two groups' 95% intervals do not overlap: a gap between
    /// groups of a few dozen is shown with its intervals, not flagged.
    static func disparities(
        _ groups: [GroupFairness], threshold: Double?, bound: Double, probabilities: Bool, minimumGroupSize: Int = 1
    ) -> [Disparity] {
        measures(threshold: threshold, probabilities: probabilities).compactMap { measure, value, base in
            // "unknown" is missing data, not a group: it is shown but not compared.
            let values = groups.filter { !$0.suppressed && $0.group != unknownGroup && base($0) >= minimumGroupSize }
                .compactMap { g in value(g).map { (g.group, $0) } }
            guard values.count >= 2,
                let high = values.max(by: { $0.1 < $1.1 }), let low = values.min(by: { $0.1 < $1.1 })
            else { return nil }
            let ratio: Double? = low.1 > 0 ? high.1 / low.1 : (high.1 == 0 ? 1 : nil)
            let hi = groups.first { $0.group == high.0 }?.intervals?[measure]
            let lo = groups.first { $0.group == low.0 }?.intervals?[measure]
            let overlap: Bool? = (hi != nil && lo != nil) ? hi!.overlaps(lo!) : nil
            var d = Disparity(
                measure: measure, highestGroup: high.0, highest: high.1, lowestGroup: low.0, lowest: low.1,
                ratio: ratio, exceedsBound: (ratio.map { $0 > bound } ?? true) && overlap == false)
            d.difference = high.1 - low.1
            d.intervalsOverlap = overlap
            return d
        }
    }
}
