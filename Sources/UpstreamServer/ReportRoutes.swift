import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import UpstreamGovernance

/// The linkage clerical review, the model report and fairness audit, the intervention plan and the strategic
/// assessment: their pages, the full printable reports (UpstreamReports' pages, as the commands write them) and
/// their `/api/v1` routes. Roles come from ``PageRoutes``' tables; person-level rules from ``WebWorkspace``.
struct ReportRoutes {
    let app: WebApp
    var ws: WebWorkspace { app.workspace }

    static func pairID(_ context: SignedInContext) throws -> String {
        let raw = try context.parameters.require("pair")
        guard (2...24).contains(raw.count), raw.hasPrefix("R"), raw.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw WebError.notFound("that is not a pair id (R and up to 23 letters or digits)")
        }
        return raw
    }

    static func page(_ request: Request) -> Int { request.uri.queryParameters["page"].flatMap { Int(String($0)) } ?? 1 }

    static let notices: [String: String] = [
        "decided": "Decision recorded in the audit trail; it applies at the next upstream link.",
        "reopened": "Decision reopened; the pair is pending again.",
    ]

    /// A full report page from UpstreamReports, served with a Content Security Policy that allows exactly its one
    /// inline style sheet (by its SHA-256) and nothing else: no scripts, no other styles, no connections.
    static func fullPage(_ html: String) -> Response {
        var csp = "default-src 'none'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'; style-src"
        var rest = html[...]
        var hashes: [String] = []
        while let open = rest.range(of: "<style>"), let close = rest[open.upperBound...].range(of: "</style>") {
            let css = rest[open.upperBound..<close.lowerBound]
            hashes.append("'sha256-\(Data(SHA256.hash(data: Data(css.utf8))).base64EncodedString())'")
            rest = rest[close.upperBound...]
        }
        csp += hashes.isEmpty ? " 'none'" : " " + hashes.joined(separator: " ")
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: csp],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// One GET route for `roles` (refused with 403 saying `what` they may not do), its response built on the
    /// blocking pool: every report page and report API route is one of these.
    func get(_ group: RouterGroup<SignedInContext>, _ path: RouterPath, _ roles: Set<Role>, _ what: String,
             _ respond: @escaping @Sendable (Request, SignedInContext) throws -> Response) {
        group.get(path) { request, c in
            try c.require(roles, what)
            return try await app.offload { try respond(request, c) }
        }
    }

    /// One form POST on a linkage pair for supervisors: the CSRF token checked, `action` run on the blocking pool with
    /// the form and the pair's id, then back to the review with a notice.
    func pairForm(_ group: RouterGroup<SignedInContext>, _ path: RouterPath, _ what: String, done: String,
                  _ action: @escaping @Sendable ([String: String], String, User) throws -> Void) {
        group.post(path) { request, c in
            try c.require(PageRoutes.linkageDecideRoles, what)
            let form = try await WebApp.checkedForm(request, context: c)
            let id = try Self.pairID(c)
            try await app.offload { try action(form, id, c.user) }
            return WebApp.redirect("/linkage?done=\(done)")
        }
    }

    func add(pages group: RouterGroup<SignedInContext>) {
        let ws = ws
        get(group, "/linkage", PageRoutes.linkageRoles, "open the linkage review") { request, c in
            let notice = request.uri.queryParameters["done"].flatMap { Self.notices[String($0)] }
            return WebApp.html(Pages.linkage(try ws.linkageQueue(for: c.user, page: Self.page(request)), user: c.user, csrf: c.session.csrf, notice: notice))
        }
        pairForm(group, "/linkage/{pair}/decide", "decide on linkage pairs", done: "decided") { form, id, user in
            try ws.decidePair(id, decision: form["decision"] ?? "", reason: form["reason"], user: user)
        }
        pairForm(group, "/linkage/{pair}/reopen", "reopen linkage decisions", done: "reopened") { form, id, user in
            try ws.reopenPair(id, reason: form["reason"], user: user)
        }
        get(group, "/reports/model", PageRoutes.reportRoles, "read the model report") { _, c in
            WebApp.html(Pages.modelReport(try ws.modelReport(for: c.user), user: c.user, csrf: c.session.csrf))
        }
        get(group, "/reports/model/full", PageRoutes.reportRoles, "read the model report") { _, c in Self.fullPage(try ws.modelReportPage(for: c.user)) }
        get(group, "/reports/fairness", PageRoutes.reportRoles, "read the fairness audit") { _, c in
            WebApp.html(Pages.fairness(try ws.fairness(for: c.user), user: c.user, csrf: c.session.csrf))
        }
        get(group, "/plan", PageRoutes.reportRoles, "read the intervention plan") { request, c in
            WebApp.html(Pages.plan(try ws.plan(for: c.user, page: Self.page(request)), user: c.user, csrf: c.session.csrf))
        }
        get(group, "/plan/full", PageRoutes.reportRoles, "read the intervention plan") { _, c in Self.fullPage(try ws.planPage(for: c.user)) }
        get(group, "/assessment", PageRoutes.reportRoles, "read the strategic assessment") { _, c in
            WebApp.html(Pages.assessment(try ws.assessment(for: c.user), user: c.user, csrf: c.session.csrf))
        }
        get(group, "/assessment/full", PageRoutes.reportRoles, "read the strategic assessment") { _, c in
            Self.fullPage(try ws.assessmentPage(for: c.user))
        }
    }

    struct PairDecision: Codable { var decision: String; var reason: String }

    func add(api group: RouterGroup<SignedInContext>) {
        let ws = ws
        get(group, "linkage", PageRoutes.linkageRoles, "open the linkage review") { request, c in
            try WebApp.json(try ws.linkageQueue(for: c.user, page: Self.page(request)))
        }
        group.post("linkage/{pair}/decision") { request, c in
            try c.require(PageRoutes.linkageDecideRoles, "decide on linkage pairs")
            try WebApp.checkCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!], session: c.session)
            var request = request
            let body = try await request.collectBody(upTo: c.maxUploadSize)
            guard let d = try? JSONDecoder().decode(PairDecision.self, from: Data(body.readableBytesView)) else {
                throw WebError.badRequest("the body must be JSON: {\"decision\": \"same-person\" or \"different-people\", \"reason\": \"…\"}")
            }
            let id = try Self.pairID(c)
            try await app.offload { try ws.decidePair(id, decision: d.decision, reason: d.reason, user: c.user) }
            return try WebApp.json(APIRoutes.Done(status: "decided"))
        }
        get(group, "reports/model", PageRoutes.reportRoles, "read the model report") { _, c in try WebApp.json(try ws.modelReport(for: c.user)) }
        get(group, "reports/fairness", PageRoutes.reportRoles, "read the fairness audit") { _, c in try WebApp.json(try ws.fairness(for: c.user)) }
        get(group, "plan", PageRoutes.reportRoles, "read the intervention plan") { request, c in
            try WebApp.json(try ws.plan(for: c.user, page: Self.page(request)))
        }
        get(group, "assessment", PageRoutes.reportRoles, "read the strategic assessment") { _, c in try WebApp.json(try ws.assessment(for: c.user)) }
    }
}
