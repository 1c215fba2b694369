import Testing
@testable import UpstreamInterventions

@Suite("Matching, cost-benefit, uncertainty and fairness of a plan")
struct PlanTests {
    let catalogue: Catalogue
    init() throws { catalogue = try CatalogueLoader.load(yaml: tinyCatalogueYAML()) }

    @Test("a young person is matched when their age fits and any need holds, with the need in plain words")
    func matching() throws {
        let table = CandidateTable(columns: ["f1", "f2"], rows: [])
        let m = try Matcher(programmes: catalogue.plannable, columns: table)
        #expect(m.matches(candidate("a", risk: 0.1, f1: 1)) == [.init(programme: 0, reasons: ["f1 is 1"])])
        #expect(m.matches(candidate("b", risk: 0.1, f1: 2, f2: 3)) == [
            .init(programme: 0, reasons: ["f1 is 2"]), .init(programme: 1, reasons: ["f2 is 3", "f1 is at least 2 (2)"]),
        ])
        #expect(m.matches(candidate("c", risk: 0.1, age: 9, f1: 5)).isEmpty)
        #expect(m.matches(candidate("d", risk: 0.1)).isEmpty)
        #expect(m.matches(Candidate(id: "e", risk: 0.1, age: nil, features: [.nan, 1])) == [.init(programme: 1, reasons: ["f2 is 1"])])
        #expect(Matcher.words(NeedRule(feature: "x", atLeast: 0.1, reason: "missed {value} of sessions"), value: 0.25) == "missed 25% of sessions")
    }

    @Test("a table without any column a programme needs is an error naming the programme")
    func missingColumns() {
        #expect(throws: InterventionsError.self) {
            try Matcher(programmes: catalogue.plannable, columns: CandidateTable(columns: ["f3"], rows: []))
        }
    }

    @Test("harm averted, benefit-cost ratio and net present value of each offer, checked by hand")
    func costBenefit() throws {
        // Harm per offence £10,000, no discounting. Person p1: risk 0.4 → expected harm £4,000; A (50%) averts £2,000
        // for £1,000: BCR 2, NPV £1,000. Person p2: risk 0.5, only B (20%, cost £2,000–£3,000: central £2,500)
        // averts £1,000: BCR 0.4, NPV −£1,500. Budget £10,000 buys both.
        let table = CandidateTable(columns: ["f1", "f2"], rows: [
            candidate("p1", risk: 0.4, f1: 1), candidate("p2", risk: 0.5, f2: 1), candidate("p3", risk: 0.01),
        ])
        let plan = try PlanBuilder.build(catalogue: catalogue, candidates: table, settings: PlanSettings(budget: Money(pounds: 10_000), monteCarloDraws: 200))
        #expect(plan.candidates == 3 && plan.matched == 2)
        #expect(plan.costPerOffence == Money(pounds: 10_000))
        #expect(plan.discountFactor == 1)
        let o1 = try #require(plan.offers.first { $0.person == "p1" })
        #expect(o1.programme == "a" && o1.expectedHarm == Money(pounds: 4000) && o1.harmAverted == Money(pounds: 2000))
        #expect(o1.cost == Money(pounds: 1000) && o1.benefitCostRatio == 2 && o1.netPresentValue == Money(pounds: 1000))
        #expect(o1.reasons == ["f1 is 1"])
        let o2 = try #require(plan.offers.first { $0.person == "p2" })
        #expect(o2.harmAverted == Money(pounds: 1000) && o2.cost == Money(pounds: 2500) && o2.netPresentValue == Money(pounds: -1500))
        #expect(abs(o2.benefitCostRatio - 0.4) < 1e-12)
        #expect(plan.totals.harmAverted == Money(pounds: 3000) && plan.totals.cost == Money(pounds: 3500))
        #expect(abs(plan.totals.offencesAverted - 0.3) < 1e-12)
        #expect(abs(plan.totals.cchiDaysAverted - 0.3 * 365) < 1e-9)
        // Monte Carlo: A's effect is 40–60% and calibration 0.8–1.25, so p1's harm averted lies in £1,280–£3,000;
        // it always exceeds £1,000. B's best case is 0.3 × 1.25 × £5,000 = £1,875 < £2,000: never worth it.
        #expect(o1.harmAvertedLow >= Money(pounds: 1280) && o1.harmAvertedHigh <= Money(pounds: 3000))
        #expect(o1.harmAvertedLow < o1.harmAverted && o1.harmAverted < o1.harmAvertedHigh)
        #expect(o1.probabilityBenefitExceedsCost == 1)
        #expect(o2.probabilityBenefitExceedsCost == 0)
        #expect(plan.solver.optimalityGap == 0)
        #expect(plan.notPlanned.isEmpty)
    }

    @Test("a minimum benefit-cost ratio leaves out the offers below it")
    func minimumRatio() throws {
        // p1's offer of A has BCR 2, p2's offer of B 0.4: with a minimum of 1 only p1 is offered.
        let table = CandidateTable(columns: ["f1", "f2"], rows: [candidate("p1", risk: 0.4, f1: 1), candidate("p2", risk: 0.5, f2: 1)])
        let plan = try PlanBuilder.build(catalogue: catalogue, candidates: table,
                                         settings: PlanSettings(budget: Money(pounds: 10_000), monteCarloDraws: 10, minimumBenefitCostRatio: 1))
        #expect(plan.offers.map(\.person) == ["p1"])
    }

    @Test("the Monte Carlo is reproduced exactly from its seed and changes with it")
    func seeded() throws {
        let table = CandidateTable(columns: ["f1", "f2"], rows: (0..<20).map { candidate("p\($0)", risk: Double($0) / 40, f1: 1, f2: 1) })
        let s = PlanSettings(budget: Money(pounds: 5000), monteCarloDraws: 300, seed: 7)
        let a = try PlanBuilder.build(catalogue: catalogue, candidates: table, settings: s)
        let b = try PlanBuilder.build(catalogue: catalogue, candidates: table, settings: s)
        var s2 = s; s2.seed = 8
        let c = try PlanBuilder.build(catalogue: catalogue, candidates: table, settings: s2)
        #expect(a.uncertainty == b.uncertainty)
        #expect(a.uncertainty != c.uncertainty)
        #expect(a.uncertainty.harmAvertedLow < a.totals.harmAverted && a.totals.harmAverted < a.uncertainty.harmAvertedHigh)
        #expect((0...1).contains(a.uncertainty.probabilityBenefitExceedsCost))
    }

    @Test("the curve rises with the budget and the marginal return of each step is the curve's slope")
    func curve() throws {
        // A has 2 places at £1,000, B 2 places at £2,500: 10 people each matched to both.
        let table = CandidateTable(columns: ["f1", "f2"], rows: (0..<10).map { candidate("p\($0)", risk: 0.1 + Double($0) / 100, f1: 2, f2: 1) })
        let settings = PlanSettings(budget: Money(pounds: 2000), curveBudgets: [.zero, Money(pounds: 1000), Money(pounds: 2000), Money(pounds: 4500), Money(pounds: 10_000)],
                                    marginalStep: Money(pounds: 2500), monteCarloDraws: 10)
        let plan = try PlanBuilder.build(catalogue: catalogue, candidates: table, settings: settings)
        #expect(plan.curve.map(\.budget) == [0, 1000, 2000, 4500, 10_000].map { Money(pounds: $0) })
        #expect(plan.curve.map(\.offers) == [0, 1, 2, 3, 4])
        // Highest risks 0.19 and 0.18 take A (50% of £1,900 and £1,800); then 0.17 and 0.16 take B (20%).
        let expected: [Double] = [0, 950, 1850, 2190, 2510]  // 1,850 + 340, then + 320
        #expect(plan.curve.map(\.harmAverted) == expected.map { Money(pounds: $0) })
        let step = try #require(plan.marginal.first { $0.from == Money(pounds: 2000) })
        #expect(step.to == Money(pounds: 4500) && step.extraHarmAverted == Money(pounds: 340))
        #expect(abs(step.returnPerPound - 340.0 / 2500) < 1e-12)
        #expect(plan.nextStep == step)
    }

    @Test("the tornado moves one input at a time to the ends of its range")
    func tornado() throws {
        let table = CandidateTable(columns: ["f1", "f2"], rows: [candidate("p1", risk: 0.4, f1: 1), candidate("p2", risk: 0.5, f2: 1)])
        let plan = try PlanBuilder.build(catalogue: catalogue, candidates: table, settings: PlanSettings(budget: Money(pounds: 10_000), monteCarloDraws: 10))
        // Central NPV: 2,000 + 1,000 − 1,000 − 2,500 = −500.
        #expect(plan.totals.netPresentValue == Money(pounds: -500))
        let calibration = try #require(plan.sensitivity.first { $0.input.hasPrefix("calibration") })
        #expect(calibration.netPresentValueAtLow == Money(pounds: 0.8 * 3000 - 3500))
        #expect(calibration.netPresentValueAtHigh == Money(pounds: 1.25 * 3000 - 3500))
        let effectA = try #require(plan.sensitivity.first { $0.input == "effect of Programme A" })
        #expect(effectA.netPresentValueAtLow == Money(pounds: -900) && effectA.netPresentValueAtHigh == Money(pounds: -100))
        let costB = try #require(plan.sensitivity.first { $0.input == "cost of Programme B" })
        #expect(costB.netPresentValueAtLow == Money(pounds: -1000) && costB.netPresentValueAtHigh == Money(pounds: 0))
        #expect(plan.sensitivity.first?.input.hasPrefix("calibration") == true)  // widest swing first (£1,350)
    }

    @Test("the calibration range is O/E with a log-scale Poisson interval, widened to include 1")
    func calibrationRange() throws {
        // 100 observed, 80 expected: O/E 1.25, interval 1.25 · e^{±0.196} = 1.0275 to 1.52065; the low end widens to 1.
        let r = try #require(CalibrationRange.measured(observed: 100, expected: 80))
        #expect(abs(r.ratio - 1.25) < 1e-12 && r.low == 1 && abs(r.high - 1.52065) < 1e-5)
        #expect(CalibrationRange.measured(observed: 4, expected: 10) == nil)
    }

    @Test("Wilson intervals match hand-computed values")
    func wilson() {
        let a = PlanFairness.wilson(5, 20)
        #expect(abs(a.low - 0.111862) < 1e-5 && abs(a.high - 0.468701) < 1e-5)
        let b = PlanFairness.wilson(0, 10)
        #expect(b.low == 0 && abs(b.high - 0.277533) < 1e-5)
    }

    @Test("offers are compared with need by group; small groups are suppressed")
    func fairness() {
        // Group A: 10 people with need 1 each, all 10 offered; group B: 10 people with need 3 each, 5 offered;
        // group C: 3 people. Offers: A 10 of 15 (share 0.667), B 5 of 15; need: A 10/43 = 0.23, B 30/43 = 0.70.
        let groups = Array(repeating: "A", count: 10) + Array(repeating: "B", count: 10) + ["C", "C", "C"]
        let need = Array(repeating: 1.0, count: 10) + Array(repeating: 3.0, count: 10) + [1, 1, 1]
        let offered = Array(repeating: true, count: 10) + Array(repeating: true, count: 5) + Array(repeating: false, count: 8)
        let f = PlanFairness.audit(attribute: "sex", groups: groups, need: need, offered: offered)
        #expect(f.groups.map(\.group) == ["A", "B", "C"])
        #expect(f.groups[0].verdict == "more offers than need" && f.groups[0].offers == 10)
        #expect(f.groups[1].verdict == "fewer offers than need" && abs(f.groups[1].needShare! - 30.0 / 43) < 1e-12)
        #expect(f.groups[2].verdict == "suppressed (fewer than 5)" && f.groups[2].candidates == nil && f.groups[2].offers == nil)
    }
}

@Suite("Offers queue")
struct OfferQueueTests {
    func item(_ id: String) -> OfferQueue.Item {
        OfferQueue.Item(id: id, person: "YP-1", programme: "a", programmeName: "A", asOf: "2024-01-01", planID: "p", reasons: ["r"],
                        risk: 0.1, harmAverted: Money(pounds: 1), cost: Money(pounds: 1), added: "now")
    }

    @Test("offers wait for a person; a decision needs a reason and is recorded once")
    func decide() throws {
        var q = OfferQueue()
        #expect(q.add([item("OF-1"), item("OF-2")]) == 2)
        #expect(q.add([item("OF-1")]) == 0)
        #expect(q.pending.count == 2)
        #expect(throws: InterventionsError.self) { try q.decide(id: "OF-1", decision: .offer, reason: "   ", by: "sam", at: "t") }
        #expect(throws: InterventionsError.self) { try q.decide(id: "OF-9", decision: .offer, reason: "ok", by: "sam", at: "t") }
        let action = try q.decide(id: "OF-1", decision: .offer, reason: " family agreed to meet ", by: "sam", at: "t")
        #expect(action == .init(user: "sam", action: "plan-offer-offer", person: "YP-1", reason: "a (OF-1): family agreed to meet"))
        #expect(q.items[0].decision == .offer && q.items[0].decisionReason == "family agreed to meet")
        #expect(q.pending.map(\.id) == ["OF-2"])
        #expect(throws: InterventionsError.self) { try q.decide(id: "OF-1", decision: .decline, reason: "changed mind", by: "sam", at: "t") }
    }
}

@Suite("Evaluating a programme from later records")
struct EvaluationTests {
    @Test("the risk-adjusted effect is 1 − (O/E treated)/(O/E untreated), with a log-scale interval")
    func observedOverExpected() throws {
        // 100 treated at risk 0.2 (E = 20), 10 offences; 400 untreated at risk 0.1 (E = 40), 40 offences.
        // O/E: 0.5 and 1.0, so the effect is 50%; se = √(1/10 + 1/40) = 0.35355.
        var rows: [ProgrammeEvaluation.Row] = []
        for i in 0..<100 { rows.append(.init(person: "t\(i)", programme: "a", risk: 0.2, outcome: i < 10 ? 1 : 0)) }
        for i in 0..<400 { rows.append(.init(person: "u\(i)", programme: nil, risk: 0.1, outcome: i < 40 ? 1 : 0)) }
        let catalogue = try CatalogueLoader.load(yaml: tinyCatalogueYAML())
        let e = try #require(ProgrammeEvaluation.estimate(rows, catalogue: catalogue).first)
        #expect(e.programme == "a" && e.treated == 100 && e.observedTreated == 10 && abs(e.expectedTreated - 20) < 1e-9)
        #expect(abs(e.effect - 0.5) < 1e-12)
        #expect(abs(e.effectLow - (1 - 0.5 * 1.999610)) < 1e-5)   // 1 − 0.5·e^{1.96·0.35355}
        #expect(abs(e.effectHigh - (1 - 0.5 * 0.500098)) < 1e-5)  // 1 − 0.5·e^{−1.96·0.35355}
        #expect(e.verdict == "consistent with the catalogue")  // catalogue: 40%–60%
    }
}
