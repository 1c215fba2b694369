import Foundation
import UpstreamGovernance
import UpstreamInterventions
import UpstreamRisk

extension Pages {
    static func percent(_ x: Double?) -> String { x.map { fixed($0 * 100, 1) + "%" } ?? "–" }

    static func empty(_ what: String, _ make: String?) -> String {
        "<p class=\"notice\" role=\"status\">There is no \(e(what)) yet: \(e(make ?? ""))</p>"
    }

    static func runLine(_ r: WebWorkspace.RunInfo) -> String {
        "<p>Model <code>\(e(r.modelID))</code>, trained by \(e(r.by)) on \(e(time(r.finishedAt))), last training date \(e(r.asOf)).</p>"
    }

    static func modelReport(_ m: WebWorkspace.ModelReport, user: User, csrf: String) -> String {
        guard let r = m.report, let run = m.run else {
            return Layout.page(title: "Model report", user: user, csrf: csrf, body: "<h1>Model report</h1>" + empty("trained risk model", m.make))
        }
        let models: [[Cell]] = r.models.map {
            [Cell($0.name), Cell($0.population), Cell(String($0.rows)), Cell(Layout.suppressed($0.positives)),
             Cell($0.rocAUC.map { fixed($0, 3) } ?? "–"), Cell($0.prAUC.map { fixed($0, 3) } ?? "–"), Cell($0.brier.map { fixed($0, 4) } ?? "–"),
             Cell(percent($0.capacity?.precision)), Cell(percent($0.capacity?.recall))]
        }
        let card = r.card
        func list(_ xs: [String]) -> String { "<ul>" + xs.map { "<li>\(e($0))</li>" }.joined() + "</ul>" }
        let lead = r.leadTime.map { l in
            "<p>Of \(Layout.suppressed(l.outcomes)) young people who went on to the outcome, \(Layout.suppressed(l.flaggedBefore)) were flagged before it.</p>"
        } ?? ""
        return Layout.page(title: "Model report", user: user, csrf: csrf, body: """
            <h1>Model report</h1>
            <p class="notice" role="note">Scores are offers of support for a practitioner to review, never automatic decisions.</p>
            \(runLine(run))
            <p><a href="/reports/model/full">The full report with ROC, precision-recall and calibration charts</a> · <a href="/reports/fairness">The fairness audit</a></p>
            \(Layout.table(caption: "The models side by side on the same held-out rows (capacity: the flagged share the service can review)",
                           headers: ["Model", "Population", "Rows", "Outcomes", "ROC AUC", "PR AUC", "Brier", "Precision at capacity", "Recall at capacity"], rows: models))
            <h2>Lead time</h2>\(lead.isEmpty ? "<p>Not measured.</p>" : lead)
            <h2>Model card</h2>
            <dl><dt>Outcome</dt><dd>\(e(card.outcome))</dd><dt>Data</dt><dd>\(e(card.data))</dd><dt>Period</dt><dd>\(e(card.period))</dd>
            <dt>Intended use</dt><dd>\(e(card.intendedUse))</dd></dl>
            <h3>Not for</h3>\(list(card.notFor))
            <h3>Limits</h3>\(list(card.limits))
            <h3>Safeguards</h3>\(list(card.safeguards))
            """)
    }

    static let measureNames: [String: String] = [
        "selection_rate": "selection rate", "false_positive_rate": "false positive rate", "false_negative_rate": "false negative rate",
        "positive_predictive_value": "precision", "calibration_ratio": "observed over predicted", "roc_auc": "ROC AUC", "true_positive_rate": "recall",
    ]

    static func fairness(_ f: WebWorkspace.Fairness, user: User, csrf: String) -> String {
        guard let audit = f.fairness, let run = f.run else {
            return Layout.page(title: "Fairness audit", user: user, csrf: csrf, body: "<h1>Fairness audit</h1>"
                + empty(f.run == nil ? "trained risk model" : "fairness audit in the latest model's report", f.make ?? "train again with upstream risk train"))
        }
        var body = """
            <h1>Fairness audit</h1>
            \(runLine(run))
            <p>\(e(audit.subject)). A disparity is the highest group's rate over the lowest's; above \(fixed(audit.bound, 2)) it is flagged.
            Groups with fewer than \(audit.minimumGroupSize) young people are suppressed (their rates are not shown).</p>
            """
        body += f.flags.isEmpty
            ? "<p role=\"status\">\(audit.anyCompared ? "No disparity exceeds the bound." : "No groups were large enough to compare.")</p>"
            : "<section aria-labelledby=\"flags\"><h2 id=\"flags\">Flags</h2><ul>" + f.flags.map { "<li class=\"flag\">\(e($0))</li>" }.joined() + "</ul></section>"
        for a in audit.attributes {
            let groups: [[Cell]] = a.groups.map { g in
                let c = g.suppressed ? nil : g.confusion
                return [Cell(g.group), Cell(Layout.suppressed(g.count)), Cell(g.suppressed ? "suppressed" : Layout.suppressed(g.positives)),
                        Cell(percent(c?.selectionRate)), Cell(percent(c?.precision)), Cell(percent(c?.recall)),
                        Cell(percent(c?.falsePositiveRate)), Cell(percent(c?.falseNegativeRate)), Cell(g.suppressed ? "–" : g.rocAUC.map { fixed($0, 3) } ?? "–")]
            }
            let disparities: [[Cell]] = a.disparities.map { d in
                [Cell(measureNames[d.measure] ?? d.measure), Cell("\(d.highestGroup) \(fixed(d.highest, 4))"), Cell("\(d.lowestGroup) \(fixed(d.lowest, 4))"),
                 Cell(d.ratio.map { fixed($0, 2) } ?? "unbounded"), Cell(raw: d.exceedsBound ? "<span class=\"flag\">over the bound</span>" : "within")]
            }
            body += """
                <section aria-labelledby="attr-\(e(a.attribute))"><h2 id="attr-\(e(a.attribute))">By \(e(a.attribute))</h2>
                \(Layout.table(caption: "Each \(a.attribute) group at capacity", headers: ["Group", "Young people", "Outcomes", "Selection rate", "Precision", "Recall", "False positive rate", "False negative rate", "ROC AUC"], rows: groups))
                \(disparities.isEmpty ? "<p>No two groups were large enough to compare.</p>" : Layout.table(caption: "Disparities by \(a.attribute)", headers: ["Measure", "Highest", "Lowest", "Ratio", "Against the bound"], rows: disparities))
                </section>
                """
        }
        return Layout.page(title: "Fairness audit", user: user, csrf: csrf, body: body)
    }

    static func plan(_ p: WebWorkspace.PlanView, user: User, csrf: String) -> String {
        guard let plan = p.plan else {
            return Layout.page(title: "Intervention plan", user: user, csrf: csrf, body: "<h1>Intervention plan</h1>" + empty("intervention plan", p.make))
        }
        func card(_ label: String, _ value: String, _ note: String = "") -> String {
            "<div class=\"card\"><strong>\(e(value))</strong>\(e(label))\(note.isEmpty ? "" : "<br><small>\(e(note))</small>")</div>"
        }
        let t = plan.totals, u = plan.uncertainty
        let cards = [
            card("budget", plan.budget.wholePounds, "\(plan.priceYear) prices"),
            card("cost of the offers", t.cost.wholePounds, "\(t.offers) offers to \(plan.candidates) candidates"),
            card("expected harm averted", t.harmAverted.wholePounds, "95% interval \(u.harmAvertedLow.wholePounds) to \(u.harmAvertedHigh.wholePounds)"),
            card("benefit-cost ratio", t.benefitCostRatio.map { fixed($0, 2) } ?? "–", "interval \(fixed(u.benefitCostRatioLow, 2)) to \(fixed(u.benefitCostRatioHigh, 2))"),
            card("chance benefits exceed costs", percent(u.probabilityBenefitExceedsCost)), card("net present value", t.netPresentValue.wholePounds),
        ].joined()
        let nextStep = plan.nextStep.map {
            "\($0.to.wholePounds) instead of \($0.from.wholePounds) would avert \($0.extraHarmAverted.wholePounds) more harm "
                + String(format: "(%.2f per extra pound)", $0.returnPerPound)
        }
        let programmes: [[Cell]] = plan.programmes.map {
            [Cell($0.name), Cell($0.agency), Cell(Layout.suppressed($0.matched)), Cell(String($0.places)), Cell(Layout.suppressed($0.offers)),
             Cell($0.cost.wholePounds), Cell($0.harmAverted.wholePounds), Cell($0.benefitCostRatio.map { fixed($0, 2) } ?? "–"),
             Cell("\(percent($0.effect)) (\(percent($0.effectLow)) to \(percent($0.effectHigh)))\($0.effectIsProxy ? ", offending as a proxy" : "")")]
        }
        let offers: [[Cell]] = plan.offers.map {
            [Cell($0.person), Cell($0.programmeName), Cell(fixed($0.risk, 3)), Cell($0.harmAverted.wholePounds), Cell($0.cost.wholePounds),
             Cell(fixed($0.benefitCostRatio, 2)), Cell(raw: "<ul>" + $0.reasons.prefix(3).map { "<li>\(e($0))</li>" }.joined() + "</ul>")]
        }
        let nav = p.pages > 1 ? "<nav aria-label=\"Pages\"><ul>" + (p.page > 1 ? "<li><a href=\"/plan?page=\(p.page - 1)\">Previous page</a></li>" : "")
            + (p.page < p.pages ? "<li><a href=\"/plan?page=\(p.page + 1)\">Next page</a></li>" : "") + "</ul></nav>" : ""
        return Layout.page(title: "Intervention plan", user: user, csrf: csrf, body: """
            <h1>Intervention plan</h1>
            <p class="notice" role="note">Offers, not decisions: every offer waits for a practitioner to decide.</p>
            <p>Plan\(plan.asOf.map { " as of \(e($0))" } ?? ""): \(Layout.suppressed(plan.matched)) young people matched to a programme. Solver \(e("\(plan.solver.solver) (\(plan.solver.status))")); \(percent(plan.solver.optimalityGap)) more harm averted than the greedy plan.\(nextStep.map { " Next step: \(e($0))." } ?? "") This view is in the audit trail.</p>
            <p><a href="/plan/full">The commissioner's business case (charts, sensitivity, assumptions and sources)</a></p>
            <section aria-labelledby="figures"><h2 id="figures">Business case</h2>\(cards)</section>
            <h2>Programmes</h2>
            \(Layout.table(caption: "Each programme's part in the plan", headers: ["Programme", "Agency", "Matched", "Places", "Offers", "Cost", "Harm averted", "Benefit-cost ratio", "Effect (interval)"], rows: programmes))
            <h2>Offers</h2>
            <p>Page \(p.page) of \(p.pages), highest harm averted first as the plan lists them.</p>
            \(Layout.table(caption: "Offers of support, by pseudonym", headers: ["Young person", "Programme", "Risk", "Harm averted", "Cost", "Benefit-cost ratio", "Why"], rows: offers))
            \(nav)
            """)
    }

    static func assessment(_ a: WebWorkspace.AssessmentView, user: User, csrf: String) -> String {
        guard let period = a.period else {
            return Layout.page(title: "Strategic assessment", user: user, csrf: csrf, body: "<h1>Strategic assessment</h1>" + empty("strategic assessment", a.make))
        }
        let series: [[Cell]] = a.series.map {
            [Cell($0.title), Cell($0.count), Cell(percent($0.volumeShare)), Cell(percent($0.harmShare)), Cell("£" + fixed($0.costGBP, 0)), Cell($0.trend)]
        }
        let priorities: [[Cell]] = a.priorities.map {
            [Cell(String($0.rank)), Cell($0.threat), Cell(fixed($0.harm, 2)), Cell(fixed($0.likelihood, 2)), Cell(fixed($0.vulnerability, 2)), Cell(fixed($0.priority, 2))]
        }
        return Layout.page(title: "Strategic assessment", user: user, csrf: csrf, body: """
            <h1>Strategic assessment of violence</h1>
            <p>\(e(period)), from \(e(a.source ?? "")), generated \(e(a.generated ?? "")). Counts from 1 to 4 are shown as "fewer than 5".</p>
            <p>\(a.topFivePercentShare.map { "\(percent($0)) of violence falls in the busiest 5% of \(a.areas ?? 0) small areas" } ?? "")\(a.hotspots.map { "; \($0) hotspots (Gi*, false discovery rate 5%)" } ?? "").</p>
            <p><a href="/assessment/full">The full assessment (charts, harm, place, people, control strategy and methods)</a></p>
            <h2>Priorities</h2>
            \(Layout.table(caption: "Threats ranked by MoRiLE-style scoring (each score out of 5)", headers: ["Rank", "Threat", "Harm", "Likelihood", "Vulnerability", "Priority"], rows: priorities))
            <h2>Violence by type</h2>
            \(Layout.table(caption: "Each series: crimes, share of volume and of harm, cost and trend", headers: ["Series", "Crimes", "Share of volume", "Share of harm", "Cost", "Trend"], rows: series))
            """)
    }
}
