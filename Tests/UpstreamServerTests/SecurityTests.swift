import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import UpstreamGovernance
import UpstreamServer
import UpstreamStore

@Suite("Web app security over real HTTP")
struct SecurityTests {
    @Test("every response carries the CSP and security headers, errors and public routes included")
    func securityHeadersEverywhere() async throws {
        let f = try Fixture()
        try await f.live { b in
            for uri in ["/health", "/login", "/no-such-page", "/assets/app.css", "/api/v1/queue", "/openapi.json", "/metrics"] {
                let r = try await b.get(uri)
                let csp = try #require(r.headers[.contentSecurityPolicy], "\(uri)")
                #expect(csp.contains("default-src 'none'"), "\(uri)")
                #expect(csp.contains("frame-ancestors 'none'"), "\(uri)")
                #expect(!csp.contains("unsafe-inline"), "\(uri)")
                #expect(r.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                #expect(r.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(uri)")
                #expect(r.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(uri)")
            }
            #expect(try await b.get("/no-such-page").status == .notFound)
            #expect(try await b.get("/login").headers[.cacheControl] == "no-store", "pages may hold person data: never cached")
            #expect(try await b.get("/login").headers[.strictTransportSecurity] == nil, "no HSTS on plain loopback HTTP")
            #expect(try await b.get("/health").text == #"{"status":"ok"}"#)
        }
    }

    @Test("the session cookie is HttpOnly and SameSite=Strict, and Secure off loopback")
    func cookieAttributes() async throws {
        let f = try Fixture()
        try await f.live { b in
            let set = try #require(try await b.get("/login").headers[.setCookie])
            #expect(set.contains("HttpOnly"))
            #expect(set.contains("SameSite=Strict"))
            #expect(set.contains("Path=/"))
            #expect(!set.contains("Secure"), "on loopback the cookie cannot be Secure (no TLS)")
        }
        // Off loopback (behind TLS): Secure cookies and HSTS.
        let exposed = try Fixture(host: "0.0.0.0")
        try await exposed.live { b in
            let r = try await b.get("/login")
            #expect(r.headers[.setCookie]?.hasSuffix("; Secure") == true)
            #expect(r.headers[.strictTransportSecurity] == "max-age=31536000")
        }
        #expect(WebConfiguration(host: "0.0.0.0").secureCookies)
        #expect(WebConfiguration(host: "10.1.2.3").secureCookies)
        #expect(!WebConfiguration(host: "127.0.0.1").secureCookies)
        #expect(!WebConfiguration(host: "localhost").secureCookies)
    }

    @Test("session fixation: the session id changes at login and the id from before login is not signed in")
    func sessionFixation() async throws {
        let f = try Fixture()
        try await f.live { b in
            let page = try await b.get("/login")
            let before = try #require(b.cookie)
            let r = try await b.post("/login", form: ["csrf": Browser.csrf(page)!, "name": "analyst", "password": f.passwords["analyst"]!])
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/")
            let after = try #require(b.cookie)
            #expect(after != before)
            #expect(after.count == 64)
            // The planted (pre-login) id gives no access.
            let planted = try await b.get("/", cookie: before)
            #expect(planted.status == .seeOther)
            #expect(planted.headers[.location] == "/login")
            #expect(try await b.get("/").status == .ok)
        }
    }

    @Test("CSRF: a POST without the token or with a wrong one is refused with 403 and changes nothing")
    func csrf() async throws {
        let f = try Fixture()
        try await f.live { b in
            // The login form.
            _ = try await b.get("/login")
            #expect(try await b.post("/login", form: ["name": "analyst", "password": f.passwords["analyst"]!]).status == .forbidden)
            #expect(try await b.post("/login", form: ["csrf": String(repeating: "0", count: 64), "name": "analyst",
                                                     "password": f.passwords["analyst"]!]).status == .forbidden)
            // A decision by a signed-in practitioner.
            let token = try await b.signIn("practitioner", f.passwords["practitioner"]!)
            let audit = try f.store.auditCount()
            let form = ["decision": "offer-support", "reason": "mentoring offered"]
            #expect(try await b.post("/queue/\(f.mine)/decide", form: form).status == .forbidden)
            #expect(try await b.post("/queue/\(f.mine)/decide", form: form.merging(["csrf": "wrong"]) { $1 }).status == .forbidden)
            // Nothing but the two refusals was written.
            let added = try f.store.auditLog().dropFirst(audit)
            #expect(added.map(\.action) == ["refused", "refused"])
            #expect(added.allSatisfy { $0.event.reason == "CSRF token missing or wrong" && $0.event.actor.name == "practitioner" })
            #expect(try f.store.reviewItem(.riskFlags, subject: f.mine)?.pending == true)
            // The API's write needs the header.
            let api = try await b.client.execute(uri: "/api/v1/queue/\(f.mine)/decision", method: .post,
                                                 headers: [.cookie: "upstream_session=\(b.cookie!)", .contentType: "application/json"],
                                                 body: .init(string: #"{"decision":"offer-support","reason":"x"}"#))
            #expect(api.status == .forbidden)
            // With the token it goes through.
            #expect(try await b.post("/queue/\(f.mine)/decide", form: form.merging(["csrf": token]) { $1 }).status == .seeOther)
            #expect(try f.store.reviewItem(.riskFlags, subject: f.mine)?.pending == false)
            // Logout needs the token too.
            #expect(try await b.post("/logout", form: [:]).status == .forbidden)
        }
    }

    @Test("brute force: five wrong passwords lock the account, even against the right one, until the lock ends")
    func lockout() async throws {
        let f = try Fixture()
        try await f.live { b in
            let page = try await b.get("/login")
            let token = Browser.csrf(page)!
            for _ in 0..<5 {
                let r = try await b.post("/login", form: ["csrf": token, "name": "auditor", "password": "guess"])
                #expect(r.status == .unauthorized)
            }
            let user = try #require(try f.users.user(named: "auditor"))
            #expect(user.failedLogins == 5)
            #expect(user.lockedUntil == f.clock.now + 900)
            // The right password is refused with the same message while locked.
            let locked = try await b.post("/login", form: ["csrf": token, "name": "auditor", "password": f.passwords["auditor"]!])
            #expect(locked.status == .unauthorized)
            #expect(locked.text.contains("locked after too many failed attempts"))
            // An unknown user gets the same answer as a wrong password.
            let unknown = try await b.post("/login", form: ["csrf": token, "name": "nobody", "password": "x"])
            #expect(unknown.status == .unauthorized)
            #expect(try f.store.auditLog().contains { $0.action == "account-locked" && $0.event.actor.name == "auditor" })
            f.clock.advance(901)
            #expect(try await b.post("/login", form: ["csrf": token, "name": "auditor", "password": f.passwords["auditor"]!]).status == .seeOther)
            #expect(try f.users.user(named: "auditor")?.failedLogins == 0)
        }
    }

    @Test("login attempts from one address are rate limited")
    func rateLimit() async throws {
        let f = try Fixture(loginsPerMinute: 3)
        try await f.live { b in
            let token = Browser.csrf(try await b.get("/login"))!
            for _ in 0..<3 {
                #expect(try await b.post("/login", form: ["csrf": token, "name": "analyst", "password": "wrong"]).status == .unauthorized)
            }
            #expect(try await b.post("/login", form: ["csrf": token, "name": "analyst", "password": f.passwords["analyst"]!]).status == .tooManyRequests)
            f.clock.advance(61)
            #expect(try await b.post("/login", form: ["csrf": token, "name": "analyst", "password": f.passwords["analyst"]!]).status == .seeOther)
        }
    }

    @Test("IDOR: a practitioner cannot open, identify or decide on another practitioner's young person")
    func idor() async throws {
        let f = try Fixture()
        try await f.live { b in
            let token = try await b.signIn("practitioner2", f.passwords["practitioner2"]!)
            let audit = try f.store.auditCount()
            #expect(try await b.get("/people/\(f.mine)").status == .notFound)
            #expect(try await b.get("/api/v1/people/\(f.mine)").status == .notFound)
            #expect(try await b.post("/people/\(f.mine)/identify", form: ["csrf": token, "purpose": "curious"]).status == .notFound)
            #expect(try await b.post("/queue/\(f.mine)/decide", form: ["csrf": token, "decision": "no-further-action", "reason": "x"]).status == .notFound)
            // An unknown pseudonym gives the same answer: nothing tells the two apart.
            let unknown = f.pseudonymiser.pseudonym("P99999")
            let r = try await b.get("/people/\(unknown)")
            #expect(r.status == .notFound)
            // Refused views are not views: only `refused` entries, the four on a real pseudonym naming it, the unknown one not.
            let added = try f.store.auditLog().dropFirst(audit)
            #expect(added.map(\.action) == Array(repeating: "refused", count: 5), "refused views are not views")
            #expect(added.map(\.event.subject) == [f.mine, f.mine, f.mine, f.mine, ""])
            // Their own young person opens, and the queue lists only them.
            #expect(try await b.get("/people/\(f.theirs)").status == .ok)
            let queue = try await b.get("/queue").text
            #expect(queue.contains(f.theirs))
            #expect(!queue.contains(f.mine))
        }
    }

    @Test("SQL injection in search parameters and paths finds nothing and changes nothing")
    func sqlInjection() async throws {
        let f = try Fixture()
        try await f.live { b in
            _ = try await b.signIn("auditor", f.passwords["auditor"]!)
            let before = try f.store.auditCount()
            for attack in ["' OR '1'='1", "x'; DROP TABLE audit_log; --", "\" OR 1=1 --", "%' UNION SELECT * FROM users --",
                           "<script>alert(1)</script>"] {
                let q = attack.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let r = try await b.get("/api/v1/audit?actor=\(q)&subject=\(q)")
                #expect(r.status == .ok)
                #expect(r.text.contains(#""matched":0"#), "\(attack)")
                let page = try await b.get("/audit?action=\(q)")
                #expect(page.status == .ok)
                #expect(!page.text.contains(attack), "the attack must come back escaped, never raw")
                #expect(try await b.get("/api/v1/audit?from=\(q)").status == .badRequest)
            }
            #expect(try f.store.auditCount() == before)
            #expect(try f.users.users().count == Fixture.userNames.count)
            // A pseudonym that is SQL is not a pseudonym.
            _ = try await b.signIn("analyst", f.passwords["analyst"]!)
            #expect(try await b.get("/people/YP-'%20OR%20'1'='1").status == .notFound)
        }
    }

    @Test("path traversal on the asset route reaches no file")
    func pathTraversal() async throws {
        let f = try Fixture()
        try await f.live { b in
            for uri in ["/assets/../../../../etc/passwd", "/assets/..%2f..%2f..%2fetc%2fpasswd", "/assets/%2e%2e/%2e%2e/etc/passwd",
                        "/assets/..%5c..%5cetc%5cpasswd", "/assets/app.css%00.txt", "/assets/../Package.swift", "/assets/....//....//etc/passwd"] {
                let r = try await b.get(uri)
                #expect(r.status == .notFound, "\(uri): \(r.status)")
                #expect(!r.text.contains("root:"), "\(uri)")
                #expect(!r.text.contains("PackageDescription"), "\(uri)")
            }
            let css = try await b.get("/assets/app.css")
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
        }
    }

    @Test("signing out ends the session on the server")
    func signOut() async throws {
        let f = try Fixture()
        try await f.live { b in
            let token = try await b.signIn("admin", f.passwords["admin"]!)
            let id = try #require(b.cookie)
            let r = try await b.post("/logout", form: ["csrf": token])
            #expect(r.status == .seeOther)
            #expect(r.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await b.get("/admin/users", cookie: id).status == .seeOther)
            #expect(try f.store.auditLog().contains { $0.action == "sign-out" && $0.event.actor.name == "admin" })
        }
    }

    @Test("disabling a user or changing their role ends the sessions they have open")
    func accountChangesEndSessions() async throws {
        let f = try Fixture()
        try await f.live { b in
            let analyst = b.another()
            _ = try await analyst.signIn("analyst", f.passwords["analyst"]!)
            let supervisor = b.another()
            _ = try await supervisor.signIn("supervisor", f.passwords["supervisor"]!)
            let token = try await b.signIn("admin", f.passwords["admin"]!)
            #expect(try await analyst.get("/quality").status == .ok)
            #expect(try await b.post("/admin/users/analyst/disable", form: ["csrf": token]).status == .seeOther)
            #expect(try await analyst.get("/quality").status == .seeOther)
            #expect(try await b.post("/admin/users/supervisor/role", form: ["csrf": token, "role": "auditor"]).status == .seeOther)
            #expect(try await supervisor.get("/queue").status == .seeOther, "the old role's session is gone")
            #expect(try f.store.auditLog().contains { $0.action == "user-disable" && $0.event.subject == "analyst" })
        }
    }

    @Test("sessions end after 30 minutes idle")
    func idleTimeout() async throws {
        let f = try Fixture()
        try await f.live { b in
            _ = try await b.signIn("analyst", f.passwords["analyst"]!)
            f.clock.advance(29 * 60)
            #expect(try await b.get("/").status == .ok)
            f.clock.advance(31 * 60)
            #expect(try await b.get("/").status == .seeOther)
        }
    }

    @Test("logs and metrics carry route patterns, never pseudonyms or user names")
    func metricsWithoutPersonalData() async throws {
        let f = try Fixture()
        try await f.live { b in
            _ = try await b.signIn("supervisor", f.passwords["supervisor"]!)
            #expect(try await b.get("/people/\(f.mine)").status == .ok)
            let metrics = try await b.get("/metrics").text
            #expect(metrics.contains("upstream_http_requests_total"))
            #expect(metrics.contains("# HELP upstream_http_requests_total Requests answered"))
            #expect(metrics.contains("upstream_http_request_duration_seconds_bucket"))
            #expect(metrics.contains(#"route="/people/{pseudonym}""#))
            #expect(!metrics.contains(f.mine))
            #expect(!metrics.contains("supervisor"))
        }
    }
}
