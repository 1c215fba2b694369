import Testing
@testable import UpstreamInterventions

@Suite("Budgeted plan: GLPK against greedy and brute force")
struct PlannerTests {
    /// A random small problem: `people` persons, each matched to 0–3 of `programmes` programmes.
    static func randomProblem(seed: UInt64, people: Int = 7, programmes: Int = 3) -> (PlanProblem, Money) {
        var g = SeededGenerator(seed: seed)
        let costs = (0..<programmes).map { _ in Money(pounds: Double(1 + g.next() % 9) * 1000) }
        let places = (0..<programmes).map { _ in Int(1 + g.next() % 3) }
        var options: [PlanProblem.Option] = []
        for p in 0..<people {
            for j in 0..<programmes where g.next() % 2 == 0 {
                options.append(.init(person: p, programme: j, value: Double(g.next() % 20_000) + 1))
            }
        }
        let budget = Money(pounds: Double(5 + g.next() % 20) * 1000)
        return (PlanProblem(costs: costs, places: places, options: options), budget)
    }

    @Test("on 60 random small problems the solver finds the brute-force optimum and is never worse than greedy",
          arguments: Array(UInt64(1)...60))
    func optimalOnSmallCases(seed: UInt64) throws {
        let (problem, budget) = Self.randomProblem(seed: seed)
        let best = Planner.bruteForce(problem, budget: budget)
        let solved = try Planner.optimal(problem, budget: budget)
        let greedy = Planner.greedy(problem, budget: budget)
        #expect(solved.allocation.isFeasible(problem, budget: budget))
        #expect(greedy.isFeasible(problem, budget: budget))
        #expect(abs(solved.allocation.value - best.value) < 1e-6)
        #expect(solved.allocation.value >= greedy.value - 1e-9)
        #expect(solved.status.hasPrefix("optimal"))
    }

    @Test("greedy by value per pound misses the better plan that the solver finds")
    func greedyIsNotOptimal() throws {
        // Budget £10,000. A costs £6,000 and averts £7,000 (1.17 a pound); B costs £5,000 and averts £5,500
        // (1.1 a pound) for each of two people. Greedy takes A and cannot afford a B: £7,000. Best: both Bs, £11,000.
        let problem = PlanProblem(costs: [Money(pounds: 6000), Money(pounds: 5000)], places: [1, 2], options: [
            .init(person: 0, programme: 0, value: 7000),
            .init(person: 1, programme: 1, value: 5500),
            .init(person: 2, programme: 1, value: 5500),
        ])
        let budget = Money(pounds: 10_000)
        #expect(Planner.greedy(problem, budget: budget).value == 7000)
        let solved = try Planner.optimal(problem, budget: budget)
        #expect(solved.allocation.value == 11_000)
        #expect(solved.allocation.chosen == [1, 2])
    }

    @Test("at most one offer per person, and no more offers than places")
    func constraints() throws {
        // One person matched to two programmes, both affordable: only one offer. Programme 1 has one place.
        let problem = PlanProblem(costs: [Money(pounds: 100), Money(pounds: 100)], places: [5, 1], options: [
            .init(person: 0, programme: 0, value: 500), .init(person: 0, programme: 1, value: 900),
            .init(person: 1, programme: 1, value: 800), .init(person: 2, programme: 1, value: 700),
        ])
        let a = try Planner.optimal(problem, budget: Money(pounds: 10_000)).allocation
        // Best: person 0 → programme 0 (500), person 1 → programme 1 (800) = 1,300 (not 900 + nothing else in 1).
        #expect(a.value == 1300)
        #expect(a.chosen == [0, 2])
    }

    @Test("the reduction keeps the optimum: each programme keeps its n best offers")
    func reduction() throws {
        // 50 people for one programme with 3 places at £1,000 and a £2,000 budget: at most n = 2 offers,
        // so the programme keeps its 2 best offers.
        let options = (0..<50).map { PlanProblem.Option(person: $0, programme: 0, value: Double($0)) }
        let problem = PlanProblem(costs: [Money(pounds: 1000)], places: [3], options: options)
        let kept = Planner.reduce(problem, budget: Money(pounds: 2000))
        #expect(kept == [48, 49])
        #expect(Planner.mostOffers(problem, budget: Money(pounds: 2000)) == 2)
        for seed in UInt64(100)..<130 {
            let (p, b) = Self.randomProblem(seed: seed, people: 8, programmes: 2)
            let reducedOptions = Planner.reduce(p, budget: b).map { p.options[$0] }
            let reduced = PlanProblem(costs: p.costs, places: p.places, options: reducedOptions)
            #expect(abs(Planner.bruteForce(reduced, budget: b).value - Planner.bruteForce(p, budget: b).value) < 1e-9)
        }
    }

    @Test("no budget, no offers")
    func zeroBudget() throws {
        let (problem, _) = Self.randomProblem(seed: 3)
        let a = try Planner.optimal(problem, budget: .zero).allocation
        #expect(a.chosen.isEmpty)
    }
}
