import ArgumentParser
import Foundation
import UpstreamSynth

extension Upstream {
    /// `upstream synth`: generate a synthetic city with ground truth.
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a synthetic city: people, households, every agency's extract, and the ground truth.",
            discussion: """
            Writes one CSV per agency extract into --out, the ground truth into --out/truth/ (never load it \
            into a store), manifest.json and a README. The same seed and config give byte-identical output.
            """
        )

        @Option(help: "Number of people (default from the config: 50,000).") var people: Int?
        @Option(help: "Random seed.") var seed: UInt64?
        @Option(help: "Years in the observation window.") var years: Int?
        @Option(help: "Output folder.") var out: String = "synthetic-city"
        @Option(help: "A YAML file overriding any of the default parameters (see --print-config).") var config: String?
        @Flag(help: "Print the default configuration, with sources, and exit.") var printConfig = false
        @Flag(help: "Replace --out if it exists.") var force = false
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() throws {
            if printConfig { print(SynthConfig.defaultYAML); return }
            var cfg: SynthConfig
            do {
                if let path = config {
                    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                        throw ValidationError("cannot read config file \(path)")
                    }
                    cfg = try SynthConfig.load(overrides: text)
                } else {
                    cfg = SynthConfig.defaults
                }
                if let people { cfg.people = people }
                if let seed { cfg.seed = seed }
                if let years { cfg.years = years }
                try cfg.validate()
            } catch let e as SynthConfig.Invalid {
                throw ValidationError(e.description)
            }
            let generator = CityGenerator(config: cfg)
            let summary = try generator.generate(to: out, overwrite: force, progress: { stage, fraction in
                Terminal.progress("synth: \(stage) \(Int(fraction * 100))%")
            })
            Terminal.clearProgress()
            if ProcessInfo.processInfo.environment["UPSTREAM_TIMINGS"] != nil {
                for (stage, d) in generator.stageTimings { Terminal.error("synth: \(stage): \(d)\n") }
            }
            if json {
                let rows = summary.rows.keys.sorted().map { "\"\($0)\": \(summary.rows[$0]!)" }.joined(separator: ", ")
                print("{\"out\": \"\(out)\", \"people\": \(summary.people), \"households\": \(summary.households), \"areas\": \(summary.areas), "
                    + "\"personRecords\": \(summary.personRecords), \"crimes\": \(summary.crimes), "
                    + "\"seriousViolenceOffenders\": \(summary.seriousViolenceOffenders), \"rows\": {\(rows)}}")
            } else {
                print("Synthetic city written to \(out)/")
                print("  \(summary.people) people, \(summary.households) households, \(summary.areas) areas")
                for name in summary.rows.keys.sorted() { print("  \(name).csv".padding(28) + "\(summary.rows[name]!) rows") }
                print("  person-level records: \(summary.personRecords); crimes: \(summary.crimes); serious violence offenders: \(summary.seriousViolenceOffenders)")
                print("  ground truth in \(out)/truth/ (never load it into a store)")
            }
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
}
