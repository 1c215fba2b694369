import Hummingbird
import UpstreamGovernance
import UpstreamStore

/// The HTML pages behind the login. Each route checks its role, asks ``WebWorkspace`` for its data and renders it.
struct PageRoutes {
    let app: WebApp
    var ws: WebWorkspace { app.workspace }

    /// Which roles may open each page (the same table docs/security.md lists and the role × route test checks).
    static let queueRoles: Set<Role> = [.practitioner, .supervisor]
    static let personRoles: Set<Role> = [.analyst, .practitioner, .supervisor]
    static let auditRoles: Set<Role> = [.auditor]
    static let qualityRoles: Set<Role> = [.analyst, .supervisor, .admin]
    static let adminRoles: Set<Role> = [.admin]
    /// Linkage review: analysts see the waterfall with values withheld; supervisors see values and decide.
    static let linkageRoles: Set<Role> = [.analyst, .supervisor]
    static let linkageDecideRoles: Set<Role> = [.supervisor]
    /// The model report, fairness audit, plan and assessment (they list young people by pseudonym or are analysts' work).
    static let reportRoles: Set<Role> = [.analyst, .supervisor]

    static let notices: [String: String] = [
        "decided": "Decision recorded in the audit trail.", "assigned": "Young person assigned.", "reopened": "Decision reopened.",
        "role": "Role changed; the user's sessions were ended.", "disabled": "User disabled; their sessions were ended.",
        "enabled": "User enabled.", "unlocked": "User unlocked.",
        "totp-reset": "The user's authenticator was removed; they sign in with their password and can set up a new one.",
    ]

    static func subject(_ context: SignedInContext) throws -> String {
        guard let p = Pseudonymiser.normalise(try context.parameters.require("pseudonym")) else {
            throw WebError.notFound("that is not a pseudonym (YP- and 20 characters)")
        }
        return p
    }

    func add(to group: RouterGroup<SignedInContext>) {
        group.get("/") { _, c in
            WebApp.html(try await app.offload { Pages.dashboard(try ws.dashboard(for: c.user), user: c.user, csrf: c.session.csrf) })
        }
        group.get("/queue") { request, c in
            try c.require(Self.queueRoles, "open the review queue")
            let notice = request.uri.queryParameters["done"].flatMap { Self.notices[String($0)] }
            let page = request.uri.queryParameters["page"].flatMap { Int(String($0)) } ?? 1
            return WebApp.html(try await app.offload {
                try ws.queuePage(for: c.user, page: page, csrf: c.session.csrf, notice: notice)
            })
        }
        group.post("/queue/{pseudonym}/decide") { request, c in
            try c.require(Self.queueRoles, "decide on risk flags")
            let form = try await WebApp.checkedForm(request, context: c)
            let subject = try Self.subject(c)
            try await app.offload { try ws.decide(subject, decision: form["decision"] ?? "", reason: form["reason"], user: c.user) }
            return WebApp.redirect("/queue?done=decided")
        }
        group.post("/queue/{pseudonym}/reopen") { request, c in
            try c.require([.supervisor], "reopen decisions")
            let form = try await WebApp.checkedForm(request, context: c)
            let subject = try Self.subject(c)
            try await app.offload { try ws.reopen(subject, reason: form["reason"], user: c.user) }
            return WebApp.redirect("/queue?done=reopened")
        }
        group.post("/queue/{pseudonym}/assign") { request, c in
            try c.require([.supervisor], "assign young people")
            let form = try await WebApp.checkedForm(request, context: c)
            let subject = try Self.subject(c)
            try await app.offload { try ws.assign(subject, to: form["practitioner"] ?? "", user: c.user) }
            return WebApp.redirect("/queue?done=assigned")
        }
        group.get("/people") { request, c in
            try c.require(Self.personRoles, "see person-level data")
            guard let raw = request.uri.queryParameters["pseudonym"], let p = Pseudonymiser.normalise(String(raw)) else {
                throw WebError.badRequest("give a pseudonym: YP- and 20 characters")
            }
            return WebApp.redirect("/people/\(p)")
        }
        group.get("/people/{pseudonym}") { _, c in
            try c.require(Self.personRoles, "see person-level data")
            let subject = try Self.subject(c)
            return WebApp.html(try await ws.personPage(subject, user: c.user, identifyPurpose: nil, csrf: c.session.csrf))
        }
        group.post("/people/{pseudonym}/identify") { request, c in
            try c.require(Self.personRoles, "see person-level data")
            let form = try await WebApp.checkedForm(request, context: c)
            let subject = try Self.subject(c)
            let view = try await ws.person(subject, user: c.user, identifyPurpose: form["purpose"] ?? "")
            return WebApp.html(try await app.offload { Pages.person(view, user: c.user, csrf: c.session.csrf) })
        }
        group.get("/audit") { request, c in
            try c.require(Self.auditRoles, "read the audit trail")
            let f = Self.auditFilter(request)
            return WebApp.html(try await app.offload { Pages.audit(try ws.auditTrail(f), filter: f, user: c.user, csrf: c.session.csrf) })
        }
        group.get("/quality") { _, c in
            try c.require(Self.qualityRoles, "see data quality")
            return WebApp.html(try await app.offload { Pages.quality(try ws.quality(), user: c.user, csrf: c.session.csrf) })
        }
        group.get("/admin/users") { request, c in
            try c.require(Self.adminRoles, "administer users")
            let notice = request.uri.queryParameters["done"].flatMap { Self.notices[String($0)] }
            return WebApp.html(try await app.offload { Pages.users(try ws.userRows(), user: c.user, csrf: c.session.csrf, notice: notice) })
        }
        group.post("/admin/users") { request, c in
            try c.require(Self.adminRoles, "administer users")
            let form = try await WebApp.checkedForm(request, context: c)
            guard let role = Role(rawValue: form["role"] ?? "") else { throw WebError.badRequest("choose a role") }
            let name = form["name"] ?? ""
            return WebApp.html(try await app.offload {
                let password = try app.addUser(name: name, role: role, auditedBy: c.user)
                return Pages.users(try ws.userRows(), user: c.user, csrf: c.session.csrf,
                                   notice: "User \(name) added as \(role.rawValue). Their password, shown only this once: \(password)")
            })
        }
        group.post("/admin/users/{name}/{action}") { request, c in
            try c.require(Self.adminRoles, "administer users")
            let form = try await WebApp.checkedForm(request, context: c)
            let name = try c.parameters.require("name")
            guard var u = try await app.offload({ try ws.users.user(named: name) }) else { throw WebError.notFound("there is no user named that") }
            let action = try c.parameters.require("action")
            switch action {
            case "role":
                guard let role = Role(rawValue: form["role"] ?? "") else { throw WebError.badRequest("choose a role") }
                u.role = role.rawValue
                await app.sessions.endAll(of: name)
            case "disable": u.disabled = true; await app.sessions.endAll(of: name)
            case "enable": u.disabled = false
            case "unlock": u.failedLogins = 0; u.lockedUntil = nil
            case "totp-reset": u.totpSecret = nil; await app.sessions.endAll(of: name)
            default: throw WebError.notFound("there is no user action \(action)")
            }
            let changed = u
            try await app.offload {
                try ws.saveUser(changed, action: "user-\(action)", user: c.user, subject: name,
                                detail: action == "role" ? "role \(changed.role)" : "")
            }
            let done = ["role": "role", "disable": "disabled", "enable": "enabled", "unlock": "unlocked", "totp-reset": "totp-reset"][action] ?? ""
            return WebApp.redirect("/admin/users?done=\(done)")
        }
    }

    static func auditFilter(_ request: Request) -> WebWorkspace.AuditFilter {
        let q = request.uri.queryParameters
        func s(_ k: String) -> String? { q[Substring(k)].map(String.init) }
        return WebWorkspace.AuditFilter(actor: s("actor"), action: s("action"), subject: s("subject"), from: s("from"), to: s("to"),
                                        limit: s("limit").flatMap(Int.init) ?? 200)
    }
}
