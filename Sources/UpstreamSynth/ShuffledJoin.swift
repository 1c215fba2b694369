import UpstreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Joins an extract's chunk part files into one file whose rows are in a random order fixed by the seed, so
/// that neither row order nor position says which rows belong to one person or household.
///
/// Memory stays bounded at any size: rows are first dealt at random into buckets of about 48 MB, then each
/// bucket is shuffled in memory (Fisher-Yates) and appended. Dealing items independently into buckets and
/// shuffling each bucket gives every order of the rows the same chance.
enum ShuffledJoin {
    static let bucketBytes = 48 << 20

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    static func readAll(_ path: String, into buffer: inout [UInt8]) throws {
        guard let f = fopen(path, "rb") else { throw SynthError("cannot read \(path)") }
        defer { fclose(f) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBufferPointer { fread($0.baseAddress, 1, $0.count, f) }
            if n == 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Line start offsets in `buffer` (every line ends with a newline).
    static func lineStarts(_ buffer: [UInt8]) -> [Int] {
        var starts: [Int] = []
        var s = 0
        buffer.withUnsafeBufferPointer { b in
            for i in 0..<b.count where b[i] == 10 {
                starts.append(s)
                s = i + 1
            }
        }
        return starts
    }

    /// Writes the lines of `buffer` to `out` in an order shuffled by `rng`.
    static func writeShuffled(_ buffer: [UInt8], to out: UnsafeMutablePointer<FILE>, _ rng: inout SeededRandom) {
        var starts = lineStarts(buffer)
        starts.shuffle(using: &rng)
        var outBuf: [UInt8] = []
        outBuf.reserveCapacity(1 << 20)
        buffer.withUnsafeBufferPointer { b in
            for s in starts {
                var e = s
                while b[e] != 10 { e += 1 }
                outBuf.append(contentsOf: b[s...e])
                if outBuf.count >= 1 << 20 {
                    outBuf.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, out) }
                    outBuf.removeAll(keepingCapacity: true)
                }
            }
        }
        outBuf.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, out) }
    }

    static func join(_ path: String, header: [String], delimiter: Character, parts: [String], scratch: String,
                     _ rng: inout SeededRandom) throws {
        let w = try CSVFileWriter(path: path, header: header, delimiter: delimiter)
        try w.close()
        guard let out = fopen(path, "ab") else { throw SynthError("cannot write \(path)") }
        defer { fclose(out) }
        let total = parts.reduce(0) { $0 + fileSize($1) }
        let buckets = total / bucketBytes + 1
        if buckets == 1 {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(total)
            for p in parts { try readAll(p, into: &buffer) }
            writeShuffled(buffer, to: out, &rng)
            return
        }
        // Deal the rows into buckets.
        try makeDirectory(scratch)
        let writers = try (0..<buckets).map { try CSVFileWriter(path: scratch + "/\($0)", header: nil, delimiter: ",") }
        for p in parts {
            var buffer: [UInt8] = []
            try readAll(p, into: &buffer)
            buffer.withUnsafeBufferPointer { b in
                var s = 0
                for i in 0..<b.count where b[i] == 10 {
                    writers[rng.below(buckets)].appendRaw(UnsafeBufferPointer(rebasing: b[s...i]))
                    s = i + 1
                }
            }
        }
        for wr in writers { try wr.close() }
        for k in 0..<buckets {
            var buffer: [UInt8] = []
            try readAll(scratch + "/\(k)", into: &buffer)
            writeShuffled(buffer, to: out, &rng)
        }
        try removeTree(scratch)
    }
}
