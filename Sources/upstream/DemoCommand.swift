import ArgumentParser
import Foundation
import UpstreamChronology
import UpstreamGovernance
import UpstreamInterventions
import UpstreamModel
import UpstreamReports
import UpstreamRisk
import UpstreamRiskFeatures
import UpstreamStoreSQLite
import UpstreamSynth
import UpstreamWorkspace

extension Upstream {
    /// `upstream demo`: the whole pipeline on a synthetic city, ending in an HTML report.
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the whole pipeline on a synthetic city and write an HTML report (the main job).",
            discussion: """
            Generates a synthetic city, ingests every extract into a SQLite store, links the records into persons, \
            scores the linkage against the city's truth, and writes OUT/index.html with records per agency, data \
            quality, linkage quality, and the chronologies of the young people with the most ACEs who went on to \
            serious violence, then trains, tests and audits the risk model (upstream risk train) and lists the young \
            people it flags, with their reasons and chronologies. Each stage runs as its own `upstream` command, so its figures match what that command prints.
            """
        )

        @Option(help: "Output folder.") var out: String = "upstream-demo"
        @Option(help: "People in the synthetic city (100,000 gives the risk model a few hundred young people who went on to serious violence to learn from).") var people: Int = 100_000
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: "How many chronologies of young people who went on to serious violence to include.") var cases: Int = 12
        @Option(help: "Risk model capacity: young people flagged per 100,000 scored.") var capacity: Double = 1000
        @Flag(help: "Print the report's figures as JSON when done.") var json = false

        func validate() throws {
            if people < 500 || people > 2_000_000 { throw ValidationError("--people \(people) must be between 500 and 2,000,000") }
            if cases < 1 || cases > 200 { throw ValidationError("--cases \(cases) must be between 1 and 200") }
            if !(capacity.isFinite && capacity > 0 && capacity <= 100_000) {
                throw ValidationError("--capacity \(capacity) must be a number of young people per 100,000 scored, above 0 and at most 100,000 (default 1000)")
            }
        }

        /// Runs this binary with `args` and returns its standard output as JSON.
        func stage(_ title: String, _ args: [String]) throws -> [String: Any] {
            Terminal.error("demo: \(title)…\n")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            p.arguments = args
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw WorkspaceError.badInput("demo: `upstream \(args.joined(separator: " "))` failed (exit \(p.terminationStatus))") }
            guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw WorkspaceError.badInput("demo: `upstream \(args.first ?? "")` printed no JSON")
            }
            return obj
        }

        func run() throws {
            let started = Date()
            let report = try DemoPipeline(people: people, seed: seed, cases: cases, capacity: capacity, messages: Terminal.messages)
                .run(out: out, stage: stage)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let seconds = Date().timeIntervalSince(started)
            if json {
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print("Report: \(out)/index.html  (\(report.cases.count) chronologies, \(String(format: "%.0f", seconds)) s)")
                if let r = report.risk, let best = r.models.first {
                    print("Risk model \(r.modelID): \(best.name) ROC AUC \(best.rocAUC.map { String(format: "%.3f", $0) } ?? "–"), "
                          + "precision at capacity \(best.precision.map { String(format: "%.1f%%", $0 * 100) } ?? "–") "
                          + "(ACE count: \(r.models.last?.precision.map { String(format: "%.1f%%", $0 * 100) } ?? "–")); "
                          + "\(r.flagged.count) young people flagged as of \(r.asOf): \(out)/risk.html")
                } else if let note = report.riskNote {
                    print(note)
                }
                if let l = report.linkage {
                    print("Linkage against the truth: precision \(String(format: "%.4f", l.precision)), recall \(String(format: "%.4f", l.recall)), F1 \(String(format: "%.4f", l.f1))")
                }
            }
        }
    }
}
