// swift-tools-version: 6.1
// libFuzzer targets for Upstream's parsers (issue 12). A package of its own so that the main build never needs the
// fuzzer runtime. Build and run with Benchmarks/fuzz.sh (LIBFUZZER=1), which passes
// -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library: libFuzzer supplies main and calls LLVMFuzzerTestOneInput.
import PackageDescription

let package = Package(
    name: "UpstreamFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Upstream", path: "../..")],
    targets: [
        // The CSV reader on arbitrary bytes, with a small record limit and tiny chunks.
        .executableTarget(name: "fuzz-csv-reader", dependencies: [
            .product(name: "UpstreamIngest", package: "Upstream"), .product(name: "UpstreamModel", package: "Upstream"),
        ]),
        // The spec loader on arbitrary text, then ingest of a small file under any spec that loads.
        .executableTarget(name: "fuzz-spec-loader", dependencies: [
            .product(name: "UpstreamIngest", package: "Upstream"), .product(name: "UpstreamStore", package: "Upstream"),
        ]),
    ]
)
