import Foundation
import Testing
@testable import UpstreamInterventions

/// Difference-in-differences on risk-adjusted ratios (docs/interventions.md §8), against a hand-computed case.
@Suite("Programme evaluation: difference-in-differences")
struct DifferenceInDifferencesTests {
    static func rows(programme: String?, count: Int, risk: Double, outcomes: Int, prefix: String) -> [ProgrammeEvaluation.Row] {
        (0..<count).map { i in .init(person: "\(prefix)\(i)", programme: programme, risk: risk, outcome: i < outcomes ? 1 : 0) }
    }

    @Test("the earlier cohort's selection difference is taken out: ratio (10/20)/(20/20) over (25/20)/(20/20) is 0.4, effect 60%")
    func handComputed() throws {
        // After the plan: 100 treated (E 20, O 10) and 100 untreated (E 20, O 20). Before it, the same rule selected
        // 100 who offended more than expected (E 20, O 25) against 100 others (E 20, O 20).
        let now = Self.rows(programme: "a", count: 100, risk: 0.2, outcomes: 10, prefix: "t") + Self.rows(programme: nil, count: 100, risk: 0.2, outcomes: 20, prefix: "u")
        let before = Self.rows(programme: "a", count: 100, risk: 0.2, outcomes: 25, prefix: "s") + Self.rows(programme: nil, count: 100, risk: 0.2, outcomes: 20, prefix: "v")
        let naive = try #require(ProgrammeEvaluation.estimate(now).first)
        #expect(abs(naive.effect - 0.5) < 1e-12)
        let did = try #require(ProgrammeEvaluation.differenceInDifferences(now, earlier: before).first)
        #expect(abs(did.effect - 0.6) < 1e-12)
        // se = √(1/10 + 1/20 + 1/25 + 1/20) = √0.24
        let f = exp(1.959964 * 0.24.squareRoot())
        #expect(abs(did.effectLow - (1 - 0.4 * f)) < 1e-12)
        #expect(abs(did.effectHigh - (1 - 0.4 / f)) < 1e-12)
        #expect(did.treated == 100 && did.observedTreated == 10)
    }

    @Test("with no selection difference before, it equals the plain risk-adjusted estimate (wider interval)")
    func noSelection() throws {
        let now = Self.rows(programme: "a", count: 50, risk: 0.1, outcomes: 2, prefix: "t") + Self.rows(programme: nil, count: 200, risk: 0.1, outcomes: 20, prefix: "u")
        let before = Self.rows(programme: "a", count: 50, risk: 0.1, outcomes: 5, prefix: "s") + Self.rows(programme: nil, count: 200, risk: 0.1, outcomes: 20, prefix: "v")
        let naive = try #require(ProgrammeEvaluation.estimate(now).first)
        let did = try #require(ProgrammeEvaluation.differenceInDifferences(now, earlier: before).first)
        #expect(abs(naive.effect - did.effect) < 1e-12)
        #expect(did.effectLow < naive.effectLow && did.effectHigh > naive.effectHigh)
    }

    @Test("a programme nobody would have been selected for earlier is reported, not estimated")
    func noEarlierSelection() throws {
        let now = Self.rows(programme: "a", count: 10, risk: 0.1, outcomes: 1, prefix: "t") + Self.rows(programme: nil, count: 10, risk: 0.1, outcomes: 1, prefix: "u")
        let before = Self.rows(programme: nil, count: 10, risk: 0.1, outcomes: 1, prefix: "v")
        let did = try #require(ProgrammeEvaluation.differenceInDifferences(now, earlier: before).first)
        #expect(did.verdict.hasPrefix("no earlier cohort"))
    }
}
