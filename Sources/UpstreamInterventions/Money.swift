/// An amount of money in whole pence (GBP), exact: sums of costs never drift the way floating point does.
/// Expected values (a probability times a cost) are rounded to the nearest penny when stored as `Money`.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var pence: Int64

    public init(pence: Int64) { self.pence = pence }
    /// Rounds to the nearest penny (halves away from zero).
    public init(pounds: Double) { self.pence = Int64((pounds * 100).rounded()) }

    public static let zero = Money(pence: 0)
    public var pounds: Double { Double(pence) / 100 }

    public static func + (a: Money, b: Money) -> Money { Money(pence: a.pence + b.pence) }
    public static func - (a: Money, b: Money) -> Money { Money(pence: a.pence - b.pence) }
    public static func += (a: inout Money, b: Money) { a.pence += b.pence }
    public static func -= (a: inout Money, b: Money) { a.pence -= b.pence }
    public static func < (a: Money, b: Money) -> Bool { a.pence < b.pence }
    public static func * (a: Money, n: Int) -> Money { Money(pence: a.pence * Int64(n)) }

    /// "£1,234,567" (whole pounds) or "£11.52" when there are pence.
    public var description: String { Money.format(pence: pence, showPence: pence % 100 != 0) }
    /// "£1,234,568": rounded to the pound.
    public var wholePounds: String {
        let p = (pence >= 0 ? pence + 50 : pence - 50) / 100
        return Money.format(pence: p * 100, showPence: false)
    }

    static func format(pence: Int64, showPence: Bool) -> String {
        let negative = pence < 0
        let m = pence.magnitude
        let pounds = m / 100, p = m % 100
        var digits = String(pounds)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        grouped = digits + grouped
        let pennies = showPence ? "." + (p < 10 ? "0" : "") + String(p) : ""
        return (negative ? "-£" : "£") + grouped + pennies
    }

    /// Parses "2000000", "2,000,000", "£2m", "1.5m", "250k", "11.52".
    public static func parse(_ text: String) -> Money? {
        var s = text.trimmingCharactersInSet(" £")
        s.removeAll { $0 == "," || $0 == "_" }
        var multiplier = 1.0
        if let last = s.last?.lowercased() {
            if last == "m" { multiplier = 1_000_000; s.removeLast() } else if last == "k" { multiplier = 1_000; s.removeLast() }
        }
        guard let v = Double(s), v.isFinite, v >= 0 else { return nil }
        return Money(pounds: v * multiplier)
    }
}

extension String {
    func trimmingCharactersInSet(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
