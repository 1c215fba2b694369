import Testing
@testable import UpstreamInterventions

/// The closed loop's comparison (docs/interventions.md §8): predicted against realised harm averted is judged against
/// the predictive interval, not the plan's Monte Carlo interval for the mean; and linked persons meet true persons by
/// the majority of their records.
@Suite("Closed loop: the comparison and the true person of a linked person")
struct ClosedLoopTests {
    let catalogue: Catalogue
    init() throws { catalogue = try CatalogueLoader.load(yaml: tinyCatalogueYAML()) }

    /// Two offers of programme A (effect 50%, 40%-60%) to young people at risk 0.5: expected harm averted
    /// 2 × 0.5 × 0.5 × £10,000 = £5,000 (no discounting). One offence averted is £10,000.
    func plan() throws -> Plan {
        let table = CandidateTable(columns: ["f1", "f2"], rows: [candidate("p1", risk: 0.5, f1: 1), candidate("p2", risk: 0.5, f1: 1)])
        return try PlanBuilder.build(catalogue: catalogue, candidates: table,
                                     settings: PlanSettings(budget: Money(pounds: 10_000), monteCarloDraws: 500, calibrationLow: 0.8, calibrationHigh: 1.25))
    }

    let effects: [String: (low: Double, point: Double, high: Double)] = ["a": (0.4, 0.5, 0.6), "b": (0.1, 0.2, 0.3)]

    @Test("one offence averted against £5,000 expected: outside the plan's interval for the mean, inside the predictive one, so they agree")
    func agreesOnThePredictiveInterval() throws {
        let p = try plan()
        #expect(p.offers.count == 2)
        #expect(abs(p.totals.harmAverted.pounds - 5_000) < 0.01)
        let c = ClosedLoop.compare(plan: p, programmes: effects, untreated: ["p1": true, "p2": true], treated: ["p1": false, "p2": true],
                                   draws: 2_000, seed: 3)
        #expect(c.offencesAverted == 1 && c.realisedHarmAverted == Money(pounds: 10_000))
        // The mean's interval: at most 2 × 0.5 × 1.25 × 0.6 × £10,000 = £7,500, so £10,000 lies above it.
        #expect(c.planHigh.pounds <= 7_500.01)
        #expect(!c.withinPlanInterval)
        // Each offer averts an offence with probability about 0.25: 0, 1 or 2 offences, so the predictive interval
        // runs from £0 to at least £10,000.
        #expect(c.predictiveLow == Money(pounds: 0) && c.predictiveHigh.pounds >= 10_000)
        #expect(c.withinPredictiveInterval && c.agree)
    }

    @Test("more offences in the treated run than without the plan lies below the predictive interval: they disagree")
    func disagreesBelowThePredictiveInterval() throws {
        let c = ClosedLoop.compare(plan: try plan(), programmes: effects, untreated: ["p1": false, "p2": false],
                                   treated: ["p1": true, "p2": false], draws: 2_000, seed: 3)
        #expect(c.offencesAverted == -1 && c.realisedHarmAverted == Money(pounds: -10_000))
        #expect(!c.withinPredictiveInterval && !c.agree)
    }

    @Test("a linked person is the true person holding most of their records; ties go to the smallest id; none gives nil")
    func majority() {
        #expect(ClosedLoop.majority(["P2": 3, "P1": 1]) == "P2")
        #expect(ClosedLoop.majority(["P9": 2, "P3": 2, "P5": 1]) == "P3")
        #expect(ClosedLoop.majority([:]) == nil)
    }
}
