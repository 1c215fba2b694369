import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus

/// Adds the security headers to every response, errors included: a Content Security Policy that allows only the
/// app's own stylesheet and images (no scripts at all), no framing, no MIME sniffing, no referrer, and no caching
/// of pages (which may hold person data).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Whether to send Strict-Transport-Security (only behind TLS, i.e. not on loopback).
    let hsts: Bool

    static var csp: String {
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let e as any HTTPResponseError {
            response = try e.response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error.type": "\(type(of: error))"])
            response = try WebError.serverFailure.response(from: request, context: context)
        }
        // A full report page sets its own, stricter-in-kind policy (its one inline style sheet by hash, no 'self').
        if response.headers[.contentSecurityPolicy] == nil || response.status != .ok { response.headers[.contentSecurityPolicy] = Self.csp }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        if !request.uri.path.hasPrefix("/assets/") { response.headers[.cacheControl] = "no-store" }
        if hsts { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}

/// Counts requests and their durations by method, route pattern and status (bounded labels: the route's pattern,
/// never the path with its pseudonym), and logs one line per request with the same fields: no query strings, no
/// cookies, no user names.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    /// `upstream_http_requests_total`, with its `# HELP` line.
    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "upstream", subsystem: "http", metricName: "requests", unitName: "total",
                             helpText: "Requests answered, by method, route pattern and status.")
    }
    /// `upstream_http_request_duration_seconds`, with its `# HELP` line.
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "upstream", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                             helpText: "Time to answer a request, by method and route pattern.")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        var route = "unmatched"
        defer {
            let elapsed = ContinuousClock.now - start
            let seconds = elapsed / .seconds(1)
            let labels = [("method", request.method.rawValue), ("route", route), ("status", String(status))]
            registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
            registry.makeDurationHistogram(descriptor: Self.duration,
                                           labels: [("method", request.method.rawValue), ("route", route)],
                                           buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                                     .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1)])
                .record(elapsed)
            context.logger.info("request", metadata: [
                "http.method": "\(request.method.rawValue)", "http.route": "\(route)", "http.status": "\(status)",
                "http.duration_ms": "\(Int(seconds * 1000))",
            ])
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            route = context.endpointPath ?? "unmatched"
            return response
        } catch let e as any HTTPResponseError {
            status = e.status.code
            route = context.endpointPath ?? "unmatched"
            throw e
        }
    }
}

/// Finds the session the `upstream_session` cookie names and puts it on the context.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let sessions: SessionStore
    let now: @Sendable () -> Int64

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        if let id = request.cookies[Cookies.session]?.value, !id.isEmpty {
            context.session = await sessions.session(id, now: now())
        }
        return try await next(request, context)
    }
}

/// The session cookie's name and attributes.
enum Cookies {
    static let session = "upstream_session"

    /// `Set-Cookie` for a session: HttpOnly, SameSite=Strict, Path=/, Secure unless the server is on loopback.
    static func set(_ id: String, secure: Bool) -> String {
        "\(session)=\(id); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that removes the session cookie.
    static func clear(secure: Bool) -> String {
        "\(session)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
