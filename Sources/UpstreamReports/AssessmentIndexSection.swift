extension DemoReport {
    /// The strategic assessment's headline for the demo's index page, with links to the full report.
    public struct AssessmentLink: Sendable, Codable {
        public var href: String
        public var pdfHref: String?
        public var from: String
        public var to: String
        public var violence: Int
        public var trend: String
        public var topPriorities: [String]
        public var hotspots: Int
        public var top5Share: Double

        public init(href: String, pdfHref: String?, from: String, to: String, violence: Int, trend: String, topPriorities: [String],
                    hotspots: Int, top5Share: Double) {
            self.href = href; self.pdfHref = pdfHref; self.from = from; self.to = to; self.violence = violence; self.trend = trend
            self.topPriorities = topPriorities; self.hotspots = hotspots; self.top5Share = top5Share
        }

        /// Reads the headline from `upstream assess --json` (snake_case keys); `hasPDF` when it printed assessment.pdf.
        public init?(json j: [String: Any], hasPDF: Bool) {
            guard let from = j["from"] as? String, let to = j["to"] as? String else { return nil }
            let series = j["series"] as? [[String: Any]] ?? []
            let all = series.first { $0["key"] as? String == "all_violence" }
            let trend = all?["trend"] as? [String: Any]
            let place = j["place"] as? [String: Any]
            let locals = (place?["hotspots"] as? [String: Any])?["locals"] as? [[String: Any]] ?? []
            self.init(
                href: "assessment.html",
                pdfHref: hasPDF ? "assessment.pdf" : nil,
                from: from, to: to, violence: all?["count"] as? Int ?? 0,
                trend: trend.map { t in
                    let pct = (t["change_percent"] as? Double) ?? 0
                    let p = (t["p"] as? Double) ?? 1
                    return (t["significant"] as? Bool == true ? (pct > 0 ? "rising" : "falling") : "no significant change")
                        + " (\(pct >= 0 ? "+" : "−")\(Markup.fixed(abs(pct), 1))%, p = \(Markup.fixed(p, 3)))"
                } ?? "not testable",
                topPriorities: (j["priorities"] as? [[String: Any]] ?? []).prefix(3).compactMap { $0["threat"] as? String },
                hotspots: locals.filter { $0["kind"] as? String == "hot" }.count,
                top5Share: ((place?["concentration"] as? [String: Any])?["top5_share"] as? Double) ?? 0)
        }
    }
}

extension IndexPage {
    /// The strategic assessment's headline, linking to the full report.
    static func assessmentSection(_ r: DemoReport) -> String {
        guard let a = r.assessment else { return "" }
        let e = Markup.escape
        var s = "<section><h2>The strategic assessment of violence</h2>\n<div class=\"facts\">"
        s += Markup.fact("Violent crimes", SmallCountText.text(a.violence), "\(a.from) to \(a.to)", cls: "sv")
        s += Markup.fact("Latest 12 months", a.trend, "against the 12 before, seasonally adjusted")
        s += Markup.fact("Busiest 5% of areas", Markup.percent(a.top5Share), "of violent crimes")
        s += Markup.fact("Hotspots", String(a.hotspots), "small areas (Gi*, 5% FDR)")
        s += "</div>\n<p>Top priorities: \(e(a.topPriorities.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "; "))). "
        s += "<a href=\"\(Markup.safeHref(a.href))\">The full assessment</a>"
        if let pdf = a.pdfHref { s += " (<a href=\"\(Markup.safeHref(pdf))\">PDF</a>)" }
        s += " has typologies, trends and forecasts, harm, hotspots, victims and suspects, the Craig pattern and the draft control strategy.</p>\n</section>\n"
        return s
    }
}

/// Small counts on the index: under 5 shown as "fewer than 5".
enum SmallCountText {
    static func text(_ n: Int) -> String { n > 0 && n < 5 ? "fewer than 5" : Markup.count(n) }
}
