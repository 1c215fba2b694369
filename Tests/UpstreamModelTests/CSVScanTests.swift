import PropertyBased
import Testing
@testable import UpstreamModel

/// The CSV reader's word-at-a-time scans, and the reader that skips a field's plain bytes with them: the same
/// records whatever the chunking and record limit, and plain text split as a naive splitter splits it.
@Suite("CSV byte scans")
struct CSVScanTests {
    /// Bytes the reader acts on, and some it does not (a high byte, a NUL, plain letters).
    static let alphabet: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\""), 0x0A, 0x0D, UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: " "),
                                    0xC3, 0x00, 0x80, 0xFF, UInt8(ascii: "|")]
    static let bytes = Gen<UInt8?>.element(of: alphabet).map { $0! }.array(of: 0...80)

    @Test("the first of three bytes found eight at a time is the first a byte-by-byte scan finds, for any range")
    func firstOfIsTheNaiveScan() async {
        await propertyCheck(count: 600, input: Self.bytes, Gen.int(in: 0...80), Gen.int(in: 0...80), Gen.int(in: 0...11)) { b, f, t, k in
            let from = min(f, b.count), to = min(t, b.count)
            let x = Self.alphabet[k], y = Self.alphabet[(k + 3) % Self.alphabet.count], z = Self.alphabet[(k + 7) % Self.alphabet.count]
            let naive = from < to ? (from..<to).first { [x, y, z].contains(b[$0]) } ?? to : from
            let fast = b.withUnsafeBytes { CSVBytes.firstOf(x, y, z, in: $0, from: from, to: to) }
            #expect(fast == naive, "\(b) \(from)..<\(to)")
        }
    }

    @Test("bytes are ASCII, read eight at a time, exactly when none is 0x80 or over")
    func isASCIIIsTheNaiveTest() async {
        await propertyCheck(count: 400, input: Self.bytes) { b in
            #expect(b.withUnsafeBytes { CSVBytes.isASCII($0) } == b.allSatisfy { $0 < 0x80 })
        }
    }

    /// Every record the reader gives, with everything it says about it.
    struct Read: Equatable {
        var fields: [[UInt8]], problem: CSVProblem?, line: Int, raw: [UInt8], unterminated: Bool
    }

    static func read(_ bytes: [UInt8], chunk: Int, limit: Int) -> (records: [Read], blank: Int) {
        var reader = CSVReader(ArrayByteStream(bytes, chunkSize: chunk), options: CSVOptions(maxRecordBytes: limit), chunkSize: 64)
        var out: [Read] = []
        while try! reader.next() {
            out.append(Read(fields: (0..<reader.fieldCount).map { reader.fieldBytes($0) }, problem: reader.problem, line: reader.line,
                            raw: Array(reader.raw), unterminated: reader.isUnterminated))
        }
        return (out, reader.blankLines)
    }

    @Test("messy bytes read the same, record for record, whether they come a byte, a few or all at a time, under any record limit")
    func messyBytesReadTheSameInAnyChunks() async {
        await propertyCheck(count: 400, input: Self.bytes, Gen.int(in: 3...40)) { b, limit in
            let whole = Self.read(b, chunk: b.count + 1, limit: limit)
            for chunk in [1, 2, 7] {
                let r = Self.read(b, chunk: chunk, limit: limit)
                #expect(r.records == whole.records, "\(b) chunk \(chunk) limit \(limit)")
                #expect(r.blank == whole.blank)
            }
        }
    }

    @Test("text without quotes or carriage returns reads as its non-blank lines split at every comma")
    func plainTextIsSplitAtCommasAndLines() async {
        let plain: [UInt8] = [UInt8(ascii: ","), 0x0A, UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: " "), 0xC3, 0xA9]
        let gen = Gen<UInt8?>.element(of: plain).map { $0! }.array(of: 0...120)
        await propertyCheck(count: 400, input: gen, Gen.int(in: 1...9)) { b, chunk in
            let lines = b.split(separator: 0x0A, omittingEmptySubsequences: true)
            let expected = lines.map { $0.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map(Array.init) }
            let got = Self.read(b, chunk: chunk, limit: 1 << 20).records
            #expect(got.map(\.fields) == expected, "\(b)")
            #expect(got.allSatisfy { $0.problem == nil })
        }
    }
}
