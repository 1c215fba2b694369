/// A calendar day, stored as days since 1970-01-01 (proleptic Gregorian).
///
/// Upstream works in days, not instants: agencies record dates, and a compact
/// integer keeps millions of events cheap to hold and compare. Conversion uses
/// Howard Hinnant's civil-from-days algorithm, so it needs no Foundation and
/// gives the same answer on every machine.
public struct CivilDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public var dayNumber: Int32

    public init(dayNumber: Int32) { self.dayNumber = dayNumber }

    /// Encoded as ISO 8601 text (`"2014-03-07"`), so that JSON for other programs reads naturally.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }

    private enum CodingKeys: String, CodingKey { case dayNumber }

    /// Decodes ISO 8601 text, or the older `{"dayNumber": N}` form.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let text = try? c.decode(String.self) {
            guard let d = CivilDate.parse(text, layout: .iso) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(text) is not a date (YYYY-MM-DD)")
            }
            self = d
            return
        }
        let k = try decoder.container(keyedBy: CodingKeys.self)
        dayNumber = try k.decode(Int32.self, forKey: .dayNumber)
    }

    /// Creates a date from its year, month (1–12) and day (1–31); `nil` if no such day exists.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        self.dayNumber = Int32(CivilDate.days(year: year, month: month, day: day))
    }

    /// Whether `year` is a Gregorian leap year.
    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// The number of days in a month of a year.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The year, month and day of this date.
    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(dayNumber) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public var year: Int { components.year }
    public var month: Int { components.month }
    public var day: Int { components.day }

    /// Day of the week, 0 = Monday … 6 = Sunday.
    public var weekday: Int { Int(((Int64(dayNumber) % 7 + 7 + 3) % 7)) }

    /// The date `n` days later.
    public func adding(days n: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + Int32(n)) }

    /// The first day of the month `n` months after this date's month.
    public func firstOfMonth(addingMonths n: Int) -> CivilDate {
        let c = components
        let total = c.year * 12 + (c.month - 1) + n
        return CivilDate(year: total / 12, month: total % 12 + 1, day: 1)!
    }

    /// Whole years from `self` (a birth date) to `date`.
    public func age(on date: CivilDate) -> Int {
        let b = components, d = date.components
        var years = d.year - b.year
        if (d.month, d.day) < (b.month, b.day) { years -= 1 }
        return years
    }

    /// ISO 8601, `YYYY-MM-DD`.
    public var iso: String { format(.iso) }
    public var description: String { iso }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }

    /// A way of writing a date that some agency uses.
    public enum Layout: String, Sendable, Codable, CaseIterable {
        /// `2014-03-07`
        case iso = "YYYY-MM-DD"
        /// `07/03/2014`
        case dmySlash = "DD/MM/YYYY"
        /// `07-MAR-2014`
        case dmonYDash = "DD-MON-YYYY"
        /// `20140307`
        case compact = "YYYYMMDD"
        /// `07.03.2014`
        case dmyDot = "DD.MM.YYYY"
    }

    static let monthAbbreviations = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    /// Writes the date in `layout`.
    public func format(_ layout: Layout) -> String {
        let (y, m, d) = components
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        switch layout {
        case .iso: return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
        case .dmySlash: return "\(pad(d, 2))/\(pad(m, 2))/\(pad(y, 4))"
        case .dmonYDash: return "\(pad(d, 2))-\(CivilDate.monthAbbreviations[m - 1])-\(pad(y, 4))"
        case .compact: return "\(pad(y, 4))\(pad(m, 2))\(pad(d, 2))"
        case .dmyDot: return "\(pad(d, 2)).\(pad(m, 2)).\(pad(y, 4))"
        }
    }

    /// Parses text written in `layout`; `nil` when the text is not a real date in that layout.
    public static func parse<S: StringProtocol>(_ text: S, layout: Layout) -> CivilDate? {
        let u = Array(text.utf8)
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= u.count else { return nil }
            var v = 0
            for i in r {
                let c = u[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        func sep(_ i: Int, _ c: UInt8) -> Bool { i < u.count && u[i] == c }
        switch layout {
        case .iso:
            guard u.count == 10, sep(4, 45), sep(7, 45), let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) else { return nil }
            return CivilDate(year: y, month: m, day: d)
        case .dmySlash, .dmyDot:
            let s: UInt8 = layout == .dmySlash ? 47 : 46
            guard u.count == 10, sep(2, s), sep(5, s), let d = num(0..<2), let m = num(3..<5), let y = num(6..<10) else { return nil }
            return CivilDate(year: y, month: m, day: d)
        case .dmonYDash:
            guard u.count == 11, sep(2, 45), sep(6, 45), let d = num(0..<2), let y = num(7..<11) else { return nil }
            let mon = String(decoding: u[3..<6], as: UTF8.self).uppercased()
            guard let mi = monthAbbreviations.firstIndex(of: mon) else { return nil }
            return CivilDate(year: y, month: mi + 1, day: d)
        case .compact:
            guard u.count == 8, let y = num(0..<4), let m = num(4..<6), let d = num(6..<8) else { return nil }
            return CivilDate(year: y, month: m, day: d)
        }
    }
}
