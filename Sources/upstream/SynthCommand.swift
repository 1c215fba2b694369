import ArgumentParser
import Foundation
import UpstreamInterventions
import UpstreamModel
import UpstreamSynth
import UpstreamWorkspace

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
        @Option(help: ArgumentHelp("A treatment to re-live the city with: a CSV of person_id (the city's truth id, P…) and programme.",
                                   discussion: "Needs --from. Give the same --people, --seed and --config as the untreated city: the lives are the same except the treated young people's after --from (docs/interventions.md §8)."))
        var treat: String?
        @Option(help: "With --treat: the date the treatment starts (YYYY-MM-DD).") var from: CivilDate?
        @Flag(help: ArgumentHelp("Write the window's last month of recorded rows apart, in --out/month-YYYY-MM/: the next monthly delivery.",
                                 discussion: "Load the history first, link, then load the month's folder with upstream ingest --synth and link it with upstream link --incremental (docs/scale.md, monthly refresh)."))
        var monthly = false
        @Option(help: "With --treat: the catalogue whose effect intervals the true effects are drawn from (default: catalogue/interventions.yaml).")
        var catalogue: String?

        func validate() throws {
            if (treat == nil) != (from == nil) { throw ValidationError("--treat FILE and --from YYYY-MM-DD go together: give both, or neither for an untreated city") }
        }

        func run() throws {
            if printConfig { print(SynthConfig.defaultYAML); return }
            let cfg = try SynthInputs.config(file: config, people: people, seed: seed, years: years)
            var treatment: Treatment?
            if let treat, let from { treatment = try SynthTreatment.load(treat, from: from, catalogue: catalogue) }
            let generator = CityGenerator(config: cfg, treatment: treatment, parallelism: try Workspace.parallelism(workers: nil, environment: ProcessInfo.processInfo.environment), monthly: monthly)
            // The generator reports each stage's share done; life courses are counted in people, the rest in shares.
            let tracker = Terminal.messages.tracker("synth", plan: .synth)
            let people = cfg.people
            let summary = try generator.generate(to: out, overwrite: force, progress: { stage, fraction in
                if stage == "done" { tracker.finish(); return }
                let total = stage == "life courses" ? people : 1000
                tracker.report(stage, done: Int(fraction * Double(total)), total: total, unit: stage == "life courses" ? "people" : "")
            })
            Terminal.clearProgress()
            if ProcessInfo.processInfo.environment["UPSTREAM_TIMINGS"] != nil {
                for (stage, d) in generator.stageTimings { Terminal.error("synth: \(stage): \(d)\n") }
            }
            if json {
                let rows = summary.rows.keys.sorted().map { "\"\($0)\": \(summary.rows[$0]!)" }.joined(separator: ", ")
                print("{\"out\": \"\(out)\", \"people\": \(summary.people), \"households\": \(summary.households), \"areas\": \(summary.areas), "
                    + "\"personRecords\": \(summary.personRecords), \"crimes\": \(summary.crimes), "
                    + "\"seriousViolenceOffenders\": \(summary.seriousViolenceOffenders), \"rows\": {\(rows)}"
                    + (summary.monthDelivery.map { m in ", \"monthDelivery\": {\"folder\": \"\(out)/\(m.folder)\", \"recordedFrom\": \"\(m.from)\", \"rows\": \(m.rows.values.reduce(0, +))}" } ?? "") + "}")
            } else {
                print("Synthetic city written to \(out)/")
                print("  \(summary.people) people, \(summary.households) households, \(summary.areas) areas")
                for name in summary.rows.keys.sorted() { print("  \(name).csv".padding(28) + "\(summary.rows[name]!) rows") }
                print("  person-level records: \(summary.personRecords); crimes: \(summary.crimes); serious violence offenders: \(summary.seriousViolenceOffenders)")
                if let m = summary.monthDelivery {
                    print("  the month's delivery (recorded from \(m.from)): \(m.rows.values.reduce(0, +)) rows in \(out)/\(m.folder)/; the rows above are the history")
                }
                print("  ground truth in \(out)/truth/ (never load it into a store)")
            }
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
}

/// The city's configuration: the defaults, overridden by a YAML file and then by the command's options.
enum SynthInputs {
    static func config(file: String?, people: Int?, seed: UInt64?, years: Int?) throws -> SynthConfig {
        var cfg: SynthConfig
        do {
            if let file {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read config file \(file)") }
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
        return cfg
    }
}

/// Reading a treatment for `upstream synth --treat`: who received which programme, and each programme's effect interval
/// on violence from the catalogue.
enum SynthTreatment {
    static func load(_ path: String, from: CivilDate, catalogue: String?) throws -> Treatment {
        let (c, _) = try PlanInputs.catalogue(catalogue)
        var assignments: [String: String] = [:]
        var line = 1
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw WorkspaceError.badInput("cannot read the treatment \(path)") }
        for r in CSV.records(text).records {
            line += 1
            guard let person = r["person_id"] ?? r["person"], !person.isEmpty else {
                throw WorkspaceError.badInput("\(path) line \(line): column person_id is missing or empty (the city's truth id, e.g. P00000123)")
            }
            guard let programme = r["programme"], !programme.isEmpty else { throw WorkspaceError.badInput("\(path) line \(line): column programme is missing or empty") }
            if let other = assignments[person], other != programme {
                throw WorkspaceError.badInput("\(path) line \(line): \(person) is treated with both \(other) and \(programme); a plan makes one offer each")
            }
            assignments[person] = programme
        }
        let used = Set(assignments.values)
        let programmes: [Treatment.Programme] = try used.sorted().map { id in
            guard let p = c.programmes.first(where: { $0.id == id }) else {
                throw WorkspaceError.badInput("\(path): programme '\(id)' is not in the catalogue (upstream interventions lists them)")
            }
            guard let e = p.effect.planning?.estimate else { throw WorkspaceError.badInput("\(path): programme '\(id)' has no effect interval in the catalogue") }
            return Treatment.Programme(id: id, low: e.low, high: e.high)
        }
        return Treatment(from: from, programmes: programmes, assignments: assignments)
    }
}
