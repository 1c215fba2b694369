import Crypto
import Foundation
import UpstreamModel
import UpstreamStore

/// What loading one file did. Every row read was either loaded or quarantined.
public struct FileReport: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// The file was loaded as a new delivery.
        case loaded
        /// The same file (same source, same SHA-256) was already in the store; nothing changed.
        case alreadyLoaded = "already_loaded"
    }

    public var source: String
    public var file: String
    public var sha256: String
    public var status: Status
    public var deliveryID: Int64
    public var counts: DeliveryCounts
    /// Quarantined rows of this file by reason code.
    public var quarantinedByReason: [String: Int]
    /// Earlier deliveries of the source that this one replaced (`--replace`).
    public var supersededDeliveries: [Int64]
    public var supersededRecords: Int
    /// Header columns the spec does not name (not stored; listed so that nothing is ignored unnoticed).
    public var unmappedColumns: [String] = []

    /// `rows read 10 = loaded 8 + quarantined 2`.
    public var balanceLine: String {
        "rows read \(counts.rowsRead) = loaded \(counts.loaded) + quarantined \(counts.quarantined)"
    }
}

/// How far a load has got, for progress displays.
public struct IngestProgress: Sendable {
    public var rows: Int
    public var bytesRead: Int64
    public var totalBytes: Int64?
}

/// Loads agency files into a store under a spec: parse, validate, map, quarantine, with provenance.
public struct Ingestor: Sendable {
    public var store: any RecordStore
    /// Seconds since 1970 written as every record's load time.
    public var loadedAt: Int64
    /// The load date: dates after it are implausible.
    public var today: CivilDate
    /// Largest CSV record accepted (bytes).
    public var maxRecordBytes: Int
    /// Whether to parse on a second thread while the store writes (two cores); the result is the same either way.
    public var pipelined: Bool

    /// - Parameters:
    ///   - store: where records go.
    ///   - loadedAt: the load time (seconds since 1970, UTC); pass it in so runs are reproducible.
    ///   - today: the load date; defaults to `loadedAt`'s day.
    public init(
        store: any RecordStore, loadedAt: Int64, today: CivilDate? = nil, maxRecordBytes: Int = 1 << 20, pipelined: Bool = true
    ) {
        self.pipelined = pipelined
        self.store = store
        self.loadedAt = loadedAt
        self.today = today ?? CivilDate(dayNumber: Int32(loadedAt / 86_400))
        self.maxRecordBytes = maxRecordBytes
    }

    /// The SHA-256 of a file, hex encoded, read in chunks.
    public static func sha256(path: String) throws -> String {
        let stream = try FileByteStream(path: path)
        var hasher = SHA256()
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buf.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { break }
            buf.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// `UTF-16LE` or `UTF-16BE` when the file starts like UTF-16 text (a UTF-16 byte order mark, or ASCII
    /// characters each followed or preceded by a zero byte), otherwise `nil`.
    public static func utf16Encoding(path: String) throws -> String? {
        let stream = try FileByteStream(path: path)
        var head = [UInt8](repeating: 0, count: 64)
        var n = 0
        while n < head.count {
            let got = try head.withUnsafeMutableBytes { try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[n...])) }
            if got == 0 { break }
            n += got
        }
        return utf16Encoding(Array(head[0..<n]))
    }

    /// `UTF-16LE` or `UTF-16BE` when `head` (a file's first bytes) looks like UTF-16 text, otherwise `nil`.
    public static func utf16Encoding(_ head: [UInt8]) -> String? {
        if head.count >= 2 {
            if head[0] == 0xFF, head[1] == 0xFE { return "UTF-16LE" }
            if head[0] == 0xFE, head[1] == 0xFF { return "UTF-16BE" }
        }
        let pairs = head.count / 2
        guard pairs >= 2 else { return nil }
        var zeroOdd = 0, zeroEven = 0
        for i in 0..<pairs {
            let a = head[2 * i], b = head[2 * i + 1]
            if a != 0, b == 0 { zeroOdd += 1 }
            if a == 0, b != 0 { zeroEven += 1 }
        }
        if zeroOdd * 4 >= pairs * 3 { return "UTF-16LE" }
        if zeroEven * 4 >= pairs * 3 { return "UTF-16BE" }
        return nil
    }

    /// Loads one file as one delivery of `spec`'s source, in one transaction.
    /// - Parameters:
    ///   - path: the file.
    ///   - spec: the source's spec.
    ///   - replacing: whether this delivery supersedes the source's earlier deliveries.
    ///   - progress: called now and then with how far the load has got.
    /// - Returns: the figures of the load.
    /// - Throws: ``IngestError`` when the file as a whole cannot be loaded (empty, bad header, a column the
    ///   spec names is missing, the file is UTF-16); the store is then unchanged. Bad rows never throw: they are
    ///   quarantined.
    public func ingest(
        path: String, spec: SourceSpec, replacing: Bool = false, progress: ((IngestProgress) -> Void)? = nil
    ) throws -> FileReport {
        if let found = try Self.utf16Encoding(path: path) {
            throw IngestError.encoding(path, found: found, expected: spec.encoding.rawValue.uppercased())
        }
        let sha = try Self.sha256(path: path)
        let stream = try FileByteStream(path: path)
        let total = stream.size
        let fileName = (path as NSString).lastPathComponent
        let mapper = RowMapper(spec: spec, today: today)
        let windows1252 = spec.encoding == .windows1252
        func decode(_ p: UnsafeBufferPointer<UInt8>) -> String {
            windows1252 ? TextDecoding.windows1252(p) : String(decoding: p, as: UTF8.self)
        }
        var byReason: [String: Int] = [:]

        let options: CSVOptions
        let isJSON: Bool
        switch spec.format {
        case .csv(let d):
            options = CSVOptions(delimiter: d, maxRecordBytes: maxRecordBytes)
            isJSON = false
        case .jsonLines:
            // One field per line: NUL and SOH never appear unescaped in JSON text.
            options = CSVOptions(delimiter: 0x01, quote: 0x00, maxRecordBytes: maxRecordBytes)
            isJSON = true
        }
        var reader = CSVReader(stream, options: options)

        // The header (CSV): checked before the store is touched.
        var slotIndex: [Int] = []
        var headerCount = 0
        var unmapped: [String] = []
        if !isJSON {
            guard try reader.next() else { throw IngestError.emptyFile(path) }
            guard reader.problem == nil else {
                throw IngestError.spec(path, line: 1, column: nil, field: "(header)", "the header row cannot be read: \(reader.problem!.rawValue)")
            }
            var header: [String] = []
            var position: [String: Int] = [:]
            for i in 0..<reader.fieldCount {
                let name = reader.withFieldBytes(i, decode).trimmingSpaces()
                guard !name.isEmpty else { throw IngestError.emptyHeader(path, position: i + 1) }
                guard position[name] == nil else { throw IngestError.duplicateHeader(path, column: name) }
                position[name] = i
                header.append(name)
            }
            headerCount = header.count
            for c in spec.columns where position[c.name] == nil {
                throw IngestError.missingColumn(path, column: c.name, spec: spec.path, specLine: c.line, field: c.field)
            }
            slotIndex = mapper.slotColumns.map { position[$0]! }
            let named = Set(spec.columns.map(\.name))
            unmapped = header.filter { !named.contains($0) }
        }

        let delivery = Delivery(source: spec.name, fileName: fileName, fileSHA256: sha, loadedAt: loadedAt,
                                specSHA256: spec.sha256.isEmpty ? nil : spec.sha256)
        let producer = RowProducer(
            reader: reader, stream: stream, totalBytes: total, spec: spec, mapper: mapper, isJSON: isJSON,
            slotIndex: slotIndex, headerCount: headerCount, windows1252: windows1252, fileName: fileName, sha: sha,
            loadedAt: loadedAt, progress: progress)
        let pipelined = self.pipelined
        let outcome = try store.loadDelivery(delivery, source: spec.sourceInfo, replacing: replacing) { writer in
            var counts = DeliveryCounts()
            func consume(_ batch: [RowProducer.Item]) throws {
                for item in batch {
                    counts.rowsRead += 1
                    switch item {
                    case .record(let record, let raw, let extrasJSON):
                        guard try writer.append(record, extrasJSON: extrasJSON) else {
                            var q = producer.quarantined(raw: raw, line: record.record.provenance.line, .duplicateRecordID)
                            q.field = spec.recordID.name
                            try writer.quarantine(q)
                            counts.quarantined += 1
                            byReason[q.reason, default: 0] += 1
                            continue
                        }
                        counts.loaded += 1
                        if record.flags.contains(.nhsNumberInvalid) { counts.nhsNumberInvalid += 1 }
                        if record.flags.contains(.upnInvalid) { counts.upnInvalid += 1 }
                        if record.flags.contains(.dateOfBirthPlaceholder) { counts.dateOfBirthPlaceholder += 1 }
                        if record.flags.contains(.dateOfBirthAfterEvent) { counts.dateOfBirthAfterEvent += 1 }
                    case .rejected(let q):
                        try writer.quarantine(q)
                        counts.quarantined += 1
                        byReason[q.reason, default: 0] += 1
                    }
                }
            }
            if pipelined {
                // Parse, validate and map on a second thread while this one writes: a bounded queue of batches
                // keeps memory flat.
                let channel = BatchChannel(capacity: 4)
                let thread = Thread { producer.run(into: channel) }
                thread.stackSize = 8 << 20
                thread.start()
                defer { channel.cancelAndWait() }
                while let batch = try channel.next() { try consume(batch) }
            } else {
                while let batch = try producer.nextBatch() { try consume(batch) }
            }
            counts.blankLines = producer.blankLines
            if !producer.sawAnyRow { throw IngestError.emptyFile(path) }
            producer.reportProgress(rows: counts.rowsRead)
            return counts
        }
        switch outcome {
        case .loaded(let summary, let superseded, let removed):
            return FileReport(source: spec.name, file: path, sha256: sha, status: .loaded, deliveryID: summary.id,
                              counts: summary.counts, quarantinedByReason: byReason, supersededDeliveries: superseded,
                              supersededRecords: removed, unmappedColumns: unmapped)
        case .alreadyLoaded(let summary):
            return FileReport(source: spec.name, file: path, sha256: sha, status: .alreadyLoaded, deliveryID: summary.id,
                              counts: summary.counts, quarantinedByReason: [:], supersededDeliveries: [], supersededRecords: 0,
                              unmappedColumns: unmapped)
        }
    }

}
