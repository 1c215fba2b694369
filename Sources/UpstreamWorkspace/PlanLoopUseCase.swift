import Foundation
import UpstreamInterventions
import UpstreamModel
import UpstreamRisk
import UpstreamStore
import UpstreamSynth

/// One closed loop (docs/interventions.md §8): the city planned for, the plan, the same city re-lived with the plan's
/// treatment, and the comparison. The steps that differ by risk model are `withStoreModel()` and `withStandIn()`;
/// both end in `finish`.
public struct ClosedLoopRun {
    var catalogue: Catalogue
    var city: SynthConfig
    var seed: UInt64
    var trainSeed: UInt64
    var asOf: CivilDate
    var settings: PlanSettings
    var out: String
    /// This executable, to run the pipeline's commands (ingest, link, risk train) as a user would.
    var binary: String
    /// Where progress goes.
    var messages: Messages

    public init(catalogue: Catalogue, city: SynthConfig, seed: UInt64, trainSeed: UInt64, asOf: CivilDate, settings: PlanSettings,
                out: String, binary: String, messages: Messages = .silent) {
        self.catalogue = catalogue; self.city = city; self.seed = seed; self.trainSeed = trainSeed; self.asOf = asOf
        self.settings = settings; self.out = out; self.binary = binary; self.messages = messages
    }

    var horizonMonths: Int { Int((catalogue.horizonYears * 12).rounded()) }
    var horizonEnd: CivilDate { asOf.firstOfMonth(addingMonths: horizonMonths) }
    var earlierDate: CivilDate { asOf.firstOfMonth(addingMonths: -horizonMonths) }

    /// What one arm of the loop hands to `finish`: the plan, each candidate's outcome in both runs, and the rows the
    /// evaluation reads (this cohort on the treated run, and the cohort two years earlier with the plan the same rule
    /// would have made then).
    struct Arm {
        var riskModel: String
        var catalogue: Catalogue
        var plan: Plan
        var untreated: [String: Bool]
        var treated: [String: Bool]
        var rows: [ProgrammeEvaluation.Row]
        var earlierRows: [ProgrammeEvaluation.Row]
        var cohortOutcomes: Int
        var cohortOutcomesTreatedRun: Int
        var expectedCohortOutcomes: Double
        var trainingCohort: Int?
        var trainingOutcomes: Int?
        var linkage: LoopResult.Linkage?
        var selectionCalibration: SelectionCalibration? = nil
        var selectionCalibrationNote: String? = nil
    }

    func checkWindow() throws {
        let start = CivilDate(year: city.startYear, month: 1, day: 1)!, end = CivilDate(year: city.startYear + city.years, month: 1, day: 1)!
        guard earlierDate > start, horizonEnd <= end else {
            throw WorkspaceError.usage("--as-of \(asOf.iso) must leave \(horizonMonths) months before the city's window ends (\(end.iso)) and "
                                  + "\(horizonMonths) months after it starts (\(start.iso))")
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    }

    func generate(_ seed: UInt64, _ name: String, _ treatment: Treatment? = nil) throws -> String {
        var k = city
        k.seed = seed
        messages.progress("loop: generating \(name)")
        _ = try CityGenerator(config: k, treatment: treatment, parallelism: Workspace.defaultParallelism).generate(to: out + "/" + name, overwrite: true)
        return out + "/" + name
    }

    func build(_ c: Catalogue, _ candidates: CandidateTable, _ settings: PlanSettings) throws -> Plan {
        try PlanInputs.build(c, candidates, settings)
    }

    /// The treatment a plan gives, by true person: each offer's person mapped by `truth` (offers with no true person,
    /// and a second offer to the same true person, are left out and counted).
    func treatment(_ c: Catalogue, _ plan: Plan, truth: (String) -> String?) throws -> (Treatment, unmapped: Int, duplicates: Int) {
        var assignments: [String: String] = [:], unmapped = 0, duplicates = 0
        for o in plan.offers {
            guard let t = truth(o.person) else { unmapped += 1; continue }
            if assignments[t] != nil { duplicates += 1 } else { assignments[t] = o.programme }
        }
        let t = Treatment(from: asOf, programmes: c.plannable.compactMap { p in p.effect.planning.map { .init(id: p.id, low: $0.estimate.low, high: $0.estimate.high) } },
                          assignments: assignments)
        let tl = CSVWriter.text(header: ["person_id", "programme"], rows: assignments.sorted(by: { $0.key < $1.key }).map { [$0.key, $0.value] })
        try tl.write(toFile: out + "/treatment.csv", atomically: true, encoding: .utf8)
        return (t, unmapped, duplicates)
    }

    // MARK: The store's trained risk model

    /// Runs `upstream ARGS` (this executable) as a stage of the pipeline; its output is discarded, its errors shown.
    func stage(_ title: String, _ args: [String]) throws {
        messages.progress("loop: \(title)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary).resolvingSymlinksInPath()
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw WorkspaceError.badInput("loop: `upstream \(args.joined(separator: " "))` failed (exit \(p.terminationStatus))") }
    }

    /// The risk model's dates: tested on the three half-years whose outcome windows end by the plan's date, trained on
    /// the three half-years whose windows end by the first test date; so nothing after the plan's date is seen.
    var riskDates: (train: [CivilDate], test: [CivilDate]) {
        let test = [-horizonMonths - 12, -horizonMonths - 6, -horizonMonths].map { asOf.firstOfMonth(addingMonths: $0) }
        let train = [-horizonMonths - 12, -horizonMonths - 6, -horizonMonths].map { test[0].firstOfMonth(addingMonths: $0) }
        return (train, test)
    }

    /// Plans from the scores of the risk model trained on the city's own store (ingest, link, risk train), as a
    /// user's plan would, with the catalogue's own need rules over the model's features.
    public func withStoreModel() throws -> LoopResult {
        try checkWindow()
        let cityDir = try generate(seed, "city")
        let storeDir = out + "/store"
        try? FileManager.default.removeItem(atPath: storeDir)
        try FileManager.default.createDirectory(atPath: storeDir, withIntermediateDirectories: true)
        let store = storeDir + "/city.db"
        let dates = riskDates
        try stage("ingesting the city's extracts", ["ingest", "--synth", cityDir, "--store", store])
        try stage("linking records into persons", ["link", "--store", store])
        try stage("training the risk model", ["risk", "train", "--store", store, "--postcodes", cityDir + "/reference/postcodes.csv",
                                              "--horizon", String(horizonMonths), "--train-dates"] + dates.train.map(\.iso)
                                              + ["--test-dates"] + dates.test.map(\.iso))
        messages.progress("loop: scoring and planning")
        var c = catalogue
        let scorer = try PlanInputs.StoreScorer(store: store, persons: nil, postcodes: nil)
        let table = scorer.score(asOf: asOf).table
        guard !table.rows.isEmpty else { throw WorkspaceError.badInput("no young people with records before \(asOf.iso) to plan for") }
        c.horizonYears = Double(scorer.horizonMonths) / 12
        var s = settings
        if let calibration = scorer.testCalibration {
            s.calibrationLow = calibration.low; s.calibrationHigh = calibration.high; s.calibrationSource = calibration.note
        }
        // As `upstream plan --store` does: the calibration among those the plan's rule selects, measured on the offers
        // the same rule made one horizon earlier, from the store's records (docs/interventions.md §3).
        let earlierScored = scorer.score(asOf: earlierDate)
        let (selection, selectionReason) = try PlanInputs.StoreScorer.selectionCalibration(
            earlier: earlierDate, table: earlierScored.table, outcomes: earlierScored.outcomes, catalogue: c, settings: s)
        if let selection { s = selection.applied(to: s) } else { s.calibrationSource += "; selection calibration not applied: " + selectionReason }
        let plan = try build(c, table, s)
        let modelID = try RiskRunStore.open(store).latestTraining().modelID

        // Which true person each linked person mostly is (the store's assignments against the city's truth).
        messages.progress("loop: matching linked persons to the city's truth")
        var truthOfRecord: [RecordKey: String] = [:]
        for r in CSV.rows(try String(contentsOfFile: cityDir + "/truth/records.csv", encoding: .utf8)).dropFirst() where r.count >= 3 {
            truthOfRecord[RecordKey(source: r[0], recordID: r[1])] = r[2]
        }
        let pseudonyms = try Pseudonyms.forStore(store)
        let wanted = Set(table.rows.map(\.id))
        var truthOf: [String: String] = [:]
        var current: PersonID?, votes: [String: Int] = [:]
        func flush() {
            guard let p = current else { return }
            let pseudonym = pseudonyms.pseudonym(p.rawValue)
            if wanted.contains(pseudonym), let t = ClosedLoop.majority(votes) { truthOf[pseudonym] = t }
        }
        try StoreFactory.openExisting(store).forEachAssignment { a in
            if a.person != current { flush(); current = a.person; votes = [:] }
            if let t = truthOfRecord[a.record] { votes[t, default: 0] += 1 }
        }
        flush()
        truthOfRecord = [:]

        let (treatment, unmapped, duplicates) = try treatment(c, plan, truth: { truthOf[$0] })
        let treatedDir = try generate(seed, "treated", treatment)
        let before = try TruthOutcomes(dir: cityDir), after = try TruthOutcomes(dir: treatedDir)
        func outcome(_ o: TruthOutcomes, _ id: String, from: CivilDate, to: CivilDate) -> Bool {
            truthOf[id].map { o.firstOffence(of: $0, from: from, to: to) } ?? false
        }
        var untreated: [String: Bool] = [:], treated: [String: Bool] = [:]
        for r in table.rows {
            untreated[r.id] = outcome(before, r.id, from: asOf, to: horizonEnd)
            treated[r.id] = outcome(after, r.id, from: asOf, to: horizonEnd)
        }
        let offered = Dictionary(plan.offers.map { ($0.person, $0.programme) }, uniquingKeysWith: { a, _ in a })
        let rows = table.rows.map { r in
            ProgrammeEvaluation.Row(person: r.id, programme: offered[r.id], risk: r.risk, outcome: treated[r.id] == true ? 1 : 0)
        }
        // The cohort two years earlier, scored by the same model, and the plan the same rule would have made then.
        messages.progress("loop: the earlier cohort")
        let earlierTable = earlierScored.table
        var es = s
        es.asOf = earlierDate.iso
        es.monteCarloDraws = 10
        let earlierPlan = try build(c, earlierTable, es)
        let wouldOffer = Dictionary(earlierPlan.offers.map { ($0.person, $0.programme) }, uniquingKeysWith: { a, _ in a })
        let earlierRows = earlierTable.rows.map { r in
            ProgrammeEvaluation.Row(person: r.id, programme: wouldOffer[r.id], risk: r.risk,
                                    outcome: outcome(after, r.id, from: earlierDate, to: asOf) ? 1 : 0)
        }
        let earlierOffenders = plan.offers.filter { o in truthOf[o.person].map { before.offendedBefore($0, asOf) } ?? false }.count
        let arm = Arm(
            riskModel: "the store's trained risk model \(modelID) (ingest, link, risk train on the city's own records; trained on "
                + dates.train.map(\.iso).joined(separator: ", ") + ", tested on " + dates.test.map(\.iso).joined(separator: ", ") + ")",
            catalogue: c, plan: plan, untreated: untreated, treated: treated, rows: rows, earlierRows: earlierRows,
            cohortOutcomes: untreated.values.filter { $0 }.count, cohortOutcomesTreatedRun: treated.values.filter { $0 }.count,
            expectedCohortOutcomes: table.rows.reduce(0.0) { $0 + $1.risk },
            linkage: LoopResult.Linkage(scored: table.rows.count, matchedToTruth: truthOf.count, offersWithoutTruePerson: unmapped,
                                        secondOffersToTruePerson: duplicates, offersToEarlierOffenders: earlierOffenders),
            selectionCalibration: selection, selectionCalibrationNote: selection == nil ? selectionReason : nil)
        return try finish(arm, treatedDir: treatedDir)
    }

    // MARK: The stand-in

    /// Plans from a cell model fitted on another city's truth, with every programme's needs replaced by "at least
    /// one ACE by the plan's date" (the truth has no risk features).
    public func withStandIn() throws -> LoopResult {
        try checkWindow()
        var c = catalogue
        let train = try ClosedLoopCohort(dir: try generate(trainSeed, "train"), asOf: asOf, horizonEnd: horizonEnd)
        let model = CellRiskModel(train.people)
        let test = try ClosedLoopCohort(dir: try generate(seed, "city"), asOf: asOf, horizonEnd: horizonEnd)
        for i in c.programmes.indices {
            c.programmes[i].needs = [NeedRule(feature: "ace_count", atLeast: 1, reason: "{value} adverse childhood experiences by the plan's date")]
        }
        func table(_ people: [ClosedLoopCohort.Person]) -> CandidateTable {
            CandidateTable(columns: ["ace_count"], rows: people.map { p in
                Candidate(id: p.id, risk: model.risk(p), age: p.age, features: [Float(p.aces)], sex: p.sex, ethnicity: p.ethnicity,
                          deprivation: p.deprivation)
            })
        }
        messages.progress("loop: planning")
        let plan = try build(c, table(test.people), settings)
        let (treatment, _, _) = try treatment(c, plan, truth: { $0 })
        let treatedDir = try generate(seed, "treated", treatment)
        let treatedCity = try ClosedLoopCohort(dir: treatedDir, asOf: asOf, horizonEnd: horizonEnd, cohortOf: Set(test.people.map(\.id)))
        let offered = Dictionary(plan.offers.map { ($0.person, $0.programme) }, uniquingKeysWith: { a, _ in a })
        let rows = treatedCity.people.map { p in
            ProgrammeEvaluation.Row(person: p.id, programme: offered[p.id], risk: model.risk(p), outcome: p.outcome ? 1 : 0)
        }
        let earlier = try ClosedLoopCohort(dir: treatedDir, asOf: earlierDate, horizonEnd: asOf)
        var es = settings
        es.asOf = earlierDate.iso
        es.monteCarloDraws = 10
        let wouldOffer = Dictionary(try build(c, table(earlier.people), es).offers.map { ($0.person, $0.programme) }, uniquingKeysWith: { a, _ in a })
        let earlierRows = earlier.people.map { p in
            ProgrammeEvaluation.Row(person: p.id, programme: wouldOffer[p.id], risk: model.risk(p), outcome: p.outcome ? 1 : 0)
        }
        let arm = Arm(
            riskModel: "stand-in: the rate in each cell of sex × age band × ACEs, fitted on the truth of another city (seed \(trainSeed)); needs matched on ACEs",
            catalogue: c, plan: plan, untreated: Dictionary(uniqueKeysWithValues: test.people.map { ($0.id, $0.outcome) }),
            treated: Dictionary(uniqueKeysWithValues: treatedCity.people.map { ($0.id, $0.outcome) }), rows: rows, earlierRows: earlierRows,
            cohortOutcomes: test.people.filter(\.outcome).count, cohortOutcomesTreatedRun: treatedCity.people.filter(\.outcome).count,
            expectedCohortOutcomes: test.people.reduce(0.0) { $0 + model.risk($1) },
            trainingCohort: train.people.count, trainingOutcomes: train.people.filter(\.outcome).count)
        return try finish(arm, treatedDir: treatedDir)
    }

    // MARK: Both

    /// Compares realised with predicted harm averted and estimates each programme's effect against its true effect.
    func finish(_ arm: Arm, treatedDir: String) throws -> LoopResult {
        messages.clearProgress()
        var intervals: [String: (low: Double, point: Double, high: Double)] = [:]
        for p in arm.catalogue.plannable { if let e = p.effect.planning?.estimate { intervals[p.id] = (e.low, e.point, e.high) } }
        let comparison = ClosedLoop.compare(plan: arm.plan, programmes: intervals, untreated: arm.untreated, treated: arm.treated,
                                            draws: 2_000, seed: 7)
        let truth = CSV.records(try String(contentsOfFile: treatedDir + "/truth/programme_effects.csv", encoding: .utf8)).records
        let trueEffect = Dictionary(truth.compactMap { r in r["programme"].flatMap { id in r["true_effect"].flatMap(Double.init).map { (id, $0) } } },
                                    uniquingKeysWith: { a, _ in a })
        // Places went to those the plan ranked highest, not at random, so the treated are compared with the rest by
        // difference-in-differences against the plan the same rule would have made two years earlier.
        let naive = Dictionary(ProgrammeEvaluation.estimate(arm.rows, catalogue: arm.catalogue).map { ($0.programme, $0) }, uniquingKeysWith: { a, _ in a })
        let evaluations = ProgrammeEvaluation.differenceInDifferences(arm.rows, earlier: arm.earlierRows, catalogue: arm.catalogue).map { e in
            LoopResult.Evaluation(estimate: e, riskAdjustedOnly: naive[e.programme], trueEffect: trueEffect[e.programme] ?? .nan,
                                  recovered: (trueEffect[e.programme]).map { $0 >= e.effectLow && $0 <= e.effectHigh } ?? false)
        }
        return LoopResult(
            people: city.people, seed: seed, riskModel: arm.riskModel, trainSeed: arm.trainingCohort == nil ? nil : trainSeed,
            asOf: asOf.iso, horizonMonths: horizonMonths, trainingCohort: arm.trainingCohort, trainingOutcomes: arm.trainingOutcomes,
            cohort: arm.rows.count, cohortOutcomes: arm.cohortOutcomes, cohortOutcomesTreatedRun: arm.cohortOutcomesTreatedRun,
            expectedCohortOutcomes: arm.expectedCohortOutcomes, budget: arm.plan.budget, cost: arm.plan.totals.cost,
            priceYear: arm.plan.priceYear, calibration: "\(arm.plan.uncertainty.calibrationLow)-\(arm.plan.uncertainty.calibrationHigh)",
            linkage: arm.linkage, comparison: comparison, agree: comparison.agree, intervals: ClosedLoop.Comparison.intervalsExplained,
            evaluations: evaluations, reliability: Self.reliability(arm), selectionCalibration: arm.selectionCalibration,
            selectionCalibrationNote: arm.selectionCalibrationNote, treatedExpected: Self.treatedExpected(arm))
    }

    /// The treated young people's first offences in the untreated run against the model's risks alone and against the
    /// plan's valuation (the model's risk × the central calibration): whether the plan's base rate held for those it chose.
    static func treatedExpected(_ arm: Arm) -> LoopResult.TreatedExpected {
        let central = arm.plan.uncertainty.calibrationCentral ?? 1
        let model = arm.plan.offers.reduce(0.0) { $0 + $1.risk }
        return LoopResult.TreatedExpected(observed: arm.plan.offers.filter { arm.untreated[$0.person] == true }.count, expectedByModel: model,
                                          expectedByPlan: arm.plan.offers.reduce(0.0) { $0 + min(1, $1.risk * central) })
    }

    /// The risk model's calibration at the plan's date, where the plan used it: the scored cohort's first offences in
    /// the untreated run against the model's risks, by decile, in the top 1% and among as many of the highest-ranked
    /// as the plan made offers.
    static func reliability(_ arm: Arm) -> [ReliabilityBand] {
        let rows = arm.rows.filter { arm.untreated[$0.person] != nil }
        return Reliability.bands(scores: rows.map(\.risk), labels: rows.map { arm.untreated[$0.person] == true ? 1 : 0 },
                                 topShares: [0.01], topCounts: [arm.plan.offers.count])
    }
}

/// The closed loop's figures (`closed-loop.json`).
public struct LoopResult: Codable {
    public struct Evaluation: Codable {
        /// Difference-in-differences against the plan the same rule would have made two years earlier.
        var estimate: ProgrammeEvaluation.Estimate
        /// The risk-adjusted comparison alone (no earlier cohort): biased when the plan selects on more than the risk.
        var riskAdjustedOnly: ProgrammeEvaluation.Estimate?
        var trueEffect: Double
        /// The true effect lies within the estimate's 95% interval.
        var recovered: Bool
    }
    /// The treated's first offences in the untreated run, against what the model and the plan expected.
    public struct TreatedExpected: Codable {
        var observed: Int
        /// The sum of the model's risks.
        var expectedByModel: Double
        /// The sum of the risks the plan valued (the model's × the central calibration).
        var expectedByPlan: Double
    }
    /// How linked persons of the store met the city's true persons (the store's risk model only).
    public struct Linkage: Codable {
        /// Young people the store's model scored as of the plan's date.
        var scored: Int
        /// Of them, those whose records are mostly one true person's (the person whose outcomes are read).
        var matchedToTruth: Int
        /// Offers left out of the treatment because the linked person has no true person.
        var offersWithoutTruePerson: Int
        /// Offers left out because an earlier offer went to another linked person of the same true person.
        var secondOffersToTruePerson: Int
        /// Offers to young people whose true first offence came before the plan's date (unrecorded or unlinked):
        /// the truth holds only first offences, so nothing they avert is counted.
        var offersToEarlierOffenders: Int
    }
    var people: Int
    var seed: UInt64
    /// Which risk model the plan used.
    var riskModel: String
    var trainSeed: UInt64?
    var asOf: String
    var horizonMonths: Int
    var trainingCohort: Int?
    var trainingOutcomes: Int?
    var cohort: Int
    var cohortOutcomes: Int
    var cohortOutcomesTreatedRun: Int
    var expectedCohortOutcomes: Double
    var budget: Money
    var cost: Money
    /// The price year of every amount.
    var priceYear: String
    /// The calibration multiplier's range the plan's Monte Carlo drew from.
    var calibration: String
    var linkage: Linkage?
    var comparison: ClosedLoop.Comparison
    /// Realised harm averted lies within the predictive interval (the verdict).
    var agree: Bool
    /// What the two intervals are.
    var intervals: String
    var evaluations: [Evaluation]
    /// The risk model's calibration on the scored cohort at the plan's date (untreated run): observed against expected
    /// first offences by decile of risk, in the top 1%, and among the highest-ranked as many as the plan's offers.
    var reliability: [ReliabilityBand]? = nil
    /// The calibration among those the plan's rule selects (store model only; nil when too few offences to measure).
    var selectionCalibration: SelectionCalibration? = nil
    /// Why the selection calibration was not applied, when it was not.
    var selectionCalibrationNote: String? = nil
    /// The treated's first offences in the untreated run against the model's and the plan's expectation.
    var treatedExpected: TreatedExpected? = nil

    public var text: String {
        let c = comparison
        func n(_ v: Int) -> String { v > 0 && v < 5 ? "fewer than 5" : String(v) }
        var s = "Closed loop on a city of \(people) people (seed \(seed)), as of \(asOf), horizon \(horizonMonths) months; amounts in \(priceYear) prices.\n"
        s += "Risk model: \(riskModel).\n"
        if let l = linkage {
            s += "Linked persons: \(l.scored) young people scored, \(l.matchedToTruth) matched to a true person by most of their records; "
            s += "offers left out of the treatment: \(l.offersWithoutTruePerson) with no true person, \(l.secondOffersToTruePerson) second offers to one true person; "
            s += "\(l.offersToEarlierOffenders) offers to young people whose true first offence came before the date (not counted as averted).\n"
        }
        s += "Cohort: \(cohort) young people\(linkage == nil ? " aged 10-17 with no serious violence before the date" : " scored"); \(cohortOutcomes) went on to a first offence "
        s += String(format: "within the horizon (%.1f expected by the risk model).\n", expectedCohortOutcomes)
        if let m = selectionCalibration { s += "Selection calibration: \(m.note).\n" }
        if let note = selectionCalibrationNote { s += "Selection calibration not applied: \(note).\n" }
        s += "Plan: \(c.offers) offers costing \(cost.wholePounds) of \(budget.wholePounds).\n"
        if let t = treatedExpected {
            s += String(format: "The treated in the untreated run: %d first offences; %.2f expected by the model, %.2f by the plan's valuation.\n",
                        t.observed, t.expectedByModel, t.expectedByPlan)
        }
        s += "Among the treated: \(c.offencesUntreatedRun) first offences without the plan, \(c.offencesTreatedRun) with it: \(c.offencesAverted) averted "
        s += String(format: "(%.2f expected).\n", c.expectedOffencesAverted)
        s += "Realised harm averted \(c.realisedHarmAverted.wholePounds); predicted (expected) \(c.predictedHarmAverted.wholePounds).\n"
        s += "  Predictive 95% interval (the plan's uncertainty plus chance in who offends): \(c.predictiveLow.wholePounds) to \(c.predictiveHigh.wholePounds): "
        s += "realised is \(c.withinPredictiveInterval ? "within" : "OUTSIDE") it, so predicted and realised \(agree ? "AGREE" : "DISAGREE").\n"
        s += "  The plan's Monte Carlo 95% interval, for the expected harm averted only (no chance in who offends; not the test): "
        s += "\(c.planLow.wholePounds) to \(c.planHigh.wholePounds) (realised \(c.withinPlanInterval ? "within" : "outside") it).\n"
        if let reliability, !reliability.isEmpty {
            s += "The risk model's calibration at the plan's date (untreated run): observed / expected first offences"
            for b in reliability where b.label.hasPrefix("decile 10") || b.label.hasPrefix("top") || b.label.hasPrefix("decile 1 ") {
                s += String(format: "; %@ %@ / %.2f", b.label, n(b.observed), b.expected)
            }
            s += ".\n"
        }
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

extension TruthOutcomes {
    /// Reads `DIR/truth/outcomes.csv`.
    public init(dir: String) throws { self.init(csv: try String(contentsOfFile: dir + "/truth/outcomes.csv", encoding: .utf8)) }
}

extension ClosedLoopCohort {
    /// Reads `DIR/truth/people.csv`, `aces.csv` and `outcomes.csv`.
    public init(dir: String, asOf: CivilDate, horizonEnd: CivilDate, cohortOf: Set<String>? = nil) throws {
        func text(_ file: String) throws -> String { try String(contentsOfFile: dir + "/truth/" + file, encoding: .utf8) }
        self.init(people: try text("people.csv"), aces: try text("aces.csv"), outcomes: try text("outcomes.csv"), asOf: asOf,
                  horizonEnd: horizonEnd, cohortOf: cohortOf)
    }
}
