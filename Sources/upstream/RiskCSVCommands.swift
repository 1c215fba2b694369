import ArgumentParser
import Foundation
import UpstreamReports
import UpstreamRisk
import UpstreamWorkspace

/// `risk train --csv`: the options for training on any table an analyst brings.
struct CSVCohortOptions: ParsableArguments {
    @Option(help: "Train on this CSV cohort instead of the store (one row per person or per person and date).") var csv: String?
    @Option(help: "With --csv: the 0/1 outcome column (1/0, true/false, yes/no).") var outcome: String?
    @Option(help: "With --csv: feature columns, comma-separated (default: all but the outcome, protected and id columns).") var features: String?
    @Option(help: "With --csv: protected columns to audit, comma-separated (features only when also in --features).") var protected: String?
    @Option(help: "With --csv: a column identifying the person, so one person's rows never straddle folds.") var id: String?
    @Option(help: "With --csv: cross-validation folds.") var folds: Int = 5
    @Option(help: "With --csv: folder for model.json, report.html and report.json (default: FILE.risk).") var out: String?

    static func list(_ s: String?) -> [String]? {
        s.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}

/// Reads a CSV table with a clear error naming the file and line.
enum CSVTables {
    static func read(_ path: String) throws -> TabularCSV.Table {
        guard let data = FileManager.default.contents(atPath: path) else { throw WorkspaceError.badInput("cannot read \(path)") }
        do { return try TabularCSV.parse(data) } catch { throw WorkspaceError.badInput("\(path): \(error)") }
    }
}

/// Trains both learners on a CSV cohort and writes the same report as the city's model.
struct CSVCohortTraining {
    var options: CSVCohortOptions
    var trees: GBTParameters
    var capacity: Double
    var bound: Double
    var minimumGroupSize: Int
    var seed: UInt64
    var json: Bool

    func run() throws {
        guard let path = options.csv, let outcome = options.outcome else { return }
        let table = try CSVTables.read(path)
        Terminal.error("risk: \(table.rows.count) rows, \(table.header.count) columns in \(path)\n")
        let opts = TabularRisk.TrainingOptions(
            outcome: outcome, features: CSVCohortOptions.list(options.features), protected: CSVCohortOptions.list(options.protected) ?? [],
            id: options.id, folds: options.folds, seed: seed, l2: 1.0, capacityPerHundredThousand: capacity,
            minimumGroupSize: minimumGroupSize)
        let result: TabularModels
        do {
            result = try TabularModels.train(table, options: opts, trees: trees, created: ISO8601DateFormatter().string(from: Date()),
                                             source: URL(fileURLWithPath: path).lastPathComponent)
        } catch let e as TabularError {
            throw WorkspaceError.badInput("\(path): \(e)")
        }
        var report = result.report
        if var f = report.fairness { f.bound = bound; report.fairness = f }
        let dir = options.out ?? path + ".risk"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try JSONFiles.write(result, to: dir + "/model.json")
        try JSONFiles.write(report, to: dir + "/report.json")
        try RiskReportPage.html(report).write(toFile: dir + "/report.html", atomically: true, encoding: .utf8)
        if json {
            struct Out: Encodable { var report: RiskReport; var problems: [RowProblem]; var features: [String]; var notes: [String] }
            try Terminal.json(Out(report: report, problems: result.problems, features: result.encoder.featureNames, notes: result.notes ?? []))
            return
        }
        print(RiskReportText.render(report), terminator: "")
        for note in result.notes ?? [] { print("Note: \(note)") }
        if !result.problems.isEmpty {
            print("\(result.problems.count) rows left out: " + result.problems.prefix(5).map(\.description).joined(separator: "; ")
                  + (result.problems.count > 5 ? "; …" : ""))
        }
        print("Model and report written to \(dir)/ (model.json, report.html, report.json)")
    }
}

extension Upstream.Risk {
    /// `upstream risk audit --csv`: the fairness section of the report for another tool's scores.
    struct AuditCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Audit an existing tool's scores (a vendor's model, a checklist) for fairness across protected groups.",
            discussion: """
            With --threshold T, a score at or above T counts as flagged: selection rate, false positive and false \
            negative rates and positive predictive value per group, with disparity ratios. Without it, only \
            threshold-free measures (AUC and calibration by group). Groups smaller than --min-group are suppressed.
            """
        )
        @Option(help: "The CSV with one row per person scored.") var csv: String
        @Option(help: "The score column (higher = more concern).") var score: String
        @Option(help: "The 0/1 outcome column.") var outcome: String
        @Option(help: "Protected columns, comma-separated.") var protected: String
        @Option(help: "Scores at or above this count as flagged.") var threshold: Double?
        @Option(help: "Instead of --threshold: flag the top this many per 100,000 rows.") var capacity: Double?
        @Option(help: "Flag a disparity ratio above this.") var bound: Double = 1.25
        @Option(help: "Suppress groups smaller than this.") var minGroup: Int = 10
        @Option(help: "Write the HTML report here.") var html: String?
        @Flag(help: "Print the figures as JSON.") var json = false

        func validate() throws {
            try RiskOptionChecks.bound(bound)
            if let threshold { try RiskOptionChecks.threshold(threshold) }
            if let capacity { try RiskOptionChecks.capacity(capacity) }
            if threshold != nil && capacity != nil { throw ValidationError("give --threshold or --capacity, not both") }
            if minGroup < 1 || minGroup > 1_000_000 { throw ValidationError("--min-group \(minGroup) must be a whole number from 1 to 1,000,000; groups smaller than it are suppressed (10 is usual)") }
            if (CSVCohortOptions.list(protected) ?? []).isEmpty { throw ValidationError("--protected needs at least one column") }
        }

        func run() throws {
            let table = try CSVTables.read(csv)
            let result: TabularRisk.AuditResult
            do {
                result = try TabularRisk.audit(table, score: score, outcome: outcome, protected: CSVCohortOptions.list(protected)!,
                                               threshold: threshold, capacityPerHundredThousand: capacity, bound: bound, minimumGroupSize: minGroup)
            } catch let e as TabularError {
                throw WorkspaceError.badInput("\(csv): \(e)")
            }
            if let html {
                let card = ModelCard(
                    modelID: score, created: ISO8601DateFormatter().string(from: Date()), data: csv, period: "",
                    outcome: "Column \(outcome)", intendedUse: "Audit of an existing tool's scores.", notFor: [], limits: [],
                    features: [], safeguards: [])
                var report = RiskReport(title: "Fairness audit: \(score) in \(URL(fileURLWithPath: csv).lastPathComponent)", card: card,
                                        models: [result.evaluation], truePersonModels: [], fairness: result.fairness, leadTime: nil, flagged: [])
                report.generic = true
                try RiskReportPage.html(report).write(toFile: html, atomically: true, encoding: .utf8)
            }
            if json { try Terminal.json(result); return }
            let e = result.evaluation
            print("Audit of \(score) against \(outcome): \(e.rows) rows, \(e.positives) with the outcome"
                  + (e.rocAUC.map { String(format: ", ROC AUC %.3f", $0) } ?? ""))
            print(AuditText.render(result.fairness), terminator: "")
            for note in result.notes ?? [] { print("Note: \(note)") }
            if !result.problems.isEmpty { print("\(result.problems.count) rows left out: " + result.problems.prefix(5).map(\.description).joined(separator: "; ")) }
        }
    }
}

/// A fairness audit as aligned text: one table per attribute, then the flags.
enum AuditText {
    static func render(_ f: FairnessReport) -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
        func num(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "-" }
        var out = "Threshold: " + (f.threshold.map { String(format: "%.4g", $0) } ?? "none (threshold-free measures only)")
            + "; disparity bound \(f.bound); groups under \(f.minimumGroupSize) suppressed\n"
        for a in f.attributes {
            out += "\n\(a.attribute)\n"
            let header = ["group", "rows", "outcomes", "selected", "FPR", "FNR", "PPV", "observed", "mean score", "AUC"]
            var rows = [header]
            for g in a.groups {
                if g.suppressed { rows.append([g.group, "<\(f.minimumGroupSize)", "suppressed", "", "", "", "", "", "", ""]); continue }
                let c = g.confusion
                rows.append([g.group, String(g.count), String(g.positives), pct(c?.selectionRate), pct(c?.falsePositiveRate),
                             pct(c?.falseNegativeRate), pct(c?.precision), pct(g.observedRate), num(g.meanScore), num(g.rocAUC)])
            }
            let widths = (0..<header.count).map { i in rows.map { $0[i].count }.max() ?? 0 }
            for r in rows {
                out += "  " + r.enumerated().map { i, v in i == 0 ? v.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - v.count) + v }.joined(separator: "  ") + "\n"
            }
        }
        out += "\n"
        let flags = f.flags
        if !f.anyCompared {
            out += "Nothing could be compared: every group, or the count each rate rests on, is smaller than \(f.minimumGroupSize). This is not evidence of fairness; audit more rows or lower --min-group.\n"
        } else {
            out += flags.isEmpty ? "No disparity above the bound with non-overlapping 95% intervals.\n" : flags.map { "FLAG  " + $0 }.joined(separator: "\n") + "\n"
        }
        return out
    }
}
