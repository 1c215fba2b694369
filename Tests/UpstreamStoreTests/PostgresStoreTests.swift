import Foundation
import GRDB
import PostgresNIO
import Testing
import UpstreamModel
import UpstreamStore
@testable import UpstreamStorePostgres
@testable import UpstreamStoreSQLite

/// What the PostgreSQL adapter must do beyond the conformance suite: its migrations, bulk loads through `COPY`,
/// concurrent writers, and its URLs.
@Suite struct PostgresStoreTests {
    @Test func theSuiteRunsAgainstPostgreSQLUnderCI() throws {
        // Under CI a missing server must fail the suite, never silently skip the PostgreSQL cases.
        if TestPostgres.underCI {
            #expect(TestPostgres.url != nil, "\(TestPostgres.NotConfigured())")
            #expect(Backend.enabled.contains(.postgres))
        }
    }

    @Test(.enabled(if: TestPostgres.enabled)) func migrationsHaveTheSQLiteNamesInTheSameOrder() throws {
        let store = try TestPostgres.makeStore()
        defer { try? store.dropSchema() }
        // The names registered in Sources/UpstreamStoreSQLite/Schema.swift, in order: read from the SQLite registry
        // itself, so that a new migration added to one adapter and not the other fails here.
        let sqlite = UpstreamStoreSQLite.Schema.migrator.migrations
        #expect(sqlite.count >= 10 && sqlite.first == "v1: sources, deliveries, records, quarantine, audit log")
        #expect(try store.appliedMigrations() == sqlite)
    }

    @Test(.enabled(if: TestPostgres.enabled)) func reopeningKeepsTheRowsAndMigratesNothingAgain() throws {
        let first = try TestPostgres.makeStore()
        defer { try? first.dropSchema() }
        _ = try first.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info(), replacing: false) { w in
            _ = try w.append(record("R1"))
            return counts(read: 1, loaded: 1, quarantined: 0)
        }
        let again = try PostgresStore(location: first.location)
        #expect(try again.records().map(\.record.recordID) == ["R1"])
        #expect(try again.rows("SELECT count(*) FROM schema_migrations").first?.decode(Int.self) == UpstreamStoreSQLite.Schema.migrator.migrations.count)
    }

    @Test(.enabled(if: TestPostgres.enabled)) func aSchemaFromANewerUpstreamIsRefused() throws {
        let store = try TestPostgres.makeStore()
        defer { try? store.dropSchema() }
        try store.execute("INSERT INTO schema_migrations (identifier) VALUES ('v99: from the future')")
        #expect(throws: StoreError.unsupportedSchema("migration 'v99: from the future' was applied by a newer version of Upstream")) {
            _ = try PostgresStore(location: store.location)
        }
    }

    /// Records of about 900 bytes of COPY text: 400 of them take six 64 KiB chunks.
    func bulky(_ n: Int, sha: String = sha1) -> StoredRecord {
        var r = record("B\(n)", sha: sha, line: n + 2)
        r.extras["Padding"] = String(repeating: "x", count: 400)
        return r
    }

    @Test(.enabled(if: TestPostgres.enabled)) func aBulkLoadSpansSeveralCopyChunksInOrderAndRefusesDuplicates() throws {
        let store = try TestPostgres.makeStore()
        defer { try? store.dropSchema() }
        store.copyChunkBytes = 64 << 10  // the production chunk is 4 MiB: the same code, crossed more cheaply
        store.fetchBatch = 150  // and read back in three fetches
        let n = 400
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info(), replacing: false) { w in
            var allNew = true
            for i in 0..<n { if try !w.append(bulky(i)) { allNew = false } }
            #expect(allNew)
            // A duplicate of a row already sent in an earlier chunk, and of one still buffered.
            let earlier = try w.append(bulky(3)), buffered = try w.append(bulky(n - 1))
            #expect(!earlier)
            #expect(!buffered)
            return counts(read: n + 2, loaded: n, quarantined: 2)
        }
        #expect(store.copyStatements >= 3)
        let back = try store.records()
        #expect(back.count == n)
        #expect(back.map(\.record.recordID) == (0..<n).map { "B\($0)" })
        #expect(back[277] == bulky(277))
        // A later, appended delivery of the same source sees the ids already stored.
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "g.csv", fileSHA256: sha2, loadedAt: t0),
                                   source: info(), replacing: false) { w in
            let old = try w.append(bulky(42, sha: sha2)), new = try w.append(record("NEW", sha: sha2))
            #expect(!old)
            #expect(new)
            return counts(read: 2, loaded: 1, quarantined: 1)
        }
        #expect(try store.records().count == n + 1)
    }

    @Test(.enabled(if: TestPostgres.enabled)) func aLoadThatFailsAfterChunksWereSentLeavesNothing() throws {
        let store = try TestPostgres.makeStore()
        defer { try? store.dropSchema() }
        store.copyChunkBytes = 64 << 10
        #expect(throws: Boom.self) {
            _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                       source: info(), replacing: false) { w in
                for i in 0..<400 { _ = try w.append(bulky(i)) }
                throw Boom()
            }
        }
        #expect(store.copyStatements >= 2)  // rows had reached the server before the failure
        #expect(try store.records().isEmpty)
        #expect(try store.deliveries(source: nil).isEmpty)
        #expect(try store.sources().isEmpty)
        #expect(try store.auditLog().isEmpty)
    }

    @Test(.enabled(if: TestPostgres.enabled)) func concurrentWritersQueueAndNeverDuplicateARecord() throws {
        let a = try TestPostgres.makeStore()
        defer { try? a.dropSchema() }
        let b = try PostgresStore(location: a.location)
        // Given two connections appending overlapping ids to one source at the same time
        let results = Results()
        let group = DispatchGroup()
        for (k, store) in [a, b].enumerated() {
            DispatchQueue.global().async(group: group) {
                do {
                    let sha = String(repeating: k == 0 ? "c" : "d", count: 64)
                    _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f\(k).csv", fileSHA256: sha, loadedAt: t0),
                                               source: info(), replacing: false) { w in
                        var loaded = 0
                        for i in (k * 500)..<(k * 500 + 1_000) {
                            if try w.append(record("C\(i)", sha: sha)) { loaded += 1 }
                        }
                        results.add(loaded)
                        return counts(read: 1_000, loaded: loaded, quarantined: 1_000 - loaded)
                    }
                } catch {
                    results.fail("\(error)")
                }
            }
        }
        group.wait()
        // Then both succeed, the second to take the lock loads only the 500 ids the first did not, and no id is stored twice.
        #expect(results.errors.isEmpty)
        #expect(results.loaded.sorted() == [500, 1_000])
        let ids = try a.records().map(\.record.recordID)
        #expect(ids.count == 1_500)
        #expect(Set(ids).count == 1_500)
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var loaded: [Int] = []
        private(set) var errors: [String] = []
        func add(_ n: Int) { lock.lock(); loaded.append(n); lock.unlock() }
        func fail(_ e: String) { lock.lock(); errors.append(e); lock.unlock() }
    }

    @Test(.enabled(if: TestPostgres.enabled)) func aReadInsideAStreamingReadWorks() throws {
        let store = try TestPostgres.makeStore()
        defer { try? store.dropSchema() }
        _ = try store.loadDelivery(Delivery(source: "police_custody", fileName: "f.csv", fileSHA256: sha1, loadedAt: t0),
                                   source: info(), replacing: false) { w in
            for i in 0..<3 { _ = try w.append(record("R\(i)")) }
            return counts(read: 3, loaded: 3, quarantined: 0)
        }
        var seen: [Int] = []
        try store.forEachRecord(source: nil, personLevelOnly: false) { _ in seen.append(try store.records().count) }
        #expect(seen == [3, 3, 3])
    }

    @Test(.enabled(if: TestPostgres.enabled)) func anUnreachableServerSaysWhatToCheck() throws {
        // Port 1 on loopback: nothing listens there.
        let error = #expect(throws: PostgresStoreError.self) { _ = try PostgresStore(url: "postgres://nobody:secret@127.0.0.1:1/none") }
        let text = "\(try #require(error))"
        #expect(text.contains("cannot connect to PostgreSQL"))
        #expect(text.contains("postgres://nobody@127.0.0.1:1/none"))
        #expect(!text.contains("secret"))
    }

    // MARK: URLs (no server needed)

    @Test func aURLNamesEveryPartAndHidesThePassword() throws {
        let l = try PostgresLocation(url: "postgres://anna:s%40cret@db.example:6543/upstream?schema=city_1", environment: [:])
        #expect(l.user == "anna")
        #expect(l.password == "s@cret")
        #expect(l.host == "db.example")
        #expect(l.port == 6543)
        #expect(l.database == "upstream")
        #expect(l.schema == "city_1")
        #expect(l.description == "postgres://anna@db.example:6543/upstream?schema=city_1")
        let d = try PostgresLocation(url: "postgresql://anna@localhost/upstream", environment: ["PGPASSWORD": "pw"])
        #expect(d.port == 5432)
        #expect(d.password == "pw")
        #expect(d.schema == nil)
        let socket = try PostgresLocation(url: "postgres://anna@/upstream?host=/var/run/postgresql", environment: [:])
        #expect(socket.socketDirectory == "/var/run/postgresql")
    }

    @Test(arguments: [
        ("upstream.db", "expected postgres://"),
        ("postgres://localhost/upstream", "no user"),
        ("postgres://anna@localhost/", "no database"),
        ("postgres://anna@localhost/db?schema=Robert');DROP", "schema must be"),
        ("postgres://anna@localhost/db?sslmode=require", "not supported yet"),
        ("postgres://anna@localhost/db?user=x", "unknown parameter 'user'"),
    ])
    func aWrongURLSaysWhichPartIsWrong(_ url: String, _ says: String) throws {
        let error = #expect(throws: PostgresStoreError.self) { _ = try PostgresLocation(url: url, environment: [:]) }
        #expect("\(try #require(error))".contains(says))
    }

    @Test func copyTextEscapesEverythingPostgreSQLWouldReadAsSyntax() {
        var c = CopyText(capacity: 64)
        c.text("a\tb\\c\nd\re \\N"); c.text(nil); c.int(-7); c.bool(true); c.bytea([0x00, 0xAB]); c.endRow()
        #expect(String(decoding: c.bytes, as: UTF8.self) == "a\\tb\\\\c\\nd\\re \\\\N\t\\N\t-7\tt\t\\\\x00ab\n")
    }
}
