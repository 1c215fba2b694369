/// Each listed person's position, found from the id's bytes without making a string. An id of the form every
/// linked person has (`P` and sixteen lower-case hex digits, ``PersonID/derived(from:)``) is its 64-bit number, looked
/// up in an open-addressing table of numbers and positions (one cache line a look-up, the number compared exactly);
/// any other id is looked up by string. (A dictionary of hashes with the id's own bytes compared on a hit was 7% of
/// the pass at 3,000,000 people: a seeded hash and a miss to the id's storage a record.)
public struct PersonPositions: Sendable {
    /// Each slot: 1 + the number's position (0: empty) and the number.
    private var slots: [(position: UInt32, number: UInt64)]
    private let mask: Int
    private var others: [String: UInt32] = [:]

    /// Numbers every id by its position in `ids` (a repeated id keeps its first position).
    public init(_ ids: [String]) {
        var size = 16
        while size < ids.count * 2 { size <<= 1 }
        slots = Array(repeating: (0, 0), count: size)
        mask = size - 1
        for (p, id) in ids.enumerated() {
            var id = id
            if let number = id.withUTF8({ Self.number($0) }) {
                var i = Self.start(number, mask)
                while slots[i].position != 0 && slots[i].number != number { i = (i + 1) & mask }
                if slots[i].position == 0 { slots[i] = (UInt32(p + 1), number) }
            } else if others[id] == nil {
                others[id] = UInt32(p)
            }
        }
    }

    /// The position of the id whose UTF-8 bytes are `bytes`, nil when it is not listed.
    public func position(of bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard let number = Self.number(bytes) else { return others[String(decoding: bytes, as: UTF8.self)] }
        var i = Self.start(number, mask)
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let slot = slots[i]
                if slot.position == 0 { return nil }
                if slot.number == number { return slot.position - 1 }
                i = (i + 1) & mask
            }
        }
    }

    /// The number an id `P` + sixteen lower-case hex digits spells; nil for any other id (one number, one id).
    public static func number(_ b: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard b.count == 17, b[0] == UInt8(ascii: "P") else { return nil }
        var n: UInt64 = 0
        for i in 1..<17 {
            let c = b[i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            n = n << 4 | UInt64(digit)
        }
        return n
    }

    private static func start(_ n: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: (n &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }
}
