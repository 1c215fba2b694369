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

    /// The trees rank the city's young people better than the ACE count, judged for the same number of offers.
    ///
    /// Precision at capacity is not asserted. On the realistic city (issue 10: opaque ids, wrong identifiers, recorded
    /// dates, a burn-in) the trees flagged fewer young people who went on to serious violence than the ACE count at
    /// capacity on this city (7 against 14 of 116) and on three 30,000-person cities (Benchmarks/risk-seeds.md), with
    /// person-bootstrap intervals that all include zero. That is reported in README and docs/risk-model.md, not hidden.
    @Test func treesRankBetterThanTheACECountForTheSameOffers() throws {
        let model = try Self.trained.get()
        let byKey = Dictionary(uniqueKeysWithValues: model.report.models.map { ($0.key, $0) })
        let trees = try #require(byKey["gbt"]?.capacity), aces = try #require(byKey["ace_count"]?.capacity)
        #expect(trees.flagged == aces.flagged)
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

    @Test func baselinesAreJudgedAndAuditedLikeTheModels() throws {
        let model = try Self.trained.get()
        let keys = model.report.models.map(\.key)
        #expect(keys == ["gbt", "logistic", "ace_count", "age_only", "age_band_ace"])
        let dates = model.config.testDates.count
        // Capacity per date: every model flags exactly the same number of rows, the sum of each date's capacity.
        let builder = CohortBuilder(records: Self.city.records, postcodeDeprivation: Self.city.postcodeDeciles)
        let perDate = model.config.testDates.map { Metrics.capacityCount(population: builder.cohort(asOf: $0).rows.count, perHundredThousand: 2000) }
        for m in model.report.models {
            let c = try #require(m.capacity)
            #expect(c.flagged == perDate.reduce(0, +), "\(m.key) flagged \(c.flagged)")
            #expect(m.capacityUnit?.contains("pooled over \(dates) dates") == true)
            let i = try #require(m.intervals)
            #expect(i.unit == "person" && i.replicates == 500)
            let auc = try #require(m.rocAUC), ai = try #require(i.rocAUC)
            #expect(ai.lower <= auc && auc <= ai.upper, "\(m.key) AUC \(auc) outside \(ai)")
            let tp = Double(c.confusion.truePositives), ti = try #require(i.truePositives)
            #expect(ti.lower <= tp && tp <= ti.upper)
            let lead = try #require(m.leadTime)
            #expect(lead.capMonths == Int((Double(model.config.testDates.last!.adding(months: 24).dayNumber - model.config.testDates.first!.dayNumber) / 30.44).rounded(.down)))
            #expect(lead.monthsBefore.allSatisfy { $0 <= lead.capMonths! })
            #expect(lead.byPerson?.count == lead.flaggedBefore)
            let f = try #require(m.fairness)
            // The audit counts exactly the rows capacity flagged.
            let flaggedInAudit = f.attributes[0].groups.compactMap { $0.confusion?.flagged }.reduce(0, +)
            #expect(flaggedInAudit <= c.flagged)  // suppressed groups are withheld; never more than capacity
            #expect(f.attributes.map(\.attribute) == ["sex", "ethnicity (ONS 5+1)", "deprivation quintile"])
        }
        // Age matters in this city: age alone ranks better than chance.
        #expect(try #require(model.report.models.first { $0.key == "age_only" }?.rocAUC) > 0.55)
        // The report's trees figures are the first model's.
        #expect(model.report.leadTime == model.report.models[0].leadTime)
    }

    @Test func ethnicityIsAuditedInONSGroupsWithFewUnknown() throws {
        let model = try Self.trained.get()
        let ethnicity = try #require(model.report.fairness?.attributes.first { $0.attribute.hasPrefix("ethnicity") })
        let names = Set(ethnicity.groups.map(\.group))
        #expect(names.isSubset(of: Set(EthnicGroups.groups + ["unknown"])))
        let total = ethnicity.groups.reduce(0) { $0 + $1.count }
        let unknown = ethnicity.groups.first { $0.group == "unknown" }?.count ?? 0
        #expect(Double(unknown) < 0.2 * Double(total), "\(unknown) of \(total) unknown")
    }
}
