/// Reusable inline SVG charts: round ticks, a colour-blind safe series style, a line chart with reference lines and
/// marked points, a histogram, a dot plot of rates by group, and a small signed bar.
///
/// Every chart is one `<svg>` element with a `<title>` for screen readers, written as well-formed XML. Series differ by
/// colour (Okabe–Ito), dash pattern and marker shape, so they stay distinct in greyscale print and for colour-blind
/// readers. Text reaches the markup only through `Markup.escape`.
enum Chart {
    /// How one series is drawn.
    struct Style: Sendable, Hashable {
        enum Shape: Sendable, Hashable { case circle, square, triangle, diamond }
        var colour: String
        /// An SVG `stroke-dasharray`, or `nil` for a solid line.
        var dash: String?
        var shape: Shape
        var width = 2.0
    }

    /// Okabe–Ito colours, each with its own dash pattern and marker shape. The first is solid.
    static let styles: [Style] = [
        Style(colour: "#0072b2", dash: nil, shape: .circle, width: 2.4),
        Style(colour: "#d55e00", dash: "7 4", shape: .square),
        Style(colour: "#009e73", dash: "2 3", shape: .triangle),
        Style(colour: "#cc79a7", dash: "10 3 2 3", shape: .diamond),
        Style(colour: "#e69f00", dash: "4 2", shape: .circle),
        Style(colour: "#56b4e9", dash: "1 2", shape: .square),
        Style(colour: "#1d2329", dash: "12 4", shape: .triangle),
    ]

    /// The style of the `i`th series, cycling through `styles`.
    static func style(_ i: Int) -> Style { styles[((i % styles.count) + styles.count) % styles.count] }

    static let ink = "#1d2329", muted = "#5b6670", grid = "#e3e8ec", axis = "#5b6670", reference = "#8c969f"
    /// Bars that raise a risk score, and bars that lower it (vermillion and blue, the Okabe–Ito pair).
    static let raises = "#d55e00", lowers = "#0072b2"

    /// Round tick values (steps of 1, 2 or 5 times a power of ten) covering `lo...hi`, about five of them.
    static func niceTicks(_ lo: Double, _ hi: Double, count: Double = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / count
        var magnitude = 1.0
        while magnitude > raw { magnitude /= 10 }
        while magnitude * 10 <= raw { magnitude *= 10 }
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? magnitude * 10
        var ticks: [Double] = []
        var k = (lo / step - 1e-9).rounded(.up)
        while k * step <= hi + 1e-9 { ticks.append(k * step); k += 1 }
        return ticks
    }

    /// The smallest round number at or above `x` (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten); `fallback` when
    /// `x` is not positive.
    static func niceCeiling(_ x: Double, fallback: Double = 1) -> Double {
        guard x.isFinite, x > 0 else { return fallback }
        var magnitude = 1.0
        while magnitude > x { magnitude /= 10 }
        while magnitude * 10 < x { magnitude *= 10 }
        return [1.0, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map { $0 * magnitude }.first { $0 >= x - 1e-12 } ?? magnitude * 10
    }

    /// A proportion as a percentage for an axis or a band, with no more decimals than it needs (`0.25` is `"25%"`,
    /// `0.005` is `"0.5%"`).
    static func percentLabel(_ x: Double) -> String {
        var s = Markup.fixed(x * 100, 2)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return (s == "-0" ? "0" : s) + "%"
    }

    /// The opening `<svg>` tag and its `<title>`; `id` must be unique within the page.
    static func open(cls: String, id: String, width: Double, height: Double, title: String) -> String {
        let e = Markup.escape, n = Markup.num
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"\(e(cls))\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
            + "width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-labelledby=\"\(e(id))-title\">"
            + "<title id=\"\(e(id))-title\">\(e(title))</title>\n"
    }

    /// A marker of `shape` centred on `(x, y)` with radius about `r`, with optional `<title>` text (escaped here).
    static func marker(_ shape: Style.Shape, _ x: Double, _ y: Double, r: Double, fill: String, stroke: String = "#fff",
                       strokeWidth: Double = 1, tip: String? = nil) -> String {
        let n = Markup.num
        let paint = "fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(n(strokeWidth))\""
        let body = tip.map { "<title>\(Markup.escape($0))</title>" } ?? ""
        let close = body.isEmpty ? "/>" : ">\(body)"
        switch shape {
        case .circle:
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" \(paint)\(close)" + (body.isEmpty ? "" : "</circle>")
        case .square:
            let h = r * 0.9
            return "<rect x=\"\(n(x - h))\" y=\"\(n(y - h))\" width=\"\(n(2 * h))\" height=\"\(n(2 * h))\" \(paint)\(close)"
                + (body.isEmpty ? "" : "</rect>")
        case .triangle:
            let d = "M\(n(x)),\(n(y - r * 1.15)) L\(n(x + r * 1.05)),\(n(y + r * 0.8)) L\(n(x - r * 1.05)),\(n(y + r * 0.8)) Z"
            return "<path d=\"\(d)\" \(paint)\(close)" + (body.isEmpty ? "" : "</path>")
        case .diamond:
            let k = r * 1.2
            let d = "M\(n(x)),\(n(y - k)) L\(n(x + k)),\(n(y)) L\(n(x)),\(n(y + k)) L\(n(x - k)),\(n(y)) Z"
            return "<path d=\"\(d)\" \(paint)\(close)" + (body.isEmpty ? "" : "</path>")
        }
    }

    /// A legend sample: a short line in the series' dash with its marker in the middle.
    static func legendSample(_ style: Style, x: Double, y: Double, marker: Bool = true) -> String {
        let n = Markup.num
        var s = "<line x1=\"\(n(x))\" y1=\"\(n(y))\" x2=\"\(n(x + 26))\" y2=\"\(n(y))\" stroke=\"\(style.colour)\" "
        s += "stroke-width=\"\(n(style.width))\"\(style.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
        if marker { s += Chart.marker(style.shape, x + 13, y, r: 3.4, fill: style.colour) }
        return s
    }
}

/// A line chart on linear axes: series as polylines, dashed grey reference lines (a diagonal, a baseline), highlighted
/// points (operating points), optional weighted markers at every point (calibration bins) and a strip of counts.
struct LineChart {
    struct Series {
        var key: String
        var label: String
        var style: Chart.Style
        var points: [(x: Double, y: Double)]
        /// Marker area in proportion to these weights at every point (for example people per calibration bin).
        var weights: [Int]? = nil
        /// Per-point `<title>` text, when the points deserve one.
        var tips: [String]? = nil
    }

    /// A dashed grey reference line with a label in the legend.
    struct Reference {
        var from: (x: Double, y: Double)
        var to: (x: Double, y: Double)
        var label: String
    }

    /// One highlighted point, drawn large in its series' style.
    struct Mark {
        var x: Double
        var y: Double
        var style: Chart.Style
        var tip: String
    }

    var cls: String
    var id: String
    var title: String
    var xLabel: String
    var yLabel: String
    var xDomain: ClosedRange<Double> = 0...1
    var yDomain: ClosedRange<Double> = 0...1
    /// Tick labels (for example `Markup.percent`).
    var tick: (Double) -> String = { Markup.fixed($0, 1) }
    var series: [Series] = []
    var references: [Reference] = []
    var marks: [Mark] = []
    /// The legend's words for `marks`, shown with a black marker when there are marks.
    var marksLabel = ""
    /// Draw a strip of per-point weights under the chart (log scale), one row of bars per weighted series.
    var weightStrip: String? = nil

    var width = 420.0
    var plotHeight = 236.0
    let left = 52.0, top = 12.0
    var right: Double { width - 14 }
    var bottom: Double { top + plotHeight }

    func px(_ v: Double) -> Double {
        let c = min(max(v, xDomain.lowerBound), xDomain.upperBound)
        return left + (c - xDomain.lowerBound) / (xDomain.upperBound - xDomain.lowerBound) * (right - left)
    }

    func py(_ v: Double) -> Double {
        let c = min(max(v, yDomain.lowerBound), yDomain.upperBound)
        return bottom - (c - yDomain.lowerBound) / (yDomain.upperBound - yDomain.lowerBound) * (bottom - top)
    }

    func svg() -> String {
        let e = Markup.escape, n = Markup.num
        let weighted = series.filter { $0.weights != nil && !$0.points.isEmpty }
        let stripTop = bottom + 44, stripRow = 12.0
        let stripHeight = weightStrip != nil && !weighted.isEmpty ? 18 + Double(weighted.count) * stripRow : 0
        let legendTop = bottom + 50 + (stripHeight > 0 ? stripHeight + 8 : 0)
        let legendRows = series.count + references.count + (marks.isEmpty ? 0 : 1)
        let height = legendTop + Double(legendRows) * 16 + 2

        var s = Chart.open(cls: cls, id: id, width: width, height: height, title: title)
        s += "<g class=\"axis\" font-size=\"11\" fill=\"\(Chart.muted)\">\n"
        for v in Chart.niceTicks(yDomain.lowerBound, yDomain.upperBound) {
            s += "<line x1=\"\(n(left))\" y1=\"\(n(py(v)))\" x2=\"\(n(right))\" y2=\"\(n(py(v)))\" stroke=\"\(Chart.grid)\"/>"
            s += "<text x=\"\(n(left - 5))\" y=\"\(n(py(v) + 4))\" text-anchor=\"end\">\(e(tick(v)))</text>\n"
        }
        for v in Chart.niceTicks(xDomain.lowerBound, xDomain.upperBound) {
            s += "<line x1=\"\(n(px(v)))\" y1=\"\(n(top))\" x2=\"\(n(px(v)))\" y2=\"\(n(bottom))\" stroke=\"\(Chart.grid)\"/>"
            s += "<line x1=\"\(n(px(v)))\" y1=\"\(n(bottom))\" x2=\"\(n(px(v)))\" y2=\"\(n(bottom + 4))\" stroke=\"\(Chart.axis)\"/>"
            s += "<text x=\"\(n(px(v)))\" y=\"\(n(bottom + 15))\" text-anchor=\"middle\">\(e(tick(v)))</text>\n"
        }
        s += "<line x1=\"\(n(left))\" y1=\"\(n(bottom))\" x2=\"\(n(right))\" y2=\"\(n(bottom))\" stroke=\"\(Chart.axis)\"/>"
        s += "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(bottom))\" stroke=\"\(Chart.axis)\"/>\n"
        s += "<text class=\"x-label\" x=\"\((n((left + right) / 2)))\" y=\"\(n(bottom + 31))\" text-anchor=\"middle\" fill=\"\(Chart.ink)\" font-size=\"11.5\">\(e(xLabel))</text>\n"
        let my = (top + bottom) / 2
        s += "<text class=\"y-label\" x=\"13\" y=\"\(n(my))\" text-anchor=\"middle\" fill=\"\(Chart.ink)\" font-size=\"11.5\" transform=\"rotate(-90 13 \(n(my)))\">\(e(yLabel))</text>\n"
        s += "</g>\n"

        for r in references {
            s += "<line class=\"reference\" x1=\"\(n(px(r.from.x)))\" y1=\"\(n(py(r.from.y)))\" x2=\"\(n(px(r.to.x)))\" y2=\"\(n(py(r.to.y)))\" "
            s += "stroke=\"\(Chart.reference)\" stroke-width=\"1.2\" stroke-dasharray=\"3 3\"><title>\(e(r.label))</title></line>\n"
        }

        let maxWeight = Double(max(1, weighted.flatMap { $0.weights ?? [] }.max() ?? 1))
        for sr in series where !sr.points.isEmpty {
            let st = sr.style
            s += "<g class=\"series\" data-series=\"\(e(sr.key))\"><title>\(e(sr.label))</title>"
            s += "<polyline fill=\"none\" stroke=\"\(st.colour)\" stroke-width=\"\(n(st.width))\" stroke-linejoin=\"round\""
            s += st.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            s += " points=\"" + sr.points.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ") + "\"/>"
            if let w = sr.weights {
                for (i, p) in sr.points.enumerated() {
                    let weight = i < w.count ? Double(w[i]) : 0
                    let r = 2.5 + 5.5 * (weight / maxWeight).squareRoot()
                    s += Chart.marker(st.shape, px(p.x), py(p.y), r: r, fill: st.colour, strokeWidth: 0.8,
                                      tip: sr.tips.flatMap { i < $0.count ? $0[i] : nil })
                }
            } else if let tips = sr.tips {
                for (i, p) in sr.points.enumerated() where i < tips.count {
                    s += Chart.marker(.circle, px(p.x), py(p.y), r: 2, fill: st.colour, strokeWidth: 0, tip: tips[i])
                }
            }
            s += "</g>\n"
        }

        if !marks.isEmpty {
            s += "<g class=\"marks\">"
            for m in marks {
                s += Chart.marker(m.style.shape, px(m.x), py(m.y), r: 5.5, fill: m.style.colour, stroke: Chart.ink, strokeWidth: 1.4, tip: m.tip)
            }
            s += "</g>\n"
        }

        if let label = weightStrip, !weighted.isEmpty {
            s += "<g class=\"weight-strip\" font-size=\"10.5\" fill=\"\(Chart.muted)\">"
            s += "<text x=\"\(n(left))\" y=\"\(n(stripTop + 8))\">\(e(label))</text>"
            let logMax = log10Plus1(maxWeight)
            for (row, sr) in weighted.enumerated() {
                let base = stripTop + 14 + Double(row + 1) * stripRow
                s += "<line x1=\"\(n(left))\" y1=\"\(n(base))\" x2=\"\(n(right))\" y2=\"\(n(base))\" stroke=\"\(Chart.grid)\"/>"
                for (i, p) in sr.points.enumerated() {
                    let w = Double(sr.weights?[safe: i] ?? 0)
                    let h = max(1, (stripRow - 1.5) * log10Plus1(w) / max(logMax, 1e-9))
                    s += "<rect x=\"\(n(px(p.x) - 2.5))\" y=\"\(n(base - h))\" width=\"5\" height=\"\(n(h))\" fill=\"\(sr.style.colour)\">"
                    s += "<title>\(e(sr.label)): \(Markup.count(Int(w))) people</title></rect>"
                }
            }
            s += "</g>\n"
        }

        s += "<g class=\"legend\" font-size=\"11.5\" fill=\"\(Chart.ink)\">\n"
        var ly = legendTop
        for sr in series {
            s += Chart.legendSample(sr.style, x: left, y: ly - 4, marker: sr.weights != nil)
            s += "<text x=\"\(n(left + 34))\" y=\"\(n(ly))\">\(e(sr.label))</text>\n"
            ly += 16
        }
        for r in references {
            s += "<line x1=\"\(n(left))\" y1=\"\(n(ly - 4))\" x2=\"\(n(left + 26))\" y2=\"\(n(ly - 4))\" stroke=\"\(Chart.reference)\" stroke-width=\"1.2\" stroke-dasharray=\"3 3\"/>"
            s += "<text x=\"\(n(left + 34))\" y=\"\(n(ly))\" fill=\"\(Chart.muted)\">\(e(r.label))</text>\n"
            ly += 16
        }
        if !marks.isEmpty {
            s += Chart.marker(.circle, left + 13, ly - 4, r: 4.5, fill: "#ffffff", stroke: Chart.ink, strokeWidth: 1.4)
            s += "<text x=\"\(n(left + 34))\" y=\"\(n(ly))\">\(e(marksLabel))</text>\n"
        }
        s += "</g>\n</svg>"
        return s
    }

    private func log10Plus1(_ x: Double) -> Double {
        // log10(1 + x) without Foundation: count digits, then interpolate within the decade.
        var v = 1 + max(0, x), d = 0.0
        while v >= 10 { v /= 10; d += 1 }
        return d + (v - 1) / 9
    }
}

/// Vertical bars over labelled bins (a histogram of counts), with the count above each bar.
struct BarChart {
    var cls: String
    var id: String
    var title: String
    var xLabel: String
    var yLabel: String
    var bins: [(label: String, count: Int)]
    var colour = "#0072b2"
    var width = 420.0
    let height = 240.0
    let left = 46.0, top = 14.0, bottom = 190.0

    func svg() -> String {
        let e = Markup.escape, n = Markup.num
        let right = width - 10
        let largest = Double(max(1, bins.map(\.count).max() ?? 1))
        let ticks = Chart.niceTicks(0, largest, count: 5).filter { $0 == $0.rounded() }
        let step = max(1, ticks.count > 1 ? ticks[1] - ticks[0] : largest)
        let maxCount = (largest / step).rounded(.up) * step
        func py(_ v: Double) -> Double { bottom - v / maxCount * (bottom - top) }
        var s = Chart.open(cls: cls, id: id, width: width, height: height, title: title)
        s += "<g class=\"axis\" font-size=\"11\" fill=\"\(Chart.muted)\">\n"
        for v in stride(from: 0, through: maxCount, by: step) {
            s += "<line x1=\"\(n(left))\" y1=\"\(n(py(v)))\" x2=\"\(n(right))\" y2=\"\(n(py(v)))\" stroke=\"\(Chart.grid)\"/>"
            s += "<text x=\"\(n(left - 5))\" y=\"\(n(py(v) + 4))\" text-anchor=\"end\">\(Markup.count(Int(v)))</text>\n"
        }
        s += "<line x1=\"\(n(left))\" y1=\"\(n(bottom))\" x2=\"\(n(right))\" y2=\"\(n(bottom))\" stroke=\"\(Chart.axis)\"/>\n"
        let slot = (right - left) / Double(max(1, bins.count))
        let labelWidth = Double(bins.map(\.label.count).max() ?? 1) * 6.6 + 8
        let labelEvery = max(1, Int((labelWidth / slot).rounded(.up)))
        for (i, b) in bins.enumerated() where i % labelEvery == 0 {
            s += "<text x=\"\(n(left + (Double(i) + 0.5) * slot))\" y=\"\(n(bottom + 14))\" text-anchor=\"middle\">\(e(b.label))</text>"
        }
        s += "\n<text class=\"x-label\" x=\"\(n((left + right) / 2))\" y=\"\(n(bottom + 32))\" text-anchor=\"middle\" fill=\"\(Chart.ink)\" font-size=\"11.5\">\(e(xLabel))</text>\n"
        let my = (top + bottom) / 2
        s += "<text class=\"y-label\" x=\"12\" y=\"\(n(my))\" text-anchor=\"middle\" fill=\"\(Chart.ink)\" font-size=\"11.5\" transform=\"rotate(-90 12 \(n(my)))\">\(e(yLabel))</text>\n"
        s += "</g>\n<g class=\"bars\" font-size=\"10.5\" fill=\"\(Chart.ink)\">\n"
        for (i, b) in bins.enumerated() {
            let x = left + Double(i) * slot + slot * 0.12, w = slot * 0.76
            let y = py(Double(b.count))
            s += "<rect class=\"bar\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(bottom - y))\" fill=\"\(colour)\">"
            s += "<title>\(e(b.label)): \(Markup.count(b.count))</title></rect>"
            if b.count > 0 && slot >= 16 {
                s += "<text x=\"\(n(x + w / 2))\" y=\"\(n(y - 3))\" text-anchor=\"middle\">\(Markup.count(b.count))</text>"
            }
            s += "\n"
        }
        s += "</g>\n</svg>"
        return s
    }
}

/// Small multiples of rates by group: one panel per measure, each with its own scale from zero, one row per group.
/// Groups without a value (suppressed) are listed with a note instead of a dot. A flagged panel has a red title.
struct DotPlot {
    struct Panel {
        var key: String
        var title: String
        var flagged: Bool
        /// One value per group, in the order of `groups`; `nil` when the group has no value.
        var values: [Double?]
        /// Groups drawn in red in a flagged panel (the highest and lowest of the flagged disparity).
        var emphasised: Set<Int> = []
    }

    var cls: String
    var id: String
    var title: String
    var groups: [String]
    /// Text shown across the panels for a group whose values are withheld (for example "suppressed (fewer than 50)").
    var withheld: [String?]
    var panels: [Panel]
    let labelWidth = 110.0, panelWidth = 112.0, gap = 22.0, row = 20.0, top = 34.0

    func svg() -> String {
        let e = Markup.escape, n = Markup.num
        let width = labelWidth + Double(panels.count) * (panelWidth + gap)
        let height = top + Double(groups.count) * row + 26
        var s = Chart.open(cls: cls, id: id, width: width, height: height, title: title)
        s += "<g class=\"groups\" font-size=\"11.5\" fill=\"\(Chart.ink)\">"
        for (i, g) in groups.enumerated() {
            let y = top + Double(i) * row + row / 2
            if i % 2 == 0 {
                s += "<rect x=\"0\" y=\"\(n(y - row / 2))\" width=\"\(n(width))\" height=\"\(n(row))\" fill=\"#f4f6f8\"/>"
            }
            s += "<text x=\"\(n(labelWidth - 8))\" y=\"\(n(y + 4))\" text-anchor=\"end\">\(e(g))</text>"
            if let w = withheld[safe: i] ?? nil {
                s += "<text class=\"withheld\" x=\"\(n(labelWidth + 6))\" y=\"\(n(y + 4))\" fill=\"\(Chart.muted)\" font-style=\"italic\">\(e(w))</text>"
            }
        }
        s += "</g>\n"
        for (p, panel) in panels.enumerated() {
            let x0 = labelWidth + Double(p) * (panelWidth + gap)
            let x1 = x0 + panelWidth
            let maxValue = Chart.niceCeiling((panel.values.compactMap { $0 }.max() ?? 0) * 1.05, fallback: 0.01)
            func px(_ v: Double) -> Double { x0 + min(max(v, 0), maxValue) / maxValue * (x1 - x0) }
            let colour = panel.flagged ? Markup.seriousViolenceColour : Chart.ink
            s += "<g class=\"panel\(panel.flagged ? " flagged" : "")\" data-measure=\"\(e(panel.key))\" font-size=\"10.5\" fill=\"\(Chart.muted)\">"
            s += "<text x=\"\(n(x0))\" y=\"14\" font-size=\"10.5\" font-weight=\"700\" fill=\"\(colour)\">\(e(panel.title))\(panel.flagged ? " ⚑" : "")</text>"
            let bottom = top + Double(groups.count) * row
            for v in Chart.niceTicks(0, maxValue, count: 2) {
                s += "<line x1=\"\(n(px(v)))\" y1=\"\(n(top - 4))\" x2=\"\(n(px(v)))\" y2=\"\(n(bottom))\" stroke=\"#d5dbe0\"/>"
                s += "<text x=\"\(n(px(v)))\" y=\"\(n(bottom + 13))\" text-anchor=\"\(v == 0 ? "start" : v >= maxValue - 1e-12 ? "end" : "middle")\">\(e(Chart.percentLabel(v)))</text>"
            }
            for (i, v) in panel.values.enumerated() {
                guard let v else { continue }
                let y = top + Double(i) * row + row / 2
                let dot = panel.flagged && panel.emphasised.contains(i) ? Markup.seriousViolenceColour : Chart.ink
                s += "<line x1=\"\(n(x0))\" y1=\"\(n(y))\" x2=\"\(n(px(v)))\" y2=\"\(n(y))\" stroke=\"\(dot)\" stroke-opacity=\"0.35\" stroke-width=\"2\"/>"
                s += Chart.marker(.circle, px(v), y, r: 4.5, fill: dot, tip: "\(groups[i]): \(panel.title) \(Markup.rate(v))")
            }
            s += "</g>\n"
        }
        s += "</svg>"
        return s
    }
}

/// A bar for one signed contribution, drawn from a centre line: right and vermillion when it raises the score,
/// left and blue when it lowers it. `scale` is the largest magnitude on the page, so bars compare across rows.
struct ContributionBar {
    var value: Double
    var scale: Double
    let width = 64.0, height = 10.0

    func svg() -> String {
        let n = Markup.num
        let half = width / 2
        let length = scale > 0 ? min(1, abs(value) / scale) * (half - 1) : 0
        let x = value >= 0 ? half : half - length
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"contribution\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
        s += "width=\"\(n(width))\" height=\"\(n(height))\" aria-hidden=\"true\">"
        s += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#f4f6f8\"/>"
        s += "<rect x=\"\(n(x))\" y=\"1\" width=\"\(n(max(length, 0.8)))\" height=\"\(n(height - 2))\" fill=\"\(value >= 0 ? Chart.raises : Chart.lowers)\"/>"
        s += "<line x1=\"\(n(half))\" y1=\"0\" x2=\"\(n(half))\" y2=\"\(n(height))\" stroke=\"\(Chart.ink)\" stroke-width=\"0.8\"/></svg>"
        return s
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
