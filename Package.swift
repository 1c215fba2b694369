// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every target (see docs/architecture.md).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Upstream",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "upstream", targets: ["upstream"]),
        .library(name: "UpstreamModel", targets: ["UpstreamModel"]),
        .library(name: "UpstreamSynth", targets: ["UpstreamSynth"]),
        .library(name: "UpstreamIngest", targets: ["UpstreamIngest"]),
        .library(name: "UpstreamStore", targets: ["UpstreamStore"]),
        .library(name: "UpstreamLinkage", targets: ["UpstreamLinkage"]),
        .library(name: "UpstreamRisk", targets: ["UpstreamRisk"]),
        .library(name: "UpstreamAssessment", targets: ["UpstreamAssessment"]),
        .executable(name: "upstream-risk-bench", targets: ["RiskBench"]),
        .executable(name: "upstream-assess-bench", targets: ["AssessBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // Pure value types: agencies, codes, identifiers, dates. No I/O.
        .target(name: "UpstreamModel", swiftSettings: strict),
        // The synthetic city: generative model, extracts with identifier noise, ground truth.
        .target(
            name: "UpstreamSynth",
            dependencies: ["UpstreamModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // Source specifications, CSV/JSONL parsing, validation, quarantine, provenance.
        .target(
            name: "UpstreamIngest",
            dependencies: [
                "UpstreamModel", "UpstreamStore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Probabilistic record linkage: standardise, block, compare, Fellegi-Sunter with EM, cluster, evaluate. Pure.
        .target(name: "UpstreamLinkage", dependencies: ["UpstreamModel"], swiftSettings: strict),
        // One young person's multi-agency chronology, household and recorded ACEs; renderers. Pure.
        .target(name: "UpstreamChronology", dependencies: ["UpstreamModel"], swiftSettings: strict),
        // Risk models for any table: gradient-boosted trees with TreeSHAP, regularised logistic regression,
        // calibration, metrics, fairness audit, tabular CSV cohorts. Pure, no domain knowledge.
        .target(name: "UpstreamRisk", swiftSettings: strict),
        // Features and outcomes as of a date from linked records, with plain-words reasons. Pure.
        .target(name: "UpstreamRiskFeatures", dependencies: ["UpstreamModel", "UpstreamChronology", "UpstreamRisk"], swiftSettings: strict),
        // The strategic assessment of violence: police.uk input, typology, trend, harm, place, people, priorities. Pure.
        .target(name: "UpstreamAssessment", dependencies: ["UpstreamModel"], swiftSettings: strict),
        // HTML and SVG rendering of reports (chronology pages, the demo's index). Pure strings, no assets from the internet.
        .target(name: "UpstreamReports", dependencies: ["UpstreamModel", "UpstreamChronology", "UpstreamRisk", "UpstreamAssessment"], swiftSettings: strict),
        // Helpers shared by the test targets (running the built binary). Not a product.
        .target(
            name: "UpstreamTesting",
            dependencies: ["UpstreamModel", "UpstreamSynth", "UpstreamIngest", "UpstreamStore", "UpstreamChronology"],
            swiftSettings: strict
        ),
        // The store protocol and an in-memory implementation.
        .target(name: "UpstreamStore", dependencies: ["UpstreamModel"], swiftSettings: strict),
        // The SQLite adapter (GRDB): the embedded default store.
        .target(
            name: "UpstreamStoreSQLite",
            dependencies: [
                "UpstreamStore", "UpstreamModel", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // The command-line interface: thin commands over the modules.
        .executableTarget(
            name: "upstream",
            dependencies: [
                "UpstreamModel", "UpstreamSynth", "UpstreamIngest", "UpstreamStore", "UpstreamStoreSQLite",
                "UpstreamLinkage", "UpstreamChronology", "UpstreamReports", "UpstreamRisk", "UpstreamRiskFeatures",
                "UpstreamAssessment",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The gradient-boosted trees speed benchmark against scikit-learn (Benchmarks/risk.md). Depends on UpstreamRisk only.
        .executableTarget(name: "RiskBench", dependencies: ["UpstreamRisk"], path: "Benchmarks/RiskBench", swiftSettings: strict),
        // The strategic assessment benchmark (Benchmarks/assess.md): `upstream assess --police-uk` without the store's dependencies.
        .executableTarget(name: "AssessBench", dependencies: ["UpstreamAssessment", "UpstreamReports"], path: "Benchmarks/AssessBench", swiftSettings: strict),
        .testTarget(name: "UpstreamModelTests", dependencies: [
            "UpstreamModel", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "UpstreamSynthTests", dependencies: ["UpstreamSynth", "UpstreamModel"]),
        .testTarget(name: "UpstreamIngestTests", dependencies: [
            "UpstreamTesting",
            "UpstreamIngest", "UpstreamStore", "UpstreamStoreSQLite", "UpstreamModel", "UpstreamSynth",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "UpstreamLinkageTests", dependencies: [
            "UpstreamTesting",
            "UpstreamLinkage", "UpstreamModel", "UpstreamSynth",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "UpstreamChronologyTests", dependencies: [
            "UpstreamChronology", "UpstreamTesting", "UpstreamModel", "UpstreamSynth", "UpstreamIngest", "UpstreamStore",
        ]),
        .testTarget(name: "UpstreamReportsTests", dependencies: ["UpstreamReports", "UpstreamChronology", "UpstreamModel", "UpstreamRisk"]),
        .testTarget(name: "UpstreamRiskTests", dependencies: [
            "UpstreamRisk", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "UpstreamRiskFeaturesTests", dependencies: [
            "UpstreamRiskFeatures", "UpstreamTesting", "UpstreamRisk", "UpstreamChronology", "UpstreamModel", "UpstreamSynth",
            "UpstreamIngest", "UpstreamStore",
        ]),
        .testTarget(name: "UpstreamAssessmentTests", dependencies: ["UpstreamAssessment", "UpstreamReports", "UpstreamModel"]),
        .testTarget(name: "UpstreamStoreTests", dependencies: ["UpstreamStore", "UpstreamStoreSQLite", "UpstreamModel"]),
        .testTarget(name: "UpstreamCLITests", dependencies: ["UpstreamModel", "UpstreamSynth", "UpstreamTesting"]),
    ]
)
