/// A calendar month, the unit of police.uk data and of every monthly series (`2024-03`).
public struct YearMonth: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Months since January of year 0: `year * 12 + month - 1`.
    public var index: Int

    public init(index: Int) { self.index = index }
    public init?(year: Int, month: Int) {
        guard (1...12).contains(month), (1...9999).contains(year) else { return nil }
        index = year * 12 + month - 1
    }

    public var year: Int { index / 12 }
    /// 1 … 12.
    public var month: Int { index % 12 + 1 }

    /// `YYYY-MM`.
    public var description: String {
        let y = String(year), m = month < 10 ? "0\(month)" : String(month)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m
    }

    /// Parses `YYYY-MM` exactly (no day, no spaces); `nil` otherwise.
    public init?<S: StringProtocol>(_ text: S) {
        let bytes = Array(text.utf8)
        guard let ym = YearMonth.parse(bytes[...]) else { return nil }
        self = ym
    }

    /// Parses the bytes of `YYYY-MM`.
    static func parse(_ b: ArraySlice<UInt8>) -> YearMonth? {
        guard b.count == 7 else { return nil }
        let s = b.startIndex
        var y = 0
        for i in 0..<4 {
            let d = Int(b[s + i]) - 48
            guard (0...9).contains(d) else { return nil }
            y = y * 10 + d
        }
        guard b[s + 4] == UInt8(ascii: "-") else { return nil }
        let m1 = Int(b[s + 5]) - 48, m2 = Int(b[s + 6]) - 48
        guard (0...9).contains(m1), (0...9).contains(m2) else { return nil }
        return YearMonth(year: y, month: m1 * 10 + m2)
    }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { a.index < b.index }
    public func adding(_ months: Int) -> YearMonth { YearMonth(index: index + months) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let v = YearMonth(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected YYYY-MM")
        }
        self = v
    }
}
