import Foundation
import Testing
@testable import UpstreamInterventions

/// The selection calibration (docs/interventions.md §3): the risk model's observed over expected first offences among
/// the offers the same rule made one horizon earlier, applied to today's offers with its Poisson interval.
@Suite("Selection calibration: the base rate among those the plan's rule selects")
struct SelectionCalibrationTests {
    let catalogue: Catalogue
    init() throws { catalogue = try CatalogueLoader.load(yaml: tinyCatalogueYAML(places: 6, 2)) }

    @Test("10 offers at risk 0.2 with 5 first offences: O′/E′ = 5 / 2 = 2.5, 95% 2.5 · exp(∓1.96/√5) = 1.0406 to 6.0063")
    func measuredByHand() throws {
        let m = try #require(SelectionCalibration.measure(asOf: "2019-01-01", risks: Array(repeating: 0.2, count: 10),
                                                          outcomes: [true, true, true, true, true, false, false, false, false, false]))
        #expect(m.offers == 10 && m.observed == 5)
        #expect(abs(m.expected - 2.0) < 1e-12)
        #expect(abs(m.ratio - 2.5) < 1e-12)
        #expect(abs(m.low - 1.040570) < 1e-5)
        #expect(abs(m.high - 6.006326) < 1e-5)
        #expect(m.note.contains("5 first offences observed against 2.00 expected"))
    }

    @Test("fewer than 5 first offences, or nothing expected, is too little to measure")
    func tooFew() {
        #expect(SelectionCalibration.measure(asOf: "x", risks: Array(repeating: 0.2, count: 10), outcomes: Array(repeating: true, count: 4) + Array(repeating: false, count: 6)) == nil)
        #expect(SelectionCalibration.measure(asOf: "x", risks: Array(repeating: 0, count: 5), outcomes: Array(repeating: true, count: 5)) == nil)
    }

    /// Six young people match programme A (f1 = 1, risk 0.25 each: E′ = 1.5); a seventh (risk 0.9) matches nothing. The
    /// earlier plan (budget £6,000, A £1,000 a place, 6 places) offers the six. Five of them and the seventh offended.
    @Test("measured on an earlier plan's offers only: 5 of the 6 offered offended against 1.5 expected (O′/E′ 3.33); the unmatched offender is not counted")
    func onTheEarlierPlansOffers() throws {
        let rows = (1...6).map { candidate("q\($0)", risk: 0.25, f1: 1) } + [candidate("q7", risk: 0.9)]
        let plan = try PlanBuilder.build(catalogue: catalogue, candidates: CandidateTable(columns: ["f1", "f2"], rows: rows),
                                         settings: PlanSettings(budget: Money(pounds: 6_000), asOf: "2019-01-01", monteCarloDraws: 10, curve: false))
        #expect(Set(plan.offers.map(\.person)) == Set((1...6).map { "q\($0)" }))
        let offended: Set<String> = ["q1", "q2", "q3", "q4", "q5", "q7"]
        let m = try #require(SelectionCalibration.measure(plan: plan, outcome: { offended.contains($0) }))
        #expect(m.asOf == "2019-01-01" && m.offers == 6 && m.observed == 5)
        #expect(abs(m.ratio - 5 / 1.5) < 1e-9)
        #expect(abs(m.low - 5 / 1.5 * exp(-1.959964 / 5.0.squareRoot())) < 1e-9)
    }

    /// The same two young people (risk 0.3, programme A: effect 50%, £10,000 an offence, no discounting), valued at the
    /// model's risk (central 1, range 0.5-1.5) and at a selection calibration of 2 (range 1-3): every figure doubles,
    /// and the Monte Carlo draws the same relative multipliers (U(1, 3) / 2 = U(0.5, 1.5)), so its interval doubles too.
    @Test("a central calibration of 2 doubles each offer's harm averted (2 × 0.3 × 0.5 × £10,000 = £3,000), the Monte Carlo interval and the tornado's calibration bar")
    func centralCalibrationScalesTheValuation() throws {
        let table = CandidateTable(columns: ["f1", "f2"], rows: [candidate("p1", risk: 0.3, f1: 1), candidate("p2", risk: 0.3, f1: 1)])
        let base = PlanSettings(budget: Money(pounds: 2_000), monteCarloDraws: 400, seed: 5, calibrationLow: 0.5, calibrationHigh: 1.5, curve: false)
        let m = SelectionCalibration(asOf: "2019-01-01", offers: 10, observed: 6, expected: 3, ratio: 2, low: 1, high: 3)
        let scaled = m.applied(to: base)
        #expect(scaled.calibrationCentral == 2 && scaled.calibrationLow == 1 && scaled.calibrationHigh == 3)
        #expect(scaled.calibrationSource.hasPrefix("selection calibration: the same rule's 10 offers as of 2019-01-01"))
        let one = try PlanBuilder.build(catalogue: catalogue, candidates: table, settings: base)
        let two = try PlanBuilder.build(catalogue: catalogue, candidates: table, settings: scaled)
        #expect(one.offers.count == 2 && two.offers.count == 2)
        #expect(abs(one.totals.harmAverted.pounds - 3_000) < 0.01)
        #expect(abs(two.totals.harmAverted.pounds - 6_000) < 0.01)
        #expect(two.offers.allSatisfy { abs($0.harmAverted.pounds - 3_000) < 0.01 && $0.risk == 0.3 })
        #expect(abs(two.uncertainty.harmAvertedLow.pounds - 2 * one.uncertainty.harmAvertedLow.pounds) < 0.05)
        #expect(abs(two.uncertainty.harmAvertedHigh.pounds - 2 * one.uncertainty.harmAvertedHigh.pounds) < 0.05)
        #expect(one.uncertainty.calibrationCentral == nil && two.uncertainty.calibrationCentral == 2)
        // The calibration bar at the range's ends, × 1 and × 3 the model's risk: harm 2 × 0.3 × 0.5 × £10,000 = £3,000
        // and £9,000, less the cost of £2,000.
        let bar = try #require(two.sensitivity.first { $0.input == "calibration of the risk model" })
        #expect(abs(bar.netPresentValueAtLow.pounds - 1_000) < 0.01)
        #expect(abs(bar.netPresentValueAtHigh.pounds - 7_000) < 0.01)
        #expect(two.assumptions.contains { $0.topic == "Calibration" && $0.text.hasPrefix("the true risk of those offered is taken to be 2.00 times the model's") })
    }

    /// The closed loop's expected offences averted follow the plan's valuation: 2 offers × min(1, 0.3 × 2) × 0.5 = 0.6.
    @Test("the closed loop's expectation uses the plan's central calibration: 2 × (0.3 × 2) × 0.5 = 0.6 offences averted")
    func closedLoopExpectation() throws {
        let table = CandidateTable(columns: ["f1", "f2"], rows: [candidate("p1", risk: 0.3, f1: 1), candidate("p2", risk: 0.3, f1: 1)])
        let s = SelectionCalibration(asOf: "x", offers: 10, observed: 6, expected: 3, ratio: 2, low: 2, high: 2)
            .applied(to: PlanSettings(budget: Money(pounds: 2_000), monteCarloDraws: 100, curve: false))
        let plan = try PlanBuilder.build(catalogue: catalogue, candidates: table, settings: s)
        let c = ClosedLoop.compare(plan: plan, programmes: ["a": (0.5, 0.5, 0.5)], untreated: ["p1": true, "p2": false],
                                   treated: ["p1": false, "p2": false], draws: 4_000, seed: 2)
        #expect(abs(c.expectedOffencesAverted - 0.6) < 1e-9)
        #expect(abs(c.predictedHarmAverted.pounds - 6_000) < 0.01)
        // Each offer averts an offence with probability 0.6 × 0.5 = 0.3: none in 49% of draws, both in 9%, so the
        // predictive interval runs from £0 to £20,000 and one averted offence (£10,000) lies within it.
        #expect(c.predictiveLow == Money(pounds: 0) && c.predictiveHigh == Money(pounds: 20_000))
        #expect(c.agree)
    }
}
