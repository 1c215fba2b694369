import ArgumentParser
import Foundation
import UpstreamInterventions
import UpstreamModel
import UpstreamStore
import UpstreamSynth
import UpstreamWorkspace

extension Upstream.PlanCommand {
    /// Which risk model the closed loop plans from.
    enum LoopRisk: String, ExpressibleByArgument, CaseIterable {
        /// The risk model trained on the city's own store (ingest, link, `risk train`), as a user's plan would be.
        case store
        /// A cell model fitted on another city's truth (sex × age band × ACEs), for a quick check of the valuation.
        case standIn = "stand-in"
    }

    /// `upstream plan loop`: the closed loop on the synthetic city (docs/interventions.md §8).
    struct Loop: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The closed loop: plan on a synthetic city, re-live it with the plan, and compare realised with predicted harm averted.",
            discussion: """
            Generates the city to plan for (--seed). With --risk store (the default) it ingests the city's extracts into a \
            store, links them, trains the risk model on dates whose outcomes end by --as-of (upstream risk train) and plans \
            from that model's scores as of --as-of, as a user's plan would; with --risk stand-in it fits a cell model on a \
            training city's truth (--train-seed) instead. It plans within --budget, re-lives the city with the plan's \
            treatment (common random numbers: untreated lives are the same), and reports realised against predicted harm \
            averted (judged against the predictive interval) and each programme's estimated against its true effect. \
            See docs/interventions.md §8.
            """)
        @Option(help: "People in each city.") var people: Int = 20_000
        @Option(help: "Seed of the city planned for.") var seed: UInt64 = 2
        @Option(help: "The risk model: store (trained on the city's own store, the default) or stand-in (fitted on another city's truth).")
        var risk: LoopRisk = .store
        @Option(help: "Seed of the training city (--risk stand-in only).") var trainSeed: UInt64 = 1
        @Option(help: "The plan's date (YYYY-MM-DD, inside the city's window with the horizon after it).") var asOf: CivilDate = CivilDate(year: 2021, month: 1, day: 1)!
        @Option(help: "The budget in pounds (2000000, 2m, 250k).") var budget: String = "2m"
        @Option(help: "Places on every programme (default: the catalogue's).") var places: Int?
        @Option(help: "The catalogue (default: catalogue/interventions.yaml).") var catalogue: String?
        @Option(help: "Where to write the cities, the store and closed-loop.json.") var out: String = "closed-loop"
        @Option(help: "Monte Carlo draws.") var draws: Int = 1000
        @Option(help: "A YAML file overriding the cities' parameters (as upstream synth --config), e.g. a higher serious violence prevalence.")
        var config: String?
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            if people < 1_000 || people > IdentifierBook.maximumPeople { throw ValidationError("--people must be between 1,000 and \(IdentifierBook.maximumPeople)") }
            if risk == .standIn, seed == trainSeed { throw ValidationError("--seed and --train-seed must differ: the stand-in risk model is judged on a city it was not fitted on") }
            guard let b = Money.parse(budget), b.pence > 0 else { throw ValidationError("--budget \(budget) is not an amount: write pounds, e.g. 2000000, 2m or 250k") }
            if let places, places < 1 || places > 10_000_000 { throw ValidationError("--places must be between 1 and 10,000,000") }
            if draws < 1 || draws > 1_000_000 { throw ValidationError("--draws must be between 1 and 1,000,000") }
        }

        func run() throws {
            var (c, _) = try PlanInputs.catalogue(catalogue)
            var cfg = SynthConfig.defaults
            if let config {
                guard let text = try? String(contentsOfFile: config, encoding: .utf8) else { throw ValidationError("cannot read config file \(config)") }
                do { cfg = try SynthConfig.load(overrides: text) } catch let e as SynthConfig.Invalid { throw ValidationError(e.description) }
            }
            cfg.people = people
            if let places { for i in c.programmes.indices { c.programmes[i].places = places } }
            let settings = PlanSettings(budget: Money.parse(budget)!, asOf: asOf.iso, monteCarloDraws: draws, seed: 1, calibrationLow: 0.8,
                                        calibrationHigh: 1.25, timeLimitSeconds: 60, curve: false, minimumBenefitCostRatio: 0)
            let loop = ClosedLoopRun(catalogue: c, city: cfg, seed: seed, trainSeed: trainSeed, asOf: asOf, settings: settings,
                                     out: out, binary: CommandLine.arguments[0], messages: Terminal.messages)
            let result = try risk == .store ? loop.withStoreModel() : loop.withStandIn()
            try JSONFiles.write(result, to: out + "/closed-loop.json")
            if json { try Terminal.json(result); return }
            print(result.text)
        }
    }
}
