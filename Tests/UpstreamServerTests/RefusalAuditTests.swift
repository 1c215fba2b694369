import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import UpstreamGovernance
import UpstreamServer
import UpstreamStore
import UpstreamStoreSQLite

/// Refused requests in the audit trail: one `refused` entry each, with who, the route and why; never a password.
@Suite("Refused requests are audited")
struct RefusalAuditTests {
    static func refusals(_ f: Fixture) throws -> [AuditEntry] { try f.store.auditLog().filter { $0.action == "refused" } }

    @Test("an IDOR attempt (another practitioner's young person) leaves an entry naming the practitioner, the route and the young person")
    func idor() async throws {
        let f = try Fixture()
        try await f.live { b in
            _ = try await b.signIn("practitioner", f.passwords["practitioner"]!)
            let before = try Self.refusals(f).count
            #expect(try await b.get("/people/\(f.theirs)").status == .notFound)
            #expect(try await b.get("/api/v1/people/\(f.theirs)").status == .notFound)
            let entries = try Self.refusals(f).dropFirst(before)
            #expect(entries.count == 2)
            for (e, route) in zip(entries, ["GET /people/{pseudonym} 404", "GET /api/v1/people/{pseudonym} 404"]) {
                #expect(e.event.actor.name == "practitioner" && e.event.actor.kind == .authenticated && e.event.actor.role == "practitioner")
                #expect(e.event.subject == f.theirs)
                #expect(e.event.reason == "not on the caseload")
                #expect(e.event.detail == route)
            }
            // A pseudonym that does not exist is refused alike, and audited without naming it.
            let unknown = f.pseudonymiser.pseudonym("no such person")
            #expect(try await b.get("/people/\(unknown)").status == .notFound)
            let last = try #require(try Self.refusals(f).last)
            #expect(last.event.subject == "" && last.event.reason == "not on the caseload")
            // Their own young person: no refusal.
            let count = try Self.refusals(f).count
            #expect(try await b.get("/people/\(f.mine)").status == .ok)
            #expect(try Self.refusals(f).count == count)
        }
    }

    @Test("a role refused, a CSRF failure and a request without a session each leave one entry")
    func roleCSRFAndAnonymous() async throws {
        let f = try Fixture()
        try await f.live { b in
            let token = try await b.signIn("analyst", f.passwords["analyst"]!)
            var before = try Self.refusals(f).count
            #expect(try await b.get("/audit").status == .forbidden)
            var e = try #require(try Self.refusals(f).last)
            #expect(try Self.refusals(f).count == before + 1)
            #expect(e.event.actor.name == "analyst" && e.event.reason == "role refused" && e.event.detail == "GET /audit 403")

            before = try Self.refusals(f).count
            #expect(try await b.post("/logout", form: ["csrf": "not-the-token"]).status == .forbidden)
            e = try #require(try Self.refusals(f).last)
            #expect(try Self.refusals(f).count == before + 1)
            #expect(e.event.actor.name == "analyst" && e.event.reason == "CSRF token missing or wrong" && e.event.detail == "POST /logout 403")
            _ = token

            b.cookie = nil
            before = try Self.refusals(f).count
            #expect(try await b.get("/api/v1/queue").status == .unauthorized)
            e = try #require(try Self.refusals(f).last)
            #expect(try Self.refusals(f).count == before + 1)
            #expect(e.event.actor.name == "anonymous" && e.event.actor.kind == .selfAsserted && e.event.reason == "not signed in")
            #expect(e.event.detail == "GET /api/v1/queue 401")
            // Errors that refuse nothing are not refusals: an unknown page.
            before = try Self.refusals(f).count
            #expect(try await b.get("/no-such-page").status == .notFound)
            #expect(try Self.refusals(f).count == before)
        }
    }

    @Test("failed sign-ins and the lockout are audited with the name given, never the password; an unknown name is anonymous")
    func signInFailures() async throws {
        let f = try Fixture()
        try await f.live { b in
            let page = try await b.get("/login")
            let token = Browser.csrf(page)!
            let guesses = (1...5).map { "guess-number-\($0)-Secret" }
            for g in guesses {
                #expect(try await b.post("/login", form: ["csrf": token, "name": "auditor", "password": g]).status == .unauthorized)
            }
            #expect(try await b.post("/login", form: ["csrf": token, "name": "auditor", "password": f.passwords["auditor"]!]).status == .unauthorized)
            #expect(try await b.post("/login", form: ["csrf": token, "name": "Typed-My-Password-Here", "password": "x"]).status == .unauthorized)
            let log = try f.store.auditLog()
            let refused = log.filter { $0.action == "refused" && $0.event.detail == "POST /login 401" }
            #expect(refused.count == 7)
            #expect(refused.prefix(5).allSatisfy { $0.event.actor.name == "auditor" && $0.event.actor.kind == .selfAsserted
                && $0.event.reason == "sign-in failed: wrong password" })
            #expect(refused.prefix(5).map(\.event.count) == [1, 2, 3, 4, 5])
            #expect(refused[5].event.reason == "sign-in failed: the account is locked")
            #expect(refused[6].event.actor.name == "anonymous" && refused[6].event.reason == "sign-in failed: unknown user name")
            let locked = try #require(log.first { $0.action == "account-locked" })
            #expect(locked.event.subject == "auditor" && locked.event.count == 5 && locked.event.actor.kind == .selfAsserted)
            // Nothing typed into the form is in the trail: no password, no unknown name.
            for e in log {
                let text = [e.event.actor.name, e.event.subject, e.event.reason, e.event.detail].joined(separator: " ")
                for secret in guesses + [f.passwords["auditor"]!, "Typed-My-Password-Here"] { #expect(!text.contains(secret)) }
            }
        }
    }

    @Test("anonymous refusals from one address are written at most 10 a minute; the next entry counts the ones left out")
    func anonymousFloodIsBounded() async throws {
        let f = try Fixture()
        try await f.live { b in
            for _ in 0..<25 { #expect(try await b.get("/api/v1/me").status == .unauthorized) }
            #expect(try Self.refusals(f).count == 10)
            f.clock.advance(60)
            #expect(try await b.get("/api/v1/me").status == .unauthorized)
            let last = try #require(try Self.refusals(f).last)
            #expect(last.event.count == 15 && last.event.reason.contains("15 earlier anonymous refusals"))
            // A signed-in user's refusals are always written.
            _ = try await b.signIn("analyst", f.passwords["analyst"]!)
            let before = try Self.refusals(f).count
            for _ in 0..<15 { #expect(try await b.get("/api/v1/audit").status == .forbidden) }
            #expect(try Self.refusals(f).count == before + 15)
        }
    }

    @Test("with refusals in it, the store's trail still verifies (SQLite, sealed, with a signed head)")
    func trailStillVerifies() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("refusals-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = GovernancePaths(store: dir + "/s.db", environment: [:])
        let governance = try Governance(paths: paths, user: User(name: "test", role: nil, authentication: .system)) { sealer in
            try SQLiteStore(path: dir + "/s.db", auditSealer: sealer)
        }
        let store = try #require(governance.store as? SQLiteStore)
        let p = Pseudonymiser(key: SymmetricKey(data: Array(repeating: UInt8(9), count: 32)))
        let flagged = try DemoWorkspace.fill(store, persons: 12, flagged: 3) { p.pseudonym($0.rawValue) }
        let clock = TestClock()
        let app = StoreBackedTests.app(store, clock: clock)
        let users = try app.createDemoUsers()
        try store.assign(CaseAssignment(subject: flagged[0], practitioner: "demo-practitioner2", assignedBy: "test", assignedAt: 0))
        try await StoreBackedTests.live(app, clock: clock) { b in
            _ = try await b.signIn("demo-practitioner", users.first { $0.name == "demo-practitioner" }!.password)
            #expect(try await b.get("/people/\(flagged[0])").status == .notFound)
            #expect(try await b.get("/audit").status == .forbidden)
            b.cookie = nil
            let page = try await b.get("/login")
            #expect(try await b.post("/login", form: ["csrf": Browser.csrf(page) ?? "", "name": "demo-auditor", "password": "wrong"]).status == .unauthorized)
        }
        let log = try store.auditLog()
        #expect(log.filter { $0.action == "refused" }.count == 3)
        #expect(log.contains { $0.action == "refused" && $0.event.subject == flagged[0] && $0.event.actor.name == "demo-practitioner" })
        let verification = try governance.verify()
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        #expect(verification.entries == log.count)
    }
}
