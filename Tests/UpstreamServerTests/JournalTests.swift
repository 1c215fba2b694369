import Foundation
import Testing
import UpstreamGovernance
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamTesting

/// `upstream serve` puts a SQLite store in WAL mode (docs/web.md, "The journal"): readers stop waiting for commits
/// and a commit waits for one fsync. These check that the mode is kept by every later open, that a command run
/// beside the server works on the same file, that nothing committed is lost, that going back to the rollback
/// journal is refused while another connection holds the file and works once it is closed, and that the served
/// binary leaves the file in WAL mode.
@Suite("The served SQLite store's journal")
struct JournalTests {
    /// The file's journal as its header records it (bytes 18 and 19: 1 for the rollback journal, 2 for WAL).
    static func journal(_ path: String) throws -> String {
        let h = try #require(FileHandle(forReadingAtPath: path))
        defer { try? h.close() }
        let header = try #require(try h.read(upToCount: 20))
        switch (header[18], header[19]) {
        case (1, 1): return "delete"
        case (2, 2): return "wal"
        default: return "unknown \(header[18]) \(header[19])"
        }
    }

    static func event(_ i: Int) -> AuditEvent {
        AuditEvent(at: Int64(i), actor: AuditActor(name: "t", kind: .authenticated, role: "supervisor"), action: "view-pseudonymised",
                   subject: "YP-\(i)", count: 1)
    }

    @Test("WAL is kept by every open, a second store on the file reads the first's commits, and the way back waits for the file to be free")
    func walAndBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.db"
        try SQLiteStore.useWriteAheadLog(path: path + ".missing")  // a missing file is left alone
        #expect(!FileManager.default.fileExists(atPath: path + ".missing"))
        do {
            let store = try SQLiteStore(path: path)
            _ = try store.appendAudit([Self.event(1)])
        }
        #expect(try Self.journal(path) == "delete", "a new store keeps the rollback journal")
        try SQLiteStore.useWriteAheadLog(path: path)
        #expect(try Self.journal(path) == "wal")

        let server = try SQLiteStore(path: path)
        let command = try SQLiteStore(path: path)  // a command run beside the server
        #expect(try Self.journal(path) == "wal", "opening a store in WAL mode does not turn it back")
        for i in 2...40 { _ = try server.appendAudit([Self.event(i)]) }
        _ = try command.appendAudit([Self.event(41)])
        #expect(try command.auditLog().count == 41 && server.auditLog().count == 41)
        #expect(try server.auditLog().map(\.seq) == Array(1...41))

        // Back to the rollback journal: refused while the other stores have the file open.
        #expect(throws: StoreError.busy(path)) { try SQLiteStore.useRollbackJournal(path: path) }
        withExtendedLifetime((server, command)) {}
    }

    @Test("the rollback journal comes back once no connection is open, and the store's contents are all there")
    func backToRollback() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.db"
        _ = try SQLiteStore(path: path)
        try SQLiteStore.useWriteAheadLog(path: path)
        do {
            let store = try SQLiteStore(path: path)
            for i in 1...25 { _ = try store.appendAudit([Self.event(i)]) }
        }
        try SQLiteStore.useRollbackJournal(path: path)
        #expect(try Self.journal(path) == "delete")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "the log was checkpointed into the file")
        #expect(try SQLiteStore(path: path).auditLog().count == 25)
    }

    @Test("`upstream serve --store` leaves the file in WAL mode; `--journal rollback` takes it back")
    func servePutsTheStoreInWAL() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.db"
        _ = try SQLiteStore(path: path)
        // An invalid port makes serve stop after opening the store and before listening.
        for (journal, mode) in [("wal", "wal"), ("rollback", "delete")] {
            let r = try UpstreamBinary.run(["serve", "--store", path, "--journal", journal, "--port", "0", "--host", "256.0.0.1"])
            #expect(r.status != 0)
            #expect(try Self.journal(path) == mode, "\(journal): \(r.err)")
        }
        let bad = try UpstreamBinary.run(["serve", "--store", path, "--journal", "truncate"])
        #expect(bad.status != 0 && bad.err.contains("--journal must be wal or rollback"))
    }
}
