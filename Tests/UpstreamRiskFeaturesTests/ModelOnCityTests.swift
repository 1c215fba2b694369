import Foundation
import Testing
import UpstreamChronology
import UpstreamModel
import UpstreamRisk
import UpstreamTesting
@testable import UpstreamRiskFeatures

/// The whole training run on a synthetic city linked by its truth. The city is small for a test's time budget, so
/// its serious violence rate is raised (config override) to give the learners enough outcomes; everything else is
/// the calibrated synthetic city.
@Suite("The risk model on a synthetic city")
struct ModelOnCityTests {
    static let city = TruthLinkedCity.load(people: 12_000, seed: 5) { $0.services.seriousViolenceBy18 = 0.06 }
    static let start = city.records.compactMap { $0.record.event?.date }.min()!

    static let trained: Result<TrainedRiskModel, any Error> = Result {
        let builder = CohortBuilder(records: city.records, postcodeDeprivation: city.postcodeDeciles)
        let (train, test) = RiskTrainingConfig.schedule(dataStart: start, dataEnd: city.end, horizonMonths: 24)
        var config = RiskTrainingConfig(trainDates: train, testDates: test, capacityPerHundredThousand: 2000)
        config.trees.maxDepth = 4
        return try RiskTraining.train(builder: builder, config: config, created: "2026-11-25T00:00:00Z", pseudonym: { "YP-" + $0 })
    }

    @Test func theScheduleNeverLetsATrainingOutcomeReachTheTestPeriod() {
        let (train, test) = RiskTrainingConfig.schedule(dataStart: Self.start, dataEnd: Self.city.end, horizonMonths: 24)
        #expect(!train.isEmpty && !test.isEmpty)
        #expect(train.allSatisfy { $0.adding(months: 24) <= test.min()! })
        #expect(test.max()!.adding(months: 24) <= Self.city.end)
    }

    @Test func treesBeatTheACECountOnPrecisionAtCapacity() throws {
        let model = try Self.trained.get()
        let byKey = Dictionary(uniqueKeysWithValues: model.report.models.map { ($0.key, $0) })
        let trees = try #require(byKey["gbt"]?.capacity), aces = try #require(byKey["ace_count"]?.capacity)
        #expect(trees.flagged == aces.flagged)
        #expect(try #require(trees.precision) > #require(aces.precision),
                "trees \(trees.confusion) vs ACE count \(aces.confusion)")
        let treesAUC = try #require(byKey["gbt"]?.rocAUC), acesAUC = try #require(byKey["ace_count"]?.rocAUC)
        #expect(treesAUC > acesAUC, "ROC AUC: trees \(treesAUC), ACE count \(acesAUC)")
        #expect(treesAUC > 0.7, "ROC AUC: trees \(treesAUC)")
    }

    @Test func everyFlagComesWithReasonsThatAddUpToItsScore() throws {
        let model = try Self.trained.get()
        #expect(!model.report.flagged.isEmpty)
        for p in model.report.flagged {
            #expect(!p.reasons.isEmpty)
            #expect(p.reasons.allSatisfy { $0.contribution > 0 && !$0.text.isEmpty })
            #expect(p.lowering.allSatisfy { $0.contribution < 0 })
        }
        // The contributions are exact: with the base they give the trees' log-odds for the row.
        let builder = CohortBuilder(records: Self.city.records, postcodeDeprivation: Self.city.postcodeDeciles)
        let cohort = builder.cohort(asOf: model.config.testDates.last!)
        for row in cohort.rows.prefix(50) {
            let (base, parts) = model.trees.contributions(row: row.features)
            #expect(abs(base + parts.reduce(0, +) - model.trees.margin(row: row.features)) < 1e-9)
        }
    }

    @Test func theModelIsSavedWithItsConfigAndScoresTheSameAfterLoading() throws {
        let model = try Self.trained.get()
        let data = try JSONEncoder().encode(model)
        let loaded = try JSONDecoder().decode(TrainedRiskModel.self, from: data)
        #expect(loaded.id == model.id && loaded.config == model.config)
        let builder = CohortBuilder(records: Self.city.records, postcodeDeprivation: Self.city.postcodeDeciles)
        let rows = CohortBuilder.dataset(builder.cohort(asOf: model.config.testDates[0]).rows)
        #expect(loaded.scores(rows) == model.scores(rows))
        #expect(model.report.card.features.allSatisfy { !$0.hasPrefix("sex") && !$0.hasPrefix("ethnicity") })
    }
}
