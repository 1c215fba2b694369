import Foundation
import UpstreamChronology
import UpstreamGovernance
import UpstreamModel
import UpstreamRisk
import UpstreamRiskFeatures
import UpstreamStoreSQLite

/// Where the risk model's HTML report is exported by default: beside a store file, or in the working folder for a
/// server. The model, its report's figures and the review queue live in the store (``RiskRunStore``).
public enum RiskExport {
    public static func reportHTML(store: String) -> String {
        StoreFactory.isServer(store) ? "risk-report.html" : store + ".risk-report.html"
    }
}

/// The flagged young people of a scoring run as `risk score` prints them (rank, score, reasons). The review of each
/// is kept in ``RiskFlagQueue`` (the governance state machine the web app shares).
public enum ReviewQueue {
    /// One flagged young person as `risk score` reports them: rank, score and reasons.
    public struct Item: Codable, Equatable {
        public var pseudonym: String
        public var modelID: String
        public var asOf: String
        public var rank: Int
        public var score: Double
        public var age: Int?
        public var reasons: [Reason]
        public var lowering: [Reason]
        /// When the flag was made (ISO 8601).
        public var added: String
    }
}

/// Loads the linked persons (and, for a synthetic city, the true persons) as records the cohort builder reads.
public enum RiskInputs {
    public static func linked(store: String, persons: String?) throws -> [LinkedRecord] {
        let db = try StoreFactory.openExisting(store)
        return try LinkedRecords.load(store: db, personsFile: PersonSource.of(db, file: persons), persons: nil, slim: true)
    }

    /// The seam between today's inputs and the streaming cohort builder: the linked records (loaded whole, as
    /// before) replayed person by person. When the store gives persons itself (`PersonStore.forEachPerson`), this
    /// becomes a call to it, each `StoredRecord` made a `LinkedRecord`, and the records are no longer held here.
    public static func personStream(_ records: [LinkedRecord]) -> PersonStream { StreamingCohortBuilder.stream(records) }

    /// The same records, each given to its true person from a synthetic city's `truth/records.csv`.
    public static func truth(_ records: [LinkedRecord], truthFile: String) throws -> [LinkedRecord] {
        var owner: [String: String] = [:]
        try CSVRows.forEach(truthFile) { row in
            if let s = row["source"], let r = row["record_id"], let p = row["person_id"] { owner[s + "/" + r] = p }
        }
        return records.compactMap { r in
            guard let p = owner[r.record.source + "/" + r.record.recordID] else { return nil }
            var t = r
            t.personID = p
            t.matchProbability = nil
            return t
        }
    }

    /// A postcode → deprivation decile lookup (columns `postcode` and `imd_decile`).
    public static func deprivation(_ path: String?) throws -> [String: Int] {
        guard let path else { return [:] }
        var out: [String: Int] = [:]
        try CSVRows.forEach(path) { row in
            guard let pc = row["postcode"], let d = row["imd_decile"].flatMap({ Int($0) }) else { return }
            out[pc.uppercased()] = d
        }
        if out.isEmpty { throw WorkspaceError.badInput("\(path) has no postcode,imd_decile rows") }
        return out
    }

    /// The first and last event dates of the records.
    public static func period(_ records: [LinkedRecord]) -> (CivilDate, CivilDate)? {
        var lo: CivilDate?, hi: CivilDate?
        for r in records {
            guard let d = r.record.event?.date else { continue }
            if lo == nil || d < lo! { lo = d }
            if hi == nil || d > hi! { hi = d }
        }
        guard let lo, let hi else { return nil }
        return (lo, hi)
    }
}

/// Simple comma-separated files with a header and no quoted commas (the truth and lookup files Upstream writes).
public enum CSVRows {
    /// Calls `body` with each row after the header, keyed by the header's names (fields trimmed of spaces; a short
    /// row lacks the missing keys). Streams the file through UpstreamModel's `CSVTokenizer` (RFC 4180 quoting), 1 MiB
    /// at a time.
    public static func forEach(_ path: String, _ body: ([String: String]) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw WorkspaceError.badInput("cannot read \(path)") }
        defer { try? handle.close() }
        var tokenizer = CSVTokenizer()
        var header: [String]?
        func take(_ row: CSVTokenizer.Row) throws {
            let f = (0..<row.count).map { row.string($0).trimmingCharacters(in: .whitespaces) }
            guard let h = header else { header = f; return }
            var d: [String: String] = [:]
            for (k, v) in zip(h, f) where d[k] == nil { d[k] = v }
            try body(d)
        }
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { try tokenizer.feed(chunk, take) }
        } catch let e as WorkspaceError { throw e } catch let e as CocoaError { throw WorkspaceError.badInput("cannot read \(path): \(e.localizedDescription)") }
        try tokenizer.finish(take)
    }

    public static func all(_ path: String) throws -> [[String: String]] {
        var rows: [[String: String]] = []
        try forEach(path) { rows.append($0) }
        return rows
    }
}
