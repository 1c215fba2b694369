/// A count about people, suppressed when small: fewer than 5 is shown (and written to JSON) as "fewer than 5", so that
/// no small group can be picked out. Zero is shown as 0.
public struct SmallCount: Codable, Sendable, Equatable, Comparable {
    /// The exact count, kept for computing shares; never written out when suppressed.
    public let value: Int
    public static let threshold = 5

    public init(_ value: Int) { self.value = value }

    public var isSuppressed: Bool { value > 0 && value < SmallCount.threshold }

    /// The count for a reader: the number, or "fewer than 5".
    public var text: String { isSuppressed ? "fewer than \(SmallCount.threshold)" : Self.grouped(value) }

    public static func < (a: SmallCount, b: SmallCount) -> Bool { a.value < b.value }

    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if isSuppressed { try c.encode(text) } else { try c.encode(value) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Int.self) { value = v } else { value = 1 }
    }
}

/// A share of people whose count may be suppressed: the share is withheld when its numerator is.
public struct SmallShare: Codable, Sendable, Equatable {
    public var count: SmallCount
    /// count / of; `nil` when the count is suppressed or there is no denominator.
    public var share: Double?
    public var of: Int

    public init(_ count: Int, of total: Int) {
        self.count = SmallCount(count)
        self.of = total
        share = (self.count.isSuppressed || total == 0) ? nil : Double(count) / Double(total)
    }
}
