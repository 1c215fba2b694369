import UpstreamInterventions

extension DemoReport {
    /// The intervention plan's headline for the demo's index page, linking to the business case.
    public struct PlanLink: Sendable, Codable {
        public var href: String
        public var asOf: String?
        public var priceYear: String
        public var budget: Money
        public var offers: Int
        public var candidates: Int
        public var cost: Money
        public var harmAverted: Money
        public var harmAvertedLow: Money
        public var harmAvertedHigh: Money
        public var offencesAverted: Double
        public var probabilityBenefitExceedsCost: Double
        /// Programmes with offers, as "name: n offers".
        public var programmes: [String]

        /// The headline of `plan`, whose business case is at `href`.
        public init(plan p: Plan, href link: String) {
            href = link; asOf = p.asOf; priceYear = p.priceYear; budget = p.budget; offers = p.totals.offers; candidates = p.candidates
            cost = p.totals.cost; harmAverted = p.totals.harmAverted; harmAvertedLow = p.uncertainty.harmAvertedLow
            harmAvertedHigh = p.uncertainty.harmAvertedHigh; offencesAverted = p.totals.offencesAverted
            probabilityBenefitExceedsCost = p.uncertainty.probabilityBenefitExceedsCost
            programmes = p.programmes.filter { $0.offers > 0 }.map { "\($0.name): \(SmallCountText.text($0.offers)) offers" }
        }
    }
}

extension IndexPage {
    /// The plan's headline card, linking to the commissioner's business case.
    static func planSection(_ r: DemoReport) -> String {
        guard let p = r.plan else { return "" }
        let e = Markup.escape
        var s = "<section><h2>The intervention plan</h2>\n<div class=\"facts\">"
        s += Markup.fact("Offers", SmallCountText.text(p.offers), "to \(Markup.count(p.candidates)) young people scored\(p.asOf.map { " as of " + $0 } ?? "")")
        s += Markup.fact("Cost", e(p.cost.wholePounds), "of a budget of \(e(p.budget.wholePounds))")
        s += Markup.fact("Harm averted", e(p.harmAverted.wholePounds), "95% \(e(p.harmAvertedLow.wholePounds)) to \(e(p.harmAvertedHigh.wholePounds))", cls: "sv")
        s += Markup.fact("Serious violence averted", Markup.fixed(p.offencesAverted, 2), "first offences expected")
        s += Markup.fact("P(benefits > costs)", Markup.percent(p.probabilityBenefitExceedsCost), "Monte Carlo")
        s += "</div>\n<p>\(e(p.programmes.joined(separator: "; "))). Amounts are present values in \(e(p.priceYear)) prices. "
        s += "<a href=\"\(Markup.safeHref(p.href))\">The business case</a> has the programme mix, harm averted against budget, the marginal "
        s += "return, the sensitivity, fairness and every assumption with its source. These are offers for practitioners to review, never decisions.</p>\n</section>\n"
        return s
    }
}
