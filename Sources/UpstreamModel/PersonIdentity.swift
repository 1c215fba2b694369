/// A record's identity across runs and stores: its source and its id within the source.
public struct RecordKey: Hashable, Sendable, Codable, Comparable {
    public var source: String
    public var recordID: String
    public init(source: String, recordID: String) { self.source = source; self.recordID = recordID }
    public static func < (a: RecordKey, b: RecordKey) -> Bool { (a.source, a.recordID) < (b.source, b.recordID) }
}

/// A person's stable id, `P` followed by sixteen hex digits.
public struct PersonID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: PersonID, b: PersonID) -> Bool { a.rawValue < b.rawValue }

    /// The id a new cluster takes: derived from its smallest record key, so a re-run over the same data
    /// gives the same ids even without any saved state (FNV-1a, 64-bit).
    public static func derived(from key: RecordKey) -> PersonID {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.source.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        h = (h ^ 0x1f) &* 0x0000_0100_0000_01b3
        for b in key.recordID.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let hex = String(h, radix: 16)
        return PersonID("P" + String(repeating: "0", count: 16 - hex.count) + hex)
    }
}
