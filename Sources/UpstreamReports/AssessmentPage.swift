import UpstreamAssessment

/// The strategic assessment of violence as one offline HTML page (no scripts, fonts or images from the internet),
/// laid out to print on A4: the executive summary first, then typology, trend, harm, place, people, priorities and the
/// methods annex. Counts under 5 are shown as "fewer than 5".
public enum AssessmentPage {
    static let e = Markup.escape

    /// A crime count for the page, suppressed when small.
    static func small(_ n: Int) -> String { SmallCount(n).text }

    static let css = """
    .summary { break-after: page; }
    .summary ul { margin: 4px 0 8px 18px; padding: 0; }
    .summary li { margin: 3px 0; }
    section { break-inside: auto; }
    .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(430px, 1fr)); gap: 4px 20px; }
    figure { margin: 4px 0 10px; }
    figcaption { font-size: 12px; color: var(--muted); }
    .evidence { margin: 0; padding-left: 16px; font-size: 12px; }
    .annex { break-before: page; }
    .annex h3 { font-size: 14px; margin: 12px 0 4px; }
    .cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0 24px; align-items: start; }
    """

    /// The page.
    public static func html(_ a: Assessment) -> String {
        var s = Markup.head(title: "Strategic assessment of violence, \(a.from) to \(a.to)", css: css)
        s += "<header><h1>Strategic assessment of violence</h1><span class=\"meta\">\(e(a.from.description)) to \(e(a.to.description)) · "
        s += "\(e(a.source == "store" ? "the force's recorded crime (store)" : "police.uk open data")) · generated \(e(a.generated))</span></header>\n"
        s += summary(a)
        s += typology(a)
        s += trends(a)
        s += harm(a)
        s += place(a)
        s += people(a)
        s += priorities(a)
        s += annex(a)
        s += "<footer>Synthetic data only. Counts under 5 are shown as \"fewer than 5\". Every figure is also in assessment.json.</footer>\n"
        s += "</body>\n</html>\n"
        return s
    }

    static func base(_ a: Assessment) -> Assessment.Series? {
        a.series.first { $0.key == "all_violence" } ?? a.series.first { $0.key.lowercased() == "violence and sexual offences" }
    }

    static func summary(_ a: Assessment) -> String {
        var s = "<section class=\"summary\"><h2>Executive summary</h2>\n<div class=\"facts\">"
        if let v = base(a) {
            s += Markup.fact(v.title, small(v.count), "crimes, \(a.from) to \(a.to)", cls: "sv")
            s += Markup.fact("Trend", v.trend.map { $0.significant ? ($0.ratio > 1 ? "Rising" : "Falling") : "No significant change" } ?? "Not testable",
                             v.trend?.words ?? "needs 24 months")
        }
        s += Markup.fact("Concentration", Markup.percent(a.place.concentration.top5Share),
                         "of violence in the busiest 5% of \(Markup.count(a.place.concentration.areas)) small areas")
        if let h = a.place.hotspots { s += Markup.fact("Hotspots", String(h.hot), "small areas (Gi*, false discovery rate 5%)") }
        if let p = a.priorities.first { s += Markup.fact("Top priority", p.threat, "score \(Markup.fixed(p.priorityScore, 2)) of 5") }
        s += "</div>\n<p><b>Priorities.</b> Ranked by MoRiLE-style scoring of harm, likelihood and vulnerability (weights in the priorities section):</p><ul>"
        for p in a.priorities.prefix(5) {
            s += "<li><b>\(p.rank). \(e(p.threat))</b>: \(e(p.evidence.prefix(3).joined(separator: "; ")))</li>"
        }
        s += "</ul>\n"
        if let v = base(a), v.harmShare > 0 {
            let top = a.series.filter { $0.key != v.key && $0.count > 0 }.max { $0.harmShare / max($0.volumeShare, 1e-9) < $1.harmShare / max($1.volumeShare, 1e-9) }
            if let t = top {
                s += "<p><b>Harm.</b> \(e(t.title)) carries \(Markup.percent(t.harmShare)) of the harm for \(Markup.percent(t.volumeShare)) of the volume: counting crimes alone understates it.</p>\n"
            }
        }
        if let c = a.craig, c.offenders > 0 {
            s += "<p><b>Young people.</b> Of \(e(small(c.offenders))) young people whose first serious violence fell in the period, "
            s += "\(e(c.withAnyACE.share.map(Markup.percent) ?? c.withAnyACE.count.text)) had an adverse childhood experience on record beforehand"
            if let m = c.medianYearsBefore { s += ", and agencies first met them a median of \(Markup.fixed(m, 1)) years before the violence" }
            s += ".</p>\n"
        }
        let hidden = a.series.filter { $0.hiddenHarm != nil }.map(\.title)
        if !hidden.isEmpty {
            s += "<p><b>Hidden harm.</b> Recorded crime understates \(e(hidden.joined(separator: ", "))): see the hidden-harm notes.</p>\n"
        }
        if a.source == "police_uk" {
            s += "<p class=\"note\">From police.uk open data: figures are at the resolution of police.uk's crime types, which cannot separate domestic abuse, knife crime and the other strands.</p>\n"
        }
        s += "<p><b>Draft control strategy.</b> "
        s += e(a.controlStrategy.map(\.priority).enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "; "))
        s += ".</p></section>\n"
        return s
    }

    static func typology(_ a: Assessment) -> String {
        var s = "<section><h2>The picture by typology</h2>\n"
        var t = HTMLTable([("Typology", false), ("Framework", false), ("WHO type", false), ("Crimes", true), ("Share of volume", true),
                           ("Share of harm", true), ("Harm per crime (days)", true), ("Latest 12 months vs previous", false), ("Mapping confidence", false)])
        for r in a.series {
            t.add([r.title, r.framework, r.who, small(r.count), r.inBase ? Markup.percent(r.volumeShare) : "not crime",
                   r.inBase ? Markup.percent(r.harmShare) : "–",
                   Markup.fixed(r.harmPerCrime, 1), trendWords(r, a), r.mappingConfidence])
        }
        s += t.render()
        s += "<p class=\"note\">Shares are of \(e(a.baseLabel)) (\(e(small(a.baseCount))) crimes). \(a.source == "store" ? "Typologies overlap, so shares add up to more than 100%." : "")</p></section>\n"
        return s
    }

    /// The trend in words, or why there is none.
    static func trendWords(_ r: Assessment.Series, _ a: Assessment) -> String {
        if let t = r.trend { return t.words }
        if r.count == 0 { return "none recorded" }
        return r.monthly.count < 24 ? "fewer than 24 months: no test" : "too few crimes in one of the years: no test"
    }

    static func trends(_ a: Assessment) -> String {
        var s = "<section><h2>Trend and forecast</h2>\n<p class=\"note\">Crimes per month (solid), with a seasonal naive forecast for the next 12 months (dashed) and its 95% interval (shaded). The change test compares the latest 12 months with the 12 before, month by month, allowing for seasonality and overdispersion.</p>\n<div class=\"charts\">"
        let shown = a.series.filter { $0.count > 0 }.sorted { $0.count > $1.count }.prefix(8)
        for (i, r) in shown.enumerated() {
            s += "<figure>\(AssessmentChart.series(r, id: "trend-\(i)"))<figcaption>\(e(r.title)): \(e(trendWords(r, a)))</figcaption></figure>"
        }
        s += "</div>\n"
        if let h = a.heatMap, h.timed > 0 {
            s += "<h2>When violence happens</h2>\(AssessmentChart.heat(h, id: "heat"))<p class=\"note\">\(e(small(h.timed))) violent crimes with a recorded time; \(e(small(h.untimed))) without. Darker cells are busier.</p>\n"
        } else if a.source == "police_uk" {
            s += "<p class=\"note\">No hour-by-weekday heat map: police.uk publishes no times.</p>\n"
        }
        var f = HTMLTable([("Series", false), ("Previous 12 months", true), ("Latest 12 months", true), ("Change", true),
                           ("95% interval of the ratio", false), ("Dispersion", true), ("p", true), ("Forecast, next 12 months", true)])
        for r in a.series where r.count > 0 {
            let fc = r.forecast.map { Markup.count(Int($0.points.reduce(0) { $0 + $1.forecast }.rounded())) } ?? "–"
            if let t = r.trend {
                f.add([r.title, small(t.previous), small(t.current), Markup.signed(t.changePercent, 1) + "%",
                       Markup.fixed(t.ratioLow, 2) + "–" + Markup.fixed(t.ratioHigh, 2), Markup.fixed(t.dispersion, 2),
                       t.p < 0.001 ? "< 0.001" : Markup.fixed(t.p, 3), fc])
            } else {
                f.add([r.title, "–", "–", "–", "–", "–", "–", fc])
            }
        }
        s += f.render() + "</section>\n"
        return s
    }

    static func harm(_ a: Assessment) -> String {
        var s = "<section><h2>Harm</h2>\n"
        let rows = a.series.filter { $0.count > 0 && $0.key != "all_violence" && $0.inBase }
        s += AssessmentChart.shares(rows, id: "shares")
        var t = HTMLTable([("Typology", false), ("Crimes", true), ("Harm (CCHI days)", true), ("Cost where published (£, 2015/16)", true), ("Crimes with a published cost", true)])
        for r in a.series where r.count > 0 {
            t.add([r.title, small(r.count), Markup.count(Int(r.harmDays.rounded())), Markup.count(Int(r.costGBP.rounded())), Markup.percent(r.costCoverage)])
        }
        s += t.render()
        s += "<p class=\"note\">Harm weights each crime by the Cambridge Crime Harm Index (days of imprisonment at the sentencing starting point). Costs are a lower bound where fewer than all crimes have a published unit cost.</p>\n"
        let hidden = a.series.filter { $0.hiddenHarm != nil }
        if !hidden.isEmpty {
            s += "<h3>Hidden-harm notes</h3><ul>"
            for h in hidden { s += "<li><b>\(e(h.title))</b> (\(e(small(h.count))) recorded): \(e(h.hiddenHarm!))</li>" }
            s += "</ul>\n"
        }
        s += "</section>\n"
        return s
    }

    static func place(_ a: Assessment) -> String {
        let c = a.place.concentration
        var s = "<section><h2>Place</h2>\n<div class=\"facts\">"
        s += Markup.fact("Busiest 1% of areas", Markup.percent(c.top1Share), "\(c.top1Areas) of \(Markup.count(c.areas)) small areas")
        s += Markup.fact("Busiest 5% of areas", Markup.percent(c.top5Share), "\(c.top5Areas) of \(Markup.count(c.areas)) small areas")
        if let h = a.place.hotspots {
            s += Markup.fact("Gi* hotspots", String(h.hot), "cold spots \(h.cold); neighbours within \(Markup.count(Int(h.distance.rounded()))) m")
        }
        s += "</div>\n"
        s += "<figure>\(AssessmentChart.map(a.place, id: "map"))<figcaption>Each dot is a small area at the centre of its crimes, sized by violent crimes; red rings are hotspots, blue rings cold spots. The same areas are in areas.geojson for QGIS.</figcaption></figure>\n"
        if let h = a.place.hotspots {
            let names = Dictionary(a.place.areas.map { ($0.code, $0.name) }, uniquingKeysWith: { x, _ in x })
            var t = HTMLTable([("Area", false), ("Name", false), ("Violent crimes", true), ("Neighbours", true), ("Gi* z", true), ("q (FDR)", true)])
            for l in h.locals.filter({ $0.kind == "hot" }).sorted(by: { $0.z > $1.z }).prefix(15) {
                t.add([l.code, names[l.code] ?? "", small(l.count), String(l.neighbours), Markup.fixed(l.z, 2), l.q < 0.001 ? "< 0.001" : Markup.fixed(l.q, 3)])
            }
            s += "<h3>Hotspots</h3>"
            s += h.hot == 0 ? "<p class=\"note\">No small area is a significant hotspot at a false discovery rate of 5%: violence is not clustered beyond what chance would give.</p>\n" : t.render()
        }
        if a.place.areasWithoutPosition > 0 {
            s += "<p class=\"note\">\(a.place.areasWithoutPosition) small areas had no position and are left out of the hotspot analysis and the map.</p>"
        }
        s += "</section>\n"
        return s
    }

    static func people(_ a: Assessment) -> String {
        guard a.people != nil || a.craig != nil else {
            return a.source == "police_uk" ? "<section><h2>People</h2><p class=\"note\">police.uk publishes nothing about victims or suspects: run the assessment on the store for this section.</p></section>\n" : ""
        }
        var s = "<section><h2>People</h2>\n"
        if let p = a.people {
            s += "<div class=\"facts\">"
            s += Markup.fact("Victims under 25", p.youngVictims.share.map(Markup.percent) ?? p.youngVictims.count.text, "of victimisations with a known age")
            s += Markup.fact("Suspects under 25", p.youngSuspects.share.map(Markup.percent) ?? p.youngSuspects.count.text, "of suspect involvements with a known age")
            s += Markup.fact("Repeat victims", p.repeatVictims.share.map(Markup.percent) ?? p.repeatVictims.count.text, "of \(Markup.count(p.victims)) victims, two or more violent crimes")
            s += Markup.fact("Repeat victimisations", p.repeatVictimisations.share.map(Markup.percent) ?? p.repeatVictimisations.count.text, "of \(Markup.count(p.victimisations)) victimisations")
            s += "</div>\n"
            var t = HTMLTable([("Age", false), ("Victims, female", true), ("Victims, male", true), ("Suspects, female", true), ("Suspects, male", true)])
            for band in PeopleFigures.bands.map(\.0) + ["unknown"] {
                func cell(_ role: String, _ sex: String) -> String {
                    p.cells.first { $0.role == role && $0.ageBand == band && $0.sex == sex }?.count.text ?? "0"
                }
                t.add([band, cell("victim", "female"), cell("victim", "male"), cell("suspect", "female"), cell("suspect", "male")])
            }
            s += t.render()
            s += "<p class=\"note\">People are counted \(p.linked ? "as linked persons (upstream link)" : "by their recorded name and date of birth, before linkage") at the time of each violent crime.</p>\n"
        }
        if let c = a.craig {
            s += "<h3>The Craig pattern: what agencies knew before the violence</h3>\n"
            s += "<p>\(e(small(c.offenders))) young people aged 10–24 had their first serious violence offence in the period. Median age at the violence \(Markup.fixed(c.medianAgeAtViolence, 1)); median age at first contact with any agency \(Markup.fixed(c.medianAgeFirstContact, 1)); median \(Markup.fixed(c.medianYearsBefore, 1)) years from first contact to the violence.</p>\n"
            s += "<div class=\"cols\">"
            var t = HTMLTable([("ACE on record beforehand", false), ("Young people", true), ("Share", true)])
            t.add(["any ACE", c.withAnyACE.count.text, Markup.rate(c.withAnyACE.share)])
            t.add(["four or more ACEs", c.withFourOrMoreACEs.count.text, Markup.rate(c.withFourOrMoreACEs.share)])
            for x in c.aces { t.add([x.ace, x.people.count.text, Markup.rate(x.people.share)]) }
            s += t.render()
            var f = HTMLTable([("First contact", false), ("Young people", true), ("Median age", true), ("Median years before", true)])
            for x in c.firstContact { f.add([x.agency, x.people.count.text, Markup.fixed(x.medianAge, 1), Markup.fixed(x.medianYearsBefore, 1)]) }
            s += f.render()
            var d = HTMLTable([("Agency", false), ("Young people known beforehand", true), ("Records per young person", true)])
            for x in c.demand { d.add([x.agency, x.people.count.text, Markup.fixed(x.recordsPerPerson, 1)]) }
            s += d.render()
            s += "</div>\n"
        }
        s += "</section>\n"
        return s
    }

    static func priorities(_ a: Assessment) -> String {
        var s = "<section><h2>Priorities</h2>\n"
        let w = a.weights
        s += "<p>MoRiLE-style scoring. Risk = (\(Markup.fixed(w.harm, 2)) × harm + \(Markup.fixed(w.likelihood, 2)) × likelihood + \(Markup.fixed(w.vulnerability, 2)) × vulnerability) / \(Markup.fixed(w.harm + w.likelihood + w.vulnerability, 2)); priority = risk × confidence × organisational position (\(Markup.fixed(w.organisationalPosition, 1))) / 3. Change the weights with --weights.</p>\n"
        var t = HTMLTable([("Rank", true), ("Threat", false), ("Harm", true), ("Likelihood", true), ("Vulnerability", true), ("Risk", true), ("Confidence", true), ("Priority", true), ("Evidence", false)])
        for p in a.priorities {
            let ev = "<ul class=\"evidence\">" + p.evidence.map { "<li>\(e($0))</li>" }.joined() + "</ul>"
            t.add(raw: [String(p.rank), e(p.threat), Markup.fixed(p.harmScore, 1), Markup.fixed(p.likelihoodScore, 1), Markup.fixed(p.vulnerabilityScore, 0),
                        Markup.fixed(p.riskScore, 2), Markup.fixed(p.confidence, 1), Markup.fixed(p.priorityScore, 2), ev])
        }
        s += t.render()
        s += "<h3>Draft control strategy</h3>\n"
        var c = HTMLTable([("Priority", false), ("Prevention", false), ("Intelligence", false), ("Enforcement", false), ("Intelligence requirement", false)])
        for x in a.controlStrategy { c.add([x.priority, x.prevention, x.intelligence, x.enforcement, x.intelligenceRequirement]) }
        s += c.render() + "</section>\n"
        return s
    }

    static func annex(_ a: Assessment) -> String {
        var s = "<section class=\"annex\"><h2>Methods annex</h2>\n"
        s += "<h3>Data</h3><ul>" + a.notes.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n"
        s += "<h3>Typology</h3><ul>" + a.series.map { "<li><b>\(e($0.title))</b>: \(e($0.rule)) (mapping confidence: \(e($0.mappingConfidence)))</li>" }.joined() + "</ul>\n"
        s += "<h3>Trend</h3><p>For each series, a quasi-Poisson model with one level per month of the year and one change between the previous 12 months and the latest 12: the estimated ratio is the latest year's total over the previous year's; its standard error is √(φ(1/latest + 1/previous)), where φ, at least 1, is the Pearson χ² of the fitted months over 11 degrees of freedom; the p-value is from Student's t with 11 degrees of freedom. The forecast repeats each month of the latest year (seasonal naive), with a 95% interval of ±1.96 times the root mean square of the method's errors on the history.</p>\n"
        s += "<h3>Harm</h3><p>Each crime is weighted by the Cambridge Crime Harm Index median of its Home Office subgroup, and costed at the Home Office unit cost of crime where one is published.</p>\n"
        s += "<h3>Place</h3><p>Concentration is the share of violent crimes in the busiest 1% and 5% of small areas (rounded up, at least one area). Hotspots are areas whose Getis–Ord Gi* z-score is significant after a Benjamini–Hochberg correction at a false discovery rate of 5%; neighbours are areas whose centres lie within the distance band, the area itself included.</p>\n"
        s += "<h3>Priorities</h3><p>Harm and likelihood are scaled from 1 to 5 on a logarithmic scale between the lowest and highest threat (harm per crime; crimes in the period); likelihood moves one point up for a significant rise and down for a significant fall. Vulnerability is 5 for CSE, FGM, modern slavery and serious youth violence, 4 for domestic abuse, honour-based violence and hate crime, 3 otherwise. Confidence is 1.0, 0.9 or 0.8 for a high, medium or low confidence mapping. MoRiLE's official scales were not available; these are Upstream's own.</p>\n"
        s += "<h3>Small numbers</h3><p>Every count under 5 is shown as \"fewer than 5\", and a share whose count is suppressed is not shown.</p>\n"
        s += "<h3>Sources</h3><ul>" + a.sources.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n"
        s += "</section>\n"
        return s
    }
}
