import ArgumentParser
import Foundation
import UpstreamGovernance
import UpstreamInterventions
import UpstreamModel
import UpstreamReports
import UpstreamRisk
import UpstreamRiskFeatures
import UpstreamStore
import UpstreamWorkspace

extension Upstream {
    /// `upstream interventions`: list and validate the intervention catalogue.
    struct InterventionsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "interventions",
            abstract: "List and validate the intervention catalogue (effects, costs, places, who each is for, sources).",
            discussion: "Edit catalogue/interventions.yaml (keys in docs/interventions.md) and run this to check it: each bad entry is named with its key."
        )
        @Option(help: "The catalogue (default: catalogue/interventions.yaml).") var catalogue: String?
        @Flag(help: "Print the catalogue as JSON.") var json = false

        func run() throws {
            let (c, path) = try PlanInputs.catalogue(catalogue)
            if json { try Terminal.json(c); return }
            let cpo = try c.harm.costPerOffence(deflator: c.deflator, priceYear: c.priceYear)
            print("\(path): \(c.programmes.count) programmes, \(c.plannable.count) with every figure a plan needs; \(c.priceYear) prices.")
            print("One serious violence offence: \(cpo) (Home Office unit costs, recorded offence mix); \(Int(c.harm.harmIndexDaysPerOffence.rounded())) crime harm index days.\n")
            for p in c.programmes {
                let e = p.effect.planning
                var line = "\(p.isPlannable ? "  " : "- ")\(p.id): \(p.name), ages \(p.minimumAge)-\(p.maximumAge), \(p.agency)"
                if let e { line += "\n    effect \(Int((e.estimate.point * 100).rounded()))% (\(Int((e.estimate.low * 100).rounded()))-\(Int((e.estimate.high * 100).rounded()))%) on \(e.estimate.outcome)\(e.proxy ? " (proxy for violence)" : "")" }
                if let cost = p.cost { line += "; cost \(cost.low == cost.high ? cost.low.description : "\(cost.low)-\(cost.high)") each; \(p.places) places" }
                line += "\n    for: " + p.needs.map { "\($0.feature) ≥ \($0.atLeast == $0.atLeast.rounded() ? String(Int($0.atLeast)) : String($0.atLeast))" }.joined(separator: " or ")
                for g in p.gaps { line += "\n    gap: \(g)" }
                print(line)
            }
            print("\nEntries marked - have gaps in the reference and are not planned.")
        }
    }

    /// `upstream plan`: the budgeted plan of offers and its business case; its review queue; evaluation.
    struct PlanCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Plan who to offer which programme within a budget, with the business case; review offers; evaluate.",
            discussion: """
            Offers are for practitioners to review (upstream plan review), never decisions. See docs/interventions.md.
            """,
            subcommands: [Make.self, Review.self, Evaluate.self, Loop.self],
            defaultSubcommand: Make.self
        )
    }
}

extension Upstream.PlanCommand {
    /// `upstream plan --store S --as-of DATE --budget GBP` or `upstream plan --scores CSV --budget GBP`.
    struct Make: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "make",
            abstract: "Make the budgeted plan: match needs to programmes, value them, solve, and write the business case.",
            discussion: """
            From a store: scores every young person with the trained risk model as of --as-of (as upstream risk score does). \
            From a CSV (--scores): columns person, score (calibrated probability) and feature columns named as the risk \
            model's (docs/risk-model.md); optional age, sex, ethnicity, deprivation_decile. Writes business-case.html, \
            offers.csv (pseudonymised) and plan.json to --out, and queues every offer for review.
            """
        )
        @OptionGroup var options: StoreOptions
        @Option(help: "Score as of this date (YYYY-MM-DD), with --store.") var asOf: CivilDate?
        @Option(help: "Instead of a store: a CSV of person, score and features.") var scores: String?
        @Option(help: "The budget in pounds (2000000, 2m, 250k).") var budget: String
        @Option(help: "The catalogue (default: catalogue/interventions.yaml).") var catalogue: String?
        @Option(help: "Where to write the business case (default: STORE.plan, or ./plan with --scores).") var out: String?
        @Option(help: "Linked persons from a CSV (source,record_id,person_id) instead of the store's.") var persons: String?
        @Option(help: "Postcode lookup (default: the one the risk model was trained with).") var postcodes: String?
        @Option(help: "Monte Carlo draws.") var draws: Int = 1000
        @Option(help: "Monte Carlo seed (recorded in the plan).") var seed: UInt64 = 1
        @Option(help: "The range of the true risk over the model's, LOW:HIGH (default: measured on the risk model's test rows with --store, else 0.8:1.25).") var calibrationRange: String?
        @Option(help: "The solver's time limit in seconds.") var timeLimit: Double = 60
        @Flag(help: "Skip the harm-averted curve and the marginal return.") var noCurve = false
        @Option(help: "Leave out offers whose benefit-cost ratio is below this (default 0: maximise harm averted).") var minBcr: Double = 0
        @Option(help: "The price year of every amount: a year of the catalogue's deflator (e.g. 2024 or 2015/16), or latest (default: the catalogue's price_year).") var priceYear: String?
        @Flag(help: "Print the plan as JSON.") var json = false

        /// The store with a trained risk model (`--store`), if given; the planner (`--user`).
        var store: String? { options.store }
        var user: String { options.userName }

        func validate() throws {
            if (store == nil) == (scores == nil) { throw ValidationError("give either --store STORE --as-of DATE (the risk model's scores) or --scores CSV") }
            if store != nil && asOf == nil { throw ValidationError("--store needs --as-of YYYY-MM-DD: the date to score young people as of") }
            guard let b = Money.parse(budget), b.pence > 0 else { throw ValidationError("--budget \(budget) is not an amount: write pounds, e.g. 2000000, 2m or 250k") }
            _ = b
            if !(minBcr.isFinite && minBcr >= 0 && minBcr <= 1_000) { throw ValidationError("--min-bcr must be a number from 0 to 1,000, e.g. 1 for offers that at least pay for themselves") }
            if !(timeLimit.isFinite && timeLimit > 0 && timeLimit <= 86_400) { throw ValidationError("--time-limit must be a number of seconds from 0 to 86,400, e.g. 60") }
            if draws < 1 || draws > 1_000_000 { throw ValidationError("--draws must be between 1 and 1,000,000") }
            if let calibrationRange, PlanInputs.range(calibrationRange) == nil { throw ValidationError("--calibration-range must be LOW:HIGH with 0 < LOW ≤ 1 ≤ HIGH, e.g. 0.8:1.25") }
        }

        func run() throws {
            var r = PlanMakeRequest(budget: Money.parse(budget)!, user: user)
            (r.store, r.asOf, r.scores, r.catalogue, r.out, r.persons, r.postcodes) = (store, asOf, scores, catalogue, out, persons, postcodes)
            (r.draws, r.seed, r.timeLimit, r.curve, r.minimumBenefitCostRatio) = (draws, seed, timeLimit, !noCurve, minBcr)
            r.calibrationRange = calibrationRange.flatMap(PlanInputs.range).map { (low: $0.0, high: $0.1) }
            r.priceYear = priceYear
            let made = try PlanUseCases.make(r)
            if json { try Terminal.json(made.plan); return }
            print(PlanText.render(made.plan))
            print("These are offers for practitioners to review, not decisions: \(made.added) added to the queue (upstream plan review --store \(made.offersStore)).")
            print("Business case: \(made.outDir)/business-case.html; offers: \(made.outDir)/offers.csv; figures: \(made.outDir)/plan.json")
        }
    }

    /// `upstream plan review`: the practitioners' queue of offers.
    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List pending offers, or record a decision on one (--decide ID --decision … --reason \"…\").")
        @OptionGroup var options: StoreOptions
        @Option(help: .hidden) var state: String?
        @Option(help: "The offer to decide (its id, OF-…).") var decide: String?
        @Option(help: "offer, decline or refer.") var decision: String?
        @Option(help: "Why (required with --decide; recorded).") var reason: String?
        @Option(help: "The role you decide in (practitioner or supervisor may decide offers; recorded as self-asserted).") var role: Role = .practitioner
        @Flag(help: "List decided offers too.") var all = false
        @Flag(help: "Print as JSON.") var json = false

        /// The store the plan was made for (`--store`), if given; who decides (`--user`).
        var store: String? { options.store }
        var user: String { options.userName }

        func validate() throws {
            if let state { throw ValidationError("--state is retired: give --store \(state)/\(PlanOfferStore.csvStoreName), the store a plan made with --scores keeps its offers in (upstream plan prints it)") }
            if store == nil { throw ValidationError("give --store STORE: the plan's store, or OUT/\(PlanOfferStore.csvStoreName) for a plan made with --scores") }
            if decide != nil {
                guard let d = decision, PlanOffer.Decision(rawValue: d) != nil else {
                    throw ValidationError("--decide needs --decision \(PlanOffer.Decision.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if (try? Purpose(reason, for: "--decide")) == nil { throw ValidationError("--decide needs --reason \"…\": say why, in words (it is recorded)") }
            } else if decision != nil || reason != nil {
                throw ValidationError("--decision and --reason are only used with --decide ID")
            }
        }

        func run() throws {
            let location = store!
            guard StoreFactory.isServer(location) || FileManager.default.fileExists(atPath: location) else {
                throw WorkspaceError.badInput("no offers at \(location): make a plan first with upstream plan")
            }
            let offers = try PlanOfferStore.open(location, user: user, role: role)
            let now = Int64(Date().timeIntervalSince1970)
            if let id = decide {
                let item = try offers.decide(id: id, decision: PlanOffer.Decision(rawValue: decision!)!, reason: reason!, at: now)
                let pending = try offers.items().filter { $0.decision == nil }.count
                if json { try Terminal.json(item) } else { print("\(id): \(decision!) recorded (\(pending) still pending)") }
                return
            }
            let items = try offers.items()
            let shown = all ? items : items.filter { $0.decision == nil }
            try offers.governance.record("plan-review-list", subject: "\(shown.count) offers", reason: all ? "all offers" : "pending offers",
                                         count: shown.count, at: now)
            if json { try Terminal.json(shown); return }
            print("\(items.filter { $0.decision == nil }.count) pending of \(items.count) offers. Offers to review, not decisions.\n")
            for i in shown {
                print("\(i.id): \(i.programmeName) for \(i.person), risk \(String(format: "%.1f%%", i.risk * 100)), averts \(i.harmAverted.wholePounds) for \(i.cost)")
                for r in i.reasons { print("   + " + r) }
                if let d = i.decision { print("   decided: \(d.rawValue) by \(i.decidedBy ?? "?"): \(i.decisionReason ?? "")") }
            }
        }
    }

    /// `upstream plan evaluate --outcomes CSV`: each programme's effect estimated from what happened afterwards.
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimate each programme's effect from later outcomes (risk-adjusted observed against expected).",
            discussion: """
            --outcomes CSV: columns person, programme (blank when untreated), score (calibrated risk at the plan's date) \
            and outcome (1 when a first serious violence offence followed within the horizon). The effect is \
            1 − (O/E treated) / (O/E untreated), compared with the catalogue's interval. See docs/interventions.md.
            """)
        @Option(help: "The outcomes CSV.") var outcomes: String
        @Option(help: "The catalogue (default: catalogue/interventions.yaml).") var catalogue: String?
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let (c, _) = try PlanInputs.catalogue(catalogue)
            guard let text = try? String(contentsOfFile: outcomes, encoding: .utf8) else { throw WorkspaceError.badInput("cannot read \(outcomes)") }
            let rows: [ProgrammeEvaluation.Row]
            do { rows = try ProgrammeEvaluation.rows(csv: text, name: outcomes) } catch let e as InterventionsError { throw WorkspaceError.badInput(e.description) }
            let estimates = ProgrammeEvaluation.estimate(rows, catalogue: c)
            if json { try Terminal.json(estimates); return }
            for e in estimates {
                print("\(e.programme): \(e.treated < 5 ? "fewer than 5" : String(e.treated)) treated; effect \(String(format: "%.0f%%", e.effect * 100)) (95% \(String(format: "%.0f%%", e.effectLow * 100)) to \(String(format: "%.0f%%", e.effectHigh * 100))); \(e.verdict)"
                      + (e.catalogueLow.map { String(format: " (catalogue %.0f%%-%.0f%%)", $0 * 100, (e.catalogueHigh ?? 0) * 100) } ?? ""))
            }
        }
    }
}
