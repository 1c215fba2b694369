import ArgumentParser
import Foundation
import UpstreamAssessment
import UpstreamChronology
import UpstreamModel
import UpstreamReports
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamWorkspace

extension Upstream {
    /// `upstream assess`: the strategic assessment of violence, from the store or from police.uk files.
    struct Assess: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the strategic assessment of violence (typology, trend, harm, place, people, priorities).",
            discussion: """
            From the store's recorded crime: upstream assess --store S --from YYYY-MM --to YYYY-MM --out DIR. \
            From police.uk open data files as published (street-level crime, and optionally outcomes and stop and \
            search, recognised by their headers): upstream assess --police-uk FILE... --out DIR. \
            Writes DIR/assessment.html, DIR/assessment.json (every figure), DIR/areas.geojson (for QGIS) and, when \
            Chromium is installed, DIR/assessment.pdf. See docs/strategic-assessment.md.
            """
        )

        @OptionGroup var storeOptions: StoreOptions
        @Option(name: .customLong("police-uk"), parsing: .upToNextOption, help: "police.uk CSV files, as downloaded.") var policeUK: [String] = []
        @Option(help: "First month assessed (YYYY-MM). Default: police.uk, the first month in the files; store, 35 months before --to.") var from: String?
        @Option(help: "Last month assessed (YYYY-MM). Default: the last month with a recorded crime.") var to: String?
        @Option(help: "Folder to write the report to.") var out: String
        @Option(help: "Linked persons from a CSV (source,record_id,person_id) instead of the store's, which are used when it has been linked.") var persons: String?
        @Option(help: "Priority weights: harm=0.4,likelihood=0.35,vulnerability=0.25[,position=3].") var weights: String?
        @Option(help: "Hotspot distance band in metres (default: 1.5 × the median nearest-neighbour distance).") var distance: Double?
        @Flag(help: "Fail unless the PDF can be printed (Chromium on PATH).") var pdf = false
        @Flag(help: "Do not print the PDF.") var noPdf = false
        @Flag(help: "Print every figure as JSON.") var json = false

        var store: String? { storeOptions.store }

        func validate() throws {
            if store == nil && policeUK.isEmpty { throw ValidationError("say what to assess: --store FILE, or --police-uk FILE...") }
            if store != nil && !policeUK.isEmpty { throw ValidationError("assess one input at a time: --store or --police-uk, not both") }
            for (name, v) in [("--from", from), ("--to", to)] {
                if let v, YearMonth(v) == nil { throw ValidationError("\(name) \(v) is not a month: write YYYY-MM, e.g. 2024-04") }
            }
            if let f = from.flatMap(YearMonth.init), let t = to.flatMap(YearMonth.init), f > t {
                throw ValidationError("--from \(f) is after --to \(t)")
            }
            if let distance, !(distance > 0) { throw ValidationError("--distance must be a positive number of metres") }
            if pdf && noPdf { throw ValidationError("--pdf and --no-pdf contradict each other") }
            if let weights { do { _ = try PriorityWeights.parse(weights) } catch { throw ValidationError("--weights: \(error)") } }
        }

        func run() throws {
            var request = AssessRequest(out: out)
            (request.store, request.policeUK, request.from, request.to) = (store, policeUK, from.flatMap(YearMonth.init), to.flatMap(YearMonth.init))
            (request.persons, request.distance, request.pdf, request.noPdf) = (persons, distance, pdf, noPdf)
            request.weights = try weights.map(PriorityWeights.parse) ?? PriorityWeights()
            let started = Date()
            let workspace = store.map { _ in storeOptions.workspace() }
            let r = try AssessUseCase(request: request, workspace: workspace).run()
            if json { print(String(decoding: r.json, as: UTF8.self)); return }
            let a = r.assessment
            print("assess: \(a.from) to \(a.to), \(a.baseCount) crimes in \(a.baseLabel), in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            if let s = r.policeSummary {
                print("  rows read \(s.rows), used \(s.rowsUsed), without location \(s.rowsWithoutLocation)")
                for u in s.unusable { print("  unusable: \(u.label): \(u.count)") }
            }
            for p in a.priorities.prefix(5) { print("  priority \(p.rank): \(p.threat) (\(String(format: "%.2f", p.priorityScore)))") }
            print("  \(r.html)\n  \(out)/assessment.json\n  \(out)/areas.geojson\n  \(r.pdfNote)")
        }
    }
}
