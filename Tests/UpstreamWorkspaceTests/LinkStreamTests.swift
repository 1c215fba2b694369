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
