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
        s += " · \(e(report.card.period)) · synthetic data</span></header>\n"
        s += "<nav class=\"contents screen-only\">"
        for (id, label) in [("headline", "Headline"), ("models", "Models"), ("linkage", "Linked vs true persons"), ("lead-time", "Lead time"),
                            ("fairness", "Fairness"), ("flagged", "Flagged young people"), ("model-card", "Model card")] {
            s += "<a href=\"#\(id)\">\(label)</a>"
        }
        s += "</nav>\n"
        s += headline(report)
        s += models(report, styles)
        s += linkage(report, styles)
        s += leadTime(report.leadTime)
        s += fairness(report.fairness)
        s += flagged(report.flagged, links: links)
        s += modelCard(report.card)
        s += "<footer>Upstream · \(e(report.title)) · model \(e(report.card.modelID)) · all data in this report is synthetic: generated "
        s += "people in a generated city. Scores are offers of support for a practitioner to review, never automatic decisions.</footer>\n"
        s += "</body>\n</html>\n"
        return s
    }

    // MARK: - 1. Headline

    static let notice = "Scores are offers of support for a practitioner to review, never automatic decisions. "
        + "No score starts any action by itself: a practitioner who knows the young person's circumstances decides whether, "
        + "and how, to offer support."

    static func headline(_ r: RiskReport) -> String {
        let e = Markup.escape
        var s = "<section id=\"headline\"><h2>1. Headline</h2>\n"
        s += "<div class=\"notice\" role=\"note\"><b>Offers of support, not decisions.</b> \(e(notice))</div>\n"
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
            s += Markup.fact("Lead time, median", median(l.monthsBefore).map { "\(monthsText($0)) months" } ?? "–",
                             "before the outcome, at first flag")
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
        out.append("On \(Markup.count(b.rows)) held-out rows (\(b.population)), of which \(Markup.count(b.positives)) went on to the outcome, "
            + "\(b.name) ranked young people best: PR AUC \(Markup.fixed(b.prAUC, 3)), ROC AUC \(Markup.fixed(b.rocAUC, 3)).")
        if let c = b.capacity {
            var p = "With capacity to offer support to \(capacityText(c.perHundredThousand)) in every 100,000, it would flag "
                + "\(Markup.count(c.flagged)) young people. \(Markup.count(c.confusion.truePositives)) of them went on to the outcome "
                + "(precision \(Markup.rate(c.precision))): \(Markup.count(c.confusion.truePositives)) of the \(Markup.count(c.confusion.positives)) "
                + "who did (recall \(Markup.rate(c.recall)))."
            if let a = r.models.first(where: { $0.key == baselineKey }), a.key != b.key, let ac = a.capacity {
                let more = c.confusion.truePositives - ac.confusion.truePositives
                p += " The ACE-count rule practitioners use today, at the same capacity, finds \(Markup.count(ac.confusion.truePositives)) "
                    + "(precision \(Markup.rate(ac.precision)), recall \(Markup.rate(ac.recall)))"
                p += more == 0 ? ": the same number." : more > 0 ? ": the model finds \(Markup.count(more)) more for the same number of offers."
                    : ": the model finds \(Markup.count(-more)) fewer for the same number of offers."
            }
            out.append(p)
        }
        if let l = r.leadTime, l.outcomes > 0 {
            var p = "Of the \(Markup.count(l.outcomes)) young people who went on to the outcome, \(Markup.count(l.flaggedBefore)) "
                + "(\(Markup.rate(Double(l.flaggedBefore) / Double(l.outcomes)))) were flagged before it"
            if let m = median(l.monthsBefore) { p += ", a median of \(monthsText(m)) months before" }
            if let a = median(l.agesAtFirstFlag) { p += ", at a median age of \(monthsText(a))" }
            out.append(p + ".")
        }
        if let f = r.fairness {
            out.append(f.flags.isEmpty
                ? "The fairness audit finds no disparity between groups above the bound of \(Markup.fixed(f.bound, 2))."
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
        s += readingNote
        if let b = best(r.models), !b.calibration.isEmpty {
            s += "<h3 class=\"sub\">Calibration of \(Markup.escape(b.name)): predicted against observed, per score band</h3>\n"
            var t = HTMLTable([("Score band", false), ("People", true), ("Outcomes", true), ("Mean predicted", true), ("Observed", true)])
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
            var cells = [name, Markup.count(m.rows), Markup.count(m.positives), Markup.fixed(m.rocAUC, 3), Markup.fixed(m.prAUC, 3),
                         Markup.fixed(m.brier, 4)]
            if let c = m.capacity {
                let tp = c.confusion.truePositives
                cells += [Markup.count(c.flagged) + (capacities.count > 1 ? " <span class=\"k\">(\(capacityText(c.perHundredThousand))/100k)</span>" : ""),
                          "\(Markup.rate(c.precision)) <span class=\"k\">(\(Markup.count(tp))/\(Markup.count(c.confusion.flagged)))</span>",
                          "\(Markup.rate(c.recall)) <span class=\"k\">(\(Markup.count(tp))/\(Markup.count(c.confusion.positives)))</span>",
                          scoreText(c.threshold)]
            } else {
                cells += ["–", "–", "–", "–"]
            }
            t.add(raw: cells, cls: m.key == best ? "best" : m.key == baselineKey ? "baseline" : nil)
        }
        return t.render(cls: "models")
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

    static func leadTime(_ l: LeadTimeSummary?) -> String {
        var s = "<section id=\"lead-time\"><h2>4. Lead time: how early the model flags</h2>\n"
        guard let l else { return s + "<p class=\"note\">No lead-time analysis in this run.</p>\n</section>\n" }
        s += "<div class=\"facts\">"
        s += Markup.fact("Went on to the outcome", Markup.count(l.outcomes), "in the evaluation")
        s += Markup.fact("Flagged before it", Markup.count(l.flaggedBefore),
                         l.outcomes > 0 ? Markup.rate(Double(l.flaggedBefore) / Double(l.outcomes)) + " of them" : "–")
        s += Markup.fact("Months before, median", median(l.monthsBefore).map(monthsText) ?? "–",
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
        return s + "</section>\n"
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

    static func fairness(_ f: FairnessReport?) -> String {
        let e = Markup.escape
        var s = "<section id=\"fairness\"><h2>5. Fairness audit</h2>\n"
        guard let f else { return s + "<p class=\"note\">No fairness audit in this run.</p>\n</section>\n" }
        s += "<p class=\"note\">Audited: \(e(f.subject)). "
        s += f.threshold.map { "Flagged means a score of \(scoreText($0)) or more. " } ?? "Threshold-free audit: ranking and calibration only. "
        s += "A disparity is the highest group's rate over the lowest group's; above \(Markup.fixed(f.bound, 2)) it is flagged. "
        s += "Groups of fewer than \(Markup.count(f.minimumGroupSize)) are suppressed: their figures are withheld.</p>\n"
        let flags = f.flags
        if flags.isEmpty {
            s += "<div class=\"flags ok\"><b>No disparity above the bound.</b></div>\n"
        } else {
            s += "<div class=\"flags\" role=\"alert\"><b>⚑ \(flags.count) disparit\(flags.count == 1 ? "y" : "ies") above the bound of \(Markup.fixed(f.bound, 2)).</b> "
            s += "Each needs a reviewer to understand its cause before the scores are used.<ul>"
            for x in flags { s += "<li class=\"flag\">⚑ \(e(x))</li>" }
            s += "</ul></div>\n"
        }
        for (i, a) in f.attributes.enumerated() {
            s += "<div class=\"attribute\" data-attribute=\"\(e(a.attribute))\"><h3 class=\"sub\">\(e(a.attribute.spaced.capitalisedFirst))</h3>\n"
            var t = HTMLTable([("Group", false), ("People", true), ("Outcomes", true), ("Selection rate", true), ("False positive rate", true),
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
                var d = HTMLTable([("Measure", false), ("Highest", false), ("Lowest", false), ("Ratio", true), ("Against the bound", false)])
                for x in a.disparities {
                    let ratio = x.ratio.map { Markup.fixed($0, 2) } ?? "unbounded"
                    let status = x.exceedsBound ? "<span class=\"flag\">⚑ above \(Markup.fixed(f.bound, 2))</span>" : "within"
                    let digits = Markup.rateDigits([x.highest])
                    d.add(raw: [e(measureName(x.measure)), e("\(x.highestGroup) \(measureValue(x.measure, x.highest, digits: digits))"),
                                e("\(x.lowestGroup) \(measureValue(x.measure, x.lowest, digits: digits))"), e(ratio), status],
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
