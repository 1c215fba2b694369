import Foundation
import UpstreamChronology
import UpstreamModel

/// A replayable stream of linked persons: each call calls `body` once per person, in the same order every time,
/// with that person's records. The store's `PersonStore.forEachPerson` is one (through a small adapter in the CLI);
/// `StreamingCohortBuilder.stream(_:)` makes one from records in memory.
public typealias PersonStream = (_ body: (_ person: String, _ records: [LinkedRecord]) throws -> Void) throws -> Void

/// One person's records by id, exactly as a `PersonStream` gives them for that person.
public typealias PersonLookup = (_ person: String) throws -> [LinkedRecord]

/// Builds the cohorts of many as-of dates at once from a stream of persons, in memory bounded by a budget: the
/// features, groups and outcome of every row are those of `CohortBuilder.cohort(asOf:)` on the same records, value
/// for value, but no chronology is built and no record is held longer than its chunk needs it.
///
/// How: a first pass keeps a few numbers per record (`SharedIndex`: who has records at each home and incident,
/// who was suspected in each crime, when each person's serious violence became known). The persons are then cut
/// into chunks whose records, with those of everyone who may share a household with them, fit the budget, and each
/// chunk's rows are computed for every date from those records in compact form (`CompactRecord`, about 80 bytes).
/// The stream is read once in all: a budget that holds the whole city makes one chunk, and the first pass keeps
/// the compact records in memory as it goes; a larger city's first pass writes them to a spill file
/// (`CompactSpill`) from which each chunk reads back only its persons and their neighbours.
public struct StreamingCohortBuilder {
    public let config: CohortConfig
    let persons: PersonStream
    let deciles: PostcodeDeciles
    /// Bytes the builder may use for the compact records of one chunk and its neighbours.
    public let memoryBudget: Int
    /// The share of `memoryBudget` the compact records of a chunk and its neighbours may take: a quarter by default;
    /// `risk score` and (since session 37) `risk train` give them half, which holds a 3,000,000-person city's in one
    /// chunk at 8 GiB. Records beyond it spill to disk (the same matrix, more time).
    public var recordShare = 0.25
    /// Bytes for the compact records of a chunk (``recordShare`` of the budget).
    var recordBudget: Int { Int(Double(memoryBudget) * min(1, max(0, recordShare))) }
    /// How a chunk's persons are spread over threads; the matrix is the same for any worker count.
    public var parallelism: Parallelism
    /// One person's records by id, as the stream gives them (same records, same order), when the source can look a
    /// person up by an index: `records(around:in:)` then reads only the persons it needs instead of the whole stream.
    public var lookup: PersonLookup?
    /// Where the first pass writes the compact records when they outgrow a chunk (an unlinked temporary file).
    public var spillDirectory: String
    /// The same persons' records in the store's own order, when the source can read them so: the first pass then
    /// reads them sequentially on every worker and groups them by person itself (``firstPass(scan:)``) instead of
    /// replaying `persons`, which the later passes (`records(around:in:)` without a lookup) still use.
    public var scan: LinkedRecordScan?
    /// Told, from any worker, of records the first pass has read over a scan since it was last told (for a
    /// progress display; at most once every ``StreamingCohortBuilder/readReport`` records a part).
    public var recordsRead: (@Sendable (Int) -> Void)?

    /// - Parameters:
    ///   - persons: the persons, replayable.
    ///   - postcodeDeprivation: postcode → deprivation decile (1 = most deprived).
    ///   - memoryBudget: bytes for the whole run (default 8 GiB); a quarter goes to the compact records of a chunk,
    ///     the rest is left for the index, the feature matrix and the learners.
    public init(persons: @escaping PersonStream, postcodeDeprivation: [String: Int] = [:], config: CohortConfig = .init(),
                memoryBudget: Int = 8 << 30, parallelism: Parallelism = .serial, lookup: PersonLookup? = nil,
                spillDirectory: String = NSTemporaryDirectory()) {
        self.persons = persons; self.config = config; self.memoryBudget = memoryBudget; self.parallelism = parallelism
        self.lookup = lookup; self.spillDirectory = spillDirectory
        deciles = PostcodeDeciles(postcodeDeprivation)
    }

    /// Persons whose records are made compact together, over the workers, in the first pass.
    static let batchSize = 2_048

    /// Estimated bytes per record held for a chunk: the record, and its share of the per-person arrays.
    static let bytesPerRecord = MemoryLayout<CompactRecord>.stride + 16

    /// How the persons were cut: chunks of stream positions, and the records each held.
    public struct Plan: Sendable, Equatable {
        /// Each chunk's persons as a range of stream positions.
        public var chunks: [Range<Int>]
        /// Records held for each chunk (its own and its neighbours').
        public var recordsHeld: [Int]
    }

    /// Cuts the persons into consecutive chunks whose records, with their neighbours', fit `budget` bytes.
    static func plan(_ index: SharedIndex, budget: Int) -> Plan {
        let limit = max(1, budget / bytesPerRecord)
        let n = index.recordCount.count
        // A chunk holds each of its persons' records once, so a city whose records all fit is one chunk, holding
        // them all: what the walk below finds, without looking up every person's neighbours.
        let all = index.recordCount.reduce(0) { $0 + Int($1) }
        if all <= limit { return Plan(chunks: n == 0 ? [] : [0..<n], recordsHeld: n == 0 ? [] : [all]) }
        var chunks: [Range<Int>] = [], held: [Int] = []
        var start = 0, needed: Set<UInt32> = [], total = 0
        for p in 0..<n {
            var add = needed.contains(UInt32(p)) ? [] : [UInt32(p)]
            for q in index.neighbours(of: UInt32(p)) where !needed.contains(q) { add.append(q) }
            let extra = add.reduce(0) { $0 + Int(index.recordCount[Int($1)]) }
            if p > start && total + extra > limit {
                chunks.append(start..<p); held.append(total)
                start = p; needed = []; total = 0
                add = [UInt32(p)] + index.neighbours(of: UInt32(p))
            }
            for q in add { needed.insert(q) }
            total += add.reduce(0) { $0 + Int(index.recordCount[Int($1)]) }
        }
        if start < n { chunks.append(start..<n); held.append(total) }
        return Plan(chunks: chunks, recordsHeld: held)
    }

    /// The cohorts of a run as one matrix, how the persons were cut, and the index for `records(around:in:)`.
    public struct Built: Sendable {
        public var matrix: FeatureMatrix
        public var plan: Plan
        let index: SharedIndex
    }

    /// What the first pass over the stream found, before any as-of date is needed: the shared index, the persons in
    /// stream order, every person's compact records (in memory when the city fits the budget as one chunk, else in a
    /// spill file), and the span of the
    /// records' event dates (from which `risk train` schedules its dates, so it need not read the store for them).
    public struct FirstPass: Sendable {
        let index: SharedIndex
        /// Person ids in stream order.
        public let ids: [String]
        /// Every person's compact records (by stream position) when the whole city is one chunk; nil otherwise.
        let kept: [[CompactRecord]]?
        /// Every person's compact records on disk when the city is more than one chunk; nil otherwise.
        let spill: CompactSpill?
        public let plan: Plan
        /// Records the stream gave (person-level, as slimmed), and the earliest and latest event date among them.
        public let recordCount: Int
        public let firstEvent: CivilDate?, lastEvent: CivilDate?
    }

    /// Pass 1, the only pass over the stream: the shared index, the persons, and every person's compact records, held
    /// in memory while they fit the chunk budget and written to a spill file from the moment they do not.
    public func firstPass() throws -> FirstPass {
        if let scan { return try firstPass(scan: scan) }
        var sink = FirstPassSink(limit: max(1, recordBudget / Self.bytesPerRecord), spillDirectory: spillDirectory)
        var ids: [String] = []
        var recordCount = 0, lo: CivilDate?, hi: CivilDate?
        // Records are made compact in batches of persons spread over the workers (the store is read on one thread),
        // then added to the index in stream order: the same index for any worker count.
        var batch: [[LinkedRecord]] = []
        let deciles = self.deciles
        func flush() throws {
            let n = batch.count, parts = max(1, min(16, n / 64))
            let compacted = parallelism.map(parts) { [batch] c in
                var codes = CompactCodes()
                return (n * c / parts..<n * (c + 1) / parts).map { batch[$0].compactMap { CompactRecord($0, deciles: deciles, codes: &codes) } }
            }.flatMap { $0 }
            batch.removeAll(keepingCapacity: true)
            for compact in compacted { try sink.add(compact) }
        }
        try persons { id, records in
            ids.append(id)
            recordCount += records.count
            for r in records { if let d = r.record.event?.date { lo = min(lo ?? d, d); hi = max(hi ?? d, d) } }
            batch.append(records)
            if batch.count == Self.batchSize { try flush() }
        }
        try flush()
        try sink.spill?.flush()
        let plan = Self.plan(sink.index, budget: recordBudget)
        return FirstPass(index: sink.index, ids: ids, kept: sink.kept, spill: sink.spill, plan: plan, recordCount: recordCount, firstEvent: lo, lastEvent: hi)
    }

    /// The cohorts of every date in `dates` as one matrix (dates ascending, rows by date then person id).
    /// - Parameters:
    ///   - first: this builder's `firstPass()`, when already made (saves that pass over the stream).
    ///   - progress: told of each pass.
    public func build(dates: [CivilDate], after first: FirstPass? = nil, progress: RiskProgress? = nil) throws -> Built {
        let dates = Array(Set(dates)).sorted()
        precondition(dates.count <= 255, "at most 255 as-of dates")
        let pass = try first ?? firstPass()
        let (index, ids, kept, spill, plan) = (pass.index, pass.ids, pass.kept, pass.spill, pass.plan)
        progress?("features: \(ids.count) persons, \(index.recordCount.reduce(0) { $0 + Int($1) }) records with events, \(plan.chunks.count) chunk\(plan.chunks.count == 1 ? "" : "s") within \(memoryBudget >> 20) MiB\(spill != nil ? " (compact records spilled to disk)" : "")")
        var matrix = FeatureMatrix(dates: dates, personIDs: ids)
        let computer = CompactFeatures(config: config, index: index, dates: dates)
        for (c, chunk) in plan.chunks.enumerated() {
            let held: @Sendable (UInt32) -> [CompactRecord]
            if let all = kept {
                // Every person's records were kept by the first pass.
                held = { Int($0) < all.count ? all[Int($0)] : [] }
            } else if let spill {
                // The chunk's persons (one read) and everyone who may share a household with them, from the spill:
                // the neighbours found on every worker, then read in file order.
                var byPosition: [UInt32: [CompactRecord]] = [:]
                for (p, records) in zip(chunk, try spill.persons(chunk)) { byPosition[UInt32(p)] = records }
                let stripes = max(1, min(16, chunk.count / 1_024))
                let outside = parallelism.map(stripes) { [index] k in
                    var found = Set<UInt32>()
                    for p in stride(from: chunk.lowerBound + k, to: chunk.upperBound, by: stripes) {
                        for q in index.neighbours(of: UInt32(p)) where !chunk.contains(Int(q)) { found.insert(q) }
                    }
                    return found
                }.reduce(into: Set<UInt32>()) { $0.formUnion($1) }
                for q in outside.sorted() { byPosition[q] = try spill.records(of: Int(q)) }
                let lookup = byPosition
                held = { lookup[$0] ?? [] }
            } else {
                preconditionFailure("a first pass keeps the compact records in memory or spills them")
            }
            let members = Array(chunk)
            var results = [PersonRows](repeating: PersonRows(), count: members.count)
            results.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let out = buffer
                let n = members.count, stripes = max(1, min(64, n))
                parallelism.forEach(stripes) { s in
                    for i in stride(from: s, to: n, by: stripes) {
                        let p = UInt32(members[i])
                        out[i] = computer.rows(person: p, own: held(p), records: held)
                    }
                }
            }
            for r in results {
                for row in r.rows { matrix.append(row) }
                for d in r.noDateOfBirth { matrix.excluded[d]["no date of birth recorded", default: 0] += 1 }
                for d in r.seriousViolenceBefore { matrix.excluded[d]["serious violence already recorded", default: 0] += 1 }
            }
            if plan.chunks.count > 1 { progress?("features: chunk \(c + 1) of \(plan.chunks.count), \(matrix.rowCount) rows so far") }
        }
        matrix.sortRows()
        return Built(matrix: matrix, plan: plan, index: index)
    }

    /// The records of `persons` and of everyone their features read (household candidates and co-suspects), for
    /// the chronologies and reasons of a few flagged young people: one more pass, keeping only those records.
    /// - Parameter built: a run of `build(dates:)` on the same stream, whose index saves a pass.
    public func records(around wanted: Set<String>, in built: Built? = nil) throws -> [LinkedRecord] {
        var index = built?.index ?? SharedIndex(), ids = built?.matrix.personIDs ?? []
        if built == nil {
            try persons { id, records in
                ids.append(id)
                index.add(records.compactMap { CompactRecord($0, deciles: deciles) })
            }
        }
        var needed = Set<Int>()
        for (p, id) in ids.enumerated() where wanted.contains(id) {
            needed.insert(p)
            for q in index.neighbours(of: UInt32(p)) { needed.insert(Int(q)) }
            for q in index.coSuspects(of: UInt32(p)) { needed.insert(Int(q)) }
        }
        if let lookup {
            // Only the needed persons, each by index, in stream order: the same records the pass below keeps.
            var out: [LinkedRecord] = []
            for p in needed.sorted() { out += try lookup(ids[p]) }
            return out
        }
        var out: [LinkedRecord] = [], position = 0
        try persons { _, records in
            defer { position += 1 }
            if needed.contains(position) { out += records }
        }
        return out
    }

    /// A replayable stream over records in memory: persons in id order, each person's records in the order given.
    public static func stream(_ records: [LinkedRecord]) -> PersonStream {
        var byPerson: [String: [Int]] = [:]
        for (i, r) in records.enumerated() { byPerson[r.personID, default: []].append(i) }
        let order = byPerson.keys.sorted().map { ($0, byPerson[$0]!) }
        return { body in
            for (person, rows) in order { try body(person, rows.map { records[$0] }) }
        }
    }
}
