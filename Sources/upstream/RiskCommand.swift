import ArgumentParser
import Foundation
import UpstreamChronology
import UpstreamGovernance
import UpstreamModel
import UpstreamReports
import UpstreamRisk
import UpstreamRiskFeatures
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamWorkspace

extension Upstream {
    /// `upstream risk`: the risk model of serious violence, its report, its review queue, and audits of other tools.
    struct Risk: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train, evaluate and audit the risk model; score young people; work through the review queue.",
            discussion: """
            Scores are offers of support for a practitioner to review, never decisions: flagged young people go to \
            a review queue (upstream risk review) where a person records what was decided and why. See docs/risk-model.md.
            """,
            subcommands: [Train.self, Score.self, Evaluate.self, ReviewQueueCommand.self, AuditCommand.self]
        )
    }
}

extension Upstream.Risk {
    /// `upstream risk train`: on the linked persons of a store, or on any CSV cohort.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train and evaluate the risk models (trees, logistic regression, ACE-count rule) side by side.",
            discussion: """
            On a store: features of every young person as of half-yearly dates, from the records before each date; \
            outcome: a first serious violence offence within --horizon months. Trains on the earlier dates, tests on \
            the later ones, saves the model and its report in the store (a training run) and exports the report as \
            HTML (default STORE.risk-report.html).
            On a CSV (--csv FILE --outcome COLUMN): any cohort an analyst brings, figures from cross-validation.
            """
        )

        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Linked persons from a CSV (source,record_id,person_id) instead of the store's.") var persons: String?
        @Option(help: "Export the HTML report to this file (default: STORE.risk-report.html).") var report: String?
        @Option(help: "Postcode lookup with postcode,imd_decile columns (a synthetic city's reference/postcodes.csv).") var postcodes: String?
        @Option(help: "A synthetic city's truth/records.csv: also evaluate on the true persons, to show what linkage errors cost.") var truth: String?
        @Option(parsing: .upToNextOption, help: "As-of dates to train on (YYYY-MM-DD; default: half-yearly, see --help).") var trainDates: [CivilDate] = []
        @Option(parsing: .upToNextOption, help: "Later as-of dates to test on (YYYY-MM-DD).") var testDates: [CivilDate] = []
        @OptionGroup var model: RiskModelOptions
        @Option(help: "Memory budget for building the cohorts, e.g. 8G or 512M (persons are processed in chunks that fit it).") var memory: String = "8G"
        @Option(help: "Folds by person for the cross-fitted calibration (default 5; 0 calibrates on the held-out quarter alone, with no extra fits).") var calibrationFolds: Int?
        @Flag(help: "Build the cohorts with the previous builder (a chronology per person per date, every record in memory), for comparison.") var chronologyCohorts = false
        @Flag(help: "Also judge the models on persons linked, for each test date, only from the records entered before it (with the store's trained linkage model), and report what linking with hindsight changed.") var linkAsOf = false
        @Flag(help: "Print the report's figures as JSON.") var json = false

        @OptionGroup var csvOptions: CSVCohortOptions

        func validate() throws {
            try model.check()
            _ = try MemoryOption.bytes(memory)
            if let f = calibrationFolds, f < 0 || f == 1 || f > 20 {
                throw ValidationError("--calibration-folds \(f) must be 0 (no cross-fitting) or between 2 and 20 (5 is the default)")
            }
            if csvOptions.folds < 2 || csvOptions.folds > 20 { throw ValidationError("--folds \(csvOptions.folds) must be between 2 and 20 (5 is usual)") }
            if csvOptions.csv == nil && csvOptions.outcome != nil { throw ValidationError("--outcome is only used with --csv") }
            if csvOptions.csv != nil && csvOptions.outcome == nil { throw ValidationError("--csv needs --outcome COLUMN: the 0/1 column to predict") }
        }

        func run() throws {
            if csvOptions.csv != nil {
                _ = try CSVCohortTraining(options: csvOptions, trees: model.trees, capacity: model.capacity, bound: model.bound,
                                          minimumGroupSize: model.minGroup, seed: model.seed, json: json).run()
                return
            }
            let started = Date()
            var request = model.request()
            (request.persons, request.postcodes, request.truth, request.report) = (persons, postcodes, truth, report)
            (request.trainDates, request.testDates, request.memoryBytes) = (trainDates, testDates, try MemoryOption.bytes(memory))
            (request.chronologyCohorts, request.linkAsOf) = (chronologyCohorts, linkAsOf)
            request.calibrationFolds = calibrationFolds
            let (trained, run, reportPath) = try RiskUseCases(workspace: try storeOptions.existingWorkspace()).train(request) { RiskReportPage.html($0) }
            if json { try Terminal.json(trained.report); return }
            print(RiskReportText.render(trained.report), terminator: "")
            print("Model \(trained.id) saved in the store (risk run \(run.id)); report: \(reportPath) (\(String(format: "%.0f", Date().timeIntervalSince(started))) s)")
        }
    }

    /// `upstream risk score --as-of DATE`: flag the young people within capacity and queue them for review.
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score every young person as of a date; queue those within capacity for a practitioner's review.",
            discussion: "Prints the flagged young people (pseudonymised) with the factors that raised and lowered each score."
        )
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Linked persons from a CSV (source,record_id,person_id) instead of the store's.") var persons: String?
        @Option(help: "Postcode lookup with postcode,imd_decile columns (default: the one the model was trained with).") var postcodes: String?
        @Option(help: "Score as of this date (YYYY-MM-DD): only records before it are used.") var asOf: CivilDate
        @Option(help: "Capacity per 100,000 scored (default: the model's).") var capacity: Double?
        @Option(help: "Also write every young person's score to this CSV (pseudonym, score, rank).") var scores: String?
        @Option(help: "Memory budget for building the cohort, e.g. 8G or 512M.") var memory: String = "8G"
        @Flag(help: "Print the flagged young people as JSON.") var json = false

        func validate() throws {
            if let capacity { try RiskOptionChecks.capacity(capacity) }
            _ = try MemoryOption.bytes(memory)
        }

        func run() throws {
            var request = RiskScoreRequest(asOf: asOf)
            (request.persons, request.postcodes, request.capacity, request.scores) = (persons, postcodes, capacity, scores)
            request.memoryBytes = try MemoryOption.bytes(memory)
            let out = try RiskUseCases(workspace: try storeOptions.existingWorkspace()).score(request)
            if json { try Terminal.json(out); return }
            print("Scored \(out.scored) young people as of \(asOf.iso) with model \(out.modelID); \(out.flagged.count) within capacity (\(RiskTraining.format(out.capacityPerHundredThousand)) per 100,000).")
            for (reason, n) in out.excluded.sorted(by: { $0.key < $1.key }) { print("  not scored: \(n) (\(reason))") }
            print("These are offers of support for a practitioner to review, not decisions. \(out.addedToQueue) added to the review queue (upstream risk review).\n")
            for item in out.flagged { print(ReviewText.render(item)) }
        }
    }

    /// `upstream risk evaluate`: the saved model's report, as text, JSON or HTML.
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the trained model's report: discrimination, calibration, capacity, lead time, fairness, model card."
        )
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Export the HTML report to this file (default: STORE.risk-report.html).") var out: String?
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            let model = try RiskRunStore.open(storeOptions.location).model()
            let path = out ?? RiskExport.reportHTML(store: storeOptions.location)
            try SecureFile.write(path: path, text: RiskReportPage.html(model.report))
            if json { try Terminal.json(model.report); return }
            print(RiskReportText.render(model.report), terminator: "")
            print("Model \(model.id), trained \(model.created). HTML report: \(path)")
        }
    }

    /// `upstream risk review`: the practitioners' queue.
    struct ReviewQueueCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            abstract: "List the flagged young people waiting for review, or record a practitioner's decision and its reason.",
            discussion: """
            upstream risk review                       list pending flags with their reasons
            upstream risk review --decide YP-… --decision offer-support --reason "…"
            Decisions: \(RiskFlag.Decision.allCases.map(\.rawValue).joined(separator: ", ")). Every listing and decision is audited. \
            The queue is the web app's: one review per young person, decided once (a supervisor reopens it there).
            """
        )
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Record a decision for this pseudonym (its pending review).") var decide: String?
        @Option(help: "The decision.") var decision: RiskFlag.Decision?
        @Option(help: "Why (required with --decide).") var reason: String?
        @Option(help: "The role you decide in: practitioner or supervisor.") var role: Role = .practitioner
        @Flag(help: "List decided flags too.") var all = false
        @Flag(help: "Print as JSON.") var json = false

        func validate() throws {
            if decide != nil {
                if decision == nil { throw ValidationError("--decide needs --decision (\(RiskFlag.Decision.allCases.map(\.rawValue).joined(separator: ", ")))") }
                if (try? Purpose(reason, for: "--decide")) == nil { throw ValidationError("--decide needs --reason \"…\": say why, in words (it is recorded)") }
                if !role.may(.decideRiskFlags) { throw ValidationError("the role \(role.rawValue) may not decide on flags: --role practitioner or supervisor") }
            } else if decision != nil || reason != nil {
                throw ValidationError("--decision and --reason are only used with --decide PSEUDONYM")
            }
        }

        func run() throws {
            let risk = RiskUseCases(workspace: try storeOptions.existingWorkspace(role: role))
            if let who = decide, let decision, let reason {
                let (entry, pending) = try risk.decide(who, decision: decision, reason: reason)
                if json { try Terminal.json(entry) } else { print("\(entry.pseudonym): \(decision.rawValue) recorded (\(pending) still pending)") }
                return
            }
            let (shown, entries) = try risk.queue(all: all)
            if json { try Terminal.json(shown); return }
            let pending = entries.filter(\.pending).count
            if shown.isEmpty { print(entries.isEmpty ? "The review queue is empty: run upstream risk score --as-of DATE." : "Nothing pending: every flag has a decision."); return }
            print("\(pending) pending of \(entries.count) flagged young people. Offers of support to review, not decisions.\n")
            for entry in shown { print(ReviewText.render(entry)) }
        }
    }
}

/// The risk model's settings shared by `risk train` on a store and on a CSV: ages, horizon, capacity, fairness and the trees.
struct RiskModelOptions: ParsableArguments {
    @Option(help: "Outcome window in months.") var horizon: Int = 24
    @Option(help: "Youngest age scored.") var minAge: Int = 8
    @Option(help: "Oldest age scored.") var maxAge: Int = 17
    @Option(help: "Capacity: young people flagged per 100,000 scored.") var capacity: Double = 100
    @Option(help: "Flag a fairness disparity ratio above this.") var bound: Double = 1.25
    @Option(help: "Suppress audit groups smaller than this.") var minGroup: Int = 10
    @Option(help: "Trees: most boosting iterations (default 400; early stopping usually ends sooner).") var iterations: Int?
    @Option(help: "Trees: maximum depth (default 3).") var depth: Int?
    @Option(help: "Trees: learning rate (default 0.05).") var learningRate: Double?
    @Option(help: "Trees: fewest rows in a leaf (default 100).") var minLeaf: Int?
    @Option(help: "Trees: stop after this many rounds without improvement on the held-out people (default 30).") var patience: Int?
    @Option(help: "Random seed.") var seed: UInt64 = 1

    func check() throws {
        if horizon < 1 || horizon > 120 { throw ValidationError("--horizon \(horizon) must be between 1 and 120 months") }
        if minAge < 0 || maxAge < minAge || maxAge > 25 { throw ValidationError("--min-age \(minAge) and --max-age \(maxAge) must satisfy 0 ≤ min ≤ max ≤ 25") }
        try RiskOptionChecks.capacity(capacity)
        try RiskOptionChecks.bound(bound)
        if minGroup < 1 || minGroup > 1_000_000 { throw ValidationError("--min-group \(minGroup) must be a whole number from 1 to 1,000,000; groups smaller than it are suppressed (10 is usual)") }
        if let iterations, iterations < 1 || iterations > 100_000 { throw ValidationError("--iterations \(iterations) must be between 1 and 100,000 (default 400)") }
        if let depth, depth < 1 || depth > 16 { throw ValidationError("--depth \(depth) must be between 1 and 16 (default 3)") }
        if let learningRate, !(learningRate > 0 && learningRate <= 1) { throw ValidationError("--learning-rate \(learningRate) must be a number above 0 and at most 1 (default 0.05)") }
        if let minLeaf, minLeaf < 1 || minLeaf > 10_000_000 { throw ValidationError("--min-leaf \(minLeaf) must be from 1 to 10,000,000 (default 100)") }
        if let patience, patience < 1 || patience > 100_000 { throw ValidationError("--patience \(patience) must be from 1 to 100,000 (default 30)") }
    }

    var trees: GBTParameters {
        var p = RiskTrainingConfig.defaultTrees
        if let iterations { p.maxIterations = iterations }
        if let depth { p.maxDepth = depth }
        if let learningRate { p.learningRate = learningRate }
        if let minLeaf { p.minSamplesLeaf = minLeaf }
        if let patience { p.patience = patience }
        p.seed = seed
        return p
    }

    /// The training request these settings make.
    func request() -> RiskTrainRequest {
        var r = RiskTrainRequest()
        r.cohort = CohortConfig(minimumAge: minAge, maximumAge: maxAge, horizonMonths: horizon)
        (r.capacity, r.trees, r.fairnessBound, r.minimumGroupSize, r.seed) = (capacity, trees, bound, minGroup, seed)
        return r
    }
}

/// Range and finiteness checks shared by every `risk` command's numeric options: each says what is wrong and what to
/// give instead. `nan` fails every comparison, so each check is written to fail unless the value is in range.
enum RiskOptionChecks {
    static func capacity(_ c: Double) throws {
        guard c.isFinite, c > 0, c <= 100_000 else {
            throw ValidationError("--capacity \(c) must be a number above 0 and at most 100,000: how many young people per 100,000 scored services can see (for example 100)")
        }
    }
    static func bound(_ b: Double) throws {
        guard b.isFinite, b >= 1, b <= 1_000 else {
            throw ValidationError("--bound \(b) must be a number from 1 to 1,000: the disparity ratio above which a gap between groups is flagged (1.25 is usual)")
        }
    }
    static func threshold(_ t: Double) throws {
        guard t.isFinite else { throw ValidationError("--threshold \(t) must be a finite number: scores at or above it count as flagged") }
    }
}

/// A flagged young person in a few lines for the terminal.
enum ReviewText {
    static func render(_ e: RiskFlagQueue.Entry) -> String {
        var s = "\(e.rank.map { "#\($0) " } ?? "")\(e.pseudonym)" + (e.age.map { ", aged \($0)" } ?? "")
            + (e.score.map { String(format: ", %.1f%% chance within the horizon", $0 * 100) } ?? "") + (e.asOf.map { " (as of \($0))" } ?? "")
        if e.decision != nil || e.state != "pending", let last = e.history.last { s += "\n   \(e.state) by \(last.by.name): \(last.reason)" }
        for r in e.reasons.prefix(4) { s += "\n   + " + r.text }
        for r in e.lowering.prefix(2) { s += "\n   - " + r.text }
        return s + "\n"
    }

    static func render(_ item: ReviewQueue.Item) -> String {
        var s = "#\(item.rank) \(item.pseudonym)" + (item.age.map { ", aged \($0)" } ?? "")
            + String(format: ", %.1f%% chance within the horizon", item.score * 100) + " (model \(item.modelID), as of \(item.asOf))"
        for r in item.reasons.prefix(4) { s += "\n   + " + r.text }
        for r in item.lowering.prefix(2) { s += "\n   - " + r.text }
        return s + "\n"
    }
}
