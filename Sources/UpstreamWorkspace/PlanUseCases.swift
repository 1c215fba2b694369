import Foundation
import UpstreamGovernance
import UpstreamInterventions
import UpstreamModel
import UpstreamReports
import UpstreamRisk
import UpstreamRiskFeatures
import UpstreamStore

/// What `upstream plan make` is asked to do: plan from a store's risk model as of a date, or from a CSV of scores.
public struct PlanMakeRequest {
    /// The store (with a trained risk model) to score from; `nil` with ``scores``.
    public var store: String?
    /// Score as of this date (with ``store``).
    public var asOf: CivilDate?
    /// Instead of a store: a CSV of person, score and features.
    public var scores: String?
    public var budget: Money
    /// The catalogue (default: catalogue/interventions.yaml).
    public var catalogue: String?
    /// Where to write the business case (default: STORE.plan, or ./plan with ``scores``).
    public var out: String?
    /// Linked persons from a CSV instead of the store's.
    public var persons: String?
    /// Postcode lookup (default: the one the risk model was trained with).
    public var postcodes: String?
    public var draws = 1000
    public var seed: UInt64 = 1
    /// The calibration multiplier's range given by the user (else measured, else 0.8-1.25).
    public var calibrationRange: (low: Double, high: Double)?
    public var timeLimit: Double = 60
    public var curve = true
    public var minimumBenefitCostRatio: Double = 0
    /// Who is planning (recorded in the audit trail).
    public var user: String
    /// The price year of every amount (a year of the catalogue's deflator, or "latest"); `nil` keeps the catalogue's.
    public var priceYear: String?
    /// With ``store`` and no ``calibrationRange``: value the offers at the calibration measured on the offers the same
    /// rule made one horizon earlier (``SelectionCalibration``), when at least 5 of them offended.
    public var selectionCalibration = true

    public init(budget: Money, user: String) { self.budget = budget; self.user = user }
}

/// What a plan made: the plan, how many of its offers were new in the review queue, and where things are.
public struct PlanMakeOutcome {
    public var plan: Plan
    /// Offers new in the review queue.
    public var added: Int
    /// The store that keeps the offers and their review queue (`--store` of `upstream plan review`): the plan's
    /// store, or `OUT/plan-audit.db` for a plan made from a scores CSV.
    public var offersStore: String
    /// Where the business case, offers CSV and plan.json were written.
    public var outDir: String
    /// The plan's run in the store (the web app shows the latest), when the store keeps runs.
    public var run: Int64?
}

/// The plan's use cases: make the budgeted plan (score, match, value, solve, write the business case, queue every offer
/// for review, audited), and read its inputs.
public enum PlanUseCases {
    /// Makes the plan as `request` asks: scores the candidates, builds the plan, writes business-case.html, offers.csv
    /// and plan.json, and saves every new offer in the review queue with the plan's audit entry.
    public static func make(_ request: PlanMakeRequest) throws -> PlanMakeOutcome {
        var (c, _) = try PlanInputs.catalogue(request.catalogue)
        if let year = request.priceYear { c = try PlanInputs.repriced(c, to: year) }
        let table: CandidateTable
        var persons: [String: PersonID] = [:]
        let statePath: String, location: String
        var measured: (low: Double, high: Double, note: String)?
        var scorer: PlanInputs.StoreScorer?
        if let store = request.store, let asOf = request.asOf {
            let sc = try PlanInputs.StoreScorer(store: store, persons: request.persons, postcodes: request.postcodes)
            let scored = sc.score(asOf: asOf)
            guard !scored.table.rows.isEmpty else { throw WorkspaceError.badInput("no young people with records before \(asOf.iso) to plan for") }
            scorer = sc
            table = scored.table
            persons = scored.persons
            measured = sc.testCalibration
            c.horizonYears = Double(sc.horizonMonths) / 12
            statePath = store + ".plan"
            location = store
        } else if let scores = request.scores {
            table = try PlanInputs.fromCSV(scores)
            for r in table.rows { persons[r.id] = PersonID(r.id) }
            statePath = request.out ?? "plan"
            location = statePath + "/" + PlanOfferStore.csvStoreName
        } else {
            throw WorkspaceError.usage("give either --store STORE --as-of DATE (the risk model's scores) or --scores CSV")
        }
        let outDir = request.out ?? statePath
        for dir in [outDir, statePath] {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw WorkspaceError.badInput("cannot create \(dir): \(error.localizedDescription)")
            }
        }
        let (lo, hi) = request.calibrationRange ?? measured.map { ($0.low, $0.high) } ?? (0.8, 1.25)
        var settings = PlanSettings(budget: request.budget, asOf: request.asOf?.iso, monteCarloDraws: request.draws, seed: request.seed,
                                    calibrationLow: lo, calibrationHigh: hi, timeLimitSeconds: request.timeLimit, curve: request.curve,
                                    minimumBenefitCostRatio: request.minimumBenefitCostRatio)
        if request.calibrationRange == nil, let measured { settings.calibrationSource = measured.note }
        // With the store's model and no range given, the plan is valued at the calibration measured on the offers the
        // same rule made one horizon earlier (docs/interventions.md §3, "The selection calibration").
        if request.calibrationRange == nil, request.selectionCalibration, let scorer, let asOf = request.asOf {
            let (m, reason) = try scorer.selectionCalibration(asOf: asOf, catalogue: c, settings: settings)
            if let m { settings = m.applied(to: settings) } else { settings.calibrationSource += "; selection calibration not applied: " + reason }
        }
        let plan = try PlanInputs.build(c, table, settings)
        try PlanPage.html(plan).write(toFile: outDir + "/business-case.html", atomically: true, encoding: .utf8)
        try plan.offersCSV.write(toFile: outDir + "/offers.csv", atomically: true, encoding: .utf8)
        try JSONFiles.write(plan, to: outDir + "/plan.json")
        // Every offer waits in the store's review queue for a person to decide: the plan's offers and its audit entry
        // are saved in one transaction.
        let offers = try PlanOfferStore.open(location, user: request.user)
        let now = Int64(Date().timeIntervalSince1970)
        let planID = "plan-\(request.asOf?.iso ?? "csv")-\(plan.budget.pence / 100)-\(request.seed)"
        let added = try offers.save(plan, planID: planID, persons: persons, at: now)
        let run = try PlanRuns.save(plan, in: offers.store, by: request.user, at: now)
        return PlanMakeOutcome(plan: plan, added: added, offersStore: location, outDir: outDir, run: run?.id)
    }
}

/// Plans kept in the store (migration `v7-runs`): the headline figures as columns and the plan as JSON, encoded with
/// the store's one ``ReportRunJSON`` form so the web app decodes the same `Plan` type.
public enum PlanRuns {
    /// Saves `plan` as a run of `store` (nil when the store keeps no runs).
    @discardableResult
    public static func save(_ plan: Plan, in store: any WorkspaceStore, by user: String, at: Int64) throws -> StoredPlanRun? {
        guard let runs = store as? any ReportRunStore else { return nil }
        return try runs.saveRun(StoredPlanRun(
            createdAt: at, createdBy: user, asOf: plan.asOf, budgetPence: plan.budget.pence, costPence: plan.totals.cost.pence,
            offers: plan.offers.count, candidates: plan.candidates, planJSON: try ReportRunJSON.encoder().encode(plan)))
    }

    /// The latest plan in `store`, decoded; nil when there is none.
    /// - Throws: ``WorkspaceError`` when the stored plan cannot be read by this build.
    public static func latest(in store: any ReportRunStore) throws -> (StoredPlanRun, Plan)? {
        guard let run = try store.latestRun(StoredPlanRun.self) else { return nil }
        do { return (run, try ReportRunJSON.decoder().decode(Plan.self, from: run.planJSON)) } catch {
            throw WorkspaceError.badInput("plan run \(run.id) cannot be read by this build (\(JSONFiles.describe(error))): make the plan again with upstream plan")
        }
    }
}

/// Reading a plan's inputs: the catalogue, the candidates from a store's risk model or a CSV.
public enum PlanInputs {
    /// The catalogue from `path`, or from catalogue/interventions.yaml in the working folder or beside the checkout
    /// of `executable` (default: this process's).
    public static func catalogue(_ path: String?, executable: String = CommandLine.arguments[0]) throws -> (Catalogue, String) {
        var candidates = [path ?? "catalogue/interventions.yaml"]
        var shipped = ["catalogue/interventions.yaml"]
        var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 { dir = dir.deletingLastPathComponent(); shipped.append(dir.appendingPathComponent("catalogue/interventions.yaml").path) }
        if path == nil { candidates += shipped.dropFirst() }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
              let text = try? String(contentsOfFile: found, encoding: .utf8) else {
            throw WorkspaceError.badInput("cannot read the catalogue \(candidates[0]): give its path with --catalogue FILE")
        }
        // A file the catalogue names (its deflator) is read beside it, else beside the shipped catalogue.
        let folders = ([found] + shipped).map { URL(fileURLWithPath: $0).deletingLastPathComponent() }
        let file = { (name: String) throws -> String in
            for f in folders where FileManager.default.fileExists(atPath: f.appendingPathComponent(name).path) {
                return try String(contentsOf: f.appendingPathComponent(name), encoding: .utf8)
            }
            throw WorkspaceError.badInput("\(name) is not beside the catalogue (\(folders[0].path)): copy it there")
        }
        do { return (try CatalogueLoader.load(yaml: text, knownFeatures: Set(RiskFeatures.names), file: file), found) } catch let e as InterventionsError {
            throw WorkspaceError.badInput("\(found): " + e.description)
        }
    }

    /// The catalogue with its amounts in `year`'s prices (``Catalogue/repriced(to:)``), its errors as the workspace's.
    public static func repriced(_ c: Catalogue, to year: String) throws -> Catalogue {
        do { return try c.repriced(to: year) } catch let e as InterventionsError {
            throw WorkspaceError.badInput("--price-year \(year): " + e.message + " (the deflator holds "
                                          + (c.deflator.index.keys.sorted().first.map { "\($0) to \(c.deflator.index.keys.sorted().last!)" } ?? "no years") + ")")
        }
    }

    /// `LOW:HIGH` with 0 < LOW ≤ 1 ≤ HIGH < 100, else `nil`.
    public static func range(_ text: String) -> (Double, Double)? {
        let parts = text.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2, parts[0] > 0, parts[0] <= 1, parts[1] >= 1, parts[1] < 100 else { return nil }
        return (parts[0], parts[1])
    }

    /// The plan (UpstreamInterventions' ``PlanBuilder``), its errors as the workspace's.
    public static func build(_ c: Catalogue, _ candidates: CandidateTable, _ settings: PlanSettings) throws -> Plan {
        do { return try PlanBuilder.build(catalogue: c, candidates: candidates, settings: settings) } catch let e as InterventionsError {
            throw WorkspaceError.badInput(e.description)
        }
    }

    /// Scores every young person as of `asOf` with the store's trained risk model (as `upstream risk score`).
    public static func fromStore(store: String, asOf: CivilDate, persons: String?, postcodes: String?) throws
        -> (table: CandidateTable, horizonMonths: Int, calibration: (low: Double, high: Double, note: String)?, persons: [String: PersonID]) {
        let scorer = try StoreScorer(store: store, persons: persons, postcodes: postcodes)
        let scored = scorer.score(asOf: asOf)
        guard !scored.table.rows.isEmpty else { throw WorkspaceError.badInput("no young people with records before \(asOf.iso) to plan for") }
        // The calibration multiplier's range, measured on the model's held-out test rows (observed over expected).
        return (scored.table, scorer.horizonMonths, scorer.testCalibration, scored.persons)
    }

    /// Candidates from a CSV file (UpstreamInterventions' `CandidateTable.parse(csv:name:)`).
    public static func fromCSV(_ path: String) throws -> CandidateTable {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw WorkspaceError.badInput("cannot read \(path): give the path of a CSV of person, score and features")
        }
        do { return try CandidateTable.parse(csv: text, name: path) } catch let e as InterventionsError { throw WorkspaceError.badInput(e.description) }
    }
}

/// A plan in a few lines for the terminal.
public enum PlanText {
    public static func render(_ p: Plan) -> String {
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
public struct PlanOfferStore {
    /// With `plan --scores` (no store) the plan keeps its own store in its folder, for its offers and audit trail.
    public static let csvStoreName = "plan-audit.db"
    public let governance: Governance
    public let store: any WorkspaceStore

    /// Opens (creating when missing) the store at `location` under governance, for `user` acting in `role`.
    public static func open(_ location: String, user: String, role: UpstreamGovernance.Role? = nil) throws -> PlanOfferStore {
        let g = try Workspace(location: location, user: .selfAsserted(user, role: role)).governance()
        guard let w = g.store as? any WorkspaceStore else { throw WorkspaceError.badInput("this store cannot keep linked persons") }
        return PlanOfferStore(governance: g, store: w)
    }

    /// The offers table's status for a decision.
    public static func status(_ d: PlanOffer.Decision) -> String {
        switch d { case .offer: "offered"; case .decline: "declined"; case .refer: "referred" }
    }

    /// Every offer, oldest first, with its decision (from the review queue) filled in.
    public func items() throws -> [OfferQueue.Item] {
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
    public func stored() throws -> [(StoredOffer, OfferQueue.Item)] {
        try store.offers(of: nil).map { o in
            do { return (o, try JSONDecoder().decode(OfferQueue.Item.self, from: o.detailJSON)) } catch {
                throw WorkspaceError.badInput("offer \(o.id) in the store cannot be read (\(JSONFiles.describe(error))); make the plan again with upstream plan")
            }
        }
    }

    /// Saves the plan's offers that are not already in the store (same offer id) with the plan's `plan-make` audit
    /// entry, in one transaction when the store can (``AuditedOfferWrites``: both or neither after a crash).
    /// - Returns: how many offers were new.
    public func save(_ plan: Plan, planID: String, persons: [String: PersonID], at: Int64) throws -> Int {
        var known = Set(try stored().map { $0.1.id })
        let added = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(at)))
        var rows: [StoredOffer] = []
        for o in plan.offers {
            let item = OfferQueue.Item(id: o.id, person: o.person, programme: o.programme, programmeName: o.programmeName, asOf: plan.asOf ?? "",
                                       planID: planID, reasons: o.reasons, risk: o.risk, harmAverted: o.harmAverted, cost: o.cost, added: added)
            guard known.insert(item.id).inserted else { continue }
            guard let person = persons[o.person] else { throw WorkspaceError.badInput("offer \(o.id) names a young person the plan did not score") }
            rows.append(StoredOffer(person: person, programme: o.programme, cost: o.cost.pounds, status: "proposed", createdAt: at,
                                    detailJSON: try JSONFiles.encode(item)))
        }
        let event = AuditEvent(at: at, actor: governance.user.actor, action: "plan-make", subject: "\(plan.candidates) young people",
                               count: rows.count, reason: "\(planID): \(plan.offers.count) offers, \(rows.count) new in the review queue",
                               detail: "")
        try store.saveOffers(rows, audit: [event])
        return rows.count
    }

    /// Records a practitioner's decision on a pending offer: the review state machine checks the role and the reason,
    /// the decision is audited first, then the offer's status and its review item are saved.
    public func decide(id: String, decision: PlanOffer.Decision, reason: String, at: Int64) throws -> OfferQueue.Item {
        guard let (offer, _) = try stored().first(where: { $0.1.id == id }) else {
            throw WorkspaceError.badInput("\(id): no such offer in the queue: list them with upstream plan review")
        }
        var review = (try store.reviewItem(.offers, subject: id)).flatMap { try? JSONDecoder().decode(PlanOfferReview.self, from: $0.stateJSON) }
            ?? PlanOfferReview(subject: id)
        if case .decided(let d) = review.state {
            throw WorkspaceError.badInput("\(id): already decided (\(d.rawValue) by \(review.history.last?.by.name ?? "?")): decisions are not changed here")
        }
        guard offer.status == "proposed" else { throw WorkspaceError.badInput("\(id): already decided (\(offer.status)): decisions are not changed here") }
        let actions: [ReviewAction]
        do { actions = try review.decide(decision, by: governance.user, reason: reason, at: at) } catch let e as GovernanceError {
            throw WorkspaceError.badInput("\(id): \(e.description)")
        }
        for case .audit(let event) in actions { _ = try governance.store.appendAudit([event]) }
        if actions.contains(.persist) {
            try store.updateOffer(id: offer.id, status: Self.status(decision))
            try store.saveReviewItems([StoredReviewItem(queue: .offers, subject: id, pending: false, updatedAt: at,
                                                        stateJSON: try JSONFiles.encode(review))])
        }
        guard let item = try items().first(where: { $0.id == id }) else { throw WorkspaceError.badInput("\(id): the offer disappeared while deciding") }
        return item
    }
}
