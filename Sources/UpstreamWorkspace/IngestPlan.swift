import Foundation
import UpstreamIngest
import UpstreamStore

/// Which files an ingest loads under which spec: the files named under one spec, or every extract of a synthetic
/// city folder that a shipped spec describes (with the folder's files no spec names, and the specs' files missing).
public struct IngestPlan {
    public var jobs: [(path: String, spec: SourceSpec)] = []
    /// Files in the folder that no spec names (not loaded).
    public var skipped: [String] = []
    /// Extracts a spec names that the folder lacks.
    public var missing: [String] = []

    /// - Parameters:
    ///   - spec: the spec of `files`; or
    ///   - synth: a synthetic city folder, read with the specs in the folder `specsDirectory()` finds.
    /// - Throws: ``WorkspaceError`` (bad input) for an empty folder or one holding none of the specs' extracts.
    public init(spec: String?, files: [String], synth: String?, specsDirectory: () throws -> String) throws {
        if let spec {
            let s = try SpecLoader.load(path: spec)
            jobs = files.map { ($0, s) }
        } else if let synth {
            let dir = try specsDirectory()
            let all = try SpecLoader.loadDirectory(dir)
            let present = Set((try? FileManager.default.contentsOfDirectory(atPath: synth)) ?? [])
            guard !present.isEmpty else {
                throw WorkspaceError.badInput("\(synth) is not a folder of extracts (missing or empty); "
                                              + "name the folder upstream synth --out wrote")
            }
            for name in all.keys.sorted() {
                let spec = all[name]!
                let ext = spec.format == .jsonLines ? "jsonl" : "csv"
                if present.contains("\(name).\(ext)") {
                    jobs.append((synth + "/\(name).\(ext)", spec))
                } else {
                    missing.append("\(name).\(ext)")
                }
            }
            let known = Set(jobs.map { ($0.path as NSString).lastPathComponent })
            skipped = present.filter { ($0.hasSuffix(".csv") || $0.hasSuffix(".jsonl")) && !known.contains($0) }.sorted()
            guard !jobs.isEmpty else {
                throw WorkspaceError.badInput(
                    "\(synth) holds none of the extracts the specs in \(dir) name (such as \(missing.prefix(3).joined(separator: ", "))); "
                    + "nothing was loaded. Name a folder written by upstream synth, or load files with --spec SPEC FILE…")
            }
        }
    }
}

/// What `upstream ingest --json` prints: each file's report, the files not loaded, and the totals of those loaded.
public struct IngestOutput: Codable {
    /// A file that could not be loaded at all, and why.
    public struct Failure: Codable {
        public var file: String; public var error: String
        public init(file: String, error: String) { self.file = file; self.error = error }
    }
    public var files: [FileReport]
    public var failures: [Failure]
    public var skipped: [String]
    public var missing: [String]
    public var rowsRead: Int
    public var loaded: Int
    public var quarantined: Int

    /// The output, with the totals of the files loaded (an already-loaded file changes nothing and counts nothing).
    public init(files: [FileReport], failures: [Failure], skipped: [String], missing: [String]) {
        self.files = files; self.failures = failures; self.skipped = skipped; self.missing = missing
        let loadedReports = files.filter { $0.status == .loaded }
        rowsRead = loadedReports.reduce(0) { $0 + $1.counts.rowsRead }
        loaded = loadedReports.reduce(0) { $0 + $1.counts.loaded }
        quarantined = loadedReports.reduce(0) { $0 + $1.counts.quarantined }
    }
}
