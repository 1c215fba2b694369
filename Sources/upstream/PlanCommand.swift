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
            if json { try JSONFiles.print(c); return }
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
        @Option(help: "The store (SQLite file) with a trained risk model.") var store: String?
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
        @Option(help: "Who is planning (recorded in the audit log).") var user: String = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
        @Flag(help: "Print the plan as JSON.") var json = false

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
            var (c, _) = try PlanInputs.catalogue(catalogue)
            let table: CandidateTable
            var persons: [String: PersonID] = [:]
            let statePath: String, location: String
            var measured: (low: Double, high: Double, note: String)?
            if let store, let asOf {
                let scored = try PlanInputs.fromStore(store: store, asOf: asOf, persons: self.persons, postcodes: postcodes)
                table = scored.table
                persons = scored.persons
                measured = scored.calibration
                c.horizonYears = Double(scored.horizonMonths) / 12
                statePath = store + ".plan"
                location = store
            } else {
                table = try PlanInputs.fromCSV(scores!)
                for r in table.rows { persons[r.id] = PersonID(r.id) }
                statePath = out ?? "plan"
                location = statePath + "/" + PlanOfferStore.csvStoreName
            }
            let outDir = out ?? statePath
            for dir in [outDir, statePath] {
                do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                    throw CLIError("cannot create \(dir): \(error.localizedDescription)")
                }
            }
            let (lo, hi) = calibrationRange.flatMap(PlanInputs.range) ?? measured.map { ($0.low, $0.high) } ?? (0.8, 1.25)
            var settings = PlanSettings(budget: Money.parse(budget)!, asOf: asOf?.iso, monteCarloDraws: draws, seed: seed,
                                        calibrationLow: lo, calibrationHigh: hi, timeLimitSeconds: timeLimit, curve: !noCurve,
                                        minimumBenefitCostRatio: minBcr)
            if calibrationRange == nil, let measured { settings.calibrationSource = measured.note }
            let plan: Plan
            do { plan = try PlanBuilder.build(catalogue: c, candidates: table, settings: settings) } catch let e as InterventionsError {
                throw CLIError(e.description)
            }
            try PlanPage.html(plan).write(toFile: outDir + "/business-case.html", atomically: true, encoding: .utf8)
            try plan.offersCSV.write(toFile: outDir + "/offers.csv", atomically: true, encoding: .utf8)
            try JSONFiles.write(plan, to: outDir + "/plan.json")
            // Every offer waits in the store's review queue for a person to decide: the plan's offers are saved in one
            // transaction, then the plan is audited.
            let offers = try PlanOfferStore.open(location, user: user)
            let now = Int64(Date().timeIntervalSince1970)
            let planID = "plan-\(asOf?.iso ?? "csv")-\(plan.budget.pence / 100)-\(seed)"
            let added = try offers.save(plan, planID: planID, persons: persons, at: now)
            try offers.governance.record("plan-make", subject: "\(plan.candidates) young people",
                                         reason: "\(planID): \(plan.offers.count) offers, \(added) new in the review queue", count: added, at: now)
            if json { try JSONFiles.print(plan); return }
            print(PlanText.render(plan))
            print("These are offers for practitioners to review, not decisions: \(added) added to the queue (upstream plan review\(store.map { " --store " + $0 } ?? " --state " + statePath)).")
            print("Business case: \(outDir)/business-case.html; offers: \(outDir)/offers.csv; figures: \(outDir)/plan.json")
        }
    }

    /// `upstream plan review`: the practitioners' queue of offers.
    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List pending offers, or record a decision on one (--decide ID --decision … --reason \"…\").")
        @Option(help: "The store the plan was made for.") var store: String?
        @Option(help: "Instead of a store: the folder of a plan made with --scores.") var state: String?
        @Option(help: "The offer to decide (its id, OF-…).") var decide: String?
        @Option(help: "offer, decline or refer.") var decision: String?
        @Option(help: "Why (required with --decide; recorded).") var reason: String?
        @Option(help: "Who decides.") var user: String = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
        @Option(help: "The role you decide in (practitioner or supervisor may decide offers; recorded as self-asserted).") var role: UpstreamGovernance.Role = .practitioner
        @Flag(help: "List decided offers too.") var all = false
        @Flag(help: "Print as JSON.") var json = false

        func validate() throws {
            if (store == nil) == (state == nil) { throw ValidationError("give --store STORE, or --state DIR for a plan made with --scores") }
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
            let location = store ?? (state! + "/" + PlanOfferStore.csvStoreName)
            guard StoreFactory.isServer(location) || FileManager.default.fileExists(atPath: location) else {
                throw CLIError("no offers at \(location): make a plan first with upstream plan")
            }
            let offers = try PlanOfferStore.open(location, user: user, role: role)
            let now = Int64(Date().timeIntervalSince1970)
            if let id = decide {
                let item = try offers.decide(id: id, decision: PlanOffer.Decision(rawValue: decision!)!, reason: reason!, at: now)
                let pending = try offers.items().filter { $0.decision == nil }.count
                if json { try JSONFiles.print(item) } else { print("\(id): \(decision!) recorded (\(pending) still pending)") }
                return
            }
            let items = try offers.items()
            let shown = all ? items : items.filter { $0.decision == nil }
            try offers.governance.record("plan-review-list", subject: "\(shown.count) offers", reason: all ? "all offers" : "pending offers",
                                         count: shown.count, at: now)
            if json { try JSONFiles.print(shown); return }
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
            guard let text = try? String(contentsOfFile: outcomes, encoding: .utf8) else { throw CLIError("cannot read \(outcomes)") }
            let rows: [ProgrammeEvaluation.Row]
            do { rows = try ProgrammeEvaluation.rows(csv: text, name: outcomes) } catch let e as InterventionsError { throw CLIError(e.description) }
            let estimates = ProgrammeEvaluation.estimate(rows, catalogue: c)
            if json { try JSONFiles.print(estimates); return }
            for e in estimates {
                print("\(e.programme): \(e.treated < 5 ? "fewer than 5" : String(e.treated)) treated; effect \(String(format: "%.0f%%", e.effect * 100)) (95% \(String(format: "%.0f%%", e.effectLow * 100)) to \(String(format: "%.0f%%", e.effectHigh * 100))); \(e.verdict)"
                      + (e.catalogueLow.map { String(format: " (catalogue %.0f%%-%.0f%%)", $0 * 100, (e.catalogueHigh ?? 0) * 100) } ?? ""))
            }
        }
    }
}

/// Reading a plan's inputs: the catalogue, the candidates from a store's risk model or a CSV, and the offers CSV.
enum PlanInputs {
    /// The catalogue from `path`, or from catalogue/interventions.yaml in the working folder or beside the checkout.
    static func catalogue(_ path: String?) throws -> (Catalogue, String) {
        var candidates = [path ?? "catalogue/interventions.yaml"]
        if path == nil {
            var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 { dir = dir.deletingLastPathComponent(); candidates.append(dir.appendingPathComponent("catalogue/interventions.yaml").path) }
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
              let text = try? String(contentsOfFile: found, encoding: .utf8) else {
            throw CLIError("cannot read the catalogue \(candidates[0]): give its path with --catalogue FILE")
        }
        do { return (try CatalogueLoader.load(yaml: text, knownFeatures: Set(RiskFeatures.names)), found) } catch let e as InterventionsError {
            throw CLIError("\(found): " + e.description)
        }
    }

    static func range(_ text: String) -> (Double, Double)? {
        let parts = text.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2, parts[0] > 0, parts[0] <= 1, parts[1] >= 1, parts[1] < 100 else { return nil }
        return (parts[0], parts[1])
    }

    /// Scores every young person as of `asOf` with the store's trained risk model (as `upstream risk score`).
    static func fromStore(store: String, asOf: CivilDate, persons: String?, postcodes: String?) throws
        -> (table: CandidateTable, horizonMonths: Int, calibration: (low: Double, high: Double, note: String)?, persons: [String: PersonID]) {
        let runs = try RiskRunStore.open(store)
        let model = try runs.model()
        let records = try RiskInputs.linked(store: store, persons: persons)
        let builder = CohortBuilder(records: records, postcodeDeprivation: try RiskInputs.deprivation(postcodes ?? runs.inputs().postcodes),
                                    config: model.config.cohort, parallelism: Workspace.defaultParallelism)
        let cohort = builder.cohort(asOf: asOf)
        guard !cohort.rows.isEmpty else { throw CLIError("no young people with records before \(asOf.iso) to plan for") }
        let probabilities = model.scores(CohortBuilder.dataset(cohort.rows), parallelism: Workspace.defaultParallelism)
        let pseudonyms = try Pseudonyms.forStore(store)
        let rows = cohort.rows.enumerated().map { i, r in
            Candidate(id: pseudonyms.pseudonym(r.personID), risk: probabilities[i], age: r.age, features: r.features,
                      sex: r.sex?.rawValue ?? "unknown", ethnicity: r.ethnicity ?? "unknown", deprivation: r.deprivationQuintile)
        }
        // The calibration multiplier's range, measured on the model's held-out test rows (observed over expected).
        var calibration: (low: Double, high: Double, note: String)?
        if let trees = model.report.models.first(where: { $0.key == "gbt" }) {
            let observed = trees.calibration.reduce(0) { $0 + $1.positives }
            let expected = trees.calibration.reduce(0.0) { $0 + Double($1.count) * $1.meanPredicted }
            if let m = CalibrationRange.measured(observed: observed, expected: expected) {
                calibration = (m.low, m.high, "risk model \(model.id) on its test rows: \(observed) observed against "
                               + String(format: "%.1f expected (O/E %.2f)", expected, m.ratio) + ", 95% interval widened to include 1")
            }
        }
        var byPseudonym: [String: PersonID] = [:]
        for (i, r) in cohort.rows.enumerated() { byPseudonym[rows[i].id] = PersonID(r.personID) }
        return (CandidateTable(columns: RiskFeatures.names, rows: rows), model.config.cohort.horizonMonths, calibration, byPseudonym)
    }

    /// Candidates from a CSV file (UpstreamInterventions' `CandidateTable.parse(csv:name:)`).
    static func fromCSV(_ path: String) throws -> CandidateTable {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read \(path): give the path of a CSV of person, score and features") }
        do { return try CandidateTable.parse(csv: text, name: path) } catch let e as InterventionsError { throw CLIError(e.description) }
    }
}

/// A plan in a few lines for the terminal.
enum PlanText {
    static func render(_ p: Plan) -> String {
        let t = p.totals, u = p.uncertainty
        var s = "Plan for \(p.budget.wholePounds)\(p.asOf.map { " as of " + $0 } ?? ""): \(t.offers) offers to \(p.candidates) young people scored (\(p.matched) matched a programme).\n"
        s += "Cost \(t.cost.wholePounds); harm averted \(t.harmAverted.wholePounds) (95% \(u.harmAvertedLow.wholePounds) to \(u.harmAvertedHigh.wholePounds)), "
        s += String(format: "%.1f serious violence offences; BCR %.2f (%.2f to %.2f); NPV ", t.offencesAverted, t.benefitCostRatio ?? 0, u.benefitCostRatioLow, u.benefitCostRatioHigh)
        s += "\(t.netPresentValue.wholePounds); P(benefits > costs) \(String(format: "%.0f%%", u.probabilityBenefitExceedsCost * 100)).\n"
        s += "Solver: \(p.solver.status); greedy \(p.solver.greedyHarmAverted.wholePounds) (gap \(String(format: "%.2f%%", p.solver.optimalityGap * 100))).\n"
        for pr in p.programmes {
            s += "  \(pr.name): \(pr.offers) of \(pr.places) places, \(pr.cost.wholePounds), averts \(pr.harmAverted.wholePounds)"
            s += pr.benefitCostRatio.map { String(format: ", BCR %.2f", $0) } ?? ""
            s += "\n"
        }
        if let step = p.nextStep {
            s += "The next \((step.to - step.from).wholePounds) would avert \(step.extraHarmAverted.wholePounds) more.\n"
        }
        for f in p.fairness { for g in f.groups where g.verdict.hasPrefix("fewer offers") || g.verdict.hasPrefix("more offers") { s += "  fairness: \(f.attribute) \(g.group): \(g.verdict)\n" } }
        return s
    }
}

/// The plan's offers in the store (docs/interventions.md §7): each offer is a row of the `offers` table (status
/// `proposed` until decided) holding its queue item (reasons, risk, harm averted) as detail, and each decision is the
/// `offers` review queue's state machine (UpstreamGovernance's `PlanOfferReview`), audited in the one trail.
struct PlanOfferStore {
    /// With `plan --scores` (no store) the plan keeps its own store in its folder, for its offers and audit trail.
    static let csvStoreName = "plan-audit.db"
    let governance: Governance
    let store: any WorkspaceStore

    /// Opens (creating when missing) the store at `location` under governance, for `user` acting in `role`.
    static func open(_ location: String, user: String, role: UpstreamGovernance.Role? = nil) throws -> PlanOfferStore {
        let g = try CLIGovernance.open(store: location, user: .selfAsserted(user, role: role))
        return PlanOfferStore(governance: g, store: try CLIGovernance.workspace(g))
    }

    /// The offers table's status for a decision.
    static func status(_ d: PlanOffer.Decision) -> String {
        switch d { case .offer: "offered"; case .decline: "declined"; case .refer: "referred" }
    }

    /// Every offer, oldest first, with its decision (from the review queue) filled in.
    func items() throws -> [OfferQueue.Item] {
        var reviews: [String: PlanOfferReview] = [:]
        for r in try store.reviewItems(.offers, pendingOnly: false) {
            if let item = try? JSONDecoder().decode(PlanOfferReview.self, from: r.stateJSON) { reviews[r.subject] = item }
        }
        return try stored().map { offer, item in
            var i = item
            if let review = reviews[i.id], case .decided(let d) = review.state, let step = review.history.last {
                i.decision = OfferQueue.Decision(rawValue: d.rawValue)
                i.decisionReason = step.reason
                i.decidedBy = step.by.name
                i.decidedAt = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(step.at)))
            } else if offer.status != "proposed" {
                // Decided, but the review item was not saved (the decision's audit entry holds who and why).
                i.decision = PlanOffer.Decision.allCases.first { Self.status($0) == offer.status }.flatMap { OfferQueue.Decision(rawValue: $0.rawValue) }
                i.decisionReason = "see the audit trail"
            }
            return i
        }
    }

    /// The offers table's rows with their queue items.
    func stored() throws -> [(StoredOffer, OfferQueue.Item)] {
        try store.offers(of: nil).map { o in
            do { return (o, try JSONDecoder().decode(OfferQueue.Item.self, from: o.detailJSON)) } catch {
                throw CLIError("offer \(o.id) in the store cannot be read (\(JSONFiles.describe(error))); make the plan again with upstream plan")
            }
        }
    }

    /// Saves the plan's offers that are not already in the store (same offer id), in one transaction.
    /// - Returns: how many were new.
    func save(_ plan: Plan, planID: String, persons: [String: PersonID], at: Int64) throws -> Int {
        var known = Set(try stored().map { $0.1.id })
        let added = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(at)))
        var rows: [StoredOffer] = []
        for o in plan.offers {
            let item = OfferQueue.Item(id: o.id, person: o.person, programme: o.programme, programmeName: o.programmeName, asOf: plan.asOf ?? "",
                                       planID: planID, reasons: o.reasons, risk: o.risk, harmAverted: o.harmAverted, cost: o.cost, added: added)
            guard known.insert(item.id).inserted else { continue }
            guard let person = persons[o.person] else { throw CLIError("offer \(o.id) names a young person the plan did not score") }
            rows.append(StoredOffer(person: person, programme: o.programme, cost: o.cost.pounds, status: "proposed", createdAt: at,
                                    detailJSON: try JSONFiles.encode(item)))
        }
        if !rows.isEmpty { _ = try store.saveOffers(rows) }
        return rows.count
    }

    /// Records a practitioner's decision on a pending offer: the review state machine checks the role and the reason,
    /// the decision is audited first, then the offer's status and its review item are saved.
    func decide(id: String, decision: PlanOffer.Decision, reason: String, at: Int64) throws -> OfferQueue.Item {
        guard let (offer, _) = try stored().first(where: { $0.1.id == id }) else {
            throw CLIError("\(id): no such offer in the queue: list them with upstream plan review")
        }
        var review = (try store.reviewItem(.offers, subject: id)).flatMap { try? JSONDecoder().decode(PlanOfferReview.self, from: $0.stateJSON) }
            ?? PlanOfferReview(subject: id)
        if case .decided(let d) = review.state {
            throw CLIError("\(id): already decided (\(d.rawValue) by \(review.history.last?.by.name ?? "?")): decisions are not changed here")
        }
        guard offer.status == "proposed" else { throw CLIError("\(id): already decided (\(offer.status)): decisions are not changed here") }
        let actions: [ReviewAction]
        do { actions = try review.decide(decision, by: governance.user, reason: reason, at: at) } catch let e as GovernanceError {
            throw CLIError("\(id): \(e.description)")
        }
        for case .audit(let event) in actions { _ = try governance.store.appendAudit([event]) }
        if actions.contains(.persist) {
            try store.updateOffer(id: offer.id, status: Self.status(decision))
            try store.saveReviewItems([StoredReviewItem(queue: .offers, subject: id, pending: false, updatedAt: at,
                                                        stateJSON: try JSONFiles.encode(review))])
        }
        guard let item = try items().first(where: { $0.id == id }) else { throw CLIError("\(id): the offer disappeared while deciding") }
        return item
    }
}
