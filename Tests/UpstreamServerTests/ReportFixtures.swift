import Foundation
import UpstreamAssessment
import UpstreamInterventions
import UpstreamLinkage
import UpstreamModel
import UpstreamRisk
import UpstreamServer
import UpstreamStore
import UpstreamTesting
import UpstreamWorkspace

/// The linkage pairs, risk report, plan and assessment the report pages show in the tests, each small enough to
/// check by hand.
enum ReportFixtures {
    /// The pending pair's records and its waterfall: prior −5 bits; forename exact +8 (and +0.5 term frequency) to
    /// 3.5; date of birth exact +6 to 9.5; postcode different −3 to 6.5 bits in all.
    static let left = RecordKey(source: "school_census", recordID: "SC-77")
    static let right = RecordKey(source: "police_incidents", recordID: "PI-91")
    static let explanationJSON = """
        {"priorWeight": -5, "weight": 6.5, "probability": 0.9891,
         "steps": [
          {"comparison": "forename", "level": "exact", "left": "Zebedee", "right": "Zebedee", "m": 0.9, "u": 0.003515625, "bayesFactor": 256, "weight": 8, "tfAdjustment": 0.5, "cumulative": 3.5},
          {"comparison": "dob", "level": "exact", "left": "2009-04-01", "right": "2009-04-01", "m": 0.96, "u": 0.015, "bayesFactor": 64, "weight": 6, "tfAdjustment": 0, "cumulative": 9.5},
          {"comparison": "postcode", "level": "different", "left": "ZZ1 1AA", "right": "ZZ9 9ZZ", "m": 0.1, "u": 0.8, "bayesFactor": 0.125, "weight": -3, "tfAdjustment": 0, "cumulative": 6.5}
         ]}
        """

    /// The pair as `upstream link` stores it: pending, first in the queue.
    static func pendingPair() throws -> (id: String, state: Data) {
        var item = UpstreamLinkage.ReviewItem(left: left, right: right, weight: 6.5, probability: 0.9891, linkedNow: false)
        item.explanation = try JSONDecoder().decode(Prediction.Explanation.self, from: Data(explanationJSON.utf8))
        return (item.id, try LinkagePairQueue.stored(LinkagePairQueue.Pair(item: item, order: 0), at: 0).stateJSON)
    }

    /// Ten young people's scores and outcomes, five girls then five boys: ROC AUC 20/21 = 0.952 (the positives at
    /// 0.9, 0.8 and 0.6 outrank 7, 7 and 6 of the 7 negatives). At the threshold 0.55 four girls are flagged (three
    /// had the outcome: precision 75.0%, selection rate 80.0%) and no boy (0.0%).
    static let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
    static let labels: [UInt8] = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]

    static func riskReport(flagged: [String]) -> RiskReport {
        let evaluation = Metrics.evaluate(name: "Gradient-boosted trees", key: "gbt", population: "ten test rows", scores: scores, labels: labels)
        let fairness = FairnessAudit.audit(subject: "Gradient-boosted trees at 0.55", scores: scores, labels: labels,
                                           attributes: [(name: "sex", groups: ["F", "F", "F", "F", "F", "M", "M", "M", "M", "M"])],
                                           threshold: 0.55, bound: 1.25, minimumGroupSize: 3)
        let card = ModelCard(modelID: "model-test-1", created: "2025-01-01", data: "the test fixture", period: "2020 to 2023",
                             outcome: "serious violence within 12 months", intendedUse: "offers of support for review",
                             notFor: ["automatic decisions"], limits: ["ten rows"], features: ["police contacts"], safeguards: ["a person decides"])
        return RiskReport(title: "Test model report", card: card, models: [evaluation], truePersonModels: [], fairness: fairness,
                          leadTime: nil, flagged: flagged.enumerated().map {
                              FlaggedPerson(key: $0.element, rank: $0.offset + 1, score: 0.9 - Double($0.offset) / 100, age: 15,
                                            reasons: [], lowering: [])
                          })
    }

    /// Saves ``plan`` and ``assessment`` as `store`'s plan and assessment runs, as `upstream plan` and
    /// `upstream assess --store` do.
    static func saveRuns(_ store: any WorkspaceStore) throws {
        let runs = store as! any ReportRunStore
        try runs.saveRun(StoredPlanRun(createdAt: 1_704_067_200, createdBy: "planner", asOf: plan.asOf, budgetPence: plan.budget.pence,
                                       costPence: plan.totals.cost.pence, offers: plan.offers.count, candidates: plan.candidates,
                                       planJSON: try ReportRunJSON.encoder().encode(plan)))
        try runs.saveRun(StoredAssessmentRun(createdAt: 1_704_067_200, createdBy: "analyst", periodFrom: assessment.from.description,
                                             periodTo: assessment.to.description, source: assessment.source,
                                             crimes: assessment.baseCount, assessmentJSON: try ReportRunJSON.encoder().encode(assessment)))
    }

    /// Seeds `store` with one pending linkage pair and a training run holding ``riskReport(flagged:)``.
    static func seed(_ store: any WorkspaceStore, flagged: [String]) throws {
        let pair = try pendingPair()
        try store.saveReviewItems([StoredReviewItem(queue: .linkagePairs, subject: pair.id, pending: true, updatedAt: 1_704_067_200, stateJSON: pair.state)])
        _ = try store.saveRiskRun(RiskRunInfo(kind: .train, modelID: "model-test-1", asOf: CivilDate(year: 2023, month: 7, day: 1)!,
                                              finishedAt: 1_704_067_200, by: "analyst-cli",
                                              reportJSON: try JSONEncoder().encode(riskReport(flagged: flagged))), scores: [])
    }

    /// One programme (``CatalogueFixture/programmeA(places:cost:)``): two £1,000 places.
    static let catalogueYAML = CatalogueFixture.header + CatalogueFixture.programmeA(places: 2, cost: "1000")

    /// A plan of at most two £1,000 places of Programme A for six candidates, within a £4,000 budget.
    static let plan: Plan = {
        let catalogue = try! CatalogueLoader.load(yaml: catalogueYAML)
        let rows = (0..<6).map { Candidate(id: "YP-TEST\($0)", risk: 0.1 + Double($0) / 20, age: 14, features: [2], sex: $0 % 2 == 0 ? "F" : "M",
                                           ethnicity: "White", deprivation: "Q1") }
        return try! PlanBuilder.build(catalogue: catalogue, candidates: CandidateTable(columns: ["f1"], rows: rows),
                                      settings: PlanSettings(budget: Money(pounds: 4000), asOf: "2024-01-01", monteCarloDraws: 50))
    }()

    /// Two years of made-up violence in 25 areas, with one series cut to 3 crimes (shown as "fewer than 5").
    static let assessment: Assessment = {
        var b = StoreAssessmentBuilder(from: YearMonth(year: 2023, month: 1)!, to: YearMonth(year: 2024, month: 12)!)
        var n = 0
        for y in 2023...2024 {
            for m in 1...12 {
                for k in 0..<(20 + m) {
                    n += 1
                    let area = k % 5 == 0 ? 12 : (k * 7 + m) % 25
                    b.add(StoreCrime(reference: "C\(n)", date: CivilDate(year: y, month: m, day: 1 + k % 28)!, minuteOfDay: (k * 97) % 1440,
                                     code: ["8N", "105A", "34B", "8L"][k % 4], flags: [], area: "E0\(1000 + area)",
                                     easting: Double(area % 5) * 400 + 400_000, northing: Double(area / 5) * 400 + 300_000))
                }
            }
        }
        var a = Assessment.build(try! b.input(craig: nil, linked: false), weights: PriorityWeights(), generated: "2025-01-01T00:00:00Z")
        a.series[a.series.count - 1].count = 3
        return a
    }()
}
