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
    /// then by index (so of two equal keys the first comes first). The same order for any parallelism.
    ///
    /// Records come source by source, so the keys are taken one source at a time (sources in byte order), each
    /// sorted as a flat array of its ids' first sixteen bytes (big-endian, zero-padded) and its index: most
    /// comparisons read two adjacent entries, not two keys at random places in an array of 27 million (a random read
    /// each, which was most of a comparison: session 22's profile of a 3,000,000-person save). Ids equal in their
    /// first sixteen bytes are compared whole. A source of `halvesFrom` records or more is sorted in two halves at once
    /// on `parallel`, then merged. Memory: the order (4 bytes a record) and 24 bytes a record of the largest source
    /// while it is sorted.
    static func keyOrder(_ keys: [RecordKey], parallel: Parallelism, halvesFrom: Int = 65_536) -> [Int32] {
        struct Entry { var p0: UInt64; var p1: UInt64; var index: Int32 }
        @Sendable func less(_ a: Entry, _ b: Entry) -> Bool {
            if a.p0 != b.p0 { return a.p0 < b.p0 }
            if a.p1 != b.p1 { return a.p1 < b.p1 }
            let r = ByteOrder.compare(keys[Int(a.index)].recordID, keys[Int(b.index)].recordID)
            return r != 0 ? r < 0 : a.index < b.index
        }
        func entry(_ i: Int) -> Entry {
            var id = keys[i].recordID
            return id.withUTF8 { b in
                var p0: UInt64 = 0, p1: UInt64 = 0
                for k in 0..<min(8, b.count) { p0 |= UInt64(b[k]) << (56 - 8 * UInt64(k)) }
                if b.count > 8 { for k in 8..<min(16, b.count) { p1 |= UInt64(b[k]) << (56 - 8 * UInt64(k - 8)) } }
                return Entry(p0: p0, p1: p1, index: Int32(i))
            }
        }
        // Each source's runs of consecutive records (usually one run a source).
        var runs: [String: [Range<Int>]] = [:]
        var start = 0
        while start < keys.count {
            let source = keys[start].source
            var end = start + 1
            while end < keys.count && keys[end].source == source { end += 1 }
            runs[source, default: []].append(start..<end)
            start = end
        }
        var out: [Int32] = []
        out.reserveCapacity(keys.count)
        for (_, ranges) in runs.sorted(by: { ByteOrder.compare($0.key, $1.key) < 0 }) {
            var entries: [Entry] = []
            entries.reserveCapacity(ranges.reduce(0) { $0 + $1.count })
            for r in ranges { for i in r { entries.append(entry(i)) } }
            let mid = entries.count / 2
            if entries.count < max(2, halvesFrom) || parallel.workers < 2 {
                entries.sort(by: less)
                for e in entries { out.append(e.index) }
                continue
            }
            entries.withUnsafeMutableBufferPointer { e in
                let halves = [0..<mid, mid..<e.count]
                parallel.forEach(2) { h in
                    var part = UnsafeMutableBufferPointer(rebasing: e[halves[h]])
                    part.sort(by: less)
                }
                var i = 0, j = mid
                while i < mid && j < e.count {
                    if less(e[j], e[i]) { out.append(e[j].index); j += 1 } else { out.append(e[i].index); i += 1 }
                }
                while i < mid { out.append(e[i].index); i += 1 }
                while j < e.count { out.append(e[j].index); j += 1 }
            }
        }
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
    /// `order` is `keyOrder(keys)` when the caller has it already (a full link keeps it for its save).
    public func earlierPersons(for keys: [RecordKey], order given: [Int32]? = nil, parallel: Parallelism = .serial) throws -> EarlierPersons {
        let order = given ?? Self.keyOrder(keys, parallel: parallel)
        precondition(order.count == keys.count, "a key order of other keys")
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
    /// `parallel`'s workers, a repeated key's first record kept; `keyOrder` is that order when the caller has it already
    /// (the relink's earlier persons were merged in it: sorting 26.5 million keys again was about 60 CPU-s of session 22's
    /// 3,000,000-person save, by its profile).
    public func save(_ result: Linker.Result, by user: String, at: Int64, detail: some Encodable, keyOrder given: [Int32]? = nil,
                     parallel: Parallelism = .serial) throws -> LinkageRunInfo {
        let probabilities = LinkFiles.withinPersonProbabilities(result)
        let keys = result.data.keys, persons = result.personIDs
        // The records in the store's key order, each once (4 bytes a record); each assignment is made as the store
        // reads it, so the save never holds them all (56 bytes a record: 1.5 GB at 27 million records).
        precondition(given == nil || given!.count == keys.count, "a key order of other keys")
        var order = given ?? Self.keyOrder(keys, parallel: parallel)
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
