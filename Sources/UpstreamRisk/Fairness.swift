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
    public static func audit(
        subject: String, scores: [Double], labels: [UInt8], attributes: [Attribute], threshold: Double?,
        bound: Double = 1.25, minimumGroupSize: Int = 10, probabilities: Bool = true, minimumRateBase: Int = 1
    ) -> FairnessReport {
        precondition(scores.count == labels.count, "one label per score")
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
                    minimumGroupSize: minimumGroupSize, probabilities: probabilities)
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
        probabilities: Bool
    ) -> GroupFairness {
        guard rows.count >= minimumGroupSize else {
            return GroupFairness(
                group: name, count: rows.count, positives: 0, suppressed: true, meanScore: nil, observedRate: nil,
                rocAUC: nil, confusion: nil, calibration: [])
        }
        let s = rows.map { scores[$0] }
        let l = rows.map { labels[$0] }
        let positives = l.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        return GroupFairness(
            group: name, count: rows.count, positives: positives, suppressed: false,
            meanScore: s.reduce(0, +) / Double(s.count), observedRate: Double(positives) / Double(rows.count),
            rocAUC: Metrics.rocAUC(scores: s, labels: l),
            confusion: threshold.map { Metrics.confusion(scores: s, labels: l, threshold: $0) },
            calibration: probabilities
                ? Metrics.calibration(scores: s, labels: l, bins: groupCalibrationBins, strategy: .quantile) : [])
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

    /// Highest over lowest for each measure across the groups that are not suppressed and where the measure is defined.
    /// A measure needs at least two such groups. When the lowest is zero and the highest is not, the ratio is
    /// unbounded (`nil`) and flagged; when both are zero the ratio is 1.
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
            return Disparity(
                measure: measure, highestGroup: high.0, highest: high.1, lowestGroup: low.0, lowest: low.1,
                ratio: ratio, exceedsBound: ratio.map { $0 > bound } ?? true)
        }
    }
}
