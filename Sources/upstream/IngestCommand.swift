import ArgumentParser
import Foundation
import UpstreamIngest
import UpstreamModel
import UpstreamStore
import UpstreamWorkspace

extension Upstream {
    /// `upstream ingest`: load agency extracts into the store.
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load agency extracts into the store, quarantining rows that cannot be loaded.",
            discussion: """
            Each file loads in one transaction: an interruption leaves the store as it was before that file. \
            Loading a file that is already loaded (same source, same SHA-256, same spec) changes nothing. With --replace a \
            file supersedes its source's earlier deliveries (their records and quarantined rows are removed in the \
            same transaction and the audit log says so); without it, a new delivery adds to the source, and a row \
            whose record id is already loaded is quarantined as duplicate_record_id. A file already loaded under a \
            different spec (say, a corrected one) loads again and supersedes that earlier attempt, which stays in the \
            audit log. After each file Upstream prints rows read = loaded + quarantined. Exit status 1 when any file \
            could not be loaded at all; 75 when another command held the store for too long (see upstream --help).
            """
        )

        @Option(help: "The spec (YAML) of the files' source.") var spec: String?
        @Option(help: "Load every extract of a synthetic city folder with the shipped specs.") var synth: String?
        @Option(help: "Folder of specs for --synth (default: ./specs, $UPSTREAM_SPECS, or the repository's specs/).")
        var specs: String?
        @Argument(help: "Files to load under --spec.") var files: [String] = []
        @OptionGroup var storeOptions: StoreOptions
        @Flag(help: "Supersede the source's earlier deliveries with this one.") var replace = false
        @Option(help: "The load date, YYYY-MM-DD (default today): later dates are implausible.") var loadDate: String?
        @Flag(help: "Parse and write on one thread (default: parse on a second thread while the store writes).")
        var sequential = false
        @Option(help: "Memory for the load, e.g. 8G (default): a quarter is SQLite's page cache.") var memory: String?
        @Flag(help: "Print the figures as JSON.") var json = false

        func validate() throws {
            if (spec == nil) == (synth == nil) { throw ValidationError("give either --spec SPEC FILE… or --synth DIR") }
            if spec != nil, files.isEmpty { throw ValidationError("name at least one file to load with --spec") }
            if synth != nil, !files.isEmpty { throw ValidationError("--synth loads a whole folder; do not name files") }
            _ = try IngestCLI.date(loadDate, option: "load-date")
            _ = try IngestCLI.memory(memory)
        }

        func run() throws {
            let plan = try IngestPlan(spec: spec, files: files, synth: synth, specsDirectory: { try IngestCLI.specsDirectory(specs) })
            let store = try storeOptions.open(cacheBytes: try IngestCLI.memory(memory) / 4)
            let loadedAt = IngestCLI.now()
            let today = try IngestCLI.date(loadDate, option: "load-date")
            let ingestor = Ingestor(store: store, loadedAt: loadedAt, today: today, pipelined: !sequential)
            let (jobs, skipped, missing) = (plan.jobs, plan.skipped, plan.missing)
            for name in skipped where !json { Terminal.error("ingest: no spec for \(name); not loaded\n") }
            for name in missing where !json { Terminal.error("ingest: \(name) is not in \(synth ?? "the folder"); its source is not loaded\n") }
            let (reports, failures) = try IngestFiles.load(jobs, store: store, ingestor: ingestor, replace: replace, json: json)
            let out = IngestOutput(files: reports, failures: failures, skipped: skipped, missing: missing)
            if json {
                try IngestCLI.printJSON(out)
            } else if jobs.count > 1 {
                print("total: rows read \(out.rowsRead) = loaded \(out.loaded) + quarantined \(out.quarantined)"
                      + (failures.isEmpty ? "" : "; \(failures.count) file(s) not loaded"))
            }
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }
}

/// Loads the planned files in turn, each a progress stage of its size, printing each file's lines unless `json`.
enum IngestFiles {
    static func load(
        _ jobs: [(path: String, spec: SourceSpec)], store: any RecordStore, ingestor: Ingestor, replace: Bool, json: Bool
    ) throws -> (reports: [FileReport], failures: [IngestOutput.Failure]) {
        let stall = TestStall.fromEnvironment()
        var reports: [FileReport] = []
        var failures: [IngestOutput.Failure] = []
        // Each file is a stage of its size in bytes, so the overall estimate is over the bytes of every file. A first
        // load into an empty store builds the indexes that only serve reads once, at the end: a last stage, weighed
        // as its measured time against the files' (4.8 s against about 28 s of files at 200,000 people, Benchmarks/ingest.md).
        let sizes = jobs.map { job in ((job.path as NSString).lastPathComponent, IngestCLI.fileSize(job.path)) }
        var stages = sizes.map { ($0.0, Double($0.1 ?? 0)) }
        if !jobs.isEmpty, try store.bulkLoadDefersIndexes() { stages.append((Self.indexStage, stages.reduce(0) { $0 + $1.1 } * 0.15)) }
        let tracker = Terminal.messages.tracker("ingest", plan: ProgressPlan(stages))
        try store.loadingInBulk(building: { tracker.begin(Self.indexStage) }) {
            for (job, (name, size)) in zip(jobs, sizes) {
                let started = Date()
                tracker.begin(name, total: size, unit: "bytes")
                do {
                    let report = try ingestor.ingest(path: job.path, spec: job.spec, replacing: replace) { p in
                        stall?.check(rows: p.rows)
                        tracker.update(done: Int(p.bytesRead))
                    }
                    tracker.finish()
                    Terminal.clearProgress()
                    reports.append(report)
                    if !json { print(IngestText.render(report, seconds: Date().timeIntervalSince(started), replace: replace)) }
                } catch let e as IngestError {
                    tracker.finish()
                    Terminal.clearProgress()
                    failures.append(IngestOutput.Failure(file: job.path, error: e.description))
                    if !json { Terminal.error("ingest: \(name) not loaded: \(e.description)\n") }
                }
            }
        }
        tracker.finish()
        return (reports, failures)
    }

    /// The progress stage of the read indexes' build after a first load.
    static let indexStage = "read indexes (by postcode, by incident)"
}

/// What ingest prints about one file.
enum IngestText {
    static func render(_ r: FileReport, seconds: Double, replace: Bool) -> String {
        var lines: [String] = []
        func print(_ s: String) { lines.append(s) }
        let name = (r.file as NSString).lastPathComponent
        switch r.status {
        case .alreadyLoaded:
            print("\(name): already loaded as delivery \(r.deliveryID) of \(r.source) (sha256 \(r.sha256.prefix(12))…); nothing changed")
        case .loaded:
            var line = "\(name) → \(r.source): \(r.balanceLine)"
            let c = r.counts
            var notes: [String] = []
            if c.nhsNumberInvalid > 0 { notes.append("\(c.nhsNumberInvalid) invalid NHS numbers kept untrusted") }
            if c.upnInvalid > 0 { notes.append("\(c.upnInvalid) invalid UPNs kept untrusted") }
            if c.dateOfBirthPlaceholder > 0 { notes.append("\(c.dateOfBirthPlaceholder) placeholder dates of birth stored as missing") }
            if c.dateOfBirthAfterEvent > 0 { notes.append("\(c.dateOfBirthAfterEvent) dates of birth after the event kept, flagged dob_after_event") }
            if c.blankLines > 0 { notes.append("\(c.blankLines) blank lines skipped") }
            if !notes.isEmpty { line += " (" + notes.joined(separator: "; ") + ")" }
            print(line)
            if !r.quarantinedByReason.isEmpty {
                print("  quarantined: " + r.quarantinedByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
            if !r.unmappedColumns.isEmpty {
                print("  columns not in the spec (not stored): " + r.unmappedColumns.joined(separator: ", "))
            }
            if !r.supersededDeliveries.isEmpty, !replace {
                print("  this file was loaded before under a different spec (delivery \(r.supersededDeliveries.map(String.init).joined(separator: ", "))); "
                      + "that attempt is superseded (\(r.supersededRecords) records removed) and kept in the audit log")
            } else if !r.supersededDeliveries.isEmpty {
                print("  replaced deliveries \(r.supersededDeliveries.map(String.init).joined(separator: ", ")) (\(r.supersededRecords) records removed)")
            }
            if seconds >= 1 { print("  \(String(format: "%.1f", seconds)) s, \(IngestCLI.grouped(Int(Double(c.rowsRead) / seconds))) rows/s") }
        }
        return lines.joined(separator: "\n")
    }
}

/// A hook for the crash-recovery test only: with `UPSTREAM_TEST_STALL_AFTER_ROWS=N` and
/// `UPSTREAM_TEST_STALL_MARKER=PATH` set, ingest stops inside its transaction once N rows are written,
/// creates PATH, and waits to be killed. Never set in normal use.
struct TestStall {
    let rows: Int
    let marker: String

    static func fromEnvironment() -> TestStall? {
        let env = ProcessInfo.processInfo.environment
        guard let n = env["UPSTREAM_TEST_STALL_AFTER_ROWS"].flatMap(Int.init), let m = env["UPSTREAM_TEST_STALL_MARKER"] else { return nil }
        return TestStall(rows: n, marker: m)
    }

    func check(rows done: Int) {
        guard done >= rows else { return }
        FileManager.default.createFile(atPath: marker, contents: Data("\(done)".utf8))
        while true { sleep(60) }
    }
}
