import ArgumentParser
import Foundation
import UpstreamChronology
import UpstreamInterventions
import UpstreamModel
import UpstreamReports
import UpstreamRisk
import UpstreamRiskFeatures
import UpstreamStoreSQLite
import UpstreamSynth

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
            guard p.terminationStatus == 0 else { throw CLIError("demo: `upstream \(args.joined(separator: " "))` failed (exit \(p.terminationStatus))") }
            guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw CLIError("demo: `upstream \(args.first ?? "")` printed no JSON")
            }
            return obj
        }

        func run() throws {
            let started = Date()
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
                riskNote = "No risk model: training did not succeed on this city (see the message above; a city of \(Self.grouped(people)) people "
                    + "may have too few young people who went on to serious violence). Try --people 100000."
                Terminal.error("demo: \(riskNote!)\n")
            }

            // The strategic assessment of the city's last three years of recorded crime, beside the index.
            var assessment: DemoReport.AssessmentLink?
            do { assessment = DemoReport.AssessmentLink(json: try stage("writing the strategic assessment", ["assess", "--store", store, "--out", tmp, "--json"]),
                                                                hasPDF: fm.fileExists(atPath: tmp + "/assessment.pdf")) }
            catch { Terminal.error("demo: no strategic assessment: \(error)\n") }

            Terminal.error("demo: building chronologies…\n")
            var report = try buildReport(ingest: ingest, link: link, quarantine: quarantine, city: city, store: store, dir: tmp,
                                         riskNote: riskNote)
            report.assessment = assessment
            // The budgeted plan of offers as of the risk model's scoring date, with its business case beside the index.
            if let asOf = report.risk?.asOf {
                do {
                    _ = try stage("planning offers within £2m", ["plan", "--store", store, "--as-of", asOf, "--budget", "2m", "--out", tmp + "/plan",
                                                                  "--user", "demo", "--json"])
                    report.plan = DemoReport.PlanLink(plan: try JSONFiles.read(Plan.self, from: tmp + "/plan/plan.json"), href: "plan/business-case.html")
                } catch { Terminal.error("demo: no intervention plan: \(error)\n") }
            }
            try IndexPage.html(report).write(toFile: tmp + "/index.html", atomically: true, encoding: .utf8)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: tmp + "/report.json"))
            if fm.fileExists(atPath: out) { try fm.removeItem(atPath: out) }
            try fm.moveItem(atPath: tmp, toPath: out)
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

        func buildReport(ingest: [String: Any], link: [String: Any], quarantine: [String: Any], city: String, store: String,
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
                try AuditLog.forStore(store).append(user: "upstream demo", action: "view-pseudonymised", person: c.pseudonym,
                                                    reason: "demo report", at: Int64(Date().timeIntervalSince1970))
                let href = "chronology/\(c.pseudonym).html"
                try ChronologyPage.html(c, generatedAt: now).write(toFile: dir + "/" + href, atomically: true, encoding: .utf8)
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
                    try AuditLog.forStore(store).append(user: "upstream demo", action: "view-pseudonymised", person: p.key,
                                                        reason: "demo report: flagged by model \(model.id)", at: Int64(Date().timeIntervalSince1970))
                    try ChronologyPage.html(c, generatedAt: now).write(toFile: dir + "/" + href, atomically: true, encoding: .utf8)
                }
                links[p.key] = href
            }
            try RiskReportPage.html(report, links: links).write(toFile: dir + "/risk.html", atomically: true, encoding: .utf8)
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

        /// 20000 -> "20,000".
        static func grouped(_ n: Int) -> String {
            let digits = Array(String(n))
            var out = ""
            for (i, d) in digits.enumerated() {
                if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
                out.append(d)
            }
            return out
        }
    }
}
