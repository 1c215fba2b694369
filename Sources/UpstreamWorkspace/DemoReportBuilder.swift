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

/// Builds the demo's report from what each stage printed (as JSON) and the store: records per source, data quality,
/// linkage quality against the city's truth, chronology pages of the chosen cases and the risk model's page. Every
/// chronology opened for it is written to the audit trail as the workspace's user.
public struct DemoReportBuilder {
    public var workspace: Workspace
    /// People in the city, its seed, and how many cases to show.
    public var people: Int, seed: UInt64, cases: Int

    public init(workspace: Workspace, people: Int, seed: UInt64, cases: Int) {
        self.workspace = workspace; self.people = people; self.seed = seed; self.cases = cases
    }

    /// 20000 -> "20,000".
    public static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return out
    }

    public func build(ingest: [String: Any], link: [String: Any], quarantine: [String: Any], city: String,
                     dir: String, riskNote: String?) throws -> DemoReport {
        // Records per source and data quality.
        var sources: [DemoReport.SourceRow] = []
        var quality: [DemoReport.QuarantineRow] = []
        let agencyOf = Dictionary(uniqueKeysWithValues: ExtractSchema.all.map { ($0.name, $0.agency) })
        for f in ingest["files"] as? [[String: Any]] ?? [] {
            guard let source = f["source"] as? String, let c = f["counts"] as? [String: Any] else { continue }
            sources.append(.init(source: source, agency: agencyOf[source] ?? .police, rowsRead: c["rowsRead"] as? Int ?? 0,
                                 loaded: c["loaded"] as? Int ?? 0, quarantined: c["quarantined"] as? Int ?? 0))
            if let n = c["dateOfBirthPlaceholder"] as? Int, n > 0 {
                quality.append(.init(source: source, reason: "loaded, placeholder date of birth treated as missing", field: "date of birth", count: n))
            }
            if let n = c["nhsNumberInvalid"] as? Int, n > 0 {
                quality.append(.init(source: source, reason: "loaded, NHS number fails its check digit (not trusted)", field: "NHS number", count: n))
            }
        }
        for g in quarantine["groups"] as? [[String: Any]] ?? [] {
            quality.append(.init(source: g["source"] as? String ?? "?", reason: "quarantined: " + (g["reason"] as? String ?? "?"),
                                 field: g["field"] as? String, count: g["count"] as? Int ?? 0))
        }
        // Linkage quality.
        var linkage: DemoReport.LinkageQuality?
        let l = link["link"] as? [String: Any] ?? link
        if let e = l["evaluation"] as? [String: Any], let pw = e["pairwise"] as? [String: Any] {
            let sweep = (l["sweep"] as? [[String: Any]] ?? e["sweep"] as? [[String: Any]] ?? []).map {
                DemoReport.SweepPoint(threshold: $0["threshold"] as? Double ?? 0, precision: $0["precision"] as? Double ?? 0,
                                      recall: $0["recall"] as? Double ?? 0, f1: $0["f1"] as? Double ?? 0)
            }
            linkage = .init(precision: pw["precision"] as? Double ?? 0, recall: pw["recall"] as? Double ?? 0, f1: pw["f1"] as? Double ?? 0,
                            threshold: l["threshold"] as? Double ?? 0, sweep: sweep, persons: e["predictedPersons"] as? Int ?? 0,
                            truePersons: e["truePersons"] as? Int ?? 0)
        }
        // The cases: true persons with the most ACEs who went on to serious violence, found among the linked persons.
        let outcomes = try CSVRows.all(city + "/truth/outcomes.csv")
        let svPeople = outcomes.filter { !($0["first_serious_violence_offender"] ?? "").isEmpty && !($0["ace_count"] ?? "").isEmpty }
            .sorted { (Int($0["ace_count"]!)!, $1["person_id"]!) > (Int($1["ace_count"]!)!, $0["person_id"]!) }
            .prefix(cases)
        let wanted = Set(svPeople.map { $0["person_id"]! })
        var truthKeys: [String: [String]] = [:]
        for r in try CSVRows.all(city + "/truth/records.csv") where wanted.contains(r["person_id"]!) {
            truthKeys[r["person_id"]!, default: []].append(r["source"]! + "/" + r["record_id"]!)
        }
        let store = workspace.location
        let db = try SQLiteStore(path: store)
        let personsFile = PersonSource.store(db)
        var linkedOf: [String: String] = [:]
        try personsFile.forEachAssignment { key, person, _ in linkedOf[key] = person }
        let all = try LinkedRecords.load(store: db, personsFile: personsFile, persons: nil)
        let builder = ChronologyBuilder(records: all)
        let pseudonyms = try Pseudonyms.forStore(store)
        try FileManager.default.createDirectory(atPath: dir + "/chronology", withIntermediateDirectories: true)
        var list: [DemoReport.Case] = []
        let now = ISO8601DateFormatter().string(from: Date())
        for truthPerson in svPeople.map({ $0["person_id"]! }) {
            // The linked person holding most of this young person's records.
            var votes: [String: Int] = [:]
            for k in truthKeys[truthPerson] ?? [] { if let p = linkedOf[k] { votes[p, default: 0] += 1 } }
            guard let linked = votes.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key,
                  let c = builder.chronology(for: linked, pseudonym: pseudonyms.pseudonym(linked)) else { continue }
            try workspace.audit("view-pseudonymised", subject: c.pseudonym, reason: "demo report")
            let href = "chronology/\(c.pseudonym).html"
            try SecureFile.write(path: dir + "/" + href, text: ChronologyPage.html(c, generatedAt: now))
            list.append(.init(pseudonym: c.pseudonym, href: href, sex: c.sex, birthYear: c.dateOfBirth?.year, recordedACEs: c.aces.count,
                              firstSeriousViolence: c.firstSeriousViolence?.date, ageAtFirstSeriousViolence: c.firstSeriousViolence?.age,
                              earliestContact: c.earliestContact?.date, ageAtEarliestContact: c.earliestContact?.age,
                              earliestAgency: c.earliestContact?.agency))
        }
        let risk = riskNote == nil ? try riskSummary(store: store, dir: dir, records: all, builder: builder, pseudonyms: pseudonyms, now: now) : nil
        return DemoReport(
            title: "Upstream: a synthetic city of \(Self.grouped(people)) people", generatedAt: now, people: people, seed: seed,
            sources: sources, quarantine: quality, linkage: linkage, cases: list, risk: risk, riskNote: riskNote,
            notes: [
                "Young people are shown by pseudonym; every chronology opened for this report is recorded in the audit log.",
                "Cases are chosen using the synthetic city's ground truth (most ACEs, then serious violence), to show what joined-up records reveal; in real use there is no truth, and the risk model's flags (above) are where a practitioner would start.",
            ])
    }

    /// The risk model's page (`risk.html`, flagged young people linked to chronology pages written beside the
    /// cases') and its summary for the index.
    func riskSummary(store: String, dir: String, records: [LinkedRecord], builder: ChronologyBuilder, pseudonyms: Pseudonyms,
                     now: String) throws -> DemoReport.RiskSummary {
        let model = try RiskRunStore.open(store).model()
        let report = model.report
        var personOf: [String: String] = [:]
        for id in Set(records.map(\.personID)) { personOf[pseudonyms.pseudonym(id)] = id }
        var links: [String: String] = [:]
        for p in report.flagged {
            guard let id = personOf[p.key], let c = builder.chronology(for: id, pseudonym: p.key) else { continue }
            let href = "chronology/\(p.key).html"
            if !FileManager.default.fileExists(atPath: dir + "/" + href) {
                try workspace.audit("view-pseudonymised", subject: p.key, reason: "demo report: flagged by model \(model.id)")
                try SecureFile.write(path: dir + "/" + href, text: ChronologyPage.html(c, generatedAt: now))
            }
            links[p.key] = href
        }
        try SecureFile.write(path: dir + "/risk.html", text: RiskReportPage.html(report, links: links))
        return DemoReport.RiskSummary(
            href: "risk.html", modelID: model.id, asOf: model.config.testDates.last?.iso ?? "", capacityPerHundredThousand: model.config.capacityPerHundredThousand,
            models: report.models.map { m in
                .init(name: m.name, rocAUC: m.rocAUC, prAUC: m.prAUC, precision: m.capacity?.precision, recall: m.capacity?.recall,
                      flagged: m.capacity?.flagged ?? 0, found: m.capacity?.confusion.truePositives ?? 0,
                      foundInterval: m.intervals?.truePositives, rocAUCInterval: m.intervals?.rocAUC)
            },
            flagged: report.flagged.map { .init(rank: $0.rank, pseudonym: $0.key, href: links[$0.key], age: $0.age, score: $0.score, reasons: $0.reasons.map(\.text)) },
            fairnessFlags: report.fairness?.flags ?? [],
            leadTimeMedianMonths: report.leadTime?.medianMonths, leadTimeCapMonths: report.leadTime?.capMonths,
            rows: report.models.first?.rows ?? 0, dates: model.config.testDates.count,
            flaggedBeforeOutcome: report.leadTime?.flaggedBefore ?? 0, outcomes: report.leadTime?.outcomes ?? 0)
    }
}

/// The demo's pipeline: each stage runs as its own `upstream` command (through `stage`, which returns what the command
/// printed as JSON), so its figures match what that command prints; then the report is built and written to `out`
/// (through a partial folder renamed at the end, so a failed run leaves no half report).
public struct DemoPipeline {
    public var people: Int, seed: UInt64, cases: Int, capacity: Double
    public var messages: Messages

    public init(people: Int, seed: UInt64, cases: Int, capacity: Double, messages: Messages) {
        self.people = people; self.seed = seed; self.cases = cases; self.capacity = capacity; self.messages = messages
    }

    /// Runs every stage and writes `out/index.html` and `out/report.json`; returns the report.
    /// - Parameter stage: runs `upstream ARGS` (announcing the title) and returns its JSON output; throws when it fails.
    public func run(out: String, stage: (_ title: String, _ args: [String]) throws -> [String: Any]) throws -> DemoReport {
        let fm = FileManager.default
        let tmp = out + ".partial-\(getpid())"
        try? fm.removeItem(atPath: tmp)
        try fm.createDirectory(atPath: tmp + "/data", withIntermediateDirectories: true)
        let city = tmp + "/data/city", store = tmp + "/data/upstream.db"
        _ = try stage("generating a synthetic city of \(people) people", ["synth", "--people", String(people), "--seed", String(seed), "--out", city, "--json"])
        let ingest = try stage("ingesting every extract", ["ingest", "--synth", city, "--store", store, "--json"])
        let link = try stage("linking records into persons", ["link", "--store", store, "--evaluate", city + "/truth/records.csv", "--json"])
        let quarantine = try stage("summarising quarantine", ["quarantine", "--store", store, "--json"])
        var riskNote: String?
        do {
            _ = try stage("training, testing and auditing the risk model",
                          ["risk", "train", "--store", store, "--postcodes", city + "/reference/postcodes.csv",
                           "--truth", city + "/truth/records.csv", "--capacity", String(capacity), "--json"])
        } catch {
            riskNote = "No risk model: training did not succeed on this city (see the message above; a city of \(DemoReportBuilder.grouped(people)) people "
                + "may have too few young people who went on to serious violence). Try --people 100000."
            messages.note("demo: \(riskNote!)\n")
        }

        // The strategic assessment of the city's last three years of recorded crime, beside the index.
        var assessment: DemoReport.AssessmentLink?
        do { assessment = DemoReport.AssessmentLink(json: try stage("writing the strategic assessment", ["assess", "--store", store, "--out", tmp, "--json"]),
                                                            hasPDF: fm.fileExists(atPath: tmp + "/assessment.pdf")) }
        catch { messages.note("demo: no strategic assessment: \(error)\n") }

        messages.note("demo: building chronologies…\n")
        let workspace = Workspace(location: store, user: .selfAsserted("upstream demo", role: nil), messages: messages)
        var report = try DemoReportBuilder(workspace: workspace, people: people, seed: seed, cases: cases)
            .build(ingest: ingest, link: link, quarantine: quarantine, city: city, dir: tmp, riskNote: riskNote)
        report.assessment = assessment
        // The budgeted plan of offers as of the risk model's scoring date, with its business case beside the index.
        if let asOf = report.risk?.asOf {
            do {
                _ = try stage("planning offers within £2m", ["plan", "--store", store, "--as-of", asOf, "--budget", "2m", "--out", tmp + "/plan",
                                                              "--user", "demo", "--json"])
                report.plan = DemoReport.PlanLink(plan: try JSONFiles.read(Plan.self, from: tmp + "/plan/plan.json"), href: "plan/business-case.html")
            } catch { messages.note("demo: no intervention plan: \(error)\n") }
        }
        try SecureFile.write(path: tmp + "/index.html", text: IndexPage.html(report))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try SecureFile.write(path: tmp + "/report.json", data: try encoder.encode(report))
        if fm.fileExists(atPath: out) { try fm.removeItem(atPath: out) }
        try fm.moveItem(atPath: tmp, toPath: out)
        return report
    }
}
