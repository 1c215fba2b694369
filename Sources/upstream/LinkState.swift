import ArgumentParser
import Foundation
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite

/// Where a linkage run keeps what must outlive it: the trained model, each record's person id, and the
/// clerical review queue with its decisions. A folder of three files, by default beside the store
/// (`upstream.db.linkage/`), so the ingest engineer's schema stays untouched.
struct LinkState {
    var directory: String
    var modelPath: String { directory + "/model.json" }
    var personsPath: String { directory + "/persons.csv" }
    var reviewPath: String { directory + "/review.json" }

    static func forStore(_ store: String) -> LinkState { LinkState(directory: store + ".linkage") }

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
    @Option(help: "Folder for the model, person ids and review queue (default: STORE.linkage beside a store; none for CSVs).")
    var state: String?

    func check() throws {
        if store == nil && input.isEmpty { throw ValidationError("give --store PATH or --config CONFIG --input FILE…") }
        if store != nil && !input.isEmpty { throw ValidationError("give either --store or --input, not both") }
        if !input.isEmpty && config == nil { throw ValidationError("--input needs --config CONFIG to know each file's columns") }
    }

    var linkState: LinkState? {
        if let state { return LinkState(directory: state) }
        if let store { return StoreFactory.isServer(store) ? nil : LinkState.forStore(store) }  // a server: --state DIR
        return nil
    }

    func loadConfig() throws -> LinkConfig { try config.map(LinkConfig.load) ?? LinkConfig() }

    /// Reads every record to link, and the agency of each source.
    func loadInputs(_ config: LinkConfig) throws -> [LinkInput] {
        if let store {
            guard StoreFactory.isServer(store) || FileManager.default.fileExists(atPath: store) else { throw ValidationError("no store at \(store); load one with upstream ingest") }
            let s: any RecordStore
            do { s = try StoreFactory.open(store) } catch { throw ValidationError("cannot open the store: \(error)") }
            var out: [LinkInput] = []
            try s.forEachRecord(source: nil, personLevelOnly: true) { out.append(LinkInput($0.record)) }
            return out
        }
        var out: [LinkInput] = []
        for path in input { out.append(contentsOf: try LinkCLI.readCSV(path: path, config: config)) }
        return out
    }
}
