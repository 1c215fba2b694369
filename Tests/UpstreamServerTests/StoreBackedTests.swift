import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import UpstreamGovernance
import UpstreamServer
import UpstreamStore
import UpstreamStorePostgres
import UpstreamStoreSQLite
import UpstreamTesting

/// The web app over the stores it serves in production: a SQLite file, and PostgreSQL when
/// `UPSTREAM_TEST_POSTGRES_URL` is set (always under `CI=true`, where a missing server fails the case instead of
/// skipping it). Users, lockouts, password changes and caseloads live in the store, so they outlast the server.
@Suite("The web app's users in SQLite and PostgreSQL")
struct StoreBackedTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
        static let postgresURL = ProcessInfo.processInfo.environment["UPSTREAM_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
        static var enabled: [Backend] {
            postgresURL != nil || ProcessInfo.processInfo.environment["CI"] == "true" ? allCases : [.sqlite]
        }

        struct NotConfigured: Error, CustomStringConvertible {
            var description: String { "UPSTREAM_TEST_POSTGRES_URL is not set: run `export UPSTREAM_TEST_POSTGRES_URL=\"$(scripts/postgres-ci)\"`" }
        }

        /// A new, empty store (PostgreSQL: a schema of its own).
        func make(sealer: any AuditSealer) throws -> any WorkspaceStore & UserStore {
            switch self {
            case .sqlite:
                return try SQLiteStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("web-\(UUID().uuidString).db").path,
                                       auditSealer: sealer)
            case .postgres:
                guard let url = Self.postgresURL else { throw NotConfigured() }
                let schema = "conformance_\(getpid())_web\(UInt32.random(in: 0...UInt32.max))"  // dropped by the store tests once this process ends
                return try PostgresStore(url: url + (url.contains("?") ? "&" : "?") + "schema=\(schema)", auditSealer: sealer)
            }
        }
    }

    /// A server over `store`. `trailPoll` 0 (every request reads the trail's tail): these tests check that another
    /// process's change shows on the very next page; the default poll's window is tested in WebCacheTests.
    static func app(_ store: any WorkspaceStore & UserStore, clock: TestClock, trailPoll: Double = 0) -> WebApp {
        // The vault's key outlives the app, as its key file does a restart of `upstream serve`.
        WebApp(configuration: WebConfiguration(port: 0, bcryptCost: 4, lockAfter: 3, lockSeconds: 900, trailPoll: trailPoll), store: store, users: store,
               secondFactors: SecondFactorVault(key: SymmetricKey(data: Array(repeating: UInt8(4), count: 32))), now: { clock.now })
    }

    static func live<T: Sendable>(_ app: WebApp, clock: TestClock? = nil, _ body: @Sendable (Browser) async throws -> T) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return try await app.application(logger: logger).test(.live) { client in try await body(Browser(client: client, clock: clock)) }
    }

    @Test("sign-in, lockout, password change and caseloads are kept in the store and outlast a restart", arguments: Backend.enabled)
    func usersLiveInTheStore(_ backend: Backend) async throws {
        let key = SymmetricKey(data: Array(repeating: UInt8(5), count: 32))
        let store = try backend.make(sealer: AuditChain(key: key, actor: AuditActor(name: "test", kind: .system, role: ""), head: nil))
        let p = Pseudonymiser(key: SymmetricKey(data: Array(repeating: UInt8(9), count: 32)))
        let flagged = try DemoWorkspace.fill(store, persons: 12, flagged: 3) { p.pseudonym($0.rawValue) }
        let clock = TestClock()
        let first = Self.app(store, clock: clock)
        let users = try first.createDemoUsers()
        let password = try #require(users.first { $0.name == "demo-practitioner" }?.password)
        try first.assignDemoCaseloads(flagged)
        #expect(try store.assignment(of: flagged[0])?.practitioner == "demo-practitioner")
        try await Self.live(first, clock: clock) { b in
            let token = try await b.signIn("demo-practitioner", password)
            #expect(try await b.get("/queue").text.contains(flagged[0]))
            let changed = try await b.post("/account/password", form: ["csrf": token, "current": password, "new": "correct horse battery", "confirm": "correct horse battery"])
            #expect(changed.status == .seeOther)
            // Three wrong passwords lock demo-analyst (lockAfter 3).
            b.cookie = nil
            for _ in 0..<3 {
                let page = try await b.get("/login")
                _ = try await b.post("/login", form: ["csrf": Browser.csrf(page) ?? "", "name": "demo-analyst", "password": "wrong password"])
            }
        }
        #expect(try store.user(named: "demo-analyst")?.lockedUntil == clock.now + 900)
        #expect(try store.auditLog().contains { $0.action == "password-change" && $0.event.subject == "demo-practitioner" })
        // The practitioner had to set up an authenticator; the store holds it sealed, never the secret.
        let sealed = try #require(try store.user(named: "demo-practitioner")?.totpSecret)
        #expect(sealed.hasPrefix("aes-gcm-v1:") && !sealed.contains(Browser.authenticator("demo-practitioner").base32Secret))
        #expect(try store.auditLog().contains { $0.action == "totp-enable" && $0.event.subject == "demo-practitioner" })
        // The failed sign-ins and the lock, with the counters.
        #expect(try store.auditLog().filter { $0.action == "refused" && $0.event.actor.name == "demo-analyst" }.map(\.event.count) == [1, 2, 3])
        #expect(try store.auditLog().contains { $0.action == "account-locked" && $0.event.subject == "demo-analyst" })
        // A new server over the same store: the new password works, the old one does not, the lock holds.
        let second = Self.app(store, clock: clock)
        try await Self.live(second, clock: clock) { b in
            let page = try await b.get("/login")
            let old = try await b.post("/login", form: ["csrf": Browser.csrf(page) ?? "", "name": "demo-practitioner", "password": password])
            #expect(old.status == .unauthorized)
            _ = try await b.signIn("demo-practitioner", "correct horse battery")
            #expect(try await b.get("/queue").text.contains(flagged[0]))
            let analyst = try #require(users.first { $0.name == "demo-analyst" }?.password)
            b.cookie = nil
            let again = try await b.get("/login")
            #expect(try await b.post("/login", form: ["csrf": Browser.csrf(again) ?? "", "name": "demo-analyst", "password": analyst]).status == .unauthorized)
        }
    }
}

extension StoreBackedTests {
    @Test("a user change and its audit entry are one transaction: a change the store refuses leaves no entry", arguments: Backend.enabled)
    func userChangesAreAtomic(_ backend: Backend) throws {
        let key = SymmetricKey(data: Array(repeating: UInt8(5), count: 32))
        let store = try backend.make(sealer: AuditChain(key: key, actor: AuditActor(name: "test", kind: .system, role: ""), head: nil))
        let atomic = try #require(store as? any AuditedUserWrites, "\(backend) keeps users beside the trail")
        let event = AuditEvent(at: 1, actor: AuditActor(name: "admin", kind: .authenticated, role: "admin"), action: "password-change", subject: "u")
        let good = StoredUser(name: "u", role: "analyst", passwordHash: "$2b$04$abcdefghijklmnopqrstuu", createdAt: 1)
        try atomic.saveUser(good, audit: [event])
        #expect(try store.user(named: "u") == good)
        let count = try store.auditCount()
        var bad = good
        bad.role = "wizard"  // the table's CHECK refuses it
        #expect(throws: (any Error).self) { try atomic.saveUser(bad, audit: [event]) }
        #expect(try store.auditCount() == count, "no entry without its change")
        #expect(try store.user(named: "u")?.role == "analyst")
        // And the trail still appends after the rollback.
        try atomic.saveUser(good, audit: [event])
        #expect(try store.auditCount() == count + 1)
    }
}

@Suite("Linkage decisions made on the web, read by the command line")
struct LinkageInteropTests {
    struct ReviewOut: Decodable { var pending: Int; var decided: Int }

    @Test("a pair decided on the web is decided for `upstream review`; reopened, it is pending there again")
    func commandLineReadsWebDecisions() async throws {
        _ = try #require(UpstreamBinary.path, "build the upstream executable first")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString).db").path
        let key = SymmetricKey(data: Array(repeating: UInt8(5), count: 32))
        let store = try SQLiteStore(path: path, auditSealer: AuditChain(key: key, actor: AuditActor(name: "test", kind: .system, role: ""), head: nil))
        let p = Pseudonymiser(key: SymmetricKey(data: Array(repeating: UInt8(9), count: 32)))
        let flagged = try DemoWorkspace.fill(store, persons: 12, flagged: 3) { p.pseudonym($0.rawValue) }
        try DemoWorkspace.addModelAndPairs(store, flagged: flagged)
        let pair = try #require(try store.reviewItems(.linkagePairs, pendingOnly: true).first?.subject)
        func review() throws -> ReviewOut {
            let run = try UpstreamBinary.run(["review", "--store", path, "--json"])
            #expect(run.status == 0, "\(run.err)")
            return try JSONDecoder().decode(ReviewOut.self, from: Data(run.out.utf8))
        }
        #expect(try review().pending == 8 && review().decided == 0)
        let clock = TestClock()
        let app = StoreBackedTests.app(store, clock: clock)
        let password = try #require(try app.createDemoUsers().first { $0.name == "demo-supervisor" }?.password)
        try await StoreBackedTests.live(app, clock: clock) { b in
            let token = try await b.signIn("demo-supervisor", password)
            #expect(try await b.post("/linkage/\(pair)/decide", form: ["csrf": token, "decision": "different-people", "reason": "different postcode"]).status == .seeOther)
        }
        let after = try review()
        #expect(after.pending == 7 && after.decided == 1)
        try await StoreBackedTests.live(app, clock: clock) { b in
            let token = try await b.signIn("demo-supervisor", password)
            #expect(try await b.post("/linkage/\(pair)/reopen", form: ["csrf": token, "reason": "second look"]).status == .seeOther)
        }
        #expect(try review().pending == 8 && review().decided == 0)
    }
}
