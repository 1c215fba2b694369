import Foundation
import Hummingbird
import HummingbirdBcrypt
import UpstreamGovernance
import UpstreamStore

/// Signing in and out. The login form gets an anonymous session that holds only its CSRF token; a successful login
/// ends that session and starts a new one with a new id (so an id planted before login is worthless); failures count
/// towards the user's lockout and the address's rate limit, and every outcome says the same thing, so the form does
/// not tell which names exist.
struct AuthRoutes {
    let app: WebApp
    var users: any UserStore { app.workspace.users }
    var now: Int64 { app.workspace.now() }

    static let failure = "the user name or password is wrong, or the account is locked after too many failed attempts"
    /// A bcrypt hash to check against when the user does not exist, so both cases take the same time.
    static let decoy = Bcrypt.hash("upstream-decoy-password", cost: 4)

    func add(to router: Router<WebContext>) {
        router.get("/login") { _, context in
            if context.session?.user != nil { return WebApp.redirect("/") }
            if let s = context.session { return WebApp.html(Pages.login(csrf: s.csrf, error: nil)) }
            let s = await app.sessions.create(user: nil, now: now)
            return WebApp.html(Pages.login(csrf: s.csrf, error: nil), cookie: Cookies.set(s.id, secure: app.configuration.secureCookies))
        }
        router.post("/login") { request, context in try await login(request, context: context) }
        router.post("/logout") { request, context in
            let form = try await WebApp.form(request, context: context)
            try WebApp.checkCSRF(form["csrf"], session: context.session)
            if let s = context.session {
                if let u = s.user { try await app.offload { try app.workspace.audit("sign-out", user: u) } }
                await app.sessions.end(s.id)
            }
            return WebApp.redirect("/login", cookie: Cookies.clear(secure: app.configuration.secureCookies))
        }
    }

    func login(_ request: Request, context: WebContext) async throws -> Response {
        let form = try await WebApp.form(request, context: context)
        try WebApp.checkCSRF(form["csrf"], session: context.session)
        guard let anonymous = context.session else { throw WebError.csrf }
        guard await app.throttle.allow(context.clientAddress, now: now) else { throw WebError.tooManyRequests }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        let code = form["code"] ?? ""
        let t = now
        guard let (signedIn, mustEnrol) = try await app.offload({ try verify(name: name, password: password, code: code, at: t) }) else {
            return WebApp.html(Pages.login(csrf: anonymous.csrf, error: Self.failure, name: name), status: .unauthorized)
        }
        await app.sessions.end(anonymous.id)
        let session = await app.sessions.create(user: signedIn, now: t, mustEnrol: mustEnrol)
        try await app.offload {
            try app.workspace.audit("sign-in", user: signedIn, detail: mustEnrol ? "second factor to set up" : "")
        }
        return WebApp.redirect(mustEnrol ? "/account?enrol=1" : "/",
                               cookie: Cookies.set(session.id, secure: app.configuration.secureCookies))
    }

    /// Checks a password (bcrypt, on the blocking pool) and, for a user who set up a second factor, the TOTP code, and
    /// keeps the lockout counters: the signed-in user and whether their role still needs a second factor set up, or
    /// nil for any failure (unknown name, locked, disabled, wrong password, missing or wrong code), each answered
    /// alike. Every failure is audited (`refused`, with why) in the same transaction as the user's counters; a lockout
    /// adds `account-locked`. The actor is the name given when such a user exists (self-asserted: not signed in),
    /// else `anonymous`; the password and code are never recorded.
    func verify(name: String, password: String, code: String, at t: Int64) throws -> (User, mustEnrol: Bool)? {
        let ws = app.workspace
        func refusal(_ actor: AuditActor, _ reason: String, count: Int = 0) -> AuditEvent {
            WebWorkspace.refusal(at: t, actor: actor, route: "/login", method: "POST", status: 401, reason: reason, count: count)
        }
        guard var user = try users.user(named: name) else {
            _ = Bcrypt.verify(password, hash: Self.decoy)
            _ = try ws.store.appendAudit([refusal(WebWorkspace.anonymous, "sign-in failed: unknown user name")])
            return nil
        }
        let claimed = AuditActor(name: user.name, kind: .selfAsserted, role: user.role)
        if let until = user.lockedUntil, until > t {
            _ = Bcrypt.verify(password, hash: Self.decoy)
            _ = try ws.store.appendAudit([refusal(claimed, "sign-in failed: the account is locked", count: user.failedLogins)])
            return nil
        }
        let secret = user.totpSecret.map { app.vault.open($0, user: user.name) }
        let secondFactor = secret.map { $0.map { TOTP(secret: $0).verify(code, at: t) } ?? false } ?? true
        let passwordOK = !user.disabled && Bcrypt.verify(password, hash: user.passwordHash)
        guard passwordOK, secondFactor, let role = Role(rawValue: user.role) else {
            user.failedLogins += 1
            let why = user.disabled ? "the account is disabled" : !passwordOK ? "wrong password" : secondFactor ? "unknown role" : "wrong or missing authenticator code"
            var events = [refusal(claimed, "sign-in failed: \(why)", count: user.failedLogins)]
            if user.failedLogins >= app.configuration.lockAfter {
                user.lockedUntil = t + app.configuration.lockSeconds
                events.append(AuditEvent(at: t, actor: claimed, action: "account-locked", subject: user.name, count: user.failedLogins,
                                         detail: "locked for \(app.configuration.lockSeconds) s"))
            }
            try ws.saveUser(user, audit: events)
            return nil
        }
        user.failedLogins = 0
        user.lockedUntil = nil
        // A secret an older build stored in plain is sealed now.
        if let stored = user.totpSecret, !SecondFactorVault.isSealed(stored), let bytes = secret ?? nil {
            user.totpSecret = try app.vault.seal(bytes, user: user.name)
        }
        try users.saveUser(user)
        return (User.authenticated(user.name, role: role),
                user.totpSecret == nil && app.configuration.secondFactorRoles.contains(role))
    }
}
