import Foundation
import Hummingbird
import Logging
import UpstreamGovernance
import UpstreamStore

/// Writes every refused request to the audit trail: a 401 or 403 (not signed in, a role refused, a second factor not
/// yet set up), a CSRF failure, a throttled sign-in, and a person-level request for a young person the user may not
/// open (the 404 of an IDOR attempt). One `refused` entry each, with the acting user (or `anonymous`), the route's
/// pattern (never the path's query or a form), the status and why. Failed sign-ins and lockouts are written by the
/// sign-in itself, with the user's counters (``AuthRoutes``).
///
/// Refusals by signed-in users are always written. Anonymous ones (anyone on the network can cause them) are written
/// at most ``RefusalLimiter/perMinute`` a minute per address, so a flood cannot fill the trail; the next entry written
/// for that address counts the ones left out.
struct RefusalAuditMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let app: WebApp

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as WebError {
            guard let reason = e.refusal else { throw e }
            let route = context.endpointPath ?? "unmatched"
            let method = request.method.rawValue
            var actor = WebWorkspace.anonymous
            var left = 0
            if let user = context.session?.user {
                actor = user.actor
            } else {
                guard let skipped = await app.refusals.admit(context.clientAddress, now: app.workspace.now()) else { throw e }
                left = skipped
            }
            let ws = app.workspace
            let subject = e.refusedSubject ?? ""
            let (who, skipped) = (actor, left)
            let why = skipped > 0 ? "\(reason); \(skipped) earlier anonymous refusals from this address not written" : reason
            do {
                try await app.offload {
                    try ws.auditRefusal(actor: who, route: route, method: method, status: Int(e.status.code), reason: why,
                                        subject: subject, count: skipped)
                }
            } catch {
                // The refusal stands either way; a trail that cannot be written is the log's business.
                context.logger.error("could not audit a refused request", metadata: ["error.type": "\(type(of: error))", "http.route": "\(route)"])
            }
            throw e
        }
    }
}

/// How many anonymous refusals each client address may have written to the audit trail a minute.
actor RefusalLimiter {
    static let perMinute = 10
    private var windows: [String: (start: Int64, written: Int, skipped: Int)] = [:]

    /// Whether to write an anonymous refusal from `address` now: nil when over the limit (counted as left out),
    /// else how many were left out since the last one written.
    func admit(_ address: String, now: Int64) -> Int? {
        if windows.count > 10_000 { windows = windows.filter { now - $0.value.start < 60 } }
        var w = windows[address] ?? (now, 0, 0)
        if now - w.start >= 60 { w = (now, 0, w.skipped) }
        guard w.written < Self.perMinute else {
            w.skipped += 1
            windows[address] = w
            return nil
        }
        let skipped = w.skipped
        w.written += 1
        w.skipped = 0
        windows[address] = w
        return skipped
    }
}
