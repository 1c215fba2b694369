import Foundation

/// `upstream risk train --csv`: the trees and the logistic regression side by side on any table an analyst brings,
/// with the same report as the city's model. Every figure is out of fold: each row is scored by models (and a
/// calibrator) that never saw it, nor any row of the same person when an id column is given.
public struct TabularModels: Codable, Sendable {
    public var encoder: TabularEncoder
    public var trees: GBTModel
    public var logistic: LogisticModel
    public var treesCalibrator: Calibrator
    public var logisticCalibrator: Calibrator
    public var report: RiskReport
    /// Rows left out for a missing or invalid outcome (line and column, never the value).
    public var problems: [RowProblem]
    /// What was done with repeated header names and cells that were not numbers.
    public var notes: [String]? = nil

    /// Calibrated probabilities of the trees for new rows of the same layout (the calibrators read log-odds).
    public func scores(_ table: TabularCSV.Table) throws -> [Double] {
        let data = Dataset(featureNames: encoder.featureNames, columns: try encoder.encode(table))
        return treesCalibrator.apply(trees.margins(data))
    }

    /// Out-of-fold scores of both learners, calibrated inside each fold on a held-out quarter of its training groups
    /// (`CrossValidation.holdOut`).
    static func calibratedOutOfFold(
        _ data: Dataset, folds: [Int], groups: [String], trees: GBTParameters, l2: Double, seed: UInt64
    ) throws -> (trees: [Double], logistic: [Double]) {
        var t = [Double](repeating: .nan, count: data.rowCount), l = t
        for fold in Set(folds).sorted() {
            let testRows = folds.indices.filter { folds[$0] == fold }
            let trainRows = folds.indices.filter { folds[$0] != fold }
            var (fitRows, calRows) = CrossValidation.holdOut(groups: groups, share: 0.25, seed: seed &+ UInt64(fold), rows: trainRows)
            // A fit part with one outcome cannot be learnt from: fit and calibrate on the whole training part instead.
            if Set(fitRows.map { data.labels[$0] }).count < 2 { (fitRows, calRows) = (trainRows, trainRows) }
            let (fitModels, cal) = try fitAndCalibrate(data.subset(fitRows), data.subset(calRows), trees: trees, l2: l2)
            let test = data.subset(testRows)
            let ts = cal.trees.apply(fitModels.trees.margins(test)), ls = cal.logistic.apply(fitModels.logistic.margins(test))
            for (j, i) in testRows.enumerated() { t[i] = ts[j]; l[i] = ls[j] }
        }
        return (t, l)
    }

    static func fitAndCalibrate(_ fit: Dataset, _ cal: Dataset, trees: GBTParameters, l2: Double) throws
        -> (models: (trees: GBTModel, logistic: LogisticModel), calibrators: (trees: Calibrator, logistic: Calibrator)) {
        let t = try GradientBoostedTrees.train(fit, parameters: trees, validation: cal.labels.contains(1) && cal.labels.contains(0) ? cal : nil)
        let l = try LogisticRegression.train(fit, l2: l2)
        return ((t, l), (Calibrator.fit(scores: t.margins(cal), labels: cal.labels), Calibrator.fit(scores: l.margins(cal), labels: cal.labels)))
    }

    /// Trains and reports. `options.capacityPerHundredThousand` (default 1,000 per 100,000 here) sets the audit's threshold.
    public static func train(_ table: TabularCSV.Table, options: TabularRisk.TrainingOptions, trees: GBTParameters = .init(),
                             created: String = "", source: String = "") throws -> TabularModels {
        let p = try TabularRisk.prepare(table, options: options)
        let (rows, labels, problems, features, encoder, data, folds) = (p.rows, p.labels, p.problems, p.features, p.encoder, p.data, p.folds)
        let keys = data.keys
        let l2 = options.l2 ?? 1.0
        let (t, l) = try calibratedOutOfFold(data, folds: folds, groups: keys, trees: trees, l2: l2, seed: options.seed)
        let capacity = options.capacityPerHundredThousand ?? 1000
        let population = "\(rows.count) rows, \(options.folds)-fold cross-validation" + (options.id.map { " grouped by \($0)" } ?? "")
        // Rows (or the id column's persons) are the bootstrap's unit; one "date": capacity over every row.
        let single = [Int](repeating: 0, count: labels.count)
        let treesDated = DatedScores(scores: t, labels: labels, persons: keys, dates: single, seed: options.seed)
        let logisticDated = DatedScores(scores: l, labels: labels, persons: keys, dates: single, seed: options.seed)
        let unit = options.id == nil ? "row" : "person"
        var models = [
            treesDated.evaluate(name: "Gradient-boosted trees", key: "gbt", population: population, perHundredThousand: capacity, probabilities: true),
            logisticDated.evaluate(name: "Logistic regression", key: "logistic", population: population, perHundredThousand: capacity, probabilities: true),
        ]
        for i in models.indices {
            models[i].capacityUnit = "over every row at once"
            models[i].intervals?.unit = unit
        }
        let fairness: FairnessReport? = options.protected.isEmpty ? nil : FairnessAudit.audit(
            subject: "Gradient-boosted trees, top \(Metrics.numberText(capacity)) per 100,000 rows, out of fold", scores: t, labels: labels,
            attributes: options.protected.map { name in (name: name, groups: TabularRisk.groupLabels(table, column: name, rows: rows)) },
            threshold: models[0].capacity?.threshold, minimumGroupSize: options.minimumGroupSize,
            minimumRateBase: options.minimumGroupSize, flagged: treesDated.flags(perHundredThousand: capacity))
        // The final models on every usable row, calibrated on a held-out quarter of the groups.
        var (fitRows, calRows) = CrossValidation.holdOut(groups: keys, share: 0.25, seed: options.seed)
        if Set(fitRows.map { labels[$0] }).count < 2 { (fitRows, calRows) = (Array(labels.indices), Array(labels.indices)) }
        let (final, calibrators) = try fitAndCalibrate(data.subset(fitRows), data.subset(calRows), trees: trees, l2: l2)
        let usedProtected = options.protected.filter { features.contains($0) }
        let card = ModelCard(
            modelID: "csv-" + String(format: "%08x", UInt32(truncatingIfNeeded: (source + created).hashValue)),
            created: created, data: "\(source): \(rows.count) usable rows, \(labels.filter { $0 == 1 }.count) with the outcome; \(problems.count) rows left out (missing or invalid outcome).",
            period: "Cross-validated; the saved models are fitted on every usable row.",
            outcome: "Column \(options.outcome) (1, true or yes).",
            intendedUse: "An analyst's check of how well the columns of this table predict the outcome, and how fairly.",
            notFor: ["Automatic decisions about anyone: scores are for a person to review."],
            limits: ["Figures are out of fold on this table only; a different population or period may differ."]
                + (usedProtected.isEmpty ? [] : ["Protected columns used as features at the analyst's request: \(usedProtected.joined(separator: ", "))."]),
            features: encoder.featureNames,
            safeguards: ["Protected columns are audited and are features only when listed in --features."])
        var report = RiskReport(title: "Risk model report: \(source)", card: card, models: models, truePersonModels: [],
                                fairness: fairness, leadTime: nil, flagged: [])
        report.generic = true
        return TabularModels(encoder: encoder, trees: final.trees, logistic: final.logistic, treesCalibrator: calibrators.trees,
                             logisticCalibrator: calibrators.logistic, report: report, problems: problems, notes: p.notes)
    }
}
