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
    private var file: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private(set) var rows = 0

    init(path: String, header: [String], delimiter: Character) throws {
        guard let f = fopen(path, "wb") else { throw SynthError("cannot create \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.file = f
        self.delimiter = delimiter
        buffer.reserveCapacity(1 << 17)
        append(header)
        rows = 0
    }

    func append(_ fields: [String]) {
        var first = true
        for f in fields {
            if !first { buffer.append(contentsOf: String(delimiter).utf8) }
            first = false
            buffer.append(contentsOf: SynthText.csv(f, delimiter: delimiter).utf8)
        }
        buffer.append(10)
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
