import Foundation
import UpstreamGovernance
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite
#if canImport(Glibc)
import Glibc
#endif

/// What `upstream link` is asked to do, parsed: where the records come from and what to do with them.
public struct LinkRequest {
    /// The store that keeps the run, its model, each record's person and the review queue; its person-level
    /// records are what is linked unless `inputs` are given.
    public var store: String?
    /// CSV files read through `config` (instead of the store's records). With `store`, the run is kept in the store
    /// (created if missing); without, nothing is kept but the exports asked for.
    public var inputs: [String] = []
    /// The linkage config (settings and how to read each CSV); the UK preset when none was given.
    public var config: LinkConfig = LinkConfig()
    /// A saved model file to reuse instead of training.
    public var model: String?
    /// Save the trained model to this file.
    public var saveModel: String?
    /// Link only the records without a person against the existing persons.
    public var incremental = false
    /// Re-estimate m from accepted review decisions.
    public var reestimate = false
    /// The match threshold (probability), overriding the settings'.
    public var threshold: Double?
    /// Write `source,record_id,person_id` to this CSV.
    public var exportClusters: String?
    /// A truth CSV to score the result against.
    public var evaluate: String?
    /// Explain one pair and stop.
    public var explain: (RecordKey, RecordKey)?
    /// Memory for candidate pairs, in bytes.
    public var memory: Int?
    /// Count the comparisons each blocking rule would make, then stop.
    public var estimate = false
    /// Only the saved model's report is wanted (no records are read when no store or input is named).
    public var modelReport = false
    /// The process ends once the run returns (the command line's `link`): the run's records, pairs and persons are
    /// then left for the exit to hand back whole (``LinkUseCase/leftForExit``) rather than freed array by array, which
    /// was about 0.1 s on one core at the end of the like-for-like run (a profile of session 45). A server or a test
    /// leaves it false.
    public var endsProcess = false

    public init() {}

    /// Parses `SOURCE:RECORD_ID,SOURCE:RECORD_ID`.
    public static func parsePair(_ text: String) -> (RecordKey, RecordKey)? {
        let parts = text.split(separator: ",")
        guard parts.count == 2 else { return nil }
        func key(_ s: Substring) -> RecordKey? {
            guard let c = s.firstIndex(of: ":") else { return nil }
            return RecordKey(source: String(s[..<c]), recordID: String(s[s.index(after: c)...]))
        }
        guard let a = key(parts[0]), let b = key(parts[1]) else { return nil }
        return (a, b)
    }
}

/// What a linkage run did, as `upstream link` prints it (text or JSON).
public struct LinkSummary: Codable {
    /// Seconds per stage and in all.
    public struct Timings: Codable {
        public var stages: [String: Double]; public var total: Double
        /// CPU seconds (user + system, every thread of the process) per stage: a stage whose CPU is near its wall
        /// time ran on one core.
        public var cpu: [String: Double]? = nil
        /// Whether the process asked for its large allocations on 2 MiB pages (`HugePages`).
        public var hugePages: Bool? = nil
        /// Whether freed memory stayed in the process for the next stage to reuse (``LinkUseCase/keepsFreedMemory(expectedRecords:budget:)``)
        /// rather than going back to the system between stages.
        public var keptFreedMemory: Bool? = nil
    }
    /// One row of the threshold sweep against the truth.
    public struct SweepRow: Codable {
        public var threshold: Double; public var precision: Double; public var recall: Double; public var f1: Double
        public var bcubedF1: Double; public var persons: Int
    }
    public var records: Int
    public var identities: Int
    public var candidatePairs: Int
    public var scoredPairs: Int
    public var persons: Int
    public var reviewPending: Int
    /// How the review band came down to the queue (left out as already one person, same two persons, over the cap).
    public var review: Linker.ReviewCounts?
    public var newRecords: Int?
    public var threshold: Double
    public var timings: Timings
    public var evaluation: Evaluation?
    public var sweep: [SweepRow]?
    /// What reading each input file did (rows read, loaded, quarantined by reason).
    public var inputs: [LinkFiles.ReadReport]?
    /// Values cut to max_field_length characters before comparison.
    public var truncatedValues: Int
    /// What a monthly refresh read (`link --incremental` through the block index); nil for a run over every record.
    public var refresh: Refresh? = nil

    /// What a refresh read: its new records, the existing records of the persons they could meet, and whether the
    /// block index had to be built first (one whole read of the store).
    public struct Refresh: Codable {
        public var newRecords: Int; public var existingRecordsRead: Int; public var personsRead: Int
        /// Of the persons read, those with a scored pair at or above the review band's lower bound (the rest could not
        /// be changed by the month: docs/scale.md, "What a refresh reads for nothing").
        public var personsPaired: Int?
        /// The persons the month's records can meet (a block or identity shared with one of them), of which the
        /// refresh read whole only `personsRead`; nil in reports written before the refresh's first step.
        public var candidatePersons: Int?
        /// The candidate identities whose one record the first step read and scored (nil: no first step, the index
        /// did not name their records).
        public var identitiesScreened: Int?
        public var indexBuilt: Bool
    }
}

/// The linkage use case: reads the records (from the store or CSV files), links them, keeps the run in the store
/// (when one is named), and scores it against a truth file when asked.
public struct LinkUseCase {
    /// What the run came to.
    public enum Outcome {
        /// The saved model, when only its report was asked for.
        case model(LinkageModel)
        /// One pair explained (nothing written).
        case explanation(Prediction.Explanation)
        /// The comparisons each blocking rule would make (nothing written).
        case estimate([Blocking.RuleCount], records: Int, identities: Int)
        /// A linkage run, with its trained model.
        case linked(LinkSummary, LinkageModel)
    }

    public var request: LinkRequest
    /// Who links, the clock, the parallelism and where progress goes (its location is `request.store` when set).
    public var workspace: Workspace

    public init(request: LinkRequest, workspace: Workspace) { self.request = request; self.workspace = workspace }

    /// Reads every record to link, with what reading each input file did (none for a store's own records).
    public static func loadInputs(_ request: LinkRequest, messages: Messages = .silent) throws -> ([LinkInput], [LinkFiles.ReadReport]) {
        let config = request.config
        if let store = request.store, request.inputs.isEmpty {
            guard StoreFactory.exists(store) else { throw WorkspaceError.usage("no store at \(store); load one with upstream ingest") }
            let s: any RecordStore
            do { s = try StoreFactory.open(store) } catch let e as StoreError { throw e } catch { throw WorkspaceError.usage("cannot open the store: \(error)") }
            var out: [LinkInput] = []
            try s.forEachLinkageRecord { out.append(LinkInput($0)) }
            return (out, [])
        }
        var out: [LinkInput] = [], reports: [LinkFiles.ReadReport] = []
        var sources = Set<String>()
        for path in request.inputs {
            let (rows, report) = try LinkFiles.readCSV(path: path, config: config, messages: messages)
            if let first = rows.first, !sources.insert(first.source).inserted {
                throw WorkspaceError.usage("two inputs share the source name '\(first.source)' (\(path)); record ids are only unique within a source, so rename one file")
            }
            out.append(contentsOf: rows); reports.append(report)
        }
        if config.settings.linkType == .dedupeOnly && sources.count > 1 {
            throw WorkspaceError.usage("link_type dedupe_only links one file, and \(sources.count) were given; use link_and_dedupe (duplicates within and across files) or link_only (across files only)")
        }
        if config.settings.linkType == .linkOnly && sources.count < 2 {
            throw WorkspaceError.usage("link_type link_only compares records across files; give two or more --input files, or use dedupe_only")
        }
        return (out, reports)
    }

    /// Reads `paths` on a thread of their own, in order, and hands their records to `body` on the calling thread
    /// batch by batch as they come, with the checks ``loadInputs(_:messages:)`` makes: two files may not share a
    /// source name, and the config's link type must fit the number of sources read.
    /// - Returns: each file's read report, in order.
    static func streamFiles(_ paths: [String], config: LinkConfig, messages: Messages, batchSize: Int = 16_384,
                            _ body: (RawRecordBatch) -> Void) throws -> [LinkFiles.ReadReport] {
        var reports: [LinkFiles.ReadReport] = []
        var sources = Set<String>()
        try LinkedRecords.readAhead(produce: { put in
            for path in paths {
                let source = LinkFiles.sourceName(ofPath: path)
                var first = true
                let report = try LinkFiles.readRawCSV(path: path, config: config, messages: messages, batchSize: batchSize) { batch in
                    if first {
                        first = false
                        guard sources.insert(source).inserted else {
                            throw WorkspaceError.usage("two inputs share the source name '\(source)' (\(path)); record ids are only unique within a source, so rename one file")
                        }
                    }
                    put(batch)
                }
                reports.append(report)
            }
        }, body)
        if config.settings.linkType == .dedupeOnly && sources.count > 1 {
            throw WorkspaceError.usage("link_type dedupe_only links one file, and \(sources.count) were given; use link_and_dedupe (duplicates within and across files) or link_only (across files only)")
        }
        if config.settings.linkType == .linkOnly && sources.count < 2 {
            throw WorkspaceError.usage("link_type link_only compares records across files; give two or more --input files, or use dedupe_only")
        }
        return reports
    }

    public func run() throws -> Outcome {
        // A run from files estimates its rows once (each input opened and its first 64 KiB read): for the rule on
        // freed memory here, and for the builder's reservations when the files are streamed.
        let fileRows = request.inputs.isEmpty ? 0 : LinkFiles.estimatedRows(request.inputs)
        let keepsFreed = request.store == nil && !request.inputs.isEmpty
            && Self.keepsFreedMemory(expectedRecords: fileRows, budget: request.memory ?? Linker.defaultMemoryBudget)
        func handBackFreedMemoryUnlessKept(configure: Bool = false) { if !keepsFreed { LinkUseCase.returnFreedMemory(configure: configure) } }
        handBackFreedMemoryUnlessKept(configure: true)
        let clock = ContinuousClock()
        let start = clock.now, cpuAtStart = Self.processCPUSeconds()
        let messages = workspace.messages
        var config = request.config
        if let t = request.threshold {
            config.settings.matchThreshold = t
            config.settings.reviewLower = min(config.settings.reviewLower, t)
        }
        // CSV inputs may go into a new store (created here, as ingest does), but only by a run that saves: an
        // explanation or an estimate from files reads a store's model only when one is there. A store's own records
        // need it to exist.
        let saves = request.explain == nil && !request.estimate
        let runStore: LinkRunStore? = try request.store.flatMap { path in
            if request.inputs.isEmpty { return try LinkRunStore.open(path) }
            if saves { return try LinkRunStore.create(path) }
            return StoreFactory.exists(path) ? try LinkRunStore.open(path) : nil
        }
        var saved: LinkageModel? = nil
        if let model = request.model { saved = try LinkRunStore.loadModel(model) } else if request.incremental { saved = try runStore?.model() }
        if var s = saved, let t = request.threshold { s.settings.matchThreshold = t; s.settings.reviewLower = min(s.settings.reviewLower, t); saved = s }
        if request.modelReport, request.store == nil, request.inputs.isEmpty, let saved { return .model(saved) }

        let tracker = messages.tracker("link", plan: .link)
        tracker.begin("read")
        // The monthly refresh reads only the new records and the persons they can meet, through the block index
        // (SQLite stores; docs/scale.md, "Monthly refresh"). Anything it cannot reproduce falls back to the whole store.
        if request.incremental, request.inputs.isEmpty, request.explain == nil, !request.estimate, request.evaluate == nil,
           let saved, let runStore, let sqlite = runStore.store as? SQLiteStore,
           let outcome = try refresh(sqlite, runStore: runStore, model: saved, tracker: tracker, start: start) {
            return outcome
        }
        // A full link of a store's own records streams them: read on a thread of their own and standardised batch
        // by batch as they come, never all held as inputs (issue 17). An incremental run, an explanation and an estimate
        // read them first.
        let streams = request.store != nil && request.inputs.isEmpty && !request.incremental && request.explain == nil && !request.estimate
        // A full link of files streams them too: each file read on a thread of its own, batch by batch, while the
        // batch before is standardised (session 16: at 1,000,000 records the read was 12 s on one core before
        // standardising began).
        let streamsFiles = !request.inputs.isEmpty && !request.incremental && request.explain == nil && !request.estimate
        let loaded = streams || streamsFiles ? ([], []) : try Self.loadInputs(LinkRequest(copying: request, config: config), messages: messages)
        let inputs = loaded.0
        var readReports = loaded.1
        guard streams || streamsFiles || !inputs.isEmpty else { throw WorkspaceError.usage("no person-level records to link") }

        // An explanation is read-only: it scores one pair with the saved model and writes nothing.
        if let (a, b) = request.explain {
            messages.clearProgress()
            guard let model = try saved ?? runStore?.model() else {
                throw WorkspaceError.usage("--explain needs a trained model: run upstream link --store STORE first (it saves one in the store), or give --model FILE")
            }
            let data = PreparedData(inputs, settings: model.settings)
            var index: [RecordKey: Int] = [:]
            for (i, k) in data.keys.enumerated() where index[k] == nil { index[k] = i }
            guard let ia = index[a] else { throw WorkspaceError.usage("--explain: \(a.source):\(a.recordID) is not among the records read") }
            guard let ib = index[b] else { throw WorkspaceError.usage("--explain: \(b.source):\(b.recordID) is not among the records read") }
            return .explanation(Prediction(model: model, data: data).explain(Int(data.nodeOfRecord[ia]), Int(data.nodeOfRecord[ib])))
        }
        // Refuse to score against a truth file that covers too few of the records.
        var truth: [RecordKey: String]? = nil
        if let evaluate = request.evaluate {
            let t = try LinkFiles.readAssignments(evaluate)
            if !streams && !streamsFiles { try Self.checkCoverage(of: t, file: evaluate, keys: inputs.map(\.key)) }
            truth = t
        }
        let settings = saved?.settings ?? config.settings
        let budget = request.memory ?? Linker.defaultMemoryBudget
        let parallel = workspace.parallelism
        let linker = Linker(settings: settings, parallel: parallel, memoryBudget: budget)

        if request.estimate {
            let data = PreparedData(inputs, settings: settings)
            let blocking = Blocking(data: data, rules: settings.blockingRules, maxBlockSize: settings.maxBlockSize, splitBlockSize: settings.splitBlockSize, parallel: parallel)
            return .estimate(blocking.analyse(parallel: parallel), records: inputs.count, identities: data.nodeCount)
        }

        let decisions = try runStore?.review().latestDecisions ?? []
        var prepared: PreparedData? = nil
        var timings: [String: Double] = [:], cpu: [String: Double] = [:]
        // The store's records as the streamed read began (the block index then need not count them again).
        var readMark: LinkBlockIndex.RecordsMark? = nil
        // Each identity's representative record id, for the block index (a streamed read of a SQLite store).
        var recordOfNode: [UInt32]? = nil
        // A streamed read fills the builder; "read" is the read overlapped with standardising, "standardise" what
        // was left once the last batch came.
        func streamed(records expectedRecords: Int, nodes expectedNodes: Int = 0, _ read: (PreparedData.Builder) throws -> Void) throws -> PreparedData {
            let builder = PreparedData.Builder(settings: settings, ownNode: Linker.ownNodes(decisions), parallel: parallel,
                                               expectedRecords: expectedRecords, expectedNodes: expectedNodes)
            try read(builder)
            guard builder.recordsAdded > 0 else { throw WorkspaceError.usage("no person-level records to link") }
            timings["read"] = Self.seconds(clock.now - start); cpu["read"] = Self.processCPUSeconds() - cpuAtStart
            let finishStart = clock.now, finishCPU = Self.processCPUSeconds()
            tracker.begin(Linker.Stage.standardise.rawValue)
            let data = builder.finish()
            timings["standardise"] = Self.seconds(clock.now - finishStart); cpu["standardise"] = Self.processCPUSeconds() - finishCPU
            if let truth, let evaluate = request.evaluate { try Self.checkCoverage(of: truth, file: evaluate, keys: data.keys) }
            return data
        }
        if streams, let store = request.store {
            guard StoreFactory.exists(store) else { throw WorkspaceError.usage("no store at \(store); load one with upstream ingest") }
            let s: any RecordStore
            do { s = try StoreFactory.open(store) } catch let e as StoreError { throw e } catch { throw WorkspaceError.usage("cannot open the store: \(error)") }
            var expected: Int? = nil
            if let sqlite = s as? SQLiteStore {
                let mark = try LinkBlockIndex.RecordsMark.of(sqlite)
                readMark = mark; expected = LinkBlockIndex.expectedRecords(location: store, mark: mark)
            }
            // The read's progress counts records against the store's size, so it shows the time left (27 million
            // records took 13 minutes in session 22).
            // A SQLite store's read keeps each record's id, for the block index's record of each identity.
            final class IDs: @unchecked Sendable { var ids: [UInt32] = [] }
            let read = IDs()
            prepared = try streamed(records: expected ?? 0) { builder in
                let add: ([LinkInput]) -> Void = {
                    builder.add($0)
                    tracker.report("read", done: builder.recordsAdded, total: expected, unit: "records")
                }
                if let sqlite = s as? SQLiteStore {
                    let reader = UnsafeSendable(sqlite)
                    read.ids.reserveCapacity(expected ?? 0)
                    try LinkedRecords.streamBatches(read: { give in
                        try reader.value.forEachPersonLevelRecord(after: 0) { id, r in give(LinkInput(r)); read.ids.append(BlockIndex.representative(id)) }
                    }, add)
                } else {
                    try LinkedRecords.streamLinkInputs(store: s, add)
                }
                tracker.settle()
            }
            if let prepared, read.ids.count == prepared.keys.count { recordOfNode = BlockIndex.recordOfNode(prepared, rowIDs: read.ids) }
            read.ids = []
        } else if streamsFiles {
            prepared = try streamed(records: fileRows, nodes: fileRows) { builder in
                readReports = try Self.streamFiles(request.inputs, config: config, messages: messages) { builder.add($0) }
            }
        } else {
            timings["read"] = Self.seconds(clock.now - start); cpu["read"] = Self.processCPUSeconds() - cpuAtStart
        }
        var stageStart = clock.now
        var current: Linker.Stage? = nil
        var stageCPU = Self.processCPUSeconds()
        func progress(_ s: Linker.Stage) {
            if let c = current { timings[c.rawValue] = Self.seconds(clock.now - stageStart); cpu[c.rawValue] = Self.processCPUSeconds() - stageCPU }
            // Blocking starts once the standardising dictionaries are freed; clustering once the blocking and the
            // candidate pairs are: hand their pages back before the next stage's grow.
            if s == .block || s == .cluster { handBackFreedMemoryUnlessKept() }
            current = s; stageStart = clock.now; stageCPU = Self.processCPUSeconds()
            tracker.begin(s.rawValue)
        }
        var result: Linker.Result
        var newCount: Int? = nil
        // The records in the store's key order, when the run sorted them (a full link of the store's records).
        var keyOrder: [Int32]? = nil
        if request.incremental {
            guard let saved, let runStore else { throw WorkspaceError.usage("no saved model in \(request.store ?? "the store"); run upstream link once without --incremental") }
            let known = try runStore.persons()
            var existing: [(LinkInput, PersonID)] = [], fresh: [LinkInput] = []
            for i in inputs { if let p = known[i.key] { existing.append((i, p)) } else { fresh.append(i) } }
            newCount = fresh.count
            result = linker.linkIncrementally(existing: existing, new: fresh, model: saved, decisions: decisions, progress: progress)
        } else if let prepared, streamsFiles {
            // Files linked into a store: the store's persons, as the run that read the files first used.
            var readFailure: (any Error)? = nil
            result = linker.link(prepared: prepared, model: saved, previous: {
                do { return try runStore?.persons() ?? [:] } catch { readFailure = error; return [:] }
            }, decisions: decisions, reestimate: request.reestimate, progress: progress)
            if let readFailure { throw readFailure }
        } else if let prepared {
            // The earlier run's ids are read only when the ids are assigned, after the pairs are compared and freed, and
            // held per record (not a dictionary of every record).
            // The records' key order is sorted once, here, and kept for the save.
            var readFailure: (any Error)? = nil
            let none = EarlierPersons(ofRecord: [], all: [])
            result = linker.link(prepared: prepared, model: saved, earlier: {
                guard let runStore else { return none }
                let order = LinkRunStore.keyOrder(prepared.keys, parallel: parallel)
                keyOrder = order
                do { return try runStore.earlierPersons(for: prepared.keys, order: order, parallel: parallel) } catch { readFailure = error; return none }
            }, decisions: decisions, reestimate: request.reestimate, progress: progress)
            if let readFailure { throw readFailure }
        } else {
            let previous = try runStore?.persons() ?? [:]
            result = linker.link(inputs, model: saved, previous: previous, decisions: decisions, reestimate: request.reestimate, progress: progress)
        }
        if let c = current { timings[c.rawValue] = Self.seconds(clock.now - stageStart); cpu[c.rawValue] = Self.processCPUSeconds() - stageCPU }
        tracker.finish()
        messages.clearProgress()

        let saveStart = clock.now, saveCPU = Self.processCPUSeconds()
        let scoredPairs = result.pairs.count
        if let runStore {
            tracker.begin("save")
            struct Detail: Encodable { var threshold: Double; var candidatePairs: Int; var scoredPairs: Int; var reviewPending: Int; var newRecords: Int? }
            let now = workspace.now
            let saved = try runStore.save(result, by: workspace.user.name, at: now, detail: Detail(
                threshold: result.model.settings.matchThreshold, candidatePairs: result.candidatePairs,
                scoredPairs: result.pairs.count, reviewPending: result.review.count, newRecords: newCount), keyOrder: keyOrder, parallel: parallel)
            keyOrder = nil
            try workspace.audit("link", subject: "\(saved.persons) persons", reason: "linkage run \(saved.id)", count: saved.records,
                                detail: "records linked into persons")
            // Saved, the scored pairs are read only by the evaluation's sweep: without it they go before the block index.
            if truth == nil { result.pairs = [] }
            handBackFreedMemoryUnlessKept()
            // The block index a monthly refresh reads, for a run over the store's own records.
            // Timed apart from the save ("block_index" in the stage clock; "save" is the store's transaction alone).
            if request.inputs.isEmpty, let sqlite = runStore.store as? SQLiteStore, let location = request.store {
                let indexStart = clock.now, indexCPU = Self.processCPUSeconds()
                timings["save"] = Self.seconds(indexStart - saveStart); cpu["save"] = indexCPU - saveCPU
                do { try LinkBlockIndex.writeAfterFullRun(store: sqlite, location: location, result: result, run: saved.id, decisions: decisions, readFrom: readMark,
                                                         recordOfNode: recordOfNode, parallel: parallel) } catch {
                    messages.note("link: the block index for monthly refreshes was not written (\(error)); the next link --incremental builds it\n")
                }
                timings["block_index"] = Self.seconds(clock.now - indexStart); cpu["block_index"] = Self.processCPUSeconds() - indexCPU
            }
            tracker.finish()
            messages.clearProgress()
        }
        if timings["save"] == nil { timings["save"] = Self.seconds(clock.now - saveStart); cpu["save"] = Self.processCPUSeconds() - saveCPU }
        if let saveModel = request.saveModel { try JSONFiles.write(result.model, to: saveModel) }
        if let exportClusters = request.exportClusters {
            let exportStart = clock.now, exportCPU = Self.processCPUSeconds()
            try LinkFiles.writeAssignments(exportClusters, keys: result.data.keys, persons: result.personIDs, parallel: parallel)
            timings["export"] = Self.seconds(clock.now - exportStart); cpu["export"] = Self.processCPUSeconds() - exportCPU
        }

        var evaluation: Evaluation? = nil
        var sweep: [LinkSummary.SweepRow]? = nil
        if let truth { (evaluation, sweep) = Self.evaluate(result, truth: truth) }
        let summary = LinkSummary(
            records: result.data.recordCountTotal, identities: result.data.nodeCount, candidatePairs: result.candidatePairs,
            scoredPairs: scoredPairs, persons: result.personCount, reviewPending: result.review.count,
            review: result.reviewCounts, newRecords: newCount, threshold: result.model.settings.matchThreshold,
            timings: LinkSummary.Timings(stages: timings, total: Self.seconds(clock.now - start), cpu: cpu, hugePages: HugePages.requested, keptFreedMemory: keepsFreed), evaluation: evaluation, sweep: sweep,
            inputs: readReports.isEmpty ? nil : readReports, truncatedValues: result.data.truncatedValues)
        if request.endsProcess { LinkUseCase.leftForExit.append(result) }
        return .linked(summary, result.model)
    }

    /// The refresh through the block index, or nil (with a note on standard error) when it falls back to the whole store.
    func refresh(_ sqlite: SQLiteStore, runStore: LinkRunStore, model: LinkageModel, tracker: ProgressTracker, start: ContinuousClock.Instant) throws -> Outcome? {
        let clock = ContinuousClock()
        let messages = workspace.messages
        let decisions = try runStore.review().latestDecisions
        let linker = Linker(settings: model.settings, parallel: workspace.parallelism, memoryBudget: request.memory ?? Linker.defaultMemoryBudget)
        let refresh = LinkRefresh(store: sqlite, location: runStore.location, model: model, decisions: decisions, linker: linker, messages: messages)
        var timings: [String: Double] = [:]
        var current: String? = nil
        var stageStart = clock.now
        func begin(_ name: String) {
            if let c = current { timings[c, default: 0] += Self.seconds(clock.now - stageStart) }
            // The tracker is in "read" already (the run began it before choosing the refresh).
            if current != nil || name != "read" { tracker.begin(name) }
            current = name; stageStart = clock.now
        }
        let outcome: LinkRefresh.Outcome
        do {
            outcome = try refresh.run(user: workspace.user.name, at: workspace.now, progress: { begin($0.rawValue) }, stage: begin,
                                      report: { tracker.report($0, done: $1, total: $2, unit: "records") })
        } catch let f as LinkRefresh.Fallback {
            messages.clearProgress()
            messages.note("link --incremental: \(f.reason); linking against the whole store instead\n")
            return nil
        }
        if let c = current { timings[c, default: 0] += Self.seconds(clock.now - stageStart) }
        tracker.finish()
        messages.clearProgress()
        let result = outcome.result
        try workspace.audit("link", subject: "\(outcome.persons) persons", reason: "linkage run \(outcome.runID)", count: outcome.records,
                            detail: "records linked into persons (monthly refresh: \(outcome.newRecords) new records)")
        let summary = LinkSummary(
            records: outcome.records, identities: result.data.nodeCount, candidatePairs: outcome.candidatePairs,
            scoredPairs: outcome.scoredPairs, persons: outcome.persons, reviewPending: result.review.count,
            review: result.reviewCounts, newRecords: outcome.newRecords, threshold: model.settings.matchThreshold,
            timings: LinkSummary.Timings(stages: timings, total: Self.seconds(clock.now - start)), evaluation: nil, sweep: nil,
            inputs: nil, truncatedValues: result.data.truncatedValues,
            refresh: LinkSummary.Refresh(newRecords: outcome.newRecords, existingRecordsRead: outcome.existingRead, personsRead: outcome.personsRead,
                                         personsPaired: outcome.personsPaired, candidatePersons: outcome.candidatePersons,
                                         identitiesScreened: outcome.identitiesScreened, indexBuilt: outcome.indexBuilt))
        if let saveModel = request.saveModel { try JSONFiles.write(model, to: saveModel) }
        if let exportClusters = request.exportClusters {
            // Every record's person, as the store now holds them (the refresh itself held only the records it read).
            let all = try runStore.persons().sorted { $0.key < $1.key }
            try LinkFiles.writeAssignments(exportClusters, keys: all.map(\.key), persons: all.map(\.value), parallel: workspace.parallelism)
        }
        return .linked(summary, model)
    }

    /// The result scored against the truth, and the threshold sweep (0.5 to 0.999).
    public static func evaluate(_ result: Linker.Result, truth: [RecordKey: String]) -> (Evaluation, [LinkSummary.SweepRow]) {
        var bySource: [String: String] = [:]
        for (i, k) in result.data.keys.enumerated() where bySource[k.source] == nil {
            bySource[k.source] = result.data.agencies[Int(result.data.agencyOfRecord[i])]
        }
        let agencyOf: (RecordKey) -> String = { bySource[$0.source] ?? $0.source }
        // The truth is indexed once for the run and the six sweep thresholds; each sweep labelling is the
        // clustering's own labels (one per cluster, as the person ids are), so no person ids are derived for it.
        let scorer = Evaluation.Scorer(keys: result.data.keys, truth: truth, agencyOf: agencyOf)
        let evaluation = scorer.evaluate(labels: result.personIDs)
        var rows: [LinkSummary.SweepRow] = []
        for t in Linker.sweepThresholds {
            let clusters = Clustering.cluster(data: result.data, pairs: result.pairs, threshold: t)
            let labels = result.data.nodeOfRecord.map { clusters[Int($0)] }
            let e = scorer.evaluate(labels: labels)
            rows.append(LinkSummary.SweepRow(threshold: t, precision: e.pairwise.precision, recall: e.pairwise.recall, f1: e.pairwise.f1,
                                             bcubedF1: e.bcubedF1, persons: Set(labels).count))
        }
        return (evaluation, rows)
    }

    /// Hands freed heap pages back to the system (glibc's `malloc_trim`), so a stage's peak is not the previous
    /// stages' high-water mark. With `configure`, first fixes glibc's threshold for giving a large block its own
    /// mapping at 1 MiB (it otherwise rises to 32 MiB as blocks are freed, and freed arrays under it stay in the
    /// heap): arrays of pairs, keys and columns are then unmapped when freed. Measured in docs/scale.md ("Linkage").
    /// What runs of a process that ends after them left for the exit to reclaim (``LinkRequest/endsProcess``).
    nonisolated(unsafe) static var leftForExit: [Any] = []

    /// Whether a run of about `expectedRecords` records keeps the memory its stages free for the next to reuse, instead
    /// of ``returnFreedMemory(configure:)`` between stages: when even a kilobyte a record (the links measured peak at
    /// 260–430 bytes a record: 6,623 MiB for 26.5 million at 3 M people, 407 MiB for the Faker file's 998,286) stays under half the `budget`, handing pages back bounds nothing and costs their
    /// zeroing when the next stage asks again (on the 998,286-record Faker file about 1.5 GB of pages faulted for a 407
    /// MiB peak, 6% of the run's CPU in the kernel clearing them; Benchmarks/linkage.md, session 47).
    public static func keepsFreedMemory(expectedRecords: Int, budget: Int) -> Bool {
        let (bytes, overflow) = expectedRecords.multipliedReportingOverflow(by: 1024)
        return expectedRecords > 0 && !overflow && bytes < budget / 2
    }

    static func returnFreedMemory(configure: Bool = false) {
        #if canImport(Glibc)
        // Not in Swift's Glibc module: looked up by name (M_MMAP_THRESHOLD is -3 in malloc.h).
        typealias Trim = @convention(c) (Int) -> Int32
        typealias Option = @convention(c) (Int32, Int32) -> Int32
        if configure, let f = dlsym(nil, "mallopt") { _ = unsafeBitCast(f, to: Option.self)(-3, 1 << 20) }
        if let f = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(f, to: Trim.self)(0) }
        #endif
    }

    /// Refuses to score against a truth file that covers under 95% of the records linked.
    static func checkCoverage(of truth: [RecordKey: String], file: String, keys: [RecordKey]) throws {
        let covered = keys.reduce(0) { $0 + (truth[$1] == nil ? 0 : 1) }
        let share = Double(covered) / Double(keys.count)
        guard share >= 0.95 else {
            throw WorkspaceError.usage("--evaluate: the truth file \(file) covers \(covered) of the \(keys.count) records linked (\(LinkFiles.fmt(share * 100, 1))%); at least 95% must be in it for the figures to mean anything. Check that it is the truth for these records (columns source,record_id,person_id, sources named as the input files).")
        }
    }

    /// CPU seconds the process has used so far (user + system, all threads).
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

extension LinkRequest {
    init(copying other: LinkRequest, config: LinkConfig) { self = other; self.config = config }
}
