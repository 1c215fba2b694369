import Foundation
import HTTPTypes
import Hummingbird
import UpstreamGovernance

/// The JSON API under `/api/v1`: each page's data, with the same role checks (``PageRoutes``' tables) and the same
/// audit. Documented in ``OpenAPIDocument``. The one write, a decision, needs the session's CSRF token in the
/// `X-CSRF-Token` header.
struct APIRoutes {
    let app: WebApp
    var ws: WebWorkspace { app.workspace }

    struct Me: Codable { var name: String; var role: String; var csrfToken: String }
    struct Decision: Codable { var decision: String; var reason: String }
    struct Done: Codable { var status: String }

    func add(to group: RouterGroup<SignedInContext>) {
        group.get("me") { _, c in try WebApp.json(Me(name: c.user.name, role: c.role.rawValue, csrfToken: c.session.csrf)) }
        group.get("dashboard") { _, c in try WebApp.json(try await app.offload { try ws.dashboard(for: c.user) }) }
        group.get("queue") { request, c in
            try c.require(PageRoutes.queueRoles, "open the review queue")
            let page = request.uri.queryParameters["page"].flatMap { Int(String($0)) } ?? 1
            return try WebApp.json(try await app.offload { try ws.queue(for: c.user, page: page) })
        }
        group.post("queue/{pseudonym}/decision") { request, c in
            try c.require(PageRoutes.queueRoles, "decide on risk flags")
            try WebApp.checkCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!], session: c.session)
            var request = request
            let body = try await request.collectBody(upTo: c.maxUploadSize)
            guard let d = try? JSONDecoder().decode(Decision.self, from: Data(body.readableBytesView)) else {
                throw WebError.badRequest("the body must be JSON: {\"decision\": \"…\", \"reason\": \"…\"}")
            }
            let subject = try PageRoutes.subject(c)
            try await app.offload { try ws.decide(subject, decision: d.decision, reason: d.reason, user: c.user) }
            return try WebApp.json(Done(status: "decided"))
        }
        group.get("people/{pseudonym}") { _, c in
            try c.require(PageRoutes.personRoles, "see person-level data")
            let subject = try PageRoutes.subject(c)
            return try WebApp.json(try await ws.person(subject, user: c.user, identifyPurpose: nil))
        }
        group.get("audit") { request, c in
            try c.require(PageRoutes.auditRoles, "read the audit trail")
            let filter = PageRoutes.auditFilter(request)
            return try WebApp.json(try await app.offload { try ws.auditTrail(filter) })
        }
        group.get("quality") { _, c in
            try c.require(PageRoutes.qualityRoles, "see data quality")
            return try WebApp.json(try await app.offload { try ws.quality() })
        }
        group.get("users") { _, c in
            try c.require(PageRoutes.adminRoles, "administer users")
            return try WebApp.json(try await app.offload { try ws.userRows() })
        }
    }
}
