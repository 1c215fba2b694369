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
        group.post("/account/totp") { request, c in
            let form = try await WebApp.checkedForm(request, context: c)
            let user = c.user
            do {
                try await app.offload {
                    try setUpTOTP(user: user, current: form["current"] ?? "", secret: form["secret"] ?? "", code: form["code"] ?? "")
                }
            } catch let e as WebError where e.code == .badRequest || e.code == .badCredentials {
                return WebApp.html(try await app.offload { try page(c, notice: nil, error: e.message) }, status: e.status)
            }
            await app.sessions.endAll(of: user.name)
            let session = await app.sessions.create(user: user, now: ws.now())
            return WebApp.redirect("/account?done=totp-on", cookie: Cookies.set(session.id, secure: app.configuration.secureCookies))
        }
        group.post("/account/totp/remove") { request, c in
            let form = try await WebApp.checkedForm(request, context: c)
            let user = c.user
            do {
                try await app.offload { try removeTOTP(user: user, current: form["current"] ?? "", code: form["code"] ?? "") }
            } catch let e as WebError where e.code == .badRequest || e.code == .badCredentials {
                return WebApp.html(try await app.offload { try page(c, notice: nil, error: e.message) }, status: e.status)
            }
            return WebApp.redirect("/account?done=totp-off")
        }
        group.post("/account/password") { request, c in
            let form = try await WebApp.checkedForm(request, context: c)
            let user = c.user
            do {
                try await app.offload {
                    try changePassword(user: user, current: form["current"] ?? "", new: form["new"] ?? "", confirm: form["confirm"] ?? "")
                }
            } catch let e as WebError where e.code == .badRequest || e.code == .badCredentials {
                return WebApp.html(try await app.offload { try page(c, notice: nil, error: e.message) }, status: e.status)
            }
            await app.sessions.endAll(of: user.name)
            let session = await app.sessions.create(user: user, now: ws.now())
            return WebApp.redirect("/account?done=password", cookie: Cookies.set(session.id, secure: app.configuration.secureCookies))
        }
    }

    /// The account page: the password form, and the authenticator's state (with a new secret to set one up).
    func page(_ c: SignedInContext, notice: String?, error: String?) throws -> String {
        let stored = try ws.users.user(named: c.user.name)
        let secret = stored?.totpSecret == nil ? TOTP(secret: TOTP.newSecret()) : nil
        return Pages.account(user: c.user, csrf: c.session.csrf, notice: notice, error: error, totpEnabled: stored?.totpSecret != nil,
                             newTOTP: secret)
    }

    /// The stored user after checking the current password; a wrong one counts towards the lockout.
    /// - Throws: ``WebError`` 401 when the password is wrong.
    func checkCurrent(_ user: User, _ current: String) throws -> StoredUser {
        guard var stored = try ws.users.user(named: user.name), !stored.disabled else { throw WebError.signInRequired }
        guard Bcrypt.verify(current, hash: stored.passwordHash) else {
            stored.failedLogins += 1
            if stored.failedLogins >= app.configuration.lockAfter {
                stored.lockedUntil = ws.now() + app.configuration.lockSeconds
                try ws.audit("account-locked", user: user, count: stored.failedLogins, detail: "wrong current password on the account page")
            }
            try ws.users.saveUser(stored)
            throw WebError(.badCredentials, "the current password is wrong")
        }
        return stored
    }

    /// Sets up a second factor: the current password, and a code from the authenticator for `secret` (so the user
    /// has stored it); audited `totp-enable`.
    func setUpTOTP(user: User, current: String, secret: String, code: String) throws {
        var stored = try checkCurrent(user, current)
        guard stored.totpSecret == nil else { throw WebError.badRequest("an authenticator is already set up: remove it first") }
        guard let bytes = TOTP.base32Decode(secret), bytes.count >= 16 else { throw WebError.badRequest("the form's secret is damaged: reload the page") }
        guard TOTP(secret: bytes).verify(code, at: ws.now()) else {
            throw WebError.badRequest("that code does not match: check the authenticator's clock, and type the code it shows now")
        }
        try ws.audit("totp-enable", user: user, subject: user.name, detail: "web")
        stored.totpSecret = TOTP.base32(bytes)
        stored.failedLogins = 0
        try ws.users.saveUser(stored)
    }

    /// Removes the second factor: the current password and a current code; audited `totp-disable`.
    func removeTOTP(user: User, current: String, code: String) throws {
        var stored = try checkCurrent(user, current)
        guard let secret = stored.totpSecret.flatMap(TOTP.base32Decode) else { throw WebError.badRequest("no authenticator is set up") }
        guard TOTP(secret: secret).verify(code, at: ws.now()) else { throw WebError.badRequest("that code does not match") }
        try ws.audit("totp-disable", user: user, subject: user.name, detail: "web")
        stored.totpSecret = nil
        try ws.users.saveUser(stored)
    }

    /// Checks the current password and the new one, then stores the new hash and audits `password-change`.
    /// - Throws: ``WebError`` 401 when the current password is wrong (counted towards the lockout), 400 when the new
    ///   one is too short, too long, the user's name, the same as the current one, or not confirmed.
    func changePassword(user: User, current: String, new: String, confirm: String) throws {
        var stored = try checkCurrent(user, current)
        guard new == confirm else { throw WebError.badRequest("the new password and its confirmation differ") }
        guard new.count >= Self.minimumLength, new.count <= Self.maximumLength else {
            throw WebError.badRequest("a password is \(Self.minimumLength) to \(Self.maximumLength) characters")
        }
        guard new != current else { throw WebError.badRequest("the new password is the same as the current one") }
        guard new.lowercased() != user.name.lowercased() else { throw WebError.badRequest("the password may not be your user name") }
        try ws.audit("password-change", user: user, subject: user.name, detail: "web")
        stored.passwordHash = Bcrypt.hash(new, cost: app.configuration.bcryptCost)
        stored.failedLogins = 0
        stored.lockedUntil = nil
        try ws.users.saveUser(stored)
    }
}

extension Pages {
    static func account(user: User, csrf: String, notice: String?, error: String?, totpEnabled: Bool, newTOTP: TOTP?) -> String {
        let factor: String
        if totpEnabled {
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
