/// The small intervention catalogues the tests plan with, in the YAML `upstream plan --catalogue` reads, with round
/// numbers for hand-checked figures: harm £10,000 per offence (one offence kind), no discounting, no inflation.
/// Shared by the interventions tests and the web app's plan page tests (plain text, so this module needs no
/// dependency on UpstreamInterventions).
public enum CatalogueFixture {
    /// Everything before the programmes: prices, the deflator and the harm of one offence kind.
    public static let header = """
        price_year: "2015/16"
        discount_rate: 0
        discount_rate_source: "test"
        horizon_years: 2
        deflator:
          series: "test"
          source: "test"
          index: {"2015/16": 100}
        harm:
          outcome: "test outcome"
          unit_cost_price_year: "2015/16"
          unit_cost_source: "test"
          weight_source: "test"
          cchi_source: "test"
          offences:
            - {name: "Violence", codes: ["5D"], weight: 1, unit_cost: 10000, cchi_days: 365}
          counted: ["the first offence"]
          not_counted: ["later offences"]
        programmes:

        """

    /// Programme A (`a`): ages 10 to 17, needs f1 at least 1, halves violence (40% to 60%), costs `cost` a place.
    public static func programmeA(places: Int = 2, cost: String = "1000") -> String {
        """
          - id: a
            name: Programme A
            agency: "Agency A"
            ages: [10, 17]
            needs:
              - {feature: f1, at_least: 1, reason: "f1 is {value}"}
            effect:
              violence: {point: 0.5, low: 0.4, high: 0.6, outcome: violence, source: "test", interval_note: "test"}
            cost: {low: \(cost), high: \(cost), source: "test"}
            places: \(places)

        """
    }

    /// Programme B (`b`): ages 10 to 17, needs f2 at least 1 or f1 at least 2, cuts offending by 20% (10% to 30%),
    /// costs £2,000 to `costHigh` a place.
    public static func programmeB(places: Int = 2, costHigh: String = "3000") -> String {
        """
          - id: b
            name: Programme B
            agency: "Agency B"
            ages: [10, 17]
            needs:
              - {feature: f2, at_least: 1, reason: "f2 is {value}"}
              - {feature: f1, at_least: 2, reason: "f1 is at least 2 ({value})"}
            effect:
              offending: {point: 0.2, low: 0.1, high: 0.3, outcome: offending, source: "test", interval_note: "test"}
            cost: {low: 2000, high: \(costHigh), source: "test"}
            places: \(places)

        """
    }

    /// The two-programme catalogue: A with `a` places at `costA`, B with `b` places at £2,000 to `costB`.
    public static func twoProgrammes(places a: Int = 2, _ b: Int = 2, costA: String = "1000", costB: String = "3000") -> String {
        header + programmeA(places: a, cost: costA) + programmeB(places: b, costHigh: costB)
    }
}
