/// A record's identity across runs and stores: its source and its id within the source.
public struct RecordKey: Hashable, Sendable, Codable, Comparable {
    public var source: String
    public var recordID: String
    public init(source: String, recordID: String) { self.source = source; self.recordID = recordID }
    public static func < (a: RecordKey, b: RecordKey) -> Bool { (a.source, a.recordID) < (b.source, b.recordID) }

    /// The stores' key order: by source, then record id, each by its UTF-8 bytes (SQLite's BINARY collation,
    /// PostgreSQL's "C"), which is not always String's `<` (that compares Unicode canonical forms).
    @inlinable public static func bytesPrecede(_ a: RecordKey, _ b: RecordKey) -> Bool {
        let s = ByteOrder.compare(a.source, b.source)
        return s != 0 ? s < 0 : ByteOrder.compare(a.recordID, b.recordID) < 0
    }

    /// Whether the two keys have the same bytes.
    @inlinable public static func sameBytes(_ a: RecordKey, _ b: RecordKey) -> Bool {
        ByteOrder.compare(a.recordID, b.recordID) == 0 && ByteOrder.compare(a.source, b.source) == 0
    }
}

/// Strings compared by their UTF-8 bytes, as the stores' indexes order them: eight bytes at a time on the strings'
/// own storage (native and small strings), without walking them through their views.
public enum ByteOrder {
    /// Negative, zero or positive as `a`'s UTF-8 bytes come before, equal or after `b`'s.
    @inlinable public static func compare(_ a: String, _ b: String) -> Int {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Int in compare(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) }
        }
        if let f = fast, let c = f { return c }
        if a.utf8.elementsEqual(b.utf8) { return 0 }
        return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
    }

    /// Negative, zero or positive as the bytes of `x` come before, equal or after those of `y` (a shorter prefix first).
    @inlinable public static func compare(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Int {
        let n = min(x.count, y.count)
        var i = 0
        while i + 8 <= n {
            let a = UInt64(bigEndian: x.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let b = UInt64(bigEndian: y.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if a != b { return a < b ? -1 : 1 }
            i += 8
        }
        while i < n {
            if x[i] != y[i] { return Int(x[i]) - Int(y[i]) }
            i += 1
        }
        return x.count - y.count
    }
}

/// A person's stable id, `P` followed by sixteen hex digits.
public struct PersonID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: PersonID, b: PersonID) -> Bool { a.rawValue < b.rawValue }

    /// The id a new cluster takes: derived from its smallest record key, so a re-run over the same data
    /// gives the same ids even without any saved state (FNV-1a, 64-bit).
    public static func derived(from key: RecordKey) -> PersonID { PersonID(derivedHash: derivedHash(from: key)) }

    /// The 64-bit hash a derived id writes (``derived(from:)`` is `P` and its 16 hex digits), so a caller can tell
    /// derived ids apart by their hashes without making their strings.
    public static func derivedHash(from key: RecordKey) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.source.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        h = (h ^ 0x1f) &* 0x0000_0100_0000_01b3
        for b in key.recordID.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// The derived id whose hash is `h`: `P` and `h` in 16 lower-case hex digits.
    public init(derivedHash h: UInt64) {
        let digits = Array("0123456789abcdef".utf8)
        rawValue = String(unsafeUninitializedCapacity: 17) { b in
            b[0] = UInt8(ascii: "P")
            for i in 0..<16 { b[16 - i] = digits[Int((h >> (4 * UInt64(i))) & 0xF)] }
            return 17
        }
    }
}
