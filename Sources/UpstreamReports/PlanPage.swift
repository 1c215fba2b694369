import UpstreamInterventions

/// The commissioner's business case for an intervention plan: one offline, printable HTML page with the plan, the
/// programme mix, harm averted against budget, the marginal return, a tornado chart of sensitivity, fairness against
/// need, the offers (pseudonymised) and every assumption with its source.
public enum PlanPage {
    /// The offers listed on the page (all are in the CSV and the JSON).
    public static let offersShown = 50

    public static func html(_ plan: Plan) -> String {
        var s = Markup.head(title: "Intervention plan: business case", css: css)
        let t = plan.totals, u = plan.uncertainty
        s += "<header><h1>Intervention plan: business case</h1><span class=\"meta\">"
        s += Markup.escape("Budget \(plan.budget.wholePounds) · \(plan.candidates) young people scored"
                           + (plan.asOf.map { " as of \($0)" } ?? "") + " · \(plan.priceYear) prices")
        s += "</span></header>\n"
        s += "<p class=\"note\"><b>Offers, not decisions.</b> Every offer below goes to the practitioners' queue (upstream plan review) "
        s += "with its reasons; nothing is delivered until a person decides and records why.</p>\n"
        s += "<div class=\"facts\">"
        s += Markup.fact("Offers", String(t.offers), "\(plan.matched) young people matched to a programme")
        s += Markup.fact("Cost", t.cost.wholePounds, "of \(plan.budget.wholePounds)")
        s += Markup.fact("Harm averted", t.harmAverted.wholePounds,
                         "95% interval \(u.harmAvertedLow.wholePounds) to \(u.harmAvertedHigh.wholePounds)", cls: "sv")
        s += Markup.fact("Benefit-cost ratio", t.benefitCostRatio.map { Markup.fixed($0, 2) } ?? "–",
                         "95% interval \(Markup.fixed(u.benefitCostRatioLow, 2)) to \(Markup.fixed(u.benefitCostRatioHigh, 2))")
        s += Markup.fact("Net present value", t.netPresentValue.wholePounds,
                         "95% interval \(u.netPresentValueLow.wholePounds) to \(u.netPresentValueHigh.wholePounds)")
        s += Markup.fact("Chance benefits exceed costs", Markup.percent(u.probabilityBenefitExceedsCost), "\(u.draws) Monte Carlo draws, seed \(u.seed)")
        s += Markup.fact("Serious violence offences averted", Markup.fixed(t.offencesAverted, 1),
                         "\(Markup.fixed(t.cchiDaysAverted, 0)) crime harm index days")
        s += "</div>\n"

        // Programme mix.
        s += "<h2>Programme mix</h2>\n"
        var table = HTMLTable([("Programme", false), ("Matched", true), ("Places", true), ("Offers", true), ("Cost each", true), ("Cost", true),
                               ("Effect used", true), ("Harm averted (95% interval)", true), ("BCR", true), ("NPV (95% interval)", true),
                               ("P(benefit > cost)", true)])
        for p in plan.programmes {
            table.add([
                p.name + (p.effectIsProxy ? " *" : ""), String(p.matched), String(p.places), String(p.offers), p.costPerParticipant.description,
                p.cost.wholePounds, "\(Markup.fixed(p.effect * 100, 0))% (\(Markup.fixed(p.effectLow * 100, 0))–\(Markup.fixed(p.effectHigh * 100, 0))%)",
                "\(p.harmAverted.wholePounds) (\(p.harmAvertedLow.wholePounds)–\(p.harmAvertedHigh.wholePounds))",
                p.benefitCostRatio.map { Markup.fixed($0, 2) } ?? "–",
                "\(p.netPresentValue.wholePounds) (\(p.netPresentValueLow.wholePounds) to \(p.netPresentValueHigh.wholePounds))",
                p.probabilityBenefitExceedsCost.map(Markup.percent) ?? "–",
            ])
        }
        s += table.render()
        s += "<p class=\"note\">* effect on offending, used as a proxy for violence (the source gives no violence estimate).</p>\n"
        s += mixBar(plan)

        // Curve and marginal return.
        s += "<div class=\"grid\"><div><h2>Harm averted against budget</h2>\n" + curveChart(plan) + "</div>\n"
        s += "<div><h2>Marginal return</h2>\n"
        var m = HTMLTable([("From", true), ("To", true), ("Extra harm averted", true), ("Per extra £100,000", true)])
        for step in plan.marginal {
            m.add([step.from.wholePounds, step.to.wholePounds, step.extraHarmAverted.wholePounds,
                   Money(pounds: step.returnPerPound * 100_000).wholePounds], cls: step.from == plan.budget ? "here" : nil)
        }
        s += m.render()
        if let n = plan.nextStep {
            s += "<p><b>" + Markup.escape("The next \((n.to - n.from).wholePounds) would avert \(n.extraHarmAverted.wholePounds) more") + "</b>"
            s += Markup.escape(" (\(Money(pounds: n.returnPerPound * 100_000).wholePounds) per £100,000).") + "</p>"
        }
        s += "<p class=\"note\">Each row is the best plan at the higher budget against the best plan at the lower one. "
        s += "The highlighted row starts at this budget.</p></div></div>\n"

        // Sensitivity.
        s += "<h2>Sensitivity (tornado)</h2>\n" + tornado(plan)
        s += "<p class=\"note\">The plan is held fixed; each input moves to the ends of its range while the others stay central. "
        s += "Bars show the plan's net present value.</p>\n"

        // Solver.
        let sv = plan.solver
        s += "<h2>How the plan was chosen</h2>\n<p>"
        s += Markup.escape("\(sv.solver): \(sv.status). It maximises expected harm averted within the budget, each programme's places and one offer per young person. "
                           + "Greedy plan (by harm averted per pound): \(sv.greedyHarmAverted.wholePounds) with \(sv.greedyOffers) offers; "
                           + "the solver's plan: \(sv.optimalHarmAverted.wholePounds), an optimality gap of \(Markup.percent(sv.optimalityGap)) for greedy. "
                           + "\(sv.variables) of \(sv.matchedOffers) matched offers were given to the solver (the rest cannot be in any best plan).")
        s += "</p>\n"

        // Fairness.
        s += "<h2>Offers against need</h2>\n<p class=\"note\">Need is each group's share of the expected harm of every young person scored. "
        s += "A group whose need share falls outside the 95% (Wilson) interval of its share of the offers is marked. Groups with fewer than 5 are not shown.</p>\n<div class=\"grid\">"
        for f in plan.fairness {
            var ft = HTMLTable([(f.attribute.prefix(1).uppercased() + f.attribute.dropFirst(), false), ("Scored", true), ("Offers", true),
                                ("Share of offers (95%)", true), ("Share of need", true), ("", false)])
            for g in f.groups {
                let shares = g.offerShare.map { "\(Markup.percent($0)) (\(Markup.percent(g.offerShareLow ?? 0))–\(Markup.percent(g.offerShareHigh ?? 0)))" } ?? "–"
                ft.add([g.group, g.candidates.map { String($0) } ?? "fewer than 5", g.offers.map { String($0) } ?? "fewer than 5", shares,
                        g.needShare.map(Markup.percent) ?? "–", g.verdict], cls: g.verdict.hasPrefix("fewer offers") || g.verdict.hasPrefix("more offers") ? "flag" : nil)
            }
            s += "<div>" + ft.render() + "</div>"
        }
        s += "</div>\n"

        // Offers.
        s += "<h2>Offers (the \(min(offersShown, plan.offers.count)) with most harm averted, of \(plan.offers.count))</h2>\n"
        var ot = HTMLTable([("Young person", false), ("Age", true), ("Programme", false), ("Risk", true), ("Harm averted", true), ("Cost", true),
                            ("BCR", true), ("P(benefit > cost)", true), ("Why", false)])
        for o in plan.offers.prefix(offersShown) {
            ot.add([o.person, o.age.map { String($0) } ?? "", o.programmeName, Markup.percent(o.risk), o.harmAverted.wholePounds, o.cost.description,
                    Markup.fixed(o.benefitCostRatio, 2), Markup.percent(o.probabilityBenefitExceedsCost), o.reasons.joined(separator: "; ")])
        }
        s += ot.render()

        // Not planned and assumptions.
        if !plan.notPlanned.isEmpty {
            s += "<h2>In the catalogue but not planned</h2>\n<ul>"
            for n in plan.notPlanned { s += "<li><b>\(Markup.escape(n.name))</b>: \(Markup.escape(n.gaps.joined(separator: "; ")))</li>" }
            s += "</ul>\n"
        }
        s += "<h2>Assumptions and sources</h2>\n"
        var at = HTMLTable([("Topic", false), ("Assumption", false), ("Source", false)])
        for a in plan.assumptions { at.add([a.topic, a.text, a.source]) }
        s += at.render()
        s += "<footer>Synthetic data only. Method: docs/interventions.md. Amounts are present values in \(Markup.escape(plan.priceYear)) prices.</footer>\n"
        s += "</body>\n</html>\n"
        return s
    }

    static let css = """
    tr.here td, tr.flag td { background: #fff4d6; }
    .bar text { font-size: 11px; }
    """

    static let palette = ["#0b4f8a", "#2a9d8f", "#d55e00", "#7b4fa0", "#b8860b", "#56687a", "#0072b2", "#a0522d"]

    /// One horizontal bar split by each programme's spend.
    static func mixBar(_ plan: Plan) -> String {
        let total = plan.totals.cost.pounds
        guard total > 0 else { return "" }
        let width = 900.0, height = 46.0
        var s = "<svg class=\"bar\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Markup.num(width)) \(Markup.num(height))\" role=\"img\"><title>Spend by programme</title>"
        var x = 0.0
        for (i, p) in plan.programmes.enumerated() where p.cost.pence > 0 {
            let w = p.cost.pounds / total * width
            s += "<rect x=\"\(Markup.num(x))\" y=\"0\" width=\"\(Markup.num(w))\" height=\"22\" fill=\"\(palette[i % palette.count])\"><title>\(Markup.escape(p.name + ": " + p.cost.wholePounds))</title></rect>"
            if w > 60 { s += "<text x=\"\(Markup.num(x + 3))\" y=\"38\">\(Markup.escape(String(p.name.prefix(Int(w / 7)))))</text>" }
            x += w
        }
        return s + "</svg>\n"
    }

    /// Harm averted (vertical) against budget (horizontal), the plan's budget marked.
    static func curveChart(_ plan: Plan) -> String {
        guard plan.curve.count > 1 else { return "<p class=\"note\">No curve (run without --no-curve).</p>" }
        let w = 460.0, h = 260.0, left = 70.0, right = 40.0, top = 10.0, bottom = 40.0
        let maxX = plan.curve.map(\.budget.pounds).max() ?? 1, maxY = max(plan.curve.map(\.harmAverted.pounds).max() ?? 1, 1)
        func px(_ v: Double) -> Double { left + v / max(maxX, 1) * (w - left - right) }
        func py(_ v: Double) -> Double { h - bottom - v / maxY * (h - top - bottom) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Markup.num(w)) \(Markup.num(h))\" role=\"img\"><title>Harm averted against budget</title>"
        s += "<line x1=\"\(Markup.num(left))\" y1=\"\(Markup.num(h - bottom))\" x2=\"\(Markup.num(w - right))\" y2=\"\(Markup.num(h - bottom))\" stroke=\"#5b6670\"/>"
        s += "<line x1=\"\(Markup.num(left))\" y1=\"\(Markup.num(top))\" x2=\"\(Markup.num(left))\" y2=\"\(Markup.num(h - bottom))\" stroke=\"#5b6670\"/>"
        for f in [0.0, 0.5, 1.0] {
            s += "<text x=\"\(Markup.num(left - 4))\" y=\"\(Markup.num(py(maxY * f) + 4))\" text-anchor=\"end\" font-size=\"10\">\(Markup.escape(Money(pounds: maxY * f).wholePounds))</text>"
            s += "<text x=\"\(Markup.num(px(maxX * f)))\" y=\"\(Markup.num(h - bottom + 14))\" text-anchor=\"middle\" font-size=\"10\">\(Markup.escape(Money(pounds: maxX * f).wholePounds))</text>"
        }
        s += "<text x=\"\(Markup.num((left + w) / 2))\" y=\"\(Markup.num(h - 6))\" text-anchor=\"middle\" font-size=\"11\">budget</text>"
        let points = plan.curve.map { "\(Markup.num(px($0.budget.pounds))),\(Markup.num(py($0.harmAverted.pounds)))" }.joined(separator: " ")
        s += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#c1121f\" stroke-width=\"2\"/>"
        for c in plan.curve {
            let here = c.budget == plan.budget
            s += "<circle cx=\"\(Markup.num(px(c.budget.pounds)))\" cy=\"\(Markup.num(py(c.harmAverted.pounds)))\" r=\"\(here ? 5 : 3)\" fill=\"\(here ? "#1d2329" : "#c1121f")\">"
            s += "<title>\(Markup.escape("\(c.budget.wholePounds): \(c.harmAverted.wholePounds) averted, \(c.offers) offers"))</title></circle>"
        }
        return s + "</svg>\n"
    }

    /// The tornado: one bar per input from the NPV at its low end to its high end, widest first, around the central NPV.
    static func tornado(_ plan: Plan) -> String {
        let bars = plan.sensitivity.prefix(12)
        guard !bars.isEmpty else { return "" }
        let centre = plan.totals.netPresentValue.pounds
        let values = bars.flatMap { [$0.netPresentValueAtLow.pounds, $0.netPresentValueAtHigh.pounds] } + [centre]
        let lo = values.min()!, hi = values.max()!
        let w = 900.0, labelW = 320.0, rowH = 22.0, top = 20.0
        let h = top + Double(bars.count) * rowH + 10
        func px(_ v: Double) -> Double { labelW + (hi > lo ? (v - lo) / (hi - lo) : 0.5) * (w - labelW - 190) }
        var s = "<svg class=\"bar\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Markup.num(w)) \(Markup.num(h))\" role=\"img\"><title>Tornado chart of net present value</title>"
        s += "<line x1=\"\(Markup.num(px(centre)))\" y1=\"4\" x2=\"\(Markup.num(px(centre)))\" y2=\"\(Markup.num(h - 4))\" stroke=\"#1d2329\"/>"
        s += "<text x=\"\(Markup.num(px(centre)))\" y=\"12\" text-anchor=\"middle\">\(Markup.escape("central NPV " + plan.totals.netPresentValue.wholePounds))</text>"
        for (i, b) in bars.enumerated() {
            let y = top + Double(i) * rowH
            let a = px(b.netPresentValueAtLow.pounds), c = px(b.netPresentValueAtHigh.pounds)
            let label = b.input.count > 48 ? String(b.input.prefix(47)) + "…" : b.input
            s += "<text x=\"\(Markup.num(labelW - 6))\" y=\"\(Markup.num(y + 14))\" text-anchor=\"end\">\(Markup.escape(label))</text>"
            s += "<rect x=\"\(Markup.num(min(a, c)))\" y=\"\(Markup.num(y + 3))\" width=\"\(Markup.num(max(abs(c - a), 1)))\" height=\"15\" fill=\"#0b4f8a\" opacity=\"0.8\">"
            s += "<title>\(Markup.escape("\(b.input): \(b.lowSetting) → \(b.netPresentValueAtLow.wholePounds); \(b.highSetting) → \(b.netPresentValueAtHigh.wholePounds)"))</title></rect>"
            s += "<text x=\"\(Markup.num(max(a, c) + 4))\" y=\"\(Markup.num(y + 14))\">\(Markup.escape(b.netPresentValueAtLow.wholePounds + " to " + b.netPresentValueAtHigh.wholePounds))</text>"
        }
        return s + "</svg>\n"
    }
}
