import Foundation

/// The compact records of a stream too large for one chunk, written once, in stream order, to a temporary file, so
/// that each chunk of `StreamingCohortBuilder` reads its persons (and their neighbours) back from disk instead of
/// replaying the whole store. A compact record is about 80 bytes of plain values, so the file is a fraction of the
/// store; reading a person back is one `pread`.
///
/// The file is created owner-only and unlinked at once: it has no name while it is used, and nothing is left
/// behind when the process ends, however it ends.
final class CompactSpill: @unchecked Sendable {
    private let descriptor: Int32
    /// `starts[p]` is the index of person `p`'s first record (stream position `p`); the last entry is the count.
    private(set) var starts: [Int] = [0]
    private var pending: [CompactRecord] = []
    private var flushed = 0
    static let bufferRecords = 1 << 15

    /// Persons written so far.
    var personCount: Int { starts.count - 1 }

    /// Creates the (nameless) file in `directory`.
    init(directory: String) throws {
        precondition(_isPOD(CompactRecord.self), "compact records must be plain values to be spilled as bytes")
        descriptor = try ScratchFile.create(in: directory, name: "upstream-risk-spill")
    }

    deinit { close(descriptor) }

    /// Adds the next person's records (stream order).
    func append(_ records: [CompactRecord]) throws { try append(records[...]) }

    /// Adds the next person's records from a slice of a larger run.
    func append(_ records: ArraySlice<CompactRecord>) throws {
        pending += records
        starts.append(starts[starts.count - 1] + records.count)
        if pending.count >= Self.bufferRecords { try flush() }
    }

    /// Writes what is buffered; call once after the last person, before reading.
    func flush() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBytes { try ScratchFile.write($0, to: descriptor) }
        flushed += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    /// The records of stream positions `positions` (consecutive), in order, in one read.
    func records(_ positions: Range<Int>) throws -> [CompactRecord] {
        let from = starts[positions.lowerBound], to = starts[positions.upperBound]
        precondition(to <= flushed, "flush the spill before reading it")
        let count = to - from
        guard count > 0 else { return [] }
        return try ScratchFile.read(count, at: from, from: descriptor)
    }

    /// The records of the person at stream position `position`.
    func records(of position: Int) throws -> [CompactRecord] { try records(position..<(position + 1)) }

    /// The person at each position of `positions`, split from one read of their records.
    func persons(_ positions: Range<Int>) throws -> [[CompactRecord]] {
        let block = try records(positions), base = starts[positions.lowerBound]
        return positions.map { Array(block[(starts[$0] - base)..<(starts[$0 + 1] - base)]) }
    }
}

/// The plain-value scratch files of the risk features (``CompactSpill`` and the first pass's sorted buckets): each
/// is created owner-only in a directory and unlinked at once, so it has no name while used and nothing is left
/// behind however the process ends; values go in and come back as their bytes.
enum ScratchFile {
    /// Creates a nameless file in `directory`; returns its descriptor (the caller closes it).
    static func create(in directory: String, name: String) throws -> Int32 {
        var template = Array((directory + "/\(name)-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw SpillError(message: "cannot create a spill file in \(directory): \(String(cString: strerror(errno)))") }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        return fd
    }

    /// Appends all of `bytes`.
    static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw SpillError(message: "cannot write the risk spill file: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    /// `count` values from the `index`-th value of the file on.
    static func read<T>(_ count: Int, at index: Int, from descriptor: Int32) throws -> [T] {
        precondition(_isPOD(T.self), "only plain values are written as bytes")
        guard count > 0 else { return [] }
        let stride = MemoryLayout<T>.stride
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialised in
            let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
            let total = count * stride
            var done = 0
            while done < total {
                let n = pread(descriptor, raw + done, total - done, off_t(index * stride + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SpillError(message: "cannot read the risk spill file: \(String(cString: strerror(errno)))")
                }
                if n == 0 { throw SpillError(message: "the risk spill file ended early") }
                done += n
            }
            initialised = count
        }
    }
}

/// A spill file that could not be created, written or read.
public struct SpillError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
