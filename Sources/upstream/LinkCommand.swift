import ArgumentParser
import Foundation
import UpstreamLinkage
import UpstreamModel
import UpstreamStore

extension Upstream {
    /// `upstream link`: probabilistic record linkage of person-level records into persons.
    struct Link: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link person-level records from many agencies into persons (Fellegi-Sunter with EM).",
            discussion: """
            Reads records from a store (--store) or from CSV files described by a config (--config --input), \
            standardises them, blocks, compares, trains or reuses a model, scores, and clusters into persons with \
            stable ids. --estimate only counts the comparisons each blocking rule would make. --model-report \
            prints the model's levels, m, u and weights. --evaluate scores the result against a truth file. \
            A store keeps the run, its model, each record's person and the review queue in its own tables (one \
            transaction; docs/stores.md); CSV inputs keep them in a --state folder. --incremental links records \
            without a person id against the existing persons using the saved model.
            """
        )

        @OptionGroup var sourceOptions: LinkSourceOptions
        @Flag(help: "Count the comparisons each blocking rule would make, then stop.") var estimate = false
        @Flag(help: "Print the model report (levels, m, u, match weights).") var modelReport = false
        @Option(help: "Reuse this saved model instead of training.") var model: String?
        @Option(help: "Save the trained model to this file.") var saveModel: String?
        @Flag(help: "Link only records with no person id yet against the existing persons, with the saved model.") var incremental = false
        @Flag(help: "Re-estimate m from accepted review decisions before scoring.") var reestimate = false
        @Option(help: "Override the match threshold (probability).") var threshold: Double?
        @Option(help: "Write source,record_id,person_id for every record to this CSV.") var exportClusters: String?
        @Option(help: "Score against a truth CSV (source,record_id,person_id): pairwise and cluster metrics, threshold sweep.") var evaluate: String?
        @Option(help: "Explain a pair: SOURCE:RECORD_ID,SOURCE:RECORD_ID (waterfall of match weights).") var explain: String?
        @Flag(help: "Print figures as JSON.") var json = false
        @Option(help: "Memory for candidate pairs, e.g. 8G (default); when the blocks could hold more, pairs are scored block by block.") var memory: String?
        @Flag(help: "Print the settings (the config's, or the default UK preset) with every comparison written out level by level, then stop.")
        var printSettings = false

        func validate() throws {
            if !(modelReport && model != nil && sourceOptions.store == nil && sourceOptions.input.isEmpty) && !printSettings { try sourceOptions.check() }
            if let t = threshold, !(0...1).contains(t) { throw ValidationError("--threshold is a probability between 0 and 1") }
            if incremental && sourceOptions.linkState == nil && sourceOptions.store == nil { throw ValidationError("--incremental needs the persons of an earlier run: --store STORE, or --state DIR with --input") }
            if let e = explain, parsePair(e) == nil { throw ValidationError("--explain takes SOURCE:RECORD_ID,SOURCE:RECORD_ID") }
        }

        func parsePair(_ text: String) -> (RecordKey, RecordKey)? {
            let parts = text.split(separator: ",")
            guard parts.count == 2 else { return nil }
            func key(_ s: Substring) -> RecordKey? {
                guard let c = s.firstIndex(of: ":") else { return nil }
                return RecordKey(source: String(s[..<c]), recordID: String(s[s.index(after: c)...]))
            }
            guard let a = key(parts[0]), let b = key(parts[1]) else { return nil }
            return (a, b)
        }

        struct Timings: Codable { var stages: [String: Double]; var total: Double }
        struct Output: Codable {
            var records: Int
            var identities: Int
            var candidatePairs: Int
            var scoredPairs: Int
            var persons: Int
            var reviewPending: Int
            var newRecords: Int?
            var threshold: Double
            var timings: Timings
            var evaluation: Evaluation?
            var sweep: [SweepRow]?
            /// What reading each input file did (rows read, loaded, quarantined by reason).
            var inputs: [LinkCLI.ReadReport]?
            /// Values cut to max_field_length characters before comparison.
            var truncatedValues: Int
        }
        struct SweepRow: Codable { var threshold: Double; var precision: Double; var recall: Double; var f1: Double; var bcubedF1: Double; var persons: Int }

        func run() throws {
            let clock = ContinuousClock()
            let start = clock.now
            var config = try sourceOptions.loadConfig()
            if printSettings {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(["settings": config.settings]), as: UTF8.self))
                return
            }
            if let t = threshold {
                config.settings.matchThreshold = t
                config.settings.reviewLower = min(config.settings.reviewLower, t)
            }
            let state = sourceOptions.linkState
            let runStore = try sourceOptions.store.map(LinkRunStore.open)
            var saved: LinkageModel? = nil
            if let model { saved = try LinkState.loadModel(model) } else if incremental { saved = try runStore?.model() ?? state?.model() }
            if var s = saved, let t = threshold { s.settings.matchThreshold = t; s.settings.reviewLower = min(s.settings.reviewLower, t); saved = s }
            if modelReport, sourceOptions.store == nil, sourceOptions.input.isEmpty, let saved { print(LinkReport.model(saved, json: json)); return }

            Terminal.progress("link: reading records…")
            let (inputs, readReports) = try sourceOptions.loadInputs(config)
            guard !inputs.isEmpty else { throw ValidationError("no person-level records to link") }

            // An explanation is read-only: it scores one pair with the saved model and writes nothing.
            if let e = explain, let (a, b) = parsePair(e) {
                Terminal.clearProgress()
                guard let model = try saved ?? runStore?.model() ?? state?.model() else {
                    throw ValidationError("--explain needs a trained model: run upstream link first (it saves one in the store, or in the --state folder), or give --model FILE")
                }
                let data = PreparedData(inputs, settings: model.settings)
                var index: [RecordKey: Int] = [:]
                for (i, k) in data.keys.enumerated() where index[k] == nil { index[k] = i }
                guard let ia = index[a] else { throw ValidationError("--explain: \(a.source):\(a.recordID) is not among the records read") }
                guard let ib = index[b] else { throw ValidationError("--explain: \(b.source):\(b.recordID) is not among the records read") }
                let explanation = Prediction(model: model, data: data).explain(Int(data.nodeOfRecord[ia]), Int(data.nodeOfRecord[ib]))
                if json { try LinkCLI.printJSON(explanation) } else { print(LinkReport.waterfall(explanation)) }
                return
            }
            // Refuse to score against a truth file that covers too few of the records.
            var truth: [RecordKey: String]? = nil
            if let evaluate {
                let t = try LinkCLI.readAssignments(evaluate)
                let covered = inputs.reduce(0) { $0 + (t[$1.key] == nil ? 0 : 1) }
                let share = Double(covered) / Double(inputs.count)
                guard share >= 0.95 else {
                    throw ValidationError("--evaluate: the truth file \(evaluate) covers \(covered) of the \(inputs.count) records linked (\(LinkCLI.fmt(share * 100, 1))%); at least 95% must be in it for the figures to mean anything. Check that it is the truth for these records (columns source,record_id,person_id, sources named as the input files).")
                }
                truth = t
            }
            let settings = saved?.settings ?? config.settings
            guard let budget = memory.map(MemoryBudget.parse) ?? Linker.defaultMemoryBudget else { throw ValidationError("--memory takes a size such as 8G, 512M or 2GiB") }
            let linker = Linker(settings: settings, parallel: LinkCLI.parallel, memoryBudget: budget)

            if estimate {
                let data = PreparedData(inputs, settings: settings)
                let blocking = Blocking(data: data, rules: settings.blockingRules, maxBlockSize: settings.maxBlockSize, parallel: LinkCLI.parallel)
                let counts = blocking.analyse(parallel: LinkCLI.parallel)
                print(LinkReport.estimate(counts, records: inputs.count, identities: data.nodeCount, json: json))
                return
            }

            var stageStart = clock.now
            var current: Linker.Stage? = nil
            var timings: [String: Double] = ["read": seconds(clock.now - start)]
            func progress(_ s: Linker.Stage) {
                if let c = current { timings[c.rawValue] = seconds(clock.now - stageStart) }
                current = s; stageStart = clock.now
                Terminal.progress("link: \(s.rawValue)…")
            }
            let decisions = try (runStore?.review() ?? state?.review())?.latestDecisions ?? []
            let result: Linker.Result
            var newCount: Int? = nil
            if incremental {
                guard let saved else { throw ValidationError("no saved model in \(sourceOptions.store ?? state!.directory); run upstream link once without --incremental") }
                let known = try runStore?.persons() ?? state!.persons()
                var existing: [(LinkInput, PersonID)] = [], fresh: [LinkInput] = []
                for i in inputs { if let p = known[i.key] { existing.append((i, p)) } else { fresh.append(i) } }
                newCount = fresh.count
                result = linker.linkIncrementally(existing: existing, new: fresh, model: saved, decisions: decisions, progress: progress)
            } else {
                let previous = try runStore?.persons() ?? state?.persons() ?? [:]
                result = linker.link(inputs, model: saved, previous: previous, decisions: decisions, reestimate: reestimate, progress: progress)
            }
            if let c = current { timings[c.rawValue] = seconds(clock.now - stageStart) }
            Terminal.clearProgress()

            if let runStore {
                Terminal.progress("link: saving the run…")
                struct Detail: Encodable { var threshold: Double; var candidatePairs: Int; var scoredPairs: Int; var reviewPending: Int; var newRecords: Int? }
                let now = Int64(Date().timeIntervalSince1970)
                let saved = try runStore.save(result, by: CLIGovernance.loginName, at: now, detail: Detail(
                    threshold: result.model.settings.matchThreshold, candidatePairs: result.candidatePairs,
                    scoredPairs: result.pairs.count, reviewPending: result.review.count, newRecords: newCount))
                try AuditLog.forStore(runStore.location).append(
                    user: CLIGovernance.loginName, action: "link", person: "\(saved.persons) persons",
                    reason: "linkage run \(saved.id)", at: now, count: saved.records, detail: "records linked into persons")
                Terminal.clearProgress()
            } else if let state {
                try state.save(model: result.model)
                try state.save(keys: result.data.keys, persons: result.personIDs, probabilities: LinkCLI.withinPersonProbabilities(result))
                var review = try state.review()
                review.pending = result.review
                try state.save(review: review)
            }
            if let saveModel { try JSONFiles.write(result.model, to: saveModel) }
            if let exportClusters { try LinkCLI.writeAssignments(exportClusters, keys: result.data.keys, persons: result.personIDs) }

            var evaluation: Evaluation? = nil
            var sweep: [SweepRow]? = nil
            if let truth {
                let agencyOf = agencyLookup(result)
                var predicted: [RecordKey: String] = [:]
                for (i, k) in result.data.keys.enumerated() { predicted[k] = result.personIDs[i].rawValue }
                evaluation = Evaluation.evaluate(predicted: predicted, truth: truth, agencyOf: agencyOf)
                var rows: [SweepRow] = []
                for t in [0.5, 0.8, 0.9, 0.95, 0.99, 0.999] {
                    let ids = Linker.labels(for: result, threshold: t)
                    var p: [RecordKey: String] = [:]
                    for (i, k) in result.data.keys.enumerated() { p[k] = ids[i].rawValue }
                    let e = Evaluation.evaluate(predicted: p, truth: truth, agencyOf: agencyOf)
                    rows.append(SweepRow(threshold: t, precision: e.pairwise.precision, recall: e.pairwise.recall, f1: e.pairwise.f1, bcubedF1: e.bcubedF1, persons: Set(ids).count))
                }
                sweep = rows
            }
            let out = Output(
                records: result.data.recordCountTotal, identities: result.data.nodeCount, candidatePairs: result.candidatePairs,
                scoredPairs: result.pairs.count, persons: Set(result.personIDs).count, reviewPending: result.review.count,
                newRecords: newCount, threshold: result.model.settings.matchThreshold,
                timings: Timings(stages: timings, total: seconds(clock.now - start)), evaluation: evaluation, sweep: sweep,
                inputs: readReports.isEmpty ? nil : readReports, truncatedValues: result.data.truncatedValues)

            if json {
                struct Full: Codable { var link: Output; var model: LinkageModel? }
                try LinkCLI.printJSON(Full(link: out, model: modelReport ? result.model : nil))
            } else {
                print(LinkReport.summary(out))
                if modelReport { print(LinkReport.model(result.model, json: false)) }
            }
        }

        func agencyLookup(_ result: Linker.Result) -> (RecordKey) -> String {
            var bySource: [String: String] = [:]
            for (i, k) in result.data.keys.enumerated() where bySource[k.source] == nil {
                bySource[k.source] = result.data.agencies[Int(result.data.agencyOfRecord[i])]
            }
            return { bySource[$0.source] ?? $0.source }
        }

        func seconds(_ d: Duration) -> Double {
            let c = d.components
            return Double(c.seconds) + Double(c.attoseconds) / 1e18
        }
    }
}

/// Text and JSON renderings of linkage figures.
enum LinkReport {
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

    static func estimate(_ counts: [Blocking.RuleCount], records: Int, identities: Int, json: Bool) -> String {
        if json {
            struct E: Codable { var records: Int; var identities: Int; var rules: [Blocking.RuleCount]; var totalComparisons: Int }
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: (try? enc.encode(E(records: records, identities: identities, rules: counts, totalComparisons: counts.reduce(0) { $0 + $1.newPairs }))) ?? Data(), as: UTF8.self)
        }
        var s = "records \(records), distinct identities \(identities)\n"
        s += pad("rule", 40) + lpad("pairs", 14) + lpad("new pairs", 14) + lpad("blocks", 10) + lpad("largest", 9) + lpad("skipped", 9) + "\n"
        for c in counts {
            s += pad(c.rule, 40) + lpad(String(c.pairs), 14) + lpad(String(c.newPairs), 14) + lpad(String(c.blocks), 10) + lpad(String(c.largestBlock), 9) + lpad(String(c.skippedBlocks), 9) + "\n"
        }
        s += "total comparisons (union, each pair once): \(counts.reduce(0) { $0 + $1.newPairs })"
        return s
    }

    static func model(_ m: LinkageModel, json: Bool) -> String {
        if json {
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: (try? enc.encode(m)) ?? Data(), as: UTF8.self)
        }
        var s = "Fellegi-Sunter model (format \(m.format))\n"
        s += "prior: lambda = \(String(format: "%.3g", m.lambda)) (prior weight \(LinkCLI.fmt(m.priorWeight, 2)) bits); trained on \(m.summary.records) records, \(m.summary.identities) distinct identities, \(m.summary.candidatePairs) candidate pairs, \(m.summary.uSamplePairs) random pairs for u\n"
        for sess in m.summary.sessions {
            s += "  EM session on \(sess.rule): \(sess.pairs) pairs, \(sess.iterations) iterations\(sess.converged ? "" : " (not converged)"), match share \(LinkCLI.fmt(sess.matchShare, 3)); trained \(sess.trained.joined(separator: ", "))\n"
        }
        if m.summary.reviewedPairs > 0 { s += "  m re-estimated with \(m.summary.reviewedPairs) accepted review decisions\n" }
        for c in m.comparisons {
            let tf = m.settings.comparisons.first { $0.name == c.name }?.termFrequencyAdjusted ?? false
            s += "\n" + c.name + (tf ? "  (exact level term-frequency adjusted)" : "") + "\n"
            s += "  " + pad("level", 48) + lpad("m", 10) + lpad("u", 12) + lpad("weight", 9) + "\n"
            for l in c.levels {
                s += "  " + pad(l.label, 48) + lpad(String(format: "%.4g", l.m), 10) + lpad(String(format: "%.4g", l.u), 12) + lpad(LinkCLI.fmt(l.weight, 2), 9) + "\n"
            }
            s += "  " + pad("null (missing on either side)", 48) + lpad("", 10) + lpad("", 12) + lpad("0.00", 9) + "\n"
        }
        return s
    }

    static func waterfall(_ e: Prediction.Explanation) -> String {
        var s = "\nwaterfall (bits; + for, - against):\n"
        s += "  " + pad("prior", 12) + pad("", 46) + lpad(LinkCLI.fmt(e.priorWeight, 2), 8) + lpad(LinkCLI.fmt(e.priorWeight, 2), 9) + "\n"
        for st in e.steps {
            let vals = "\(st.left ?? "—") | \(st.right ?? "—")"
            let w = st.weight + st.tfAdjustment
            s += "  " + pad(st.comparison, 12) + pad(st.level + "  [" + vals + "]", 46) + lpad(LinkCLI.fmt(w, 2), 8) + lpad(LinkCLI.fmt(st.cumulative, 2), 9)
            s += st.tfAdjustment != 0 ? "  (tf \(LinkCLI.fmt(st.tfAdjustment, 2)))\n" : "\n"
        }
        s += "  total weight \(LinkCLI.fmt(e.weight, 2)) bits, match probability \(String(format: "%.6f", e.probability))"
        return s
    }

    static func summary(_ o: Upstream.Link.Output) -> String {
        var s = "linked \(o.records) records (\(o.identities) distinct identities) into \(o.persons) persons; \(o.candidatePairs) pairs compared, \(o.scoredPairs) kept; \(o.reviewPending) pairs for review; threshold \(o.threshold)"
        if let n = o.newRecords { s += "; \(n) new records linked incrementally" }
        if o.truncatedValues > 0 { s += "\ndata quality: \(o.truncatedValues) values longer than max_field_length were cut before comparison" }
        for r in o.inputs ?? [] where r.quarantinedTotal > 0 || r.unreadableDates > 0 {
            s += "\ninput \(r.file): \(r.rowsRead) rows read, \(r.loaded) linked, \(r.quarantinedTotal) quarantined"
            if r.unreadableDates > 0 { s += ", \(r.unreadableDates) with an unreadable date of birth (linked without it)" }
        }
        s += "\ntime " + LinkCLI.fmt(o.timings.total, 2) + " s (" + o.timings.stages.sorted { $0.key < $1.key }.map { "\($0.key) \(LinkCLI.fmt($0.value, 2))" }.joined(separator: ", ") + ")"
        if let e = o.evaluation {
            s += "\n\nevaluation on \(e.records) records (\(e.truePersons) true persons, \(e.predictedPersons) predicted)"
            s += "\n  pairwise precision \(LinkCLI.fmt(e.pairwise.precision)) recall \(LinkCLI.fmt(e.pairwise.recall)) F1 \(LinkCLI.fmt(e.pairwise.f1))  (true pairs \(e.pairwise.truePairs), predicted \(e.pairwise.predictedPairs), correct \(e.pairwise.correctPairs))"
            s += "\n  B-cubed precision \(LinkCLI.fmt(e.bcubedPrecision)) recall \(LinkCLI.fmt(e.bcubedRecall)) F1 \(LinkCLI.fmt(e.bcubedF1)); persons reconstructed exactly \(LinkCLI.fmt(e.exactPersons))"
            s += "\n\n  " + pad("agency pair", 40) + lpad("true pairs", 12) + lpad("precision", 11) + lpad("recall", 9) + lpad("F1", 9)
            for a in e.agencyPairs {
                s += "\n  " + pad(a.left + " – " + a.right, 40) + lpad(String(a.pairwise.truePairs), 12) + lpad(LinkCLI.fmt(a.pairwise.precision), 11) + lpad(LinkCLI.fmt(a.pairwise.recall), 9) + lpad(LinkCLI.fmt(a.pairwise.f1), 9)
            }
        }
        if let sw = o.sweep {
            s += "\n\n  threshold sweep\n  " + pad("threshold", 11) + lpad("precision", 11) + lpad("recall", 9) + lpad("F1", 9) + lpad("B3 F1", 9) + lpad("persons", 9)
            for r in sw {
                s += "\n  " + pad(String(r.threshold), 11) + lpad(LinkCLI.fmt(r.precision), 11) + lpad(LinkCLI.fmt(r.recall), 9) + lpad(LinkCLI.fmt(r.f1), 9) + lpad(LinkCLI.fmt(r.bcubedF1), 9) + lpad(String(r.persons), 9)
            }
        }
        return s
    }
}
