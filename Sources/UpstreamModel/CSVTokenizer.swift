/// The one CSV reader of the pure modules: a streaming RFC 4180 tokenizer over UTF-8 bytes. Fed chunks of any size,
/// it hands over each complete row. It skips a byte-order mark, accepts LF and CRLF line ends, quoted fields with
/// the delimiter, doubled quotes and line breaks inside, and skips blank lines (counting them). Memory is one row.
/// Used for police.uk files (UpstreamAssessment), plan inputs and the synthetic city's truth; `rows(_:)` reads a
/// whole text at once.
public struct CSVTokenizer: Sendable {
    /// One complete row: the unquoted bytes of every field, back to back, and where each field ends.
    public struct Row: Sendable {
        public var bytes: [UInt8]
        public var ends: [Int]
        /// The physical line the row started on (1-based, header included).
        public var line: Int
        /// The file ended inside a quoted field.
        public var unterminatedQuote: Bool

        public var count: Int { ends.count }
        /// The bytes of field `i` (empty when the row has fewer fields).
        public func field(_ i: Int) -> ArraySlice<UInt8> {
            guard i >= 0, i < ends.count else { return [] }
            return bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]]
        }
        /// Field `i` as text (empty when absent).
        public func string(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }
        /// Whether field `i` is absent or empty.
        public func isEmpty(_ i: Int) -> Bool { field(i).isEmpty }
    }

    private var row = Row(bytes: [], ends: [], line: 1, unterminatedQuote: false)
    private var inQuotes = false
    private var quoteClosed = false
    private var fieldStart = 0
    private var sawQuote = false
    private var bomMatched = 0
    private var started = false
    private var line = 1
    /// Blank lines skipped so far.
    public private(set) var blankLines = 0
    /// Physical lines seen so far.
    public var lines: Int { line }

    /// The field separator (a comma unless given; ASCII).
    public let delimiter: UInt8

    public init(delimiter: UInt8 = 0x2C) {
        self.delimiter = delimiter
        row.bytes.reserveCapacity(512)
        row.ends.reserveCapacity(16)
    }

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Feeds the next bytes of the stream; `body` receives each row completed by them.
    public mutating func feed<C: Collection>(_ chunk: C, _ body: (Row) throws -> Void) rethrows where C.Element == UInt8 {
        if try chunk.withContiguousStorageIfAvailable({ buffer in try self.feedBuffer(buffer, body) }) != nil { return }
        let copy = Array(chunk)
        try copy.withUnsafeBufferPointer { buffer in try self.feedBuffer(buffer, body) }
    }

    /// Feeds bytes held in a buffer.
    public mutating func feedBuffer(_ buffer: UnsafeBufferPointer<UInt8>, _ body: (Row) throws -> Void) rethrows {
        var i = 0
        let n = buffer.count
        if !started {
            while i < n && bomMatched < 3 {
                if buffer[i] == CSVTokenizer.bom[bomMatched] { bomMatched += 1; i += 1; continue }
                // Not a byte-order mark after all: the bytes held back are content.
                let held = CSVTokenizer.bom.prefix(bomMatched)
                bomMatched = 3
                for b in held { try consume(b, body) }
            }
            if bomMatched == 3 { started = true }
        }
        while i < n {
            try consume(buffer[i], body)
            i += 1
        }
    }

    @inline(__always)
    private mutating func consume(_ b: UInt8, _ body: (Row) throws -> Void) rethrows {
        if inQuotes {
            if b == 0x22 { inQuotes = false; quoteClosed = true; return }
            if b == 0x0A { line += 1 }
            row.bytes.append(b)
            return
        }
        if b == delimiter { row.ends.append(row.bytes.count); fieldStart = row.bytes.count; quoteClosed = false; return }
        switch b {
        case 0x22:  // "
            if quoteClosed { row.bytes.append(b); inQuotes = true; quoteClosed = false }
            else if row.bytes.count == fieldStart { inQuotes = true; sawQuote = true }
            else { row.bytes.append(b) }
        case 0x0A:  // LF
            try endRow(body)
            line += 1
        case 0x0D:  // CR of CRLF (a bare CR inside a field is dropped too)
            break
        default:
            quoteClosed = false
            row.bytes.append(b)
        }
    }

    private mutating func endRow(_ body: (Row) throws -> Void) rethrows {
        defer {
            row.bytes.removeAll(keepingCapacity: true); row.ends.removeAll(keepingCapacity: true)
            fieldStart = 0; quoteClosed = false; sawQuote = false; row.unterminatedQuote = false
            row.line = line + 1
        }
        if row.ends.isEmpty && row.bytes.isEmpty && !sawQuote { blankLines += 1; return }
        row.ends.append(row.bytes.count)
        try body(row)
    }

    /// Ends the stream: hands over a last row that had no line end (and marks one cut off inside quotes).
    public mutating func finish(_ body: (Row) throws -> Void) rethrows {
        if !started && bomMatched > 0 && bomMatched < 3 {
            let held = CSVTokenizer.bom.prefix(bomMatched)
            bomMatched = 3; started = true
            for b in held { try consume(b, body) }
        }
        if inQuotes { row.unterminatedQuote = true; inQuotes = false; sawQuote = true }
        if !(row.ends.isEmpty && row.bytes.isEmpty && !sawQuote) { try endRow(body) }
        else { row.bytes.removeAll(keepingCapacity: true) }
    }
}

extension CSVTokenizer {
    /// Every row of a whole text, each as its fields (the header, if any, is the first row).
    /// - Parameters:
    ///   - text: the CSV text.
    ///   - delimiter: the field separator (ASCII), a comma by default.
    /// - Returns: the rows; blank lines are skipped.
    public static func rows(_ text: String, delimiter: UInt8 = 0x2C) -> [[String]] {
        var t = CSVTokenizer(delimiter: delimiter)
        var out: [[String]] = []
        let take = { (r: Row) in out.append((0..<r.count).map { r.string($0) }) }
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { t.feedBuffer($0, take) }
        t.finish(take)
        return out
    }

    /// A whole text as records keyed by the header's names (the first row); a short row lacks the missing keys.
    public static func records(_ text: String, delimiter: UInt8 = 0x2C) -> (header: [String], records: [[String: String]]) {
        var rows = rows(text, delimiter: delimiter)
        guard !rows.isEmpty else { return ([], []) }
        let header = rows.removeFirst()
        return (header, rows.map { r in
            var d: [String: String] = [:]
            for (k, v) in zip(header, r) where d[k] == nil { d[k] = v }
            return d
        })
    }
}
