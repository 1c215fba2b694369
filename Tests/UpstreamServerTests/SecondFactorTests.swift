import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import UpstreamGovernance
import UpstreamServer
import UpstreamStore

@Suite("A second factor (TOTP) at sign-in")
struct SecondFactorTests {
    /// Signs in with a code; returns the response to the login POST.
    static func signIn(_ b: Browser, _ name: String, _ password: String, code: String) async throws -> TestResponse {
        b.cookie = nil
        let page = try await b.get("/login")
        return try await b.post("/login", form: ["csrf": Browser.csrf(page) ?? "", "name": name, "password": password, "code": code])
    }

    @Test("a user sets up an authenticator with a code for the shown key; the store keeps it sealed; sign-in then needs a current code; an admin can remove it")
    func setUpAndSignIn() async throws {
        let f = try Fixture()
        let password = f.passwords["analyst"]!
        try await f.live { b in
            let token = try await b.signIn("analyst", password)
            let account = try await b.get("/account")
            let html = account.text
            #expect(!html.contains("needs a second factor"), "an analyst may use Upstream without one")
            let secret = try #require(html.range(of: "name=\"secret\" value=\"").map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })
            let key = try #require(TOTP.base32Decode(secret))
            #expect(key.count == 20)
            #expect(html.contains("otpauth://totp/Upstream:analyst?secret=\(secret)"))
            let totp = TOTP(secret: key)
            let now = f.clock.now
            // A code for another time step (two steps away) is refused, and nothing is stored.
            let wrong = try await b.post("/account/totp", form: ["csrf": token, "current": password, "secret": secret, "code": totp.code(at: now + 90)])
            #expect(wrong.status == .badRequest)
            #expect(try f.users.user(named: "analyst")?.totpSecret == nil)
            let ok = try await b.post("/account/totp", form: ["csrf": token, "current": password, "secret": secret, "code": totp.code(at: now)])
            #expect(ok.status == .seeOther)
            // Stored sealed: not the secret, not its bytes in any encoding; it opens only under the vault's key, for this user.
            let stored = try #require(try f.users.user(named: "analyst")?.totpSecret)
            #expect(stored != secret && !stored.contains(secret) && !stored.lowercased().contains(secret.lowercased()))
            #expect(!stored.contains(Data(key).base64EncodedString()))
            #expect(stored.hasPrefix("aes-gcm-v1:"))
            #expect(f.vault.open(stored, user: "analyst") == key)
            #expect(f.vault.open(stored, user: "auditor") == nil, "a sealed secret copied to another user's row does not open")
            #expect(SecondFactorVault().open(stored, user: "analyst") == nil, "nor under another key")
            #expect(try f.store.auditLog().contains { $0.action == "totp-enable" && $0.event.subject == "analyst" })
            #expect(try await b.get("/account").text.contains("An authenticator app is set up"))

            // Sign-in: the password alone, or with a wrong code, fails like a wrong password (and counts); with the code it works.
            #expect(try await Self.signIn(b, "analyst", password, code: "").status == .unauthorized)
            #expect(try await Self.signIn(b, "analyst", password, code: totp.code(at: now - 120)).status == .unauthorized)
            #expect(try f.users.user(named: "analyst")?.failedLogins == 2)
            f.clock.advance(30)  // one step later: the code of this step
            #expect(try await Self.signIn(b, "analyst", password, code: totp.code(at: f.clock.now)).status == .seeOther)
            #expect(try f.users.user(named: "analyst")?.failedLogins == 0)

            // The admin removes it (lost phone): the password alone signs in again.
            let admin = try await b.signIn("admin", f.passwords["admin"]!)
            #expect(try await b.get("/admin/users").text.contains("Remove authenticator"))
            #expect(try await b.post("/admin/users/analyst/totp-reset", form: ["csrf": admin]).status == .seeOther)
            #expect(try f.users.user(named: "analyst")?.totpSecret == nil)
            #expect(try f.store.auditLog().contains { $0.action == "user-totp-reset" && $0.event.subject == "analyst" })
            #expect(try await Self.signIn(b, "analyst", password, code: "").status == .seeOther)
        }
    }

    @Test("removing the authenticator needs the current password and a current code; a plain secret of an older build is sealed at sign-in")
    func remove() async throws {
        let f = try Fixture()
        let password = f.passwords["analyst"]!
        let key = TOTP.newSecret()
        var u = try #require(try f.users.user(named: "analyst"))
        u.totpSecret = TOTP.base32(key)  // as an older build stored it
        try f.users.saveUser(u)
        let totp = TOTP(secret: key)
        try await f.live { b in
            #expect(try await Self.signIn(b, "analyst", password, code: totp.code(at: f.clock.now)).status == .seeOther)
            let sealed = try #require(try f.users.user(named: "analyst")?.totpSecret)
            #expect(sealed.hasPrefix("aes-gcm-v1:") && f.vault.open(sealed, user: "analyst") == key)
            let token = Browser.csrf(try await b.get("/account")) ?? ""
            #expect(try await b.post("/account/totp/remove", form: ["csrf": token, "current": password, "code": "000000"]).status == .badRequest
                    || totp.code(at: f.clock.now) == "000000")
            #expect(try await b.post("/account/totp/remove", form: ["csrf": token, "current": "wrong password", "code": totp.code(at: f.clock.now)]).status == .unauthorized)
            #expect(try await b.post("/account/totp/remove", form: ["csrf": token, "current": password, "code": totp.code(at: f.clock.now)]).status == .seeOther)
            #expect(try f.users.user(named: "analyst")?.totpSecret == nil)
            #expect(try f.store.auditLog().contains { $0.action == "totp-disable" })
        }
    }

    @Test("a practitioner, supervisor or admin without an authenticator is kept on the account page until they set one up")
    func forcedEnrolment() async throws {
        let f = try Fixture()
        let password = f.passwords["practitioner"]!
        try await f.live { b in
            b.cookie = nil
            let login = try await b.get("/login")
            let r = try await b.post("/login", form: ["csrf": Browser.csrf(login) ?? "", "name": "practitioner", "password": password])
            #expect(r.status == .seeOther && r.headers[.location] == "/account?enrol=1")
            // Every other page sends them back; the API and forms refuse (403), and the refusal is audited.
            #expect(try await b.get("/queue").headers[.location] == "/account?enrol=1")
            #expect(try await b.get("/people/\(f.mine)").headers[.location] == "/account?enrol=1")
            #expect(try await b.get("/api/v1/queue").status == .forbidden)
            #expect(try await b.get("/api/v1/me").status == .ok, "who am I still answers")
            let account = try await b.get("/account")
            #expect(account.status == .ok && account.text.contains("needs a second factor"))
            let token = Browser.csrf(account) ?? ""
            #expect(try await b.post("/queue/\(f.mine)/decide", form: ["csrf": token, "decision": "no-action", "reason": "x"]).status == .forbidden)
            #expect(try f.store.auditLog().contains {
                $0.action == "refused" && $0.event.actor.name == "practitioner" && $0.event.detail == "GET /api/v1/queue 403"
            })
            #expect(!(try f.store.auditLog().contains { $0.action.hasPrefix("view") || $0.action.hasPrefix("risk-review") }),
                    "nothing about a young person was shown or decided")

            // Setting it up opens the app; the role cannot remove it afterwards (an admin resets a lost one).
            try await b.enrol("practitioner", password)
            #expect(try await b.get("/queue").status == .ok)
            #expect(try f.users.user(named: "practitioner")?.totpSecret?.hasPrefix("aes-gcm-v1:") == true)
            let totp = Browser.authenticator("practitioner")
            let again = Browser.csrf(try await b.get("/account")) ?? ""
            #expect(try await b.get("/account").text.contains("cannot be removed here"))
            #expect(try await b.post("/account/totp/remove", form: ["csrf": again, "current": password, "code": totp.code(at: f.clock.now)]).status == .badRequest)
            #expect(try f.users.user(named: "practitioner")?.totpSecret != nil)

            // The next sign-in needs the code.
            #expect(try await Self.signIn(b, "practitioner", password, code: "").status == .unauthorized)
            let ok = try await Self.signIn(b, "practitioner", password, code: totp.code(at: f.clock.now))
            #expect(ok.status == .seeOther && ok.headers[.location] == "/")
        }
    }

    @Test("each role that may identify or administer must enrol; the others need not", arguments: Fixture.userNames)
    func rolesThatMustEnrol(_ user: (String, UpstreamGovernance.Role)) async throws {
        let f = try Fixture()
        try await f.live { b in
            let login = try await b.get("/login")
            let r = try await b.post("/login", form: ["csrf": Browser.csrf(login) ?? "", "name": user.0, "password": f.passwords[user.0]!])
            let must = [UpstreamGovernance.Role.practitioner, .supervisor, .admin].contains(user.1)
            #expect(r.headers[.location] == (must ? "/account?enrol=1" : "/"), "\(user.0)")
            #expect(try await b.get("/").status == (must ? .seeOther : .ok), "\(user.0)")
        }
    }

    @Test("the vault's key file is created once, 0600, beside the pseudonymisation key; an exposed or damaged one is refused")
    func keyFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("totp-key-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = dir + "/team.db"
        let path = SecondFactorVault.keyPath(forStore: store, environment: [:])
        #expect(path == dir + "/team.db.totp-key")
        #expect(GovernancePaths(store: store, environment: [:]).pseudonymKey == dir + "/team.db.key")
        let first = try SecondFactorVault.forStore(store, environment: [:])
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let sealed = try first.seal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], user: "u")
        #expect(try SecondFactorVault.forStore(store, environment: [:]).open(sealed, user: "u") == Array(1...16), "the same key next time")
        // Keys dir: beside the pseudonymisation key there too.
        #expect(SecondFactorVault.keyPath(forStore: store, environment: ["UPSTREAM_KEYS_DIR": "/keys"]) == "/keys/team.db.totp-key")

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: GovernanceError.self) { try SecondFactorVault.forStore(store, environment: [:]) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "upstream-key v1 ", with: "upstream-key v1 0").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(throws: GovernanceError.self) { try SecondFactorVault.forStore(store, environment: [:]) }
    }
}
