import ArgumentParser
import Foundation
import UpstreamInterventions
import UpstreamModel
import UpstreamSynth
import UpstreamWorkspace

extension Upstream.PlanCommand {
    /// `upstream plan loop`: the closed loop on the synthetic city (docs/interventions.md §8).
    struct Loop: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The closed loop: plan on a synthetic city, re-live it with the plan, and compare realised with predicted harm averted.",
            discussion: """
            Generates a training city (--train-seed) and a city to plan for (--seed), estimates each young person's risk of \
            a first serious violence offence within the horizon from the training city, plans within --budget as of --as-of, \
            re-lives the city with the plan's treatment (common random numbers: untreated lives are the same), and reports \
            realised against predicted harm averted and each programme's estimated against its true effect. \
            See docs/interventions.md §8 for what the risk model here is and is not.
            """)
        @Option(help: "People in each city.") var people: Int = 20_000
        @Option(help: "Seed of the city planned for.") var seed: UInt64 = 2
        @Option(help: "Seed of the training city.") var trainSeed: UInt64 = 1
        @Option(help: "The plan's date (YYYY-MM-DD, inside the city's window with the horizon after it).") var asOf: CivilDate = CivilDate(year: 2021, month: 1, day: 1)!
        @Option(help: "The budget in pounds (2000000, 2m, 250k).") var budget: String = "2m"
        @Option(help: "Places on every programme (default: the catalogue's).") var places: Int?
        @Option(help: "The catalogue (default: catalogue/interventions.yaml).") var catalogue: String?
        @Option(help: "Where to write the cities and closed-loop.json.") var out: String = "closed-loop"
        @Option(help: "Monte Carlo draws.") var draws: Int = 1000
        @Option(help: "A YAML file overriding the cities' parameters (as upstream synth --config), e.g. a higher serious violence prevalence.")
        var config: String?
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            if people < 1_000 || people > IdentifierBook.maximumPeople { throw ValidationError("--people must be between 1,000 and \(IdentifierBook.maximumPeople)") }
            if seed == trainSeed { throw ValidationError("--seed and --train-seed must differ: the risk model is judged on a city it was not fitted on") }
            guard let b = Money.parse(budget), b.pence > 0 else { throw ValidationError("--budget \(budget) is not an amount: write pounds, e.g. 2000000, 2m or 250k") }
            if let places, places < 1 || places > 10_000_000 { throw ValidationError("--places must be between 1 and 10,000,000") }
            if draws < 1 || draws > 1_000_000 { throw ValidationError("--draws must be between 1 and 1,000,000") }
        }

        func run() throws {
            var (c, _) = try PlanInputs.catalogue(catalogue)
            let horizonMonths = Int((c.horizonYears * 12).rounded())
            var cfg = SynthConfig.defaults
            if let config {
                guard let text = try? String(contentsOfFile: config, encoding: .utf8) else { throw ValidationError("cannot read config file \(config)") }
                do { cfg = try SynthConfig.load(overrides: text) } catch let e as SynthConfig.Invalid { throw ValidationError(e.description) }
            }
            cfg.people = people
            let start = CivilDate(year: cfg.startYear, month: 1, day: 1)!, end = CivilDate(year: cfg.startYear + cfg.years, month: 1, day: 1)!
            let horizonEnd = asOf.firstOfMonth(addingMonths: horizonMonths)
            guard asOf > start, horizonEnd <= end else {
                throw ValidationError("--as-of \(asOf.iso) must leave \(horizonMonths) months before the city's window ends (\(end.iso)) and be after it starts (\(start.iso))")
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            func city(_ seed: UInt64, _ name: String, _ treatment: Treatment? = nil) throws -> String {
                var k = cfg
                k.seed = seed
                Terminal.progress("loop: generating \(name)")
                _ = try CityGenerator(config: k, treatment: treatment, parallelism: Workspace.defaultParallelism).generate(to: out + "/" + name, overwrite: true)
                return out + "/" + name
            }
            let train = try ClosedLoopCohort(dir: try city(trainSeed, "train"), asOf: asOf, horizonEnd: horizonEnd)
            let model = CellRiskModel(train.people)
            let test = try ClosedLoopCohort(dir: try city(seed, "city"), asOf: asOf, horizonEnd: horizonEnd)
            // Every plannable programme is matched on recorded ACEs here (the truth has no risk features): the need
            // rules of the catalogue are replaced by "at least one ACE by the plan's date"; ages, effects, costs stay.
            for i in c.programmes.indices {
                c.programmes[i].needs = [NeedRule(feature: "ace_count", atLeast: 1, reason: "{value} adverse childhood experiences by the plan's date")]
                if let places { c.programmes[i].places = places }
            }
            let candidates = CandidateTable(columns: ["ace_count"], rows: test.people.map { p in
                Candidate(id: p.id, risk: model.risk(p), age: p.age, features: [Float(p.aces)], sex: p.sex, ethnicity: p.ethnicity,
                          deprivation: p.deprivation)
            })
            Terminal.progress("loop: planning")
            let settings = PlanSettings(budget: Money.parse(budget)!, asOf: asOf.iso, monteCarloDraws: draws, seed: 1, calibrationLow: 0.8,
                                        calibrationHigh: 1.25, timeLimitSeconds: 60, curve: false, minimumBenefitCostRatio: 0)
            let plan: Plan
            do { plan = try PlanBuilder.build(catalogue: c, candidates: candidates, settings: settings) } catch let e as InterventionsError {
                throw CLIError(e.description)
            }
            var intervals: [String: (low: Double, point: Double, high: Double)] = [:]
            for p in c.plannable { if let e = p.effect.planning?.estimate { intervals[p.id] = (e.low, e.point, e.high) } }
            let treatment = Treatment(from: asOf, programmes: c.plannable.compactMap { p in p.effect.planning.map { .init(id: p.id, low: $0.estimate.low, high: $0.estimate.high) } },
                                      assignments: Dictionary(plan.offers.map { ($0.person, $0.programme) }, uniquingKeysWith: { a, _ in a }))
            var tl = "person_id,programme\n"
            for (p, g) in treatment.assignments.sorted(by: { $0.key < $1.key }) { tl += "\(p),\(g)\n" }
            try tl.write(toFile: out + "/treatment.csv", atomically: true, encoding: .utf8)
            let treatedCity = try ClosedLoopCohort(dir: try city(seed, "treated", treatment), asOf: asOf, horizonEnd: horizonEnd,
                                                   cohortOf: Set(test.people.map(\.id)))
            Terminal.clearProgress()
            let before = Dictionary(uniqueKeysWithValues: test.people.map { ($0.id, $0.outcome) })
            let after = Dictionary(uniqueKeysWithValues: treatedCity.people.map { ($0.id, $0.outcome) })
            let comparison = ClosedLoop.compare(plan: plan, programmes: intervals, untreated: before, treated: after, draws: 2_000, seed: 7)
            // The evaluation, on the treated run's outcomes: every young person of the cohort, treated or not.
            let offered = Dictionary(plan.offers.map { ($0.person, $0.programme) }, uniquingKeysWith: { a, _ in a })
            let rows = treatedCity.people.map { p in
                ProgrammeEvaluation.Row(person: p.id, programme: offered[p.id], risk: model.risk(p), outcome: p.outcome ? 1 : 0)
            }
            let truth = CSVTokenizer.records(try String(contentsOfFile: out + "/treated/truth/programme_effects.csv", encoding: .utf8)).records
            let trueEffect = Dictionary(truth.compactMap { r in r["programme"].flatMap { id in r["true_effect"].flatMap(Double.init).map { (id, $0) } } },
                                        uniquingKeysWith: { a, _ in a })
            // Places went to those the plan ranked highest, not at random, so the treated are compared with the rest
            // by difference-in-differences: the same plan made two years earlier (before any treatment) on that
            // cohort, whose outcomes within those two years show how the selected differ from the rest untreated.
            let earlierDate = asOf.firstOfMonth(addingMonths: -horizonMonths)
            let earlier = try ClosedLoopCohort(dir: out + "/treated", asOf: earlierDate, horizonEnd: asOf)
            var earlierSettings = settings
            earlierSettings.asOf = earlierDate.iso
            earlierSettings.monteCarloDraws = 10
            let earlierPlan: Plan
            do {
                earlierPlan = try PlanBuilder.build(catalogue: c, candidates: CandidateTable(columns: ["ace_count"], rows: earlier.people.map { p in
                    Candidate(id: p.id, risk: model.risk(p), age: p.age, features: [Float(p.aces)], sex: p.sex, ethnicity: p.ethnicity, deprivation: p.deprivation)
                }), settings: earlierSettings)
            } catch let e as InterventionsError { throw CLIError(e.description) }
            let wouldOffer = Dictionary(earlierPlan.offers.map { ($0.person, $0.programme) }, uniquingKeysWith: { a, _ in a })
            let earlierRows = earlier.people.map { p in
                ProgrammeEvaluation.Row(person: p.id, programme: wouldOffer[p.id], risk: model.risk(p), outcome: p.outcome ? 1 : 0)
            }
            let naive = Dictionary(ProgrammeEvaluation.estimate(rows, catalogue: c).map { ($0.programme, $0) }, uniquingKeysWith: { a, _ in a })
            let evaluations = ProgrammeEvaluation.differenceInDifferences(rows, earlier: earlierRows, catalogue: c).map { e in
                LoopResult.Evaluation(estimate: e, riskAdjustedOnly: naive[e.programme], trueEffect: trueEffect[e.programme] ?? .nan,
                                      recovered: (trueEffect[e.programme]).map { $0 >= e.effectLow && $0 <= e.effectHigh } ?? false)
            }
            let result = LoopResult(
                people: people, seed: seed, trainSeed: trainSeed, asOf: asOf.iso, horizonMonths: horizonMonths,
                trainingCohort: train.people.count, trainingOutcomes: train.people.filter(\.outcome).count,
                cohort: test.people.count, cohortOutcomes: test.people.filter(\.outcome).count,
                cohortOutcomesTreatedRun: treatedCity.people.filter(\.outcome).count,
                expectedCohortOutcomes: test.people.reduce(0.0) { $0 + model.risk($1) },
                budget: plan.budget, cost: plan.totals.cost, comparison: comparison, evaluations: evaluations)
            try JSONFiles.write(result, to: out + "/closed-loop.json")
            if json { try JSONFiles.print(result); return }
            print(result.text)
        }
    }
}

/// The closed loop's figures (`closed-loop.json`).
struct LoopResult: Codable {
    struct Evaluation: Codable {
        /// Difference-in-differences against the plan the same rule would have made two years earlier.
        var estimate: ProgrammeEvaluation.Estimate
        /// The risk-adjusted comparison alone (no earlier cohort): biased when the plan selects on more than the risk.
        var riskAdjustedOnly: ProgrammeEvaluation.Estimate?
        var trueEffect: Double
        /// The true effect lies within the estimate's 95% interval.
        var recovered: Bool
    }
    var people: Int
    var seed: UInt64
    var trainSeed: UInt64
    var asOf: String
    var horizonMonths: Int
    var trainingCohort: Int
    var trainingOutcomes: Int
    var cohort: Int
    var cohortOutcomes: Int
    var cohortOutcomesTreatedRun: Int
    var expectedCohortOutcomes: Double
    var budget: Money
    var cost: Money
    var comparison: ClosedLoop.Comparison
    var evaluations: [Evaluation]

    var text: String {
        let c = comparison
        func n(_ v: Int) -> String { v > 0 && v < 5 ? "fewer than 5" : String(v) }
        var s = "Closed loop on a city of \(people) people (seed \(seed); risk fitted on seed \(trainSeed)), as of \(asOf), horizon \(horizonMonths) months.\n"
        s += "Cohort: \(cohort) young people aged 10-17 with no serious violence before the date; \(cohortOutcomes) went on to a first offence "
        s += String(format: "within the horizon (%.1f expected by the risk model).\n", expectedCohortOutcomes)
        s += "Plan: \(c.offers) offers costing \(cost.wholePounds) of \(budget.wholePounds).\n"
        s += "Among the treated: \(c.offencesUntreatedRun) first offences without the plan, \(c.offencesTreatedRun) with it: \(c.offencesAverted) averted "
        s += String(format: "(%.2f expected).\n", c.expectedOffencesAverted)
        s += "Realised harm averted \(c.realisedHarmAverted.wholePounds); predicted \(c.predictedHarmAverted.wholePounds), "
        s += "plan interval \(c.planLow.wholePounds) to \(c.planHigh.wholePounds) (\(c.withinPlanInterval ? "within" : "OUTSIDE")), "
        s += "predictive interval with chance \(c.predictiveLow.wholePounds) to \(c.predictiveHigh.wholePounds) (\(c.withinPredictiveInterval ? "within" : "OUTSIDE")).\n"
        for e in evaluations {
            let x = e.estimate
            s += "  \(x.programme): \(n(x.treated)) treated, \(n(x.observedTreated)) offended; difference-in-differences effect "
            s += String(format: "%.0f%% (95%% %.0f%% to %.0f%%), true %.1f%%: %@", x.effect * 100, x.effectLow * 100, x.effectHigh * 100,
                        e.trueEffect * 100, e.recovered ? "recovered" : "NOT recovered")
            if let r = e.riskAdjustedOnly {
                s += String(format: "; risk-adjusted only %.0f%% (%.0f%% to %.0f%%)", r.effect * 100, r.effectLow * 100, r.effectHigh * 100)
            }
            s += "\n"
        }
        return s
    }
}

/// The young people of a synthetic city's truth as of a date: aged 10-17, no serious violence offence before it;
/// their recorded ACEs by then and whether a first serious violence offence followed within the horizon.
struct ClosedLoopCohort {
    struct Person {
        var id: String
        var age: Int
        var sex: String
        var ethnicity: String
        var deprivation: String
        var aces: Int
        var outcome: Bool
    }
    var people: [Person]

    /// - Parameter cohortOf: when given, exactly these people (the untreated run's cohort), so both runs compare the same young people.
    init(dir: String, asOf: CivilDate, horizonEnd: CivilDate, cohortOf: Set<String>? = nil) throws {
        func table(_ file: String) throws -> [[String: String]] {
            CSVTokenizer.records(try String(contentsOfFile: dir + "/truth/" + file, encoding: .utf8)).records
        }
        var aces: [String: Int] = [:]
        for r in try table("aces.csv") where (r["onset_date"] ?? "9999") < asOf.iso { aces[r["person_id"] ?? "", default: 0] += 1 }
        var firstOffence: [String: String] = [:]
        for r in try table("outcomes.csv") { if let d = r["first_serious_violence_offender"], !d.isEmpty { firstOffence[r["person_id"] ?? ""] = d } }
        var out: [Person] = []
        for r in try table("people.csv") {
            guard let id = r["person_id"], let dob = r["date_of_birth"].flatMap({ CivilDate.parse($0, layout: .iso) }) else { continue }
            let first = firstOffence[id]
            if let cohortOf {
                guard cohortOf.contains(id) else { continue }
            } else {
                guard dob <= asOf, (10...17).contains(dob.age(on: asOf)) else { continue }
                if let f = first, f < asOf.iso { continue }
            }
            let decile = r["deprivation_decile"].flatMap { Int($0) }
            out.append(Person(id: id, age: dob.age(on: asOf), sex: r["sex"] ?? "unknown", ethnicity: r["ethnicity"] ?? "unknown",
                              deprivation: decile.map { "Q\(($0 + 1) / 2)" } ?? "unknown", aces: aces[id] ?? 0,
                              outcome: first.map { $0 >= asOf.iso && $0 < horizonEnd.iso } ?? false))
        }
        people = out
    }
}

/// The closed loop's stand-in for the risk model: the training city's rate of a first serious violence offence within
/// the horizon in each cell of sex × age band (10-13, 14-17) × ACEs by the date (0, 1, 2-3, 4+), shrunk towards the
/// overall rate with the weight of 20 young people. Calibrated on another city of the same generator; it sees only
/// what the truth states, not the agencies' records.
struct CellRiskModel {
    var rates: [String: Double]
    var overall: Double

    static func cell(_ p: ClosedLoopCohort.Person) -> String {
        "\(p.sex)|\(p.age <= 13 ? "10-13" : "14-17")|\(p.aces == 0 ? "0" : p.aces == 1 ? "1" : p.aces <= 3 ? "2-3" : "4+")"
    }

    init(_ people: [ClosedLoopCohort.Person]) {
        overall = Double(people.filter(\.outcome).count) / Double(max(1, people.count))
        var n: [String: Int] = [:], o: [String: Int] = [:]
        for p in people { n[CellRiskModel.cell(p), default: 0] += 1; if p.outcome { o[CellRiskModel.cell(p), default: 0] += 1 } }
        var r: [String: Double] = [:]
        for (k, count) in n { r[k] = (Double(o[k] ?? 0) + 20 * overall) / (Double(count) + 20) }
        rates = r
    }

    func risk(_ p: ClosedLoopCohort.Person) -> Double { rates[CellRiskModel.cell(p)] ?? overall }
}
