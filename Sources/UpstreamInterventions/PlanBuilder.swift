/// What the plan is asked for.
public struct PlanSettings: Sendable {
    public var budget: Money
    public var asOf: String?
    /// Budgets for the harm-averted curve (default: ¼, ½, ¾, 1, 1¼, 1½ and 2 times the budget).
    public var curveBudgets: [Money]?
    /// The step of the marginal return (default £100,000).
    public var marginalStep: Money
    public var monteCarloDraws: Int
    public var seed: UInt64
    /// The calibration multiplier's range: the true risk may be this many times the model's.
    public var calibrationLow: Double
    public var calibrationHigh: Double
    /// Where the calibration range came from, in words.
    public var calibrationSource: String = "planning assumption (set with --calibration-range)"
    /// The central calibration multiplier: every offer is valued at the model's risk times this (1: the model's own
    /// scores; the selection calibration's O′/E′ when measured, ``SelectionCalibration``). The Monte Carlo's range
    /// (`calibrationLow`...`calibrationHigh`) is of the same multiplier, so it holds this value.
    public var calibrationCentral: Double = 1
    public var timeLimitSeconds: Double
    /// Skip the curve and the marginal return (for benchmarks of the plan alone).
    public var curve: Bool
    /// Leave out offers whose benefit-cost ratio (at central values) is below this (0: keep every matched offer).
    public var minimumBenefitCostRatio: Double

    public init(budget: Money, asOf: String? = nil, curveBudgets: [Money]? = nil, marginalStep: Money = Money(pounds: 100_000),
                monteCarloDraws: Int = 1000, seed: UInt64 = 1, calibrationLow: Double = 0.8, calibrationHigh: Double = 1.25,
                timeLimitSeconds: Double = 60, curve: Bool = true, minimumBenefitCostRatio: Double = 0) {
        self.minimumBenefitCostRatio = minimumBenefitCostRatio
        self.budget = budget; self.asOf = asOf; self.curveBudgets = curveBudgets; self.marginalStep = marginalStep
        self.monteCarloDraws = monteCarloDraws; self.seed = seed; self.calibrationLow = calibrationLow
        self.calibrationHigh = calibrationHigh; self.timeLimitSeconds = timeLimitSeconds; self.curve = curve
    }
}

extension PlanBuilder.Valued {
    /// The plain-words reasons of one option (matched again, so only the chosen offers pay for the words).
    public func reasons(of option: Int) -> [String] {
        let o = problem.options[option]
        return matcher.matches(candidates.rows[o.person]).first { $0.programme == o.programme }?.reasons ?? []
    }
}

/// Builds a plan: values every match, solves the budgeted allocation, and adds the business case's figures.
public enum PlanBuilder {
    /// The matched offers of every candidate, valued, as a plan problem.
    public struct Valued: Sendable {
        public var programmes: [Programme]
        public var problem: PlanProblem
        /// Expected harm (present value, pounds) of each candidate.
        public var expectedHarm: [Double]
        public var costPerOffence: Money
        public var discountFactor: Double
        let matcher: Matcher
        let candidates: CandidateTable
    }

    /// Matches and values every candidate.
    /// - Throws: when the catalogue's price years cannot be bridged or the table lacks every need's column.
    ///   - minimumBenefitCostRatio: offers below this ratio are left out.
    ///   - calibration: the central calibration multiplier (the model's risk is multiplied by it).
    public static func value(catalogue: Catalogue, candidates: CandidateTable, minimumBenefitCostRatio: Double = 0,
                             calibration: Double = 1) throws -> Valued {
        let programmes = catalogue.plannable
        let cpo = try catalogue.harm.costPerOffence(deflator: catalogue.deflator, priceYear: catalogue.priceYear)
        let df = Discounting.spreadFactor(rate: catalogue.discountRate, years: catalogue.horizonYears)
        let matcher = try Matcher(programmes: programmes, columns: candidates)
        let effects = programmes.map { $0.effect.planning!.estimate.point }
        let costs = programmes.map { $0.cost!.central.pounds }
        var options: [PlanProblem.Option] = []
        var harm: [Double] = []
        harm.reserveCapacity(candidates.rows.count)
        for (p, c) in candidates.rows.enumerated() {
            let h = c.risk * calibration * cpo.pounds * df
            harm.append(h)
            for j in matcher.programmes(for: c) where h * effects[j] >= minimumBenefitCostRatio * costs[j] {
                options.append(.init(person: p, programme: j, value: h * effects[j]))
            }
        }
        let problem = PlanProblem(costs: programmes.map { $0.cost!.central }, places: programmes.map(\.places), options: options)
        return Valued(programmes: programmes, problem: problem, expectedHarm: harm, costPerOffence: cpo, discountFactor: df,
                      matcher: matcher, candidates: candidates)
    }

    /// Builds the whole plan.
    /// - Throws: as `value`, or when the solver fails.
    public static func build(catalogue: Catalogue, candidates: CandidateTable, settings: PlanSettings) throws -> Plan {
        let v = try value(catalogue: catalogue, candidates: candidates, minimumBenefitCostRatio: settings.minimumBenefitCostRatio,
                          calibration: settings.calibrationCentral)
        let problem = v.problem, programmes = v.programmes
        let greedy = Planner.greedy(problem, budget: settings.budget)
        let solved = try Planner.optimal(problem, budget: settings.budget, timeLimitSeconds: settings.timeLimitSeconds, greedy: greedy)
        let chosen = solved.allocation.chosen

        // The curve of harm averted against budget, and the marginal return of each step.
        var curve: [CurvePoint] = [], marginal: [MarginalStep] = [], nextStep: MarginalStep?
        if settings.curve {
            var budgets = settings.curveBudgets ?? [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2].map { Money(pounds: settings.budget.pounds * $0) }
            budgets.append(settings.budget + settings.marginalStep)
            budgets = Array(Set(budgets)).sorted()
            // Each point is solved on its own (a third of the time limit each); a plan that fits a smaller budget fits a
            // larger one too, so a point never shows less than the point before it.
            var previous: Allocation?
            for b in budgets {
                var a: Allocation, status: String
                if b == settings.budget { a = solved.allocation; status = solved.status } else {
                    let r = try Planner.optimal(problem, budget: b, timeLimitSeconds: max(1, settings.timeLimitSeconds / 3))
                    a = r.allocation; status = r.status
                }
                if let previous, previous.value > a.value { a = previous; status += " (the smaller budget's plan kept: better)" }
                previous = a
                curve.append(CurvePoint(budget: b, harmAverted: Money(pounds: a.value), cost: a.cost, offers: a.chosen.count, status: status))
            }
            for (a, b) in zip(curve, curve.dropFirst()) where b.budget > a.budget {
                let extra = b.harmAverted - a.harmAverted
                marginal.append(MarginalStep(from: a.budget, to: b.budget, extraHarmAverted: extra,
                                             returnPerPound: extra.pounds / (b.budget - a.budget).pounds))
            }
            if let here = curve.first(where: { $0.budget == settings.budget }),
               let next = curve.first(where: { $0.budget == settings.budget + settings.marginalStep }), next.budget > here.budget {
                let extra = next.harmAverted - here.harmAverted
                nextStep = MarginalStep(from: here.budget, to: next.budget, extraHarmAverted: extra,
                                        returnPerPound: extra.pounds / (next.budget - here.budget).pounds)
            }
        }

        // Offers and programme totals at central values.
        var matchedPeople = Set<Int>()
        var matchesOf: [Int: [Int]] = [:]
        for (i, o) in problem.options.enumerated() { matchedPeople.insert(o.person); matchesOf[o.person, default: []].append(i) }
        let mc = MonteCarlo.run(valued: v, chosen: chosen, draws: settings.monteCarloDraws, seed: settings.seed,
                                calibration: (settings.calibrationLow, settings.calibrationHigh), central: settings.calibrationCentral)
        var offers: [Offer] = []
        for (k, i) in chosen.enumerated() {
            let o = problem.options[i], c = candidates.rows[o.person], p = programmes[o.programme]
            let averted = Money(pounds: o.value), cost = problem.costs[o.programme]
            offers.append(Offer(
                id: "OF-\(c.id)-\(p.id)" + (settings.asOf.map { "-" + $0 } ?? ""), person: c.id, programme: p.id, programmeName: p.name,
                risk: c.risk, age: c.age, expectedHarm: Money(pounds: v.expectedHarm[o.person]), harmAverted: averted, cost: cost,
                benefitCostRatio: cost.pence > 0 ? averted.pounds / cost.pounds : .infinity, netPresentValue: averted - cost,
                harmAvertedLow: Money(pounds: mc.offerLow[k]), harmAvertedHigh: Money(pounds: mc.offerHigh[k]),
                probabilityBenefitExceedsCost: mc.offerProbability[k], reasons: v.reasons(of: i),
                alsoMatched: matchesOf[o.person]!.filter { $0 != i }.map { programmes[problem.options[$0].programme].id }))
        }
        offers.sort { $0.harmAverted != $1.harmAverted ? $0.harmAverted > $1.harmAverted : $0.id < $1.id }
        let cchiPerPound = catalogue.harm.harmIndexDaysPerOffence / max(v.costPerOffence.pounds * v.discountFactor, 1e-9)
        var summaries: [ProgrammeSummary] = []
        for (j, p) in programmes.enumerated() {
            let mine = chosen.filter { problem.options[$0].programme == j }
            let harm = mine.reduce(0.0) { $0 + problem.options[$1].value }
            let cost = problem.costs[j] * mine.count
            let e = p.effect.planning!
            summaries.append(ProgrammeSummary(
                id: p.id, name: p.name, agency: p.agency, matched: Set(problem.options.filter { $0.programme == j }.map(\.person)).count,
                places: p.places, offers: mine.count, costPerParticipant: problem.costs[j], cost: cost, harmAverted: Money(pounds: harm),
                cchiDaysAverted: harm * cchiPerPound, benefitCostRatio: cost.pence > 0 ? harm / cost.pounds : nil,
                netPresentValue: Money(pounds: harm) - cost, effect: e.estimate.point, effectLow: e.estimate.low, effectHigh: e.estimate.high,
                effectIsProxy: e.proxy, harmAvertedLow: Money(pounds: mc.programmeHarmLow[j]), harmAvertedHigh: Money(pounds: mc.programmeHarmHigh[j]),
                netPresentValueLow: Money(pounds: mc.programmeNPVLow[j]), netPresentValueHigh: Money(pounds: mc.programmeNPVHigh[j]),
                probabilityBenefitExceedsCost: mine.isEmpty ? nil : mc.programmeProbability[j]))
        }
        let totalHarm = solved.allocation.value, totalCost = solved.allocation.cost
        let totals = Totals(
            offers: chosen.count, cost: totalCost, harmAverted: Money(pounds: totalHarm),
            offencesAverted: totalHarm / max(v.costPerOffence.pounds * v.discountFactor, 1e-9),
            cchiDaysAverted: totalHarm * cchiPerPound, benefitCostRatio: totalCost.pence > 0 ? totalHarm / totalCost.pounds : nil,
            netPresentValue: Money(pounds: totalHarm) - totalCost)
        let solver = SolverSummary(
            solver: "GLPK (branch and cut, mixed-integer)", status: solved.status, optimalHarmAverted: Money(pounds: solved.allocation.value),
            greedyHarmAverted: Money(pounds: greedy.value), greedyOffers: greedy.chosen.count,
            optimalityGap: solved.allocation.value > 0 ? (solved.allocation.value - greedy.value) / solved.allocation.value : 0,
            variables: solved.variables, matchedOffers: problem.options.count)

        // Fairness: offers against need (expected harm) by group.
        var offered = Array(repeating: false, count: candidates.rows.count)
        for i in chosen { offered[problem.options[i].person] = true }
        let fairness = [
            PlanFairness.audit(attribute: "sex", groups: candidates.rows.map(\.sex), need: v.expectedHarm, offered: offered),
            PlanFairness.audit(attribute: "ethnicity", groups: candidates.rows.map(\.ethnicity), need: v.expectedHarm, offered: offered),
            PlanFairness.audit(attribute: "deprivation quintile", groups: candidates.rows.map(\.deprivation), need: v.expectedHarm, offered: offered),
        ]

        return Plan(
            asOf: settings.asOf, priceYear: catalogue.priceYear, budget: settings.budget, costPerOffence: v.costPerOffence,
            harmIndexDaysPerOffence: catalogue.harm.harmIndexDaysPerOffence, discountRate: catalogue.discountRate,
            horizonYears: catalogue.horizonYears, discountFactor: v.discountFactor, candidates: candidates.rows.count,
            matched: matchedPeople.count, expectedHarm: Money(pounds: v.expectedHarm.reduce(0, +)), offers: offers,
            programmes: summaries, totals: totals, solver: solver, curve: curve, marginal: marginal, nextStep: nextStep,
            uncertainty: mc.summary(settings: settings), sensitivity: Sensitivity.tornado(valued: v, chosen: chosen, settings: settings),
            fairness: fairness, assumptions: assumptions(catalogue, v, settings),
            notPlanned: catalogue.programmes.filter { !$0.isPlannable }.map {
                NotPlanned(id: $0.id, name: $0.name, gaps: $0.gaps.isEmpty ? ["no places"] : $0.gaps)
            })
    }

    static func assumptions(_ c: Catalogue, _ v: Valued, _ s: PlanSettings) -> [Assumption] {
        var out: [Assumption] = [
            Assumption(topic: "Outcome valued", text: c.harm.outcome, source: "Upstream risk model (docs/risk-model.md)"),
            Assumption(topic: "Cost of one serious violence offence",
                       text: "\(v.costPerOffence) in \(c.priceYear) prices: the Home Office unit costs of the offences that make up serious violence, weighted by how often each is recorded (" +
                           c.harm.offences.map { "\($0.name) \($0.unitCost.wholePounds), weight \(Int($0.weight))" }.joined(separator: "; ") + ")",
                       source: c.harm.unitCostSource + "; weights: " + c.harm.weightSource),
            Assumption(topic: "Crime harm index", text: "\(Int(c.harm.harmIndexDaysPerOffence.rounded())) days of imprisonment per offence, the same mix",
                       source: c.harm.cchiSource),
            Assumption(topic: "Price year", text: "every amount in \(c.priceYear) prices; deflator: \(c.deflator.series). \(c.deflator.note)",
                       source: c.deflator.source),
            Assumption(topic: "Discounting", text: "harm spread evenly over \(c.horizonYears) years, discounted at \(c.discountRate * 100)% a year: £1 of harm is worth \(Self.fixed(v.discountFactor, 4)) today; programme costs paid now",
                       source: c.discountRateSource),
            Assumption(topic: "Offers considered", text: s.minimumBenefitCostRatio > 0
                           ? "only offers whose benefit-cost ratio is at least \(s.minimumBenefitCostRatio) at central values"
                           : "every matched offer, whatever its benefit-cost ratio (the plan maximises harm averted, not net value)",
                       source: "planning choice (set with --min-bcr)"),
            Assumption(topic: "Calibration", text: (s.calibrationCentral == 1 ? "" : "the true risk of those offered is taken to be \(Self.fixed(s.calibrationCentral, 2)) times the model's; ")
                           + "the true risk may be \(Self.fixed(s.calibrationLow, 2))–\(Self.fixed(s.calibrationHigh, 2)) times the model's (Monte Carlo, uniform)",
                       source: s.calibrationSource),
        ]
        for t in c.harm.counted { out.append(Assumption(topic: "Counted", text: t, source: "")) }
        for t in c.harm.notCounted { out.append(Assumption(topic: "Not counted", text: t, source: "")) }
        for p in v.programmes {
            let e = p.effect.planning!
            out.append(Assumption(
                topic: p.name,
                text: "effect \(Self.fixed(e.estimate.point * 100, 0))% (\(Self.fixed(e.estimate.low * 100, 0))–\(Self.fixed(e.estimate.high * 100, 0))%) on \(e.estimate.outcome)"
                    + (e.proxy ? " (used as a proxy for violence)" : "") + "; interval: \(e.estimate.intervalNote); cost \(p.cost!.low)–\(p.cost!.high)"
                    + (p.cost!.sourcePriceYear.map { " (\($0) prices)" } ?? " (price year not stated in the source)") + "; \(p.places) places (\(p.placesNote))",
                source: e.estimate.source + "; cost: " + p.cost!.source))
        }
        return out
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (x * scale).rounded() / scale
        if digits == 0 { return String(Int(r)) }
        let whole = Int(r.magnitude), frac = Int(((r.magnitude - Double(whole)) * scale).rounded())
        var f = String(frac)
        while f.count < digits { f = "0" + f }
        return (r < 0 ? "-" : "") + String(whole) + "." + f
    }
}
