#if canImport(UpstreamIngest)
import UpstreamIngest
import UpstreamModel
#endif

/// libFuzzer's entry point: reads `data` as CSV and checks the reader's invariants; a violation traps, which
/// libFuzzer reports with the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limit = 64
    var reader = CSVReader(ArrayByteStream(bytes, chunkSize: 7), options: CSVOptions(maxRecordBytes: limit), chunkSize: 64)
    var records = 0
    do {
        while try reader.next() {
            records += 1
            precondition(reader.raw.count <= limit, "a raw record longer than the limit")
            precondition(records <= size + 1, "more records than bytes")
            for i in 0..<reader.fieldCount { _ = reader.fieldBytes(i) }
            _ = reader.isValidUTF8
            _ = reader.containsNUL
        }
    } catch {
        preconditionFailure("an in-memory stream never fails: \(error)")
    }
    return 0
}
