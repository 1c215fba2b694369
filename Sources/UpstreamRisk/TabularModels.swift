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

    /// Calibrated probabilities of the trees for new rows of the same layout (the calibrators read log-odds).
    public func scores(_ table: TabularCSV.Table) throws -> [Double] {
        let data = Dataset(featureNames: encoder.featureNames, columns: try encoder.encode(table))
        return treesCalibrator.apply(trees.margins(data))
    }

    /// Out-of-fold scores of both learners, calibrated inside each fold on a held-out quarter of its training groups.
    static func calibratedOutOfFold(
        _ data: Dataset, folds: [Int], groups: [String], trees: GBTParameters, l2: Double, seed: UInt64
    ) throws -> (trees: [Double], logistic: [Double]) {
        var t = [Double](repeating: .nan, count: data.rowCount), l = t
        for fold in Set(folds).sorted() {
            let testRows = folds.indices.filter { folds[$0] == fold }
            let trainRows = folds.indices.filter { folds[$0] != fold }
            let (fitRows, calRows) = split(trainRows, groups: groups, seed: seed &+ UInt64(fold))
            let (fitModels, cal) = try fitAndCalibrate(data.subset(fitRows), data.subset(calRows), trees: trees, l2: l2)
            let test = data.subset(testRows)
            let ts = cal.trees.apply(fitModels.trees.margins(test)), ls = cal.logistic.apply(fitModels.logistic.margins(test))
            for (j, i) in testRows.enumerated() { t[i] = ts[j]; l[i] = ls[j] }
        }
        return (t, l)
    }

    /// Rows split by group into three quarters to fit and one to calibrate (and stop the trees early).
    static func split(_ rows: [Int], groups: [String], seed: UInt64) -> (fit: [Int], calibrate: [Int]) {
        var fit: [Int] = [], cal: [Int] = []
        for i in rows {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
            for b in groups[i].utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            h ^= h >> 29
            if h % 4 == 0 { cal.append(i) } else { fit.append(i) }
        }
        if cal.isEmpty || fit.isEmpty { return (rows, rows) }
        return (fit, cal)
    }

    static func fitAndCalibrate(_ fit: Dataset, _ cal: Dataset, trees: GBTParameters, l2: Double) throws
        -> (models: (trees: GBTModel, logistic: LogisticModel), calibrators: (trees: Calibrator, logistic: Calibrator)) {
        let t = try GradientBoostedTrees.train(fit, parameters: trees, validation: cal.labels.contains(1) && cal.labels.contains(0) ? cal : nil)
        let l = try LogisticRegression.train(fit, l2: l2)
        let positives = cal.labels.filter { $0 == 1 }.count
        func calibrator(_ s: [Double]) -> Calibrator {
            guard positives > 0 && positives < cal.rowCount else { return .platt(a: 1, b: 0) }
            return positives >= 200 ? Calibrator.fitIsotonic(scores: s, labels: cal.labels) : Calibrator.fitPlatt(scores: s, labels: cal.labels)
        }
        return ((t, l), (calibrator(t.margins(cal)), calibrator(l.margins(cal))))
    }

    /// Trains and reports. `options.capacityPerHundredThousand` (default 1,000 per 100,000 here) sets the audit's threshold.
    public static func train(_ table: TabularCSV.Table, options: TabularRisk.TrainingOptions, trees: GBTParameters = .init(),
                             created: String = "", source: String = "") throws -> TabularModels {
        for name in [options.outcome] + options.protected + (options.features ?? []) + (options.id.map { [$0] } ?? [])
        where table.columnIndex(name) == nil {
            throw TabularError.unknownColumn(name)
        }
        let (rows, labels, problems) = TabularRisk.usableRows(table, outcome: options.outcome, score: nil)
        guard !rows.isEmpty else { throw TabularError.noUsableRows }
        guard labels.contains(0) && labels.contains(1) else { throw TabularError.oneOutcome(column: options.outcome) }
        let excluded = Set([options.outcome] + options.protected + (options.id.map { [$0] } ?? []))
        let features = options.features ?? table.header.filter { !excluded.contains($0) }
        guard !features.isEmpty else { throw TabularError.unknownColumn("(no feature columns left)") }
        let encoder = try TabularEncoder.fit(table, features: features, rows: rows, minimumLevelCount: options.minimumLevelCount)
        let keys = options.id.flatMap { table.column($0) }.map { ids in rows.map { ids[$0] } } ?? rows.map { String(table.lines[$0]) }
        let data = Dataset(featureNames: encoder.featureNames, columns: try encoder.encode(table, rows: rows), labels: labels, keys: keys)
        let folds = CrossValidation.stratifiedFolds(labels: labels, groups: options.id == nil ? nil : keys, k: options.folds, seed: options.seed)
        let l2 = options.l2 ?? 1.0
        let (t, l) = try calibratedOutOfFold(data, folds: folds, groups: keys, trees: trees, l2: l2, seed: options.seed)
        let capacity = options.capacityPerHundredThousand ?? 1000
        let population = "\(rows.count) rows, \(options.folds)-fold cross-validation" + (options.id.map { " grouped by \($0)" } ?? "")
        let models = [
            Metrics.evaluate(name: "Gradient-boosted trees", key: "gbt", population: population, scores: t, labels: labels,
                             capacityPerHundredThousand: capacity, probabilities: true, seed: options.seed),
            Metrics.evaluate(name: "Logistic regression", key: "logistic", population: population, scores: l, labels: labels,
                             capacityPerHundredThousand: capacity, probabilities: true, seed: options.seed),
        ]
        let fairness: FairnessReport? = options.protected.isEmpty ? nil : FairnessAudit.audit(
            subject: "Gradient-boosted trees, top \(capacity) per 100,000, out of fold", scores: t, labels: labels,
            attributes: options.protected.map { name in (name: name, groups: rows.map { table.rows[$0][table.columnIndex(name)!] }) },
            threshold: models[0].capacity?.threshold, minimumGroupSize: options.minimumGroupSize,
            minimumRateBase: options.minimumGroupSize)
        // The final models on every usable row, calibrated on a held-out quarter of the groups.
        let (fitRows, calRows) = split(Array(0..<data.rowCount), groups: keys, seed: options.seed)
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
        let report = RiskReport(title: "Risk model report: \(source)", card: card, models: models, truePersonModels: [],
                                fairness: fairness, leadTime: nil, flagged: [])
        return TabularModels(encoder: encoder, trees: final.trees, logistic: final.logistic, treesCalibrator: calibrators.trees,
                             logisticCalibrator: calibrators.logistic, report: report, problems: problems)
    }
}
