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

    /// Record indices in key order: by source, then record id, each by its UTF-8 bytes (SQLite's BINARY collation),
    /// then by index (so of two equal keys the first comes first). Two halves are sorted at once on `parallel`,
    /// then merged; the order is the same for any parallelism.
    static func keyOrder(_ keys: [RecordKey], parallel: Parallelism) -> [Int32] {
        @Sendable func less(_ x: Int32, _ y: Int32) -> Bool {
            let a = keys[Int(x)], b = keys[Int(y)]
            let s = ByteOrder.compare(a.source, b.source)
            if s != 0 { return s < 0 }
            let r = ByteOrder.compare(a.recordID, b.recordID)
            return r != 0 ? r < 0 : x < y
        }
        let n = keys.count, mid = n / 2
        var halves: [[Int32]] = [Array(0..<Int32(mid)), Array(Int32(mid)..<Int32(n))]
        halves.withUnsafeMutableBufferPointer { h in
            parallel.forEach(2) { h[$0].sort(by: less) }
        }
        var out: [Int32] = []
        out.reserveCapacity(n)
        var i = 0, j = 0
        let a = halves[0], b = halves[1]
        while i < a.count && j < b.count {
            if less(b[j], a[i]) { out.append(b[j]); j += 1 } else { out.append(a[i]); i += 1 }
        }
        out.append(contentsOf: a[i...]); out.append(contentsOf: b[j...])
        return out
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

    /// Each record's current person, read in the store's cheapest order (`PersonStore.forEachRecordPerson`); the
    /// dictionary is sized up front from the latest run's record count, so it is not rehashed as it grows.
    public func persons() throws -> [RecordKey: PersonID] {
        var out: [RecordKey: PersonID] = [:]
        out.reserveCapacity(try store.currentLinkageRun()?.records ?? 0)
        try store.forEachRecordPerson { out[$0] = $1 }
        return out
    }

    /// The current person of each of `keys` (by index; nil for a record with none) and every current person id, for a
    /// relink's `Linker.link(prepared:earlier:)`: one scan of the store's assignments (`forEachRecordPerson`) merged
    /// with the keys sorted in the store's key order, so no dictionary of every record is built (16 bytes a record and
    /// 4 while sorting, against about 100). A store that does not scan in key order is looked up by binary search.
    public func earlierPersons(for keys: [RecordKey], parallel: Parallelism = .serial) throws -> EarlierPersons {
        let order = Self.keyOrder(keys, parallel: parallel)
        var ofRecord = [PersonID?](repeating: nil, count: keys.count)
        var all = Set<PersonID>(minimumCapacity: try store.currentLinkageRun()?.persons ?? 0)
        var j = 0, inOrder = true
        var last: RecordKey? = nil, lastPerson: PersonID? = nil
        try store.forEachRecordPerson { key, person in
            if person != lastPerson { all.insert(person); lastPerson = person }
            if inOrder, let l = last, RecordKey.bytesPrecede(key, l) { inOrder = false }
            last = key
            var i: Int
            if inOrder {
                while j < order.count && RecordKey.bytesPrecede(keys[Int(order[j])], key) { j += 1 }
                i = j
            } else {
                var lo = 0, hi = order.count
                while lo < hi { let mid = (lo + hi) / 2; if RecordKey.bytesPrecede(keys[Int(order[mid])], key) { lo = mid + 1 } else { hi = mid } }
                i = lo
            }
            while i < order.count && RecordKey.sameBytes(keys[Int(order[i])], key) { ofRecord[Int(order[i])] = person; i += 1 }
        }
        return all.isEmpty ? EarlierPersons(ofRecord: [], all: []) : EarlierPersons(ofRecord: ofRecord, all: all)
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
    /// The records are handed over in their keys' order (the order the SQLite store inserts them in), sorted on
    /// `parallel`'s workers, a repeated key's first record kept.
    public func save(_ result: Linker.Result, by user: String, at: Int64, detail: some Encodable, parallel: Parallelism = .serial) throws -> LinkageRunInfo {
        let probabilities = LinkFiles.withinPersonProbabilities(result)
        let keys = result.data.keys, persons = result.personIDs
        // The records in the store's key order, each once (4 bytes a record); each assignment is made as the store
        // reads it, so the save never holds them all (56 bytes a record: 1.5 GB at 27 million records).
        var order = Self.keyOrder(keys, parallel: parallel)
        var kept = 0
        for n in order.indices where kept == 0 || !RecordKey.sameBytes(keys[Int(order[kept - 1])], keys[Int(order[n])]) {
            order[kept] = order[n]; kept += 1
        }
        order.removeLast(order.count - kept)
        let assignments = order.lazy.map { i in
            PersonAssignment(record: keys[Int(i)], person: persons[Int(i)], probability: probabilities[Int(i)])
        }
        let review = try result.review.enumerated().map { n, item in
            StoredReviewItem(queue: .linkagePairs, subject: item.id, pending: true, updatedAt: at,
                             stateJSON: try JSONFiles.encode(LinkagePairQueue.Pair(item: item, order: n)))
        }
        let pseudonyms = try Pseudonyms.forStore(location)
        let run = LinkageRunInfo(finishedAt: at, by: user, records: assignments.count, persons: result.personCount,
                                 modelJSON: try JSONFiles.encode(result.model), detailJSON: try JSONFiles.encode(detail))
        return try store.saveLinkageRun(run, assignments: assignments, review: review) { pseudonyms.pseudonym($0.rawValue) }
    }
}
