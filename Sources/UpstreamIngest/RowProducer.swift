import Foundation
import UpstreamModel
import UpstreamStore

/// Reads, validates and maps the rows of one file, in batches: the half of ingest that needs no store.
///
/// Used from one thread at a time (either the loading thread or the pipeline's parsing thread).
final class RowProducer: @unchecked Sendable {
    /// One row's result: a record to append (with its raw bytes, in case the store refuses it as a duplicate, and
    /// its extras already encoded, on the producer's thread), or a quarantined row.
    enum Item {
        case record(StoredRecord, raw: [UInt8], extrasJSON: String?)
        case rejected(QuarantinedRow)
    }

    var reader: CSVReader<FileByteStream>
    let stream: FileByteStream
    let totalBytes: Int64?
    let spec: SourceSpec
    let mapper: RowMapper
    let isJSON: Bool
    let slotIndex: [Int]
    let headerCount: Int
    let windows1252: Bool
    let fileName: String
    let sha: String
    let loadedAt: Int64
    let progress: ((IngestProgress) -> Void)?
    var values: [String]
    var rows = 0
    private(set) var sawAnyRow: Bool
    static let batchSize = 2048

    init(
        reader: CSVReader<FileByteStream>, stream: FileByteStream, totalBytes: Int64?, spec: SourceSpec, mapper: RowMapper,
        isJSON: Bool, slotIndex: [Int], headerCount: Int, windows1252: Bool, fileName: String, sha: String,
        loadedAt: Int64, progress: ((IngestProgress) -> Void)?
    ) {
        self.reader = reader; self.stream = stream; self.totalBytes = totalBytes; self.spec = spec; self.mapper = mapper
        self.isJSON = isJSON; self.slotIndex = slotIndex; self.headerCount = headerCount; self.windows1252 = windows1252
        self.fileName = fileName; self.sha = sha; self.loadedAt = loadedAt; self.progress = progress
        values = [String](repeating: "", count: mapper.slotColumns.count)
        sawAnyRow = !isJSON
    }

    var blankLines: Int { reader.blankLines }

    func reportProgress(rows: Int) {
        progress?(IngestProgress(rows: rows, bytesRead: stream.bytesRead, totalBytes: totalBytes))
    }

    func quarantined(raw: [UInt8], line: Int, _ reason: QuarantineReason, field: String? = nil) -> QuarantinedRow {
        QuarantinedRow(source: spec.name, fileName: fileName, fileSHA256: sha, line: line, raw: raw,
                       reason: reason.rawValue, field: field, loadedAt: loadedAt)
    }

    func decode(_ p: UnsafeBufferPointer<UInt8>) -> String {
        windows1252 ? TextDecoding.windows1252(p) : String(decoding: p, as: UTF8.self)
    }

    /// The next batch of rows; `nil` at the end of the file.
    func nextBatch() throws -> [Item]? {
        var batch: [Item] = []
        batch.reserveCapacity(Self.batchSize)
        while batch.count < Self.batchSize, try reader.next() {
            sawAnyRow = true
            rows += 1
            if rows & 0x3FF == 0 { reportProgress(rows: rows) }
            batch.append(item())
        }
        return batch.isEmpty ? nil : batch
    }

    /// Maps the reader's current row.
    func item() -> Item {
        func reject(_ reason: QuarantineReason, _ field: String? = nil) -> Item {
            .rejected(quarantined(raw: Array(reader.raw), line: reader.line, reason, field: field))
        }
        if let p = reader.problem { return reject(QuarantineReason(rawValue: p.rawValue)!) }
        if spec.encoding == .utf8, !reader.isValidUTF8 { return reject(.invalidEncoding) }
        // A NUL byte would cut the stored value short: the row is quarantined whole, naming the column.
        if reader.containsNUL {
            let column = reader.firstFieldContainingNUL.flatMap { i in
                slotIndex.firstIndex(of: i).map { mapper.slotColumns[$0] }
            }
            return reject(.nulByte, isJSON ? nil : column ?? "(a column the spec does not map)")
        }
        if isJSON {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(reader.raw)), let object = obj as? [String: Any] else {
                return reject(.invalidJSON)
            }
            for (k, name) in mapper.slotColumns.enumerated() {
                switch object[name] {
                case nil, is NSNull: values[k] = ""
                case let s as String:
                    // `\u0000` escaped in the JSON text.
                    if s.utf8.contains(0) { return reject(.nulByte, name) }
                    values[k] = s.trimmingSpaces()
                case let n as NSNumber: values[k] = n.stringValue
                default: return reject(.invalidJSON, name)
                }
            }
        } else {
            if reader.isUnterminated { return reject(.unterminatedLastRow) }
            guard reader.fieldCount == headerCount else {
                return reject(.columnCount, "\(reader.fieldCount) fields, header has \(headerCount)")
            }
            for k in slotIndex.indices {
                values[k] = reader.withFieldBytes(slotIndex[k]) { p in
                    // Fast path: no surrounding spaces.
                    if let f = p.first, let l = p.last, f != 32, f != 9, l != 32, l != 9 { return decode(p) }
                    return p.isEmpty ? "" : decode(p).trimmingSpaces()
                }
            }
        }
        let prov = Provenance(source: spec.name, fileName: fileName, fileSHA256: sha, line: reader.line, loadedAt: loadedAt)
        switch mapper.map(values, provenance: prov) {
        case .success(let record):
            return .record(record, raw: Array(reader.raw), extrasJSON: ExtrasJSON.text(of: record.extras))
        case .failure(let r): return reject(r.reason, r.field)
        }
    }

    /// Produces every batch into `channel` (the pipeline's parsing thread), then closes it.
    func run(into channel: BatchChannel) {
        do {
            while let batch = try nextBatch() {
                guard channel.put(batch) else { break }
            }
            channel.finish(error: nil)
        } catch {
            channel.finish(error: error)
        }
    }
}

/// A bounded queue of batches between the parsing thread and the loading thread.
final class BatchChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [[RowProducer.Item]] = []
    private let capacity: Int
    private var finished = false
    private var producerExited = false
    private var cancelled = false
    private var error: (any Error)?

    init(capacity: Int) { self.capacity = capacity }

    /// Adds a batch, waiting while the queue is full; `false` when the consumer has gone.
    func put(_ batch: [RowProducer.Item]) -> Bool {
        condition.lock(); defer { condition.unlock() }
        while queue.count >= capacity, !cancelled { condition.wait() }
        if cancelled { return false }
        queue.append(batch)
        condition.broadcast()
        return true
    }

    /// Marks the end of the batches (with the producer's error, if it failed).
    func finish(error: (any Error)?) {
        condition.lock(); defer { condition.unlock() }
        self.error = error
        finished = true
        producerExited = true
        condition.broadcast()
    }

    /// The next batch, waiting for one; `nil` at the end. Rethrows the producer's error.
    func next() throws -> [RowProducer.Item]? {
        condition.lock(); defer { condition.unlock() }
        while queue.isEmpty, !finished { condition.wait() }
        if !queue.isEmpty {
            let b = queue.removeFirst()
            condition.broadcast()
            return b
        }
        if let error { throw error }
        return nil
    }

    /// Stops the producer (if still running) and waits until it has exited.
    func cancelAndWait() {
        condition.lock(); defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
        while !producerExited { condition.wait() }
    }
}
