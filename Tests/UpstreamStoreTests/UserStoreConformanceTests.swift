import Foundation
import Testing
import UpstreamStore
import UpstreamStoreSQLite

/// One body for every backend of ``UserStore``: in memory, SQLite, and PostgreSQL when `UPSTREAM_TEST_POSTGRES_URL`
/// is set (always under `CI=true`, where a missing server fails the PostgreSQL cases instead of skipping them).
@Suite("User store conformance")
struct UserStoreConformanceTests {
    enum UserBackend: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqliteInMemory, sqliteFile, postgres
        var testDescription: String { rawValue }
        static var enabled: [UserBackend] { TestPostgres.enabled ? allCases : allCases.filter { $0 != .postgres } }
        /// The backends with a schema of their own (not the in-memory reference).
        static var sql: [UserBackend] { enabled.filter { $0 != .memory } }
        func make() throws -> any UserStore {
            switch self {
            case .memory: return InMemoryUserStore()
            case .sqliteInMemory: return try SQLiteStore(path: ":memory:")
            case .sqliteFile:
                return try SQLiteStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("users-\(UUID().uuidString).db").path)
            case .postgres: return try TestPostgres.makeStore()
            }
        }
    }

    @Test("users are saved, replaced and listed by name; caseloads follow the latest assignment", arguments: UserBackend.enabled)
    func usersAndCaseloads(_ backend: UserBackend) throws {
        let s = try backend.make()
        #expect(try s.users().isEmpty)
        #expect(try s.user(named: "amy") == nil)
        let amy = StoredUser(name: "amy", role: "practitioner", passwordHash: "$2b$04$abcdefghijklmnopqrstuv", createdAt: 100)
        let bob = StoredUser(name: "bob", role: "supervisor", passwordHash: "$2b$04$zyxwvutsrqponmlkjihgfe", createdAt: 101)
        try s.saveUser(bob)
        try s.saveUser(amy)
        #expect(try s.users().map(\.name) == ["amy", "bob"])
        var locked = amy
        locked.failedLogins = 5
        locked.lockedUntil = 1_000
        locked.disabled = true
        locked.totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        try s.saveUser(locked)
        #expect(try s.user(named: "amy") == locked)
        #expect(try s.users().count == 2)

        try s.assign(CaseAssignment(subject: "YP-1", practitioner: "amy", assignedBy: "bob", assignedAt: 200))
        try s.assign(CaseAssignment(subject: "YP-2", practitioner: "amy", assignedBy: "bob", assignedAt: 201))
        #expect(try s.caseload(of: "amy") == ["YP-1", "YP-2"])
        try s.assign(CaseAssignment(subject: "YP-1", practitioner: "bob", assignedBy: "bob", assignedAt: 300))
        #expect(try s.assignment(of: "YP-1") == CaseAssignment(subject: "YP-1", practitioner: "bob", assignedBy: "bob", assignedAt: 300))
        #expect(try s.caseload(of: "amy") == ["YP-2"])
        #expect(try s.assignments().map(\.subject) == ["YP-1", "YP-2"])
        #expect(try s.assignment(of: "YP-9") == nil)
    }

    @Test("a name with SQL in it is just a name", arguments: UserBackend.sql)
    func boundValues(_ backend: UserBackend) throws {
        let s = try backend.make()
        let name = "x'; DROP TABLE users; --"
        try s.saveUser(StoredUser(name: name, role: "analyst", passwordHash: "$2b$04$abcdefghijklmnopqrstuv", createdAt: 1))
        #expect(try s.user(named: name)?.name == name)
        #expect(try s.user(named: "' OR '1'='1") == nil)
        #expect(try s.users().count == 1)
    }

    @Test("the schema refuses a role that does not exist and a password that is not a bcrypt hash", arguments: UserBackend.sql)
    func constraints(_ backend: UserBackend) throws {
        let s = try backend.make()
        #expect(throws: (any Error).self) { try s.saveUser(StoredUser(name: "a", role: "root", passwordHash: "$2b$04$x", createdAt: 1)) }
        #expect(throws: (any Error).self) { try s.saveUser(StoredUser(name: "a", role: "admin", passwordHash: "plain", createdAt: 1)) }
    }
}
