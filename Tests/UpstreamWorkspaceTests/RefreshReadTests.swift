import Foundation
import Testing
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite
@testable import UpstreamWorkspace

/// The monthly refresh reads only the linkage columns of the records it links (no events, provenance or extras): the
/// records it makes are exactly those a whole record read gives, so its persons are unchanged.
@Suite("The refresh reads only the linkage columns", .serialized)
struct RefreshReadTests {
    @Test("a full link's read and the refresh's three reads give the link inputs of whole records, in id order, with each record's person")
    func linkageColumnsReadLikeWholeRecords() throws {
        let dir = NSTemporaryDirectory() + "upstream-refresh-read-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let workspace = try LinkStreamTests.makeStore(dir, people: 150)
        var request = LinkRequest()
        request.store = workspace.location
        guard case .linked = try LinkUseCase(request: request, workspace: workspace).run() else { Issue.record("link did not link"); return }
        // The whole records, read as every other command reads them.
        let store = try SQLiteStore(path: workspace.location)
        var whole: [LinkInput] = []
        try store.forEachRecord(source: nil, personLevelOnly: true) { whole.append(LinkInput($0.record)) }
        #expect(whole.count > 100)
        // A full link's read (its linkage columns only), straight and through the protocol's requirement.
        var full: [LinkInput] = []
        try store.forEachLinkageRecord { full.append(LinkInput($0)) }
        #expect(full == whole)
        #expect(try LinkUseCase.loadInputs(request).0 == whole)
        let withNHS = whole.filter { $0.nhsNumber != nil }.count, withDOB = whole.filter { $0.dateOfBirth != nil }.count
        let withAddress = whole.filter { $0.address != nil }.count
        #expect(withNHS > 0 && withDOB > 0 && withAddress > 0)
        var personOf: [RecordKey: PersonID] = [:]
        try store.forEachRecordPerson { personOf[$0] = $1 }

        var after: [LinkInput] = [], ids: [Int64] = []
        try store.forEachPersonLevelRecord(after: 0) { id, r in after.append(LinkInput(r)); ids.append(id) }
        #expect(after == whole)
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
        // Only the records loaded after an id: the later part, in the same order.
        var later: [LinkInput] = []
        try store.forEachPersonLevelRecord(after: ids[ids.count / 2]) { _, r in later.append(LinkInput(r)) }
        #expect(later == Array(whole[(ids.count / 2 + 1)...]))

        var linked: [LinkInput] = [], linkedPersons: [PersonID] = []
        try store.forEachLinkedRecord { _, r, p in linked.append(LinkInput(r)); linkedPersons.append(p) }
        #expect(linked == whole)
        let wholePersons = whole.map { personOf[$0.key]! }
        #expect(linkedPersons == wholePersons)

        // A few persons' records: every one of each, located by the indexes in id order with its person, then read in
        // that order.
        let persons = Array(Set(personOf.values).sorted().prefix(20))
        let located = try store.recordIDs(of: persons)
        var rows: [LinkInput] = [], positions: [Int] = []
        try store.forEachLinkageRecord(ids: located.map(\.id)) { i, r in rows.append(LinkInput(r)); positions.append(i) }
        let expected = whole.filter { persons.contains(personOf[$0.key]!) }
        #expect(!expected.isEmpty)
        #expect(rows == expected)
        #expect(positions == Array(located.indices))
        #expect(located.map { persons[Int($0.person)] } == expected.map { personOf[$0.key]! })
        let rowIDs = located.map(\.id)
        #expect(rowIDs == rowIDs.sorted() && Set(rowIDs).count == rowIDs.count)
        // An id that names no record, or a record that is not person-level, is passed over.
        let personLevel = Set(ids)
        let nonPersonLevel = Array((1...(try store.maxRecordID())).lazy.filter { !personLevel.contains($0) }.prefix(3))
        #expect(!nonPersonLevel.isEmpty)
        var mixed = Array(Set(rowIDs.prefix(5) + nonPersonLevel + [ids.last! + 1_000])).sorted()
        var seen: [Int64] = []
        try store.forEachLinkageRecord(ids: mixed) { i, _ in seen.append(mixed[i]) }
        #expect(seen == Array(rowIDs.prefix(5)))
        mixed = []
    }
}

/// The block index segment is written straight to its file (`SegmentFile`), never held whole: the file holds the bytes
/// the in-memory writer makes, and a failed write leaves nothing behind.
@Suite("The block index segment written to its file as it is made", .serialized)
struct SegmentFileTests {
    /// A 120-person city's standardised records in `dir`, and a person for each node.
    static func segmentData(_ dir: String) throws -> (PreparedData, [PersonID]) {
        let workspace = try LinkStreamTests.makeStore(dir, people: 120)
        var request = LinkRequest()
        request.store = workspace.location
        let (inputs, _) = try LinkUseCase.loadInputs(request)
        let data = PreparedData(inputs, settings: LinkageSettings())
        return (data, (0..<data.nodeCount).map { PersonID("P-\($0 % 37)") })
    }

    @Test("the file holds the in-memory segment's bytes; a write that fails leaves no file and no temporary")
    func fileHoldsTheSameBytes() throws {
        let dir = NSTemporaryDirectory() + "upstream-segment-file-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (data, owners) = try Self.segmentData(dir)
        let path = dir + "/one.seg"
        try SegmentFile.write(path: path) { try BlockIndex.writeSegment(into: &$0, data: data, personOfNode: owners) }
        let expected = BlockIndex.segmentBytes(data: data, personOfNode: owners)
        #expect(expected.count > 1 << 16)
        #expect(FileManager.default.contents(atPath: path).map([UInt8].init) == expected)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        struct Stop: Error {}
        let failed = dir + "/two.seg"
        #expect(throws: Stop.self) {
            try SegmentFile.write(path: failed) { file in
                try BlockIndex.writeSegment(into: &file, data: data, personOfNode: owners)
                throw Stop()
            }
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("two.seg") }
        #expect(left.isEmpty, "\(left)")
    }

    /// The resident kibibytes of the mapping of `path` in this process (`/proc/self/smaps`), and where it starts.
    static func mapping(of path: String) -> (start: UInt, rss: Int)? {
        // Read to its end (a /proc file says it is empty, so a read by its size gets nothing).
        guard let data = FileHandle(forReadingAtPath: "/proc/self/smaps")?.readDataToEndOfFile() else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        var found: UInt? = nil
        for line in text.split(separator: "\n") {
            if line.hasSuffix(path), let dash = line.firstIndex(of: "-") { found = UInt(line[..<dash], radix: 16); continue }
            if let start = found, line.hasPrefix("Rss:") {
                return (start, Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1)
            }
        }
        return nil
    }

    @Test("a mapped segment lets its pages go: none resident after, and every rule's entries read the same")
    func mappedSegmentReleasesItsPages() throws {
        let dir = NSTemporaryDirectory() + "upstream-segment-release-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (data, owners) = try Self.segmentData(dir)
        let path = dir + "/mapped.seg"
        try SegmentFile.write(path: path) { try BlockIndex.writeSegment(into: &$0, data: data, personOfNode: owners) }
        let bytes = BlockIndex.segmentBytes(data: data, personOfNode: owners)
        let held = BlockIndexSegment(bytes: bytes)
        let mapped = try #require(LinkBlockIndex.mapSegment(path))
        // Every rule's base keys, from the bytes' own layout (rule r's entries at word 4 + 2r, 32 bytes each).
        func u64(at offset: Int) -> UInt64 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) } }
        func word(_ i: Int) -> UInt64 { u64(at: i * 8) }
        var probes: [(Int, UInt64)] = []
        for r in 0..<Int(word(1)) {
            let off = Int(word(4 + 2 * r)), n = Int(word(5 + 2 * r))
            for i in stride(from: 0, to: n, by: max(1, n / 50)) { probes.append((r, u64(at: off + i * 32))) }
        }
        #expect(probes.count > 100)
        func read(_ s: BlockIndexSegment) -> [[BlockIndexSegment.Entry]] { probes.map { s.entries(rule: $0.0, k0: $0.1) } }
        let expected = read(held)
        #expect(read(mapped) == expected)
        // Touch every page, so the whole mapping is resident, then let it go.
        let (start, _) = try #require(Self.mapping(of: path))
        let base = try #require(UnsafeRawPointer(bitPattern: start))
        var sum: UInt64 = 0
        for o in stride(from: 0, to: bytes.count, by: 4096) { sum &+= UInt64(base.load(fromByteOffset: o, as: UInt8.self)) }
        #expect(try #require(Self.mapping(of: path)).rss >= bytes.count / 1024 - 4)
        mapped.releaseResidentPages()
        #expect(try #require(Self.mapping(of: path)).rss == 0)
        #expect(read(mapped) == expected)
        #expect(sum > 0)
        // Through a view, as a refresh lets them go: only when the segments are larger than its limit.
        var view = BlockIndexView(segments: [mapped])
        view.releasePagesAbove = bytes.count
        _ = read(mapped)
        let resident = try #require(Self.mapping(of: path)).rss
        #expect(resident > 0)
        view.releaseResidentPages()
        #expect(try #require(Self.mapping(of: path)).rss == resident, "an index within the limit stays resident")
        view.releasePagesAbove = bytes.count - 1
        view.releaseResidentPages()
        #expect(try #require(Self.mapping(of: path)).rss == 0, "a larger one is let go")
    }
}

/// After a full run the block index is written only when the run read every person-level record the store holds: a
/// store unchanged since the mark taken before the read is known to (no scan of the records table); otherwise the
/// records are counted.
@Suite("The block index trusts an unchanged store", .serialized)
struct BlockIndexMarkTests {
    @Test("an unchanged mark writes without counting; no mark or a stale one counts, and a short run is refused")
    func unchangedMarkIsTrusted() throws {
        let dir = NSTemporaryDirectory() + "upstream-index-mark-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let workspace = try LinkStreamTests.makeStore(dir, people: 120)
        var request = LinkRequest()
        request.store = workspace.location
        let location = workspace.location, index = LinkBlockIndex.directory(for: location)
        guard case .linked = try LinkUseCase(request: request, workspace: workspace).run() else { Issue.record("link did not link"); return }
        #expect(FileManager.default.fileExists(atPath: index + "/manifest.json"), "the full run's own mark is unchanged: its index is written")
        let store = try SQLiteStore(path: location)
        let (inputs, _) = try LinkUseCase.loadInputs(request)
        let linker = Linker(settings: LinkageSettings())
        let full = linker.link(inputs), short = linker.link(Array(inputs.dropLast(5)))
        let now = try LinkBlockIndex.RecordsMark.of(store)
        #expect(now.maxRecordID > 0)
        func written(_ result: Linker.Result, _ mark: LinkBlockIndex.RecordsMark?) throws -> Bool {
            try? FileManager.default.removeItem(atPath: index)
            try LinkBlockIndex.writeAfterFullRun(store: store, location: location, result: result, run: 1, decisions: [], readFrom: mark)
            return FileManager.default.fileExists(atPath: index + "/manifest.json")
        }
        // Counted: every record read, with no mark or a stale one; five records short, refused.
        #expect(try written(full, nil))
        #expect(try written(full, LinkBlockIndex.RecordsMark(maxRecordID: now.maxRecordID - 1, deletions: now.deletions)))
        #expect(try !written(short, nil))
        #expect(try !written(short, LinkBlockIndex.RecordsMark(maxRecordID: now.maxRecordID, deletions: now.deletions + 1)))
        // Not counted: the mark is the store's now, so the run is taken to hold every record (the short run shows
        // that no count was made).
        #expect(try written(full, now))
        #expect(try written(short, now))
    }
}
