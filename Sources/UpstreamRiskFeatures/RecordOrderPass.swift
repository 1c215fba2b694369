import Foundation
import UpstreamChronology
import UpstreamModel

/// A store's linked records in the store's own order rather than grouped by person: what lets the cohort builder's
/// first pass read the records sequentially (each record's person from a list the store makes first, by merging two
/// reads in key order: ``PersonRangeStore/recordPersons(workers:)``) instead of finding every record through the persons'
/// index, which at a force's scale is a random read of the whole store (issue 17).
///
/// The builder groups the records by person itself (``StreamingCohortBuilder/firstPass()``), so the pass is the
/// same as over the ``PersonStream`` that gives these persons and records in person order.
public struct LinkedRecordScan: Sendable {
    /// Every person the person stream gives, in its order, with at least as many records as the scan gives for
    /// them (a store's count of all their records will do): the bound that cuts the persons into buckets. It may
    /// list more (a person whose records are gone): a person the scan never names is left out, as the stream leaves
    /// them out.
    public var persons: [(id: String, records: Int)]
    /// How many parts ``read`` gives; the workers read them at once, each taking the next part as it finishes one.
    public var parts: Int
    /// Calls `body` with each record of part `part` and its person (a position in ``persons``): the record's
    /// feature columns when it is one the stream gives (person-level), `nil` when not (the stream gives its person,
    /// with their other records or none). Parts `0..<parts` taken in turn give every person's records once, each
    /// person's in the order the stream gives them.
    public var read: @Sendable (_ part: Int, _ body: Body) throws -> Void

    /// What ``read`` calls with each record.
    public typealias Body = (_ person: UInt32, _ record: FeatureColumns?) throws -> Void

    public init(persons: [(id: String, records: Int)], parts: Int, read: @escaping @Sendable (_ part: Int, _ body: Body) throws -> Void) {
        self.persons = persons; self.parts = parts; self.read = read
    }
}

/// A scan that named a person beyond the end of the scan's persons.
public struct LinkedRecordScanError: Error, CustomStringConvertible {
    /// The position named, and how many persons the scan lists.
    public var position: UInt32, persons: Int
    public init(position: UInt32, persons: Int) { self.position = position; self.persons = persons }
    public var description: String {
        "a linked record's person is number \(position) of a list of \(persons): the scan and its list of persons disagree"
    }
}

/// Where the first pass puts each person's compact records, in stream order: the shared index, and the records
/// kept in memory while they fit the chunk budget, spilled to disk from the moment they do not.
struct FirstPassSink {
    var index = SharedIndex()
    var kept: [[CompactRecord]]? = []
    var keptCount = 0
    var spill: CompactSpill?
    let limit: Int
    let spillDirectory: String

    init(limit: Int, spillDirectory: String) { self.limit = limit; self.spillDirectory = spillDirectory }

    /// The next person's records.
    mutating func add(_ compact: [CompactRecord]) throws { try add(compact[...]) }

    /// The next person's records, from a slice of a larger run (no array made for them once they are spilled).
    mutating func add(_ compact: ArraySlice<CompactRecord>) throws {
        index.add(compact)
        if let spill {
            try spill.append(compact)
            return
        }
        keptCount += compact.count
        if keptCount <= limit { kept!.append(Array(compact)); return }
        // Over the chunk budget: from here on every person's records go to disk, those kept so far first.
        let file = try CompactSpill(directory: spillDirectory)
        for k in kept! { try file.append(k) }
        try file.append(compact)
        kept = nil; spill = file
    }
}

/// A compact record and its person's stream position, as the record-order pass sorts them.
struct PlacedRecord {
    var person: UInt32
    var record: CompactRecord
}

extension StreamingCohortBuilder {
    /// Placed records a part holds for one bucket before writing them to the bucket's file (or, with one bucket kept
    /// in memory, before starting another run of them).
    static let placedBuffer = 1 << 14
    /// Records a part reads between reports to ``recordsRead``.
    public static let readReport = 1 << 16

    /// The first pass over records in the store's order (``LinkedRecordScan``), the same pass as over the person
    /// stream: the parts are read and made compact on the workers at once, each record placed by its person's
    /// stream position, then grouped by person with a counting sort.
    ///
    /// The persons are cut into consecutive buckets whose records (by the scan's bound) fit a quarter of the
    /// budget. With one bucket every placed record stays in memory; with more, each part writes each bucket's
    /// records to a scratch file of its own as it reads, and the buckets are then sorted one at a time, so memory
    /// holds one bucket's records however large the city.
    func firstPass(scan: LinkedRecordScan) throws -> FirstPass {
        let ids = scan.persons.map(\.id)
        let n = ids.count
        precondition(n < Int(UInt32.max), "at most 2³² − 1 persons")
        let limit = max(1, recordBudget / Self.bytesPerRecord)
        // Buckets of consecutive persons whose bound fits the limit (a person over it alone is a bucket alone).
        var bucketStarts = [0], bucketOf = [Int32](repeating: 0, count: n), total = 0
        for (p, person) in scan.persons.enumerated() {
            if total > 0 && total + person.records > limit { bucketStarts.append(p); total = 0 }
            total += person.records
            bucketOf[p] = Int32(bucketStarts.count - 1)
        }
        bucketStarts.append(n)
        let bucketOfPerson = bucketOf
        let buckets = bucketStarts.count - 1
        let parts = (0..<max(1, scan.parts)).map { _ in ScanPart(buckets: buckets, persons: n, onDisk: buckets > 1) }
        let deciles = self.deciles, directory = spillDirectory, report = recordsRead
        parallelism.forEach(parts.count) { k in
            let part = parts[k]
            do {
                var codes = CompactCodes()
                try scan.read(k) { p, record in
                    guard Int(p) < n else { throw LinkedRecordScanError(position: p, persons: n) }
                    part.seen[Int(p)] = true
                    guard let record else { return }
                    part.recordCount += 1
                    if part.recordCount % Self.readReport == 0 { report?(Self.readReport) }
                    if let d = record.event?.date { part.firstEvent = min(part.firstEvent ?? d, d); part.lastEvent = max(part.lastEvent ?? d, d) }
                    guard let compact = CompactRecord(record, deciles: deciles, codes: &codes) else { return }
                    try part.add(PlacedRecord(person: p, record: compact), to: Int(bucketOfPerson[Int(p)]), directory: directory)
                }
                report?(part.recordCount % Self.readReport)
            } catch {
                part.failure = error
            }
        }
        if let failure = parts.lazy.compactMap(\.failure).first { throw failure }
        var seen = [Bool](repeating: false, count: n)
        for part in parts {
            for p in 0..<n where part.seen[p] { seen[p] = true }
            part.seen = []
        }
        var sink = FirstPassSink(limit: limit, spillDirectory: spillDirectory)
        for b in 0..<buckets {
            let from = bucketStarts[b], count = bucketStarts[b + 1] - from
            // The bucket's records in scan order (parts in turn, each part's file before what it still buffers), as
            // the runs the parts hold: sorted from there, not first copied into one array.
            var runs: [[PlacedRecord]] = []
            for part in parts { runs += try part.take(bucket: b) }
            // Counting sort by person: stable, so each person's records keep the scan's order.
            var starts = [Int](repeating: 0, count: count + 1)
            for run in runs { for r in run { starts[Int(r.person) - from + 1] += 1 } }
            for q in 0..<count { starts[q + 1] += starts[q] }
            var next = starts
            let total = starts[count]
            let sorted = [CompactRecord](unsafeUninitializedCapacity: total) { buffer, initialised in
                for k in runs.indices {
                    for r in runs[k] {
                        let q = Int(r.person) - from
                        (buffer.baseAddress! + next[q]).initialize(to: r.record)
                        next[q] += 1
                    }
                    runs[k] = []  // each run let go once placed
                }
                initialised = total
            }
            // A person the scan never named is not one the stream gives: left out (the sink numbers those it is given).
            for q in 0..<count where seen[from + q] { try sink.add(sorted[starts[q]..<starts[q + 1]]) }
        }
        try sink.spill?.flush()
        let plan = Self.plan(sink.index, budget: recordBudget)
        let lo = parts.compactMap(\.firstEvent).min(), hi = parts.compactMap(\.lastEvent).max()
        return FirstPass(index: sink.index, ids: ids.indices.filter { seen[$0] }.map { ids[$0] }, kept: sink.kept, spill: sink.spill, plan: plan,
                         recordCount: parts.reduce(0) { $0 + $1.recordCount }, firstEvent: lo, lastEvent: hi)
    }
}

/// One part's share of the record-order pass, written by one worker: its placed records by bucket (buffered, and
/// in a scratch file per bucket when there are several), the records it read and their span of event dates.
final class ScanPart: @unchecked Sendable {
    var buffers: [[PlacedRecord]]
    var files: [Int32?]
    let onDisk: Bool
    var recordCount = 0
    var firstEvent: CivilDate?, lastEvent: CivilDate?
    var failure: (any Error)?
    var written: [Int]
    /// Full buffers of the one bucket, in the order read, when it is kept in memory.
    var fullRuns: [[PlacedRecord]] = []
    /// The persons (by position in the scan's list) this part named.
    var seen: [Bool]

    init(buckets: Int, persons: Int, onDisk: Bool) {
        seen = Array(repeating: false, count: persons)
        buffers = (0..<buckets).map { _ in Self.emptyBuffer() }
        files = Array(repeating: nil, count: buckets)
        written = Array(repeating: 0, count: buckets)
        self.onDisk = onDisk
    }

    deinit { for case let fd? in files { close(fd) } }

    /// A buffer with room for one run, so it is never copied as it fills.
    static func emptyBuffer() -> [PlacedRecord] {
        var buffer: [PlacedRecord] = []
        buffer.reserveCapacity(StreamingCohortBuilder.placedBuffer)
        return buffer
    }

    func add(_ record: PlacedRecord, to bucket: Int, directory: String) throws {
        buffers[bucket].append(record)
        guard buffers[bucket].count >= StreamingCohortBuilder.placedBuffer else { return }
        guard onDisk else {
            // Kept in memory: a full buffer becomes a run of its own, so no buffer is copied as the records grow.
            fullRuns.append(buffers[bucket])
            buffers[bucket] = Self.emptyBuffer()
            return
        }
        let fd = try files[bucket] ?? ScratchFile.create(in: directory, name: "upstream-risk-bucket")
        files[bucket] = fd
        try buffers[bucket].withUnsafeBytes { try ScratchFile.write($0, to: fd) }
        written[bucket] += buffers[bucket].count
        buffers[bucket].removeAll(keepingCapacity: true)
    }

    /// The bucket's records in the order they were read, as runs (the file's or the full buffers kept, then the
    /// buffer's); the file and buffers are let go.
    func take(bucket: Int) throws -> [[PlacedRecord]] {
        var runs: [[PlacedRecord]] = []
        if let fd = files[bucket] {
            let read: [PlacedRecord] = try ScratchFile.read(written[bucket], at: 0, from: fd)
            runs.append(read)
            close(fd)
            files[bucket] = nil
        }
        if !onDisk { runs += fullRuns; fullRuns = [] }
        if !buffers[bucket].isEmpty { runs.append(buffers[bucket]) }
        buffers[bucket] = []
        return runs
    }
}
