import Foundation
import UpstreamGovernance

/// The OpenAPI 3.1 document of every route, served at `/openapi.json`: built from small helpers (one per kind of
/// operation, parameter and response) so each route is one line of what differs. A test checks that every route the
/// router registers is in it, nothing else is, and every `$ref` resolves. (swift-openapi-generator would generate the
/// routes from a document instead, at a build-time cost this app does not pay yet.)
enum OpenAPIDocument {
    /// The document as JSON (keys sorted), built once.
    static let json: String = {
        let data = try! JSONSerialization.data(withJSONObject: document(), options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }()

    typealias Object = [String: Any]

    // MARK: Schemas

    static var str: Object { ["type": "string"] }
    static var int: Object { ["type": "integer"] }
    static var num: Object { ["type": "number"] }
    static var bool: Object { ["type": "boolean"] }
    static var anyObject: Object { ["type": "object"] }
    static func obj(_ properties: Object) -> Object { ["type": "object", "properties": properties] }
    static func arr(_ items: Object) -> Object { ["type": "array", "items": items] }
    static func ref(_ name: String) -> Object { ["$ref": "#/components/schemas/\(name)"] }
    static func described(_ schema: Object, _ text: String) -> Object { schema.merging(["description": text]) { $1 } }

    static var schemas: Object {
        [
        "AuditPage": obj([
            "entries": arr(obj([
                "action": str,
                "actor": str,
                "actorKind": str,
                "at": int,
                "count": int,
                "detail": str,
                "reason": str,
                "role": str,
                "seq": int,
                "source": str,
                "subject": str,
            ])),
            "matched": int,
            "total": int,
        ]),
        "Dashboard": obj([
            "auditEntries": int,
            "caseload": int,
            "flagged": int,
            "latestScoreAsOf": str,
            "linkedPersons": int,
            "pendingReviews": int,
            "role": str,
            "user": str,
            "users": int,
        ]),
        "Error": obj([
            "error": str,
            "message": str,
        ]),
        "Me": obj([
            "csrfToken": str,
            "name": str,
            "role": str,
        ]),
        "PersonView": obj([
            "assignedTo": str,
            "chronology": described(anyObject, "UpstreamChronology's Chronology (docs/chronology.md), pseudonymised"),
            "identified": bool,
            "mayIdentify": bool,
            "provenanceWithheld": bool,
            "scores": arr(obj([
                "asOf": str,
                "score": num,
            ])),
        ]),
        "Quality": obj([
            "quarantine": arr(obj([
                "field": str,
                "reason": str,
                "rows": str,
                "source": str,
            ])),
            "sources": arr(obj([
                "agency": str,
                "deliveries": int,
                "personRecords": str,
                "quarantined": str,
                "records": str,
                "source": str,
            ])),
        ]),
        "Queue": obj([
            "asOf": str,
            "decisions": arr(str),
            "items": arr(obj([
                "age": int,
                "asOf": str,
                "assignedTo": str,
                "history": arr(obj([
                    "at": int,
                    "by": str,
                    "reason": str,
                    "what": str,
                ])),
                "pseudonym": str,
                "rank": int,
                "reasons": arr(str),
                "score": num,
                "state": str,
                "trend": arr(obj([
                    "asOf": str,
                    "score": num,
                ])),
            ])),
            "page": int,
            "pages": int,
            "practitioners": arr(str),
            "total": int,
        ]),
        "Users": arr(obj([
            "secondFactor": bool,
            "caseload": int,
            "disabled": bool,
            "failedLogins": int,
            "locked": bool,
            "name": str,
            "role": str,
        ])),
        "LinkageQueue": obj([
            "pending": int, "decided": int, "page": int, "pages": int,
            "items": arr(ref("Pair")), "recentDecisions": arr(ref("Pair")),
            "decisions": arr(str), "mayDecide": bool, "valuesShown": bool,
        ]),
        "Pair": obj([
            "id": str, "leftSource": str, "rightSource": str,
            "leftRecord": described(str, "only for roles that may see provenance"),
            "rightRecord": described(str, "only for roles that may see provenance"),
            "weight": num, "probability": num, "linkedNow": bool, "priorWeight": num,
            "steps": arr(obj([
                "comparison": str, "level": str,
                "left": described(str, "the left record's value; withheld (absent) for analysts"),
                "right": described(str, "the right record's value; withheld (absent) for analysts"),
                "m": num, "u": num, "weight": described(num, "bits, with any term-frequency adjustment"), "cumulative": num,
            ])),
            "state": str, "decidedBy": str,
            "history": arr(obj(["at": int, "by": str, "what": str, "reason": str])),
        ]),
        "RunInfo": obj(["id": int, "modelID": str, "asOf": str, "finishedAt": int, "by": str]),
        "ModelReport": obj([
            "run": ref("RunInfo"),
            "report": described(anyObject, "UpstreamRisk's RiskReport, as upstream risk evaluate --json prints it (docs/risk-model.md)"),
            "make": described(str, "when there is no trained model: the command that makes one"),
        ]),
        "Fairness": obj([
            "run": ref("RunInfo"),
            "fairness": described(anyObject, "UpstreamRisk's FairnessReport: groups and disparities by attribute (docs/risk-model.md)"),
            "flags": arr(str),
            "make": str,
        ]),
        "PlanView": obj([
            "plan": described(anyObject, "UpstreamInterventions' Plan as upstream plan saved it in the store (business case, programmes, totals, uncertainty, solver; docs/interventions.md), its offers cut to one page, by pseudonym"),
            "page": int, "pages": int,
            "make": described(str, "when there is no plan: the command that makes one"),
        ]),
        "AssessmentView": obj([
            "period": str, "source": str, "generated": str, "areas": int, "topFivePercentShare": num, "hotspots": int,
            "series": arr(obj([
                "title": str, "count": described(str, "1 to 4 as \"fewer than 5\""), "volumeShare": num, "harmShare": num,
                "costGBP": num, "trend": str,
            ])),
            "priorities": arr(obj(["rank": int, "threat": str, "harm": num, "likelihood": num, "vulnerability": num, "priority": num])),
            "make": described(str, "when there is no assessment: the command that makes one"),
        ]),
        ]
    }

    // MARK: Parameters

    static func path(_ name: String, _ description: String? = nil, _ schema: Object = str) -> Object {
        var p: Object = ["in": "path", "name": name, "required": true, "schema": schema]
        if let description { p["description"] = description }
        return p
    }
    static func query(_ name: String, _ description: String? = nil, _ schema: Object = str, required: Bool = false) -> Object {
        var p: Object = ["in": "query", "name": name, "required": required, "schema": schema]
        if let description { p["description"] = description }
        return p
    }
    static var pseudonym: Object { path("pseudonym", "the young person's pseudonym", ["type": "string", "pattern": "^YP-[0-9A-Z]{20}$"]) }
    static var pair: Object { path("pair", "the pair's id (R and 12 letters or digits)", ["type": "string", "pattern": "^R[0-9A-Za-z]{1,23}$"]) }
    static func page(_ perPage: Int) -> Object {
        query("page", "the page, \(perPage) items each", ["type": "integer", "minimum": 1])
    }
    static var csrfHeader: Object { ["in": "header", "name": "X-CSRF-Token", "required": true, "schema": str] }
    static var auditFilters: [Object] {
        [
        query("actor", "exact user name"), query("action", "action prefix"), query("subject", "exact subject"),
        query("from", "first date, YYYY-MM-DD"), query("to", "last date, YYYY-MM-DD"),
        query("limit", nil, ["type": "integer", "minimum": 1, "maximum": 1000]),
        ]
    }

    // MARK: Responses and operations

    static var errorRef: Object { ["$ref": "#/components/responses/Error"] }
    static var htmlPage: Object { ["description": "an HTML page", "content": ["text/html": ["schema": str]]] }
    static var redirect: Object { ["description": "redirect (303) to the next page"] }
    static func jsonBody(_ schema: Object, _ description: String = "JSON") -> Object {
        ["description": description, "content": ["application/json": ["schema": schema]]]
    }

    /// One operation: `success` maps status codes to responses, `errors` adds the shared error response.
    static func op(_ summary: String, roles: [Role]?, _ success: [Int: Object], errors: [Int] = [], parameters: [Object] = [],
                   body: Object? = nil) -> Object {
        var responses: Object = [:]
        for (code, r) in success { responses[String(code)] = r }
        for code in errors { responses[String(code)] = errorRef }
        var o: Object = ["summary": summary, "responses": responses]
        if let roles { o["x-roles"] = roles.map(\.rawValue) } else { o["security"] = [Object]() }
        if !parameters.isEmpty { o["parameters"] = parameters }
        if let body { o["requestBody"] = body }
        return o
    }

    /// A form body: the given fields (all strings) plus the session's CSRF token, all required unless listed as optional.
    static func form(_ fields: [String], optional: [String] = []) -> Object {
        var properties: Object = ["csrf": ["type": "string", "description": "the session's CSRF token"]]
        for f in fields + optional { properties[f] = str }
        return ["required": true, "content": ["application/x-www-form-urlencoded": ["schema": [
            "type": "object", "properties": properties, "required": ["csrf"] + fields]]]]
    }

    static func json(_ properties: Object, required: [String]) -> Object {
        ["required": true, "content": ["application/json": ["schema": ["type": "object", "properties": properties, "required": required]]]]
    }

    /// A signed-in HTML page.
    static func htmlGet(_ summary: String, _ roles: [Role], errors: [Int] = [403], parameters: [Object] = []) -> Object {
        op(summary, roles: roles, [200: htmlPage], errors: errors, parameters: parameters)
    }
    /// A signed-in JSON read (401 without a session).
    static func apiGet(_ summary: String, _ roles: [Role], _ schema: String, errors: [Int] = [403], parameters: [Object] = []) -> Object {
        op(summary, roles: roles, [200: jsonBody(ref(schema))], errors: [401] + errors, parameters: parameters)
    }
    /// A signed-in form post that redirects.
    static func formPost(_ summary: String, _ roles: [Role], _ fields: [String], errors: [Int], parameters: [Object] = []) -> Object {
        op(summary, roles: roles, [303: redirect], errors: errors, parameters: parameters, body: form(fields))
    }

    static let everyone: [Role] = Role.allCases
    static let personRoles: [Role] = [.analyst, .practitioner, .supervisor]
    static let queueRoles: [Role] = [.practitioner, .supervisor]
    static let reportRoles: [Role] = [.analyst, .supervisor]

    static func paths() -> [String: Object] {
        [
            "/": ["get": op("the dashboard", roles: everyone, [200: htmlPage, 303: redirect])],
            "/login": [
                "get": op("the sign-in form (starts an anonymous session holding the CSRF token)", roles: nil, [200: htmlPage, 303: redirect]),
                "post": op("sign in (with the authenticator's code for users who set one up): a new session id on success", roles: nil,
                           [303: redirect, 401: htmlPage], errors: [403, 429], body: form(["name", "password"], optional: ["code"])),
            ],
            "/logout": ["post": op("sign out", roles: nil, [303: redirect], errors: [403], body: form([]))],
            "/health": ["get": op("liveness", roles: nil, [200: jsonBody(obj(["status": str]), "the server is up")])],
            "/metrics": ["get": op("Prometheus metrics (request counts and durations by route pattern; no personal data)", roles: nil,
                                   [200: ["description": "Prometheus text format", "content": ["text/plain": ["schema": str]]]])],
            "/openapi.json": ["get": op("this document", roles: nil, [200: jsonBody(anyObject, "OpenAPI 3.1")])],
            "/assets/{name}": ["get": op("a compiled-in asset (app.css, favicon.svg)", roles: nil, [200: ["description": "the asset"]], errors: [404],
                                         parameters: [path("name", nil, ["type": "string", "enum": Assets.files.keys.sorted()])])],
            "/favicon.ico": ["get": op("the icon", roles: nil, [200: ["description": "SVG icon"]])],

            "/queue": ["get": htmlGet("the practitioners' review queue", queueRoles, parameters: [page(50)])],
            "/queue/{pseudonym}/decide": ["post": formPost("decide on a flag (audited)", queueRoles, ["decision", "reason"],
                                                          errors: [400, 403, 404, 409], parameters: [pseudonym])],
            "/queue/{pseudonym}/reopen": ["post": formPost("reopen a decision (audited)", [.supervisor], ["reason"],
                                                          errors: [403, 404, 409], parameters: [pseudonym])],
            "/queue/{pseudonym}/assign": ["post": formPost("assign to a practitioner (audited)", [.supervisor], ["practitioner"],
                                                          errors: [400, 403, 404], parameters: [pseudonym])],
            "/people": ["get": op("open a chronology by pseudonym", roles: personRoles, [303: redirect], errors: [400, 403],
                                  parameters: [query("pseudonym", nil, str, required: true)])],
            "/people/{pseudonym}": ["get": htmlGet("one young person's chronology, pseudonymised (audited)", personRoles, errors: [403, 404],
                                                   parameters: [pseudonym])],
            "/people/{pseudonym}/identify": ["post": op("the chronology with names and identifiers, for a stated purpose (audited)",
                                                        roles: [.practitioner, .supervisor], [200: htmlPage], errors: [400, 403, 404],
                                                        parameters: [pseudonym], body: form(["purpose"]))],
            "/audit": ["get": htmlGet("the audit trail with filters", [.auditor], errors: [400, 403], parameters: auditFilters)],
            "/quality": ["get": htmlGet("data quality and quarantine counts", [.analyst, .supervisor, .admin])],
            "/admin/users": [
                "get": htmlGet("users and roles", [.admin]),
                "post": op("add a user (the password is shown once)", roles: [.admin], [200: htmlPage], errors: [400, 403, 409],
                           body: form(["name", "role"])),
            ],
            "/admin/users/{name}/{action}": ["post": op("change a user's role, disable, enable or unlock them", roles: [.admin], [303: redirect],
                                                        errors: [400, 403, 404],
                                                        parameters: [path("name"), path("action", nil, ["type": "string", "enum": ["role", "disable", "enable", "unlock", "totp-reset"]])],
                                                        body: form([], optional: ["role"]))],
            "/account": ["get": htmlGet("your account: change your password, set up or remove an authenticator", everyone, errors: [])],
            "/account/totp": ["post": op("set up an authenticator (TOTP): current password and a code for the shown key; audited", roles: everyone,
                                         [303: redirect, 400: htmlPage, 401: htmlPage], errors: [403], body: form(["current", "secret", "code"]))],
            "/account/totp/remove": ["post": op("remove the authenticator: current password and a current code; audited", roles: everyone,
                                                [303: redirect, 400: htmlPage, 401: htmlPage], errors: [403], body: form(["current", "code"]))],
            "/account/password": ["post": op("change your password (with the current one; audited; ends your other sessions)", roles: everyone,
                                             [303: redirect, 400: htmlPage, 401: htmlPage], errors: [403],
                                             body: form(["current", "new", "confirm"]))],
            "/linkage": ["get": htmlGet("linkage clerical review: pairs with their match-weight waterfall (audited)", reportRoles,
                                        parameters: [page(WebWorkspace.pairsPerPage)])],
            "/linkage/{pair}/decide": ["post": formPost("decide a pair: same-person or different-people, with a reason (audited)", [.supervisor],
                                                       ["decision", "reason"], errors: [400, 403, 404, 409], parameters: [pair])],
            "/linkage/{pair}/reopen": ["post": formPost("reopen a pair's decision, with a reason (audited)", [.supervisor], ["reason"],
                                                       errors: [400, 403, 404, 409], parameters: [pair])],
            "/reports/model": ["get": htmlGet("the latest trained model's report (audited)", reportRoles)],
            "/reports/model/full": ["get": htmlGet("the full model report with charts, as upstream risk evaluate writes it (audited)", reportRoles,
                                                   errors: [403, 404])],
            "/reports/fairness": ["get": htmlGet("the fairness audit of the latest trained model", reportRoles)],
            "/plan": ["get": htmlGet("the latest intervention plan: business case, programmes and offers (audited)", reportRoles,
                                     parameters: [page(WebWorkspace.offersPerPage)])],
            "/plan/full": ["get": htmlGet("the commissioner's business case, as upstream plan writes it (audited)", reportRoles, errors: [403, 404])],
            "/assessment": ["get": htmlGet("the latest strategic assessment of violence", reportRoles)],
            "/assessment/full": ["get": htmlGet("the full strategic assessment, as upstream assess writes it", reportRoles, errors: [403, 404])],

            "/api/v1/me": ["get": apiGet("who is signed in, and the CSRF token for API writes", everyone, "Me", errors: [])],
            "/api/v1/dashboard": ["get": apiGet("the dashboard's figures", everyone, "Dashboard", errors: [])],
            "/api/v1/queue": ["get": apiGet("the review queue", queueRoles, "Queue", parameters: [page(50)])],
            "/api/v1/queue/{pseudonym}/decision": ["post": op(
                "decide on a flag (audited); needs the X-CSRF-Token header", roles: queueRoles, [200: ["description": "decided"]],
                errors: [400, 401, 403, 404, 409], parameters: [pseudonym, csrfHeader],
                body: json(["decision": ["type": "string", "enum": ["offer-support", "already-supported", "refer-for-assessment", "no-further-action"]],
                            "reason": ["type": "string", "maxLength": 500]], required: ["decision", "reason"]))],
            "/api/v1/people/{pseudonym}": ["get": apiGet("one chronology, pseudonymised (audited)", personRoles, "PersonView", errors: [403, 404],
                                                         parameters: [pseudonym])],
            "/api/v1/audit": ["get": apiGet("audit trail entries, newest first", [.auditor], "AuditPage", errors: [400, 403], parameters: auditFilters)],
            "/api/v1/quality": ["get": apiGet("data quality counts", [.analyst, .supervisor, .admin], "Quality")],
            "/api/v1/users": ["get": apiGet("users (no person data)", [.admin], "Users")],
            "/api/v1/linkage": ["get": apiGet("the linkage review queue (audited)", reportRoles, "LinkageQueue",
                                              parameters: [page(WebWorkspace.pairsPerPage)])],
            "/api/v1/linkage/{pair}/decision": ["post": op(
                "decide a pair (audited); needs the X-CSRF-Token header", roles: [.supervisor], [200: ["description": "decided"]],
                errors: [400, 401, 403, 404, 409], parameters: [pair, csrfHeader],
                body: json(["decision": ["type": "string", "enum": ["same-person", "different-people"]],
                            "reason": ["type": "string", "maxLength": 500]], required: ["decision", "reason"]))],
            "/api/v1/reports/model": ["get": apiGet("the latest trained model's report (audited)", reportRoles, "ModelReport")],
            "/api/v1/reports/fairness": ["get": apiGet("the fairness audit of the latest trained model", reportRoles, "Fairness")],
            "/api/v1/plan": ["get": apiGet("the latest intervention plan, one page of offers (audited)", reportRoles, "PlanView",
                                           parameters: [page(WebWorkspace.offersPerPage)])],
            "/api/v1/assessment": ["get": apiGet("the latest strategic assessment (counts under 5 suppressed)", reportRoles, "AssessmentView")],
        ]
    }

    static func document() -> Object {
        [
            "openapi": "3.1.0",
            "info": ["title": "Upstream web app", "version": "1.1.0",
                     "description": "Pages and the JSON API of `upstream serve`. Every operation except those with an empty security list needs the session cookie; x-roles lists the roles allowed (others get 403). Synthetic data only."],
            "servers": [["url": "http://127.0.0.1:8080"]],
            "security": [["session": [String]()]],
            "components": [
                "securitySchemes": ["session": ["type": "apiKey", "in": "cookie", "name": "upstream_session"]],
                "responses": ["Error": ["description": "an error: JSON under /api/, an HTML page elsewhere",
                                       "content": ["application/json": ["schema": ref("Error")], "text/html": ["schema": str]]]],
                "schemas": schemas,
            ],
            "paths": paths(),
        ]
    }
}
