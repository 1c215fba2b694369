import UpstreamAssessment

/// The strategic assessment's charts: a monthly series with its forecast band, paired bars of volume and harm shares,
/// the hour-by-weekday heat map and the offline map of small areas. Inline SVG, well-formed XML, no external assets.
enum AssessmentChart {
    static let e = Markup.escape, n = Markup.num

    /// Monthly counts with the 12-month forecast and its 95% band.
    static func series(_ s: Assessment.Series, id: String, width: Double = 520, height: Double = 190) -> String {
        let left = 44.0, right = 10.0, top = 12.0, bottom = 26.0
        let history = s.monthly.map { Double($0.count) }
        let fc = s.forecast?.points ?? []
        let total = history.count + fc.count
        guard total > 1 else { return "" }
        let hi = Chart.niceCeiling(max(history.max() ?? 1, fc.map(\.high).max() ?? 0, 1))
        let pw = width - left - right, ph = height - top - bottom
        func x(_ i: Int) -> Double { left + pw * Double(i) / Double(total - 1) }
        func y(_ v: Double) -> Double { top + ph * (1 - v / hi) }
        var out = Chart.open(cls: "chart", id: id, width: width, height: height,
                             title: "\(s.title): crimes per month with a 12-month forecast and its 95% interval")
        for t in Chart.niceTicks(0, hi, count: 4) {
            out += "<line x1=\"\(n(left))\" x2=\"\(n(width - right))\" y1=\"\(n(y(t)))\" y2=\"\(n(y(t)))\" stroke=\"\(Chart.grid)\"/>"
            out += "<text x=\"\(n(left - 4))\" y=\"\(n(y(t) + 4))\" font-size=\"10\" text-anchor=\"end\" fill=\"\(Chart.muted)\">\(e(Markup.count(Int(t))))</text>"
        }
        if !fc.isEmpty {
            var band = "M"
            for (k, p) in fc.enumerated() { band += "\(n(x(history.count + k))),\(n(y(p.high))) L" }
            for (k, p) in fc.enumerated().reversed() { band += "\(n(x(history.count + k))),\(n(y(p.low))) L" }
            band.removeLast(2)
            out += "<path d=\"\(band) Z\" fill=\"#56b4e9\" fill-opacity=\"0.25\" stroke=\"none\"/>"
            let line = fc.enumerated().map { "\(n(x(history.count + $0.offset))),\(n(y($0.element.forecast)))" }.joined(separator: " ")
            out += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"#0072b2\" stroke-width=\"1.6\" stroke-dasharray=\"5 3\"/>"
        }
        let line = history.enumerated().map { "\(n(x($0.offset))),\(n(y($0.element)))" }.joined(separator: " ")
        out += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(Chart.ink)\" stroke-width=\"1.8\"/>"
        // Year labels at each January.
        for (i, m) in s.monthly.enumerated() where m.month.month == 1 || i == 0 {
            out += "<text x=\"\(n(x(i)))\" y=\"\(n(height - 8))\" font-size=\"10\" fill=\"\(Chart.muted)\">\(e(String(m.month.year)))</text>"
        }
        out += "<line x1=\"\(n(left))\" x2=\"\(n(left))\" y1=\"\(n(top))\" y2=\"\(n(top + ph))\" stroke=\"\(Chart.axis)\"/>"
        out += "</svg>\n"
        return out
    }

    /// Paired horizontal bars: each series' share of volume and of harm.
    static func shares(_ rows: [Assessment.Series], id: String, width: Double = 640) -> String {
        let label = 210.0, right = 60.0, rowH = 26.0, top = 24.0
        let height = top + rowH * Double(rows.count) + 8
        let hi = Chart.niceCeiling(max(rows.map(\.volumeShare).max() ?? 0, rows.map(\.harmShare).max() ?? 0, 0.01))
        let pw = width - label - right
        var out = Chart.open(cls: "chart", id: id, width: width, height: height, title: "Share of volume and share of harm by typology")
        out += "<rect x=\"\(n(label))\" y=\"4\" width=\"10\" height=\"10\" fill=\"#8c969f\"/><text x=\"\(n(label + 14))\" y=\"13\" font-size=\"11\">share of volume</text>"
        out += "<rect x=\"\(n(label + 120))\" y=\"4\" width=\"10\" height=\"10\" fill=\"\(Markup.seriousViolenceColour)\"/><text x=\"\(n(label + 134))\" y=\"13\" font-size=\"11\">share of harm (CCHI days)</text>"
        for (i, r) in rows.enumerated() {
            let y0 = top + rowH * Double(i)
            out += "<text x=\"\(n(label - 6))\" y=\"\(n(y0 + 15))\" font-size=\"11\" text-anchor=\"end\">\(e(r.title))</text>"
            let wv = pw * r.volumeShare / hi, wh = pw * r.harmShare / hi
            out += "<rect x=\"\(n(label))\" y=\"\(n(y0 + 3))\" width=\"\(n(wv))\" height=\"9\" fill=\"#8c969f\"><title>\(e(r.title)): \(Markup.percent(r.volumeShare)) of volume</title></rect>"
            out += "<rect x=\"\(n(label))\" y=\"\(n(y0 + 13))\" width=\"\(n(wh))\" height=\"9\" fill=\"\(Markup.seriousViolenceColour)\"><title>\(e(r.title)): \(Markup.percent(r.harmShare)) of harm</title></rect>"
            out += "<text x=\"\(n(label + max(wv, wh) + 4))\" y=\"\(n(y0 + 16))\" font-size=\"10\" fill=\"\(Chart.muted)\">\(Markup.percent(r.volumeShare)) / \(Markup.percent(r.harmShare))</text>"
        }
        out += "</svg>\n"
        return out
    }

    /// Hour-by-weekday heat map; cells under 5 are shaded but not labelled.
    static func heat(_ h: HeatMap, id: String) -> String {
        let left = 40.0, top = 18.0, cw = 24.0, ch = 20.0
        let width = left + cw * 24 + 8, height = top + ch * 7 + 8
        let peak = Double(h.counts.flatMap { $0 }.max() ?? 1)
        var out = Chart.open(cls: "chart", id: id, width: width, height: height, title: "Violent crimes by day of the week and hour of the day")
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        for hr in stride(from: 0, to: 24, by: 3) {
            out += "<text x=\"\(n(left + cw * Double(hr) + 2))\" y=\"12\" font-size=\"10\" fill=\"\(Chart.muted)\">\(hr < 10 ? "0" : "")\(hr):00</text>"
        }
        for d in 0..<7 {
            out += "<text x=\"\(n(left - 6))\" y=\"\(n(top + ch * Double(d) + 14))\" font-size=\"10\" text-anchor=\"end\">\(days[d])</text>"
            for hr in 0..<24 {
                let c = h.counts[d][hr]
                let a = peak > 0 ? Double(c) / peak : 0
                out += "<rect x=\"\(n(left + cw * Double(hr)))\" y=\"\(n(top + ch * Double(d)))\" width=\"\(n(cw - 1))\" height=\"\(n(ch - 1))\" fill=\"#c1121f\" fill-opacity=\"\(Markup.fixed(0.05 + 0.95 * a, 2))\"><title>\(days[d]) \(hr):00: \(e(SmallCount(c).text))</title></rect>"
            }
        }
        out += "</svg>\n"
        return out
    }

    /// The offline map: each small area a dot at its centre, sized by violence, hotspots ringed.
    static func map(_ place: Assessment.Place, id: String, width: Double = 640, height: Double = 460) -> String {
        let pts = place.areas.filter { $0.x != nil && $0.y != nil }
        guard !pts.isEmpty else { return "" }
        let xs = pts.map { $0.x! }, ys = pts.map { $0.y! }
        let minX = xs.min()!, maxX = xs.max()!, minY = ys.min()!, maxY = ys.max()!
        let pad = 16.0
        let scale = min((width - 2 * pad) / max(maxX - minX, 1), (height - 2 * pad) / max(maxY - minY, 1))
        let kind = Dictionary((place.hotspots?.locals ?? []).map { ($0.code, $0.kind) }, uniquingKeysWith: { a, _ in a })
        let peak = Double(pts.map(\.count).max() ?? 1)
        var out = Chart.open(cls: "chart map", id: id, width: width, height: height,
                             title: "Map of small areas: dot size shows violent crimes, red rings are Gi* hotspots, blue rings cold spots")
        out += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#f7f9fa\" stroke=\"\(Chart.grid)\"/>"
        for p in pts.sorted(by: { $0.count < $1.count }) {
            let cx = pad + (p.x! - minX) * scale, cy = height - pad - (p.y! - minY) * scale
            let r = 1.5 + 7 * (Double(p.count) / max(peak, 1)).squareRoot()
            let k = kind[p.code] ?? ""
            let stroke = k == "hot" ? " stroke=\"#c1121f\" stroke-width=\"2\"" : k == "cold" ? " stroke=\"#0072b2\" stroke-width=\"1.5\"" : ""
            out += "<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(r))\" fill=\"#1d2329\" fill-opacity=\"0.45\"\(stroke)><title>\(e(p.name.isEmpty ? p.code : p.name)): \(e(SmallCount(p.count).text))\(k.isEmpty ? "" : " (\(k) spot)")</title></circle>"
        }
        out += "</svg>\n"
        return out
    }
}
