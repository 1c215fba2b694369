import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
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

    @Test("a user sets up an authenticator with a code for the shown key; sign-in then needs a current code; an admin can remove it")
    func setUpAndSignIn() async throws {
        let f = try Fixture()
        let password = f.passwords["practitioner"]!
        try await f.live { b in
            let token = try await b.signIn("practitioner", password)
            let account = try await b.get("/account")
            let html = account.text
            let secret = try #require(html.range(of: "name=\"secret\" value=\"").map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })
            let key = try #require(TOTP.base32Decode(secret))
            #expect(key.count == 20)
            #expect(html.contains("otpauth://totp/Upstream:practitioner?secret=\(secret)"))
            let totp = TOTP(secret: key)
            let now = f.clock.now
            // A code for another time step (two steps away) is refused, and nothing is stored.
            let wrong = try await b.post("/account/totp", form: ["csrf": token, "current": password, "secret": secret, "code": totp.code(at: now + 90)])
            #expect(wrong.status == .badRequest)
            #expect(try f.users.user(named: "practitioner")?.totpSecret == nil)
            let ok = try await b.post("/account/totp", form: ["csrf": token, "current": password, "secret": secret, "code": totp.code(at: now)])
            #expect(ok.status == .seeOther)
            #expect(try f.users.user(named: "practitioner")?.totpSecret == secret)
            #expect(try f.store.auditLog().contains { $0.action == "totp-enable" && $0.event.subject == "practitioner" })
            #expect(try await b.get("/account").text.contains("An authenticator app is set up"))

            // Sign-in: the password alone, or with a wrong code, fails like a wrong password (and counts); with the code it works.
            #expect(try await Self.signIn(b, "practitioner", password, code: "").status == .unauthorized)
            #expect(try await Self.signIn(b, "practitioner", password, code: totp.code(at: now - 120)).status == .unauthorized)
            #expect(try f.users.user(named: "practitioner")?.failedLogins == 2)
            f.clock.advance(30)  // one step later: the code of this step
            #expect(try await Self.signIn(b, "practitioner", password, code: totp.code(at: f.clock.now)).status == .seeOther)
            #expect(try f.users.user(named: "practitioner")?.failedLogins == 0)

            // The admin removes it (lost phone): the password alone signs in again.
            let admin = try await b.signIn("admin", f.passwords["admin"]!)
            #expect(try await b.get("/admin/users").text.contains("Remove authenticator"))
            #expect(try await b.post("/admin/users/practitioner/totp-reset", form: ["csrf": admin]).status == .seeOther)
            #expect(try f.users.user(named: "practitioner")?.totpSecret == nil)
            #expect(try f.store.auditLog().contains { $0.action == "user-totp-reset" && $0.event.subject == "practitioner" })
            #expect(try await Self.signIn(b, "practitioner", password, code: "").status == .seeOther)
        }
    }

    @Test("removing the authenticator needs the current password and a current code")
    func remove() async throws {
        let f = try Fixture()
        let password = f.passwords["analyst"]!
        let key = TOTP.newSecret()
        var u = try #require(try f.users.user(named: "analyst"))
        u.totpSecret = TOTP.base32(key)
        try f.users.saveUser(u)
        let totp = TOTP(secret: key)
        try await f.live { b in
            #expect(try await Self.signIn(b, "analyst", password, code: totp.code(at: f.clock.now)).status == .seeOther)
            let token = Browser.csrf(try await b.get("/account")) ?? ""
            #expect(try await b.post("/account/totp/remove", form: ["csrf": token, "current": password, "code": "000000"]).status == .badRequest
                    || totp.code(at: f.clock.now) == "000000")
            #expect(try await b.post("/account/totp/remove", form: ["csrf": token, "current": "wrong password", "code": totp.code(at: f.clock.now)]).status == .unauthorized)
            #expect(try await b.post("/account/totp/remove", form: ["csrf": token, "current": password, "code": totp.code(at: f.clock.now)]).status == .seeOther)
            #expect(try f.users.user(named: "analyst")?.totpSecret == nil)
            #expect(try f.store.auditLog().contains { $0.action == "totp-disable" })
        }
    }
}
