/// Gives each distinct byte string a small integer, without building a `String` per lookup: the hot path of reading
/// millions of police.uk rows looks up crime types and LSOA codes by their bytes.
struct ByteInterner: Sendable {
    private var storage: [UInt8] = []
    private var starts: [Int] = [0]
    private var table: [UInt64: Int] = [:]
    /// The next entry with the same hash (a chain), or -1.
    private var next: [Int] = []

    var count: Int { next.count }

    @inline(__always)
    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The bytes of entry `i`.
    func bytes(_ i: Int) -> ArraySlice<UInt8> { storage[starts[i]..<starts[i + 1]] }
    func string(_ i: Int) -> String { String(decoding: bytes(i), as: UTF8.self) }

    /// The number of `bytes`, adding it when new; `isNew` says which.
    @inline(__always)
    mutating func intern(_ bytes: ArraySlice<UInt8>) -> (index: Int, isNew: Bool) {
        let h = ByteInterner.hash(bytes)
        var candidate = table[h] ?? -1
        while candidate >= 0 {
            if self.bytes(candidate).elementsEqual(bytes) { return (candidate, false) }
            candidate = next[candidate]
        }
        let index = next.count
        next.append(table[h] ?? -1)
        table[h] = index
        storage.append(contentsOf: bytes)
        starts.append(storage.count)
        return (index, true)
    }
}
