import Foundation
import UpstreamAssessment
import UpstreamChronology
import UpstreamIngest
import UpstreamGovernance
import UpstreamModel
import UpstreamReports
import UpstreamStore

/// What `upstream assess` is asked for: the store's recorded crime or police.uk files, a period, weights, output.
public struct AssessRequest {
    public var store: String?
    public var policeUK: [String] = []
    public var from: YearMonth?, to: YearMonth?
    public var out: String
    public var persons: String?
    public var weights = PriorityWeights()
    public var distance: Double?
    /// Require the PDF (fail without Chromium), or never print it.
    public var pdf = false, noPdf = false

    public init(out: String) { self.out = out }
}

/// The strategic assessment use case: builds it from the store (audited when linked persons are aggregated) or from
/// police.uk files, and writes the HTML, JSON, GeoJSON and (with Chromium) PDF.
public struct AssessUseCase {
    public var request: AssessRequest
    public var workspace: Workspace?

    public init(request: AssessRequest, workspace: Workspace?) { self.request = request; self.workspace = workspace }

    /// What was written.
    public struct Outcome {
        public var assessment: Assessment
        public var policeSummary: PoliceUKSummary?
        public var html: String
        /// The JSON of every figure, as written to assessment.json.
        public var json: Data
        public var pdfNote: String
        /// The assessment's run in the store (from `--store` only).
        public var run: Int64?
    }

    public func run() throws -> Outcome {
        let out = request.out, w = request.weights
        let generated = ISO8601DateFormatter().string(from: Date())
        let assessment: Assessment
        var policeSummary: PoliceUKSummary?
        do {
            if let workspace {
                assessment = Assessment.build(try storeInput(workspace), weights: w, generated: generated, distance: request.distance)
            } else {
                let (summary, input) = try AssessInputs.policeUK(request.policeUK, from: request.from, to: request.to)
                policeSummary = summary
                assessment = Assessment.build(input, weights: w, generated: generated, distance: request.distance)
            }
        } catch let error as AssessmentError { throw WorkspaceError.badInput(error.description) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let html = out + "/assessment.html"
        try Data(AssessmentPage.html(assessment).utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
        let data = try AssessOutput.json(AssessOutput(summary: policeSummary, assessment: assessment))
        try data.write(to: URL(fileURLWithPath: out + "/assessment.json"), options: .atomic)
        if let s = policeSummary { try AssessOutput.json(s).write(to: URL(fileURLWithPath: out + "/police-uk.json"), options: .atomic) }
        try Data(GeoJSON.areas(assessment.place.areas, hotspots: assessment.place.hotspots).utf8)
            .write(to: URL(fileURLWithPath: out + "/areas.geojson"), options: .atomic)
        // An assessment of the store's crime is kept in the store as well, where the web app reads the latest.
        var run: StoredAssessmentRun?
        if let workspace {
            run = try AssessmentRuns.save(assessment, in: try StoreFactory.openExisting(workspace.location), by: workspace.user.name,
                                          at: Int64(Date().timeIntervalSince1970))
        }
        var pdfNote = "no PDF (--no-pdf)"
        if !request.noPdf {
            if let chromium = AssessInputs.chromium {
                try AssessInputs.printPDF(chromium: chromium, html: html, pdf: out + "/assessment.pdf")
                pdfNote = out + "/assessment.pdf"
            } else if request.pdf {
                throw WorkspaceError.badInput("--pdf needs Chromium: install the Debian package chromium, or leave out --pdf")
            } else {
                pdfNote = "no PDF: Chromium is not on PATH (install the Debian package chromium)"
            }
        }
        return Outcome(assessment: assessment, policeSummary: policeSummary, html: html, json: data, pdfNote: pdfNote, run: run?.id)
    }

    /// Reads the store's recorded crime, the people recorded with it and, when the store is linked, the linked
    /// persons' records for the Craig pattern (that aggregation is audited).
    public func storeInput(_ workspace: Workspace) throws -> AssessmentInput {
        let store = workspace.location
        guard FileManager.default.fileExists(atPath: store) || StoreFactory.isServer(store) else {
            throw WorkspaceError.badInput("no store at \(store): load extracts first with upstream ingest")
        }
        let persons = request.persons
        let db = try StoreFactory.openExisting(store)
        let personsFile = PersonSource.of(db, file: persons)
        if let persons, !FileManager.default.fileExists(atPath: persons) { throw WorkspaceError.badInput("cannot read \(persons): give a persons CSV, or leave --persons out to use the store's") }
        let linked = try persons != nil || db.currentLinkageRun() != nil
        var owner: [String: String] = [:]
        if linked { try personsFile.forEachAssignment { key, person, _ in owner[key] = person } }
        var builder = StoreAssessmentBuilder(from: request.from, to: request.to)
        try db.forEachRecord(source: nil, personLevelOnly: false) { r in
            guard let e = r.record.event, e.kind == .crime else { return }
            if !r.personLevel {
                builder.add(StoreCrime(
                    reference: e.reference ?? r.record.recordID, date: e.date, minuteOfDay: e.minuteOfDay, code: e.offenceCode ?? "",
                    flags: e.flags, area: e.area, easting: r.extras["Easting"].flatMap(Double.init),
                    northing: r.extras["Northing"].flatMap(Double.init)))
            } else if let ref = e.reference, let role = e.role, role == .victim || role == .suspect || role == .offender {
                let id = r.record.identity
                let key = owner[r.record.source + "/" + r.record.recordID]
                    ?? "\(id.surname ?? "")|\(id.forename ?? "")|\(id.dateOfBirth?.iso ?? "")"
                builder.add(party: Involvement(person: key, crime: ref, role: role,
                                               age: id.dateOfBirth.map { $0.age(on: e.date) }, sex: id.sex))
            }
        }
        guard let (f, t) = builder.period else { throw WorkspaceError.badInput("the store has no recorded crimes: load police_crimes with upstream ingest") }
        var craig: CraigPattern?
        if linked {
            let records = try LinkedRecords.load(store: db, personsFile: personsFile, persons: nil, slim: true)
            craig = CraigPattern.of(AssessInputs.craigCases(records, from: f, to: t))
            try workspace.audit("assess", subject: "\(craig!.offenders) young people aggregated (Craig pattern)",
                                reason: "strategic assessment \(f)…\(t)")
        }
        return try builder.input(craig: craig, linked: linked)
    }
}

/// Strategic assessments kept in the store (migration `v7-runs`): period, source and size as columns, the assessment
/// as JSON in the store's one ``ReportRunJSON`` form, so the web app decodes the same `Assessment` type.
public enum AssessmentRuns {
    /// Saves `assessment` as a run of `store` (nil when the store keeps no runs).
    @discardableResult
    public static func save(_ assessment: Assessment, in store: any WorkspaceStore, by user: String, at: Int64) throws -> StoredAssessmentRun? {
        guard let runs = store as? any ReportRunStore else { return nil }
        return try runs.saveRun(StoredAssessmentRun(
            createdAt: at, createdBy: user, periodFrom: assessment.from.description, periodTo: assessment.to.description,
            source: assessment.source, crimes: assessment.baseCount, assessmentJSON: try ReportRunJSON.encoder().encode(assessment)))
    }
}

/// The JSON `upstream assess` writes: for police.uk input the file figures (rows, rows_without_location, counts,
/// top_areas, …) at the top level with the assessment beside them; for the store, the assessment's figures.
public struct AssessOutput: Encodable {
    public var summary: PoliceUKSummary?
    public var assessment: Assessment

    /// The key the assessment sits under beside a police.uk summary.
    public enum Keys: String, CodingKey { case assessment }

    public func encode(to encoder: any Encoder) throws {
        if let summary {
            try summary.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(assessment, forKey: .assessment)
        } else {
            try assessment.encode(to: encoder)
        }
    }

    public static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(value)
    }
}

/// The assessment's adapters: streaming police.uk files from disk, the Craig pattern's cases from linked records, and
/// printing the PDF with headless Chromium.
public enum AssessInputs {
    /// Streams every file through the police.uk reader, 1 MiB at a time.
    public static func policeUK(_ files: [String], from: YearMonth?, to: YearMonth?) throws -> (PoliceUKSummary, AssessmentInput) {
        var tally = PoliceUKTally()
        for file in files {
            guard let stream = try? FileByteStream(path: file) else {
                throw WorkspaceError.badInput("cannot read \(file): check the path (police.uk files are CSV, e.g. 2024-01-west-midlands-street.csv)")
            }
            var reader = PoliceUKReader(file: (file as NSString).lastPathComponent)
            try reader.read(stream, into: &tally)
        }
        let summary = tally.summary()
        if summary.rowsUsed == 0 {
            throw WorkspaceError.badInput("no usable street-level crime rows in \(files.joined(separator: ", ")): pass the street files (…-street.csv) as published")
        }
        return (summary, try tally.assessmentInput(from: from, to: to))
    }

    /// One case per linked young person whose first serious violence (as suspect or offender) fell in the period at
    /// ages 10 to 24: what agencies had recorded about them before it.
    public static func craigCases(_ records: [LinkedRecord], from: YearMonth, to: YearMonth) -> [CraigCase] {
        var candidates = Set<String>()
        for r in records {
            guard let e = r.record.event, e.kind == .crime, e.role == .suspect || e.role == .offender,
                  let code = e.offenceCode, SeriousViolence.isSerious(code: code, flags: e.flags) else { continue }
            let m = YearMonth(year: e.date.year, month: e.date.month)!
            if m >= from && m <= to { candidates.insert(r.personID) }
        }
        let builder = ChronologyBuilder(records: records.filter { candidates.contains($0.personID) })
        var cases: [CraigCase] = []
        for id in candidates.sorted() {
            guard let c = builder.chronology(for: id, pseudonym: ""), let sv = c.firstSeriousViolence else { continue }
            let m = YearMonth(year: sv.date.year, month: sv.date.month)!
            guard m >= from && m <= to, let age = sv.age, (10...24).contains(age) else { continue }
            let before = c.entries.filter { $0.date < sv.date }
            var prior: [Agency: Int] = [:]
            for entry in before { prior[entry.agency, default: 0] += 1 }
            let first = before.min { $0.date < $1.date }
            cases.append(CraigCase(
                aces: Set(c.aces.filter { $0.firstRecorded < sv.date }.map(\.ace)), ageAtViolence: age,
                firstContactAgency: first?.agency, firstContactAge: first?.age,
                yearsBefore: first.map { Double(sv.date.dayNumber - $0.date.dayNumber) / 365.25 }, priorContacts: prior))
        }
        return cases
    }

    /// Headless Chromium on PATH, if any.
    public static let chromium: String? = {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for d in dirs where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        }
        return nil
    }()

    /// Prints `html` to `pdf` with headless Chromium (A4 landscape, from the page's own print style).
    public static func printPDF(chromium: String, html: String, pdf: String) throws {
        let profile = NSTemporaryDirectory() + "upstream-assess-chromium-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile)", "--no-pdf-header-footer", "--print-to-pdf=\(URL(fileURLWithPath: pdf).standardizedFileURL.path)",
            URL(fileURLWithPath: html).standardizedFileURL.absoluteString,
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning {
            if Date() > deadline { p.terminate(); throw WorkspaceError.badInput("Chromium did not print the PDF within 120 s: rerun with --no-pdf") }
            Thread.sleep(forTimeInterval: 0.1)
        }
        guard FileManager.default.fileExists(atPath: pdf) else {
            throw WorkspaceError.badInput("Chromium printed no PDF (exit status \(p.terminationStatus)): rerun with --no-pdf and print assessment.html by hand")
        }
    }
}
