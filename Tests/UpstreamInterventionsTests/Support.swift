import Foundation
import UpstreamInterventions

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func shippedCatalogueText() throws -> String {
    try String(contentsOf: repositoryRoot.appendingPathComponent("catalogue/interventions.yaml"), encoding: .utf8)
}

/// The shipped catalogue, read as `upstream plan` reads it: its deflator file from the catalogue's folder.
func shippedCatalogue(knownFeatures: Set<String>? = nil) throws -> Catalogue {
    try CatalogueLoader.load(yaml: try shippedCatalogueText(), knownFeatures: knownFeatures, file: { name in
        try String(contentsOf: repositoryRoot.appendingPathComponent("catalogue").appendingPathComponent(name), encoding: .utf8)
    })
}

/// A two-programme catalogue with round numbers, for hand-checked figures: harm £10,000 per offence (one offence
/// kind), no discounting, no inflation.
func tinyCatalogueYAML(places a: Int = 2, _ b: Int = 2, costA: String = "1000", costB: String = "3000") -> String {
    """
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
      - id: a
        name: Programme A
        agency: "Agency A"
        ages: [10, 17]
        needs:
          - {feature: f1, at_least: 1, reason: "f1 is {value}"}
        effect:
          violence: {point: 0.5, low: 0.4, high: 0.6, outcome: violence, source: "test", interval_note: "test"}
        cost: {low: \(costA), high: \(costA), source: "test"}
        places: \(a)
      - id: b
        name: Programme B
        agency: "Agency B"
        ages: [10, 17]
        needs:
          - {feature: f2, at_least: 1, reason: "f2 is {value}"}
          - {feature: f1, at_least: 2, reason: "f1 is at least 2 ({value})"}
        effect:
          offending: {point: 0.2, low: 0.1, high: 0.3, outcome: offending, source: "test", interval_note: "test"}
        cost: {low: 2000, high: \(costB), source: "test"}
        places: \(b)
    """
}

func candidate(_ id: String, risk: Double, age: Int = 14, f1: Float = 0, f2: Float = 0, sex: String = "F") -> Candidate {
    Candidate(id: id, risk: risk, age: age, features: [f1, f2], sex: sex, ethnicity: "White", deprivation: "Q1")
}
