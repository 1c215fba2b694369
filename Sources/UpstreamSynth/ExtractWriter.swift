import UpstreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors from writing the synthetic city.
public struct SynthError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// A buffered CSV file writer for one extract; it streams, so memory does not grow with the file.
final class CSVFileWriter {
    let path: String
    let delimiter: Character
    let delimiterByte: UInt8
    private var file: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private(set) var rows = 0

    init(path: String, header: [String]?, delimiter: Character, append: Bool = false) throws {
        guard let f = fopen(path, append ? "ab" : "wb") else { throw SynthError("cannot create \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.file = f
        self.delimiter = delimiter
        self.delimiterByte = delimiter.asciiValue ?? 44
        buffer.reserveCapacity(1 << 17)
        if let header { self.append(header) }
        rows = 0
    }

    func append(_ fields: [String]) {
        CSVWriter.append(fields, delimiter: delimiterByte, to: &buffer)
        rows += 1
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Appends bytes that already form one or more complete lines.
    func appendRaw(_ bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
        rows += 1
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        if !buffer.isEmpty {
            buffer.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, file) }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    func close() throws {
        flush()
        if fclose(file) != 0 { throw SynthError("cannot write \(path)") }
    }
}

/// Appends the contents of `source` to an open writer's file (used to join chunk part files).
func appendFile(_ source: String, to dest: UnsafeMutablePointer<FILE>) throws {
    guard let f = fopen(source, "rb") else { throw SynthError("cannot read \(source)") }
    defer { fclose(f) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = buffer.withUnsafeMutableBufferPointer { fread($0.baseAddress, 1, $0.count, f) }
        if n == 0 { break }
        _ = buffer.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, n, dest) }
    }
}
