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
        func fail() -> Response {
            WebApp.html(Pages.login(csrf: anonymous.csrf, error: Self.failure, name: name), status: .unauthorized)
        }
        let t = now
        guard let signedIn = try await app.offload({ try verify(name: name, password: password, code: code, at: t) }) else { return fail() }
        await app.sessions.end(anonymous.id)
        let session = await app.sessions.create(user: signedIn, now: t)
        try await app.offload { try app.workspace.audit("sign-in", user: signedIn) }
        return WebApp.redirect("/", cookie: Cookies.set(session.id, secure: app.configuration.secureCookies))
    }

    /// Checks a password (bcrypt, on the blocking pool) and, for a user who set up a second factor, the TOTP code, and
    /// keeps the lockout counters: the signed-in user, or nil for any failure (unknown name, locked, disabled, wrong
    /// password, missing or wrong code), each answered alike.
    func verify(name: String, password: String, code: String, at t: Int64) throws -> User? {
        guard var user = try users.user(named: name) else {
            _ = Bcrypt.verify(password, hash: Self.decoy)
            return nil
        }
        if let until = user.lockedUntil, until > t {
            _ = Bcrypt.verify(password, hash: Self.decoy)
            return nil
        }
        let secondFactor = user.totpSecret.flatMap(TOTP.base32Decode).map { TOTP(secret: $0).verify(code, at: t) } ?? true
        guard !user.disabled, Bcrypt.verify(password, hash: user.passwordHash), secondFactor, let role = Role(rawValue: user.role) else {
            user.failedLogins += 1
            if user.failedLogins >= app.configuration.lockAfter {
                user.lockedUntil = t + app.configuration.lockSeconds
                try app.workspace.saveUser(user, action: "account-locked", user: .authenticated(user.name, role: Role(rawValue: user.role) ?? .analyst),
                                           subject: "", count: user.failedLogins, detail: "locked for \(app.configuration.lockSeconds) s")
            } else {
                try users.saveUser(user)
            }
            return nil
        }
        user.failedLogins = 0
        user.lockedUntil = nil
        try users.saveUser(user)
        return User.authenticated(user.name, role: role)
    }
}
