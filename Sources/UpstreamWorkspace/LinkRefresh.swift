import Foundation
import UpstreamGovernance
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The block index kept beside a SQLite store (`STORE.link-index/`): a manifest naming the linkage run it belongs to,
/// and its segments (the run that built it, then one per refresh, holding that refresh's new identities).
///
/// The store commits first and the index follows (each file written to a temporary name and renamed), so a crash
/// between the two leaves a manifest naming an older run: the next refresh sees it is stale, says so, and rebuilds it
/// from the store.
public struct LinkBlockIndex {
    /// What the index covers.
    struct Manifest: Codable {
        var version = 1
        /// The linkage run the index is current with.
        var run: Int64
        /// The settings it was built for (blocking rules, block sizes) and the records rejected in review.
        var fingerprint: String
        /// Every person-level record with an id up to this one is in the index, and no later one.
        var maxRecordID: Int64
        /// How many person-level records that is (a delivery replaced since changes it, and the index is rebuilt).
        var records: Int
        var segments: [String]
        /// The store's count of deleted records (``SQLiteStore/recordDeletions()``) when the index was last current with
        /// it; nil in an index written before the store kept the count. While the store's count is the same, nothing
        /// the index holds was deleted and `records` need not be counted again.
        var deletions: Int64?
        /// Persons merged away by refreshes, to the person they became.
        var renames: [String: String] = [:]
        /// Whether the entries name one record of each identity (``BlockIndexSegment/Entry/record``), which the
        /// refresh's first step reads; nil in an index written before they were kept (the refresh rebuilds it).
        var representatives: Bool?
    }

    let directory: String
    var manifest: Manifest
    var view: BlockIndexView

    static func directory(for store: String) -> String { store + ".link-index" }

    static func fingerprint(_ s: LinkageSettings, decisions: [ReviewDecision]) -> String {
        let rejected = Linker.rejectedKeys(decisions).map { "\($0.source):\($0.recordID)" }.sorted()
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in rejected.joined(separator: "\n").utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let rules = s.blockingRules.map(\.description).joined(separator: "; ")
        return "\(rules) / split \(s.splitBlockSize) / max \(s.maxBlockSize) / \(s.comparisons.map(\.name).joined(separator: ",")) / rejected \(String(h, radix: 16))"
    }

    /// The index of `store`, or why it cannot be used.
    static func load(store: String, run: Int64, fingerprint: String) -> (LinkBlockIndex?, String) {
        let dir = directory(for: store)
        guard let data = FileManager.default.contents(atPath: dir + "/manifest.json") else { return (nil, "there is no block index (\(dir))") }
        guard let m = try? JSONDecoder().decode(Manifest.self, from: data), m.version == 1 else { return (nil, "the block index \(dir) cannot be read") }
        guard m.run == run else { return (nil, "the block index belongs to linkage run \(m.run), not the store's latest run \(run)") }
        guard m.fingerprint == fingerprint else { return (nil, "the block index was built for other settings or review decisions") }
        guard m.representatives == true else { return (nil, "the block index does not name a record of each identity (it was written by an earlier version)") }
        var segments: [BlockIndexSegment] = []
        for name in m.segments {
            guard let s = mapSegment(dir + "/" + name), s.isValid else { return (nil, "the block index segment \(dir)/\(name) is missing or damaged") }
            segments.append(s)
        }
        var renames: [PersonID: PersonID] = [:]
        for (a, b) in m.renames { renames[PersonID(a)] = PersonID(b) }
        return (LinkBlockIndex(directory: dir, manifest: m, view: BlockIndexView(segments: segments, renames: renames)), "")
    }

    /// Maps a segment file read-only (only the pages a refresh touches are read).
    static func mapSegment(_ path: String) -> BlockIndexSegment? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        let size = Int(st.st_size)
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
        return BlockIndexSegment(pointer: UnsafeRawPointer(p), count: size, owner: Mapping(p, size))
    }

    final class Mapping: ResidentPages {
        let pointer: UnsafeMutableRawPointer, size: Int
        init(_ p: UnsafeMutableRawPointer, _ size: Int) { pointer = p; self.size = size }
        deinit { munmap(pointer, size) }
        /// The mapping is read-only and private, so its pages are the file's: dropping them loses nothing.
        func releaseResidentPages() { _ = madvise(pointer, size, MADV_DONTNEED) }
    }

    static func writeManifest(_ m: Manifest, dir: String) throws {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        try SecureFile.write(path: dir + "/manifest.json", data: try e.encode(m), mode: 0o600)
    }

    /// Replaces the index with one segment built from a whole run's data (every node with its person).
    /// The segment is written straight to its file by `segment` (``SegmentFile``), never held whole in memory.
    /// - Parameter representatives: whether the segment's entries name a record of each identity.
    static func writeFull(store: String, run: Int64, fingerprint: String, maxRecordID: Int64, records: Int, deletions: Int64,
                          representatives: Bool, segment: (inout SegmentFile) throws -> Void) throws {
        let dir = directory(for: store)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let name = "run-\(run).seg"
        try SegmentFile.write(path: dir + "/" + name, segment)
        let old = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        try writeManifest(Manifest(run: run, fingerprint: fingerprint, maxRecordID: maxRecordID, records: records, segments: [name],
                                   deletions: deletions, representatives: representatives), dir: dir)
        for f in old where f.hasSuffix(".seg") && f != name { try? FileManager.default.removeItem(atPath: dir + "/" + f) }
        removeAbandonedTemporaries(dir)
    }

    /// Removes the temporary files (`NAME.tmp-PID-N`) that a process killed while writing a segment or the manifest
    /// left behind: they are never read, and at 3,000,000 people a segment's is 3.6 GB. Only those of processes that
    /// no longer run: another process may be writing its own.
    static func removeAbandonedTemporaries(_ dir: String) { SecureFile.removeAbandonedTemporaries(inFolder: dir) }

    /// Adds a refresh's segment and merges to the index, now current with `run`.
    func append(bytes: [UInt8], run: Int64, maxRecordID: Int64, records: Int, deletions: Int64, renames: [PersonID: PersonID]) throws {
        let name = "run-\(run).seg"
        try SecureFile.write(path: directory + "/" + name, data: bytes, mode: 0o600)
        var m = manifest
        m.run = run; m.maxRecordID = maxRecordID; m.records = records; m.deletions = deletions; m.segments.append(name)
        for (a, b) in renames { m.renames[a.rawValue] = b.rawValue }
        try Self.writeManifest(m, dir: directory)
        Self.removeAbandonedTemporaries(directory)
    }

    /// Whether every person-level record with an id up to the index's last is still the one the index holds: certainly
    /// when no record was deleted since the index was last current (`deletions`, the store's count now, is the one it
    /// recorded: no row gone and so no id reused); otherwise, or for an index that did not record the count, when the
    /// store still has as many (a count over the records table).
    static func holdsEveryRecord(_ m: Manifest, store: SQLiteStore, deletions: Int64) throws -> Bool {
        if m.deletions == deletions { return true }
        return try store.personLevelRecordCount(upTo: m.maxRecordID) == m.records
    }

    /// Each node's person: the person of its first record (a node's records are one person's).
    static func personOfNode(_ data: PreparedData, persons: [PersonID]) -> [PersonID] {
        var first = [Int32](repeating: -1, count: data.nodeCount)
        for (r, n) in data.nodeOfRecord.enumerated() where first[Int(n)] < 0 { first[Int(n)] = Int32(r) }
        return first.map { persons[Int($0)] }
    }

    /// The store's largest record id and its count of records ever deleted, as a full run reads them before its
    /// read: ids only grow and every delete is counted, so while both are the same the run's read holds every
    /// person-level record the store has.
    struct RecordsMark: Equatable {
        var maxRecordID: Int64
        var deletions: Int64
        static func of(_ store: SQLiteStore) throws -> RecordsMark {
            RecordsMark(maxRecordID: try store.maxRecordID(), deletions: try store.recordDeletions())
        }
    }

    /// About how many person-level records a store at `location` with `mark` holds, without counting them (a scan of
    /// the records table): for a read's progress. The block index's count when the index is current with the mark;
    /// its count plus every record loaded since when it is older; with no index, every record id not deleted (an
    /// upper bound: crime-level rows are among them).
    static func expectedRecords(location: String, mark: RecordsMark) -> Int {
        let all = Int(max(0, mark.maxRecordID - mark.deletions))
        guard let data = FileManager.default.contents(atPath: directory(for: location) + "/manifest.json"),
              let m = try? JSONDecoder().decode(Manifest.self, from: data), m.maxRecordID <= mark.maxRecordID else { return all }
        let deleted = m.deletions.map { Int(max(0, mark.deletions - $0)) } ?? 0
        return max(0, min(all, m.records + Int(mark.maxRecordID - m.maxRecordID) - deleted))
    }

    /// Writes the index for a full run over the store's records (called after the run is saved). It is skipped (and
    /// the next refresh rebuilds it) when records were loaded while the run was linking. With `readFrom`, the store's
    /// mark taken before the run's read, an unchanged store is known to hold just the records read; otherwise (or when
    /// it changed) the person-level records are counted (a scan of the records table: a minute at 3,000,000 people).
    /// `recordOfNode` is each node's representative record (``BlockIndex/recordOfNode(_:rowIDs:)``), when the read kept
    /// the records' ids.
    static func writeAfterFullRun(store: SQLiteStore, location: String, result: Linker.Result, run: Int64, decisions: [ReviewDecision],
                                  readFrom mark: RecordsMark? = nil, recordOfNode: [UInt32]? = nil, parallel: Parallelism = .serial) throws {
        let now = try RecordsMark.of(store)
        let deletions = now.deletions, maxID = now.maxRecordID
        if mark != now {
            guard try store.personLevelRecordCount(upTo: maxID) == result.data.recordCountTotal else { return }
        }
        let data = result.data
        let owners = personOfNode(data, persons: result.personIDs)
        let reps = recordOfNode.flatMap { $0.count == data.nodeCount ? $0 : nil }
        try writeFull(store: location, run: run, fingerprint: fingerprint(result.model.settings, decisions: decisions),
                      maxRecordID: maxID, records: data.recordCountTotal, deletions: deletions, representatives: reps != nil) {
            try BlockIndex.writeSegment(into: &$0, data: data, personOfNode: owners, recordOfNode: reps, parallel: parallel)
        }
    }
}

/// A block index segment written to its file as it is made (``SegmentByteSink``), through a 1 MiB buffer, so a whole
/// city's index is never held in memory (holding it, twice, was the full link's peak: docs/scale.md). Like
/// ``SecureFile/write(path:data:mode:)``: a temporary name created owner-only, synced, then renamed into place; a
/// failure removes the temporary file and leaves any earlier segment as it was.
struct SegmentFile: SegmentByteSink {
    let path: String
    let temporary: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var count = 0

    /// Writes the segment `body` makes to `path`, or nothing.
    static func write(path: String, _ body: (inout SegmentFile) throws -> Void) throws {
        var file = try SegmentFile(path: path)
        do {
            try body(&file)
            try file.flush()
            guard fsync(file.fd) == 0 else { throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno))) }
        } catch { file.abandon(); throw error }
        close(file.fd)
        guard rename(file.temporary, path) == 0 else {
            let e = errno
            unlink(file.temporary)
            throw GovernanceError.fileNotWritten(path, String(cString: strerror(e)))
        }
    }

    private init(path: String) throws {
        self.path = path
        temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno))) }
        guard fchmod(fd, 0o600) == 0 else { let e = errno; abandon(); throw GovernanceError.fileNotWritten(path, String(cString: strerror(e))) }
        buffer.reserveCapacity(1 << 20)
    }

    mutating func reserve(_ bytes: Int) {}

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        count += bytes.count
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func overwriteStart(_ bytes: UnsafeRawBufferPointer) throws {
        try flush()
        try write(bytes, at: 0)
    }

    private mutating func flush() throws {
        try buffer.withUnsafeBytes { try write($0, at: off_t(count - buffer.count)) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: off_t) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, offset + off_t(done))
            guard n > 0 else { throw GovernanceError.fileNotWritten(path, String(cString: strerror(errno))) }
            done += n
        }
    }

    private func abandon() { close(fd); unlink(temporary) }
}

/// The monthly refresh through the block index: reads the month's records and the persons they can meet, links them
/// as a run over the whole store would, and saves only what changed (docs/scale.md, "Monthly refresh").
struct LinkRefresh {
    /// What the refresh did.
    struct Outcome {
        var result: Linker.Result
        var newRecords: Int
        var existingRead: Int
        var personsRead: Int
        /// Of the persons read, those with a scored pair at or above the review band's lower bound: the only ones the
        /// month's records could join, merge or be queued for review against (the rest were read for nothing).
        var personsPaired: Int
        /// The persons the month's records can meet (what a refresh reading persons whole reads).
        var candidatePersons: Int
        /// The candidate identities whose one record was read and scored in the first step (nil: no first step).
        var identitiesScreened: Int?
        /// The pairs compared and kept with the month's records (the first step's when it ran: the second compares
        /// only the pairs of the persons it reads).
        var candidatePairs: Int
        var scoredPairs: Int
        var runID: Int64
        var records: Int
        var persons: Int
        var indexBuilt: Bool
    }

    /// What the first step found: the persons paired, the pairs compared and kept, and the identities read.
    struct Screened {
        var paired: Set<PersonID>
        var compared: Int
        var kept: Int
        var identities: Int
    }

    /// Thrown when the refresh cannot reproduce the whole-store run (the caller falls back to it, saying why).
    struct Fallback: Error { var reason: String }

    let store: SQLiteStore
    let location: String
    let model: LinkageModel
    let decisions: [ReviewDecision]
    let linker: Linker
    let messages: Messages

    /// - Parameter report: a read's progress: the current stage's name, the records read so far and how many it reads.
    func run(user: String, at: Int64, progress: (Linker.Stage) -> Void, stage: (String) -> Void,
             report: (_ stage: String, _ done: Int, _ total: Int) -> Void = { _, _, _ in }) throws -> Outcome {
        let s = model.settings
        guard IncrementalLink.supports(s) else { throw Fallback(reason: "a blocking rule has more than two split keys") }
        guard let current = try store.currentLinkageRun() else { throw Fallback(reason: "the store has no linkage run") }
        let fp = LinkBlockIndex.fingerprint(s, decisions: decisions)
        // Read before anything else, so that a deletion made while this refresh runs is seen by the next one.
        let deletions = try store.recordDeletions()
        var (index, why) = LinkBlockIndex.load(store: location, run: current.id, fingerprint: fp)
        if let i = index, !(try LinkBlockIndex.holdsEveryRecord(i.manifest, store: store, deletions: deletions)) {
            index = nil; why = "records were replaced or removed since the block index was written"
        }
        var built = false
        if index == nil {
            messages.note("link --incremental: \(why); reading the whole store once to build it (later refreshes read only their month)\n")
            stage("index")
            index = try build(run: current.id, fingerprint: fp, deletions: deletions)
            built = true
        }
        guard var index else { throw Fallback(reason: "the block index could not be built") }
        index.view.releasePagesAbove = linker.memoryBudget / 4
        stage("read")
        var new: [LinkInput] = [], newIDs: [UInt32] = [], maxNew = index.manifest.maxRecordID
        try store.forEachPersonLevelRecord(after: index.manifest.maxRecordID) { id, r in
            new.append(LinkInput(r)); newIDs.append(BlockIndex.representative(id)); maxNew = max(maxNew, id)
        }
        let found = IncrementalLink.candidates(new: new, model: model, decisions: decisions, index: index.view, parallel: linker.parallel)
        var decided = Set<PersonID>()
        for d in decisions { for k in [d.left, d.right] { if let p = try store.person(of: k) { decided.insert(p) } } }
        let candidatePersons = found.persons.union(decided)
        // The first step: one record of each candidate identity scored with the month's; only the persons with a pair
        // in the review band or above are then read whole (with those a new record is identical to and those named in
        // review decisions). An index without representatives reads every candidate person whole, as before.
        var screen: Screened? = nil
        if index.manifest.representatives == true, found.representativesComplete {
            stage("screen")
            screen = try self.screen(found.representatives, new: new, index: index.view, report: report)
        }
        let persons = screen.map { $0.paired.union(found.identical).union(decided) } ?? candidatePersons
        stage("read persons")
        // The persons' records (their linkage columns), in id order, standardised batch by batch as they are read
        // (never all held), then the month's.
        let candidates = persons.sorted()
        let located = try store.recordIDs(of: candidates)
        let read = try standardise(ids: located.map(\.id), personOf: located.map { candidates[Int($0.person)] }, new: new,
                                   stage: "read persons",
                                   report: report)
        let owners = read.persons
        let rowIDs = read.ids + newIDs
        let existingRead = owners.count, newCount = new.count
        new = []
        let (result, newOnly) = IncrementalLink.link(prepared: read.data, persons: owners, model: model, decisions: decisions,
                                                     index: index.view, linker: linker, progress: progress)
        // What changed: the new records, and the records of persons merged into another (the first `owners.count`
        // records of the result are the existing ones, in the order read).
        var counts: [PersonID: Int] = [:]
        var renames: [PersonID: PersonID] = [:]
        var changed: [PersonAssignment] = []
        let probabilities = LinkFiles.withinPersonProbabilities(result)
        for (r, key) in result.data.keys.enumerated() {
            let p = result.personIDs[r]
            counts[p, default: 0] += 1
            if r < owners.count {
                let old = owners[r]
                if old != p { renames[old] = p; changed.append(PersonAssignment(record: key, person: p, probability: probabilities[r])) }
            } else {
                changed.append(PersonAssignment(record: key, person: p, probability: probabilities[r]))
            }
        }
        // Each touched person's record count before (every record of a touched person was read).
        var before: [PersonID: Int] = [:]
        for p in owners { before[p, default: 0] += 1 }
        let previousPersons = Set(before.keys)
        let fresh = Set(counts.keys).subtracting(previousPersons)
        if !(try store.existingPersons(fresh.sorted())).isEmpty {
            throw Fallback(reason: "a new person's id is already another person's")
        }
        let removed = previousPersons.subtracting(counts.keys)
        let paired = screen?.paired.count
            ?? IncrementalLink.pairedPersons(data: result.data, pairs: result.pairs, persons: owners, atLeast: s.reviewLower).count
        let candidatePairs = screen?.compared ?? result.candidatePairs, scoredPairs = screen?.kept ?? result.pairs.count
        stage("save")
        struct Detail: Encodable {
            var threshold: Double; var candidatePairs: Int; var scoredPairs: Int; var reviewPending: Int; var newRecords: Int
            var refresh: RefreshDetail
        }
        struct RefreshDetail: Encodable {
            var existingRecordsRead: Int; var personsRead: Int; var personsPaired: Int; var candidatePersons: Int; var identitiesScreened: Int?
            var indexBuilt: Bool
        }
        let review = try result.review.enumerated().map { n, item in
            StoredReviewItem(queue: .linkagePairs, subject: item.id, pending: true, updatedAt: at,
                             stateJSON: try JSONFiles.encode(LinkagePairQueue.Pair(item: item, order: n)))
        }
        let pseudonyms = try Pseudonyms.forStore(location)
        let info = LinkageRunInfo(finishedAt: at, by: user, records: 0, persons: 0, modelJSON: try JSONFiles.encode(model),
                                  detailJSON: try JSONFiles.encode(Detail(
                                    threshold: s.matchThreshold, candidatePairs: candidatePairs, scoredPairs: scoredPairs,
                                    reviewPending: result.review.count, newRecords: newCount,
                                    refresh: RefreshDetail(existingRecordsRead: existingRead, personsRead: persons.count, personsPaired: paired,
                                                          candidatePersons: candidatePersons.count, identitiesScreened: screen?.identities,
                                                          indexBuilt: built))))
        // Only the persons made or changed are written: every record of a touched person was read, so its count before
        // is its records among `owners`; a touched person that gained and lost nothing keeps its row (at 3,000,000
        // people a month touches 550,750 persons, and rewriting them all dirtied most of the persons table's pages).
        let written = counts.filter { before[$0.key] != $0.value }.map { ($0.key, $0.value) }
        let saved = try store.saveLinkageRefresh(info, assignments: changed, persons: written, removed: removed.sorted(),
                                                 review: review) { pseudonyms.pseudonym($0.rawValue) }
        // The index follows the store: the refresh's new identities, and the persons it merged.
        let bytes = BlockIndex.segmentBytes(data: result.data, personOfNode: LinkBlockIndex.personOfNode(result.data, persons: result.personIDs),
                                            recordOfNode: BlockIndex.recordOfNode(result.data, rowIDs: rowIDs), include: newOnly)
        try index.append(bytes: bytes, run: saved.id, maxRecordID: maxNew, records: index.manifest.records + newCount, deletions: deletions,
                         renames: renames)
        return Outcome(result: result, newRecords: newCount, existingRead: existingRead, personsRead: persons.count, personsPaired: paired,
                       candidatePersons: candidatePersons.count, identitiesScreened: screen?.identities, candidatePairs: candidatePairs,
                       scoredPairs: scoredPairs, runID: saved.id,
                       records: saved.records, persons: saved.persons, indexBuilt: built)
    }

    /// Stored records read by id (ascending) on a thread of their own and standardised batch by batch as they come
    /// (never all held), then the month's records (`new`, marked new): the standardised data, and for each stored
    /// record read (an id that no longer names a person-level record is skipped) its person (`personOf[i]` for
    /// `ids[i]`) and its id as the index keeps it.
    func standardise(ids: [Int64], personOf: [PersonID], new: [LinkInput], stage: String,
                     report: (_ stage: String, _ done: Int, _ total: Int) -> Void) throws -> (data: PreparedData, persons: [PersonID], ids: [UInt32]) {
        let builder = IncrementalLink.standardiser(model: model, decisions: decisions, linker: linker, expectedRecords: ids.count + new.count)
        // Written by the reading thread; read here once the read has ended.
        final class Read: @unchecked Sendable { var persons: [PersonID] = []; var ids: [UInt32] = [] }
        let read = Read()
        read.persons.reserveCapacity(ids.count); read.ids.reserveCapacity(ids.count)
        let job = UnsafeSendable((store, ids, personOf))
        try LinkedRecords.streamBatches(read: { give in
            let (store, ids, personOf) = job.value
            try store.forEachLinkageRecord(ids: ids) { i, r in
                give(LinkInput(r))
                read.persons.append(personOf[i])
                read.ids.append(BlockIndex.representative(ids[i]))
            }
        }, { builder.add($0); report(stage, builder.recordsAdded, ids.count) })
        let size = LinkedRecords.batchSize
        for start in stride(from: 0, to: new.count, by: size) {
            let part = Array(new[start..<min(new.count, start + size)])
            builder.add(part, isNew: [Bool](repeating: true, count: part.count))
        }
        return (builder.finish(), read.persons, read.ids)
    }

    /// The first step (``IncrementalLink/screen(prepared:persons:model:decisions:index:linker:progress:)``): the
    /// representatives read by id, in id order, standardised as they come, then the month's records, and scored.
    /// Nil when a representative is no longer a person-level record (the refresh then reads every candidate whole).
    func screen(_ representatives: [(record: UInt32, person: PersonID)], new: [LinkInput], index: BlockIndexView,
                report: (_ stage: String, _ done: Int, _ total: Int) -> Void) throws -> Screened? {
        let read = try standardise(ids: representatives.map { Int64($0.record) }, personOf: representatives.map(\.person), new: new,
                                   stage: "screen", report: report)
        guard read.persons.count == representatives.count else {
            messages.note("link --incremental: \(representatives.count - read.persons.count) of the block index's representative records are gone; reading every candidate person whole\n")
            return nil
        }
        let s = IncrementalLink.screen(prepared: read.data, persons: read.persons, model: model, decisions: decisions, index: index, linker: linker)
        return Screened(paired: s.paired, compared: s.compared, kept: s.kept, identities: representatives.count)
    }

    /// Builds the index from every linked record of the store (the one whole read, standardised batch by batch as it
    /// is read, so the records are never all held), for the store's latest run.
    func build(run: Int64, fingerprint: String, deletions: Int64) throws -> LinkBlockIndex? {
        let builder = PreparedData.Builder(settings: model.settings, ownNode: Linker.rejectedKeys(decisions), parallel: linker.parallel)
        final class Read: @unchecked Sendable { var persons: [PersonID] = []; var ids: [UInt32] = []; var maxID: Int64 = 0 }
        let read = Read()
        let reader = UnsafeSendable(store)
        try LinkedRecords.streamBatches(read: { give in
            try reader.value.forEachLinkedRecord { id, r, p in
                give(LinkInput(r)); read.persons.append(p); read.ids.append(BlockIndex.representative(id)); read.maxID = max(read.maxID, id)
            }
        }, { builder.add($0) })
        let maxID = read.maxID
        guard try store.personLevelRecordCount(upTo: maxID) == builder.recordsAdded else {
            throw Fallback(reason: "some person-level records loaded before the last linked one have no person")
        }
        let data = builder.finish()
        let owners = LinkBlockIndex.personOfNode(data, persons: read.persons)
        let reps = BlockIndex.recordOfNode(data, rowIDs: read.ids)
        read.persons = []; read.ids = []
        try LinkBlockIndex.writeFull(store: location, run: run, fingerprint: fingerprint, maxRecordID: maxID, records: data.recordCountTotal,
                                     deletions: deletions, representatives: true) {
            try BlockIndex.writeSegment(into: &$0, data: data, personOfNode: owners, recordOfNode: reps, parallel: linker.parallel)
        }
        let (index, why) = LinkBlockIndex.load(store: location, run: run, fingerprint: fingerprint)
        guard let index else { throw Fallback(reason: why) }
        return index
    }
}
