// The plan's speed benchmark (Benchmarks/plan.md): a plan for 100,000 candidates across 30 programmes, and 1,000
// Monte Carlo draws. The programmes and young people are synthetic (made-up effects, costs and places, chosen only to
// exercise the solver at size; they are not figures for any real programme). Prints a Markdown table.
import Foundation
import UpstreamInterventions

let args = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}
let people = option("--people", 100_000), programmesCount = option("--programmes", 30), draws = option("--draws", 1000)
let budgetPounds = Double(option("--budget", 2_000_000))

var g = SeededGenerator(seed: 42)
let harm = HarmModel(
    outcome: "synthetic", unitCostPriceYear: "2015/16",
    offences: [OffenceHarm(name: "serious violence", codes: ["5D"], weight: 1, unitCost: Money(pounds: 17195.76), unitCostNote: "", cchiDays: 371)],
    unitCostSource: "synthetic", weightSource: "synthetic", cchiSource: "synthetic", counted: [], notCounted: [])
let programmes = (0..<programmesCount).map { j -> Programme in
    let point = 0.05 + 0.3 * Double(j % 10) / 10
    return Programme(
        id: "p\(j)", name: "Programme \(j)", agency: "synthetic", minimumAge: 8 + j % 4, maximumAge: 17,
        needs: [NeedRule(feature: "f\(j)", atLeast: 1, reason: "f\(j) = {value}"),
                NeedRule(feature: "f\((j + 7) % programmesCount)", atLeast: 2, reason: "f\((j + 7) % programmesCount) = {value}")],
        effect: Effect(violence: EffectEstimate(point: point, low: point * 0.5, high: point * 1.5, outcome: "violence", source: "synthetic", intervalNote: "synthetic"),
                       offending: nil),
        cost: CostRange(low: Money(pounds: 300 + 350 * Double(j)), high: Money(pounds: 600 + 500 * Double(j)), sourcePriceYear: nil, source: "synthetic"),
        places: 40 + 10 * (j % 7))
}
let catalogue = Catalogue(priceYear: "2015/16", discountRate: 0.035, discountRateSource: "Green Book", horizonYears: 2, harm: harm,
                          deflator: Deflator(series: "none", source: "none", index: ["2015/16": 100]), programmes: programmes)
let columns = (0..<programmesCount).map { "f\($0)" }
var rows: [Candidate] = []
rows.reserveCapacity(people)
for i in 0..<people {
    var f = [Float](repeating: 0, count: programmesCount)
    for j in 0..<programmesCount {
        let u = g.unit()
        f[j] = u < 0.02 ? 2 : u < 0.10 ? 1 : 0
    }
    // Risk: logistic of a normal (Box-Muller), median about 1.8%, long right tail.
    let z = (-2 * log(max(g.unit(), 1e-12))).squareRoot() * cos(2 * Double.pi * g.unit())
    let risk = 1 / (1 + exp(4 - 1.2 * z))
    rows.append(Candidate(id: "YP-\(i)", risk: risk, age: 8 + Int(g.next() % 10), features: f,
                          sex: i % 2 == 0 ? "F" : "M", ethnicity: ["A", "B", "C", "D"][i % 4], deprivation: "Q\(1 + i % 5)"))
}
let table = CandidateTable(columns: columns, rows: rows)
let budget = Money(pounds: budgetPounds)

func time<T>(_ label: String, _ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let r = try body()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    FileHandle.standardError.write(Data("\(label): \(String(format: "%.2f", seconds)) s\n".utf8))
    return (r, seconds)
}

let (valued, tValue) = try time("value") { try PlanBuilder.value(catalogue: catalogue, candidates: table) }
let (solved, tSolve) = try time("solve") { try Planner.optimal(valued.problem, budget: budget, timeLimitSeconds: 60) }
let (greedy, tGreedy) = time("greedy") { Planner.greedy(valued.problem, budget: budget) }
let (_, tMC) = time("monte carlo") { MonteCarlo.run(valued: valued, chosen: solved.allocation.chosen, draws: draws, seed: 1, calibration: (0.8, 1.25)) }
let settings = PlanSettings(budget: budget, monteCarloDraws: draws, seed: 1, curve: true)
let (plan, tWhole) = try time("whole") { try PlanBuilder.build(catalogue: catalogue, candidates: table, settings: settings) }

func f(_ x: Double, _ d: Int = 2) -> String { String(format: "%.\(d)f", x) }
print("| step | seconds |")
print("|---|---:|")
print("| match and value \(people) candidates × \(programmesCount) programmes (\(valued.problem.options.count) matched offers) | \(f(tValue)) |")
print("| solve the plan with GLPK (\(solved.variables) offers after the safe reduction; \(solved.status)) | \(f(tSolve)) |")
print("| **plan (match, value, solve)** | **\(f(tValue + tSolve))** |")
print("| greedy plan | \(f(tGreedy)) |")
print("| **\(draws) Monte Carlo draws** over the plan's \(solved.allocation.chosen.count) offers | **\(f(tMC))** |")
print("| whole business case (plan, 8-budget curve, Monte Carlo, tornado, fairness) | \(f(tWhole)) |")
print("")
print("Plan: \(solved.allocation.chosen.count) offers, cost \(solved.allocation.cost.wholePounds) of \(budget.wholePounds), harm averted \(Money(pounds: solved.allocation.value).wholePounds); "
      + "greedy \(Money(pounds: greedy.value).wholePounds) (gap \(f(100 * (solved.allocation.value - greedy.value) / max(solved.allocation.value, 1), 3))%). "
      + "Whole-plan curve points: \(plan.curve.count).")
