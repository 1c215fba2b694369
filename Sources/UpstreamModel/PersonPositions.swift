/// Each listed person's position, found from the id's bytes without making a string. An id of the form every
/// linked person has (`P` and sixteen lower-case hex digits, ``PersonID/derived(from:)``) is its 64-bit number, looked
/// up in a ``NumberTable`` of numbers and positions (one cache line a look-up, the number compared exactly);
/// any other id is looked up by string. (A dictionary of hashes with the id's own bytes compared on a hit was 7% of
/// the pass at 3,000,000 people: a seeded hash and a miss to the id's storage a record.)
public struct PersonPositions: Sendable {
    private var numbers: NumberTable
    private var others: [String: UInt32] = [:]

    /// Numbers every id by its position in `ids` (a repeated id keeps its first position).
    public init(_ ids: [String]) {
        numbers = NumberTable(capacity: ids.count)
        for (p, id) in ids.enumerated() {
            var id = id
            if let number = id.withUTF8({ Self.number($0) }) {
                numbers.insert(number, UInt32(p))
            } else if others[id] == nil {
                others[id] = UInt32(p)
            }
        }
    }

    /// The position of the id whose UTF-8 bytes are `bytes`, nil when it is not listed.
    public func position(of bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard let number = Self.number(bytes) else { return others[String(decoding: bytes, as: UTF8.self)] }
        return numbers.value(number)
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
}
