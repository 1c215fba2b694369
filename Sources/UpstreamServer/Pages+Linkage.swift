import Foundation
import UpstreamGovernance

extension Pages {
    /// The match-weight waterfall of one pair as a small SVG: one bar per comparison from the running total before it
    /// to the one after (green adds evidence for a match, red against), the prior first and the total last. The table
    /// beside it carries the same figures as text.
    static func waterfall(_ p: WebWorkspace.Pair) -> String {
        guard let prior = p.priorWeight, !p.steps.isEmpty else { return "" }
        var bars: [(String, Double, Double)] = [("prior", 0, prior)]
        var running = prior
        for s in p.steps { bars.append((s.comparison, running, running + s.weight)); running += s.weight }
        var values: [Double] = [0]
        for b in bars { values.append(b.1); values.append(b.2) }
        let lo: Double = values.min()!, hi: Double = values.max()!
        let width = 420.0, label = 110.0, row = 16.0
        func x(_ v: Double) -> Double {
            let share: Double = hi > lo ? (v - lo) / (hi - lo) : 0.5
            return label + share * (width - label - 10)
        }
        let height = Double(bars.count) * row + 6
        var s = "<svg class=\"waterfall\" role=\"img\" aria-label=\"Match weight waterfall: prior \(fixed(prior, 2)) bits, total \(fixed(running, 2)) bits\" "
        s += "width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        s += "<line x1=\"\(fixed(x(0), 1))\" y1=\"0\" x2=\"\(fixed(x(0), 1))\" y2=\"\(Int(height))\" stroke=\"#444\" stroke-width=\"1\"/>"
        for (i, b) in bars.enumerated() {
            let y = Double(i) * row + 3
            let (a, c) = (min(b.1, b.2), max(b.1, b.2))
            let colour = i == 0 ? "#555" : (b.2 >= b.1 ? "#1b7340" : "#b3261e")
            s += "<text x=\"0\" y=\"\(fixed(y + 11, 1))\" font-size=\"11\" fill=\"#1a1a1a\">\(e(String(b.0.prefix(16))))</text>"
            s += "<rect x=\"\(fixed(x(a), 1))\" y=\"\(fixed(y + 2, 1))\" width=\"\(fixed(max(1, x(c) - x(a)), 1))\" height=\"\(Int(row - 5))\" fill=\"\(colour)\"/>"
        }
        return s + "</svg>"
    }

    static func pairState(_ p: WebWorkspace.Pair) -> String {
        let history = p.history.map { "\(time($0.at)) \($0.by): \($0.what) (\($0.reason))" }.joined(separator: "<br>")
        return "<span\(p.state == "pending" ? " class=\"flag\"" : "")>\(e(p.state))</span>" + (history.isEmpty ? "" : "<br><small>\(history)</small>")
    }

    static func linkage(_ q: WebWorkspace.LinkageQueue, user: User, csrf: String, notice: String?) -> String {
        let options = q.decisions.map { "<option value=\"\(e($0))\">\(e($0.replacingOccurrences(of: "-", with: " ")))</option>" }.joined()
        var sections = ""
        for p in q.items {
            let rows: [[Cell]] = p.steps.map {
                [Cell($0.comparison), Cell($0.level), Cell($0.left ?? (q.valuesShown ? "—" : "withheld")), Cell($0.right ?? (q.valuesShown ? "—" : "withheld")),
                 Cell($0.m.map { fixed($0, 4) } ?? "–"), Cell($0.u.map { fixed($0, 4) } ?? "–"), Cell(fixed($0.weight, 2)), Cell(fixed($0.cumulative, 2))]
            }
            let records = q.valuesShown
                ? "\(p.leftSource) \(p.leftRecord ?? "") and \(p.rightSource) \(p.rightRecord ?? "")"
                : "a \(p.leftSource) record and a \(p.rightSource) record"
            var form = ""
            if q.mayDecide {
                form = """
                    <form method="post" action="/linkage/\(e(p.id))/decide">\(Layout.csrfField(csrf))
                    <label for="d-\(e(p.id))">Decision</label><select id="d-\(e(p.id))" name="decision">\(options)</select>
                    <label for="r-\(e(p.id))">Reason (recorded in the audit trail)</label><input id="r-\(e(p.id))" name="reason" required maxlength="500">
                    <button type="submit">Record decision</button></form>
                    """
            }
            sections += """
                <section aria-labelledby="pair-\(e(p.id))"><h2 id="pair-\(e(p.id))">Pair \(e(p.id))</h2>
                <p>\(e(records)): match weight \(fixed(p.weight, 2)) bits, probability \(fixed(p.probability, 4))\(p.linkedNow ? "; one person now through other links" : "").</p>
                \(waterfall(p))
                \(Layout.table(caption: "Match weight waterfall of pair \(p.id), one row per comparison (weights in bits)",
                               headers: ["Comparison", "Level", "Left", "Right", "m", "u", "Weight", "Running total"], rows: rows))
                \(form)
                </section>
                """
        }
        let decided: [[Cell]] = q.recentDecisions.map { p in
            var reopen = ""
            if q.mayDecide, p.state.hasPrefix("decided") {
                reopen = """
                    <form method="post" action="/linkage/\(e(p.id))/reopen">\(Layout.csrfField(csrf))
                    <label for="o-\(e(p.id))">Reason for reopening</label><input id="o-\(e(p.id))" name="reason" required maxlength="500">
                    <button type="submit">Reopen</button></form>
                    """
            }
            return [Cell(p.id), Cell("\(p.leftSource) – \(p.rightSource)"), Cell(fixed(p.weight, 2)), Cell(raw: pairState(p)), Cell(raw: reopen)]
        }
        let nav = q.pages > 1 ? "<nav aria-label=\"Pages\"><ul>" + (q.page > 1 ? "<li><a href=\"/linkage?page=\(q.page - 1)\">Previous page</a></li>" : "")
            + (q.page < q.pages ? "<li><a href=\"/linkage?page=\(q.page + 1)\">Next page</a></li>" : "") + "</ul></nav>" : ""
        return Layout.page(title: "Linkage review", user: user, csrf: csrf, body: """
            <h1>Linkage clerical review</h1>
            \(notice.map { "<p class=\"notice\" role=\"status\">\(e($0))</p>" } ?? "")
            <p>Pairs the linkage model was unsure about, in the order the last <code>upstream link</code> gave them. Each comparison adds its match weight (log<sub>2</sub> m/u, in bits) to the prior; the total decides the probability. \(q.mayDecide ? "A decision applies at the next <code>upstream link</code>: same person always links the two records, different people never does." : "Supervisors decide; record values and ids are withheld from your role.") This view is in the audit trail.</p>
            <p>\(q.pending) pairs pending, \(q.decided) decided\(q.pages > 1 ? "; page \(q.page) of \(q.pages)" : "").</p>
            \(q.items.isEmpty ? "<p>No pairs are waiting for review. <code>upstream link --store STORE</code> fills the queue.</p>" : sections)
            \(nav)
            <h2>Recent decisions</h2>
            \(decided.isEmpty ? "<p>No decisions yet.</p>" : Layout.table(caption: "The latest decisions, newest first", headers: ["Pair", "Sources", "Weight", "State", "Actions"], rows: decided))
            """)
    }
}
