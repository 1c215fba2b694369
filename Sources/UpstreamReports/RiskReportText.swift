import UpstreamRisk

/// The risk model's report for a terminal: the headline, the models table with the counts at capacity, what linkage
/// errors cost, lead time, the fairness flags and the top flagged young people with their first reasons.
public enum RiskReportText {
    /// - Parameters:
    ///   - report: the figures, as `upstream risk evaluate` computes them.
    ///   - top: how many flagged young people to list.
    /// - Returns: plain text in aligned columns, ending with a newline; control characters are dropped.
    public static func render(_ report: RiskReport, top: Int = 10) -> String {
        var out: [String] = []
        let title = PlainText.clean(report.title)
        out.append(title)
        out.append(String(repeating: "=", count: title.count))
        let generic = report.generic == true
        out.append("Model \(report.card.modelID), created \(report.card.created), \(report.card.period)." + (generic ? "" : " Synthetic data."))
        out.append("")
        out.append("*** \(generic ? RiskReportPage.noticeRows : RiskReportPage.notice) ***")
        out.append("")
        for p in RiskReportPage.headlineSentences(report) { out.append(p) }
        out.append("")

        out.append("Models (\(report.models.first?.population ?? "no evaluation"))")
        out += models(report.models)
        if let m = report.models.first {
            if let u = m.capacityUnit { out.append(generic ? "Capacity \(u)." : "Rows are person-dates (one young person at one as-of date); capacity \(u).") }
            if let i = m.intervals { out.append("[a-b]: 95% interval from \(i.replicates) bootstrap resamples of \(i.unit)s (every row of a \(i.unit) drawn goes in together).") }
        }
        out.append("")
        if let h = report.hindsight, !h.asOfDate.isEmpty {
            out.append("Linkage with hindsight -> linkage as of each test date (same trained models)")
            out += PlainText.table(["model", "ROC AUC", "found at capacity", "precision@cap", "recall@cap"], right: [1, 2, 3, 4],
                                   rows: h.asOfDate.compactMap { a in
                guard let w = h.withHindsight.first(where: { $0.key == a.key }) else { return nil }
                return [a.name, "\(Markup.fixed(w.rocAUC, 3)) -> \(Markup.fixed(a.rocAUC, 3))",
                        "\(w.capacity?.confusion.truePositives ?? 0) -> \(a.capacity?.confusion.truePositives ?? 0)",
                        "\(Markup.rate(w.capacity?.precision)) -> \(Markup.rate(a.capacity?.precision))",
                        "\(Markup.rate(w.capacity?.recall)) -> \(Markup.rate(a.capacity?.recall))"]
            }, skipIfEmpty: false)
            out.append("")
        }

        if !report.truePersonModels.isEmpty {
            out.append("Linked -> true persons (what linkage errors cost)")
            out += PlainText.table(["model", "ROC AUC", "PR AUC", "precision@cap", "recall@cap", "outcomes found"], right: [1, 2, 3, 4, 5],
                                   rows: report.truePersonModels.compactMap { t in
                guard let l = report.models.first(where: { $0.key == t.key }) else { return nil }
                func pair(_ a: Double?, _ b: Double?, _ d: Int) -> String { "\(Markup.fixed(a, d)) -> \(Markup.fixed(b, d))" }
                let found = l.capacity.flatMap { lc in t.capacity.map { "\(lc.confusion.truePositives) -> \($0.confusion.truePositives)" } } ?? "-"
                return [t.name, pair(l.rocAUC, t.rocAUC, 3), pair(l.prAUC, t.prAUC, 3),
                        "\(Markup.rate(l.capacity?.precision)) -> \(Markup.rate(t.capacity?.precision))",
                        "\(Markup.rate(l.capacity?.recall)) -> \(Markup.rate(t.capacity?.recall))", found]
            }, skipIfEmpty: false)
            out.append("")
        }

        if let l = report.leadTime {
            let share = l.outcomes > 0 ? " (\(Markup.rate(Double(l.flaggedBefore) / Double(l.outcomes))))" : ""
            out.append("Lead time: \(l.flaggedBefore) of \(l.outcomes) who went on to the outcome were flagged before it\(share)")
            if let m = l.medianMonths {
                out.append("  median \(RiskReportPage.monthsText(m)) months before (range \(l.monthsBefore.min()!)-\(l.monthsBefore.max()!))")
            }
            if let a = RiskReportPage.median(l.agesAtFirstFlag) {
                out.append("  median age at first flag \(RiskReportPage.monthsText(a)) (range \(l.agesAtFirstFlag.min()!)-\(l.agesAtFirstFlag.max()!))")
            }
            if let cap = l.capMonths { out.append("  capped: no lead time can exceed \(cap) months (first test date to the end of the last outcome window)") }
            for m in report.models.dropFirst() {
                guard let o = m.leadTime else { continue }
                out.append("  \(m.name): \(o.flaggedBefore) of \(o.outcomes) flagged before, median " + (o.medianMonths.map(RiskReportPage.monthsText) ?? "-") + " months")
            }
            out.append("")
        }

        if let f = report.fairness {
            out.append("Fairness audit: \(f.subject) (bound \(Markup.fixed(f.bound, 2)), groups under \(f.minimumGroupSize) suppressed)")
            let flags = f.flags
            if !f.anyCompared { out.append("  nothing could be compared: every group or rate base is under \(f.minimumGroupSize); this is not evidence of fairness") }
            else if flags.isEmpty { out.append("  no disparity above the bound with non-overlapping 95% intervals") }
            for x in flags { out.append("  FLAG  \(x)") }
            for a in f.attributes {
                let total = a.groups.reduce(0) { $0 + $1.count }
                if let u = a.groups.first(where: { $0.group == FairnessAudit.unknownGroup }), total > 0 {
                    out.append("  \(a.attribute) unknown for \(u.count) of \(total) rows (\(Markup.rate(Double(u.count) / Double(total))))")
                }
            }
            let suppressed = f.attributes.flatMap { a in a.groups.filter(\.suppressed).map { "\(a.attribute) = \($0.group)" } }
            if !suppressed.isEmpty { out.append("  suppressed (fewer than \(f.minimumGroupSize)): " + suppressed.joined(separator: ", ")) }
            out.append("")
        }

        for m in report.models.dropFirst() {
            guard let f = m.fairness else { continue }
            out.append("Fairness of \(m.name): " + (f.flags.isEmpty ? "no flag" : f.flags.joined(separator: "; ")))
        }
        if generic { return out.map(PlainText.clean).joined(separator: "\n") + "\n" }
        let shown = report.flagged.sorted { $0.rank < $1.rank }.prefix(top)
        out.append("Flagged at the latest date: \(report.flagged.count)" + (report.flagged.count > shown.count ? " (top \(shown.count) shown)" : "")
            + ". Offers of support to review, not decisions.")
        out += PlainText.table(["rank", "young person", "age", "score", "first reasons (contribution, log-odds)"], right: [0, 2, 3],
                               rows: shown.map { p in
            let reasons = p.reasons.prefix(2).map { "\($0.text) (\(Markup.signed($0.contribution, 2).replacingMinus))" }.joined(separator: "; ")
            return [String(p.rank), p.key, p.age.map(String.init) ?? "-", Markup.rate(p.score), reasons.isEmpty ? "-" : reasons]
        }, skipIfEmpty: false)
        return out.map(PlainText.clean).joined(separator: "\n") + "\n"
    }

    static func models(_ models: [ModelEvaluation]) -> [String] {
        PlainText.table(["model", "rows", "outcomes", "ROC AUC", "PR AUC", "Brier", "flagged", "precision@cap", "recall@cap"],
                        right: [1, 2, 3, 4, 5, 6, 7, 8], rows: models.map { m in
            func ci(_ i: Interval?, _ f: (Double) -> String) -> String { i.map { " [\(f($0.lower))-\(f($0.upper))]" } ?? "" }
            let iv = m.intervals
            var row = [m.name, Markup.count(m.rows), Markup.count(m.positives), Markup.fixed(m.rocAUC, 3) + ci(iv?.rocAUC) { Markup.fixed($0, 3) },
                       Markup.fixed(m.prAUC, 3), Markup.fixed(m.brier, 4)]
            if let c = m.capacity {
                let tp = c.confusion.truePositives
                row += [Markup.count(c.flagged), "\(Markup.rate(c.precision)) (\(tp)/\(c.confusion.flagged))" + ci(iv?.precision) { Markup.rate($0) },
                        "\(Markup.rate(c.recall)) (\(tp)/\(c.confusion.positives))" + ci(iv?.recall) { Markup.rate($0) }]
            } else {
                row += ["-", "-", "-"]
            }
            return row
        }, skipIfEmpty: false)
    }
}

extension String {
    /// The typographic minus as an ASCII hyphen, for terminals.
    var replacingMinus: String { String(map { $0 == "−" ? "-" : $0 }) }
}
