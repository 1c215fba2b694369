import Foundation
import UpstreamChronology
import UpstreamModel
import UpstreamRisk

/// How a risk model is trained and judged: which dates, how many people services can see, the learners' settings.
public struct RiskTrainingConfig: Codable, Sendable, Hashable {
    public var cohort: CohortConfig
    /// As-of dates whose rows train the models (each date's outcome window must end before the first test date).
    public var trainDates: [CivilDate]
    /// Later as-of dates whose rows judge them.
    public var testDates: [CivilDate]
    /// Services' capacity: how many young people per 100,000 scored can be offered support.
    public var capacityPerHundredThousand: Double
    public var trees: GBTParameters
    public var logisticL2: Double
    /// A disparity ratio above this is flagged in the fairness audit.
    public var fairnessBound: Double
    /// Groups smaller than this are suppressed in the audit.
    public var minimumGroupSize: Int
    /// Share of training people (not rows) held out to stop the trees early (and, with `calibrationFolds` below 2, to
    /// calibrate the probabilities).
    public var calibrationShare: Double
    /// Folds (by person) for the calibration: the calibrators are fitted on every training row's out-of-fold log-odds
    /// (`RiskTraining.crossFittedMargins`). `nil` means 5; below 2, the held-out share alone calibrates (the method of
    /// models trained before this setting existed).
    public var calibrationFolds: Int?
    public var seed: UInt64

    public init(
        cohort: CohortConfig = .init(), trainDates: [CivilDate], testDates: [CivilDate], capacityPerHundredThousand: Double = 100,
        trees: GBTParameters = RiskTrainingConfig.defaultTrees, logisticL2: Double = 1.0, fairnessBound: Double = 1.25, minimumGroupSize: Int = 10,
        calibrationShare: Double = 0.25, calibrationFolds: Int? = nil, seed: UInt64 = 1
    ) {
        self.cohort = cohort; self.trainDates = trainDates; self.testDates = testDates
        self.capacityPerHundredThousand = capacityPerHundredThousand; self.trees = trees; self.logisticL2 = logisticL2
        self.fairnessBound = fairnessBound; self.minimumGroupSize = minimumGroupSize; self.calibrationShare = calibrationShare
        self.calibrationFolds = calibrationFolds; self.seed = seed
    }

    /// Trees for a rare outcome: shallow, with large leaves and a slow learning rate, so that a few hundred young
    /// people who went on to serious violence are not memorised.
    public static let defaultTrees = GBTParameters(
        maxIterations: 400, learningRate: 0.05, maxDepth: 3, maxLeafNodes: 8, minSamplesLeaf: 100, l2Regularization: 10,
        patience: 30)

    /// Half-yearly as-of dates across the data, the last third for testing and, for training, only the earlier
    /// dates whose whole outcome window closes before the first test date (so no training label comes from the
    /// test period). The first date leaves `history` years of records behind it.
    public static func schedule(dataStart: CivilDate, dataEnd: CivilDate, horizonMonths: Int, history: Int = 5, everyMonths: Int = 6) -> (train: [CivilDate], test: [CivilDate]) {
        // The first half-year start with a full lookback of records behind it.
        let full = dataStart.adding(months: max(history * 12, RiskFeatures.lookbackMonths))
        var first = CivilDate(year: full.year, month: full.month <= 1 && full.day == 1 ? 1 : 7, day: 1)!
        if first < full { first = CivilDate(year: full.year + 1, month: 1, day: 1)! }
        let last = dataEnd.adding(months: -horizonMonths)
        var dates: [CivilDate] = []
        var d = first
        while d <= last { dates.append(d); d = d.adding(months: everyMonths) }
        guard dates.count >= 3 else { return ([], []) }
        let testCount = max(1, dates.count / 3)
        let test = Array(dates.suffix(testCount))
        let train = dates.filter { $0.adding(months: horizonMonths) <= test[0] }
        return (train, test)
    }
}

/// A trained risk model with everything needed to trace a score back to it: its settings, data period,
/// the fitted learners and calibrators, and the report of how it did on later, held-out dates.
public struct TrainedRiskModel: Codable, Sendable {
    public var id: String
    public var created: String
    public var config: RiskTrainingConfig
    public var featureNames: [String]
    public var trees: GBTModel
    public var logistic: LogisticModel
    public var treesCalibrator: Calibrator
    public var logisticCalibrator: Calibrator
    public var trainingRows: Int
    public var trainingPositives: Int
    public var report: RiskReport

    /// Calibrated probabilities of the logistic regression (which reads counts on a log scale).
    public func logisticScores(_ data: Dataset, parallelism: Parallelism = .serial) -> [Double] {
        logisticCalibrator.apply(logistic.margins(RiskTraining.forLogistic(data), parallelism: parallelism))
    }

    /// Calibrated probabilities of the trees for a cohort (the calibrators read log-odds).
    public func scores(_ data: Dataset, parallelism: Parallelism = .serial) -> [Double] {
        treesCalibrator.apply(trees.margins(data, parallelism: parallelism))
    }
}

/// Progress of a long training run, for the terminal.
public typealias RiskProgress = @Sendable (String) -> Void

/// Trains the three models side by side on cohorts of linked persons and reports on them. Pure: the CLI gives
/// it the cohort builders and writes out what it returns.
public enum RiskTraining {
    public static func cohorts(_ builder: CohortBuilder, dates: [CivilDate], progress: RiskProgress?) -> [Cohort] {
        dates.map { d in
            let c = builder.cohort(asOf: d)
            progress?("as of \(d.iso): \(c.rows.count) young people, \(c.rows.filter { $0.outcome == 1 }.count) went on to serious violence")
            return c
        }
    }

    /// Trains, calibrates and evaluates. `truth` (a synthetic city's true persons) adds the same evaluation on them.
    public static func train(
        builder: CohortBuilder, truth: CohortBuilder? = nil, config: RiskTrainingConfig, created: String,
        pseudonym: (String) -> String, progress: RiskProgress? = nil
    ) throws -> TrainedRiskModel {
        try checkDates(config)
        let dates = Array(Set(config.trainDates + config.testDates)).sorted()
        let matrix = FeatureMatrix(cohorts: cohorts(builder, dates: dates, progress: nil))
        let truthMatrix = truth.map { FeatureMatrix(cohorts: cohorts($0, dates: config.testDates.sorted(), progress: nil)) }
        return try train(matrix: matrix, truth: truthMatrix, config: config, created: created, pseudonym: pseudonym,
                         explain: { _ in builder }, parallelism: builder.parallelism, progress: progress)
    }

    static func checkDates(_ config: RiskTrainingConfig) throws {
        guard !config.trainDates.isEmpty, !config.testDates.isEmpty else {
            throw RiskTrainingError("no as-of dates to train or test on: the records must span at least \(config.cohort.horizonMonths / 12 + 6) years")
        }
        if let lastTrain = config.trainDates.max(), let firstTest = config.testDates.min(),
           lastTrain.adding(months: config.cohort.horizonMonths) > firstTest {
            throw RiskTrainingError("training date \(lastTrain.iso) has an outcome window reaching past the first test date \(firstTest.iso)")
        }
    }

    /// Trains, calibrates and evaluates on the cohorts of the training and test dates held as one matrix (as
    /// `StreamingCohortBuilder` builds them); `truth` holds the test dates' rows on a synthetic city's true persons.
    /// - Parameter explain: a cohort builder holding at least the records of the given persons and of everyone their
    ///   features read (`StreamingCohortBuilder.records(around:in:)`), for the reasons of the young people flagged at
    ///   the latest test date.
    /// - Parameter parallelism: how the learners spread their work over threads; the models are the same for any
    ///   worker count.
    public static func train(
        matrix: FeatureMatrix, truth: FeatureMatrix? = nil, config: RiskTrainingConfig, created: String,
        pseudonym: (String) -> String, explain: (Set<String>) throws -> CohortBuilder, parallelism: Parallelism = .serial,
        progress: RiskProgress? = nil
    ) throws -> TrainedRiskModel {
        try checkDates(config)
        let trainSet = Set(config.trainDates), testSet = Set(config.testDates)
        var trainIndex: [Int] = [], testIndex: [Int] = []
        for i in 0..<matrix.rowCount {
            let d = matrix.dates[Int(matrix.dateIndex[i])]
            if trainSet.contains(d) { trainIndex.append(i) } else if testSet.contains(d) { testIndex.append(i) }
        }
        for d in matrix.dates where trainSet.contains(d) || testSet.contains(d) {
            let r = matrix.rows(of: d)
            progress?("as of \(d.iso): \(r.count) young people, \(matrix.outcome[r].filter { $0 == 1 }.count) went on to serious violence")
        }
        let trainPositives = trainIndex.filter { matrix.outcome[$0] == 1 }.count
        guard trainPositives >= 5 else {
            throw RiskTrainingError("only \(trainPositives) training rows went on to serious violence: too few to learn from (use a larger city or more dates)")
        }
        guard !testIndex.isEmpty else { throw RiskTrainingError("no young people at the test dates") }

        // Split people, not rows, between fitting and calibration.
        let (kept, held) = CrossValidation.holdOut(groups: trainIndex.map { matrix.personID(row: $0) }, share: config.calibrationShare, seed: config.seed)
        let fit = matrix.dataset(kept.map { trainIndex[$0] }), cal = matrix.dataset(held.map { trainIndex[$0] })
        let test = matrix.dataset(testIndex)
        progress?("training gradient-boosted trees on \(fit.rowCount) rows (\(fit.labels.filter { $0 == 1 }.count) positive)…")
        let trees = try GradientBoostedTrees.train(fit, parameters: config.trees, validation: cal, parallelism: parallelism)
        progress?("trees: \(trees.iterationsUsed) iterations; training logistic regression…")
        let logistic = try LogisticRegression.train(forLogistic(fit), l2: config.logisticL2, parallelism: parallelism)
        let treesCal: Calibrator, logisticCal: Calibrator
        let folds = config.calibrationFolds ?? 5
        // The held-out quarter's calibration (the method before cross-fitting), kept for the calibration check.
        let quarterCal = Calibrator.fit(scores: trees.margins(cal, parallelism: parallelism), labels: cal.labels)
        if folds >= 2 {
            progress?("calibrating on out-of-fold scores of every training row (\(folds) folds by person)…")
            let labels = trainIndex.map { matrix.outcome[$0] }
            let oof = try crossFittedMargins(matrix, rows: trainIndex, folds: folds, iterations: trees.iterationsUsed, config: config,
                                             parallelism: parallelism, logistic: logistic)
            treesCal = Calibrator.fit(scores: oof.trees, labels: labels)
            logisticCal = Calibrator.fit(scores: oof.logistic, labels: labels)
        } else {
            treesCal = quarterCal
            logisticCal = Calibrator.fit(scores: logistic.margins(forLogistic(cal), parallelism: parallelism), labels: cal.labels)
        }

        let period = "as of " + config.testDates.map(\.iso).joined(separator: ", ")
        let judge = Judge(config: config, parallelism: parallelism)
        func scored(_ data: Dataset) -> (trees: [Double], logistic: [Double]) {
            (treesCal.apply(trees.margins(data, parallelism: parallelism)),
             logisticCal.apply(logistic.margins(forLogistic(data), parallelism: parallelism)))
        }
        let (testScores, testLogistic) = scored(test)
        let quarterName = "Platt or isotonic on the held-out quarter of training people alone (\(cal.labels.filter { $0 == 1 }.count) positive rows)"
        let check = CalibrationCheck(
            method: folds >= 2
                ? "fitted on out-of-fold scores of every training row (\(folds) folds by person, \(trainPositives) positive rows)"
                : quarterName,
            bands: Reliability.bands(scores: testScores, labels: test.labels, topShares: [0.01, 0.05]),
            alternative: folds >= 2 ? quarterName : nil,
            alternativeBands: folds >= 2
                ? Reliability.bands(scores: quarterCal.apply(trees.margins(test, parallelism: parallelism)), labels: test.labels, topShares: [0.01, 0.05])
                : nil)
        let models = judge.evaluate(JudgedRows(matrix, rows: testIndex), trees: testScores, logistic: testLogistic,
                                    population: "linked persons, \(period)", audit: true, pseudonym: pseudonym)
        var truePersonModels: [ModelEvaluation] = []
        if let truth {
            progress?("evaluating on the city's true persons…")
            let rows = (0..<truth.rowCount).filter { testSet.contains(truth.dates[Int(truth.dateIndex[$0])]) }
            if !rows.isEmpty {
                let (t, l) = scored(truth.dataset(rows))
                truePersonModels = judge.evaluate(JudgedRows(truth, rows: rows), trees: t, logistic: l, population: "true persons, \(period)",
                                                  audit: false, pseudonym: { "truth:" + $0 })
            }
        }
        let fairness = models.first?.fairness
        let leadTime = models.first?.leadTime

        // The young people flagged at the latest test date, with their reasons.
        let latestDate = config.testDates.max()!
        let latest = matrix.rows(of: latestDate)
        let latestScores = Array(testScores.suffix(latest.count))  // the test rows end with the latest date's
        let latestK = Metrics.capacityCount(population: latest.count, perHundredThousand: config.capacityPerHundredThousand)
        let top = ranking(latestScores, persons: latest.map { matrix.personID(row: $0) }, seed: config.seed).prefix(latestK)
        var flagged: [FlaggedPerson] = []
        if !top.isEmpty {
            let explainer = try explain(Set(top.map { matrix.personID(row: latest.lowerBound + $0) }))
            let known = explainer.builder(asOf: latestDate)
            for (rank, i) in top.enumerated() {
                let row = matrix.cohortRow(latest.lowerBound + i)
                guard let c = known.chronology(for: row.personID, pseudonym: "") else { continue }
                let (_, perFeature) = trees.contributions(row: row.features)
                let (up, down) = explainer.reasons(chronology: c, asOf: latestDate, contributions: perFeature)
                flagged.append(FlaggedPerson(key: pseudonym(row.personID), rank: rank + 1, score: latestScores[i], age: row.age, reasons: up, lowering: down))
            }
        }

        let trainRows = trainIndex.count
        let id = "risk-" + created.filter(\.isNumber).prefix(14) + "-" + String(format: "%08x", UInt32(truncatingIfNeeded: Int(CrossValidation.unit(created + String(trainRows), seed: config.seed) * 4e9)))
        let card = modelCard(id: id, created: created, config: config, trainRows: trainRows, trainPositives: trainPositives,
                             testRows: testIndex.count, models: models)
        var report = RiskReport(title: "Risk of serious violence: model report", card: card, models: models,
                                truePersonModels: truePersonModels, fairness: fairness, leadTime: leadTime, flagged: flagged)
        report.calibrationCheck = check
        return TrainedRiskModel(id: id, created: created, config: config, featureNames: RiskFeatures.names, trees: trees,
                                logistic: logistic, treesCalibrator: treesCal, logisticCalibrator: logisticCal,
                                trainingRows: trainRows, trainingPositives: trainPositives, report: report)
    }

    /// Out-of-fold log-odds of the training rows, for the calibration: the rows are split into `folds` folds by person
    /// (stratified by outcome, `CrossValidation.stratifiedFolds`), and each fold is scored by trees and a logistic
    /// regression trained on the other folds. The trees take the final model's number of rounds (`iterations`, found
    /// by early stopping) with no early stopping of their own, so each fold's model is the final one's kind, fitted
    /// without that fold's people.
    ///
    /// Why: a rare outcome leaves the held-out quarter of training people with few positives (68 training positives
    /// put about 17 there on a 100,000-person city), too few to fix a calibration's slope; out of fold, every
    /// training positive counts, and none is scored by a model that saw it.
    ///
    /// Each fold's logistic regression starts from `logistic` (the final model, fitted on most of the same rows)
    /// when given: the same optimum, to the fit's tolerance, in fewer iterations (`LogisticRegression.train`'s
    /// `start`).
    public static func crossFittedMargins(
        _ matrix: FeatureMatrix, rows: [Int], folds: Int, iterations: Int, config: RiskTrainingConfig, parallelism: Parallelism = .serial,
        logistic start: LogisticModel? = nil
    ) throws -> (trees: [Double], logistic: [Double]) {
        let labels = rows.map { matrix.outcome[$0] }
        let fold = CrossValidation.stratifiedFolds(labels: labels, groups: rows.map { matrix.personID(row: $0) }, k: folds, seed: config.seed)
        var parameters = config.trees
        parameters.maxIterations = max(1, iterations)
        parameters.earlyStopping = false
        var t = [Double](repeating: 0, count: rows.count), l = t
        for f in 0..<folds {
            var inside: [Int] = [], outside: [Int] = []
            for i in rows.indices { if fold[i] == f { inside.append(i) } else { outside.append(i) } }
            guard !inside.isEmpty else { continue }
            let train = matrix.dataset(outside.map { rows[$0] }), held = matrix.dataset(inside.map { rows[$0] })
            guard train.labels.contains(0) && train.labels.contains(1) else {
                throw RiskTrainingError("calibration fold \(f + 1) of \(folds) has training rows of one outcome only: too few positives for \(folds) folds (use a larger city or more dates)")
            }
            let trees = try GradientBoostedTrees.train(train, parameters: parameters, validation: nil, parallelism: parallelism)
            let logistic = try LogisticRegression.train(forLogistic(train), l2: config.logisticL2, parallelism: parallelism, start: start)
            let tm = trees.margins(held, parallelism: parallelism), lm = logistic.margins(forLogistic(held), parallelism: parallelism)
            for (j, i) in inside.enumerated() { t[i] = tm[j]; l[i] = lm[j] }
        }
        return (t, l)
    }

    /// The trained models judged again on persons linked as of each test date: for a date, `personsAsOf(date)` links
    /// only the records entered before it ("source/recordID" → person id), features come from those persons, and the
    /// outcome from their later records as linked with hindsight (each later record goes to the as-of person holding
    /// most of its hindsight person's earlier records: the best linkage available judges the outcome, only what could
    /// be linked on the day gives the features).
    /// - Parameter records: every linked record (with hindsight person ids), as given to the training run.
    public static func evaluateAsOfLinkage(
        model: TrainedRiskModel, records: [LinkedRecord], postcodeDeprivation: [String: Int],
        personsAsOf: (CivilDate) throws -> [String: String], pseudonym: (String) -> String,
        parallelism: Parallelism = .serial, progress: RiskProgress? = nil
    ) rethrows -> [ModelEvaluation] {
        let config = model.config
        var rows: [CohortRow] = []
        for date in config.testDates {
            let asOf = try personsAsOf(date)
            // Hindsight person → the as-of person holding most of its records known before the date.
            var votes: [String: [String: Int]] = [:]
            for r in records {
                if let p = asOf[r.record.source + "/" + r.record.recordID] { votes[r.personID, default: [:]][p, default: 0] += 1 }
            }
            let heir = votes.mapValues { v in v.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key }
            let relabelled: [LinkedRecord] = records.map { r in
                var x = r
                if let p = asOf[r.record.source + "/" + r.record.recordID] { x.personID = "asof:" + p }
                else { x.personID = heir[r.personID].map { "asof:" + $0 } ?? r.personID }
                return x
            }
            let cohort = CohortBuilder(records: relabelled, postcodeDeprivation: postcodeDeprivation, config: config.cohort, parallelism: parallelism).cohort(asOf: date)
            progress?("linked as of \(date.iso): \(asOf.count) records known, \(cohort.rows.count) young people, \(cohort.rows.filter { $0.outcome == 1 }.count) went on to serious violence")
            rows += cohort.rows
        }
        guard !rows.isEmpty else { return [] }
        let data = CohortBuilder.dataset(rows)
        return Judge(config: config, parallelism: parallelism).evaluate(rows, trees: model.scores(data, parallelism: parallelism), logistic: model.logisticScores(data, parallelism: parallelism),
                              population: "persons linked as of each test date, as of " + config.testDates.map(\.iso).joined(separator: ", "), audit: false,
                              pseudonym: { pseudonym($0) })
    }

    /// The features as the logistic regression reads them: counts and days on a log scale (log(1 + x)), so that one
    /// young person with forty police contacts does not dominate a straight line. The trees need no such help.
    public static func forLogistic(_ data: Dataset) -> Dataset {
        var d = data
        for (i, name) in d.featureNames.enumerated() {
            guard let def = RiskFeatures.definition(name) else { continue }
            switch def.kind {
            case .count, .daysSinceLast: d.columns[i] = d.columns[i].map { $0.isNaN ? $0 : log1p(max(0, $0)) }
            default: break
            }
        }
        return d
    }

    /// Every row, highest score first, ties broken by a keyed hash of the person (as in the evaluation's
    /// `DatedScores`): the same person wins a tie whatever the row order, and the top k are exactly k.
    public static func ranking(_ scores: [Double], persons: [String], seed: UInt64) -> [Int] {
        let keys = persons.map { CrossValidation.unit($0, seed: seed) }
        return scores.indices.sorted { a, b in (scores[a], keys[a], b) > (scores[b], keys[b], a) }
    }

    public static func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

    static func modelCard(id: String, created: String, config: RiskTrainingConfig, trainRows: Int, trainPositives: Int,
                          testRows: Int, models: [ModelEvaluation]) -> ModelCard {
        let h = config.cohort.horizonMonths
        return ModelCard(
            modelID: id, created: created,
            data: "Linked records of every agency in the store (police, schools, emergency departments, children's social care, youth justice, probation, prisons, substance misuse and mental health services). \(trainRows) training rows (\(trainPositives) went on to serious violence); \(testRows) test rows.",
            period: "Trained as of " + config.trainDates.map(\.iso).joined(separator: ", ") + "; tested as of " + config.testDates.map(\.iso).joined(separator: ", "),
            outcome: "A first serious violence offence as suspect or offender within \(h) months of the as-of date: homicide (code 1), attempted murder (2), wounding with intent or endangering life (5D, 5E), or assault with injury or robbery with a knife or firearm (8N, 8P, 34A, 34B flagged KNIFE or FIREARM). Young people who had already committed serious violence before the date are not scored.",
            intendedUse: "To help early-help and safeguarding practitioners decide whom to offer support first, aged \(config.cohort.minimumAge) to \(config.cohort.maximumAge), with a practitioner reviewing every flag against the full chronology.",
            notFor: [
                "Any automatic decision: no referral, sanction, record or service change is triggered by a score.",
                "Criminal justice decisions (charging, bail, sentencing) or police intelligence targeting.",
                "Judging an individual's character: a score says what the records show, not who a child is.",
            ],
            limits: [
                "It only sees what agencies recorded: children who are over-policed or over-referred look riskier, and those no agency saw look safe.",
                "Linkage errors move records between people; the report shows the same figures on the city's true persons where known.",
                "Serious violence is rare: precision at capacity is modest, and most flagged young people would not go on to it.",
                "Trained on a synthetic city: its figures show the method, not the risk in any real place.",
            ],
            features: RiskFeatures.all.map { "\($0.name): \($0.title)" },
            safeguards: [
                "Sex and ethnicity are never features; they are audited, with deprivation quintile, at capacity.",
                "Every score comes with the factors that raised and lowered it, in plain words with dates.",
                "Flagged young people go to a review queue where a practitioner records a decision and its reason.",
                "People are pseudonymised; identifying one needs a reason and is audited.",
                "Groups smaller than \(config.minimumGroupSize) are suppressed in the audit.",
            ])
    }
}

/// A training run that cannot go ahead, with what to change.
public struct RiskTrainingError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
