import Foundation
import Hummingbird
import HummingbirdBcrypt
import UpstreamGovernance
import UpstreamStore

/// The signed-in user's own account: changing the password (with the current one, the session's CSRF token, and an
/// audit entry), and setting up or removing a second factor (TOTP, RFC 6238). A wrong current password counts towards
/// the lockout like a failed sign-in; a password change or a new second factor ends every session of the user and
/// starts a new one for this browser.
struct AccountRoutes {
    let app: WebApp
    var ws: WebWorkspace { app.workspace }

    /// The shortest and longest new password accepted (ASVS 2.1.1 and 2.1.2).
    static let minimumLength = 12
    static let maximumLength = 128

    static let notices: [String: String] = [
        "password": "Password changed. Your other sessions were ended.",
        "totp-on": "Authenticator set up: signing in now needs its code. Your other sessions were ended.",
        "totp-off": "Authenticator removed: signing in needs your password only.",
    ]

    func add(to group: RouterGroup<SignedInContext>) {
        group.get("/account") { request, c in
            let notice = request.uri.queryParameters["done"].flatMap { Self.notices[String($0)] }
            return WebApp.html(try await app.offload { try page(c, notice: notice, error: nil) })
        }
        accountForm(group, "/account/totp", done: "totp-on", renewsSession: true) { user, form in
            try setUpTOTP(user: user, current: form["current"] ?? "", secret: form["secret"] ?? "", code: form["code"] ?? "")
        }
        accountForm(group, "/account/totp/remove", done: "totp-off", renewsSession: false) { user, form in
            try removeTOTP(user: user, current: form["current"] ?? "", code: form["code"] ?? "")
        }
        accountForm(group, "/account/password", done: "password", renewsSession: true) { user, form in
            try changePassword(user: user, current: form["current"] ?? "", new: form["new"] ?? "", confirm: form["confirm"] ?? "")
        }
    }

    /// One account form: checks the CSRF token, runs `action` on the blocking pool, shows the account page with the
    /// error for a bad request or a wrong current password, and otherwise redirects to `/account?done=…` (after ending
    /// the user's sessions and starting a new one for this browser when `renewsSession`).
    func accountForm(_ group: RouterGroup<SignedInContext>, _ path: RouterPath, done: String, renewsSession: Bool,
                     _ action: @escaping @Sendable (User, [String: String]) throws -> Void) {
        group.post(path) { request, c in
            let form = try await WebApp.checkedForm(request, context: c)
            let user = c.user
            do {
                try await app.offload { try action(user, form) }
            } catch let e as WebError where e.code == .badRequest || e.code == .badCredentials {
                return WebApp.html(try await app.offload { try page(c, notice: nil, error: e.message) }, status: e.status)
            }
            guard renewsSession else { return WebApp.redirect("/account?done=\(done)") }
            await app.sessions.endAll(of: user.name)
            // A password change keeps a pending enrolment pending; setting up the authenticator ends it.
            let session = await app.sessions.create(user: user, now: ws.now(), mustEnrol: c.session.mustEnrol && done != "totp-on")
            return WebApp.redirect("/account?done=\(done)", cookie: Cookies.set(session.id, secure: app.configuration.secureCookies))
        }
    }

    /// The account page: the password form, and the authenticator's state (with a new secret to set one up).
    func page(_ c: SignedInContext, notice: String?, error: String?) throws -> String {
        let stored = try ws.users.user(named: c.user.name)
        let secret = stored?.totpSecret == nil ? TOTP(secret: TOTP.newSecret()) : nil
        return Pages.account(user: c.user, csrf: c.session.csrf, notice: notice, error: error, totpEnabled: stored?.totpSecret != nil,
                             newTOTP: secret, mustEnrol: c.session.mustEnrol,
                             required: app.configuration.secondFactorRoles.contains(c.role))
    }

    /// The stored user after checking the current password; a wrong one counts towards the lockout and is audited
    /// (`refused`, and `account-locked` at the limit) with the counters, in one transaction.
    /// - Throws: ``WebError`` 401 when the password is wrong.
    func checkCurrent(_ user: User, _ current: String, route: String) throws -> StoredUser {
        guard var stored = try ws.users.user(named: user.name), !stored.disabled else { throw WebError.signInRequired }
        guard Bcrypt.verify(current, hash: stored.passwordHash) else {
            stored.failedLogins += 1
            var events = [WebWorkspace.refusal(at: ws.now(), actor: user.actor, route: route, method: "POST", status: 401,
                                               reason: "wrong current password", count: stored.failedLogins)]
            if stored.failedLogins >= app.configuration.lockAfter {
                stored.lockedUntil = ws.now() + app.configuration.lockSeconds
                events.append(AuditEvent(at: ws.now(), actor: user.actor, action: "account-locked", subject: user.name,
                                         count: stored.failedLogins, detail: "wrong current password on the account page"))
            }
            try ws.saveUser(stored, audit: events)
            throw WebError(.badCredentials, "the current password is wrong")
        }
        return stored
    }

    /// Sets up a second factor: the current password, and a code from the authenticator for `secret` (so the user
    /// has stored it); the secret is stored sealed (``SecondFactorVault``), with its `totp-enable` entry in one
    /// transaction.
    func setUpTOTP(user: User, current: String, secret: String, code: String) throws {
        var stored = try checkCurrent(user, current, route: "/account/totp")
        guard stored.totpSecret == nil else { throw WebError.badRequest("an authenticator is already set up: remove it first") }
        guard let bytes = TOTP.base32Decode(secret), bytes.count >= 16 else { throw WebError.badRequest("the form's secret is damaged: reload the page") }
        guard TOTP(secret: bytes).verify(code, at: ws.now()) else {
            throw WebError.badRequest("that code does not match: check the authenticator's clock, and type the code it shows now")
        }
        stored.totpSecret = try app.vault.seal(bytes, user: user.name)
        stored.failedLogins = 0
        try ws.saveUser(stored, action: "totp-enable", user: user, subject: user.name, detail: "web")
    }

    /// Removes the second factor: the current password and a current code; `totp-disable` in one transaction with
    /// the change. Refused for a role that needs a second factor (an admin resets a lost one; the user then sets up
    /// a new one at their next sign-in).
    func removeTOTP(user: User, current: String, code: String) throws {
        if let role = user.role, app.configuration.secondFactorRoles.contains(role) {
            throw WebError.badRequest("the role \(role.rawValue) needs a second factor, so it cannot be removed here: "
                                      + "if you lost your authenticator, ask an admin to reset it, then set up a new one")
        }
        var stored = try checkCurrent(user, current, route: "/account/totp/remove")
        guard let secret = stored.totpSecret.flatMap({ app.vault.open($0, user: user.name) }) else {
            throw WebError.badRequest("no authenticator is set up")
        }
        guard TOTP(secret: secret).verify(code, at: ws.now()) else { throw WebError.badRequest("that code does not match") }
        stored.totpSecret = nil
        try ws.saveUser(stored, action: "totp-disable", user: user, subject: user.name, detail: "web")
    }

    /// Checks the current password and the new one, then stores the new hash with its `password-change` entry in one
    /// transaction.
    /// - Throws: ``WebError`` 401 when the current password is wrong (counted towards the lockout), 400 when the new
    ///   one is too short, too long, the user's name, the same as the current one, or not confirmed.
    func changePassword(user: User, current: String, new: String, confirm: String) throws {
        var stored = try checkCurrent(user, current, route: "/account/password")
        guard new == confirm else { throw WebError.badRequest("the new password and its confirmation differ") }
        guard new.count >= Self.minimumLength, new.count <= Self.maximumLength else {
            throw WebError.badRequest("a password is \(Self.minimumLength) to \(Self.maximumLength) characters")
        }
        guard new != current else { throw WebError.badRequest("the new password is the same as the current one") }
        guard new.lowercased() != user.name.lowercased() else { throw WebError.badRequest("the password may not be your user name") }
        stored.passwordHash = Bcrypt.hash(new, cost: app.configuration.bcryptCost)
        stored.failedLogins = 0
        stored.lockedUntil = nil
        try ws.saveUser(stored, action: "password-change", user: user, subject: user.name, detail: "web")
    }
}

extension Pages {
    static func account(user: User, csrf: String, notice: String?, error: String?, totpEnabled: Bool, newTOTP: TOTP?,
                        mustEnrol: Bool = false, required: Bool = false) -> String {
        let factor: String
        if totpEnabled && required {
            factor = """
                <p>An authenticator app is set up: signing in needs its code. Your role needs it, so it cannot be removed here; if you lose it, ask an admin to reset it.</p>
                """
        } else if totpEnabled {
            factor = """
                <p>An authenticator app is set up: signing in needs its code.</p>
                <form method="post" action="/account/totp/remove">\(Layout.csrfField(csrf))
                <label for="rcurrent">Current password</label><input id="rcurrent" name="current" type="password" autocomplete="current-password" required>
                <label for="rcode">Code from the authenticator</label><input id="rcode" name="code" inputmode="numeric" autocomplete="one-time-code" required pattern="[0-9 ]{6,8}" size="8">
                <p><button type="submit">Remove the authenticator</button></p></form>
                """
        } else if let t = newTOTP {
            factor = """
                <p>Add this key to an authenticator app (six digits, every 30 seconds, SHA-1), then type the code it shows.</p>
                <p>Key: <code>\(e(t.base32Secret))</code></p>
                <p class="muted">Or the app's link: <code>\(e(t.uri(account: user.name)))</code></p>
                <form method="post" action="/account/totp">\(Layout.csrfField(csrf))
                <input type="hidden" name="secret" value="\(e(t.base32Secret))">
                <label for="tcurrent">Current password</label><input id="tcurrent" name="current" type="password" autocomplete="current-password" required>
                <label for="tcode">Code from the authenticator</label><input id="tcode" name="code" inputmode="numeric" autocomplete="one-time-code" required pattern="[0-9 ]{6,8}" size="8">
                <p><button type="submit">Set up the authenticator</button></p></form>
                """
        } else {
            factor = ""
        }
        return Layout.page(title: "Account", user: user, csrf: csrf, body: """
            <h1>Your account</h1>
            \(notice.map { "<p class=\"notice\" role=\"status\">\(e($0))</p>" } ?? "")
            \(error.map { "<p class=\"error\" role=\"alert\">\(e($0))</p>" } ?? "")
            \(mustEnrol ? "<p class=\"error\" role=\"alert\">Your role (\(e(user.role?.rawValue ?? ""))) needs a second factor: set up an authenticator app below before using Upstream.</p>" : "")
            <p>Signed in as <strong>\(e(user.name))</strong> (\(e(user.role?.rawValue ?? ""))).</p>
            <h2>Change your password</h2>
            <form method="post" action="/account/password">\(Layout.csrfField(csrf))
            <label for="current">Current password</label>
            <input id="current" name="current" type="password" autocomplete="current-password" required>
            <label for="new">New password (\(AccountRoutes.minimumLength) to \(AccountRoutes.maximumLength) characters)</label>
            <input id="new" name="new" type="password" autocomplete="new-password" required minlength="\(AccountRoutes.minimumLength)" maxlength="\(AccountRoutes.maximumLength)">
            <label for="confirm">New password again</label>
            <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="\(AccountRoutes.minimumLength)" maxlength="\(AccountRoutes.maximumLength)">
            <p><button type="submit">Change password</button></p>
            </form>
            <p class="muted">Changing your password ends your other sessions. Five wrong current passwords lock the account for 15 minutes.</p>
            <h2>Second factor</h2>
            \(factor)
            """)
    }
}
