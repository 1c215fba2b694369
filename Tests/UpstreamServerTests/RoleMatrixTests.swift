import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import UpstreamGovernance
import UpstreamServer

/// Every role against every GET route, with the status each must get (`mine`: the practitioner's own young person).
@Suite("Every role against every route")
struct RoleMatrixTests {
    /// Route → status for analyst, practitioner, supervisor, auditor, admin, and without a session.
    static let matrix: [(String, [Int])] = [
        //                                analyst prac  sup  audit admin  anonymous
        ("/",                              [200, 200, 200, 200, 200, 303]),
        ("/queue",                         [403, 200, 200, 403, 403, 303]),
        ("/people/MINE",                   [200, 200, 200, 403, 403, 303]),
        ("/people/THEIRS",                 [200, 404, 200, 403, 403, 303]),
        ("/people?pseudonym=MINE",         [303, 303, 303, 403, 403, 303]),
        ("/audit",                         [403, 403, 403, 200, 403, 303]),
        ("/quality",                       [200, 403, 200, 403, 200, 303]),
        ("/admin/users",                   [403, 403, 403, 403, 200, 303]),
        ("/account",                       [200, 200, 200, 200, 200, 303]),
        ("/linkage",                       [200, 403, 200, 403, 403, 303]),
        ("/reports/model",                 [200, 403, 200, 403, 403, 303]),
        ("/reports/model/full",            [200, 403, 200, 403, 403, 303]),
        ("/reports/fairness",              [200, 403, 200, 403, 403, 303]),
        ("/plan",                          [200, 403, 200, 403, 403, 303]),
        ("/plan/full",                     [200, 403, 200, 403, 403, 303]),
        ("/assessment",                    [200, 403, 200, 403, 403, 303]),
        ("/assessment/full",               [200, 403, 200, 403, 403, 303]),
        ("/api/v1/me",                     [200, 200, 200, 200, 200, 401]),
        ("/api/v1/dashboard",              [200, 200, 200, 200, 200, 401]),
        ("/api/v1/queue",                  [403, 200, 200, 403, 403, 401]),
        ("/api/v1/people/MINE",            [200, 200, 200, 403, 403, 401]),
        ("/api/v1/people/THEIRS",          [200, 404, 200, 403, 403, 401]),
        ("/api/v1/audit",                  [403, 403, 403, 200, 403, 401]),
        ("/api/v1/quality",                [200, 403, 200, 403, 200, 401]),
        ("/api/v1/users",                  [403, 403, 403, 403, 200, 401]),
        ("/api/v1/linkage",                [200, 403, 200, 403, 403, 401]),
        ("/api/v1/reports/model",          [200, 403, 200, 403, 403, 401]),
        ("/api/v1/reports/fairness",       [200, 403, 200, 403, 403, 401]),
        ("/api/v1/plan",                   [200, 403, 200, 403, 403, 401]),
        ("/api/v1/assessment",             [200, 403, 200, 403, 403, 401]),
        ("/health",                        [200, 200, 200, 200, 200, 200]),
        ("/metrics",                       [200, 200, 200, 200, 200, 200]),
        ("/openapi.json",                  [200, 200, 200, 200, 200, 200]),
        ("/assets/app.css",                [200, 200, 200, 200, 200, 200]),
        ("/login",                         [303, 303, 303, 303, 303, 200]),
    ]
    static let roles = ["analyst", "practitioner", "supervisor", "auditor", "admin", nil]

    @Test("GET routes", arguments: Array(roles.enumerated()))
    func getRoutes(_ column: (offset: Int, element: String?)) async throws {
        let f = try Fixture()
        try await f.live { b in
            if let name = column.element { _ = try await b.signIn(name, f.passwords[name]!) }
            for (route, statuses) in Self.matrix {
                let uri = route.replacingOccurrences(of: "MINE", with: f.mine).replacingOccurrences(of: "THEIRS", with: f.theirs)
                let r = try await b.get(uri)
                #expect(Int(r.status.code) == statuses[column.offset], "\(column.element ?? "anonymous") GET \(route): \(r.status.code)")
            }
        }
    }

    /// Route → status for each role's POST with a valid CSRF token (the form's fields filled correctly).
    static let posts: [(String, [String: String], [Int])] = [
        ("/queue/MINE/decide", ["decision": "refer-for-assessment", "reason": "needs a full assessment"], [403, 303, 303, 403, 403]),
        ("/queue/MINE/assign", ["practitioner": "practitioner2"], [403, 403, 303, 403, 403]),
        ("/people/MINE/identify", ["purpose": "preparing a home visit"], [403, 200, 200, 403, 403]),
        ("/admin/users", ["name": "newuser", "role": "analyst"], [403, 403, 403, 403, 200]),
        ("/admin/users/analyst/unlock", [:], [403, 403, 403, 403, 303]),
        ("/linkage/PAIR/decide", ["decision": "different-people", "reason": "postcode differs"], [403, 403, 303, 403, 403]),
        ("/linkage/PAIR/reopen", ["reason": "second look"], [403, 403, 303, 403, 403]),
        ("/account/password", ["current": "wrong-password", "new": "a-new-long-password", "confirm": "a-new-long-password"], [401, 401, 401, 401, 401]),
    ]

    @Test("POST routes", arguments: Array(roles.dropLast().enumerated()))
    func postRoutes(_ column: (offset: Int, element: String?)) async throws {
        let f = try Fixture()
        let name = column.element!
        let pair = try ReportFixtures.pendingPair().id
        try await f.live { b in
            let token = try await b.signIn(name, f.passwords[name]!)
            for (route, form, statuses) in Self.posts {
                let uri = route.replacingOccurrences(of: "MINE", with: f.mine).replacingOccurrences(of: "PAIR", with: pair)
                let r = try await b.post(uri, form: form.merging(["csrf": token]) { $1 })
                #expect(Int(r.status.code) == statuses[column.offset], "\(name) POST \(route): \(r.status.code)")
            }
        }
    }

    @Test("without a session, POSTs are refused and pages redirect to the login")
    func anonymousPosts() async throws {
        let f = try Fixture()
        try await f.live { b in
            for route in ["/queue/MINE/decide", "/people/MINE/identify", "/admin/users", "/logout", "/linkage/R0000000000AB/decide",
                          "/account/password", "/account/totp", "/account/totp/remove"] {
                let r = try await b.post(route.replacingOccurrences(of: "MINE", with: f.mine), form: ["csrf": "x"])
                #expect([401, 403].contains(Int(r.status.code)), "\(route): \(r.status.code)")
            }
        }
    }
}
