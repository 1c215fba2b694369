import Foundation
import UpstreamChronology
import UpstreamLinkage
import UpstreamModel
import UpstreamRiskFeatures
import UpstreamStore

/// Where a command reads linked persons: the store's current linkage run (the default), or a
/// `source,record_id,person_id[,match_probability]` CSV an analyst brings with `--persons FILE`.
public enum PersonSource {
    case store(any WorkspaceStore)
    case file(String)

    /// The store's persons, or `file` when one is given.
    public static func of(_ store: any WorkspaceStore, file: String?) -> PersonSource { file.map(PersonSource.file) ?? .store(store) }

    /// Calls `body` with every assignment (`source/record_id`, person id, probability).
    /// - Throws: a message saying to run `upstream link` when the store holds no linkage run.
    public func forEachAssignment(_ body: (_ key: String, _ person: String, _ probability: Double?) throws -> Void) throws {
        switch self {
        case .file(let path): try LinkedRecords.forEachAssignment(path, body)
        case .store(let store):
            guard try store.currentLinkageRun() != nil else {
                throw WorkspaceError.badInput("the store holds no linked persons: link it first (upstream link --store STORE)")
            }
            try store.forEachAssignment { a in try body(a.record.source + "/" + a.record.recordID, a.person.rawValue, a.probability) }
        }
    }

    /// Where the persons come from, for messages.
    public var name: String {
        switch self {
        case .file(let path): path
        case .store: "the store's current linkage run"
        }
    }
}

/// Reads linked persons: the linkage's assignments joined to the store's records.
public enum LinkedRecords {
    /// Streams `source,record_id,person_id[,match_probability]` rows of a persons file.
    public static func forEachAssignment(_ path: String, _ body: (_ key: String, _ person: String, _ probability: Double?) throws -> Void) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw WorkspaceError.badInput("cannot read \(path): link the store first (upstream link --store STORE), or pass --persons FILE")
        }
        var header = true
        try CSVRows.forEachRow(path) { f in
            if header { header = false; return }
            guard f.count >= 3 else { return }
            try body(f[0] + "/" + f[1], f[2].trimmingCharacters(in: .whitespacesAndNewlines), f.count > 3 ? Double(f[3]) : nil)
        }
    }

    /// The extra columns the risk model's features read (school census sessions and free school meals).
    public static let featureExtras: Set<String> = ["SessionsPossible", "SessionsAuthorisedAbsence", "SessionsUnauthorisedAbsence", "FSM"]

    /// Every person-level record of the store that the persons file assigns to one of `persons` (all when `nil`).
    /// - Parameter slim: keep only what the risk model's features read (a city of a million people has nine
    ///   million records): identifiers that linkage has already used, provenance file hashes and other extra
    ///   columns are dropped as each record is read.
    public static func load(store: any RecordStore, personsFile: PersonSource, persons: Set<String>?, slim: Bool = false) throws -> [LinkedRecord] {
        var owner: [String: (String, Double?)] = [:]
        try personsFile.forEachAssignment { key, person, p in
            if persons == nil || persons!.contains(person) { owner[key] = (person, p) }
        }
        var out: [LinkedRecord] = []
        // Repeated longer texts (source and file names, coded details) share one copy in slim mode.
        var pool: [String: String] = [:]
        func intern(_ s: String) -> String {
            if s.utf8.count <= 15 { return s }  // stored inline in the String itself
            if let shared = pool[s] { return shared }
            pool[s] = s
            return s
        }
        try store.forEachRecord(source: nil, personLevelOnly: true) { r in
            if let (person, p) = owner[r.record.source + "/" + r.record.recordID] {
                guard slim else { out.append(LinkedRecord(personID: person, record: r.record, matchProbability: p, extras: r.extras)); return }
                out.append(slimmed(r, person: person, probability: p, intern: intern))
            }
        }
        return out
    }

    /// A stored record as the risk model's features read it: identifiers that linkage has already used, provenance
    /// file hashes and other extra columns dropped; repeated longer texts shared through `intern`.
    public static func slimmed(_ r: StoredRecord, person: String, probability: Double?, intern: (String) -> String) -> LinkedRecord {
        var record = r.record
        record.identity.forename = nil; record.identity.middleNames = nil; record.identity.nhsNumber = nil
        record.identity.upn = nil; record.identity.pncID = nil; record.identity.localID = nil
        record.provenance.fileSHA256 = ""
        record.source = intern(record.source)
        record.provenance.source = record.source
        record.provenance.fileName = intern(record.provenance.fileName)
        if let d = record.event?.detail { record.event!.detail = intern(d) }
        return LinkedRecord(personID: person, record: record, matchProbability: probability,
                            extras: r.extras.isEmpty ? [:] : r.extras.filter { featureExtras.contains($0.key) })
    }

    /// The store's linked persons one at a time, straight from ``PersonStore/forEachPerson(_:)`` (person-level
    /// records, slimmed as ``load(store:personsFile:persons:slim:)`` does): the stream the streaming cohort builder
    /// replays, so a command holds one person's records and the builder's bounded chunks, never the whole city.
    /// The assignments' probabilities are not carried (the features do not read them).
    public static func personStream(store: any WorkspaceStore) -> PersonStream {
        return { body in
            var pool: [String: String] = [:]
            func intern(_ s: String) -> String {
                if s.utf8.count <= 15 { return s }
                if let shared = pool[s] { return shared }
                pool[s] = s
                return s
            }
            try store.forEachPerson { person, records in
                let id = person.rawValue
                try body(id, records.filter(\.personLevel).map { slimmed($0, person: id, probability: nil, intern: intern) })
            }
        }
    }

    /// Reads every person-level record of the store as linkage input, `batchSize` at a time and in the store's order,
    /// on a thread of its own, and calls `body` with each batch on the calling thread as it comes: reading and
    /// decoding (one thread) overlaps what `body` does (standardising, on the workers), and at most `ahead` batches
    /// wait in between, so the records are never all held (issue 17).
    /// - Throws: what the store's read threw.
    public static func streamLinkInputs(store: any RecordStore, batchSize: Int = batchSize, ahead: Int = 4, _ body: ([LinkInput]) -> Void) throws {
        let reader = UnsafeSendable(store)
        try streamBatches(batchSize: batchSize, ahead: ahead, read: { give in
            try reader.value.forEachLinkageRecord { give(LinkInput($0)) }
        }, body)
    }

    /// Records read and standardised at a time by the link's streams (bounds the records held in flight).
    public static let batchSize = 16_384

    /// Runs `read` on a thread of its own and calls `body` on the calling thread with the records it gives,
    /// `batchSize` at a time, in order; at most `ahead` batches wait in between (``readAhead(ahead:produce:_:)``).
    /// - Throws: what `read` threw, once the batches it gave before throwing have been handed to `body`.
    static func streamBatches(batchSize: Int = batchSize, ahead: Int = 4, read: @escaping (_ give: (LinkInput) -> Void) throws -> Void,
                              _ body: ([LinkInput]) -> Void) throws {
        try readAhead(ahead: ahead, produce: { put in
            var batch: [LinkInput] = []
            batch.reserveCapacity(batchSize)
            try read { input in
                batch.append(input)
                if batch.count == batchSize { put(batch); batch = []; batch.reserveCapacity(batchSize) }
            }
            if !batch.isEmpty { put(batch) }
        }, body)
    }

    /// The batches ``readAhead(ahead:produce:_:)``'s reader thread has put and its caller not yet taken.
    private final class Handoff<Batch>: @unchecked Sendable {
        let condition = NSCondition()
        var batches: [Batch] = []
        var done = false
        var failure: (any Error)?
    }

    /// Runs `produce` on a thread of its own and calls `body` on the calling thread with each batch it puts, in
    /// order, as they come: at most `ahead` batches wait in between, so a reader can run ahead of what `body` does
    /// (standardising, on the workers) without the whole input being held.
    /// - Throws: what `produce` threw, once the batches it put before throwing have been handed to `body`.
    static func readAhead<Batch>(ahead: Int = 4, produce: @escaping (_ put: (Batch) -> Void) throws -> Void,
                                 _ body: (Batch) -> Void) throws {
        let handoff = Handoff<Batch>()
        let producer = UnsafeSendable(produce)
        let thread = Thread {
            do {
                try producer.value { b in
                    handoff.condition.lock()
                    while handoff.batches.count >= ahead { handoff.condition.wait() }
                    handoff.batches.append(b)
                    handoff.condition.broadcast()
                    handoff.condition.unlock()
                }
            } catch {
                handoff.condition.lock(); handoff.failure = error; handoff.condition.unlock()
            }
            handoff.condition.lock(); handoff.done = true; handoff.condition.broadcast(); handoff.condition.unlock()
        }
        thread.stackSize = 8 << 20
        thread.start()
        while true {
            handoff.condition.lock()
            while handoff.batches.isEmpty && !handoff.done { handoff.condition.wait() }
            if handoff.batches.isEmpty {
                let failure = handoff.failure
                handoff.condition.unlock()
                if let failure { throw failure }
                return
            }
            let b = handoff.batches.removeFirst()
            handoff.condition.broadcast()
            handoff.condition.unlock()
            body(b)
        }
    }

    /// Every person-level record of the store as linkage input, with the day it was entered (`Event.knownFrom`).
    public static func linkInputs(store: any RecordStore) throws -> [(input: LinkInput, knownFrom: CivilDate?)] {
        var out: [(input: LinkInput, knownFrom: CivilDate?)] = []
        try store.forEachRecord(source: nil, personLevelOnly: true) { out.append((LinkInput($0.record), $0.record.event?.knownFrom)) }
        return out
    }

    /// Persons as a service could have linked them on `date`: only the records entered before it, linked with the
    /// store's trained linkage model (one call to the linkage API, no retraining). "source/recordID" → person id.
    public static func personsAsOf(_ date: CivilDate, inputs: [(input: LinkInput, knownFrom: CivilDate?)], model: LinkageModel,
                                   parallelism: Parallelism = Workspace.defaultParallelism) -> [String: String] {
        let known = inputs.filter { ($0.knownFrom ?? date) < date }.map(\.input)
        let result = Linker(settings: model.settings, parallel: parallelism).link(known, model: model)
        var out: [String: String] = [:]
        for (k, p) in zip(result.data.keys, result.personIDs) { out[k.source + "/" + k.recordID] = p.rawValue }
        return out
    }

    /// The person id for a pseudonym or id given on the command line: an index look-up in the store.
    public static func resolve(_ given: String, personsFile: PersonSource, pseudonyms: Pseudonyms) throws -> String? {
        if case .store(let store) = personsFile {
            if let p = try store.person(pseudonym: given.uppercased()) { return p.person.rawValue }
            return try store.personSummary(PersonID(given))?.person.rawValue
        }
        guard case .file(let path) = personsFile else { return nil }
        var found: String?
        var last = ""
        try forEachAssignment(path) { _, person, _ in
            guard found == nil, person != last else { return }
            last = person
            if person == given || pseudonyms.pseudonym(person) == given.uppercased() { found = person }
        }
        return found
    }

    /// The young person's records and those of everyone who may share their household: people recorded at
    /// the same postcodes or the same incidents. Streams the store twice and the persons file three times,
    /// so memory stays proportional to one household, not the city.
    public static func neighbourhood(of person: String, store: any RecordStore, personsFile: PersonSource) throws -> [LinkedRecord] {
        var ownKeys: Set<String> = []
        if case .store(let s) = personsFile {
            for r in try s.records(of: PersonID(person)) { ownKeys.insert(r.record.source + "/" + r.record.recordID) }
        } else {
            try personsFile.forEachAssignment { key, p, _ in if p == person { ownKeys.insert(key) } }
        }
        var postcodes: Set<String> = [], incidents: Set<String> = []
        try store.forEachRecord(source: nil, personLevelOnly: true) { r in
            guard ownKeys.contains(r.record.source + "/" + r.record.recordID) else { return }
            if let pc = r.record.identity.postcode, !pc.isEmpty { postcodes.insert(pc.uppercased()) }
            if let e = r.record.event, e.kind == .incident, let ref = e.reference { incidents.insert(ref) }
        }
        var candidateKeys: Set<String> = []
        try store.forEachRecord(source: nil, personLevelOnly: true) { r in
            let pc = r.record.identity.postcode?.uppercased() ?? ""
            let ref = r.record.event?.kind == .incident ? r.record.event?.reference ?? "" : ""
            if postcodes.contains(pc) || incidents.contains(ref) { candidateKeys.insert(r.record.source + "/" + r.record.recordID) }
        }
        var people: Set<String> = [person]
        try personsFile.forEachAssignment { key, p, _ in if candidateKeys.contains(key) { people.insert(p) } }
        return try load(store: store, personsFile: personsFile, persons: people)
    }
}
