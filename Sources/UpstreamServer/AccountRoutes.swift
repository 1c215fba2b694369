import Foundation
import Hummingbird
import HummingbirdBcrypt
import UpstreamGovernance
import UpstreamStore

/// The signed-in user's own account: changing the password (with the current one, the session's CSRF token, and an
/// audit entry). A wrong current password counts towards the lockout like a failed sign-in; a change ends every
/// session of the user and starts a new one for this browser.
struct AccountRoutes {
    let app: WebApp
    var ws: WebWorkspace { app.workspace }

    /// The shortest and longest new password accepted (ASVS 2.1.1 and 2.1.2).
    static let minimumLength = 12
    static let maximumLength = 128

    static let notices: [String: String] = ["password": "Password changed. Your other sessions were ended."]

    func add(to group: RouterGroup<SignedInContext>) {
        group.get("/account") { request, c in
            let notice = request.uri.queryParameters["done"].flatMap { Self.notices[String($0)] }
            return WebApp.html(Pages.account(user: c.user, csrf: c.session.csrf, notice: notice, error: nil))
        }
        group.post("/account/password") { request, c in
            let form = try await WebApp.checkedForm(request, context: c)
            let user = c.user
            do {
                try await app.offload {
                    try changePassword(user: user, current: form["current"] ?? "", new: form["new"] ?? "", confirm: form["confirm"] ?? "")
                }
            } catch let e as WebError where e.code == .badRequest || e.code == .badCredentials {
                return WebApp.html(Pages.account(user: user, csrf: c.session.csrf, notice: nil, error: e.message), status: e.status)
            }
            await app.sessions.endAll(of: user.name)
            let session = await app.sessions.create(user: user, now: ws.now())
            return WebApp.redirect("/account?done=password", cookie: Cookies.set(session.id, secure: app.configuration.secureCookies))
        }
    }

    /// Checks the current password and the new one, then stores the new hash and audits `password-change`.
    /// - Throws: ``WebError`` 401 when the current password is wrong (counted towards the lockout), 400 when the new
    ///   one is too short, too long, the user's name, the same as the current one, or not confirmed.
    func changePassword(user: User, current: String, new: String, confirm: String) throws {
        guard var stored = try ws.users.user(named: user.name), !stored.disabled else { throw WebError.signInRequired }
        guard Bcrypt.verify(current, hash: stored.passwordHash) else {
            stored.failedLogins += 1
            if stored.failedLogins >= app.configuration.lockAfter {
                stored.lockedUntil = ws.now() + app.configuration.lockSeconds
                try ws.audit("account-locked", user: user, count: stored.failedLogins, detail: "wrong current password when changing it")
            }
            try ws.users.saveUser(stored)
            throw WebError(.badCredentials, "the current password is wrong")
        }
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
    static func account(user: User, csrf: String, notice: String?, error: String?) -> String {
        Layout.page(title: "Account", user: user, csrf: csrf, body: """
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
            """)
    }
}
