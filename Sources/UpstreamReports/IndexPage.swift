import UpstreamModel
import UpstreamRisk

/// The demo's `index.html`: headline figures, records per agency, data quality, linkage quality against the
/// synthetic city's truth with the threshold sweep, and the young people who went on to serious violence, each
/// linking to their chronology page. Self-contained: inline CSS and SVG, no scripts, nothing from the internet.
public enum IndexPage {
    /// The risk model: the models side by side at capacity, the fairness flags, and the flagged young people.
    static func riskSection(_ r: DemoReport) -> String {
        let e = Markup.escape
        var s = "<section><h2>Finding the next Craig: the risk model</h2>\n"
        guard let k = r.risk else {
            return s + "<p class=\"note\">\(e(r.riskNote ?? "No risk model was trained."))</p>\n</section>\n"
        }
        s += "<p class=\"notice\"><strong>Offers of support for a practitioner to review, never automatic decisions.</strong> "
        s += "Scores of every young person aged 8 to 17 for a first serious violence offence within 24 months, tested on later dates than it was trained on. "
        s += "<a href=\"\(Markup.safeHref(k.href))\">The full model report</a> has the charts, the fairness audit and the model card.</p>\n"
        var t = HTMLTable([("Model", false), ("ROC AUC (95% interval)", true), ("PR AUC", true), ("Flagged", true),
                           ("Went on to serious violence (95% interval)", true), ("Precision", true), ("Recall", true)],
                          caption: "At a capacity of \(RiskReportPage.capacityText(k.capacityPerHundredThousand)) per 100,000 young people scored on each of "
                              + "\(Markup.count(k.dates)) test dates, pooled: \(Markup.count(k.rows)) rows, each one young person at one date (person-dates). "
                              + "Intervals from resampling young people.")
        for m in k.models {
            let auc = Markup.fixed(m.rocAUC, 3) + (m.rocAUCInterval.map { " (\(Markup.fixed($0.lower, 3))–\(Markup.fixed($0.upper, 3)))" } ?? "")
            let found = Markup.count(m.found) + (m.foundInterval.map { " (\(Markup.count(Int($0.lower)))–\(Markup.count(Int($0.upper))))" } ?? "")
            t.add([m.name, auc, Markup.fixed(m.prAUC, 3), Markup.count(m.flagged), found,
                   Markup.rate(m.precision), Markup.rate(m.recall)])
        }
        s += t.render(cls: "models")
        if k.outcomes > 0 {
            s += "<p>Of \(Markup.count(k.outcomes)) young people who went on to serious violence after a test date, \(Markup.count(k.flaggedBeforeOutcome)) were flagged before it"
            s += k.leadTimeMedianMonths.map { ", a median of \(RiskReportPage.monthsText($0)) months before" } ?? ""
            s += k.leadTimeCapMonths.map { " (no lead time can exceed \($0) months: the test dates and their outcome windows span no more)." } ?? "."
            s += "</p>\n"
        }
        if !k.fairnessFlags.isEmpty {
            s += "<div class=\"flags\"><strong>Fairness audit: \(k.fairnessFlags.count) disparities above the bound</strong><ul>"
            for f in k.fairnessFlags.prefix(6) { s += "<li>\(e(f))</li>" }
            s += "</ul></div>\n"
        }
        let shown = k.flagged.prefix(20)
        var f = HTMLTable([("Rank", true), ("Young person", false), ("Age", true), ("Score", true), ("What raised the score most", false)],
                          caption: "Flagged as of \(k.asOf) by model \(k.modelID)"
                              + (k.flagged.count > shown.count ? ": the first \(shown.count) of \(k.flagged.count) (all in the model report)" : ""))
        for p in shown {
            let who = p.href.map { "<a href=\"\(Markup.safeHref($0))\">\(e(p.pseudonym))</a>" } ?? e(p.pseudonym)
            f.add(raw: [String(p.rank), who, e(p.age.map(String.init) ?? "–"), e(Markup.rate(p.score)),
                        p.reasons.prefix(3).map(e).joined(separator: "<br>")])
        }
        s += f.render(cls: "cases")
        return s + "</section>\n"
    }

    public static func html(_ r: DemoReport) -> String {
        let e = Markup.escape
        var s = Markup.head(title: r.title, css: css)
        s += "<header><h1>\(e(r.title))</h1><span class=\"meta\">Generated \(e(r.generatedAt)) · synthetic city of \(Markup.count(r.people)) people · seed \(r.seed)</span></header>\n"

        let read = r.sources.reduce(0) { $0 + $1.rowsRead }
        let loaded = r.sources.reduce(0) { $0 + $1.loaded }
        let quarantined = r.sources.reduce(0) { $0 + $1.quarantined }
        s += "<div class=\"facts\">"
        s += Markup.fact("Sources", Markup.count(r.sources.count), "\(Set(r.sources.map(\.agency)).count) agencies")
        s += Markup.fact("Rows read", Markup.count(read), "from every extract")
        s += Markup.fact("Loaded", Markup.count(loaded), read > 0 ? Markup.percent(Double(loaded) / Double(read)) + " of rows read" : "")
        s += Markup.fact("Quarantined", Markup.count(quarantined), read > 0 ? Markup.percent(Double(quarantined) / Double(read)) + " of rows read" : "")
        if let l = r.linkage {
            s += Markup.fact("People linked", Markup.count(l.persons), "truth: \(Markup.count(l.truePersons))")
            s += Markup.fact("Linkage F1", Markup.fixed(l.f1, 3), "precision \(Markup.fixed(l.precision, 3)), recall \(Markup.fixed(l.recall, 3))")
        }
        s += Markup.fact("Cases", String(r.cases.count), "went on to serious violence", cls: "sv")
        s += "</div>\n"

        s += riskSection(r)
        s += assessmentSection(r)
        s += planSection(r)
        s += "<section><h2>Young people who went on to serious violence, most ACEs first</h2>\n"
        if r.cases.isEmpty {
            s += "<p class=\"note\">No young person in this city went on to serious violence.</p>\n"
        } else {
            var t = HTMLTable([("Chronology", false), ("Sex", false), ("Born", false), ("ACEs", true), ("Earliest contact", false), ("Age", true),
                               ("Agency", false), ("First serious violence", false), ("Age", true), ("Years between", true)])
            for c in r.cases {
                var between = "–"
                if let a = c.earliestContact, let b = c.firstSeriousViolence, a <= b {
                    between = Markup.fixed(Double(b.dayNumber - a.dayNumber) / 365.25, 1)
                }
                let agency = c.earliestAgency.map { "<span class=\"swatch\" style=\"background:\(Markup.colour($0))\"></span>\(e($0.title))" } ?? "–"
                t.add(raw: ["<a href=\"\(Markup.safeHref(c.href))\">\(e(c.pseudonym))</a>", e(c.sex?.rawValue ?? "–"),
                            e(c.birthYear.map(String.init) ?? "–"), String(c.recordedACEs), e(c.earliestContact?.iso ?? "–"),
                            e(ChronologyDigest.age(c.ageAtEarliestContact)), agency, e(c.firstSeriousViolence?.iso ?? "–"),
                            e(ChronologyDigest.age(c.ageAtFirstSeriousViolence)), between])
            }
            s += t.render(cls: "cases")
            s += "<p class=\"note\">Each chronology lays every agency's contact along one line, with the household's adverse childhood experiences. "
            s += "“Earliest contact” is the first point at which any agency had contact with the child, and which agency it was: the earliest chance to act.</p>\n"
        }
        s += "</section>\n"

        s += "<div class=\"grid\">\n<section><h2>Records per agency</h2>\n"
        s += "<figure>\(agencyBars(r))</figure>\n"
        var sources = HTMLTable([("Source", false), ("Agency", false), ("Read", true), ("Loaded", true), ("Quarantined", true)])
        for x in r.sources.sorted(by: { ($0.agency, $0.source) < ($1.agency, $1.source) }) {
            sources.add([x.source, x.agency.title, Markup.count(x.rowsRead), Markup.count(x.loaded), Markup.count(x.quarantined)])
        }
        sources.add(raw: ["<b>All sources</b>", "", "<b>\(Markup.count(read))</b>", "<b>\(Markup.count(loaded))</b>", "<b>\(Markup.count(quarantined))</b>"], cls: "total")
        s += sources.render(cls: "sources") + "</section>\n"

        s += "<section><h2>Data quality: quarantine by reason</h2>\n"
        if r.quarantine.isEmpty {
            s += "<p class=\"note\">No row was quarantined.</p>\n"
        } else {
            var q = HTMLTable([("Source", false), ("Reason", false), ("Field", false), ("Rows", true)])
            for x in r.quarantine.sorted(by: { ($0.source, -$0.count, $0.reason) < ($1.source, -$1.count, $1.reason) }) {
                q.add([x.source, x.reason.spaced, x.field ?? "–", Markup.count(x.count)])
            }
            s += q.render(cls: "quarantine")
            s += "<p class=\"note\">Quarantined rows are kept with the reason, the field and the file line, for the source agency to correct; they are not linked.</p>\n"
        }
        s += "</section>\n</div>\n"

        s += "<section><h2>Linkage quality against the city's truth</h2>\n"
        if let l = r.linkage {
            s += "<div class=\"grid linkage\"><figure>\(sweepChart(l))</figure><div>\n"
            var t = HTMLTable([("Measure", false), ("Value", true)])
            t.add(["Match threshold", Markup.fixed(l.threshold, 2)])
            t.add(["Pairwise precision", Markup.fixed(l.precision, 4)])
            t.add(["Pairwise recall", Markup.fixed(l.recall, 4)])
            t.add(["F1", Markup.fixed(l.f1, 4)])
            t.add(["People linked", Markup.count(l.persons)])
            t.add(["People in the truth (with records)", Markup.count(l.truePersons)])
            s += t.render(cls: "linkage-quality")
            s += "<p class=\"note\">Precision: of the record pairs Upstream put in the same person, the share that are the same person in the truth. "
            s += "Recall: of the pairs that are the same person, the share Upstream joined. The chart shows how both move as the "
            s += "match-probability threshold changes; the dashed line is the threshold in use.</p>\n</div></div>\n"
        } else {
            s += "<p class=\"note\">No linkage evaluation in this run.</p>\n"
        }
        s += "</section>\n"

        s += "<footer><b>Notes.</b><ul>"
        for n in r.notes { s += "<li>\(e(n))</li>" }
        s += "<li>All data in this report is synthetic: generated people in a generated city. No real person is described.</li>"
        s += "</ul></footer>\n</body>\n</html>\n"
        return s
    }

    /// Horizontal bars: rows loaded and quarantined per agency.
    static func agencyBars(_ r: DemoReport) -> String {
        let e = Markup.escape, n = Markup.num
        var byAgency: [Agency: (loaded: Int, quarantined: Int)] = [:]
        for x in r.sources {
            let v = byAgency[x.agency] ?? (0, 0)
            byAgency[x.agency] = (v.loaded + x.loaded, v.quarantined + x.quarantined)
        }
        let agencies = byAgency.keys.sorted { (byAgency[$0]!.loaded + byAgency[$0]!.quarantined, $1.rawValue) > (byAgency[$1]!.loaded + byAgency[$1]!.quarantined, $0.rawValue) }
        let maxTotal = Double(max(1, agencies.map { byAgency[$0]!.loaded + byAgency[$0]!.quarantined }.max() ?? 1))
        let left = 190.0, right = 500.0, bar = 18.0, gap = 8.0, top = 8.0
        let height = top + Double(agencies.count) * (bar + gap) + 30
        let width = 600.0
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"agency-bars\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-labelledby=\"bars-title\">"
        s += "<title id=\"bars-title\">Rows loaded and quarantined per agency</title>\n"
        for (i, a) in agencies.enumerated() {
            let v = byAgency[a]!
            let y = top + Double(i) * (bar + gap)
            let wl = Double(v.loaded) / maxTotal * (right - left)
            let wq = Double(v.quarantined) / maxTotal * (right - left)
            s += "<g class=\"bar\" data-agency=\"\(e(a.rawValue))\"><title>\(e(a.title)): \(Markup.count(v.loaded)) loaded, \(Markup.count(v.quarantined)) quarantined</title>"
            s += "<text x=\"\(n(left - 8))\" y=\"\(n(y + bar / 2 + 4))\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2329\">\(e(a.title))</text>"
            s += "<rect x=\"\(n(left))\" y=\"\(n(y))\" width=\"\(n(max(wl, v.loaded > 0 ? 1 : 0)))\" height=\"\(n(bar))\" fill=\"\(Markup.colour(a))\"/>"
            if v.quarantined > 0 {
                s += "<rect x=\"\(n(left + wl))\" y=\"\(n(y))\" width=\"\(n(max(wq, 1.5)))\" height=\"\(n(bar))\" fill=\"\(Markup.seriousViolenceColour)\" fill-opacity=\"0.75\"/>"
            }
            s += "<text x=\"\(n(left + wl + max(wq, v.quarantined > 0 ? 1.5 : 0) + 5))\" y=\"\(n(y + bar / 2 + 4))\" font-size=\"11.5\" fill=\"#1d2329\">\(Markup.count(v.loaded))"
            if v.quarantined > 0 { s += "<tspan fill=\"\(Markup.seriousViolenceColour)\"> + \(Markup.count(v.quarantined))</tspan>" }
            s += "</text></g>\n"
        }
        let ly = height - 12
        s += "<g class=\"legend\" font-size=\"11.5\" fill=\"#1d2329\"><rect x=\"\(n(left))\" y=\"\(n(ly - 9))\" width=\"10\" height=\"10\" fill=\"#56687a\"/>"
        s += "<text x=\"\(n(left + 14))\" y=\"\(n(ly))\">loaded (colour of agency)</text>"
        s += "<rect x=\"\(n(left + 180))\" y=\"\(n(ly - 9))\" width=\"10\" height=\"10\" fill=\"\(Markup.seriousViolenceColour)\" fill-opacity=\"0.75\"/>"
        s += "<text x=\"\(n(left + 194))\" y=\"\(n(ly))\">quarantined</text></g>\n</svg>"
        return s
    }

    /// Precision, recall and F1 against the match threshold, with the threshold in use marked.
    static func sweepChart(_ l: DemoReport.LinkageQuality) -> String {
        let n = Markup.num
        let points = l.sweep.filter { $0.threshold.isFinite }.sorted { $0.threshold < $1.threshold }
        let width = 560.0, height = 300.0
        let left = 52.0, right = width - 20, top = 16.0, bottom = height - 62
        var xs = points.map(\.threshold) + [l.threshold]
        xs = xs.filter(\.isFinite)
        var x0 = xs.min() ?? 0, x1 = xs.max() ?? 1
        if x1 - x0 < 0.02 { x0 -= 0.05; x1 += 0.05 }
        let ys = points.flatMap { [$0.precision, $0.recall, $0.f1] }.filter(\.isFinite)
        let y0 = max(0, min(0.9, ((ys.min() ?? 0) * 10).rounded(.down) / 10)), y1 = 1.0
        func px(_ v: Double) -> Double { left + (v - x0) / (x1 - x0) * (right - left) }
        func py(_ v: Double) -> Double { bottom - (min(max(v, y0), y1) - y0) / (y1 - y0) * (bottom - top) }

        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"threshold-sweep\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-labelledby=\"sweep-title\">"
        s += "<title id=\"sweep-title\">Precision, recall and F1 against the match-probability threshold (threshold in use \(Markup.fixed(l.threshold, 2)))</title>\n"
        s += "<g class=\"axis\" font-size=\"11\" fill=\"#5b6670\">\n"
        for i in 0...5 {
            let v = y0 + (y1 - y0) * Double(i) / 5
            s += "<line x1=\"\(n(left))\" y1=\"\(n(py(v)))\" x2=\"\(n(right))\" y2=\"\(n(py(v)))\" stroke=\"#e3e8ec\"/>"
            s += "<text x=\"\(n(left - 6))\" y=\"\(n(py(v) + 4))\" text-anchor=\"end\">\(Markup.fixed(v, 2))</text>\n"
        }
        for v in Chart.niceTicks(x0, x1) {
            s += "<line x1=\"\(n(px(v)))\" y1=\"\(n(bottom))\" x2=\"\(n(px(v)))\" y2=\"\(n(bottom + 4))\" stroke=\"#5b6670\"/>"
            s += "<text x=\"\(n(px(v)))\" y=\"\(n(bottom + 16))\" text-anchor=\"middle\">\(Markup.fixed(v, 2))</text>\n"
        }
        s += "<line x1=\"\(n(left))\" y1=\"\(n(bottom))\" x2=\"\(n(right))\" y2=\"\(n(bottom))\" stroke=\"#5b6670\"/>"
        s += "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(bottom))\" stroke=\"#5b6670\"/>"
        s += "<text x=\"\(n((left + right) / 2))\" y=\"\(n(bottom + 32))\" text-anchor=\"middle\" fill=\"#1d2329\">match-probability threshold</text>\n</g>\n"

        let series: [(String, String, String, KeyPath<DemoReport.SweepPoint, Double>, Double)] = [
            ("precision", "Precision", "#0b4f8a", \.precision, 1.8),
            ("recall", "Recall", "#d55e00", \.recall, 1.8),
            ("f1", "F1", "#1d2329", \.f1, 2.6),
        ]
        for (key, label, colour, path, w) in series {
            let pts = points.filter { $0[keyPath: path].isFinite }
            guard !pts.isEmpty else { continue }
            s += "<g class=\"series\" data-series=\"\(key)\">"
            s += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(n(w))\" points=\""
            s += pts.map { "\(n(px($0.threshold))),\(n(py($0[keyPath: path])))" }.joined(separator: " ") + "\"/>"
            for p in pts {
                s += "<circle cx=\"\(n(px(p.threshold)))\" cy=\"\(n(py(p[keyPath: path])))\" r=\"2.6\" fill=\"\(colour)\">"
                s += "<title>\(label) \(Markup.fixed(p[keyPath: path], 4)) at threshold \(Markup.fixed(p.threshold, 2))</title></circle>"
            }
            s += "</g>\n"
        }
        if l.threshold.isFinite {
            let tx = px(l.threshold)
            s += "<g class=\"current-threshold\"><title>Threshold in use: \(Markup.fixed(l.threshold, 2)); precision \(Markup.fixed(l.precision, 4)), recall \(Markup.fixed(l.recall, 4)), F1 \(Markup.fixed(l.f1, 4))</title>"
            s += "<line x1=\"\(n(tx))\" y1=\"\(n(top))\" x2=\"\(n(tx))\" y2=\"\(n(bottom))\" stroke=\"\(Markup.seriousViolenceColour)\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>"
            let anchorEnd = tx > (left + right) / 2
            s += "<text x=\"\(n(anchorEnd ? tx - 5 : tx + 5))\" y=\"\(n(top + 12))\" font-size=\"11.5\" font-weight=\"700\" fill=\"\(Markup.seriousViolenceColour)\" text-anchor=\"\(anchorEnd ? "end" : "start")\">threshold \(Markup.fixed(l.threshold, 2))</text></g>\n"
        }
        var lx = left
        let ly = height - 10
        s += "<g class=\"legend\" font-size=\"11.5\" fill=\"#1d2329\">"
        for (_, label, colour, _, w) in series {
            s += "<line x1=\"\(n(lx))\" y1=\"\(n(ly - 4))\" x2=\"\(n(lx + 18))\" y2=\"\(n(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"\(n(w))\"/>"
            s += "<text x=\"\(n(lx + 22))\" y=\"\(n(ly))\">\(label)</text>"
            lx += 100
        }
        s += "<line x1=\"\(n(lx))\" y1=\"\(n(ly - 4))\" x2=\"\(n(lx + 18))\" y2=\"\(n(ly - 4))\" stroke=\"\(Markup.seriousViolenceColour)\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>"
        s += "<text x=\"\(n(lx + 22))\" y=\"\(n(ly))\">threshold in use</text></g>\n</svg>"
        return s
    }

    static let css = """
    .grid.linkage { grid-template-columns: minmax(300px, 580px) 1fr; align-items: start; }
    figure { margin: 0; }
    tr.total td { border-top: 1px solid var(--ink); }
    table.cases a { font-weight: 600; color: #0b4f8a; }
    p.notice { border-left: 4px solid #0b4f8a; background: #eef4fa; padding: 8px 12px; }
    div.flags { border-left: 4px solid #b00020; background: #fdecee; padding: 6px 12px; margin: 8px 0; }
    div.flags ul { margin: 4px 0 0 0; padding-left: 18px; }
    footer ul { margin: 4px 0; padding-left: 18px; }
    """
}
