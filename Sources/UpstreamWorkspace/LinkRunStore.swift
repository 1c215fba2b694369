import Foundation
import UpstreamLinkage
import UpstreamModel
import UpstreamStore

/// The linkage state a store keeps (migration v5, docs/stores.md): the latest run with its trained model, each
/// record's person, and the clerical review queue (`linkage-pairs`). A run is saved in one transaction, so a crash
/// leaves the previous run, its persons and its queue whole.
public struct LinkRunStore {
    public let store: any WorkspaceStore
    /// The `--store` value, for messages and the pseudonymisation key.
    public let location: String

    /// The linkage state of an open store (`location` names it in messages and finds its pseudonymisation key).
    public init(store: any WorkspaceStore, location: String) { self.store = store; self.location = location }

    /// Opens the store at `location` (a SQLite file, which must exist, or a `postgres://` URL).
    public static func open(_ location: String) throws -> LinkRunStore {
        LinkRunStore(store: try StoreFactory.openExisting(location), location: location)
    }

    /// Opens the store at `location`, creating and migrating it when missing (`link --store S --input F…` may start
    /// a store, as `ingest` does).
    public static func create(_ location: String) throws -> LinkRunStore {
        let store: any WorkspaceStore
        do { store = try StoreFactory.open(location) } catch let e as StoreError { throw e } catch {
            throw WorkspaceError.badInput("cannot open or create the store at \(location): \(error). Check the path (its folder must exist).")
        }
        return LinkRunStore(store: store, location: location)
    }

    /// Reads and validates a model file (`--model FILE`, written by `--save-model`).
    public static func loadModel(_ path: String) throws -> LinkageModel {
        let m = try JSONFiles.read(LinkageModel.self, from: path)
        do { try m.validate() } catch { throw WorkspaceError.usage("\(path): \(error)") }
        return m
    }

    /// The latest run's model, or nil when the store has not been linked.
    public func model() throws -> LinkageModel? {
        guard let run = try store.currentLinkageRun() else { return nil }
        let m: LinkageModel
        do { m = try JSONDecoder().decode(LinkageModel.self, from: run.modelJSON) } catch {
            throw WorkspaceError.badInput("linkage run \(run.id) in \(location) holds a model that cannot be read (\(JSONFiles.describe(error))); run upstream link --store \(location) again")
        }
        do { try m.validate() } catch { throw WorkspaceError.badInput("linkage run \(run.id) in \(location): \(error)") }
        return m
    }

    /// Each record's current person.
    public func persons() throws -> [RecordKey: PersonID] {
        var out: [RecordKey: PersonID] = [:]
        try store.forEachAssignment { out[$0.record] = $0.person }
        return out
    }

    /// The review queue: pending pairs in the order the run gave them, decisions oldest first.
    public func review() throws -> ReviewState {
        var state = ReviewState()
        var pending: [(Int, ReviewItem)] = []
        for (stored, pair) in try LinkagePairQueue(store: store).pairs() {
            if stored.pending, let item = pair.item { pending.append((pair.order ?? 0, item)) }
            if !stored.pending, let d = pair.decision { state.decisions.append(d) }
        }
        state.pending = pending.sorted { $0.0 < $1.0 }.map(\.1)
        state.decisions.sort { ($0.decidedAt, $0.pairID) < ($1.decidedAt, $1.pairID) }
        return state
    }

    /// Saves a run: its model, every record's person (pseudonymised with the store's key) and its review pairs,
    /// replacing the previous run's persons and pending pairs in one transaction.
    public func save(_ result: Linker.Result, by user: String, at: Int64, detail: some Encodable) throws -> LinkageRunInfo {
        let probabilities = LinkFiles.withinPersonProbabilities(result)
        var assignments: [PersonAssignment] = []
        assignments.reserveCapacity(result.data.keys.count)
        var seen = Set<RecordKey>()
        for (i, key) in result.data.keys.enumerated() where seen.insert(key).inserted {
            assignments.append(PersonAssignment(record: key, person: result.personIDs[i], probability: probabilities[i]))
        }
        let review = try result.review.enumerated().map { n, item in
            StoredReviewItem(queue: .linkagePairs, subject: item.id, pending: true, updatedAt: at,
                             stateJSON: try JSONFiles.encode(LinkagePairQueue.Pair(item: item, order: n)))
        }
        let pseudonyms = try Pseudonyms.forStore(location)
        let run = LinkageRunInfo(finishedAt: at, by: user, records: assignments.count, persons: Set(result.personIDs).count,
                                 modelJSON: try JSONFiles.encode(result.model), detailJSON: try JSONFiles.encode(detail))
        return try store.saveLinkageRun(run, assignments: assignments, review: review) { pseudonyms.pseudonym($0.rawValue) }
    }
}
