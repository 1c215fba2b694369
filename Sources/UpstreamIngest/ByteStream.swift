#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Somewhere bytes come from, read in chunks so that memory stays bounded whatever the file's size.
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
