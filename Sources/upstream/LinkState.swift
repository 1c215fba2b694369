import ArgumentParser
import Foundation
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite

/// Where a linkage of CSV files (`--config --input`, no store) keeps what must outlive it: the trained model, each
/// record's person id, and the clerical review queue, in the folder given with `--state`. A store keeps the same
/// in its own tables instead (``LinkRunStore``).
struct LinkState {
    var directory: String
    var modelPath: String { directory + "/model.json" }
    var personsPath: String { directory + "/persons.csv" }
    var reviewPath: String { directory + "/review.json" }

    func ensure() throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ValidationError("cannot create the linkage state folder \(directory): \(error)")
        }
    }

    func model() throws -> LinkageModel? {
        guard FileManager.default.fileExists(atPath: modelPath) else { return nil }
        return try LinkState.loadModel(modelPath)
    }

    static func loadModel(_ path: String) throws -> LinkageModel {
        let m = try JSONFiles.read(LinkageModel.self, from: path)
        do { try m.validate() } catch { throw ValidationError("\(path): \(error)") }
        return m
    }

    func persons() throws -> [RecordKey: PersonID] {
        guard FileManager.default.fileExists(atPath: personsPath) else { return [:] }
        return try LinkCLI.readAssignments(personsPath).mapValues { PersonID($0) }
    }

    func review() throws -> ReviewState {
        guard FileManager.default.fileExists(atPath: reviewPath) else { return ReviewState() }
        return try JSONFiles.read(ReviewState.self, from: reviewPath)
    }

    func save(review: ReviewState) throws { try ensure(); try JSONFiles.write(review, to: reviewPath) }
    func save(model: LinkageModel) throws { try ensure(); try JSONFiles.write(model, to: modelPath) }
    func save(keys: [RecordKey], persons: [PersonID], probabilities: [Double?]? = nil) throws {
        try ensure()
        try LinkCLI.writeAssignments(personsPath, keys: keys, persons: persons, probabilities: probabilities)
    }
}

/// Where the records to link come from: a store, or CSV files read through a config.
struct LinkSourceOptions: ParsableArguments {
    @Option(help: "Link the person-level records of this store (a SQLite file).") var store: String?
    @Option(help: "The linkage config (JSON): settings and how to read each CSV. See docs/linkage.md.") var config: String?
    @Option(parsing: .upToNextOption, help: "Person-level CSV files to link (with --config); the source is the file name without extension.")
    var input: [String] = []
    @Option(help: "With --input: folder for the model, person ids and review queue (a store keeps them in its own tables).")
    var state: String?

    func check() throws {
        if store == nil && input.isEmpty { throw ValidationError("give --store PATH or --config CONFIG --input FILE…") }
        if store != nil && !input.isEmpty { throw ValidationError("give either --store or --input, not both") }
        if !input.isEmpty && config == nil { throw ValidationError("--input needs --config CONFIG to know each file's columns") }
        if store != nil && state != nil {
            throw ValidationError("--state is only for --input files: a store keeps its persons, model and review queue in its own tables (docs/stores.md)")
        }
    }

    /// The state folder of a CSV linkage (`--state`).
    var linkState: LinkState? { state.map { LinkState(directory: $0) } }

    func loadConfig() throws -> LinkConfig { try config.map(LinkConfig.load) ?? LinkConfig() }

    /// Reads every record to link, with what reading each input file did (none for a store).
    func loadInputs(_ config: LinkConfig) throws -> ([LinkInput], [LinkCLI.ReadReport]) {
        if let store {
            guard StoreFactory.isServer(store) || FileManager.default.fileExists(atPath: store) else { throw ValidationError("no store at \(store); load one with upstream ingest") }
            let s: any RecordStore
            do { s = try StoreFactory.open(store) } catch let e as StoreError { throw e } catch { throw ValidationError("cannot open the store: \(error)") }
            var out: [LinkInput] = []
            try s.forEachRecord(source: nil, personLevelOnly: true) { out.append(LinkInput($0.record)) }
            return (out, [])
        }
        var out: [LinkInput] = [], reports: [LinkCLI.ReadReport] = []
        var sources = Set<String>()
        for path in input {
            let (rows, report) = try LinkCLI.readCSV(path: path, config: config)
            if let first = rows.first, !sources.insert(first.source).inserted {
                throw ValidationError("two inputs share the source name '\(first.source)' (\(path)); record ids are only unique within a source, so rename one file")
            }
            out.append(contentsOf: rows); reports.append(report)
        }
        if config.settings.linkType == .dedupeOnly && sources.count > 1 {
            throw ValidationError("link_type dedupe_only links one file, and \(sources.count) were given; use link_and_dedupe (duplicates within and across files) or link_only (across files only)")
        }
        if config.settings.linkType == .linkOnly && sources.count < 2 {
            throw ValidationError("link_type link_only compares records across files; give two or more --input files, or use dedupe_only")
        }
        return (out, reports)
    }
}
