import Foundation
import Testing
import UpstreamChronology
import UpstreamGovernance
import UpstreamIngest
import UpstreamLinkage
import UpstreamModel
import UpstreamRiskFeatures
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamSynth
import UpstreamWorkspace

/// A 1,200-person synthetic city ingested into a SQLite store of its own and linked once through ``LinkUseCase``,
/// shared by the suite (its keys live beside it).
enum LinkedCity {
    struct Built: @unchecked Sendable {
        var dir: String
        var workspace: Workspace
        var summary: LinkSummary
        var personLevelRecords: Int
    }

    static let built: Result<Built, Failure> = {
        do { return .success(try build()) } catch { return .failure(Failure(description: "\(error)")) }
    }()

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func build() throws -> Built {
        let dir = NSTemporaryDirectory() + "upstream-workspace-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = SynthConfig.defaults
        config.people = 1200
        config.seed = 4
        _ = try CityGenerator(config: config).generate(to: dir + "/city", overwrite: true)
        let specsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("specs").path
        let specs = try SpecLoader.loadDirectory(specsFolder)
        let workspace = Workspace(location: dir + "/city.db", user: .selfAsserted("tester", role: nil), clock: { 1_764_000_000 },
                                  parallelism: .serial)
        let store = try workspace.governance().store
        let ingestor = Ingestor(store: store, loadedAt: 1_764_000_000)
        for s in ExtractSchema.all { _ = try ingestor.ingest(path: "\(dir)/city/\(s.name).csv", spec: specs[s.name]!) }
        var personLevel = 0
        try store.forEachRecord(source: nil, personLevelOnly: true) { _ in personLevel += 1 }
        var request = LinkRequest()
        request.store = workspace.location
        guard case .linked(let summary, _) = try LinkUseCase(request: request, workspace: workspace).run() else {
            throw Failure(description: "link did not link")
        }
        return Built(dir: dir, workspace: workspace, summary: summary, personLevelRecords: personLevel)
    }
}

@Suite("UpstreamWorkspace use cases on a small linked city", .serialized)
struct WorkspaceUseCaseTests {
    func city() throws -> LinkedCity.Built { try LinkedCity.built.get() }

    @Test("link keeps every person-level record, saves the run in the store and audits it; the trail verifies")
    func linkSavesRunAndAudits() throws {
        let c = try city()
        #expect(c.summary.records == c.personLevelRecords)
        #expect(c.summary.persons > 0 && c.summary.persons < c.summary.records)
        let runs = try LinkRunStore.open(c.workspace.location)
        #expect(try runs.model() != nil)
        // Every record has exactly one person, and the persons counted are the distinct ones assigned.
        let persons = try runs.persons()
        #expect(persons.count == c.personLevelRecords)
        #expect(Set(persons.values).count == c.summary.persons)
        let actions = try c.workspace.auditEntries().map(\.event.action)
        #expect(actions.contains("link"))
        let v = try c.workspace.verifyAudit()
        #expect(v.intact, "\(v.problems)")
        #expect(v.entries == actions.count)
    }

    @Test("the store's person stream gives the same persons and records as loading them whole (risk train/score input)")
    func personStreamMatchesLoadedRecords() throws {
        let c = try city()
        let store = try c.workspace.store()
        let loaded = try LinkedRecords.load(store: store, personsFile: .store(store), persons: nil, slim: true)
        var whole: [(String, [String])] = []
        let wholeStream = StreamingCohortBuilder.stream(loaded)
        try wholeStream { person, records in
            whole.append((person, records.map { $0.record.source + "/" + $0.record.recordID }))
        }
        var streamed: [(String, [String])] = []
        var identifiersDropped = true
        let storeStream = LinkedRecords.personStream(store: store)
        try storeStream { person, records in
            streamed.append((person, records.map { $0.record.source + "/" + $0.record.recordID }))
            if records.contains(where: { $0.record.identity.nhsNumber != nil || $0.record.identity.forename != nil }) { identifiersDropped = false }
        }
        #expect(streamed.count == whole.count)
        #expect(streamed.map(\.0) == whole.map(\.0))
        #expect(streamed.map(\.1) == whole.map(\.1))
        #expect(identifiersDropped)
    }

    @Test("a person is found by pseudonym and the view is audited before it is returned; an unknown one is a usage error")
    func personAccessIsAudited() throws {
        let c = try city()
        let store = try c.workspace.store()
        let person = try #require(try store.person(pseudonym: try c.workspace.pseudonyms().pseudonym(
            try LinkRunStore.open(c.workspace.location).persons().values.sorted().first!.rawValue)))
        let before = try c.workspace.auditEntries().count
        let analyst = c.workspace.acting(as: .selfAsserted("tester", role: .analyst))
        let chronology = try PersonAccess(workspace: analyst).chronology(of: person.pseudonym, identify: false)
        #expect(chronology.pseudonym == person.pseudonym)
        let entries = try c.workspace.auditEntries()
        #expect(entries.count == before + 1)
        #expect(entries.last?.event.action == "view-pseudonymised")
        #expect(entries.last?.event.subject == person.pseudonym)
        #expect(entries.last?.event.detail == "provenance withheld")
        #expect(throws: WorkspaceError.usage("no linked person YP-NOBODY in the store's current linkage run")) {
            try PersonAccess(workspace: analyst).chronology(of: "YP-NOBODY", identify: false)
        }
        #expect(try c.workspace.auditEntries().count == before + 1, "a failed look-up writes nothing")
    }
}

@Suite("UpstreamWorkspace: CSV inputs, CSV linkage kept in a store, and the audit of a missing store")
struct WorkspaceFilesTests {
    let dir = NSTemporaryDirectory() + "upstream-workspace-files-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    @Test("reading a CSV for linkage quarantines what cannot be linked and counts rows read = loaded + quarantined")
    func readCSVQuarantines() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/school.csv"
        try """
            id,forename,surname,dob
            1,Ann,Lee,01/02/2010
            2,Bob,Ray
            ,Cat,Day,03/04/2011
            1,Ann,Lee,01/02/2010
            3,Dee,Fox,not a date

            """.write(toFile: path, atomically: true, encoding: .utf8)
        var config = LinkConfig()
        config.defaultSource = LinkConfig.SourceMapping(name: nil, agency: "education", idColumn: "id", delimiter: nil, dobFormat: "DD/MM/YYYY",
                                                        columns: ["forename": ["forename"], "surname": ["surname"], "dob": ["dob"]], localIDScope: nil)
        let (inputs, report) = try LinkFiles.readCSV(path: path, config: config)
        #expect(report.rowsRead == 5)
        #expect(report.loaded == 2)
        #expect(report.quarantined == ["column_count": 1, "missing_record_id": 1, "duplicate_record_id": 1])
        #expect(report.lines["column_count"] == [3])
        #expect(report.unreadableDates == 1)
        #expect(inputs.map(\.recordID) == ["1", "3"])
        #expect(inputs[0].dateOfBirth == CivilDate.parse("2010-02-01", layout: .iso))
        #expect(inputs[1].dateOfBirth == nil)
        #expect(inputs.allSatisfy { $0.source == "school" && $0.agency == "education" })
    }

    @Test("a CSV's roles fill a record's fields: a forename field before forenames before a full name's, several fields joined, blanks trimmed")
    func readCSVRoles() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/care.csv"
        try """
            ref,name,given,first,family,line1,line2,town,birth,gender
            1,"LEE, Ann Marie",,,, 4 High St ,Flat 2,Leeds,2010-02-01,F
            2,Bob Ray,Robert,,,,, Hull\u{A0},2011-03-04,male
            3,Cat Day,Cathy,Cat,Smith,9 Low Rd,,,,x
            4,,,,,,,,,

            """.write(toFile: path, atomically: true, encoding: .utf8)
        var config = LinkConfig()
        config.settings.columns.append(ColumnSpec("town", .text))
        config.defaultSource = LinkConfig.SourceMapping(
            name: nil, agency: "social_care", idColumn: "ref", delimiter: nil, dobFormat: "YYYY-MM-DD",
            columns: ["full_name": ["name"], "forenames": ["given"], "forename": ["first"], "surname": ["family"], "address": ["line1", "line2"],
                      "town": ["town"], "dob": ["birth"], "sex": ["gender"]], localIDScope: "care")
        let (inputs, report) = try LinkFiles.readCSV(path: path, config: config)
        #expect(report.loaded == 4 && report.quarantinedTotal == 0)
        #expect(inputs.map(\.forename) == ["Ann Marie", "Robert", "Cat", nil])
        #expect(inputs.map(\.surname) == ["LEE", "Ray", "Smith", nil])
        #expect(inputs.map(\.address) == ["4 High St, Flat 2", nil, "9 Low Rd", nil])
        #expect(inputs.map { $0.fields["town"] } == ["Leeds", "Hull", nil, nil])
        #expect(inputs.map(\.sex) == [.female, .male, nil, nil])
        #expect(inputs.map(\.dateOfBirth) == [CivilDate(year: 2010, month: 2, day: 1), CivilDate(year: 2011, month: 3, day: 4), nil, nil])
        #expect(inputs.allSatisfy { $0.localIDScope == "care" && $0.agency == "social_care" && $0.source == "care" })
        // The raw batches the linker reads hold the same records.
        var raw: [LinkInput] = []
        _ = try LinkFiles.readRawCSV(path: path, config: config, batchSize: 3) { raw += $0.linkInputs() }
        #expect(raw == inputs)
    }

    @Test("an exported person file is the same written in pieces on workers as on one: sorted by key, fields quoted as the writer quotes them")
    func exportInPieces() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // More keys than one piece takes (50,000), in no order, some needing quotes.
        let n = 120_017
        var keys: [RecordKey] = [], persons: [PersonID] = [], probabilities: [Double?] = []
        for i in 0..<n {
            let j = (i &* 7919) % n
            let id = j % 1000 == 0 ? "r\(j), \"x\"" : j % 777 == 0 ? " r\(j)" : "r\(j)"
            keys.append(RecordKey(source: j % 3 == 0 ? "care" : "police", recordID: id))
            persons.append(PersonID("P\(j / 2)"))
            probabilities.append(j % 5 == 0 ? nil : Double(j % 97) / 97)
        }
        let threads = Parallelism(workers: 2) { n, body in DispatchQueue.concurrentPerform(iterations: n, execute: body) }
        for probs in [nil, probabilities] {
            try LinkFiles.writeAssignments(dir + "/one.csv", keys: keys, persons: persons, probabilities: probs)
            try LinkFiles.writeAssignments(dir + "/pieces.csv", keys: keys, persons: persons, probabilities: probs, parallel: threads)
            let one = try String(contentsOfFile: dir + "/one.csv", encoding: .utf8), pieces = try String(contentsOfFile: dir + "/pieces.csv", encoding: .utf8)
            #expect(one == pieces)
            // What it holds: the header, then every key once in key order with its person, quoted by CSVWriter.
            let order = keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }
            var expected = probs == nil ? "source,record_id,person_id\n" : "source,record_id,person_id,match_probability\n"
            for i in order {
                var fields = [keys[i].source, keys[i].recordID, persons[i].rawValue]
                if let probs { fields.append(probs[i].map { LinkFiles.fmt($0, 6) } ?? "") }
                expected += CSVWriter.line(fields) + "\n"
            }
            #expect(pieces == expected)
            // The same records given in key order (checked, not sorted) write the same file.
            try LinkFiles.writeAssignments(dir + "/ordered.csv", keys: order.map { keys[$0] }, persons: order.map { persons[$0] },
                                           probabilities: probs.map { p in order.map { p[$0] } }, parallel: threads)
            #expect(try String(contentsOfFile: dir + "/ordered.csv", encoding: .utf8) == expected)
        }
    }

    @Test("the lookup and truth files are read with the model's one CSV reader: quoted commas, trimmed fields, short rows")
    func csvRowsUseTheTokenizer() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/postcodes.csv"
        try "postcode, imd_decile ,note\nAB1 2CD, 3 ,\"a, b\"\n\nEF3 4GH,7\n".write(toFile: path, atomically: true, encoding: .utf8)
        let rows = try CSVRows.all(path)
        #expect(rows == [["postcode": "AB1 2CD", "imd_decile": "3", "note": "a, b"], ["postcode": "EF3 4GH", "imd_decile": "7"]])
        #expect(try RiskInputs.deprivation(path) == ["AB1 2CD": 3, "EF3 4GH": 7])
        #expect(throws: WorkspaceError.badInput("cannot read \(dir)/none.csv: check the path")) { try CSVRows.all(dir + "/none.csv") }
        try "a,b\n1,\"open\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: WorkspaceError.badInput("\(path) line 2: a quoted field never closes; fix or re-export the file")) { try CSVRows.all(path) }
    }

    @Test("verifying the audit of a store that is not there is a finding, not an error, and creates nothing")
    func verifyMissingStore() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = Workspace(location: dir + "/none.db", user: .selfAsserted("auditor", role: .auditor))
        let v = try w.verifyAudit()
        #expect(!v.intact)
        #expect(v.problems.first?.contains("there is no store") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/none.db"))
        #expect(throws: WorkspaceError.usage("no store at \(dir)/none.db")) { try w.auditEntries() }
    }

    @Test("CSV files linked into a store: the run, persons and review queue are in the store, nothing beside it; a second run keeps every person id; decisions go through the store's queue")
    func csvLinkageKeptInTheStore() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = """
            record_id,forename,surname,dob,sex,postcode
            1,Anna,Berg,2001-02-03,F,UC1 1AA
            2,Anna,Berg,2001-02-03,F,UC1 1AA
            3,Ben,Cole,2002-03-04,M,UC1 1AB
            3,Ben,Cole,2002-03-04,M,UC1 1AB
            4,Cara,Dunn,2003-04-05,F,UC1 1AD
            5,Dev,Ede,2004-05-06,M,UC1 1AE

            """
        try csv.write(toFile: dir + "/people.csv", atomically: true, encoding: .utf8)
        let configPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/linkage-synthetic-city.json").path
        let w = Workspace(location: dir + "/linked.db", user: .selfAsserted("tester", role: nil), clock: { 1_764_000_000 }, parallelism: .serial)
        var request = LinkRequest()
        (request.store, request.inputs, request.config) = (w.location, [dir + "/people.csv"], try LinkConfig.load(configPath))
        guard case .linked(let first, _) = try LinkUseCase(request: request, workspace: w).run() else { Issue.record("no run"); return }
        // Six rows read, one quarantined as a repeated id: five records, each with one person in the store.
        #expect(first.inputs?.first?.rowsRead == 6 && first.inputs?.first?.loaded == 5)
        #expect(first.records == 5)
        let runs = try LinkRunStore.open(w.location)
        #expect(try runs.model() != nil)
        let persons = try runs.persons()
        #expect(Set(persons.keys) == Set(["1", "2", "3", "4", "5"].map { RecordKey(source: "people", recordID: $0) }))
        #expect(Set(persons.values).count == first.persons)
        #expect(try w.auditEntries().map(\.event.action).contains("link"))
        // Nothing but the store (and its own SQLite and key files) is written: no persons CSV, no state folder.
        let written = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(!written.contains { $0.hasSuffix(".csv") && $0 != "people.csv" }, "\(written)")
        #expect(!written.contains { $0 == "state" || $0.hasSuffix(".linkage") }, "\(written)")
        // A second run into the same store keeps every person id.
        guard case .linked = try LinkUseCase(request: request, workspace: w).run() else { Issue.record("no second run"); return }
        #expect(try LinkRunStore.open(w.location).persons() == persons)
        // Decisions on the store's queue: accept and reject by pair id, an unknown id is a usage error.
        let a = RecordKey(source: "people", recordID: "1"), b = RecordKey(source: "people", recordID: "4"), c = RecordKey(source: "people", recordID: "5")
        let items = [ReviewItem(left: a, right: b, weight: 1, probability: 0.7, linkedNow: false),
                     ReviewItem(left: a, right: c, weight: 0.5, probability: 0.6, linkedNow: false)]
        try runs.store.saveReviewItems(try items.enumerated().map { n, item in
            StoredReviewItem(queue: .linkagePairs, subject: item.id, pending: true, updatedAt: 1,
                             stateJSON: try JSONEncoder().encode(LinkagePairQueue.Pair(item: item, order: n)))
        })
        let queue = try LinkReview(store: w.location)
        let ids = items.map(\.id)
        let (done, after) = try queue.decide(accept: [ids[0]], reject: [ids[1]], user: .selfAsserted("r", role: .supervisor), reason: "checked by hand", at: 100)
        #expect(done == ["accept \(ids[0])", "reject \(ids[1])"])
        #expect(after.pending.filter { ids.contains($0.id) }.isEmpty)
        #expect(Set(after.latestDecisions.map(\.verdict)) == [.accept, .reject])
        #expect(throws: WorkspaceError.usage("no pair nope in the review queue; list it with upstream review")) {
            try queue.decide(accept: ["nope"], reject: [], user: .selfAsserted("r", role: .supervisor), reason: "checked by hand", at: 101)
        }
    }
}

@Suite("UpstreamWorkspace: the risk flags' review queue is the governance state machine, the web app's shape")
struct RiskFlagQueueTests {
    let dir = NSTemporaryDirectory() + "upstream-flags-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    func workspace(role: Role?) throws -> Workspace {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return Workspace(location: dir + "/s.db", user: .selfAsserted("pat", role: role), clock: { 1_700_000_000 })
    }

    @Test("scoring queues each flagged young person once; a decision goes through the state machine, audited first")
    func enqueueAndDecide() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try workspace(role: .practitioner)
        let store = try w.governance().store as! any WorkspaceStore
        let queue = RiskFlagQueue(store: store)
        #expect(try queue.enqueue(["YP-A", "YP-B"], at: 10) == 2)
        #expect(try queue.enqueue(["YP-B", "YP-C"], at: 11) == 1, "YP-B is already queued")
        #expect(try queue.entries().filter(\.pending).map(\.pseudonym).sorted() == ["YP-A", "YP-B", "YP-C"])
        // The stored shape is the web app's: the state machine itself.
        let stored = try #require(try store.reviewItem(.riskFlags, subject: "YP-A"))
        #expect(try JSONDecoder().decode(RiskFlagReview.self, from: stored.stateJSON).state == .pending)

        let before = try w.auditEntries().count
        let (entry, pending) = try RiskUseCases(workspace: w).decide("yp-a", decision: .offerSupport, reason: "family consents")
        #expect(entry.state == "decided (offer-support)" && entry.decision == "offer-support")
        #expect(entry.history.map(\.by.name) == ["pat"] && entry.history.first?.reason == "family consents")
        #expect(pending == 2)
        let audit = try w.auditEntries()
        #expect(audit.count == before + 1)
        #expect(audit.last?.event.action == "risk-review-offer-support" && audit.last?.event.subject == "YP-A")
        #expect(audit.last?.event.actor.name == "pat")
        #expect(try JSONDecoder().decode(RiskFlagReview.self, from: try #require(try store.reviewItem(.riskFlags, subject: "YP-A")).stateJSON)
                    .state == .decided(.offerSupport))
        // Decided once: deciding again is refused, and so is an unknown pseudonym; an analyst may not decide.
        #expect(throws: WorkspaceError.badInput("no pending flag for YP-A in the review queue of \(w.location)")) {
            try RiskUseCases(workspace: w).decide("YP-A", decision: .noFurtherAction, reason: "changed my mind")
        }
        #expect(throws: WorkspaceError.badInput("no pending flag for YP-Z in the review queue of \(w.location)")) {
            try RiskUseCases(workspace: w).decide("YP-Z", decision: .noFurtherAction, reason: "none")
        }
        let analyst = w.acting(as: .selfAsserted("ann", role: .analyst))
        #expect(throws: WorkspaceError.self) { try RiskUseCases(workspace: analyst).decide("YP-B", decision: .offerSupport, reason: "why not") }
        #expect(try w.auditEntries().count == before + 1, "refusals write nothing")
    }

    @Test("an item in an earlier command line's shape (a list of flags) is refused, not guessed at: the v7-review-queue migration converts such rows (ReviewQueueMigrationTests)")
    func earlierShapeIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try workspace(role: .practitioner)
        let store = try w.governance().store as! any WorkspaceStore
        let earlier = #"[{"pseudonym":"YP-E","decision":null},{"pseudonym":"YP-E","decision":"already-supported","decisionReason":"known to YOT","decidedBy":"bo"}]"#
        try store.saveReviewItems([StoredReviewItem(queue: .riskFlags, subject: "YP-E", pending: false, updatedAt: 5, stateJSON: Data(earlier.utf8))])
        #expect(throws: WorkspaceError.badInput("the review queue's item for YP-E cannot be read; restore the store from backup")) {
            try RiskFlagQueue(store: store).item("YP-E")
        }
    }
}

