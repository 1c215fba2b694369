/// Somewhere bytes come from, read in chunks so that memory stays bounded whatever the file's size. Files are read
/// by the adapters (`UpstreamIngest.FileByteStream`); the pure modules read bytes held in memory (``ArrayByteStream``).
public protocol ByteStream {
    /// Reads up to `buffer.count` bytes into `buffer`; returns how many were read, 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Bytes held in memory, handed out in chunks of at most `chunkSize` (small chunks exercise chunk boundaries).
public struct ArrayByteStream: ByteStream {
    let bytes: [UInt8]
    var offset = 0
    let chunkSize: Int

    public init(_ bytes: [UInt8], chunkSize: Int = 1 << 16) {
        self.bytes = bytes; self.chunkSize = max(1, chunkSize)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, chunkSize, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}

/// One record read by ``CSVReader``, kept as a value: the unquoted bytes of every field, back to back, and where each
/// field ends.
public struct CSVRow: Sendable, Hashable {
    public var bytes: [UInt8]
    public var ends: [Int]
    /// The physical line the record started on (1-based, header included).
    public var line: Int
    /// The record's quote never closed (``CSVProblem/unbalancedQuote``); it holds no fields.
    public var unterminatedQuote: Bool

    public init(bytes: [UInt8], ends: [Int], line: Int, unterminatedQuote: Bool) {
        self.bytes = bytes; self.ends = ends; self.line = line; self.unterminatedQuote = unterminatedQuote
    }

    /// The number of fields.
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

/// Whole texts read with ``CSVReader``, for small files held in memory (plan inputs, the synthetic city's truth).
public enum CSV {
    /// Every record of a whole text, each as its fields (the header, if any, is the first). Blank lines are skipped;
    /// a record whose quote never closes is skipped too (it has no reliable fields).
    /// - Parameters:
    ///   - text: the CSV text.
    ///   - delimiter: the field separator (ASCII), a comma by default.
    public static func rows(_ text: String, delimiter: UInt8 = UInt8(ascii: ",")) -> [[String]] {
        let bytes = Array(text.utf8)
        var reader = CSVReader(ArrayByteStream(bytes, chunkSize: bytes.count + 1), options: CSVOptions(delimiter: delimiter),
                               chunkSize: min(bytes.count + 1, 1 << 20))
        var out: [[String]] = []
        // An in-memory stream never throws.
        while (try? reader.next()) == true {
            if reader.problem != .unbalancedQuote { out.append(reader.fields) }
        }
        return out
    }

    /// A whole text as records keyed by the header's names (the first row); a short row lacks the missing keys, and
    /// a repeated name keeps its first column.
    public static func records(_ text: String, delimiter: UInt8 = UInt8(ascii: ",")) -> (header: [String], records: [[String: String]]) {
        var rows = rows(text, delimiter: delimiter)
        guard !rows.isEmpty else { return ([], []) }
        let header = rows.removeFirst()
        return (header, rows.map { keyed(header, $0) })
    }

    /// A row keyed by the header's names (a short row lacks the missing keys; a repeated name keeps its first column).
    public static func keyed(_ header: [String], _ row: [String]) -> [String: String] {
        var d: [String: String] = [:]
        for (k, v) in zip(header, row) where d[k] == nil { d[k] = v }
        return d
    }
}

/// Why a CSV record could not be split into fields reliably.
public enum CSVProblem: String, Sendable, Hashable {
    /// A quoted field never closes (before the end of the file or within the record size limit).
    /// The record is reported as its first physical line, and reading resumes on the next line.
    case unbalancedQuote = "unbalanced_quote"
    /// Text follows a closing quote before the delimiter (`"abc"def`).
    case malformedQuote = "malformed_quote"
    /// The record is longer than the limit; it is reported truncated and the rest of its line is skipped.
    /// A quoted field that runs past the limit is this, not ``unbalancedQuote``, when its closing quote is found
    /// within four times the limit.
    case recordTooLong = "record_too_long"
}

/// Options for reading delimited text.
public struct CSVOptions: Sendable, Hashable {
    /// The field separator (one byte, e.g. `,`, `|`, tab).
    public var delimiter: UInt8
    /// The quote character.
    public var quote: UInt8
    /// The longest record accepted, in bytes; bounds memory and stops an unbalanced quote swallowing the file.
    public var maxRecordBytes: Int

    public init(delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\""), maxRecordBytes: Int = 1 << 20) {
        self.delimiter = delimiter; self.quote = quote; self.maxRecordBytes = maxRecordBytes
    }
}

/// Where a field of ``CSVReader``'s current record lies (relative to the record's start) and whether it holds a
/// doubled quote.
@usableFromInline struct CSVFieldSpan {
    @usableFromInline var start: Int
    @usableFromInline var end: Int
    @usableFromInline var escaped: Bool
    @usableFromInline init(start: Int, end: Int, escaped: Bool) { self.start = start; self.end = end; self.escaped = escaped }
}

/// Byte scans of ``CSVReader``, eight bytes at a time.
enum CSVBytes {
    /// The first position in `from..<to` of `p` holding `x`, `y` or `z`, or `to` (`from` when `to` is before it). A
    /// byte of a word is one of them where the word XOR that byte repeated has a zero byte; the lowest flagged byte is
    /// exact (a borrow only flags bytes above a true zero). The byte-at-a-time state machine, which this skips over a
    /// field's plain bytes, was about a quarter of a link's file reading thread (session 49).
    @inline(__always) static func firstOf(_ x: UInt8, _ y: UInt8, _ z: UInt8, in p: UnsafeRawBufferPointer, from: Int, to: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let bx = ones &* UInt64(x), by = ones &* UInt64(y), bz = ones &* UInt64(z)
        var i = from
        while i &+ 8 <= to {
            let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let ax = w ^ bx, ay = w ^ by, az = w ^ bz
            let found = ((ax &- ones) & ~ax | (ay &- ones) & ~ay | (az &- ones) & ~az) & highs
            if found != 0 { return i &+ found.trailingZeroBitCount >> 3 }
            i &+= 8
        }
        while i < to {
            let c = p[i]
            if c == x || c == y || c == z { return i }
            i &+= 1
        }
        return max(from, to)
    }

    /// Whether every byte is under 0x80, read eight at a time.
    static func isASCII(_ r: UnsafeRawBufferPointer) -> Bool {
        var i = 0, high: UInt64 = 0
        while i &+ 8 <= r.count { high |= r.loadUnaligned(fromByteOffset: i, as: UInt64.self); i &+= 8 }
        while i < r.count { high |= UInt64(r[i]); i &+= 1 }
        return high & 0x8080_8080_8080_8080 == 0
    }
}

/// The one CSV reader of the package: a streaming reader of delimited text (RFC 4180 and the usual deviations) working
/// on UTF-8 bytes. Ingest reads extracts with it, `link --config` its inputs, the assessment police.uk files, the
/// workspace persons exports and truth files, and ``CSV`` whole small texts.
///
/// - Any one-byte delimiter; fields may be quoted, with `""` for a quote and embedded delimiters and newlines.
/// - LF, CRLF or CR line endings; a UTF-8 byte order mark at the start is skipped.
/// - Blank lines are skipped and counted in ``blankLines``.
/// - Memory is bounded: a chunked buffer plus at most one record (``CSVOptions/maxRecordBytes``).
///
/// Call ``next()`` to advance; the current record's fields are then read with ``field(_:)`` (decoded) or
/// ``fieldBytes(_:)``, and ``raw`` gives the record's bytes exactly as delivered.
public struct CSVReader<Stream: ByteStream> {
    public let options: CSVOptions
    @usableFromInline var buffer: [UInt8]
    var start = 0          // start of the current record in `buffer`
    var end = 0            // bytes of `buffer` filled
    var eof = false
    var atFileStart = true
    var skipLF = false     // a CR ended the last record; a following LF belongs to it
    var skipRestOfLine = false  // an unbalanced quote's line went on past the buffer: skip to its end
    var nextLine = 1

    // Current record, positions relative to `recordStart` in `buffer`.
    @usableFromInline var recordStart = 0
    var recordEnd = 0
    /// The current record's fields, in order (one array, so a field is one append: three arrays beside each other
    /// checked each its own buffer's uniqueness per field, about 5% of a link's file reading thread, session 49).
    /// (Its element is a type of its own, outside this generic type: nested, each append looked its metadata up.)
    @usableFromInline var spans: [CSVFieldSpan] = []


    /// The physical line the current record starts on (1-based).
    public private(set) var line = 0
    /// Why the current record is unreliable, if it is.
    public private(set) var problem: CSVProblem?
    /// Blank lines skipped so far.
    public private(set) var blankLines = 0
    /// Whether the file started with a UTF-8 byte order mark.
    public private(set) var hadByteOrderMark = false
    /// Whether the current record is the last of the input, has no line ending, and its last field is not closed
    /// by a quote: the input may have been cut off inside that field.
    public private(set) var isUnterminated = false
    /// Where the bytes come from: the last stored property, so that every other one sits at the same offset whatever
    /// the stream's type, and code not specialised for it (another module's) reads them without the type's metadata.
    var stream: Stream

    /// - Parameters:
    ///   - stream: where the bytes come from.
    ///   - options: delimiter, quote and the record size limit.
    ///   - chunkSize: how many bytes to read at a time.
    public init(_ stream: Stream, options: CSVOptions = CSVOptions(), chunkSize: Int = 1 << 20) {
        self.stream = stream
        self.options = options
        buffer = [UInt8](repeating: 0, count: max(chunkSize, 64))
    }

    /// The number of fields in the current record.
    public var fieldCount: Int { spans.count }

    /// The current record's bytes as delivered, without its line ending.
    public var raw: ArraySlice<UInt8> { buffer[recordStart..<recordEnd] }

    /// The bytes of field `i` of the current record, quotes removed and `""` collapsed.
    @inlinable public func fieldBytes(_ i: Int) -> [UInt8] {
        let s = recordStart + spans[i].start, e = recordStart + spans[i].end
        guard spans[i].escaped else { return Array(buffer[s..<e]) }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        var j = s
        while j < e {
            out.append(buffer[j])
            if buffer[j] == options.quote, j + 1 < e, buffer[j + 1] == options.quote { j += 2 } else { j += 1 }
        }
        return out
    }

    /// Calls `body` with field `i`'s bytes without copying when it needs no unescaping.
    /// (Inlinable, so that a caller in another module gets it specialised: unspecialised, each field went through
    /// the generic `withUnsafeBufferPointer`, about 3% of a link's file reading thread, session 49.)
    @inlinable public func withFieldBytes<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let span = spans[i]
        if span.escaped {
            return try fieldBytes(i).withUnsafeBufferPointer(body)
        }
        let s = recordStart + span.start, e = recordStart + span.end
        return try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[s..<e])) }
    }

    /// Field `i` of the current record as text (invalid UTF-8 is replaced by U+FFFD; check ``isValidUTF8``).
    public func field(_ i: Int) -> String {
        withFieldBytes(i) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the current record's bytes contain a NUL (0x00) byte.
    public var containsNUL: Bool {
        guard recordEnd > recordStart else { return false }
        return buffer.withUnsafeBufferPointer { p in UnsafeBufferPointer(rebasing: p[recordStart..<recordEnd]).contains(0) }
    }

    /// The index of the first field of the current record whose bytes contain a NUL byte.
    public var firstFieldContainingNUL: Int? {
        buffer.withUnsafeBufferPointer { p in
            spans.indices.first { i in
                let s = recordStart + spans[i].start, e = recordStart + spans[i].end
                return e > s && UnsafeBufferPointer(rebasing: p[s..<e]).contains(0)
            }
        }
    }

    /// Whether field `i` of the current record is absent or empty.
    public func isEmptyField(_ i: Int) -> Bool { i < 0 || i >= fieldCount || spans[i].end == spans[i].start }

    /// Every field of the current record as text.
    public var fields: [String] { (0..<fieldCount).map(field) }

    /// The current record as a value that outlives the next call to ``next()``: its unquoted fields' bytes.
    public var row: CSVRow {
        var r = CSVRow(bytes: [], ends: [], line: line, unterminatedQuote: problem == .unbalancedQuote)
        r.bytes.reserveCapacity(recordEnd - recordStart)
        r.ends.reserveCapacity(fieldCount)
        for i in 0..<fieldCount {
            withFieldBytes(i) { r.bytes.append(contentsOf: $0) }
            r.ends.append(r.bytes.count)
        }
        return r
    }

    /// Whether the current record's bytes are valid UTF-8.
    public var isValidUTF8: Bool {
        buffer.withUnsafeBufferPointer { p in
            let r = UnsafeBufferPointer(rebasing: p[recordStart..<recordEnd])
            if CSVBytes.isASCII(UnsafeRawBufferPointer(r)) { return true }
            return String(validating: r, as: UTF8.self) != nil
        }
    }

    /// Reads more bytes, moving the current record to the front of the buffer and growing it when needed.
    /// Returns false at the end of the stream.
    mutating func fill() throws -> Bool {
        if eof { return false }
        if start > 0 {
            let keep = end - start
            if keep > 0 {
                buffer.withUnsafeMutableBytes { p in
                    p.baseAddress!.copyMemory(from: p.baseAddress! + start, byteCount: keep)
                }
            }
            end = keep
            start = 0
        }
        if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
        let n = try buffer.withUnsafeMutableBytes { p in
            try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: p[end...]))
        }
        if n == 0 { eof = true; return false }
        end += n
        return true
    }

    // `longQuoted`/`longQuoteInQuoted`: a quoted field ran past the record limit; keep following it (up to four
    // times the limit) to tell a long field (its quote closes, then a delimiter or line end) from an unbalanced quote.
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted, afterQuote, skipLine, longQuoted, longQuoteInQuoted }

    /// Advances to the next record.
    /// - Returns: `false` at the end of the input.
    /// - Throws: only when the underlying stream fails.
    public mutating func next() throws -> Bool {
        let q = options.quote, d = options.delimiter
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        while true {
            // Line-ending bookkeeping and the byte order mark, before the record starts.
            if start == end, try !fill() { return false }
            if atFileStart {
                while end - start < 3, try fill() {}
                if end - start >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF {
                    start += 3
                    hadByteOrderMark = true
                }
                atFileStart = false
                if start == end, try !fill() { return false }
            }
            if skipRestOfLine {
                var i = start
                while i < end, buffer[i] != lf, buffer[i] != cr { i += 1 }
                if i == end { start = end; continue }
                skipRestOfLine = false
                skipLF = buffer[i] == cr
                start = i + 1
                continue
            }
            if skipLF {
                skipLF = false
                if buffer[start] == lf {
                    start += 1
                    continue
                }
            }
            if buffer[start] == lf || buffer[start] == cr {
                // A blank line.
                skipLF = buffer[start] == cr
                start += 1
                blankLines += 1
                nextLine += 1
                continue
            }
            break
        }

        spans.removeAll(keepingCapacity: true)
        problem = nil
        isUnterminated = false
        line = nextLine
        var linesInRecord = 0
        var state = State.fieldStart
        var pos = start           // absolute position in buffer
        var fStart = 0            // relative
        var escaped = false
        var contentEnd = 0        // relative end of a quoted field's content

        @inline(__always) func finishField(_ endRel: Int) {
            spans.append(CSVFieldSpan(start: fStart, end: endRel, escaped: escaped))
        }

        while true {
            if pos == end {
                let base = start
                let more = try fill()
                pos -= base - start
                if !more {
                    // End of input ends the record.
                    let rel = pos - start
                    switch state {
                    case .fieldStart: fStart = rel; escaped = false; finishField(rel); isUnterminated = true
                    case .unquoted: finishField(rel); isUnterminated = true
                    case .afterQuote, .quoteInQuoted: finishField(contentEnd)
                    case .quoted, .longQuoted: return unbalanced()
                    case .longQuoteInQuoted:
                        // The long quoted field closed at the end of the input.
                        problem = .recordTooLong
                        state = .skipLine
                    case .skipLine: break
                    }
                    if state == .skipLine { spans.removeAll() }
                    recordStart = start; recordEnd = state == .skipLine ? min(end, start + options.maxRecordBytes) : pos
                    start = pos
                    nextLine += linesInRecord + 1
                    return true
                }
                continue
            }
            let rel = pos - start
            if rel >= options.maxRecordBytes {
                switch state {
                case .skipLine: break
                case .quoted: state = .longQuoted
                case .quoteInQuoted: state = .longQuoteInQuoted
                case .longQuoted, .longQuoteInQuoted:
                    if rel >= options.maxRecordBytes &* 4 { return unbalanced() }
                default:
                    problem = .recordTooLong
                    state = .skipLine
                }
            }
            let b = buffer[pos]
            switch state {
            case .fieldStart:
                fStart = rel
                escaped = false
                if b == q {
                    state = .quoted
                    fStart = rel + 1
                    pos += 1
                    continue
                }
                state = .unquoted
                fallthrough
            case .unquoted:
                if b == d {
                    finishField(rel)
                    state = .fieldStart
                } else if b == lf || b == cr {
                    finishField(rel)
                    return endRecord(at: pos, terminator: b, lines: linesInRecord)
                } else {
                    // The field's plain bytes skipped in one scan, up to the next byte this state acts on (or the
                    // end of what is read, or the record limit, both handled at the loop's top as before).
                    pos = buffer.withUnsafeBytes { CSVBytes.firstOf(d, lf, cr, in: $0, from: pos + 1, to: min(end, start &+ options.maxRecordBytes)) }
                    continue
                }
                pos += 1
            case .quoted:
                if b == q {
                    state = .quoteInQuoted
                    contentEnd = rel
                } else if b == lf {
                    linesInRecord += 1
                } else {
                    pos = buffer.withUnsafeBytes { CSVBytes.firstOf(q, lf, q, in: $0, from: pos + 1, to: min(end, start &+ options.maxRecordBytes)) }
                    continue
                }
                pos += 1
            case .quoteInQuoted:
                if b == q {
                    escaped = true
                    state = .quoted
                    pos += 1
                } else {
                    state = .afterQuote
                }
            case .afterQuote:
                if b == d {
                    finishField(contentEnd)
                    state = .fieldStart
                    pos += 1
                } else if b == lf || b == cr {
                    finishField(contentEnd)
                    return endRecord(at: pos, terminator: b, lines: linesInRecord)
                } else {
                    // Text after a closing quote: keep reading the field to its end, but flag the record.
                    problem = .malformedQuote
                    state = .unquoted
                }
            case .longQuoted:
                if b == q { state = .longQuoteInQuoted } else if b == lf { linesInRecord += 1 }
                pos += 1
            case .longQuoteInQuoted:
                if b == q {
                    state = .longQuoted
                    pos += 1
                } else if b == d || b == lf || b == cr {
                    // The quote closed where a field may end: a long field, not an unbalanced quote. Skip the
                    // rest of the record's line.
                    problem = .recordTooLong
                    state = .skipLine
                } else {
                    // Text after the quote that closed: the quotes pair up wrongly, so the first one never closed.
                    return unbalanced()
                }
            case .skipLine:
                if b == lf || b == cr {
                    recordStart = start
                    recordEnd = start + options.maxRecordBytes
                    spans.removeAll()
                    start = pos + 1
                    skipLF = b == cr
                    nextLine += linesInRecord + 1
                    return true
                }
                pos += 1
            }
        }

    }

    private mutating func endRecord(at pos: Int, terminator: UInt8, lines: Int) -> Bool {
        recordStart = start
        recordEnd = pos
        start = pos + 1
        skipLF = terminator == UInt8(ascii: "\r")
        nextLine += lines + 1
        return true
    }

    /// Reports the first physical line of a record whose quote never closes, and resumes after it.
    private mutating func unbalanced() -> Bool {
        spans.removeAll()
        problem = .unbalancedQuote
        recordStart = start
        var i = start
        while i < end, buffer[i] != UInt8(ascii: "\n"), buffer[i] != UInt8(ascii: "\r") { i += 1 }
        // The raw row is at most the record limit, like any other.
        recordEnd = min(i, start + options.maxRecordBytes)
        if i < end {
            skipLF = buffer[i] == UInt8(ascii: "\r")
            start = i + 1
        } else {
            // The line goes on beyond what is read: skip the rest of it before the next record.
            start = end
            skipRestOfLine = !eof
        }
        nextLine += 1
        return true
    }
}
