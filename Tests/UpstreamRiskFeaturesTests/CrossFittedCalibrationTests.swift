import Foundation
import Testing
import UpstreamModel
import UpstreamRisk
@testable import UpstreamRiskFeatures

/// The calibration's out-of-fold scores (`RiskTraining.crossFittedMargins`), checked by hand on a matrix whose
/// features carry no information: every model then predicts its training rows' base rate, so each row's out-of-fold
/// log-odds is the base rate of the *other* folds, which can be counted.
@Suite("Cross-fitted calibration")
struct CrossFittedCalibrationTests {
    /// Ten people, one row each, every feature 0; people 0-3 went on to serious violence.
    static func matrix() -> FeatureMatrix {
        var m = FeatureMatrix(dates: [CivilDate(year: 2020, month: 1, day: 1)!], personIDs: (0..<10).map { "P\($0)" })
        m.columns = [[Float]](repeating: [Float](repeating: 0, count: 10), count: RiskFeatures.all.count)
        m.dateIndex = [UInt8](repeating: 0, count: 10)
        m.person = (0..<10).map(UInt32.init)
        m.age = [UInt8](repeating: 14, count: 10)
        m.sex = [UInt8](repeating: 0, count: 10)
        m.ethnicity = [UInt8](repeating: 0, count: 10)
        m.decile = [UInt8](repeating: 0, count: 10)
        m.outcome = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
        m.outcomeDay = [Int32](repeating: Int32.min, count: 10)
        return m
    }

    @Test("each row is scored by models that never saw its fold: log-odds of the other folds' base rate")
    func outOfFoldBaseRates() throws {
        let m = Self.matrix()
        let config = RiskTrainingConfig(trainDates: [m.dates[0]], testDates: [CivilDate(year: 2023, month: 1, day: 1)!], seed: 3)
        let rows = Array(0..<10)
        let oof = try RiskTraining.crossFittedMargins(m, rows: rows, folds: 3, iterations: 50, config: config)
        // Three folds, stratified: the four positives go 2, 1, 1 and the six negatives fill the folds to 4, 3, 3 rows,
        // whatever the shuffle. So fold 0's rows are scored by a model of 6 rows with 2 positives (log(2/4) = −0.693),
        // and folds 1 and 2's by one of 7 rows with 3 positives (log(3/4) = −0.288).
        let fold = CrossValidation.stratifiedFolds(labels: m.outcome, groups: m.personIDs, k: 3, seed: 3)
        #expect((0..<3).map { f in fold.filter { $0 == f }.count } == [4, 3, 3])
        #expect((0..<3).map { f in rows.filter { fold[$0] == f && m.outcome[$0] == 1 }.count } == [2, 1, 1])
        for i in rows {
            let want = fold[i] == 0 ? log(2.0 / 4) : log(3.0 / 4)
            // The trees find no split, so they keep the base margin exactly.
            #expect(abs(oof.trees[i] - want) < 1e-9, "row \(i) in fold \(fold[i]): \(oof.trees[i]), want \(want)")
            // The logistic regression's intercept converges to the same log-odds (its weights have nothing to fit).
            #expect(abs(oof.logistic[i] - want) < 1e-4, "row \(i): \(oof.logistic[i]), want \(want)")
        }
        // Calibrating on these: seven distinct-enough rows give a Platt fit whose mean matches the training rate (4/10)
        // to within Platt's smoothing; here it only has to keep the order, so it never reverses a ranking.
        let cal = Calibrator.fit(scores: oof.trees, labels: m.outcome)
        #expect(cal.apply(log(3.0 / 4)) >= cal.apply(log(2.0 / 4)))
    }

    @Test("too few positives for the folds is an error that says what to do")
    func tooFewPositives() {
        var m = Self.matrix()
        m.outcome = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let config = RiskTrainingConfig(trainDates: [m.dates[0]], testDates: [CivilDate(year: 2023, month: 1, day: 1)!])
        do { _ = try RiskTraining.crossFittedMargins(m, rows: Array(0..<10), folds: 2, iterations: 10, config: config); Issue.record("no error") } catch {
            #expect("\(error)".contains("too few positives"))
        }
    }
}
