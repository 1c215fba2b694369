#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import UpstreamModel

/// A file read with POSIX `read(2)`.
public final class FileByteStream: ByteStream {
    let fd: Int32
    public let path: String
    /// Bytes read so far, for progress reports.
    public private(set) var bytesRead: Int64 = 0

    /// Opens `path` for reading.
    /// - Throws: ``IngestError/cannotOpen(_:)`` when the file cannot be opened.
    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw IngestError.cannotOpen(path) }
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            #if canImport(Glibc)
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            #else
            let n = Darwin.read(fd, buffer.baseAddress, buffer.count)
            #endif
            if n >= 0 {
                bytesRead += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw IngestError.cannotRead(path)
        }
    }

    /// The file's size in bytes, when known.
    public var size: Int64? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }
}
