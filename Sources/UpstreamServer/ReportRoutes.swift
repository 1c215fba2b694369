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

    func add(pages group: RouterGroup<SignedInContext>) {
        group.get("/linkage") { request, c in
            try c.require(PageRoutes.linkageRoles, "open the linkage review")
            let page = Self.page(request)
            let notice = request.uri.queryParameters["done"].flatMap { Self.notices[String($0)] }
            return WebApp.html(try await app.offload { Pages.linkage(try ws.linkageQueue(for: c.user, page: page), user: c.user, csrf: c.session.csrf, notice: notice) })
        }
        group.post("/linkage/{pair}/decide") { request, c in
            try c.require(PageRoutes.linkageDecideRoles, "decide on linkage pairs")
            let form = try await WebApp.checkedForm(request, context: c)
            let id = try Self.pairID(c)
            try await app.offload { try ws.decidePair(id, decision: form["decision"] ?? "", reason: form["reason"], user: c.user) }
            return WebApp.redirect("/linkage?done=decided")
        }
        group.post("/linkage/{pair}/reopen") { request, c in
            try c.require(PageRoutes.linkageDecideRoles, "reopen linkage decisions")
            let form = try await WebApp.checkedForm(request, context: c)
            let id = try Self.pairID(c)
            try await app.offload { try ws.reopenPair(id, reason: form["reason"], user: c.user) }
            return WebApp.redirect("/linkage?done=reopened")
        }
        group.get("/reports/model") { _, c in
            try c.require(PageRoutes.reportRoles, "read the model report")
            return WebApp.html(try await app.offload { Pages.modelReport(try ws.modelReport(for: c.user), user: c.user, csrf: c.session.csrf) })
        }
        group.get("/reports/model/full") { _, c in
            try c.require(PageRoutes.reportRoles, "read the model report")
            return Self.fullPage(try await app.offload { try ws.modelReportPage(for: c.user) })
        }
        group.get("/reports/fairness") { _, c in
            try c.require(PageRoutes.reportRoles, "read the fairness audit")
            return WebApp.html(try await app.offload { Pages.fairness(try ws.fairness(for: c.user), user: c.user, csrf: c.session.csrf) })
        }
        group.get("/plan") { request, c in
            try c.require(PageRoutes.reportRoles, "read the intervention plan")
            let page = Self.page(request)
            return WebApp.html(try await app.offload { Pages.plan(try ws.plan(for: c.user, page: page), user: c.user, csrf: c.session.csrf) })
        }
        group.get("/plan/full") { _, c in
            try c.require(PageRoutes.reportRoles, "read the intervention plan")
            return Self.fullPage(try await app.offload { try ws.planPage(for: c.user) })
        }
        group.get("/assessment") { _, c in
            try c.require(PageRoutes.reportRoles, "read the strategic assessment")
            return WebApp.html(try await app.offload { Pages.assessment(try ws.assessment(for: c.user), user: c.user, csrf: c.session.csrf) })
        }
        group.get("/assessment/full") { _, c in
            try c.require(PageRoutes.reportRoles, "read the strategic assessment")
            return Self.fullPage(try await app.offload { try ws.assessmentPage(for: c.user) })
        }
    }

    struct PairDecision: Codable { var decision: String; var reason: String }

    func add(api group: RouterGroup<SignedInContext>) {
        group.get("linkage") { request, c in
            try c.require(PageRoutes.linkageRoles, "open the linkage review")
            let page = Self.page(request)
            return try WebApp.json(try await app.offload { try ws.linkageQueue(for: c.user, page: page) })
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
        group.get("reports/model") { _, c in
            try c.require(PageRoutes.reportRoles, "read the model report")
            return try WebApp.json(try await app.offload { try ws.modelReport(for: c.user) })
        }
        group.get("reports/fairness") { _, c in
            try c.require(PageRoutes.reportRoles, "read the fairness audit")
            return try WebApp.json(try await app.offload { try ws.fairness(for: c.user) })
        }
        group.get("plan") { request, c in
            try c.require(PageRoutes.reportRoles, "read the intervention plan")
            let page = Self.page(request)
            return try WebApp.json(try await app.offload { try ws.plan(for: c.user, page: page) })
        }
        group.get("assessment") { _, c in
            try c.require(PageRoutes.reportRoles, "read the strategic assessment")
            return try WebApp.json(try await app.offload { try ws.assessment(for: c.user) })
        }
    }
}
