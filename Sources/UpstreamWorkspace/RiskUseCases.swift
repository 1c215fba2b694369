import Foundation
import UpstreamChronology
import UpstreamGovernance
import UpstreamModel
import UpstreamRisk
import UpstreamRiskFeatures
import UpstreamStore

/// What `upstream risk train` is asked to do on a store's linked persons.
public struct RiskTrainRequest {
    /// Linked persons from a `source,record_id,person_id` CSV instead of the store's.
    public var persons: String?
    /// A postcode → IMD decile lookup.
    public var postcodes: String?
    /// A synthetic city's `truth/records.csv`, to also evaluate on the true persons.
    public var truth: String?
    /// As-of dates to train and test on (half-yearly from the data when empty).
    public var trainDates: [CivilDate] = [], testDates: [CivilDate] = []
    public var cohort = CohortConfig()
    public var capacity: Double = 100
    public var trees = RiskTrainingConfig.defaultTrees
    public var fairnessBound: Double = 1.25
    public var minimumGroupSize = 10
    public var seed: UInt64 = 1
    /// The cohorts' memory budget in bytes.
    public var memoryBytes = 8 << 30
    /// Build the cohorts with the previous builder (every record in memory), for comparison.
    public var chronologyCohorts = false
    /// Also judge the models on persons linked as of each test date.
    public var linkAsOf = false
    /// Where the HTML report is exported (default beside the store).
    public var report: String?
    /// Folds by person for the cross-fitted calibration (`nil`: the default, 5; 0: the held-out quarter alone).
    public var calibrationFolds: Int?

    public init() {}
}

/// What `upstream risk score` is asked to do.
public struct RiskScoreRequest {
    public var persons: String?
    /// The postcode lookup (default: the one the model was trained with).
    public var postcodes: String?
    public var asOf: CivilDate
    /// Capacity per 100,000 scored (default: the model's).
    public var capacity: Double?
    /// Also write every young person's score to this CSV.
    public var scores: String?
    public var memoryBytes = 8 << 30

    public init(asOf: CivilDate) { self.asOf = asOf }
}

/// The result of scoring, as `upstream risk score --json` prints it.
public struct RiskScoreOutcome: Encodable {
    public var modelID: String, asOf: String, scored: Int, capacityPerHundredThousand: Double, flagged: [ReviewQueue.Item]
    public var excluded: [String: Int], addedToQueue: Int
}

/// The risk model's use cases on a workspace: train (and save the run and report), score as of a date (and queue
/// the flagged for review), and work through the practitioners' review queue. Every run and view is audited.
public struct RiskUseCases {
    public var workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    var note: RiskProgress { { [messages = workspace.messages] in messages.note("risk: \($0)\n") } }

    /// The cohort builder's input: straight from the store's persons (bounded memory; read by ranges of person id on
    /// every worker, `RiskPersonStream`), or from records loaded whole when a persons file is given.
    func personStream(persons: String?) throws -> (stream: PersonStream, records: [LinkedRecord]?) {
        let store = try workspace.store()
        if persons == nil {
            guard try store.currentLinkageRun() != nil else {
                throw WorkspaceError.badInput("the store holds no linked persons: link it first (upstream link --store STORE)")
            }
            // The store read by ranges of person id on every worker, only the columns the features read.
            return (RiskPersonStream.stream(store: store, readers: workspace.parallelism.workers), nil)
        }
        let records = try LinkedRecords.load(store: store, personsFile: PersonSource.of(store, file: persons), persons: nil, slim: true)
        return (StreamingCohortBuilder.stream(records), records)
    }

    /// The store's records in their own order for the cohort builder's first pass (``RiskPersonStream/scan(store:readers:)``);
    /// `nil` when a persons file is given or the store cannot read so.
    func recordScan(persons: String?) throws -> LinkedRecordScan? {
        guard persons == nil else { return nil }
        return try RiskPersonStream.scan(store: try workspace.store(), readers: workspace.parallelism.workers)
    }

    /// Begins the read stage on `tracker` and makes the builder's scan with `scan` in it (the store's list of each
    /// record's person is part of the read); over a scan, the stage then has the records to read (at most: the
    /// persons' counts of all their records) and each part's progress; over a person stream, no total.
    static func trackRead(_ streaming: inout StreamingCohortBuilder, scan: () throws -> LinkedRecordScan?, on tracker: ProgressTracker) throws {
        tracker.begin("read", unit: "records")
        streaming.scan = try scan()
        guard let scan = streaming.scan else { return }
        tracker.report("read", done: 0, total: scan.persons.reduce(0) { $0 + $1.records }, unit: "records")
        streaming.recordsRead = { tracker.advance(by: $0) }
    }

    /// One person's records straight from the store by its person index, as `LinkedRecords.personStream` gives
    /// them (person-level records in load order, slimmed the same way); `nil` when a persons file is given.
    func personLookup(persons: String?) throws -> PersonLookup? {
        guard persons == nil else { return nil }
        let store = try workspace.store()
        return { id in
            try store.records(of: PersonID(id)).filter(\.personLevel).map { LinkedRecords.slimmed($0, person: id, probability: nil, intern: { $0 }) }
        }
    }

    /// Trains, evaluates and saves a model; exports its HTML report with `render`.
    public func train(_ request: RiskTrainRequest, render: (RiskReport) -> String) throws -> (model: TrainedRiskModel, run: RiskRunInfo, reportPath: String) {
        let location = workspace.location
        // Whole records are needed by the previous builder, the truth and the as-of linkage; otherwise stream.
        let needsRecords = request.chronologyCohorts || request.truth != nil || request.linkAsOf
        var (stream, loaded) = try personStream(persons: request.persons)
        if needsRecords && loaded == nil {
            let store = try workspace.store()
            loaded = try LinkedRecords.load(store: store, personsFile: .store(store), persons: nil, slim: true)
            stream = StreamingCohortBuilder.stream(loaded!)
        }
        var count = 0
        var period: (CivilDate, CivilDate)?
        let tracker = workspace.messages.tracker("risk train", plan: .riskTrain)
        let deciles = try RiskInputs.deprivation(request.postcodes)
        let budget = request.memoryBytes
        let parallel = workspace.parallelism
        var streaming = StreamingCohortBuilder(persons: stream, postcodeDeprivation: deciles, config: request.cohort, memoryBudget: budget, parallelism: parallel,
                                               lookup: loaded == nil ? try personLookup(persons: request.persons) : nil)
        // Half the budget for the compact records, as `score` gives them: with a quarter a 3,000,000-person city was
        // cut into three chunks (its features 51 s, against 21 s for 2,000,000 people in one); with half it is one
        // chunk (31 s), and the train's peak at that size 6,487 MiB against 5,826–5,899 (docs/scale.md, session 37).
        streaming.recordShare = 0.5
        try Self.trackRead(&streaming, scan: { loaded == nil ? try recordScan(persons: request.persons) : nil }, on: tracker)
        // Streaming from the store, the cohort builder's first pass finds the records' span as it reads them (it
        // needs no dates): one pass less over the store than reading for the span first.
        var firstPass: StreamingCohortBuilder.FirstPass?
        if let loaded { count = loaded.count; period = RiskInputs.period(loaded) } else {
            let pass = try streaming.firstPass()
            count = pass.recordCount
            tracker.update(done: count)
            if let lo = pass.firstEvent, let hi = pass.lastEvent { period = (lo, hi) }
            if !request.chronologyCohorts { firstPass = pass }
        }
        tracker.begin("features")
        guard let (first, last) = period else { throw WorkspaceError.badInput("the store has no linked records with dates: run upstream link first") }
        var train = request.trainDates, test = request.testDates
        if train.isEmpty || test.isEmpty {
            let s = RiskTrainingConfig.schedule(dataStart: first, dataEnd: last, horizonMonths: request.cohort.horizonMonths)
            if train.isEmpty { train = s.train }
            if test.isEmpty { test = s.test }
        }
        let cohortConfig = request.cohort
        let config = RiskTrainingConfig(
            cohort: cohortConfig, trainDates: train.sorted(), testDates: test.sorted(), capacityPerHundredThousand: request.capacity,
            trees: request.trees, fairnessBound: request.fairnessBound, minimumGroupSize: request.minimumGroupSize,
            calibrationFolds: request.calibrationFolds, seed: request.seed)
        let progress: RiskProgress = { [note, dates = train.count + test.count] in note($0); RiskTrainStages.track($0, dates: dates, on: tracker) }
        let pseudonyms = try workspace.pseudonyms()
        workspace.messages.note("risk: \(count) linked records, \(first.iso) to \(last.iso)\n")
        let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(workspace.now)))
        var model: TrainedRiskModel
        if request.chronologyCohorts, let records = loaded {
            let builder = CohortBuilder(records: records, postcodeDeprivation: deciles, config: cohortConfig, parallelism: parallel)
            let truthBuilder = try request.truth.map { CohortBuilder(records: try RiskInputs.truth(records, truthFile: $0), postcodeDeprivation: deciles, config: cohortConfig, parallelism: parallel) }
            model = try RiskTraining.train(builder: builder, truth: truthBuilder, config: config, created: created,
                                           pseudonym: { pseudonyms.pseudonym($0) }, progress: progress)
        } else {
            let built = try streaming.build(dates: config.trainDates + config.testDates, after: firstPass, progress: progress)
            firstPass = nil   // its compact records, up to half the budget, are freed before the learners (the peak) run
            let truthMatrix = try request.truth.map {
                try StreamingCohortBuilder(persons: StreamingCohortBuilder.stream(try RiskInputs.truth(loaded ?? [], truthFile: $0)), postcodeDeprivation: deciles,
                                           config: cohortConfig, memoryBudget: budget, parallelism: parallel).build(dates: config.testDates).matrix
            }
            model = try RiskTraining.train(
                matrix: built.matrix, truth: truthMatrix, config: config, created: created, pseudonym: { pseudonyms.pseudonym($0) },
                explain: { CohortBuilder(records: try streaming.records(around: $0, in: built), postcodeDeprivation: deciles, config: cohortConfig, parallelism: parallel) },
                parallelism: parallel, progress: progress)
        }
        if request.linkAsOf {
            let linkRuns = try LinkRunStore.open(location)
            guard let linkModel = try linkRuns.model() else {
                throw WorkspaceError.badInput("--link-as-of needs the store's trained linkage model: run upstream link --store \(location) first")
            }
            let inputs = try LinkedRecords.linkInputs(store: linkRuns.store)
            let asOf = RiskTraining.evaluateAsOfLinkage(
                model: model, records: loaded ?? [], postcodeDeprivation: deciles,
                personsAsOf: { LinkedRecords.personsAsOf($0, inputs: inputs, model: linkModel, parallelism: parallel) },
                pseudonym: { pseudonyms.pseudonym($0) }, parallelism: parallel, progress: note)
            model.report.hindsight = HindsightComparison(withHindsight: model.report.models, asOfDate: asOf)
        }
        tracker.begin("save")
        let runs = try RiskRunStore.open(location)
        let run = try runs.saveTraining(model, inputs: .init(postcodes: request.postcodes.map { URL(fileURLWithPath: $0).standardizedFileURL.path }),
                                        by: workspace.user.name, at: workspace.now)
        let reportPath = request.report ?? RiskExport.reportHTML(store: location)
        try SecureFile.write(path: reportPath, text: render(model.report))
        // The report names flagged young people (by pseudonym, with reasons): that is access to their records.
        tracker.finish()
        try workspace.audit("risk-train", subject: "\(model.report.flagged.count) young people flagged in the report",
                            reason: "model \(model.id) trained as of \(train.first?.iso ?? "?")…\(train.last?.iso ?? "?"), tested \(test.first?.iso ?? "?")…\(test.last?.iso ?? "?")")
        return (model, run, reportPath)
    }

    /// Scores every young person as of a date, saves the scoring run and queues the flagged within capacity.
    public func score(_ request: RiskScoreRequest) throws -> RiskScoreOutcome {
        let location = workspace.location
        let runs = try RiskRunStore.open(location)
        let model = try runs.model()
        let asOf = request.asOf
        let (stream, _) = try personStream(persons: request.persons)
        let deciles = try RiskInputs.deprivation(try request.postcodes ?? runs.inputs().postcodes)
        var streaming = StreamingCohortBuilder(persons: stream, postcodeDeprivation: deciles, config: model.config.cohort, memoryBudget: request.memoryBytes,
                                               parallelism: workspace.parallelism, lookup: try personLookup(persons: request.persons))
        // One date's rows beside the records (281,000 at 3,000,000 people, not train's 3.6 million), so the compact
        // records may take half the budget: at 8 GiB a city of about 5 million people scores without spilling them.
        streaming.recordShare = 0.5
        let tracker = workspace.messages.tracker("risk score", plan: .riskScore)
        try Self.trackRead(&streaming, scan: { try recordScan(persons: request.persons) }, on: tracker)
        let pass = try streaming.firstPass()
        tracker.begin("features")
        let built = try streaming.build(dates: [asOf], after: pass)
        let cohort = Cohort(asOf: asOf, rows: (0..<built.matrix.rowCount).map(built.matrix.cohortRow), excluded: built.matrix.excluded[0])
        guard !cohort.rows.isEmpty else { throw WorkspaceError.badInput("no young people aged \(model.config.cohort.minimumAge)-\(model.config.cohort.maximumAge) with records before \(asOf.iso)") }
        let data = CohortBuilder.dataset(cohort.rows)
        tracker.begin("scoring", total: cohort.rows.count, unit: "people")
        let probabilities = model.scores(data, parallelism: workspace.parallelism)
        let c = request.capacity ?? model.config.capacityPerHundredThousand
        let k = Metrics.capacityCount(population: cohort.rows.count, perHundredThousand: c)
        let order = RiskTraining.ranking(probabilities, persons: cohort.rows.map(\.personID), seed: model.config.seed)
        let pseudonyms = try workspace.pseudonyms()
        // Chronologies and reasons only for the flagged: their records and those their features read.
        let builder = CohortBuilder(records: try streaming.records(around: Set(order.prefix(k).map { cohort.rows[$0].personID }), in: built),
                                    postcodeDeprivation: deciles, config: model.config.cohort, parallelism: workspace.parallelism)
        let known = builder.builder(asOf: asOf)
        let now = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(workspace.now)))
        var flagged: [ReviewQueue.Item] = []
        tracker.begin("reasons", total: min(k, order.count), unit: "people")
        for (rank, i) in order.prefix(k).enumerated() {
            tracker.advance()
            let row = cohort.rows[i]
            guard let chronology = known.chronology(for: row.personID, pseudonym: "") else { continue }
            let (_, perFeature) = model.trees.contributions(row: row.features)
            let (up, down) = builder.reasons(chronology: chronology, asOf: asOf, contributions: perFeature)
            flagged.append(.init(pseudonym: pseudonyms.pseudonym(row.personID), modelID: model.id, asOf: asOf.iso, rank: rank + 1,
                                 score: probabilities[i], age: row.age, reasons: up, lowering: down, added: now))
        }
        tracker.begin("save")
        if let scores = request.scores {
            var csv = CSVWriter.line(["pseudonym", "as_of", "score", "rank", "flagged"]) + "\n"
            for (rank, i) in order.enumerated() {
                csv += CSVWriter.line([pseudonyms.pseudonym(cohort.rows[i].personID), asOf.iso, "\(probabilities[i])", "\(rank + 1)",
                                       rank < k ? "1" : "0"]) + "\n"
            }
            try SecureFile.write(path: scores, text: csv)
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
        let at = workspace.now
        try runs.saveScoring(modelID: model.id, asOf: asOf, scores: stored,
                             figures: Figures(scored: cohort.rows.count, flagged: flagged.count, capacityPerHundredThousand: c, excluded: cohort.excluded),
                             by: workspace.user.name, at: at)
        let added = try RiskFlagQueue(store: runs.store).enqueue(flagged.map(\.pseudonym), at: at)
        tracker.finish()
        try workspace.audit("risk-score", subject: "\(cohort.rows.count) young people",
                            reason: "model \(model.id) as of \(asOf.iso); \(flagged.count) flagged, \(added) new in the review queue")
        return RiskScoreOutcome(modelID: model.id, asOf: asOf.iso, scored: cohort.rows.count, capacityPerHundredThousand: c,
                                flagged: flagged, excluded: cohort.excluded, addedToQueue: added)
    }

    /// Records a practitioner's decision on a pending flag through the review item's state machine (the workspace's
    /// user must act in a role that may decide; the reason must be real): the item and its audit entry are saved in
    /// one transaction. Returns the queue entry and how many are still pending.
    public func decide(_ pseudonym: String, decision: RiskFlag.Decision, reason: String) throws -> (entry: RiskFlagQueue.Entry, pending: Int) {
        let governance = try workspace.governance()
        guard let store = governance.store as? any WorkspaceStore else { throw WorkspaceError.badInput("this store cannot keep a review queue") }
        let queue = RiskFlagQueue(store: store)
        let who = pseudonym.uppercased()
        guard var item = try queue.item(who), item.state == .pending else {
            throw WorkspaceError.badInput("no pending flag for \(who) in the review queue of \(workspace.location)")
        }
        let now = workspace.now
        let actions: [ReviewAction]
        do { actions = try item.decide(decision, by: workspace.user, reason: reason, at: now) } catch let e as GovernanceError {
            throw WorkspaceError.usage("\(e)")
        }
        // The decision and its audit entries are saved together (one transaction where the store allows), so the
        // trail never names a decision that was not saved, nor is one saved without its entry.
        var events: [AuditEvent] = []
        var persist = false
        for action in actions {
            switch action {
            case .audit(let event): events.append(event)
            case .persist: persist = true
            case .relink: break  // risk flags never change the linked persons
            }
        }
        if persist { try queue.save(item, audit: events, at: now) } else if !events.isEmpty { _ = try store.appendAudit(events) }
        let entries = try queue.entries()
        return (entries.first { $0.pseudonym == who }!, entries.filter(\.pending).count)
    }

    /// The review queue (pending flags, or all with `all`), the listing audited.
    public func queue(all: Bool) throws -> (shown: [RiskFlagQueue.Entry], all: [RiskFlagQueue.Entry]) {
        let entries = try RiskFlagQueue(store: try workspace.store()).entries()
        let shown = all ? entries : entries.filter(\.pending)
        try workspace.audit("risk-review-list", subject: "\(shown.count) young people", reason: all ? "all flags" : "pending flags")
        return (shown, entries)
    }
}
