import ArgumentParser
import Foundation
import UpstreamLinkage
import UpstreamModel
import UpstreamWorkspace

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
            transaction; docs/stores.md); with --store and --input the files' records are linked and the run is kept \
            in that store (created if missing). --incremental links records without a person id against the \
            existing persons using the saved model.
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
            if let memory { _ = try MemoryOption.bytes(memory) }
            if sourceOptions.state != nil { throw ValidationError(LinkSourceOptions.stateRetired) }
            if !(modelReport && model != nil && sourceOptions.store.store == nil && sourceOptions.input.isEmpty) && !printSettings { try sourceOptions.check() }
            if let t = threshold, !(0...1).contains(t) { throw ValidationError("--threshold is a probability between 0 and 1") }
            if incremental && sourceOptions.store.store == nil { throw ValidationError("--incremental needs the persons of an earlier run: --store STORE (with --input for CSV files)") }
            if let e = explain, LinkRequest.parsePair(e) == nil { throw ValidationError("--explain takes SOURCE:RECORD_ID,SOURCE:RECORD_ID") }
        }

        func run() throws {
            var request = try sourceOptions.request()
            if printSettings { print(try JSONFiles.text(["settings": request.config.settings])); return }
            (request.model, request.saveModel, request.incremental, request.reestimate) = (model, saveModel, incremental, reestimate)
            (request.threshold, request.exportClusters, request.evaluate, request.estimate) = (threshold, exportClusters, evaluate, estimate)
            (request.explain, request.modelReport) = (explain.flatMap(LinkRequest.parsePair), modelReport)
            if let memory { request.memory = try MemoryOption.bytes(memory) }
            request.endsProcess = true
            switch try LinkUseCase(request: request, workspace: sourceOptions.store.workspace()).run() {
            case .model(let saved): print(LinkReport.model(saved, json: json))
            case .explanation(let e): if json { try LinkCLI.printJSON(e) } else { print(LinkReport.waterfall(e)) }
            case .estimate(let counts, let records, let identities): print(LinkReport.estimate(counts, records: records, identities: identities, json: json))
            case .linked(let out, let trained):
                if json {
                    struct Full: Encodable { var link: LinkSummary; var model: LinkageModel? }
                    try LinkCLI.printJSON(Full(link: out, model: modelReport ? trained : nil))
                } else {
                    print(LinkReport.summary(out))
                    if modelReport { print(LinkReport.model(trained, json: false)) }
                }
            }
        }
    }
}

/// Where the records to link come from: a store, or CSV files read through a config.
struct LinkSourceOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @Option(help: "The linkage config (JSON): settings and how to read each CSV. See docs/linkage.md.") var config: String?
    @Option(parsing: .upToNextOption, help: "Person-level CSV files to link (with --config); the source is the file name without extension.")
    var input: [String] = []
    @Option(help: .hidden) var state: String?

    func check() throws {
        if state != nil { throw ValidationError(Self.stateRetired) }
        if store.store == nil && input.isEmpty { throw ValidationError("give --store PATH or --config CONFIG --input FILE…") }
        if !input.isEmpty && config == nil { throw ValidationError("--input needs --config CONFIG to know each file's columns") }
    }

    /// What `--state` (retired) says: the run of a CSV linkage is kept in a store.
    static let stateRetired = "--state is retired: give --store STORE instead (with --input for CSV files); the store keeps the run, its model, each record's person and the review queue (docs/linkage.md)"


    /// The request with its sources and config (the UK preset without --config).
    func request() throws -> LinkRequest {
        var r = LinkRequest()
        (r.store, r.inputs) = (store.store, input)
        r.config = try config.map(LinkConfig.load) ?? LinkConfig()
        return r
    }
}
