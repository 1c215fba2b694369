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

        @Option(help: "The store (SQLite file or postgres:// URL).") var store: String = "upstream.db"
        @Option(help: "Linked persons from a CSV (source,record_id,person_id) instead of the store's.") var persons: String?
        @Option(help: "Export the HTML report to this file (default: STORE.risk-report.html).") var report: String?
        @Option(help: "Postcode lookup with postcode,imd_decile columns (a synthetic city's reference/postcodes.csv).") var postcodes: String?
        @Option(help: "A synthetic city's truth/records.csv: also evaluate on the true persons, to show what linkage errors cost.") var truth: String?
        @Option(parsing: .upToNextOption, help: "As-of dates to train on (YYYY-MM-DD; default: half-yearly, see --help).") var trainDates: [CivilDate] = []
        @Option(parsing: .upToNextOption, help: "Later as-of dates to test on (YYYY-MM-DD).") var testDates: [CivilDate] = []
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
        @Option(help: "Who is training (recorded in the audit log).") var user: String = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
        @Option(help: "Memory budget for building the cohorts, e.g. 8G or 512M (persons are processed in chunks that fit it).") var memory: String = "8G"
        @Flag(help: "Build the cohorts with the previous builder (a chronology per person per date, every record in memory), for comparison.") var chronologyCohorts = false
        @Flag(help: "Also judge the models on persons linked, for each test date, only from the records entered before it (with the store's trained linkage model), and report what linking with hindsight changed.") var linkAsOf = false
        @Flag(help: "Print the report's figures as JSON.") var json = false

        @OptionGroup var csvOptions: CSVCohortOptions

        func validate() throws {
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
            if StreamingCohortBuilder.bytes(memory) == nil { throw ValidationError("--memory \(memory) must be a size such as 8G, 512M or 2048K (at least 1M)") }
            if csvOptions.folds < 2 || csvOptions.folds > 20 { throw ValidationError("--folds \(csvOptions.folds) must be between 2 and 20 (5 is usual)") }
            if csvOptions.csv == nil && csvOptions.outcome != nil { throw ValidationError("--outcome is only used with --csv") }
            if csvOptions.csv != nil && csvOptions.outcome == nil { throw ValidationError("--csv needs --outcome COLUMN: the 0/1 column to predict") }
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

        func run() throws {
            if csvOptions.csv != nil {
                let report = try CSVCohortTraining(options: csvOptions, trees: trees, capacity: capacity, bound: bound,
                                                   minimumGroupSize: minGroup, seed: seed, json: json).run()
                _ = report
                return
            }
            let started = Date()
            let records = try RiskInputs.linked(store: store, persons: persons)
            guard let (first, last) = RiskInputs.period(records) else { throw CLIError("the store has no linked records with dates: run upstream link first") }
            let cohortConfig = CohortConfig(minimumAge: minAge, maximumAge: maxAge, horizonMonths: horizon)
            var train = trainDates, test = testDates
            if train.isEmpty || test.isEmpty {
                let s = RiskTrainingConfig.schedule(dataStart: first, dataEnd: last, horizonMonths: horizon)
                if train.isEmpty { train = s.train }
                if test.isEmpty { test = s.test }
            }
            let config = RiskTrainingConfig(
                cohort: cohortConfig, trainDates: train.sorted(), testDates: test.sorted(), capacityPerHundredThousand: capacity,
                trees: trees, fairnessBound: bound, minimumGroupSize: minGroup, seed: seed)
            let deciles = try RiskInputs.deprivation(postcodes)
            let budget = StreamingCohortBuilder.bytes(memory)!
            let progress: RiskProgress = { Terminal.error("risk: \($0)\n") }
            let streaming = StreamingCohortBuilder(persons: RiskInputs.personStream(records), postcodeDeprivation: deciles, config: cohortConfig, memoryBudget: budget)
            let pseudonyms = try Pseudonyms.forStore(store)
            Terminal.error("risk: \(records.count) linked records, \(first.iso) to \(last.iso)\n")
            var model: TrainedRiskModel
            if chronologyCohorts {
                let builder = CohortBuilder(records: records, postcodeDeprivation: deciles, config: cohortConfig)
                let truthBuilder = try truth.map { CohortBuilder(records: try RiskInputs.truth(records, truthFile: $0), postcodeDeprivation: deciles, config: cohortConfig) }
                model = try RiskTraining.train(
                    builder: builder, truth: truthBuilder, config: config, created: ISO8601DateFormatter().string(from: Date()),
                    pseudonym: { pseudonyms.pseudonym($0) }, progress: progress)
            } else {
                let built = try streaming.build(dates: config.trainDates + config.testDates, progress: progress)
                let truthMatrix = try truth.map {
                    try StreamingCohortBuilder(persons: RiskInputs.personStream(try RiskInputs.truth(records, truthFile: $0)), postcodeDeprivation: deciles,
                                               config: cohortConfig, memoryBudget: budget).build(dates: config.testDates).matrix
                }
                model = try RiskTraining.train(
                    matrix: built.matrix, truth: truthMatrix, config: config, created: ISO8601DateFormatter().string(from: Date()),
                    pseudonym: { pseudonyms.pseudonym($0) },
                    explain: { CohortBuilder(records: try streaming.records(around: $0, in: built), postcodeDeprivation: deciles, config: cohortConfig) },
                    progress: progress)
            }
            if linkAsOf {
                let linkRuns = try LinkRunStore.open(store)
                guard let linkModel = try linkRuns.model() else {
                    throw CLIError("--link-as-of needs the store's trained linkage model: run upstream link --store \(store) first")
                }
                let inputs = try LinkedRecords.linkInputs(store: linkRuns.store)
                let asOf = RiskTraining.evaluateAsOfLinkage(
                    model: model, records: records, postcodeDeprivation: deciles,
                    personsAsOf: { LinkedRecords.personsAsOf($0, inputs: inputs, model: linkModel) },
                    pseudonym: { pseudonyms.pseudonym($0) }, progress: { Terminal.error("risk: \($0)\n") })
                model.report.hindsight = HindsightComparison(withHindsight: model.report.models, asOfDate: asOf)
            }
            let runs = try RiskRunStore.open(store)
            let run = try runs.saveTraining(model, inputs: .init(postcodes: postcodes.map { URL(fileURLWithPath: $0).standardizedFileURL.path }),
                                            by: user, at: Int64(Date().timeIntervalSince1970))
            let reportPath = report ?? RiskExport.reportHTML(store: store)
            try SecureFile.write(path: reportPath, text: RiskReportPage.html(model.report))
            // The report names flagged young people (by pseudonym, with reasons): that is access to their records.
            try AuditLog.forStore(store).append(
                user: user, action: "risk-train", person: "\(model.report.flagged.count) young people flagged in the report",
                reason: "model \(model.id) trained as of \(train.first?.iso ?? "?")…\(train.last?.iso ?? "?"), tested \(test.first?.iso ?? "?")…\(test.last?.iso ?? "?")",
                at: Int64(Date().timeIntervalSince1970))
            let seconds = Date().timeIntervalSince(started)
            if json {
                try JSONFiles.print(model.report)
            } else {
                print(RiskReportText.render(model.report), terminator: "")
                print("Model \(model.id) saved in the store (risk run \(run.id)); report: \(reportPath) (\(String(format: "%.0f", seconds)) s)")
            }
        }
    }

    /// `upstream risk score --as-of DATE`: flag the young people within capacity and queue them for review.
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score every young person as of a date; queue those within capacity for a practitioner's review.",
            discussion: "Prints the flagged young people (pseudonymised) with the factors that raised and lowered each score."
        )
        @Option(help: "The store (SQLite file or postgres:// URL).") var store: String = "upstream.db"
        @Option(help: "Linked persons from a CSV (source,record_id,person_id) instead of the store's.") var persons: String?
        @Option(help: "Postcode lookup with postcode,imd_decile columns (default: the one the model was trained with).") var postcodes: String?
        @Option(help: "Score as of this date (YYYY-MM-DD): only records before it are used.") var asOf: CivilDate
        @Option(help: "Capacity per 100,000 scored (default: the model's).") var capacity: Double?
        @Option(help: "Also write every young person's score to this CSV (pseudonym, score, rank).") var scores: String?
        @Option(help: "Who is running it (recorded in the audit log).") var user: String = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
        @Option(help: "Memory budget for building the cohort, e.g. 8G or 512M.") var memory: String = "8G"
        @Flag(help: "Print the flagged young people as JSON.") var json = false

        func validate() throws {
            if let capacity { try RiskOptionChecks.capacity(capacity) }
            if StreamingCohortBuilder.bytes(memory) == nil { throw ValidationError("--memory \(memory) must be a size such as 8G, 512M or 2048K (at least 1M)") }
        }

        func run() throws {
            let runs = try RiskRunStore.open(store)
            let model = try runs.model()
            let records = try RiskInputs.linked(store: store, persons: persons)
            let lookup = try postcodes ?? runs.inputs().postcodes
            let deciles = try RiskInputs.deprivation(lookup)
            let streaming = StreamingCohortBuilder(persons: RiskInputs.personStream(records), postcodeDeprivation: deciles,
                                                   config: model.config.cohort, memoryBudget: StreamingCohortBuilder.bytes(memory)!)
            let built = try streaming.build(dates: [asOf])
            let cohort = Cohort(asOf: asOf, rows: (0..<built.matrix.rowCount).map(built.matrix.cohortRow), excluded: built.matrix.excluded[0])
            guard !cohort.rows.isEmpty else { throw CLIError("no young people aged \(model.config.cohort.minimumAge)-\(model.config.cohort.maximumAge) with records before \(asOf.iso)") }
            let data = CohortBuilder.dataset(cohort.rows)
            let probabilities = model.scores(data)
            let c = capacity ?? model.config.capacityPerHundredThousand
            let k = Metrics.capacityCount(population: cohort.rows.count, perHundredThousand: c)
            let order = RiskTraining.ranking(probabilities, persons: cohort.rows.map(\.personID), seed: model.config.seed)
            let pseudonyms = try Pseudonyms.forStore(store)
            // Chronologies and reasons only for the flagged: their records and those their features read.
            let builder = CohortBuilder(records: try streaming.records(around: Set(order.prefix(k).map { cohort.rows[$0].personID }), in: built),
                                        postcodeDeprivation: deciles, config: model.config.cohort)
            let known = builder.builder(asOf: asOf)
            let now = ISO8601DateFormatter().string(from: Date())
            var flagged: [ReviewQueue.Item] = []
            for (rank, i) in order.prefix(k).enumerated() {
                let row = cohort.rows[i]
                guard let chronology = known.chronology(for: row.personID, pseudonym: "") else { continue }
                let (_, perFeature) = model.trees.contributions(row: row.features)
                let (up, down) = builder.reasons(chronology: chronology, asOf: asOf, contributions: perFeature)
                flagged.append(.init(pseudonym: pseudonyms.pseudonym(row.personID), modelID: model.id, asOf: asOf.iso, rank: rank + 1,
                                     score: probabilities[i], age: row.age, reasons: up, lowering: down, added: now))
            }
            if let scores {
                var csv = "pseudonym,as_of,score,rank,flagged\n"
                for (rank, i) in order.enumerated() {
                    csv += "\(pseudonyms.pseudonym(cohort.rows[i].personID)),\(asOf.iso),\(probabilities[i]),\(rank + 1),\(rank < k ? 1 : 0)\n"
                }
                try csv.write(toFile: scores, atomically: true, encoding: .utf8)
            }
            // Every young person's score, rank and (when flagged) reasons, in one scoring run.
            var reasonsOf: [Int: ReviewQueue.Item] = [:]
            for item in flagged { reasonsOf[item.rank] = item }
            let stored = order.enumerated().map { rank, i in
                let row = cohort.rows[i], item = reasonsOf[rank + 1]
                return PersonScore(run: 0, person: PersonID(row.personID), asOf: asOf, score: probabilities[i], rank: rank + 1, age: row.age,
                                   flagged: rank < k, raising: item?.reasons.map(ScoreReason.init) ?? [],
                                   lowering: item?.lowering.map(ScoreReason.init) ?? [])
            }
            struct Figures: Encodable { var scored: Int; var flagged: Int; var capacityPerHundredThousand: Double; var excluded: [String: Int] }
            let at = Int64(Date().timeIntervalSince1970)
            try runs.saveScoring(modelID: model.id, asOf: asOf, scores: stored,
                                 figures: Figures(scored: cohort.rows.count, flagged: flagged.count, capacityPerHundredThousand: c, excluded: cohort.excluded),
                                 by: user, at: at)
            var queue = try runs.queue()
            let added = queue.add(flagged)
            try runs.save(queue: queue, only: Set(flagged.map(\.pseudonym)), at: at)
            try AuditLog.forStore(store).append(user: user, action: "risk-score", person: "\(cohort.rows.count) young people",
                                                reason: "model \(model.id) as of \(asOf.iso); \(flagged.count) flagged, \(added) new in the review queue",
                                                at: Int64(Date().timeIntervalSince1970))
            if json {
                struct Out: Encodable {
                    var modelID: String, asOf: String, scored: Int, capacityPerHundredThousand: Double, flagged: [ReviewQueue.Item]
                    var excluded: [String: Int], addedToQueue: Int
                }
                try JSONFiles.print(Out(modelID: model.id, asOf: asOf.iso, scored: cohort.rows.count, capacityPerHundredThousand: c,
                                        flagged: flagged, excluded: cohort.excluded, addedToQueue: added))
                return
            }
            print("Scored \(cohort.rows.count) young people as of \(asOf.iso) with model \(model.id); \(flagged.count) within capacity (\(RiskTraining.format(c)) per 100,000).")
            for (reason, n) in cohort.excluded.sorted(by: { $0.key < $1.key }) { print("  not scored: \(n) (\(reason))") }
            print("These are offers of support for a practitioner to review, not decisions. \(added) added to the review queue (upstream risk review).\n")
            for item in flagged { print(ReviewText.render(item)) }
        }
    }

    /// `upstream risk evaluate`: the saved model's report, as text, JSON or HTML.
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the trained model's report: discrimination, calibration, capacity, lead time, fairness, model card."
        )
        @Option(help: "The store (SQLite file or postgres:// URL).") var store: String = "upstream.db"
        @Option(help: "Export the HTML report to this file (default: STORE.risk-report.html).") var out: String?
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            let model = try RiskRunStore.open(store).model()
            let path = out ?? RiskExport.reportHTML(store: store)
            try SecureFile.write(path: path, text: RiskReportPage.html(model.report))
            if json { try JSONFiles.print(model.report); return }
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
            Decisions: \(ReviewQueue.Decision.allCases.map(\.rawValue).joined(separator: ", ")). Every listing and decision is audited.
            """
        )
        @Option(help: "The store (SQLite file or postgres:// URL).") var store: String = "upstream.db"
        @Option(help: "Record a decision for this pseudonym (its latest pending flag).") var decide: String?
        @Option(help: "The decision.") var decision: ReviewQueue.Decision?
        @Option(help: "Why (required with --decide).") var reason: String?
        @Option(help: "Who decides (default: the login name).") var user: String = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
        @Flag(help: "List decided flags too.") var all = false
        @Flag(help: "Print as JSON.") var json = false

        func validate() throws {
            if decide != nil {
                if decision == nil { throw ValidationError("--decide needs --decision (\(ReviewQueue.Decision.allCases.map(\.rawValue).joined(separator: ", ")))") }
                if (try? Purpose(reason, for: "--decide")) == nil { throw ValidationError("--decide needs --reason \"…\": say why, in words (it is recorded)") }
            } else if decision != nil || reason != nil {
                throw ValidationError("--decision and --reason are only used with --decide PSEUDONYM")
            }
        }

        func run() throws {
            let runs = try RiskRunStore.open(store)
            var queue = try runs.queue()
            let now = Int64(Date().timeIntervalSince1970)
            if let who = decide?.uppercased() {
                guard let i = queue.items.lastIndex(where: { $0.pseudonym == who && $0.decision == nil }) else {
                    throw CLIError("no pending flag for \(who) in the review queue of \(store)")
                }
                queue.items[i].decision = decision
                queue.items[i].decisionReason = reason
                queue.items[i].decidedBy = user
                queue.items[i].decidedAt = ISO8601DateFormatter().string(from: Date())
                try AuditLog.forStore(store).append(user: user, action: "risk-review-\(decision!.rawValue)", person: who, reason: reason!, at: now)
                try runs.save(queue: queue, only: [who], at: now)
                if json { try JSONFiles.print(queue.items[i]) } else { print("\(who): \(decision!.rawValue) recorded (\(queue.pending.count) still pending)") }
                return
            }
            let shown = all ? queue.items : queue.pending
            try AuditLog.forStore(store).append(user: user, action: "risk-review-list", person: "\(shown.count) young people",
                                                reason: all ? "all flags" : "pending flags", at: now)
            if json { try JSONFiles.print(shown); return }
            if shown.isEmpty { print(queue.items.isEmpty ? "The review queue is empty: run upstream risk score --as-of DATE." : "Nothing pending: every flag has a decision."); return }
            print("\(queue.pending.count) pending of \(queue.items.count) flags. Offers of support to review, not decisions.\n")
            for item in shown { print(ReviewText.render(item)) }
        }
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
    static func render(_ item: ReviewQueue.Item) -> String {
        var s = "#\(item.rank) \(item.pseudonym)" + (item.age.map { ", aged \($0)" } ?? "")
            + String(format: ", %.1f%% chance within the horizon", item.score * 100) + " (model \(item.modelID), as of \(item.asOf))"
        if let d = item.decision { s += "\n   decided: \(d.rawValue) by \(item.decidedBy ?? "?"): \(item.decisionReason ?? "")" }
        for r in item.reasons.prefix(4) { s += "\n   + " + r.text }
        for r in item.lowering.prefix(2) { s += "\n   - " + r.text }
        return s + "\n"
    }
}
