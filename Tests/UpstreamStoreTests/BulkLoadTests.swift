import Foundation
import Testing
import UpstreamModel
import UpstreamStore
@testable import UpstreamStoreSQLite

/// `loadingInBulk`: a first load into an empty SQLite store builds its read-only indexes once at the end; a store
/// that holds records keeps them row by row; the default (PostgreSQL, memory) runs the load as it is.
@Suite struct BulkLoadTests {
    static func fileStore() throws -> (SQLiteStore, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bulk-\(UUID().uuidString).db").path
        return (try SQLiteStore(path: path), path)
    }

    static func remove(_ path: String) {
        for suffix in ["", "-journal", ".bulk-load"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test func aFirstLoadBuildsTheReadIndexesAtItsEnd() throws {
        let (store, path) = try Self.fileStore()
        defer { Self.remove(path) }
        var built = 0
        var missingDuringLoad: [String] = []
        try store.loadingInBulk(building: { built += 1 }) {
            try loadDated(store, [("R1", 2020, 5, 1), ("R2", 2021, 6, 2)])
            missingDuringLoad = try store.missingDeferredIndexes().sorted()
        }
        #expect(missingDuringLoad == ["records_by_incident", "records_by_postcode"])
        #expect(built == 1)
        #expect(try store.missingDeferredIndexes().isEmpty)
        #expect(try store.integrityProblems().isEmpty)
        // The built index holds the records loaded before it (the household read finds them by postcode).
        let byPostcode = try store.db.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM records INDEXED BY records_by_postcode WHERE postcode = 'UC1 2AB'")
        }
        #expect(byPostcode == 2)
    }

    @Test func aStoreWithRecordsKeepsItsIndexes() throws {
        let (store, path) = try Self.fileStore()
        defer { Self.remove(path) }
        try loadDated(store, [("R1", 2020, 5, 1)])
        var built = 0
        let missing = try store.loadingInBulk(building: { built += 1 }) { try store.missingDeferredIndexes() }
        #expect(missing.isEmpty)
        #expect(built == 0)
        #expect(!FileManager.default.fileExists(atPath: path + ".bulk-load"), "no lock is taken for a store with records")
    }

    @Test func aFailedLoadStillBuildsThemAndRethrows() throws {
        let (store, path) = try Self.fileStore()
        defer { Self.remove(path) }
        #expect(throws: Boom.self) {
            try store.loadingInBulk(building: {}) { throw Boom() }
        }
        #expect(try store.missingDeferredIndexes().isEmpty)
    }

    @Test func aSecondBulkLoadBesideARunningOneKeepsItsIndexes() throws {
        let (store, path) = try Self.fileStore()
        defer { Self.remove(path) }
        // Another process's load holds the lock (the kernel's flock is per open file, so a second open of the
        // file in this process stands for it).
        let other = try #require(BulkLoadLock(path: path + ".bulk-load"))
        defer { other.release() }
        var built = 0
        let missing = try store.loadingInBulk(building: { built += 1 }) { try store.missingDeferredIndexes() }
        #expect(missing.isEmpty)
        #expect(built == 0)
    }

    @Test func anInMemoryStoreRunsTheLoadAsItIs() throws {
        let store = try SQLiteStore(path: ":memory:")
        var built = 0
        try store.loadingInBulk(building: { built += 1 }) { try loadDated(store, [("R1", 2020, 5, 1)]) }
        #expect(built == 0)
        #expect(try store.missingDeferredIndexes().isEmpty)
    }
}
