import Foundation
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite

/// Where a linkage of CSV files (`--config --input`, no store) keeps what must outlive it: the trained model, each
/// record's person id, and the clerical review queue, in the folder given with `--state`. A store keeps the same
/// in its own tables instead (``LinkRunStore``).
public struct LinkState {
    public var directory: String

    public init(directory: String) { self.directory = directory }
    public var modelPath: String { directory + "/model.json" }
    public var personsPath: String { directory + "/persons.csv" }
    public var reviewPath: String { directory + "/review.json" }

    public func ensure() throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw WorkspaceError.usage("cannot create the linkage state folder \(directory): \(error)")
        }
    }

    public func model() throws -> LinkageModel? {
        guard FileManager.default.fileExists(atPath: modelPath) else { return nil }
        return try LinkState.loadModel(modelPath)
    }

    public static func loadModel(_ path: String) throws -> LinkageModel {
        let m = try JSONFiles.read(LinkageModel.self, from: path)
        do { try m.validate() } catch { throw WorkspaceError.usage("\(path): \(error)") }
        return m
    }

    public func persons() throws -> [RecordKey: PersonID] {
        guard FileManager.default.fileExists(atPath: personsPath) else { return [:] }
        return try LinkFiles.readAssignments(personsPath).mapValues { PersonID($0) }
    }

    public func review() throws -> ReviewState {
        guard FileManager.default.fileExists(atPath: reviewPath) else { return ReviewState() }
        return try JSONFiles.read(ReviewState.self, from: reviewPath)
    }

    public func save(review: ReviewState) throws { try ensure(); try JSONFiles.write(review, to: reviewPath) }
    public func save(model: LinkageModel) throws { try ensure(); try JSONFiles.write(model, to: modelPath) }
    public func save(keys: [RecordKey], persons: [PersonID], probabilities: [Double?]? = nil) throws {
        try ensure()
        try LinkFiles.writeAssignments(personsPath, keys: keys, persons: persons, probabilities: probabilities)
    }
}
