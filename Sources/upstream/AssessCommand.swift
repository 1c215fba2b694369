import ArgumentParser
import Foundation
import UpstreamAssessment
import UpstreamChronology
import UpstreamModel
import UpstreamReports
import UpstreamStore
import UpstreamStoreSQLite

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

        @Option(help: "The store (SQLite file) whose recorded crime is assessed.") var store: String?
        @Option(name: .customLong("police-uk"), parsing: .upToNextOption, help: "police.uk CSV files, as downloaded.") var policeUK: [String] = []
        @Option(help: "First month assessed (YYYY-MM). Default: police.uk, the first month in the files; store, 35 months before --to.") var from: String?
        @Option(help: "Last month assessed (YYYY-MM). Default: the last month with a recorded crime.") var to: String?
        @Option(help: "Folder to write the report to.") var out: String
        @Option(help: "Linked persons from a CSV (source,record_id,person_id) instead of the store's, which are used when it has been linked.") var persons: String?
        @Option(help: "Priority weights: harm=0.4,likelihood=0.35,vulnerability=0.25[,position=3].") var weights: String?
        @Option(help: "Hotspot distance band in metres (default: 1.5 × the median nearest-neighbour distance).") var distance: Double?
        @Flag(help: "Fail unless the PDF can be printed (Chromium on PATH).") var pdf = false
        @Flag(help: "Do not print the PDF.") var noPdf = false
        @Option(help: "Who is running the assessment (recorded in the audit log for store input).") var user: String = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
        @Flag(help: "Print every figure as JSON.") var json = false

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
            let w = try weights.map(PriorityWeights.parse) ?? PriorityWeights()
            let generated = ISO8601DateFormatter().string(from: Date())
            let started = Date()
            let assessment: Assessment
            var policeSummary: PoliceUKSummary?
            do {
                if store != nil {
                    assessment = Assessment.build(try storeInput(), weights: w, generated: generated, distance: distance)
                } else {
                    let (summary, input) = try AssessInputs.policeUK(policeUK, from: from.flatMap(YearMonth.init), to: to.flatMap(YearMonth.init))
                    policeSummary = summary
                    assessment = Assessment.build(input, weights: w, generated: generated, distance: distance)
                }
            } catch let error as AssessmentError { throw CLIError(error.description) }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let html = out + "/assessment.html"
            try Data(AssessmentPage.html(assessment).utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
            let report = AssessOutput(summary: policeSummary, assessment: assessment)
            let data = try AssessOutput.json(report)
            try data.write(to: URL(fileURLWithPath: out + "/assessment.json"), options: .atomic)
            if let s = policeSummary { try AssessOutput.json(s).write(to: URL(fileURLWithPath: out + "/police-uk.json"), options: .atomic) }
            try Data(GeoJSON.areas(assessment.place.areas, hotspots: assessment.place.hotspots).utf8)
                .write(to: URL(fileURLWithPath: out + "/areas.geojson"), options: .atomic)
            var pdfNote = "no PDF (--no-pdf)"
            if !noPdf {
                if let chromium = AssessInputs.chromium {
                    try AssessInputs.printPDF(chromium: chromium, html: html, pdf: out + "/assessment.pdf")
                    pdfNote = out + "/assessment.pdf"
                } else if pdf {
                    throw CLIError("--pdf needs Chromium: install the Debian package chromium, or leave out --pdf")
                } else {
                    pdfNote = "no PDF: Chromium is not on PATH (install the Debian package chromium)"
                }
            }
            if json {
                print(String(decoding: data, as: UTF8.self))
            } else {
                let seconds = Date().timeIntervalSince(started)
                print("assess: \(assessment.from) to \(assessment.to), \(assessment.baseCount) crimes in \(assessment.baseLabel), in \(String(format: "%.1f", seconds)) s")
                if let s = policeSummary {
                    print("  rows read \(s.rows), used \(s.rowsUsed), without location \(s.rowsWithoutLocation)")
                    for u in s.unusable { print("  unusable: \(u.label): \(u.count)") }
                }
                for p in assessment.priorities.prefix(5) { print("  priority \(p.rank): \(p.threat) (\(String(format: "%.2f", p.priorityScore)))") }
                print("  \(html)\n  \(out)/assessment.json\n  \(out)/areas.geojson\n  \(pdfNote)")
            }
        }

        /// Reads the store's recorded crime, the people recorded with it and, when the store is linked, the linked
        /// persons' records for the Craig pattern.
        func storeInput() throws -> AssessmentInput {
            guard let store, FileManager.default.fileExists(atPath: store) else {
                throw CLIError("no store at \(store ?? ""): load extracts first with upstream ingest")
            }
            let db = try StoreFactory.openExisting(store)
            let personsFile = PersonSource.of(db, file: persons)
            if let persons, !FileManager.default.fileExists(atPath: persons) { throw CLIError("cannot read \(persons): give a persons CSV, or leave --persons out to use the store's") }
            let linked = try persons != nil || db.currentLinkageRun() != nil
            var owner: [String: String] = [:]
            if linked { try personsFile.forEachAssignment { key, person, _ in owner[key] = person } }
            var builder = StoreAssessmentBuilder(from: from.flatMap(YearMonth.init), to: to.flatMap(YearMonth.init))
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
            guard let (f, t) = builder.period else { throw CLIError("the store has no recorded crimes: load police_crimes with upstream ingest") }
            var craig: CraigPattern?
            if linked {
                let records = try LinkedRecords.load(store: db, personsFile: personsFile, persons: nil, slim: true)
                craig = CraigPattern.of(AssessInputs.craigCases(records, from: f, to: t))
                try AuditLog.forStore(store).append(
                    user: user, action: "assess", person: "\(craig!.offenders) young people aggregated (Craig pattern)",
                    reason: "strategic assessment \(f)…\(t)", at: Int64(Date().timeIntervalSince1970))
            }
            return try builder.input(craig: craig, linked: linked)
        }
    }
}

/// The JSON `upstream assess` writes: for police.uk input the file figures (rows, rows_without_location, counts,
/// top_areas, …) at the top level with the assessment beside them; for the store, the assessment's figures.
struct AssessOutput: Encodable {
    var summary: PoliceUKSummary?
    var assessment: Assessment

    enum Keys: String, CodingKey { case assessment }

    func encode(to encoder: any Encoder) throws {
        if let summary {
            try summary.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(assessment, forKey: .assessment)
        } else {
            try assessment.encode(to: encoder)
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(value)
    }
}

/// The assessment's adapters: streaming police.uk files from disk, the Craig pattern's cases from linked records, and
/// printing the PDF with headless Chromium.
enum AssessInputs {
    /// Streams every file through the police.uk reader, 1 MiB at a time.
    static func policeUK(_ files: [String], from: YearMonth?, to: YearMonth?) throws -> (PoliceUKSummary, AssessmentInput) {
        var tally = PoliceUKTally()
        for file in files {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                throw CLIError("cannot read \(file): check the path (police.uk files are CSV, e.g. 2024-01-west-midlands-street.csv)")
            }
            defer { try? handle.close() }
            var reader = PoliceUKReader(file: (file as NSString).lastPathComponent)
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try reader.feed(chunk, into: &tally)
            }
            try reader.finish(into: &tally)
        }
        let summary = tally.summary()
        if summary.rowsUsed == 0 {
            throw CLIError("no usable street-level crime rows in \(files.joined(separator: ", ")): pass the street files (…-street.csv) as published")
        }
        return (summary, try tally.assessmentInput(from: from, to: to))
    }

    /// One case per linked young person whose first serious violence (as suspect or offender) fell in the period at
    /// ages 10 to 24: what agencies had recorded about them before it.
    static func craigCases(_ records: [LinkedRecord], from: YearMonth, to: YearMonth) -> [CraigCase] {
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
    static let chromium: String? = {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for d in dirs where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        }
        return nil
    }()

    /// Prints `html` to `pdf` with headless Chromium (A4 landscape, from the page's own print style).
    static func printPDF(chromium: String, html: String, pdf: String) throws {
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
            if Date() > deadline { p.terminate(); throw CLIError("Chromium did not print the PDF within 120 s: rerun with --no-pdf") }
            Thread.sleep(forTimeInterval: 0.1)
        }
        guard FileManager.default.fileExists(atPath: pdf) else {
            throw CLIError("Chromium printed no PDF (exit status \(p.terminationStatus)): rerun with --no-pdf and print assessment.html by hand")
        }
    }
}
