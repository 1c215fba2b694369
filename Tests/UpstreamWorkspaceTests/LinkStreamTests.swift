import Foundation
import Testing
import UpstreamIngest
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamSynth
@testable import UpstreamWorkspace

/// A full link of a store's own records streams them (read on a thread of their own, standardised batch by batch,
/// never all held): the records come in the store's order, and the persons are exactly those of linking the same
/// records read first and held.
@Suite("Link streams a store's records", .serialized)
struct LinkStreamTests {
    static func makeStore(_ dir: String, people: Int) throws -> Workspace {
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = SynthConfig.defaults
        config.people = people
        config.seed = 11
        _ = try CityGenerator(config: config).generate(to: dir + "/city", overwrite: true)
        let specsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("specs").path
        let specs = try SpecLoader.loadDirectory(specsFolder)
        let workspace = Workspace(location: dir + "/city.db", user: .selfAsserted("tester", role: nil), clock: { 1_764_000_000 },
                                  parallelism: Workspace.parallelism(workers: 2))
        let store = try workspace.governance().store
        let ingestor = Ingestor(store: store, loadedAt: 1_764_000_000)
        for s in ExtractSchema.all { _ = try ingestor.ingest(path: "\(dir)/city/\(s.name).csv", spec: specs[s.name]!) }
        return workspace
    }

    @Test("batches come in the store's order, each at most the batch size, however few may wait")
    func streamKeepsOrder() throws {
        let dir = NSTemporaryDirectory() + "upstream-linkstream-order-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let workspace = try Self.makeStore(dir, people: 150)
        var request = LinkRequest()
        request.store = workspace.location
        let (held, _) = try LinkUseCase.loadInputs(request)
        #expect(held.count > 100)
        for (size, ahead) in [(7, 1), (1_000_000, 4), (64, 2)] {
            var streamed: [LinkInput] = []
            var largest = 0
            try LinkedRecords.streamLinkInputs(store: try StoreFactory.open(workspace.location), batchSize: size, ahead: ahead) { b in
                largest = max(largest, b.count)
                streamed.append(contentsOf: b)
            }
            #expect(streamed == held)
            #expect(largest <= size)
        }
    }

    @Test("the save's key order: by source then record id in UTF-8 bytes, a repeated key's first record first, on any parallelism")
    func saveKeyOrder() {
        let keys = [("b", "2"), ("a", "10"), ("b", "1"), ("a", "9"), ("a", "10"), ("Z", "1"), ("a", "é"), ("a", "e\u{301}"), ("b", "2")]
            .map { RecordKey(source: $0.0, recordID: $0.1) }
        let serial = LinkRunStore.keyOrder(keys, parallel: .serial)
        let two = LinkRunStore.keyOrder(keys, parallel: Workspace.parallelism(workers: 2))
        #expect(serial == two)
        // Worked by hand: "Z" < "a" < "b" (bytes); "10" < "9"; "e" + combining accent (0x65…) < "é" (0xC3…).
        #expect(serial == [5, 1, 4, 3, 7, 6, 2, 0, 8])
        // Repeated keys (1 and 4; 0 and 8) sit side by side, the first record first, as the save keeps it.
        #expect(RecordKey.sameBytes(keys[1], keys[4]) && !RecordKey.sameBytes(keys[6], keys[7]))
    }

    @Test("the key order by sixteen-byte prefixes is the order of comparing whole keys, for ids that tie on their prefixes, hold NUL bytes or are empty, in sources that come back")
    func keyOrderMatchesWholeKeyComparison() {
        var x: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: Int) -> Int { x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return Int(x >> 33) % n }
        let sources = ["police_crime_people", "b", "a", "csc_contacts", "ab"]
        let stems = ["", "A", "AB", "AB\u{0}", "CT204393", "CT2043939332", "CT20439393320000X", "CT20439393320000", "é", "e\u{301}"]
        for size in [0, 1, 50, 70_000] {
            var keys: [RecordKey] = []
            var s = next(sources.count)
            while keys.count < size {
                if next(50) == 0 { s = next(sources.count) }  // runs of one source, some sources coming back later
                let stem: String = stems[next(stems.count)]
                let tail: String = next(3) == 0 ? "" : String(next(size + 1))
                keys.append(RecordKey(source: sources[s], recordID: stem + tail))
            }
            func precedes(_ a: Int32, _ b: Int32) -> Bool {
                let x = keys[Int(a)], y = keys[Int(b)]
                if RecordKey.bytesPrecede(x, y) { return true }
                return RecordKey.sameBytes(x, y) && a < b
            }
            let reference = (0..<Int32(keys.count)).sorted(by: precedes)
            #expect(LinkRunStore.keyOrder(keys, parallel: .serial) == reference)
            #expect(LinkRunStore.keyOrder(keys, parallel: Workspace.parallelism(workers: 2)) == reference)
            // Each source's two halves sorted at once and merged (at the default, only sources of 65,536 records or more).
            #expect(LinkRunStore.keyOrder(keys, parallel: Workspace.parallelism(workers: 2), halvesFrom: 2) == reference)
        }
    }

    @Test("a streamed store link makes the persons of the held run, and reports CPU seconds per stage")
    func streamedLinkMatchesHeldRun() throws {
        let dir = NSTemporaryDirectory() + "upstream-linkstream-link-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let workspace = try Self.makeStore(dir, people: 400)
        var request = LinkRequest()
        request.store = workspace.location
        request.exportClusters = dir + "/streamed.csv"
        guard case .linked(let summary, let model) = try LinkUseCase(request: request, workspace: workspace).run() else {
            Issue.record("link did not link"); return
        }
        let (inputs, _) = try LinkUseCase.loadInputs(request)
        let held = Linker(settings: LinkageSettings(), parallel: .serial).link(inputs)
        #expect(summary.records == inputs.count)
        #expect(summary.persons == Set(held.personIDs).count)
        #expect(summary.candidatePairs == held.candidatePairs)
        #expect(model == held.model)
        let runStore = try LinkRunStore.open(workspace.location)
        let persons = try runStore.persons()
        for (i, input) in inputs.enumerated() { #expect(persons[input.key] == held.personIDs[i]) }
        // A relink's earlier persons, per record from the key-order merge: those of the dictionary, a record the
        // store never linked (nil) and a repeated key (both records) included.
        let keys = Array(inputs.map(\.key).reversed()) + [RecordKey(source: "police_custody", recordID: "never-linked"), inputs[3].key]
        let earlier = try runStore.earlierPersons(for: keys, parallel: Workspace.parallelism(workers: 2))
        #expect(earlier.ofRecord == keys.map { persons[$0] })
        #expect(earlier.all == Set(persons.values))
        // Relinking through them keeps every person id.
        guard case .linked(let again, _) = try LinkUseCase(request: request, workspace: workspace).run() else { Issue.record("no relink"); return }
        #expect(again.persons == summary.persons)
        #expect(try runStore.persons() == persons)
        // Every stage has its CPU seconds; the read (overlapped with standardising) among them.
        let cpu = summary.timings.cpu ?? [:]
        for stage in ["read", "standardise", "compare", "score", "cluster", "save"] { #expect(cpu[stage] != nil, "no CPU seconds for \(stage)") }
    }

    /// The city's person-level extracts and the repository's config for them.
    static func cityFiles(_ dir: String) throws -> (paths: [String], config: LinkConfig) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try LinkConfig.load(root.appendingPathComponent("config/linkage-synthetic-city.json").path)
        return (ExtractSchema.all.filter(\.personLevel).map { "\(dir)/city/\($0.name).csv" }, config)
    }

    @Test("a full link of files streams them: the records of the held read in its order, and the persons of the held run")
    func streamedFilesMatchHeldRun() throws {
        let dir = NSTemporaryDirectory() + "upstream-linkstream-files-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let workspace = try Self.makeStore(dir, people: 300)
        let (paths, config) = try Self.cityFiles(dir)
        var request = LinkRequest()
        request.inputs = paths
        request.config = config
        request.exportClusters = dir + "/streamed.csv"
        let (held, heldReports) = try LinkUseCase.loadInputs(request)
        #expect(held.count > 100)
        for size in [7, 1_000_000, 64] {
            var streamed: [LinkInput] = []
            var largest = 0
            let reports = try LinkUseCase.streamFiles(paths, config: config, messages: .silent, batchSize: size) { b in
                largest = max(largest, b.count)
                #expect(b.count > 0)
                streamed.append(contentsOf: b.linkInputs())
            }
            #expect(streamed == held)
            #expect(largest <= size)
            #expect(reports.map(\.loaded) == heldReports.map(\.loaded))
            #expect(reports.map(\.rowsRead) == heldReports.map(\.rowsRead))
        }
        let leftBefore = LinkUseCase.leftForExit.count
        guard case .linked(let summary, let model) = try LinkUseCase(request: request, workspace: workspace).run() else {
            Issue.record("link did not link"); return
        }
        // Only a run for a process that ends after it leaves its arrays to the exit; it links the same.
        #expect(LinkUseCase.leftForExit.count == leftBefore)
        var ending = request
        ending.endsProcess = true; ending.exportClusters = nil
        guard case .linked(let endingSummary, _) = try LinkUseCase(request: ending, workspace: workspace).run() else {
            Issue.record("link did not link"); return
        }
        #expect(LinkUseCase.leftForExit.count == leftBefore + 1)
        LinkUseCase.leftForExit.removeAll()
        #expect(endingSummary.persons == summary.persons && endingSummary.candidatePairs == summary.candidatePairs)
        let heldRun = Linker(settings: config.settings, parallel: .serial).link(held)
        #expect(summary.records == held.count)
        #expect(summary.persons == Set(heldRun.personIDs).count)
        #expect(summary.candidatePairs == heldRun.candidatePairs)
        #expect(model == heldRun.model)
        let exported = try LinkFiles.readAssignments(dir + "/streamed.csv")
        for (i, input) in held.enumerated() { #expect(exported[input.key] == heldRun.personIDs[i].rawValue) }
        #expect(summary.inputs?.map(\.loaded) == heldReports.map(\.loaded))
        let cpu = summary.timings.cpu ?? [:]
        for stage in ["read", "standardise", "compare", "score", "cluster"] { #expect(cpu[stage] != nil, "no CPU seconds for \(stage)") }
    }

    @Test("streamed files keep the held read's refusals: a repeated source name, the link type against the files, no records")
    func streamedFilesRefuse() throws {
        let dir = NSTemporaryDirectory() + "upstream-linkstream-refuse-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/other", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let header = "id,forename,surname,dob\n"
        try (header + "1,Ann,Lee,2010-02-01\n2,Bob,Ray,2011-03-04\n").write(toFile: dir + "/a.csv", atomically: true, encoding: .utf8)
        try (header + "1,Ann,Lee,2010-02-01\n").write(toFile: dir + "/other/a.csv", atomically: true, encoding: .utf8)
        try (header + "9,Cat,Day,2012-05-06\n").write(toFile: dir + "/b.csv", atomically: true, encoding: .utf8)
        try header.write(toFile: dir + "/empty.csv", atomically: true, encoding: .utf8)
        var config = LinkConfig()
        config.defaultSource = LinkConfig.SourceMapping(name: nil, agency: "x", idColumn: "id", delimiter: nil, dobFormat: "YYYY-MM-DD",
                                                        columns: ["forename": ["forename"], "surname": ["surname"], "dob": ["dob"]], localIDScope: nil)
        let workspace = Workspace(location: dir + "/none.db", user: .selfAsserted("tester", role: nil), clock: { 1_764_000_000 })
        func run(_ files: [String], _ type: LinkType) throws {
            var c = config
            c.settings.linkType = type
            var request = LinkRequest()
            request.inputs = files.map { dir + "/" + $0 }
            request.config = c
            _ = try LinkUseCase(request: request, workspace: workspace).run()
        }
        #expect(throws: WorkspaceError.usage("two inputs share the source name 'a' (\(dir)/other/a.csv); record ids are only unique within a source, so rename one file")) {
            try run(["a.csv", "other/a.csv"], .linkAndDedupe)
        }
        #expect(throws: WorkspaceError.usage("link_type dedupe_only links one file, and 2 were given; use link_and_dedupe (duplicates within and across files) or link_only (across files only)")) {
            try run(["a.csv", "b.csv"], .dedupeOnly)
        }
        #expect(throws: WorkspaceError.usage("link_type link_only compares records across files; give two or more --input files, or use dedupe_only")) {
            try run(["a.csv", "empty.csv"], .linkOnly)
        }
        #expect(throws: WorkspaceError.usage("no person-level records to link")) { try run(["empty.csv"], .dedupeOnly) }
    }

    @Test("earlier persons from a store that does not scan in key order (in memory: by person) are found by binary search")
    func earlierPersonsOutOfKeyOrder() throws {
        let store = InMemoryStore()
        let k = ["b/2", "a/10", "b/1", "a/9", "c/1"].map { s -> RecordKey in
            let p = s.split(separator: "/"); return RecordKey(source: String(p[0]), recordID: String(p[1]))
        }
        // Persons chosen so the person order is not the key order.
        let assigned = [(k[0], "P1"), (k[1], "P3"), (k[2], "P2"), (k[3], "P1"), (k[4], "P0")]
        _ = try store.saveLinkageRun(LinkageRunInfo(finishedAt: 1, by: "t", records: 5, persons: 4, modelJSON: Data(), detailJSON: Data()),
                                     assignments: assigned.map { PersonAssignment(record: $0.0, person: PersonID($0.1), probability: nil) },
                                     pseudonym: { "Y" + $0.rawValue })
        let runStore = LinkRunStore(store: store, location: "memory")
        let keys = [k[3], RecordKey(source: "a", recordID: "1"), k[0], k[4], k[1], k[2], k[0]]
        let earlier = try runStore.earlierPersons(for: keys)
        #expect(earlier.ofRecord == ["P1", nil, "P1", "P0", "P3", "P2", "P1"].map { $0.map(PersonID.init) })
        #expect(earlier.all == Set(["P0", "P1", "P2", "P3"].map(PersonID.init)))
    }
}
