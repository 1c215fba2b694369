import Foundation
import UpstreamModel

/// Byte strings to values, exactly: open addressing over ``StableHash``, every hit checked against the key's bytes.
/// The record-order pass looks up every record's postcode, ethnicity code and detail in tables like this; a Swift
/// dictionary keyed by `String` needed a string per look-up and a seeded `Hasher` (about a tenth of the pass's CPU
/// at 3,000,000 people in session 25's profile; Benchmarks/force-scale.md, "Session 25").
struct ByteKeyTable<Value> {
    /// Each slot: the key's hash and 1 + its entry (0: empty).
    private var slots: [(hash: UInt64, entry: UInt32)]
    private var keyBytes: [UInt8] = []
    private var keyStarts: [Int] = [0]
    private(set) var values: [Value] = []
    private var mask: Int

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: (0, 0), count: size)
        mask = size - 1
    }

    var count: Int { values.count }

    /// The value stored for exactly these bytes, if any.
    func value(for key: UnsafeBufferPointer<UInt8>) -> Value? {
        let h = StableHash.of(anyBytes: key)
        var i = Self.start(h, mask)
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let slot = slots[i]
                if slot.entry == 0 { return nil }
                if slot.hash == h && equal(Int(slot.entry - 1), key) { return values[Int(slot.entry - 1)] }
                i = (i + 1) & mask
            }
        }
    }

    /// Stores `value` for `key` unless the key is already there (the first value stays).
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, _ value: Value) {
        if (values.count + 1) * 2 > slots.count { grow() }
        let h = StableHash.of(anyBytes: key)
        var i = Self.start(h, mask)
        while slots[i].entry != 0 {
            if slots[i].hash == h && equal(Int(slots[i].entry - 1), key) { return }
            i = (i + 1) & mask
        }
        values.append(value)
        keyBytes.append(contentsOf: key)
        keyStarts.append(keyBytes.count)
        slots[i] = (h, UInt32(values.count))
    }

    /// ``insert(_:_:)`` of a string's UTF-8.
    mutating func insert(_ key: String, _ value: Value) {
        var key = key
        key.withUTF8 { insert($0, value) }
    }

    private func equal(_ entry: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let from = keyStarts[entry], length = keyStarts[entry + 1] - from
        guard length == key.count else { return false }
        if length == 0 { return true }
        return keyBytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + from, key.baseAddress!, length) == 0 }
    }

    private static func start(_ h: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    private mutating func grow() {
        let size = slots.count * 2
        var bigger = [(hash: UInt64, entry: UInt32)](repeating: (0, 0), count: size)
        let newMask = size - 1
        for slot in slots where slot.entry != 0 {
            var i = Self.start(slot.hash, newMask)
            while bigger[i].entry != 0 { i = (i + 1) & newMask }
            bigger[i] = slot
        }
        slots = bigger
        mask = newMask
    }
}

/// The deprivation decile of each postcode (upper-cased), looked up from a record's postcode as a string or as its
/// bytes: the same answer either way (``CompactRecord``'s two initialisers). A postcode of at most eight ASCII bytes
/// (every UK postcode) is looked up as one 64-bit number (``PackedKeys``) in a ``NumberTable``: one cache line a look-up, where the byte
/// table needed three (its slot, the key's start and its bytes) and the table grows with the city (200,000
/// postcodes at 3,000,000 people: `PostcodeDeciles.decile` 5.8% of `risk score`'s samples in session 34's profile, and
/// `memcmp`, partly its, 2.2%).
struct PostcodeDeciles: Sendable {
    private let byString: [String: Int]
    private let byBytes: ByteKeyTable<UInt8>
    private let packed: NumberTable

    init(_ postcodeDeprivation: [String: Int]) {
        byString = Dictionary(postcodeDeprivation.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        var table = ByteKeyTable<UInt8>(capacity: byString.count)
        var packed = NumberTable(capacity: byString.count)
        for (postcode, decile) in byString {
            var key = postcode
            if let number = key.withUTF8({ PackedKeys.number($0) }) {
                packed.insert(number, UInt32(UInt8(clamping: decile)))
            } else {
                table.insert(postcode, UInt8(clamping: decile))
            }
        }
        byBytes = table
        self.packed = packed
    }

    /// 0 for no postcode, an empty one or one the lookup does not know.
    func decile(_ postcode: String?) -> UInt8 {
        guard let pc = postcode, !pc.isEmpty, let d = byString[pc.uppercased()] else { return 0 }
        return UInt8(clamping: d)
    }

    /// ``decile(_:)`` of the string these bytes make: ASCII postcodes (up to 32 bytes) upper-cased in place.
    func decile(bytes: UnsafeBufferPointer<UInt8>?) -> UInt8 {
        guard let pc = bytes, !pc.isEmpty else { return 0 }
        if let number = PackedKeys.number(pc, upperCased: true) { return packed.value(number).map { UInt8(truncatingIfNeeded: $0) } ?? 0 }
        guard pc.count <= 32, pc.allSatisfy({ $0 < 0x80 }) else { return decile(String(decoding: pc, as: UTF8.self)) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: pc.count) { upper in
            for (i, b) in pc.enumerated() { upper[i] = StableHash.upper(b) }
            return byBytes.value(for: UnsafeBufferPointer(upper)) ?? 0
        }
    }
}

/// Keys of one to eight ASCII bytes (no NUL) as 64-bit numbers, the bytes in order from the lowest, for a
/// ``NumberTable``: two keys are equal exactly when their numbers are.
enum PackedKeys {
    /// The number of a key of one to eight ASCII bytes without NUL (upper-cased first when `upperCased`); nil for
    /// any other key.
    static func number(_ b: UnsafeBufferPointer<UInt8>, upperCased: Bool = false) -> UInt64? {
        guard (1...8).contains(b.count) else { return nil }
        var n: UInt64 = 0
        for i in stride(from: b.count - 1, through: 0, by: -1) {
            let c = upperCased ? StableHash.upper(b[i]) : b[i]
            guard c != 0 && c < 0x80 else { return nil }
            n = n << 8 | UInt64(c)
        }
        return n
    }
}

extension ByteKeyTable: Sendable where Value: Sendable {}
