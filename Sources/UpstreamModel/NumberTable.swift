/// 64-bit numbers to 32-bit values by open addressing: each slot holds a number and 1 + its value (0: the slot is
/// empty), so a look-up reads one slot (16 bytes, one cache line) a probe and compares the number exactly. At most
/// half the slots fill. The table under ``PersonPositions`` (a person id as the number its hex digits spell) and the
/// risk features' postcode deciles (a postcode as the number its bytes spell), where a dictionary of strings cost a
/// hash and a miss to the string's storage a record.
public struct NumberTable: Sendable {
    @usableFromInline var slots: [(number: UInt64, stored: UInt32)]
    @usableFromInline let mask: Int
    @usableFromInline var filled = 0
    /// How many numbers the table holds.
    public var count: Int { filled }

    /// A table with room for `capacity` numbers.
    public init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: (0, 0), count: size)
        mask = size - 1
    }

    /// Stores `value` (below `UInt32.max`) for `number` unless the number is there already (the first value stays).
    /// - Precondition: no more numbers than the capacity the table was made with.
    @inlinable public mutating func insert(_ number: UInt64, _ value: UInt32) {
        precondition(value < UInt32.max, "a value below UInt32.max")
        var i = Self.start(number, mask)
        while slots[i].stored != 0 {
            if slots[i].number == number { return }
            i = (i + 1) & mask
        }
        precondition(filled * 2 < slots.count, "more numbers than the table was made for")
        slots[i] = (number, value + 1)
        filled += 1
    }

    /// Stores `value` for `number` and returns true, or returns false when the number is there already (its value
    /// stays): a test and an insert in one probe.
    /// - Precondition: no more numbers than the capacity the table was made with.
    @inlinable public mutating func insertIfAbsent(_ number: UInt64, _ value: UInt32) -> Bool {
        precondition(value < UInt32.max, "a value below UInt32.max")
        var i = Self.start(number, mask)
        while slots[i].stored != 0 {
            if slots[i].number == number { return false }
            i = (i + 1) & mask
        }
        precondition(filled * 2 < slots.count, "more numbers than the table was made for")
        slots[i] = (number, value + 1)
        filled += 1
        return true
    }

    /// Reads the slot a look-up of `number` reads first and returns what it holds, so that a caller that knows its
    /// next numbers can have their cache misses under way before it looks them up (fold the results and keep them).
    @inlinable public func touch(_ number: UInt64) -> UInt64 {
        slots.withUnsafeBufferPointer { $0[Self.start(number, mask)].number }
    }

    /// The value stored for `number`, nil when none is.
    @inlinable public func value(_ number: UInt64) -> UInt32? {
        var i = Self.start(number, mask)
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let slot = slots[i]
                if slot.stored == 0 { return nil }
                if slot.number == number { return slot.stored - 1 }
                i = (i + 1) & mask
            }
        }
    }

    /// The first slot to probe: the number's golden-ratio multiple, its upper bits.
    @inlinable static func start(_ n: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: (n &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }
}
