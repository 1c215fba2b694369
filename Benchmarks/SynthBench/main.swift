// upstream-synth-bench: the synthetic city generator alone, for Benchmarks/synth.sh (see Benchmarks/synth.md).
// It runs the same `CityGenerator` as `upstream synth`, without the store, linkage and risk modules, so that a
// release build for the benchmark is quick.
//
//   upstream-synth-bench --people 1000000 [--years 15] [--seed 1] --out DIR
//
// Prints the summary as JSON (the same keys as `upstream synth --json`) and each stage's wall time on stderr.
import Dispatch
import UpstreamModel
import UpstreamSynth

#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard error (file descriptor 2; the C `stderr` global is not concurrency-safe in Swift 6).
func warn(_ text: String) {
    var t = text
    t.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

var people = 100_000, years = 15, seed: UInt64 = 1, out = "synthetic-city"
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let flag = args.removeFirst()
    guard let value = args.first else { warn("upstream-synth-bench: \(flag) needs a value\n"); exit(64) }
    args.removeFirst()
    switch flag {
    case "--people": people = Int(value) ?? people
    case "--years": years = Int(value) ?? years
    case "--seed": seed = UInt64(value) ?? seed
    case "--out": out = value
    default: warn("upstream-synth-bench: unknown option \(flag) (use --people, --years, --seed, --out)\n"); exit(64)
    }
}
var config = SynthConfig.defaults
config.people = people; config.years = years; config.seed = seed
do {
    try config.validate()
    let cores = Parallelism(workers: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) { n, body in DispatchQueue.concurrentPerform(iterations: n, execute: body) }
    let generator = CityGenerator(config: config, parallelism: cores)
    let s = try generator.generate(to: out, overwrite: true)
    for (stage, d) in generator.stageTimings { warn("synth: \(stage): \(d)\n") }
    let rows = s.rows.keys.sorted().map { "\"\($0)\": \(s.rows[$0]!)" }.joined(separator: ", ")
    print("{\"out\": \"\(out)\", \"people\": \(s.people), \"households\": \(s.households), \"areas\": \(s.areas), "
        + "\"personRecords\": \(s.personRecords), \"crimes\": \(s.crimes), "
        + "\"seriousViolenceOffenders\": \(s.seriousViolenceOffenders), \"rows\": {\(rows)}}")
} catch {
    warn("upstream-synth-bench: \(error)\n")
    exit(1)
}
