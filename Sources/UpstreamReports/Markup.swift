import UpstreamModel

/// Small helpers shared by the pages: escaping, number formatting, colours and the base style sheet.
///
/// Every page is written as well-formed XML (XHTML syntax served as HTML), so the inline SVG and the
/// page itself can be checked with an XML parser. Text only ever reaches the markup through `escape`.
public enum Markup {
    /// Escapes text for HTML and SVG element content and attribute values (`&`, `<`, `>`, `"`, `'`), and drops
    /// characters XML 1.0 does not allow (C0 controls other than tab, line feed and carriage return). The one HTML
    /// escaper: the reports and the web app (`UpstreamServer`) both call it.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || (0xFFFE...0xFFFF).contains(u.value) { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// A link target that is safe to put in `href`: relative paths and fragments only. Anything carrying a
    /// scheme (`javascript:`, `http:`, `data:`) becomes `#`, since reports never link outside their folder.
    static func safeHref(_ s: String) -> String {
        let beforePath = s.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if beforePath.contains(":") { return "#" }
        return escape(s)
    }

    /// `x` with exactly `digits` decimals, without Foundation (`fixed(0.8765, 2)` is `"0.88"`).
    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e15 else { return String(x) }
        let n = Int64(scaled)
        let whole = n / Int64(scale)
        var frac = String(n % Int64(scale))
        while frac.count < digits { frac = "0" + frac }
        let sign = x < 0 && n != 0 ? "-" : ""
        return digits == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(frac)"
    }

    /// A coordinate for SVG: one decimal, no trailing `.0`.
    static func num(_ x: Double) -> String {
        let s = fixed(x, 1)
        return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }

    /// A proportion as a percentage with one decimal (`0.9312` is `"93.1%"`).
    static func percent(_ x: Double) -> String { fixed(x * 100, 1) + "%" }

    /// A rate as a percentage, or "–" when there is none: one decimal, two below 1% so small rates keep a
    /// significant figure (`0.3125` is `"31.3%"`, `0.0042` is `"0.42%"`).
    static func rate(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        return abs(x) < 0.01 && x != 0 ? fixed(x * 100, 2) + "%" : percent(x)
    }

    /// A rate as a percentage with `digits` decimals, or "–" when there is none.
    static func rate(_ x: Double?, digits: Int) -> String {
        guard let x, x.isFinite else { return "–" }
        return fixed(x * 100, digits) + "%"
    }

    /// Decimals for a column of rates, so the column reads alike: two when every rate is under 10%, else one.
    static func rateDigits(_ xs: [Double?]) -> Int {
        (xs.compactMap { $0 }.filter(\.isFinite).max() ?? 1) < 0.1 ? 2 : 1
    }

    /// `x` with `digits` decimals, or "–" when there is none.
    static func fixed(_ x: Double?, _ digits: Int) -> String { x.map { fixed($0, digits) } ?? "–" }

    /// A signed number with `digits` decimals (`+0.84`, `-0.31`), for contributions and differences; "–" when there is none.
    static func signed(_ x: Double?, _ digits: Int) -> String {
        guard let x, x.isFinite else { return "–" }
        let s = fixed(x, digits)
        return s.hasPrefix("-") ? "−" + s.dropFirst() : "+" + s
    }

    /// An integer with thousands separators (`12345` is `"12,345"`).
    static func count(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// A match probability as shown to practitioners: four decimals, or "anchor" when the record anchors the person.
    static func probability(_ p: Double?) -> String { p.map { fixed($0, 4) } ?? "anchor" }

    /// A headline figure: a small label, the value in bold, a line of context. All three are plain text.
    static func fact(_ label: String, _ value: String, _ sub: String, cls: String? = nil) -> String {
        "<div class=\"fact\(cls.map { " " + escape($0) } ?? "")\"><span>\(escape(label))</span><b>\(escape(value))</b><span>\(escape(sub))</span></div>"
    }

    /// One colour per agency, distinguishable in print and by most colour-blind readers (Okabe–Ito based).
    static func colour(_ a: Agency) -> String {
        switch a {
        case .police: "#0b4f8a"
        case .school: "#2a9d8f"
        case .health: "#d55e00"
        case .socialCare: "#7b4fa0"
        case .youthJustice: "#b8860b"
        case .probation: "#56687a"
        case .prison: "#2f2f2f"
        case .substanceMisuse: "#a0522d"
        case .mentalHealth: "#0072b2"
        }
    }

    static let seriousViolenceColour = "#c1121f"
    static let aceColour = "#e69f00"
    static let householdColour = "#6a3d9a"

    /// The style sheet both pages share: readable on screen, A4 landscape in print.
    static let baseCSS = """
    :root { --ink: #1d2329; --muted: #5b6670; --rule: #d5dbe0; --band: #f4f6f8; --sv: #c1121f; --ace: #e69f00; }
    * { box-sizing: border-box; }
    body { margin: 0; padding: 16px 24px; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif; color: var(--ink); background: #fff; }
    header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 24px; border-bottom: 2px solid var(--ink); padding-bottom: 6px; margin-bottom: 10px; }
    h1 { font-size: 22px; margin: 0; }
    h2 { font-size: 16px; margin: 18px 0 6px; border-bottom: 1px solid var(--rule); padding-bottom: 2px; }
    .meta { color: var(--muted); }
    .facts { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0 10px; }
    .fact { border: 1px solid var(--rule); border-radius: 4px; padding: 4px 10px; background: var(--band); }
    .fact b { display: block; font-size: 17px; }
    .fact span { color: var(--muted); font-size: 12px; }
    .fact.sv { border-color: var(--sv); }
    .fact.sv b { color: var(--sv); }
    table { border-collapse: collapse; font-size: 12.5px; margin: 4px 0 8px; }
    th, td { text-align: left; padding: 2px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
    th { background: var(--band); font-weight: 600; }
    td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0 24px; }
    .note { color: var(--muted); font-size: 12px; max-width: 70em; }
    .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
    svg { display: block; max-width: 100%; height: auto; }
    svg text { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif; }
    footer { margin-top: 18px; border-top: 1px solid var(--rule); padding-top: 6px; color: var(--muted); font-size: 12px; }
    @page { size: A4 landscape; margin: 10mm; }
    @media print {
      body { padding: 0; font-size: 9pt; }
      h2 { break-after: avoid; }
      table { font-size: 8pt; }
      tr, .fact, figure { break-inside: avoid; }
      a { color: inherit; text-decoration: none; }
      .screen-only { display: none; }
    }
    """

    /// The opening of a page, up to and including `<body>`.
    static func head(title: String, css: String) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en-GB">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title>\(escape(title))</title>
        <style>
        \(baseCSS)
        \(css)
        </style>
        </head>
        <body>

        """
    }
}

/// Builds tables without repeating the markup.
struct HTMLTable {
    struct Row {
        var cells: [String]
        var cls: String?
        /// How many columns each cell spans (1 when absent).
        var spans: [Int] = []
    }

    var headers: [(String, numeric: Bool)]
    var rows: [Row] = []
    var caption: String?

    init(_ headers: [(String, numeric: Bool)], caption: String? = nil) { self.headers = headers; self.caption = caption }

    /// Adds a row of already-escaped cells; `spans` gives each cell's column span (default 1).
    mutating func add(raw cells: [String], cls: String? = nil, spans: [Int] = []) { rows.append(Row(cells: cells, cls: cls, spans: spans)) }

    /// Adds a row of plain-text cells, escaping each.
    mutating func add(_ cells: [String], cls: String? = nil) { rows.append(Row(cells: cells.map(Markup.escape), cls: cls)) }

    func render(cls: String? = nil) -> String {
        var s = cls.map { "<table class=\"\(Markup.escape($0))\">" } ?? "<table>"
        if let c = caption { s += "<caption>\(Markup.escape(c))</caption>" }
        s += "<thead><tr>"
        for h in headers { s += h.numeric ? "<th class=\"n\">\(Markup.escape(h.0))</th>" : "<th>\(Markup.escape(h.0))</th>" }
        s += "</tr></thead>\n<tbody>\n"
        for r in rows {
            s += r.cls.map { "<tr class=\"\(Markup.escape($0))\">" } ?? "<tr>"
            var column = 0
            for (i, c) in r.cells.enumerated() {
                let span = r.spans[safe: i] ?? 1
                let numeric = span == 1 && column < headers.count && headers[column].numeric
                let attributes = (numeric ? " class=\"n\"" : "") + (span > 1 ? " colspan=\"\(span)\"" : "")
                s += "<td\(attributes)>\(c)</td>"
                column += span
            }
            s += "</tr>\n"
        }
        s += "</tbody></table>\n"
        return s
    }
}

extension CivilDate {
    /// The `years`th birthday of someone born on this date (29 February falls on 28 February in common years).
    func birthday(_ years: Int) -> CivilDate {
        let c = components
        return CivilDate(year: c.year + years, month: c.month, day: c.day)
            ?? CivilDate(year: c.year + years, month: c.month, day: c.day - 1)!
    }

    /// The English school year (1 September – 31 August) the date falls in, by its starting year.
    var schoolYear: Int { month >= 9 ? year : year - 1 }
}

extension String {
    /// Underscores as spaces, for coded values shown to people.
    var spaced: String { String(map { $0 == "_" ? " " : $0 }) }
}
