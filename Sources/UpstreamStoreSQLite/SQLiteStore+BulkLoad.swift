import Foundation
import GRDB
import UpstreamStore

extension SQLiteStore {
    /// The indexes a first load into an empty store builds once at its end instead of row by row: they serve the
    /// web app's household reads only (``Schema/recordsByPostcode`` and the by-incident one of
    /// ``Schema/coveringReadIndexes``), and no load or link reads them. Measured at 200,000 people (2,042,906
    /// records): inserting every record into them costs 11 s of the writer's time, building them at the end 5 s
    /// (Benchmarks/ingest.md). The unique `records_by_source_id` stays: a load finds duplicate record ids with it.
    static let deferrableIndexes: [(name: String, definition: String)] = [
        ("records_by_postcode", Schema.recordsByPostcode),
        ("records_by_incident", Schema.coveringReadIndexes.first { $0.name == "records_by_incident" }!.definition),
    ]

    /// The file a bulk load holds an exclusive `flock` on while its indexes are deferred: the kernel lets it go
    /// when the process ends, however it ends, so an opener can tell a running load from a killed one.
    var bulkLoadLockPath: String { path + ".bulk-load" }

    /// Drops the ``deferrableIndexes`` when the store holds no record, runs `body`, then builds them again (also
    /// when `body` throws). A store that holds records, an in-memory one, or one another process is bulk loading
    /// keeps its indexes and runs `body` as it is.
    public func loadingInBulk<T>(building: () -> Void, _ body: () throws -> T) throws -> T {
        guard try bulkLoadDefersIndexes() else { return try body() }
        guard let lock = BulkLoadLock(path: bulkLoadLockPath) else { return try body() }
        defer { lock.release() }
        let dropped = try guarding {
            try db.write { db -> Bool in
                // Checked again under the write lock: another process may have loaded since.
                guard try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM records)") == true else { return false }
                for index in Self.deferrableIndexes { try db.execute(sql: "DROP INDEX IF EXISTS \(index.name)") }
                return true
            }
        }
        guard dropped else { return try body() }
        let result: T
        do {
            result = try body()
        } catch {
            try? buildDeferredIndexes()
            throw error
        }
        building()
        try buildDeferredIndexes()
        return result
    }

    /// Whether a bulk load begun now would defer the ``deferrableIndexes``: a file store that holds no record.
    public func bulkLoadDefersIndexes() throws -> Bool {
        guard path != ":memory:" else { return false }
        return try isEmpty()
    }

    /// Whether the store holds no record.
    func isEmpty() throws -> Bool {
        try guarding { try db.read { db in try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM records)") == true } }
    }

    /// The ``deferrableIndexes`` this store lacks (a bulk load running, or one killed before it built them).
    func missingDeferredIndexes() throws -> [String] {
        let present = try guarding {
            try db.read { db in try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")) }
        }
        return Self.deferrableIndexes.map(\.name).filter { !present.contains($0) }
    }

    /// Builds the ``deferrableIndexes`` that are missing, sorting on two threads, in one transaction.
    func buildDeferredIndexes() throws {
        try guarding {
            try db.write { db in
                try db.execute(sql: "PRAGMA threads = 2")
                for index in Self.deferrableIndexes {
                    try db.execute(sql: "CREATE INDEX IF NOT EXISTS \(index.name) ON \(index.definition)")
                }
            }
        }
    }

    /// At open: builds the deferred indexes a killed bulk load left missing. A load still running holds the lock,
    /// and its indexes are left to it.
    func restoreIndexesOfKilledBulkLoad() throws {
        guard path != ":memory:", try !missingDeferredIndexes().isEmpty else { return }
        guard let lock = BulkLoadLock(path: bulkLoadLockPath) else { return }
        defer { lock.release() }
        try buildDeferredIndexes()
    }
}

/// An exclusive, non-blocking `flock` on a file beside the store (created owner-only if missing).
struct BulkLoadLock {
    let fd: Int32

    /// Takes the lock, or nil when another process holds it (or the file cannot be opened).
    init?(path: String) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return nil }
        self.fd = fd
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
