import UpstreamRisk

/// The risk model's report as a self-contained HTML page, for a board member and for an analyst: a headline in plain
/// words, the models side by side with ROC, precision-recall and calibration charts, what linkage errors cost, lead
/// time, the fairness audit with its flags, the young people flagged with their reasons, and the model card.
///
/// The page says prominently that every score is an offer of support for a practitioner to review, never a decision.
/// No scripts, nothing loaded: inline CSS and SVG only. Prints on A4 landscape.
public enum RiskReportPage {
    /// The key of the rule practitioners use today (count the recorded ACEs), the baseline the models are compared with.
    static let baselineKey = ModelEvaluation.practiceBaselineKey

    /// - Parameters:
    ///   - report: the figures, as `upstream risk evaluate` computes them.
    ///   - links: pseudonym → relative href of that young person's chronology page; flagged people with an entry are
    ///     linked to it. Hrefs with a scheme are refused.
    /// - Returns: the page as well-formed XHTML.
    public static func html(_ report: RiskReport, links: [String: String] = [:]) -> String {
        let e = Markup.escape
        let styles = StyleBook(report)
        var s = Markup.head(title: report.title, css: css)
        s += "<header><h1>\(e(report.title))</h1><span class=\"meta\">Model \(e(report.card.modelID)) · created \(e(report.card.created))"
        s += " · \(e(report.card.period))" + (report.generic == true ? "" : " · synthetic data") + "</span></header>\n"
        s += "<nav class=\"contents screen-only\">"
        for (id, label) in [("headline", "Headline"), ("models", "Models"), ("linkage", "Linked vs true persons"), ("lead-time", "Lead time"),
                            ("fairness", "Fairness"), ("flagged", "Flagged young people"), ("model-card", "Model card")]
            where report.generic != true || (id != "flagged" && id != "linkage") {
            s += "<a href=\"#\(id)\">\(label)</a>"
        }
        s += "</nav>\n"
        s += headline(report)
        s += models(report, styles)
        if report.generic != true { s += linkage(report, styles) }
        s += hindsight(report.hindsight)
        s += leadTime(report.leadTime, models: report.models)
        s += fairness(report.fairness, models: report.models, generic: report.generic == true)
        if report.generic != true { s += flagged(report.flagged, links: links) }
        s += modelCard(report.card)
        if report.generic == true {
            s += "<footer>Upstream · \(e(report.title)) · model \(e(report.card.modelID)) · scores are for a person to review, never automatic decisions.</footer>\n"
        } else {
            s += "<footer>Upstream · \(e(report.title)) · model \(e(report.card.modelID)) · all data in this report is synthetic: generated "
            s += "people in a generated city. Scores are offers of support for a practitioner to review, never automatic decisions.</footer>\n"
        }
        s += "</body>\n</html>\n"
        return s
    }

    // MARK: - 1. Headline

    static let notice = "Scores are offers of support for a practitioner to review, never automatic decisions. "
        + "No score starts any action by itself: a practitioner who knows the young person's circumstances decides whether, "
        + "and how, to offer support."

    /// The notice for a user's own table.
    static let noticeRows = "Scores are for a person to review, never automatic decisions: no score starts any action by itself."

    static func headline(_ r: RiskReport) -> String {
        let e = Markup.escape
        var s = "<section id=\"headline\"><h2>1. Headline</h2>\n"
        s += r.generic == true ? "<div class=\"notice\" role=\"note\"><b>Not decisions.</b> \(e(noticeRows))</div>\n"
            : "<div class=\"notice\" role=\"note\"><b>Offers of support, not decisions.</b> \(e(notice))</div>\n"
        let best = best(r.models)
        let baseline = r.models.first { $0.key == baselineKey }
        s += "<div class=\"facts\">"
        if let b = best {
            s += Markup.fact("Best-ranking model", b.name, "PR AUC \(Markup.fixed(b.prAUC, 3)) · ROC AUC \(Markup.fixed(b.rocAUC, 3))")
            if let c = b.capacity {
                s += Markup.fact("Precision at capacity", Markup.rate(c.precision), "\(Markup.count(c.confusion.truePositives)) of \(Markup.count(c.flagged)) flagged had the outcome")
                s += Markup.fact("Recall at capacity", Markup.rate(c.recall), "\(Markup.count(c.confusion.truePositives)) of \(Markup.count(c.confusion.positives)) outcomes found")
            }
        }
        if let a = baseline, a.key != best?.key, let c = a.capacity {
            s += Markup.fact("ACE-count rule (today)", "\(Markup.rate(c.precision)) · \(Markup.rate(c.recall))", "precision · recall at the same capacity")
        }
        if let l = r.leadTime {
            s += Markup.fact("Lead time, median", l.medianMonths.map { "\(monthsText($0)) months" } ?? "–",
                             "before the outcome, at first flag" + (l.capMonths.map { "; at most \($0) in this test window" } ?? ""))
        }
        if let f = r.fairness {
            let k = f.flags.count
            s += Markup.fact("Fairness flags", String(k), k == 0 ? "no disparity over \(Markup.fixed(f.bound, 2))" : "disparities over \(Markup.fixed(f.bound, 2))",
                             cls: k > 0 ? "sv" : nil)
        }
        s += "</div>\n<div class=\"summary\">\n"
        for p in headlineSentences(r) { s += "<p>\(e(p))</p>\n" }
        s += "</div>\n</section>\n"
        return s
    }

    /// The headline in plain words, one paragraph per string (shared with the terminal rendering).
    static func headlineSentences(_ r: RiskReport) -> [String] {
        var out: [String] = []
        guard let b = best(r.models) else { return ["No model was evaluated in this run."] }
        let generic = r.generic == true
        let who = generic ? "rows" : "young people"
        let unit = generic ? "" : " (each row is one young person at one as-of date)"
        let had = generic ? "had the outcome" : "went on to the outcome"
        out.append("On \(Markup.count(b.rows)) held-out rows\(unit) (\(b.population)), of which \(Markup.count(b.positives)) \(had), "
            + "\(b.name) ranked \(who) best: PR AUC \(Markup.fixed(b.prAUC, 3)), ROC AUC \(Markup.fixed(b.rocAUC, 3))"
            + (b.intervals?.rocAUC.map { " (95% interval \(Markup.fixed($0.lower, 3))–\(Markup.fixed($0.upper, 3)))" } ?? "") + ".")
        if let c = b.capacity {
            let per = b.capacityUnit.map { " (\($0))" } ?? ""
            var p = "With capacity to offer support to \(capacityText(c.perHundredThousand)) in every 100,000\(per), it would flag "
                + "\(Markup.count(c.flagged)) \(who). \(Markup.count(c.confusion.truePositives))\(foundInterval(b)) of them \(had) "
                + "(precision \(Markup.rate(c.precision))): \(Markup.count(c.confusion.truePositives)) of the \(Markup.count(c.confusion.positives)) "
                + "who did (recall \(Markup.rate(c.recall)))."
            for a in r.models where isBaseline(a.key) && a.key != b.key {
                guard let ac = a.capacity else { continue }
                let more = c.confusion.truePositives - ac.confusion.truePositives
                p += " \(a.key == baselineKey ? "The ACE-count rule practitioners use today" : "The " + a.name.lowercased() + " baseline"), at the same capacity, finds \(Markup.count(ac.confusion.truePositives))\(foundInterval(a)) "
                    + "(precision \(Markup.rate(ac.precision)), recall \(Markup.rate(ac.recall)))"
                p += more == 0 ? ": the same number." : more > 0 ? ": the model finds \(Markup.count(more)) more for the same number of offers."
                    : ": the model finds \(Markup.count(-more)) fewer for the same number of offers."
            }
            if r.models.contains(where: { $0.intervals != nil }) {
                p += " Intervals are 95% percentile intervals from resampling \(generic ? "rows (persons, when an id column groups them)" : "young people, not rows"): two counts whose intervals overlap may not differ."
            }
            out.append(p)
        }
        if let l = r.leadTime, l.outcomes > 0 {
            var p = "Of the \(Markup.count(l.outcomes)) young people who went on to the outcome, \(Markup.count(l.flaggedBefore)) "
                + "(\(Markup.rate(Double(l.flaggedBefore) / Double(l.outcomes)))) were flagged before it"
            if let m = l.medianMonths { p += ", a median of \(monthsText(m)) months before" }
            if let a = median(l.agesAtFirstFlag) { p += ", at a median age of \(monthsText(a))" }
            if let cap = l.capMonths { p += " No lead time here can exceed \(cap) months, the span of the test dates and their outcome windows" }
            out.append(p + ".")
        }
        if let f = r.fairness {
            out.append(!f.anyCompared
                ? "The fairness audit could compare no groups: every group, or the count each rate rests on, is smaller than \(Markup.count(f.minimumGroupSize)). No disparity can be ruled out."
                : f.flags.isEmpty
                ? "The fairness audit finds no disparity between groups above the bound of \(Markup.fixed(f.bound, 2)) whose 95% intervals do not overlap."
                : "The fairness audit flags \(f.flags.count) disparit\(f.flags.count == 1 ? "y" : "ies") between groups above the bound of "
                    + "\(Markup.fixed(f.bound, 2)); each is listed in section 5 and needs a reviewer's attention before use.")
        }
        return out
    }

    // MARK: - 2. Models

    static func models(_ r: RiskReport, _ styles: StyleBook) -> String {
        var s = "<section id=\"models\"><h2>2. Models side by side</h2>\n"
        guard !r.models.isEmpty else { return s + "<p class=\"note\">No model was evaluated in this run.</p>\n</section>\n" }
        s += "<p class=\"note\">All models are scored on the same held-out rows: \(Markup.escape(r.models[0].population)).</p>\n"
        s += modelsTable(r.models, best: best(r.models)?.key)
        s += charts(r.models, styles, id: "linked")
        s += r.generic == true ? readingNoteRows : readingNote
        if let b = best(r.models), !b.calibration.isEmpty {
            s += "<h3 class=\"sub\">Calibration of \(Markup.escape(b.name)): predicted against observed, per score band</h3>\n"
            var t = HTMLTable([("Score band", false), (r.generic == true ? "Rows" : "People", true), ("Outcomes", true), ("Mean predicted", true), ("Observed", true)])
            for bin in b.calibration {
                t.add(["\(Chart.percentLabel(bin.lower))–\(Chart.percentLabel(bin.upper))", Markup.count(bin.count), Markup.count(bin.positives),
                       Markup.rate(bin.meanPredicted), Markup.rate(bin.observedRate)])
            }
            s += t.render(cls: "calibration")
        }
        return s + "</section>\n"
    }

    static let readingNote = """
        <p class="note"><b>How to read these.</b> <i>ROC AUC</i>: the chance that a young person who went on to the outcome \
        scores above one who did not (0.5 is chance). <i>PR AUC</i> (average precision): precision averaged over every \
        recall; compare it with the prevalence line. <i>Brier</i>: mean squared error of the predicted probabilities (lower \
        is better; none for a rule that gives no probability). <i>Precision at capacity</i>: of those the service has room \
        to see, the share who went on to the outcome. <i>Recall at capacity</i>: of those who went on to the outcome, the \
        share the service would have seen. The outlined markers show each model at capacity.</p>

        """

    /// The same note for a user's own table, which speaks of rows.
    static let readingNoteRows = """
        <p class="note"><b>How to read these.</b> <i>ROC AUC</i>: the chance that a row with the outcome scores above a row \
        without it (0.5 is chance). <i>PR AUC</i> (average precision): precision averaged over every recall; compare it \
        with the prevalence line. <i>Brier</i>: mean squared error of the predicted probabilities (lower is better). \
        <i>Precision at capacity</i>: of the rows flagged, the share with the outcome. <i>Recall at capacity</i>: of the rows \
        with the outcome, the share flagged. The outlined markers show each model at capacity.</p>

        """

    /// The models table: discrimination, calibration and the figures at capacity with the counts behind them.
    static func modelsTable(_ models: [ModelEvaluation], best: String?) -> String {
        let e = Markup.escape
        let capacities = Set(models.compactMap { $0.capacity?.perHundredThousand })
        let capacityHeader = capacities.count == 1 ? " (\(capacityText(capacities.first!)) per 100,000)" : ""
        var t = HTMLTable([("Model", false), ("Rows", true), ("Outcomes", true), ("ROC AUC", true), ("PR AUC", true), ("Brier", true),
                           ("Flagged at capacity\(capacityHeader)", true), ("Precision", true), ("Recall", true), ("Score cut-off", true)])
        for m in models {
            var name = e(m.name)
            if m.key == best { name = "<b>\(name)</b> <span class=\"tag\">best</span>" }
            if m.key == baselineKey { name += " <span class=\"tag today\">practice today</span>" }
            else if isBaseline(m.key) { name += " <span class=\"tag today\">baseline</span>" }
            func ci(_ i: Interval?, _ f: (Double) -> String) -> String { i.map { "<br/><span class=\"k\">\(f($0.lower))–\(f($0.upper))</span>" } ?? "" }
            let iv = m.intervals
            var cells = [name, Markup.count(m.rows), Markup.count(m.positives), Markup.fixed(m.rocAUC, 3) + ci(iv?.rocAUC) { Markup.fixed($0, 3) },
                         Markup.fixed(m.prAUC, 3), Markup.fixed(m.brier, 4)]
            if let c = m.capacity {
                let tp = c.confusion.truePositives
                cells += [Markup.count(c.flagged) + (capacities.count > 1 ? " <span class=\"k\">(\(capacityText(c.perHundredThousand))/100k)</span>" : ""),
                          "\(Markup.rate(c.precision)) <span class=\"k\">(\(Markup.count(tp))/\(Markup.count(c.confusion.flagged)))</span>" + ci(iv?.precision) { Markup.rate($0) },
                          "\(Markup.rate(c.recall)) <span class=\"k\">(\(Markup.count(tp))/\(Markup.count(c.confusion.positives)))</span>" + ci(iv?.recall) { Markup.rate($0) },
                          scoreText(c.threshold)]
            } else {
                cells += ["–", "–", "–", "–"]
            }
            t.add(raw: cells, cls: m.key == best ? "best" : isBaseline(m.key) ? "baseline" : nil)
        }
        var s = t.render(cls: "models")
        if let m = models.first, m.intervals != nil || m.capacityUnit != nil {
            s += "<p class=\"note\"><b>Units.</b> Rows, outcomes and flags count rows"
            if let u = m.capacityUnit { s += "; capacity is applied \(Markup.escape(u))" }
            if let i = m.intervals { s += ". Small grey figures are 95% intervals from \(Markup.count(i.replicates)) bootstrap resamples of \(Markup.escape(i.unit))s: every row of a \(Markup.escape(i.unit)) drawn goes in together" }
            s += ". Ties at a capacity cut are broken by a keyed hash of the person, so exactly the capacity is flagged.</p>\n"
        }
        return s
    }

    /// ROC, precision-recall and calibration charts for `models`, side by side.
    static func charts(_ models: [ModelEvaluation], _ styles: StyleBook, id: String) -> String {
        let capacities = Set(models.compactMap { $0.capacity?.perHundredThousand })
        let marksLabel = capacities.count == 1 ? "at capacity (\(capacityText(capacities.first!)) per 100,000)" : "at capacity"
        let percent: (Double) -> String = Chart.percentLabel

        var roc = LineChart(cls: "roc", id: "roc-\(id)", title: "ROC curves: true positive rate against false positive rate, per model",
                            xLabel: "false positive rate", yLabel: "true positive rate (recall)", tick: percent)
        roc.references = [.init(from: (0, 0), to: (1, 1), label: "chance (AUC 0.5)")]
        roc.marksLabel = marksLabel
        var pr = LineChart(cls: "pr", id: "pr-\(id)", title: "Precision-recall curves, per model",
                           xLabel: "recall", yLabel: "precision", tick: percent)
        pr.marksLabel = marksLabel
        if let m = models.first, m.rows > 0 {
            let prevalence = Double(m.positives) / Double(m.rows)
            pr.references = [.init(from: (0, prevalence), to: (1, prevalence), label: "prevalence \(Markup.rate(prevalence)) (no skill)")]
        }
        let calibrated = models.filter { !$0.calibration.isEmpty }
        let top = calibrated.flatMap { $0.calibration.flatMap { [$0.meanPredicted, $0.observedRate] } }.filter(\.isFinite).max() ?? 1
        let domain = Chart.niceCeiling(min(1, top * 1.05), fallback: 1)
        var cal = LineChart(cls: "calibration-chart", id: "cal-\(id)", title: "Calibration: observed rate against mean predicted probability, per score band",
                            xLabel: "mean predicted probability", yLabel: "observed rate", xDomain: 0...domain, yDomain: 0...domain, tick: percent)
        cal.references = [.init(from: (0, 0), to: (domain, domain), label: "perfect calibration")]
        cal.weightStrip = "people per band (log scale); marker area by people"

        for m in models {
            let st = styles[m.key]
            roc.series.append(.init(key: m.key, label: "\(m.name) · AUC \(Markup.fixed(m.rocAUC, 3))", style: st, points: m.roc.map { ($0.x, $0.y) }))
            pr.series.append(.init(key: m.key, label: "\(m.name) · AP \(Markup.fixed(m.prAUC, 3))", style: st, points: m.pr.map { ($0.x, $0.y) }))
            if let c = m.capacity {
                let tip = "\(m.name) at capacity: \(Markup.count(c.flagged)) flagged, precision \(Markup.rate(c.precision)), recall \(Markup.rate(c.recall))"
                if let fpr = c.confusion.falsePositiveRate, let tpr = c.recall { roc.marks.append(.init(x: fpr, y: tpr, style: st, tip: tip)) }
                if let p = c.precision, let rc = c.recall { pr.marks.append(.init(x: rc, y: p, style: st, tip: tip)) }
            }
            if !m.calibration.isEmpty {
                cal.series.append(.init(
                    key: m.key, label: "\(m.name) · Brier \(Markup.fixed(m.brier, 4))", style: st,
                    points: m.calibration.map { ($0.meanPredicted, $0.observedRate) }, weights: m.calibration.map(\.count),
                    tips: m.calibration.map {
                        "\(m.name), band \(Chart.percentLabel($0.lower))–\(Chart.percentLabel($0.upper)): \(Markup.count($0.count)) people, "
                            + "\(Markup.count($0.positives)) outcomes; predicted \(Markup.rate($0.meanPredicted)), observed \(Markup.rate($0.observedRate))"
                    }))
            }
        }
        var s = "<div class=\"charts\">\n<figure>\(roc.svg())<figcaption>ROC curves</figcaption></figure>\n"
        s += "<figure>\(pr.svg())<figcaption>Precision-recall curves</figcaption></figure>\n"
        if cal.series.isEmpty {
            s += "<figure><p class=\"note\">No model gives calibrated probabilities, so there is no calibration chart.</p></figure>\n"
        } else {
            s += "<figure>\(cal.svg())<figcaption>Calibration (axes to \(Chart.percentLabel(domain)))</figcaption></figure>\n"
        }
        return s + "</div>\n"
    }

    // MARK: - 3. Linked vs true persons

    static func linkage(_ r: RiskReport, _ styles: StyleBook) -> String {
        let e = Markup.escape
        var s = "<section id=\"linkage\"><h2>3. Linked persons against the city's true persons</h2>\n"
        guard !r.truePersonModels.isEmpty else {
            return s + "<p class=\"note\">Not available: the true persons are known only in a synthetic city, and this evaluation has none.</p>\n</section>\n"
        }
        s += "<p class=\"note\">The same models evaluated twice: on the persons the record linkage built (what a service would see), and on "
        s += "the city's true persons (what perfect linkage would give). The differences are what linkage errors cost: records split "
        s += "between two persons hide a young person's history, and records wrongly merged add someone else's.</p>\n"
        var t = HTMLTable([("Model", false), ("ROC AUC", true), ("PR AUC", true), ("Brier", true), ("Precision at capacity", true),
                           ("Recall at capacity", true), ("Outcomes found", true)])
        for truth in r.truePersonModels {
            guard let linked = r.models.first(where: { $0.key == truth.key }) else { continue }
            func cell(_ a: Double?, _ b: Double?, digits: Int) -> String {
                if a == nil && b == nil { return "–" }
                return "\(Markup.fixed(a, digits)) → \(Markup.fixed(b, digits)) <span class=\"k\">(\(delta(a, b, digits: digits)))</span>"
            }
            func rates(_ a: Double?, _ b: Double?) -> String {
                "\(Markup.rate(a)) → \(Markup.rate(b)) <span class=\"k\">(\(points(a, b)))</span>"
            }
            let lc = linked.capacity, tc = truth.capacity
            var found = "–"
            if let lc, let tc {
                let d = tc.confusion.truePositives - lc.confusion.truePositives
                found = "\(Markup.count(lc.confusion.truePositives)) → \(Markup.count(tc.confusion.truePositives)) <span class=\"k\">(\(d >= 0 ? "+" : "−")\(Markup.count(abs(d))))</span>"
            }
            t.add(raw: [e(truth.name), cell(linked.rocAUC, truth.rocAUC, digits: 3), cell(linked.prAUC, truth.prAUC, digits: 3),
                        cell(linked.brier, truth.brier, digits: 4), rates(lc?.precision, tc?.precision), rates(lc?.recall, tc?.recall), found])
        }
        s += "<h3 class=\"sub\">Linked → true persons (difference)</h3>\n" + t.render(cls: "linkage-cost")
        s += "<h3 class=\"sub\">On the true persons</h3>\n"
        s += modelsTable(r.truePersonModels, best: best(r.truePersonModels)?.key)
        s += charts(r.truePersonModels, styles, id: "true")
        return s + "</section>\n"
    }

    // MARK: - 4. Lead time

    static func leadTime(_ l: LeadTimeSummary?, models: [ModelEvaluation] = []) -> String {
        var s = "<section id=\"lead-time\"><h2>4. Lead time: how early the model flags</h2>\n"
        guard let l else { return s + "<p class=\"note\">No lead-time analysis in this run.</p>\n</section>\n" }
        if let cap = l.capMonths {
            s += "<p class=\"note\"><b>Capped by the test window.</b> A young person can be flagged no earlier than the first test date, and "
            s += "an outcome counts only up to the end of the last date's outcome window, so no lead time here can exceed \(cap) months. "
            s += "Lead times are per young person (their first flag), not per row.</p>\n"
        }
        s += "<div class=\"facts\">"
        s += Markup.fact("Went on to the outcome", Markup.count(l.outcomes), "in the evaluation")
        s += Markup.fact("Flagged before it", Markup.count(l.flaggedBefore),
                         l.outcomes > 0 ? Markup.rate(Double(l.flaggedBefore) / Double(l.outcomes)) + " of them" : "–")
        s += Markup.fact("Months before, median", l.medianMonths.map(monthsText) ?? "–",
                         l.monthsBefore.isEmpty ? "nobody flagged before" : "range \(l.monthsBefore.min()!)–\(l.monthsBefore.max()!)")
        s += Markup.fact("Age at first flag, median", median(l.agesAtFirstFlag).map(monthsText) ?? "–",
                         l.agesAtFirstFlag.isEmpty ? "–" : "range \(l.agesAtFirstFlag.min()!)–\(l.agesAtFirstFlag.max()!)")
        s += "</div>\n"
        if !l.monthsBefore.isEmpty || !l.agesAtFirstFlag.isEmpty {
            s += "<div class=\"charts two\">\n"
            if !l.monthsBefore.isEmpty {
                let chart = BarChart(cls: "lead-months", id: "lead-months", title: "Months from first flag to the outcome, per young person flagged before it",
                                     xLabel: "months before the outcome at first flag", yLabel: "young people", bins: monthBins(l.monthsBefore))
                s += "<figure>\(chart.svg())<figcaption>Months before the outcome at first flag</figcaption></figure>\n"
            }
            if !l.agesAtFirstFlag.isEmpty {
                let lo = l.agesAtFirstFlag.min()!, hi = l.agesAtFirstFlag.max()!
                let bins = (lo...hi).map { a in (label: String(a), count: l.agesAtFirstFlag.filter { $0 == a }.count) }
                let chart = BarChart(cls: "lead-ages", id: "lead-ages", title: "Age at first flag, per young person flagged before the outcome",
                                     xLabel: "age in years at first flag", yLabel: "young people", bins: bins, colour: "#009e73")
                s += "<figure>\(chart.svg())<figcaption>Age at first flag</figcaption></figure>\n"
            }
            s += "</div>\n"
        }
        s += "<p class=\"note\">For each young person who went on to the outcome: the first as-of date on which the model, at capacity, "
        s += "would have put them within the service's reach, and how many months that was before the outcome. Those never flagged "
        s += "before the outcome (\(Markup.count(max(0, l.outcomes - l.flaggedBefore)))) are not in the charts.</p>\n"
        s += leadTimeByModel(models)
        return s + "</section>\n"
    }

    /// Every model's and baseline's lead time side by side, and person by person against the first model (the trees):
    /// of those both flagged before the outcome, how many the model flagged earlier, at the same date, or later.
    static func leadTimeByModel(_ models: [ModelEvaluation]) -> String {
        let withLead = models.filter { $0.leadTime != nil }
        guard withLead.count > 1, let first = withLead.first, let mine = first.leadTime?.byPerson else { return "" }
        var t = HTMLTable([("Model", false), ("Flagged before the outcome", true), ("Median months before", true),
                           ("Against \(first.name), person by person", false)])
        for m in withLead {
            let l = m.leadTime!
            var against = "–"
            if m.key != first.key, let theirs = l.byPerson {
                let both = Set(mine.keys).intersection(theirs.keys)
                let earlier = both.filter { mine[$0]! > theirs[$0]! }.count, later = both.filter { mine[$0]! < theirs[$0]! }.count
                against = "\(Markup.count(both.count)) flagged by both: \(first.name) earlier for \(Markup.count(earlier)), "
                    + "the same date for \(Markup.count(both.count - earlier - later)), later for \(Markup.count(later)); "
                    + "\(Markup.count(Set(mine.keys).subtracting(theirs.keys).count)) only by \(first.name), \(Markup.count(Set(theirs.keys).subtracting(mine.keys).count)) only by this one"
            }
            t.add([m.name, "\(Markup.count(l.flaggedBefore)) of \(Markup.count(l.outcomes))", l.medianMonths.map(monthsText) ?? "–", against])
        }
        return "<h3 class=\"sub\">Lead time of every model and baseline, at the same capacity</h3>\n" + t.render(cls: "lead-by-model")
    }

    // MARK: - 3b. Hindsight

    /// The figures with persons linked from the whole store against persons linked, for each date, only from what was
    /// recorded before it.
    static func hindsight(_ h: HindsightComparison?) -> String {
        guard let h, !h.asOfDate.isEmpty else { return "" }
        var s = "<section id=\"hindsight\"><h2>3b. Linkage as of each date against linkage with hindsight</h2>\n"
        s += "<p class=\"note\">The main figures use persons linked from every record in the store, including records made after a test "
        s += "date: hindsight a service would not have had. Here the same trained models are judged again on persons linked, for each test "
        s += "date, only from the records entered before it, with the same trained linkage model. The difference is what hindsight adds.</p>\n"
        var t = HTMLTable([("Model", false), ("ROC AUC: hindsight → as of the date", true), ("Outcomes found at capacity", true),
                           ("Precision", true), ("Recall", true)])
        for a in h.asOfDate {
            guard let w = h.withHindsight.first(where: { $0.key == a.key }) else { continue }
            t.add([a.name, "\(Markup.fixed(w.rocAUC, 3)) → \(Markup.fixed(a.rocAUC, 3))",
                   "\(Markup.count(w.capacity?.confusion.truePositives ?? 0)) → \(Markup.count(a.capacity?.confusion.truePositives ?? 0))",
                   "\(Markup.rate(w.capacity?.precision)) → \(Markup.rate(a.capacity?.precision))",
                   "\(Markup.rate(w.capacity?.recall)) → \(Markup.rate(a.capacity?.recall))"])
        }
        return s + t.render(cls: "hindsight") + "</section>\n"
    }

    /// Months grouped into bins of 3, 6 or 12 so the chart has at most a dozen or so bars.
    static func monthBins(_ months: [Int]) -> [(label: String, count: Int)] {
        let hi = max(0, months.max() ?? 0)
        let width = hi < 36 ? 3 : hi < 72 ? 6 : 12
        return stride(from: 0, through: hi, by: width).map { lo in
            (label: "\(lo)–\(lo + width - 1)", count: months.filter { $0 >= lo && $0 < lo + width }.count)
        }
    }

    // MARK: - 5. Fairness

    static func fairness(_ f: FairnessReport?, models: [ModelEvaluation] = [], generic: Bool = false) -> String {
        let e = Markup.escape
        var s = "<section id=\"fairness\"><h2>5. Fairness audit</h2>\n"
        guard let f else { return s + "<p class=\"note\">No fairness audit in this run.</p>\n</section>\n" }
        s += "<p class=\"note\">Audited: \(e(f.subject)). "
        s += f.threshold.map { "Flagged means a score of \(scoreText($0)) or more (exactly the capacity when capacity sets it). " } ?? "Threshold-free audit: ranking and calibration only. "
        s += "A disparity is the highest group's rate over the lowest group's, and their difference; it is flagged when the ratio is above "
        s += "\(Markup.fixed(f.bound, 2)) and the two groups' 95% intervals (Wilson intervals for rates) do not overlap. "
        s += "Groups of fewer than \(Markup.count(f.minimumGroupSize)) are suppressed: their figures are withheld; a rate is compared only "
        s += "when the count it rests on reaches \(Markup.count(f.minimumGroupSize)). \"unknown\" is shown, never compared.</p>\n"
        for a in f.attributes {
            let total = a.groups.reduce(0) { $0 + $1.count }
            if let u = a.groups.first(where: { $0.group == FairnessAudit.unknownGroup }), total > 0 {
                s += "<p class=\"note\">\(e(a.attribute.spaced.capitalisedFirst)) unknown for \(Markup.count(u.count)) of \(Markup.count(total)) rows (\(Markup.rate(Double(u.count) / Double(total)))).</p>\n"
            }
        }
        let audited = models.filter { $0.fairness != nil }
        if audited.count > 1 {
            var t = HTMLTable([("Model", false), ("Flags", true), ("Measures compared", true)])
            for m in audited {
                let fr = m.fairness!
                t.add([m.name, String(fr.flags.count), String(fr.attributes.reduce(0) { $0 + $1.disparities.count })])
            }
            s += "<h3 class=\"sub\">Every model and baseline audited at the same capacity</h3>\n" + t.render(cls: "fairness-by-model")
            for m in audited.dropFirst() where !m.fairness!.flags.isEmpty {
                s += "<p class=\"note\">\(e(m.name)): " + m.fairness!.flags.map(e).joined(separator: "; ") + "</p>\n"
            }
        }
        let flags = f.flags
        if !f.anyCompared {
            s += "<div class=\"flags\"><b>Nothing could be compared:</b> every group, or the count each rate rests on, is smaller than "
            s += "\(Markup.count(f.minimumGroupSize)). This is not evidence of fairness.</div>\n"
        } else if flags.isEmpty {
            s += "<div class=\"flags ok\"><b>No disparity above the bound with non-overlapping intervals.</b></div>\n"
        } else {
            s += "<div class=\"flags\" role=\"alert\"><b>⚑ \(flags.count) disparit\(flags.count == 1 ? "y" : "ies") above the bound of \(Markup.fixed(f.bound, 2)).</b> "
            s += "Each needs a reviewer to understand its cause before the scores are used.<ul>"
            for x in flags { s += "<li class=\"flag\">⚑ \(e(x))</li>" }
            s += "</ul></div>\n"
        }
        for (i, a) in f.attributes.enumerated() {
            s += "<div class=\"attribute\" data-attribute=\"\(e(a.attribute))\"><h3 class=\"sub\">\(e(a.attribute.spaced.capitalisedFirst))</h3>\n"
            var t = HTMLTable([("Group", false), (generic ? "Rows" : "People", true), ("Outcomes", true), ("Selection rate", true), ("False positive rate", true),
                               ("False negative rate", true), ("Precision (PPV)", true), ("Observed rate", true), ("Mean predicted", true),
                               ("ROC AUC", true)])
            let shown = a.groups.filter { !$0.suppressed }
            let columns: [(GroupFairness) -> Double?] = [
                { $0.confusion?.selectionRate }, { $0.confusion?.falsePositiveRate }, { $0.confusion?.falseNegativeRate },
                { $0.confusion?.precision }, \.observedRate, \.meanScore,
            ]
            let digits = columns.map { column in Markup.rateDigits(shown.map(column)) }
            for g in a.groups {
                if g.suppressed {
                    t.add(raw: [e(g.group), "suppressed (fewer than \(Markup.count(f.minimumGroupSize)))"], cls: "suppressed", spans: [1, 9])
                } else {
                    let rates = zip(columns, digits).map { column, d in Markup.rate(column(g), digits: d) }
                    t.add([g.group, Markup.count(g.count), Markup.count(g.positives)] + rates + [Markup.fixed(g.rocAUC, 3)])
                }
            }
            s += t.render(cls: "groups")
            if !a.disparities.isEmpty {
                var d = HTMLTable([("Measure", false), ("Highest (95% interval)", false), ("Lowest (95% interval)", false), ("Ratio", true),
                                   ("Difference", true), ("Against the bound", false)])
                for x in a.disparities {
                    let ratio = x.ratio.map { Markup.fixed($0, 2) } ?? "unbounded"
                    let over = x.ratio.map { $0 > f.bound } ?? true
                    let status = x.exceedsBound ? "<span class=\"flag\">⚑ above \(Markup.fixed(f.bound, 2))</span>"
                        : over && x.intervalsOverlap == true ? "above the bound, but the intervals overlap" : "within"
                    let digits = Markup.rateDigits([x.highest])
                    func withInterval(_ g: String, _ v: Double) -> String {
                        let i = a.groups.first { $0.group == g }?.intervals?[x.measure]
                        return "\(g) \(measureValue(x.measure, v, digits: digits))"
                            + (i.map { " (\(measureValue(x.measure, $0.lower, digits: digits))–\(measureValue(x.measure, $0.upper, digits: digits)))" } ?? "")
                    }
                    d.add(raw: [e(measureName(x.measure)), e(withInterval(x.highestGroup, x.highest)), e(withInterval(x.lowestGroup, x.lowest)),
                                e(ratio), e(x.difference.map { measureValue(x.measure, $0, digits: digits) } ?? "–"), status],
                          cls: x.exceedsBound ? "over" : nil)
                }
                s += "<div class=\"pair\">" + d.render(cls: "disparities") + dotPlot(a, f, index: i) + "</div>\n"
            } else {
                s += dotPlot(a, f, index: i)
            }
            s += "</div>\n"
        }
        return s + "</section>\n"
    }

    static func dotPlot(_ a: AttributeAudit, _ f: FairnessReport, index: Int) -> String {
        let over = a.disparities.filter(\.exceedsBound)
        let flagged = Set(over.map(\.measure))
        let shown = a.groups.map { $0.suppressed ? nil : $0.confusion }
        let measures: [(String, String, (ConfusionCounts) -> Double?)] = [
            ("selection_rate", "Selection rate", { $0.selectionRate }),
            ("false_positive_rate", "False positive rate", { $0.falsePositiveRate }),
            ("false_negative_rate", "False negative rate", { $0.falseNegativeRate }),
            ("positive_predictive_value", "Precision (PPV)", { $0.precision }),
        ]
        let panels = measures.map { key, title, value in
            let extremes = over.filter { $0.measure == key }.flatMap { [$0.highestGroup, $0.lowestGroup] }
            return DotPlot.Panel(key: key, title: title, flagged: flagged.contains(key), values: shown.map { $0.flatMap(value) },
                                 emphasised: Set(a.groups.indices.filter { extremes.contains(a.groups[$0].group) }))
        }.filter { $0.values.contains { $0 != nil } }
        guard !panels.isEmpty else { return "" }
        let plot = DotPlot(cls: "fairness-dots", id: "fairness-\(index)", title: "Rates by \(a.attribute.spaced) group; flagged measures marked",
                           groups: a.groups.map(\.group),
                           withheld: a.groups.map { $0.suppressed ? "suppressed (fewer than \(Markup.count(f.minimumGroupSize)))" : nil },
                           panels: panels)
        return "<figure class=\"dots\">\(plot.svg())</figure>\n"
    }

    /// A disparity measure's code in words.
    static func measureName(_ code: String) -> String {
        switch code {
        case "selection_rate": "Selection rate"
        case "false_positive_rate": "False positive rate"
        case "false_negative_rate": "False negative rate"
        case "true_positive_rate": "True positive rate (recall)"
        case "positive_predictive_value": "Precision (PPV)"
        case "calibration_ratio": "Calibration (observed ÷ predicted)"
        case "roc_auc": "ROC AUC"
        default: code.spaced.capitalisedFirst
        }
    }

    /// A measure's value: rates as percentages, ratios and AUCs as decimals.
    static func measureValue(_ code: String, _ v: Double, digits: Int) -> String {
        switch code {
        case "calibration_ratio": Markup.fixed(v, 2)
        case "roc_auc": Markup.fixed(v, 3)
        default: Markup.rate(v, digits: digits)
        }
    }

    // MARK: - 6. Flagged

    static func flagged(_ people: [FlaggedPerson], links: [String: String]) -> String {
        let e = Markup.escape
        var s = "<section id=\"flagged\"><h2>6. Young people flagged at the latest date (\(people.count))</h2>\n"
        s += "<div class=\"notice small\" role=\"note\">Each row is an offer of support for a practitioner to review, never a decision. "
        s += "Read the reasons against the chronology before any contact.</div>\n"
        guard !people.isEmpty else { return s + "<p class=\"note\">Nobody is within capacity at the latest date.</p>\n</section>\n" }
        let scale = people.flatMap { ($0.reasons + $0.lowering).map { abs($0.contribution) } }.filter(\.isFinite).max() ?? 1
        var t = HTMLTable([("Rank", true), ("Young person", false), ("Age", true), ("Score", true), ("What raised the score", false),
                           ("What lowered it", false)])
        for p in people.sorted(by: { $0.rank < $1.rank }) {
            let who = links[p.key].map { "<a href=\"\(Markup.safeHref($0))\">\(e(p.key))</a>" } ?? e(p.key)
            t.add(raw: [String(p.rank), who, p.age.map(String.init) ?? "–", Markup.rate(p.score), reasons(p.reasons, scale: scale),
                        reasons(p.lowering, scale: scale)])
        }
        s += t.render(cls: "flagged")
        s += "<p class=\"note\">Score: the calibrated probability of the outcome within the horizon. Each reason shows its contribution "
        s += "to the score on the log-odds scale (+ raises, − lowers); the bars share one scale across the table. "
        s += "Reasons come from the records and may be wrong: a practitioner checks them.</p>\n"
        return s + "</section>\n"
    }

    static func reasons(_ rs: [Reason], scale: Double) -> String {
        guard !rs.isEmpty else { return "<span class=\"k\">–</span>" }
        var s = "<ul class=\"reasons\">"
        for r in rs {
            s += "<li class=\"\(r.contribution >= 0 ? "up" : "down")\">\(ContributionBar(value: r.contribution, scale: scale).svg())"
            s += "<span class=\"c\">\(Markup.signed(r.contribution, 2))</span> \(Markup.escape(r.text))</li>"
        }
        return s + "</ul>"
    }

    // MARK: - 7. Model card

    static func modelCard(_ c: ModelCard) -> String {
        let e = Markup.escape
        func list(_ xs: [String]) -> String { xs.isEmpty ? "–" : "<ul>" + xs.map { "<li>\(e($0))</li>" }.joined() + "</ul>" }
        var s = "<section id=\"model-card\"><h2>7. Model card</h2>\n<dl class=\"card\">\n"
        let rows: [(String, String)] = [
            ("Model", e(c.modelID) + " · created " + e(c.created)),
            ("Data", e(c.data)), ("Period", e(c.period)), ("Outcome", e(c.outcome)), ("Intended use", e(c.intendedUse)),
            ("Not for", list(c.notFor)), ("Limits", list(c.limits)), ("Safeguards", list(c.safeguards)),
            ("Features (\(c.features.count))", c.features.isEmpty ? "–" : "<ul class=\"features\">" + c.features.map { "<li>\(e($0))</li>" }.joined() + "</ul>"),
        ]
        for (k, v) in rows { s += "<dt>\(e(k))</dt><dd>\(v)</dd>\n" }
        return s + "</dl>\n</section>\n"
    }

    // MARK: - Helpers

    /// Whether a key is one of the baselines (the ACE count, age only, the age band × ACE rule) rather than a model.
    static func isBaseline(_ key: String) -> Bool { ["ace_count", "age_only", "age_band_ace"].contains(key) }

    /// " (95% interval a–b)" for the outcomes found at capacity, when measured.
    static func foundInterval(_ m: ModelEvaluation) -> String {
        m.intervals?.truePositives.map { " (95% interval \(Markup.count(Int($0.lower)))–\(Markup.count(Int($0.upper))))" } ?? ""
    }

    /// The model that ranks best: highest PR AUC (the measure that matters for a rare outcome), then ROC AUC.
    static func best(_ models: [ModelEvaluation]) -> ModelEvaluation? {
        models.enumerated().max { a, b in
            (a.element.prAUC ?? -1, a.element.rocAUC ?? -1, -a.offset) < (b.element.prAUC ?? -1, b.element.rocAUC ?? -1, -b.offset)
        }?.element
    }

    /// The middle value (the mean of the middle two for an even count), or `nil` for none.
    static func median(_ xs: [Int]) -> Double? {
        guard !xs.isEmpty else { return nil }
        let v = xs.sorted()
        return v.count % 2 == 1 ? Double(v[v.count / 2]) : Double(v[v.count / 2 - 1] + v[v.count / 2]) / 2
    }

    /// A median of whole numbers: no decimals when whole, one otherwise.
    static func monthsText(_ x: Double) -> String { x == x.rounded() ? Markup.fixed(x, 0) : Markup.fixed(x, 1) }

    static func capacityText(_ perHundredThousand: Double) -> String {
        perHundredThousand == perHundredThousand.rounded() ? Markup.count(Int(perHundredThousand)) : Markup.fixed(perHundredThousand, 1)
    }

    /// A score cut-off: a whole number for a count rule (4 ACEs), three decimals for a probability.
    static func scoreText(_ t: Double) -> String { t >= 1 && t == t.rounded() ? Markup.fixed(t, 0) : Markup.fixed(t, 3) }

    /// `b − a` with `digits` decimals and a sign.
    static func delta(_ a: Double?, _ b: Double?, digits: Int) -> String {
        guard let a, let b else { return "–" }
        return Markup.signed(b - a, digits)
    }

    /// `b − a` in percentage points.
    static func points(_ a: Double?, _ b: Double?) -> String {
        guard let a, let b else { return "–" }
        return Markup.signed((b - a) * 100, 1) + " pts"
    }

    /// One style per model key, the same in every chart (linked and true persons), in the order the models come.
    struct StyleBook {
        var byKey: [String: Chart.Style] = [:]
        init(_ r: RiskReport) {
            for m in r.models + r.truePersonModels where byKey[m.key] == nil { byKey[m.key] = Chart.style(byKey.count) }
        }
        subscript(key: String) -> Chart.Style { byKey[key] ?? Chart.style(0) }
    }

    static let css = """
    nav.contents { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12.5px; margin: -4px 0 8px; }
    nav.contents a { color: #0b4f8a; text-decoration: none; }
    .notice { border: 2px solid #0b4f8a; border-left-width: 8px; background: #eef4fa; padding: 8px 12px; margin: 6px 0 10px; font-size: 14.5px; }
    .notice b { color: #0b4f8a; }
    .notice.small { font-size: 12.5px; padding: 4px 10px; border-width: 1px; border-left-width: 6px; }
    .summary p { margin: 4px 0; max-width: 64em; font-size: 14.5px; }
    h3.sub { font-size: 13px; margin: 10px 0 2px; color: var(--muted); }
    figure { margin: 0; }
    figcaption { font-size: 12px; color: var(--muted); text-align: center; }
    .charts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px 18px; align-items: start; margin: 6px 0; }
    .charts.two { grid-template-columns: repeat(2, minmax(0, 440px)); }
    .charts svg { width: 100%; height: auto; }
    .tag { display: inline-block; font-size: 10.5px; font-weight: 600; padding: 0 5px; border-radius: 3px; background: #0072b2; color: #fff; }
    .tag.today { background: #e8ecef; color: var(--ink); }
    .k { color: var(--muted); font-size: 11px; }
    tr.best td { background: #eef4fa; }
    tr.suppressed td { color: var(--muted); font-style: italic; }
    tr.over td { background: #fde8ea; }
    .flag { color: var(--sv); font-weight: 700; }
    .flags { border: 2px solid var(--sv); background: #fde8ea; padding: 6px 12px; margin: 6px 0 10px; }
    .flags b { color: var(--sv); }
    .flags ul { margin: 4px 0 0; padding-left: 4px; list-style: none; }
    .flags li.flag { font-weight: 600; }
    .flags.ok { border-color: #009e73; background: #e8f6f1; }
    .flags.ok b { color: #00684c; }
    .attribute { margin-bottom: 10px; }
    .attribute .pair { display: flex; flex-wrap: wrap; gap: 4px 28px; align-items: flex-start; }
    .attribute .pair figure { margin-top: 4px; }
    figure.dots svg { max-width: 100%; }
    table.flagged td { padding-top: 4px; padding-bottom: 4px; }
    table.flagged td:nth-child(2) { white-space: nowrap; font-weight: 600; }
    table.flagged a { color: #0b4f8a; }
    ul.reasons { list-style: none; margin: 0; padding: 0; }
    ul.reasons li { white-space: normal; margin: 1px 0; }
    ul.reasons svg { display: inline-block; vertical-align: middle; margin-right: 5px; }
    ul.reasons .c { display: inline-block; min-width: 3.2em; font-variant-numeric: tabular-nums; color: var(--muted); }
    ul.reasons li.up .c { color: #a63d00; }
    ul.reasons li.down .c { color: #005a8c; }
    dl.card { display: grid; grid-template-columns: 11em 1fr; gap: 4px 14px; margin: 4px 0; font-size: 13px; }
    dl.card dt { font-weight: 600; color: var(--muted); }
    dl.card dd { margin: 0; }
    dl.card ul { margin: 0; padding-left: 18px; }
    dl.card ul.features { columns: 3 16em; }
    @media print {
      .charts { grid-template-columns: repeat(3, 1fr); }
      .notice, .flags, tr.over td, tr.best td, svg { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
      section { break-inside: auto; }
      .attribute, dl.card { break-inside: avoid; }
    }
    @media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
    """
}

extension String {
    /// The first letter in upper case, for codes shown as headings ("deprivation quintile" → "Deprivation quintile").
    var capitalisedFirst: String { prefix(1).uppercased() + dropFirst() }
}
