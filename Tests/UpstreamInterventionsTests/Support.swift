import Foundation
import UpstreamInterventions
import UpstreamTesting

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

/// A two-programme catalogue with round numbers, for hand-checked figures (``CatalogueFixture/twoProgrammes(places:_:costA:costB:)``).
func tinyCatalogueYAML(places a: Int = 2, _ b: Int = 2, costA: String = "1000", costB: String = "3000") -> String {
    CatalogueFixture.twoProgrammes(places: a, b, costA: costA, costB: costB)
}

func candidate(_ id: String, risk: Double, age: Int = 14, f1: Float = 0, f2: Float = 0, sex: String = "F") -> Candidate {
    Candidate(id: id, risk: risk, age: age, features: [f1, f2], sex: sex, ethnicity: "White", deprivation: "Q1")
}
