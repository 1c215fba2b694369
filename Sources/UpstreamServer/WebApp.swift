import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import Logging
import Prometheus
import UpstreamGovernance
import UpstreamStore

/// How the web app runs. Every key has a default; `upstream serve` sets them from its options.
///
/// - `host` (String, default `127.0.0.1`): the address to listen on.
/// - `port` (Int, default 8080; 0 picks a free port): the port.
/// - `secureCookies` (Bool, default: true unless `host` is a loopback address): mark the session cookie Secure and
///   send Strict-Transport-Security (serve behind TLS when not on loopback).
/// - `bcryptCost` (UInt8, 4...31, default 12): the cost of new password hashes.
/// - `lockAfter` (Int, default 5): consecutive failed logins that lock a user; `lockSeconds` (default 900) for how long.
/// - `loginsPerMinute` (Int, default 20): login attempts one address may make per minute.
/// - `idleTimeout`, `absoluteTimeout` (seconds, default 1800 and 28800): when a session ends.
/// - `storeThreads` (Int, at least 1, default: the number of cores plus 2, at least 4): the threads that run store
///   calls, bcrypt and page rendering (``BlockingPool``), away from Swift's cooperative pool.
/// - `pageCache` (Int, default ``defaultPageCache``): how many pages and values ``WebCache`` keeps; 0 keeps none, so
///   every view is built from the store (a benchmark's switch, to measure a kept page's miss; docs/web.md).
/// - `trailPoll` (seconds, default ``defaultTrailPoll``): how long one read of the audit trail's new entries stands
///   for the requests after it (``WebCache``): a change made by another process (the command line, another server
///   on the same database) shows on kept pages within this time; the server's own changes show at once. 0 reads the
///   trail on every request.
/// - `secondFactorRoles` (default: practitioner, supervisor, admin): the roles that must set up an authenticator
///   (TOTP) before any page but their account answers: those that may identify a young person or administer users
///   (docs/security.md, ASVS 2.2.3 and 4.3.1).
public struct WebConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var secureCookies: Bool
    public var bcryptCost: UInt8
    public var lockAfter: Int
    public var lockSeconds: Int64
    public var loginsPerMinute: Int
    public var idleTimeout: Int64
    public var absoluteTimeout: Int64
    public var storeThreads: Int
    public var pageCache: Int
    public var trailPoll: Double
    public var secondFactorRoles: Set<UpstreamGovernance.Role>

    /// The roles that need a second factor by default: those that may identify a young person (practitioner,
    /// supervisor) or administer users (admin).
    /// Pages and values kept between requests by default.
    public static let defaultPageCache = 4_000
    /// Seconds one read of the trail's tail stands for the requests after it, by default: a twentieth of a second,
    /// far below what a person notices, while a busy server reads the tail once per twentieth instead of per request.
    public static let defaultTrailPoll = 0.05

    public static let defaultSecondFactorRoles: Set<UpstreamGovernance.Role> = [.practitioner, .supervisor, .admin]

    public init(host: String = "127.0.0.1", port: Int = 8080, secureCookies: Bool? = nil, bcryptCost: UInt8 = 12,
                lockAfter: Int = 5, lockSeconds: Int64 = 900, loginsPerMinute: Int = 20,
                idleTimeout: Int64 = 1800, absoluteTimeout: Int64 = 28_800, storeThreads: Int? = nil,
                pageCache: Int = WebConfiguration.defaultPageCache, trailPoll: Double = WebConfiguration.defaultTrailPoll,
                secondFactorRoles: Set<UpstreamGovernance.Role> = WebConfiguration.defaultSecondFactorRoles) {
        self.secondFactorRoles = secondFactorRoles
        self.trailPoll = trailPoll.isFinite ? max(0, trailPoll) : 0
        self.pageCache = max(0, pageCache)
        self.storeThreads = max(1, storeThreads ?? max(4, ProcessInfo.processInfo.activeProcessorCount + 2))
        self.host = host; self.port = port
        self.secureCookies = secureCookies ?? !Self.isLoopback(host)
        self.bcryptCost = bcryptCost; self.lockAfter = lockAfter; self.lockSeconds = lockSeconds
        self.loginsPerMinute = loginsPerMinute; self.idleTimeout = idleTimeout; self.absoluteTimeout = absoluteTimeout
    }

    /// Whether `host` is a loopback address (`127.*`, `::1`, `localhost`).
    public static func isLoopback(_ host: String) -> Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}

/// The web app's dependencies and routes: the one composition root that `upstream serve` and the tests both call.
public struct WebApp: Sendable {
    public let configuration: WebConfiguration
    let workspace: WebWorkspace
    let sessions: SessionStore
    let throttle: LoginThrottle
    let registry: PrometheusCollectorRegistry
    let blocking: BlockingPool
    let refusals: RefusalLimiter
    /// Encrypts the users' TOTP secrets at rest.
    let vault: SecondFactorVault

    /// A web app over `store` (records, persons, the audit trail) and `users`.
    /// - Parameters:
    ///   - reports: where the latest intervention plan and strategic assessment are (none by default).
    ///   - secondFactors: encrypts the users' TOTP secrets (``SecondFactorVault/forStore(_:)`` for a store on disk;
    ///     by default a key held in memory only, for the demo and tests whose users live in memory).
    ///   - now: the clock, in seconds since 1970 (a parameter so tests can move time).
    public init(configuration: WebConfiguration, store: any WorkspaceStore, users: any UserStore,
                reports: any ReportSource = FixedReportSource(), secondFactors: SecondFactorVault = SecondFactorVault(),
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.configuration = configuration
        vault = secondFactors
        refusals = RefusalLimiter()
        let blocking = BlockingPool(threads: configuration.storeThreads)
        self.blocking = blocking
        workspace = WebWorkspace(store: store, users: users, reports: reports, now: now,
                                 cache: WebCache(capacity: configuration.pageCache, trailPoll: configuration.trailPoll), blocking: blocking,
                                 builds: BlockingPool(threads: ProcessInfo.processInfo.activeProcessorCount))
        sessions = SessionStore(idleTimeout: configuration.idleTimeout, absoluteTimeout: configuration.absoluteTimeout)
        throttle = LoginThrottle(perMinute: configuration.loginsPerMinute)
        registry = PrometheusCollectorRegistry()
    }

    /// The router with every route and middleware.
    public func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: SecurityHeadersMiddleware(hsts: configuration.secureCookies))
        router.add(middleware: MetricsMiddleware(registry: registry))
        router.add(middleware: SessionMiddleware(sessions: sessions, now: workspace.now))
        router.add(middleware: RefusalAuditMiddleware(app: self))

        router.get("/health") { _, _ in try Self.json(["status": "ok"]) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: registry.emitToString())))
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("/assets/{name}") { _, context in try Assets.response(try context.parameters.require("name")) }
        router.get("/favicon.ico") { _, _ in try Assets.response("favicon.svg") }
        AuthRoutes(app: self).add(to: router)

        let signedIn = router.group(context: SignedInContext.self).add(middleware: SecondFactorGate())
        PageRoutes(app: self).add(to: signedIn)
        ReportRoutes(app: self).add(pages: signedIn)
        AccountRoutes(app: self).add(to: signedIn)
        APIRoutes(app: self).add(to: signedIn.group("api/v1"))
        ReportRoutes(app: self).add(api: signedIn.group("api/v1"))
        return router
    }

    /// The application, listening where the configuration says.
    /// - Parameters:
    ///   - onServerRunning: called with the bound port once the server listens (port 0 picks a free one).
    public func application(logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(),
                    configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "upstream"),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                    logger: logger)
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully (in-flight requests finish).
    public func run(logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(logger: logger, onServerRunning: onServerRunning).runService()
    }

    /// Young people (the review queue's, then the caseloads') whose chronologies `upstream serve` builds before it
    /// listens, by default.
    public static let defaultPrebuild = 2_000

    /// Builds and keeps the chronologies of the review queue's young people, then the caseloads' (at most `limit`, and
    /// at most half the page cache), so that a fresh server's first views of them are kept views: ``WebWorkspace/prebuildQueueChronologies(limit:progress:)``.
    /// Call it after any start-up writes (demo users, caseloads), which would make what it keeps stale.
    /// - Returns: how many young people's chronologies were kept.
    public func prebuildQueueChronologies(limit: Int = WebApp.defaultPrebuild,
                                          progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Int {
        try await workspace.prebuildQueueChronologies(limit: min(limit, configuration.pageCache / 2), progress: progress)
    }

    /// Puts the demo's flagged young people on the two demo practitioners' caseloads, alternately (first to
    /// `demo-practitioner`), unless already assigned.
    public func assignDemoCaseloads(_ flagged: [String]) throws {
        for (i, subject) in flagged.enumerated() where try workspace.users.assignment(of: subject) == nil {
            try workspace.users.assign(CaseAssignment(subject: subject, practitioner: i % 2 == 0 ? "demo-practitioner" : "demo-practitioner2",
                                                      assignedBy: "demo-supervisor", assignedAt: workspace.now()))
        }
        workspace.cache.bump()  // written without an audit entry (a demo's set-up), so the pages cached are stale
    }

    // MARK: Helpers shared by the route collections

    /// Runs `body` (store calls, bcrypt, page rendering) on the ``BlockingPool``, off Swift's cooperative pool.
    @discardableResult
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await blocking.run(body)
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    /// The fields of a URL-encoded form body.
    static func form(_ request: Request, context: some RequestContext) async throws -> [String: String] {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return parseForm(String(buffer: buffer))
    }

    static func parseForm(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let key = decode(kv[0])
            if out[key] == nil { out[key] = kv.count > 1 ? decode(kv[1]) : "" }
        }
        return out
    }

    /// Throws ``WebError/csrf`` unless `token` equals the session's token (compared in constant time).
    static func checkCSRF(_ token: String?, session: Session?) throws {
        guard let session, let token else { throw WebError.csrf }
        let a = Array(token.utf8), b = Array(session.csrf.utf8)
        guard a.count == b.count else { throw WebError.csrf }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        guard diff == 0 else { throw WebError.csrf }
    }

    /// A form posted by a signed-in user, after its CSRF token is checked.
    static func checkedForm(_ request: Request, context: SignedInContext) async throws -> [String: String] {
        let form = try await form(request, context: context)
        try checkCSRF(form["csrf"], session: context.session)
        return form
    }

    /// A new random password: 20 characters from an alphabet without look-alikes (about 113 bits).
    public static func newPassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(g.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// Adds a user with a new random password; returns the password (shown once, never stored).
    /// - Parameter auditedBy: the signed-in admin adding the user: a `user-add` audit entry is saved with the user
    ///   (in one transaction when the store can).
    /// - Throws: ``WebError/badRequest(_:)`` for a bad name, ``WebError/conflict(_:)`` when the name is taken.
    public func addUser(name: String, role: UpstreamGovernance.Role, auditedBy: User? = nil) throws -> String {
        guard (2...64).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw WebError.badRequest("a user name is 2 to 64 letters, digits, dots, dashes or underscores")
        }
        guard try workspace.users.user(named: name) == nil else { throw WebError.conflict("there is already a user named \(name)") }
        let password = Self.newPassword()
        let user = StoredUser(name: name, role: role.rawValue, passwordHash: Bcrypt.hash(password, cost: configuration.bcryptCost),
                              createdAt: workspace.now())
        if let admin = auditedBy {
            try workspace.saveUser(user, action: "user-add", user: admin, subject: name, detail: "role \(role.rawValue)")
        } else {
            try workspace.users.saveUser(user)
        }
        return password
    }

    /// Creates one user per role named `demo-ROLE` (and a second practitioner, `demo-practitioner2`), unless they
    /// exist; returns each new user's password, to be printed once.
    public func createDemoUsers() throws -> [(name: String, role: UpstreamGovernance.Role, password: String)] {
        var out: [(String, UpstreamGovernance.Role, String)] = []
        for role in Role.allCases {
            let name = "demo-\(role.rawValue)"
            if try workspace.users.user(named: name) == nil { out.append((name, role, try addUser(name: name, role: role))) }
        }
        if try workspace.users.user(named: "demo-practitioner2") == nil {
            out.append(("demo-practitioner2", .practitioner, try addUser(name: "demo-practitioner2", role: .practitioner)))
        }
        return out
    }
}
