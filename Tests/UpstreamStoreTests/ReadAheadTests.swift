import Foundation
import Testing
import UpstreamStore
import UpstreamStoreSQLite

/// `upstream serve --read-ahead`: a SQLite store's file is advised into the OS cache a chunk at a time.
@Suite("Reading a store's file ahead")
struct ReadAheadTests {
    @Test("every byte of the file is advised, a chunk at a time, with progress; a missing file is a clear error")
    func advisesTheWholeFile() throws {
        let path = NSTemporaryDirectory() + "read-ahead-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = 1_000_003
        FileManager.default.createFile(atPath: path, contents: Data((0..<bytes).map { UInt8($0 % 251) }))
        var seen: [Int64] = []
        let advised = try SQLiteStore.readAhead(path: path, chunk: 300_000) { done, total in
            #expect(total == Int64(bytes))
            seen.append(done)
        }
        #expect(advised == Int64(bytes))
        #expect(seen == [300_000, 600_000, 900_000, 1_000_003], "four chunks, the last one short")
        // The file is unchanged (a hint reads, never writes).
        #expect(FileManager.default.contents(atPath: path)?.count == bytes)
        // An empty file: nothing to advise.
        let empty = path + ".empty"
        FileManager.default.createFile(atPath: empty, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(try SQLiteStore.readAhead(path: empty) == 0)
        #expect(throws: StoreError.self) { try SQLiteStore.readAhead(path: path + ".missing") }
    }

    @Test("auto reads a store ahead only when it takes at most half the machine's memory")
    func worthIt() {
        let gib: UInt64 = 1 << 30
        #expect(SQLiteStore.worthReadingAhead(bytes: 5 << 30, memory: 24 * gib))
        #expect(SQLiteStore.worthReadingAhead(bytes: 12 << 30, memory: 24 * gib))
        #expect(!SQLiteStore.worthReadingAhead(bytes: (12 << 30) + 1, memory: 24 * gib))
        #expect(!SQLiteStore.worthReadingAhead(bytes: 0, memory: 24 * gib))
    }
}
