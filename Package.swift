// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every target (see docs/architecture.md). Upstream's own modules are optimised in debug builds
/// too (`-O`; dependencies stay unoptimised, so the build takes about twice as long, not three times): the end-to-end tests run the debug binary on
/// synthetic cities; unoptimised, the main suites took 986 s instead of 311 (README, "The two commands").
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
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
        .library(name: "UpstreamGovernance", targets: ["UpstreamGovernance"]),
        .library(name: "UpstreamAssessment", targets: ["UpstreamAssessment"]),
        .library(name: "UpstreamServer", targets: ["UpstreamServer"]),
        .library(name: "UpstreamWorkspace", targets: ["UpstreamWorkspace"]),
        .executable(name: "upstream-risk-bench", targets: ["RiskBench"]),
        .executable(name: "upstream-audit-bench", targets: ["AuditBench"]),
        .executable(name: "upstream-plan-bench", targets: ["PlanBench"]),
        .executable(name: "upstream-synth-bench", targets: ["SynthBench"]),
        .executable(name: "upstream-assess-bench", targets: ["AssessBench"]),
        .executable(name: "upstream-person-store-bench", targets: ["PersonStoreBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
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
        .target(name: "UpstreamRisk", dependencies: ["UpstreamModel"], swiftSettings: strict),
        // Features and outcomes as of a date from linked records, with plain-words reasons. Pure.
        .target(name: "UpstreamRiskFeatures", dependencies: ["UpstreamModel", "UpstreamChronology", "UpstreamRisk"], swiftSettings: strict),
        // The GNU Linear Programming Kit (Debian: libglpk-dev), the solver of the budgeted intervention plan.
        .systemLibrary(name: "CGLPK", path: "Sources/CGLPK", providers: [.apt(["libglpk-dev"])]),
        // The intervention catalogue, costs of harm, matching, cost-benefit with Monte Carlo, the budgeted plan (GLPK),
        // its fairness and the offers queue (docs/interventions.md). Pure: takes and returns values.
        .target(
            name: "UpstreamInterventions",
            dependencies: ["CGLPK", "UpstreamModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // The strategic assessment of violence: police.uk input, typology, trend, harm, place, people, priorities. Pure.
        .target(name: "UpstreamAssessment", dependencies: ["UpstreamModel"], swiftSettings: strict),
        // HTML and SVG rendering of reports (chronology pages, the demo's index). Pure strings, no assets from the internet.
        .target(name: "UpstreamReports", dependencies: ["UpstreamModel", "UpstreamChronology", "UpstreamRisk", "UpstreamInterventions", "UpstreamAssessment"], swiftSettings: strict),
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
        // Pseudonyms, keys, users, roles and purposes, the one keyed audit trail and its verification, review state machines.
        .target(
            name: "UpstreamGovernance",
            dependencies: ["UpstreamModel", "UpstreamStore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // The PostgreSQL adapter (postgres-nio): the multi-user server store, same migrations as SQLite.
        .target(
            name: "UpstreamStorePostgres",
            dependencies: [
                "UpstreamStore", "UpstreamModel", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The team's web app (Hummingbird): sessions, roles, CSRF, server-rendered pages, the JSON API (docs/web.md).
        .target(
            name: "UpstreamServer",
            dependencies: [
                "UpstreamModel", "UpstreamStore", "UpstreamGovernance", "UpstreamChronology", "UpstreamReports",
                "UpstreamLinkage", "UpstreamRisk", "UpstreamInterventions", "UpstreamAssessment",
                "UpstreamWorkspace",  // the review queues' stored shapes (LinkagePairQueue), shared with the command line
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The use cases the command line (and the server) call: one Workspace (store, keys, clock, user, parallelism)
        // and the linkage, risk and chronology workflows over it (docs/architecture.md).
        .target(
            name: "UpstreamWorkspace",
            dependencies: [
                "UpstreamModel", "UpstreamStore", "UpstreamStoreSQLite", "UpstreamStorePostgres", "UpstreamGovernance",
                "UpstreamIngest", "UpstreamLinkage", "UpstreamChronology", "UpstreamRisk", "UpstreamRiskFeatures",
                "UpstreamAssessment", "UpstreamReports", "UpstreamSynth", "UpstreamInterventions",
            ],
            swiftSettings: strict
        ),
        // The command-line interface: thin commands over the modules.
        .executableTarget(
            name: "upstream",
            dependencies: [
                "UpstreamModel", "UpstreamSynth", "UpstreamIngest", "UpstreamStore", "UpstreamStoreSQLite",
                "UpstreamStorePostgres", "UpstreamLinkage", "UpstreamChronology", "UpstreamReports", "UpstreamRisk",
                "UpstreamRiskFeatures", "UpstreamGovernance", "UpstreamInterventions",
                "UpstreamAssessment", "UpstreamServer", "UpstreamWorkspace",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The gradient-boosted trees speed benchmark against scikit-learn (Benchmarks/risk.md). Depends on UpstreamRisk only.
        .executableTarget(name: "RiskBench", dependencies: ["UpstreamModel", "UpstreamRisk"], path: "Benchmarks/RiskBench", swiftSettings: strict),
        // The audit trail's append and verify speed (Benchmarks/audit.md).
        .executableTarget(
            name: "AuditBench", dependencies: ["UpstreamGovernance", "UpstreamStore", "UpstreamStoreSQLite"],
            path: "Benchmarks/AuditBench", swiftSettings: strict
        ),
        // The plan's speed benchmark (Benchmarks/plan.md): 100,000 candidates × 30 programmes, and the Monte Carlo.
        .executableTarget(name: "PlanBench", dependencies: ["UpstreamInterventions"], path: "Benchmarks/PlanBench", swiftSettings: strict),
        .testTarget(name: "UpstreamInterventionsTests", dependencies: ["UpstreamInterventions", "UpstreamReports", "UpstreamTesting"]),
        .executableTarget(name: "SynthBench", dependencies: ["UpstreamSynth"], path: "Benchmarks/SynthBench", swiftSettings: strict),
        // The strategic assessment benchmark (Benchmarks/assess.md): `upstream assess --police-uk` without the store's dependencies.
        .executableTarget(name: "AssessBench", dependencies: ["UpstreamAssessment", "UpstreamReports"], path: "Benchmarks/AssessBench", swiftSettings: strict),
        // The person store's save and look-up speed at 100,000 assignments (Benchmarks/store.md).
        .executableTarget(
            name: "PersonStoreBench",
            dependencies: ["UpstreamModel", "UpstreamStore", "UpstreamStoreSQLite", "UpstreamStorePostgres", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/PersonStoreBench", swiftSettings: strict
        ),
        .testTarget(name: "UpstreamModelTests", dependencies: [
            "UpstreamModel", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "UpstreamSynthTests", dependencies: ["UpstreamSynth", "UpstreamModel"]),
        .testTarget(name: "UpstreamIngestTests", dependencies: [
            "UpstreamTesting",
            "UpstreamIngest", "UpstreamStore", "UpstreamStoreSQLite", "UpstreamModel", "UpstreamSynth",
            .product(name: "PropertyBased", package: "swift-property-based"), .product(name: "GRDB", package: "GRDB.swift"),
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
            "UpstreamIngest", "UpstreamStore", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "UpstreamAssessmentTests", dependencies: ["UpstreamAssessment", "UpstreamReports", "UpstreamModel"]),
        .testTarget(name: "UpstreamStoreTests", dependencies: [
            "UpstreamStore", "UpstreamStoreSQLite", "UpstreamStorePostgres", "UpstreamModel", "UpstreamTesting",
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "UpstreamCLITests", dependencies: [
            "UpstreamModel", "UpstreamSynth", "UpstreamTesting", "UpstreamStoreSQLite", .product(name: "GRDB", package: "GRDB.swift"),
            "UpstreamServer",
        ]),
        .testTarget(name: "UpstreamWorkspaceTests", dependencies: [
            "UpstreamWorkspace", "UpstreamModel", "UpstreamStore", "UpstreamStoreSQLite", "UpstreamGovernance", "UpstreamLinkage",
            "UpstreamRisk", "UpstreamRiskFeatures", "UpstreamSynth", "UpstreamTesting", "UpstreamIngest", "UpstreamInterventions",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            "UpstreamAssessment",
        ]),
        .testTarget(name: "UpstreamGovernanceTests", dependencies: [
            "UpstreamGovernance", "UpstreamStore", "UpstreamStoreSQLite", "UpstreamModel",
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "UpstreamServerTests", dependencies: [
            "UpstreamServer", "UpstreamStore", "UpstreamGovernance", "UpstreamModel", "UpstreamTesting",
            "UpstreamLinkage", "UpstreamRisk", "UpstreamInterventions", "UpstreamAssessment", "UpstreamStoreSQLite", "UpstreamStorePostgres",
            "UpstreamWorkspace",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ]
)
