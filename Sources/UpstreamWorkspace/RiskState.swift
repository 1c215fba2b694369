import Foundation
import UpstreamChronology
import UpstreamGovernance
import UpstreamIngest
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

/// Comma-separated files read from disk with UpstreamModel's one `CSVReader` (RFC 4180 quoting, 1 MiB at a time):
/// the truth and lookup files Upstream writes, and persons exports.
public enum CSVRows {
    /// Calls `body` with every record of the file (the header included), as its fields. A record whose quote never
    /// closes is refused with its line.
    /// - Throws: ``WorkspaceError/badInput(_:)`` when the file cannot be read or a quote never closes.
    public static func forEachRow(_ path: String, _ body: ([String]) throws -> Void) throws {
        let stream: FileByteStream
        do { stream = try FileByteStream(path: path) } catch { throw WorkspaceError.badInput("cannot read \(path): check the path") }
        var reader = CSVReader(stream)
        do {
            while try reader.next() {
                if reader.problem == .unbalancedQuote {
                    throw WorkspaceError.badInput("\(path) line \(reader.line): a quoted field never closes; fix or re-export the file")
                }
                try body(reader.fields)
            }
        } catch let e as IngestError { throw WorkspaceError.badInput("cannot read \(path): \(e)") }
    }

    /// Calls `body` with each row after the header, keyed by the header's names (fields trimmed of spaces; a short
    /// row lacks the missing keys).
    public static func forEach(_ path: String, _ body: ([String: String]) throws -> Void) throws {
        var header: [String]?
        try forEachRow(path) { row in
            let f = row.map { $0.trimmingCharacters(in: .whitespaces) }
            guard let h = header else { header = f; return }
            try body(CSV.keyed(h, f))
        }
    }

    public static func all(_ path: String) throws -> [[String: String]] {
        var rows: [[String: String]] = []
        try forEach(path) { rows.append($0) }
        return rows
    }
}
