/// A set of byte strings that only answers "seen before?" as each is added: an open-addressing table over the
/// strings' own bytes with a 64-bit hash (``ByteHash/words(_:seed:)``), for a file reader's duplicate-id check (a `Set<String>` hashed every
/// record id with SipHash through a fresh `Hasher`, about 2% of a million-record link's CPU).
///
/// Exact: a hash match is confirmed on the bytes, so two different ids are never taken for one.
///
/// Files often list their ids in order (`A0000000`, `A0000001`, …): while every key comes after the one before it in
/// byte order it is new without a look-up, so the table is built only when the first key that does not comes (every
/// key so far placed then), and a file in order never builds it.
public struct SeenKeys: Sendable {
    /// Every key's bytes; key `i` is `bytes[start[i]..<start[i + 1]]`.
    private var bytes: [UInt8] = []
    private var start: [Int] = [0]
    /// The hash's high 32 bits and `index + 1` in the low half; 0 for an empty slot. Under half full. Empty while
    /// ``ascending``.
    private var slots: [UInt64] = []
    /// Whether every key so far came after the one before it in byte order (so none can be a repeat).
    private var ascending = true

    public init() {}

    /// How many distinct keys have been added.
    public var count: Int { start.count - 1 }

    /// Adds `key`; false when it was already there.
    public mutating func insert(_ key: String) -> Bool {
        var k = key
        return k.withUTF8 { insert($0) }
    }

    /// Adds the bytes `key`; false when they were already there.
    public mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        if ascending {
            let above = count == 0 || bytes.withUnsafeBufferPointer { b in
                ByteOrder.compare(UnsafeRawBufferPointer(key), UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[start[count - 1]..<start[count]]))) > 0
            }
            if above {
                bytes.append(contentsOf: key)
                start.append(bytes.count)
                return true
            }
            ascending = false
        }
        if 2 * (count + 1) > slots.count { grow() }
        let h = ByteHash.words(key)
        let mask = slots.count - 1
        var j = Int(truncatingIfNeeded: h) & mask
        let tag = h & 0xFFFF_FFFF_0000_0000
        while true {
            let s = slots[j]
            if s == 0 { break }
            if s & 0xFFFF_FFFF_0000_0000 == tag {
                let i = Int(s & 0xFFFF_FFFF) - 1
                let same = bytes.withUnsafeBufferPointer { b in
                    start[i + 1] - start[i] == key.count && ByteOrder.compare(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[start[i]..<start[i + 1]])), UnsafeRawBufferPointer(key)) == 0
                }
                if same { return false }
            }
            j = (j + 1) & mask
        }
        slots[j] = tag | UInt64(count + 1)
        bytes.append(contentsOf: key)
        start.append(bytes.count)
        return true
    }

    /// Doubles the table (or makes the first one, big enough for every key so far), placing every key again.
    private mutating func grow() {
        var size = max(1 << 10, slots.count * 2)
        while 2 * (count + 1) > size { size *= 2 }
        var grown = [UInt64](repeating: 0, count: size)
        let mask = grown.count - 1
        bytes.withUnsafeBufferPointer { b in
            for i in 0..<count {
                let h = ByteHash.words(UnsafeBufferPointer(rebasing: b[start[i]..<start[i + 1]]))
                var j = Int(truncatingIfNeeded: h) & mask
                while grown[j] != 0 { j = (j + 1) & mask }
                grown[j] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(i + 1)
            }
        }
        slots = grown
    }
}

/// The byte-string hashes the tables share: 64-bit FNV-1a (the link index's stable key hashes, which are kept), and a
/// hash read a word at a time with SplitMix64's finaliser (so the low bits a table's slot uses depend on every byte)
/// for the in-memory tables: the linkage interner and the record-id check.
public enum ByteHash {
    /// FNV-1a over `b`, its offset basis XORed with `seed` (a table's namespace; 0 for none).
    @inlinable public static func fnv1a(_ b: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for x in b { h = (h ^ UInt64(x)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// SplitMix64's finaliser: every bit of `h` reaches the low bits a table's slot uses.
    @inlinable public static func finalised(_ h: UInt64) -> UInt64 {
        var h = h
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }

    /// A hash of `b` read eight bytes at a time (FNV-1a multiplies once a byte; hashing the strings was about 0.18
    /// CPU-s of standardising a 1,000,000-record read in session 43's profile), its length and `seed` mixed in,
    /// finalised by ``finalised(_:)``. For in-memory tables only: its values are not kept anywhere (the link index keeps
    /// ``fnv1a(_:seed:)``'s).
    @inlinable public static func words(_ b: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ seed ^ (UInt64(b.count) &* 0xFF51_AFD7_ED55_8CCD)
        guard let base = b.baseAddress else { return finalised(h) }
        let raw = UnsafeRawPointer(base), n = b.count
        var i = 0
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            var w: UInt64 = 0, shift: UInt64 = 0
            if i + 4 <= n { w = UInt64(raw.loadUnaligned(fromByteOffset: i, as: UInt32.self)); shift = 32; i += 4 }
            while i < n { w |= UInt64(base[i]) << shift; shift += 8; i += 1 }
            h = (h ^ w) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 29
        }
        return finalised(h)
    }
}
