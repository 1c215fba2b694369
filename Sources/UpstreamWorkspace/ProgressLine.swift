import Foundation

/// How a progress snapshot reads: a bar for a terminal, or a plain sentence for a log. Pure: the same snapshot
/// always gives the same text.
///
/// - bar: `link 4/10 compare [#####---------------] 25% 1,000/4,000 pairs, 100 pairs/s, 30 s left · all 40%, 2 min 30 s left`
/// - plain: `link 4/10 compare: 25% (1,000 of 4,000 pairs), 100 pairs/s, about 30 s left; all 40% done, about 2 min 30 s left`
public enum ProgressLine {
    /// The text of a snapshot; `bar` draws a bar `width` characters wide (for a terminal's redrawn line).
    public static func render(_ s: ProgressSnapshot, bar: Bool = true, width: Int = 20) -> String {
        var head = s.command
        if let p = s.position { head += " \(p.index)/\(p.count)" }
        head += " " + s.stage
        switch s.event {
        case .begin:
            var line = head + (bar ? "…" : ": started")
            if let t = s.total, !s.unit.isEmpty { line += bar ? " (\(quantity(t, s.unit)))" : " (\(quantity(t, s.unit)))" }
            if let f = s.overallFraction, !bar { line += "; all \(percent(f)) done" }
            return line
        case .finish:
            var line = head + ": done in \(duration(s.elapsed))"
            if !s.unit.isEmpty { line += " (\(quantity(s.done, s.unit))" + (s.rate.map { ", \(rate($0, s.unit))" } ?? "") + ")" }
            if let f = s.overallFraction { line += "; all \(percent(f)) done" }
            return line
        case .update:
            var parts: [String] = []
            let fraction = s.total.flatMap { $0 > 0 ? min(1, Double(s.done) / Double($0)) : nil }
            var first = head
            if bar {
                if let fraction { first += " [" + bars(fraction, width: width) + "] " + percent(fraction) }
                if !s.unit.isEmpty {
                    first += " " + (s.total.map { count(s.done, s.unit) + "/" + quantity($0, s.unit) } ?? quantity(s.done, s.unit))
                }
                if fraction == nil && s.unit.isEmpty { first += " \(duration(s.elapsed)) so far" }
            } else {
                first += ":"
                if let fraction { first += " " + percent(fraction) }
                if !s.unit.isEmpty {
                    first += s.total.map { (fraction == nil ? " " : " (") + count(s.done, s.unit) + " of " + quantity($0, s.unit) + (fraction == nil ? "" : ")") }
                        ?? " " + quantity(s.done, s.unit)
                }
                if fraction == nil && s.unit.isEmpty { first += " \(duration(s.elapsed)) so far" }
            }
            parts.append(first)
            if let r = s.rate, !s.unit.isEmpty { parts.append(rate(r, s.unit)) }
            if let left = s.secondsLeft { parts.append((bar ? "" : "about ") + duration(left) + " left") }
            else if s.total == nil, !s.unit.isEmpty { parts.append(duration(s.elapsed) + " so far") }
            var line = parts.joined(separator: ", ")
            if let f = s.overallFraction {
                line += bar ? " · all \(percent(f))" : "; all \(percent(f)) done"
                if let left = s.overallSecondsLeft { line += (bar ? ", " : ", about ") + duration(left) + " left" }
            }
            return line
        }
    }

    /// `width` characters, `#` for the share done and `-` for the rest.
    public static func bars(_ fraction: Double, width: Int) -> String {
        let n = Int((min(max(fraction, 0), 1) * Double(width)).rounded(.down))
        return String(repeating: "#", count: n) + String(repeating: "-", count: max(0, width - n))
    }

    /// A whole percentage, rounded down (so 100% means done): `42%`.
    public static func percent(_ fraction: Double) -> String { "\(Int((min(max(fraction, 0), 1) * 100).rounded(.down)))%" }

    /// Seconds as a person reads them, rounded up: `0 s`, `45 s`, `6 min 5 s`, `1 h 20 min`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let t = Int(max(0, seconds).rounded(.up))
        if t < 60 { return "\(t) s" }
        if t < 3600 { return t % 60 == 0 ? "\(t / 60) min" : "\(t / 60) min \(t % 60) s" }
        let m = (t % 3600) / 60
        return m == 0 ? "\(t / 3600) h" : "\(t / 3600) h \(m) min"
    }

    /// A count without its unit, bytes in MB: `1,234` or `12.3`.
    static func count(_ n: Int, _ unit: String) -> String {
        unit == "bytes" ? megabytes(Double(n)) : grouped(n)
    }

    /// A count with its unit: `1,234 rows`, `12.3 MB`.
    public static func quantity(_ n: Int, _ unit: String) -> String {
        unit == "bytes" ? megabytes(Double(n)) + " MB" : "\(grouped(n)) \(unit)"
    }

    /// A rate: `4,500 rows/s`, `12.3 MB/s`.
    public static func rate(_ r: Double, _ unit: String) -> String {
        unit == "bytes" ? megabytes(r) + " MB/s" : "\(grouped(Int(r.rounded()))) \(unit)/s"
    }

    static func megabytes(_ bytes: Double) -> String { String(format: "%.1f", bytes / 1_000_000) }

    /// `1234567` → `1,234,567`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
