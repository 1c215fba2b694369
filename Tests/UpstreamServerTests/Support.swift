import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import UpstreamGovernance
import UpstreamModel
import UpstreamServer
import UpstreamStore

/// A clock the tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Int64 = 1_735_689_600  // 2025-01-01
    var now: Int64 { lock.lock(); defer { lock.unlock() }; return t }
    func advance(_ seconds: Int64) { lock.lock(); t += seconds; lock.unlock() }
}

/// A web app over a hand-made workspace: 20 persons, 6 flagged; users one per role plus a second practitioner,
/// with the first flagged person on `practitioner`'s caseload and the second on `practitioner2`'s.
struct Fixture {
    let store: InMemoryStore
    let users: InMemoryUserStore
    let app: WebApp
    let clock: TestClock
    let flagged: [String]
    let passwords: [String: String]
    let pseudonymiser: Pseudonymiser
    /// Seals the users' TOTP secrets (a fixed key, so tests can open what the store holds).
    let vault: SecondFactorVault

    /// The person on `practitioner`'s caseload, and the one on `practitioner2`'s.
    var mine: String { flagged[0] }
    var theirs: String { flagged[1] }

    static let userNames: [(String, UpstreamGovernance.Role)] = [
        ("analyst", .analyst), ("practitioner", .practitioner), ("practitioner2", .practitioner),
        ("supervisor", .supervisor), ("auditor", .auditor), ("admin", .admin),
    ]

    /// - Parameters:
    ///   - withRuns: save ``ReportFixtures``' plan and assessment as the store's runs (the pages read the latest run from
    ///     the store, as `upstream serve` does); the store also gets a pending linkage pair
    ///     and a training run with its report.
    ///   - gate: a user store in front of `users` that can hold calls (the blocking-pool test).
    init(loginsPerMinute: Int = 10_000, host: String = "127.0.0.1", persons: Int = 20, flaggedCount: Int = 6,
         withRuns: Bool = true,
         gate: ((InMemoryUserStore) -> any UserStore)? = nil, storeThreads: Int? = nil) throws {
        clock = TestClock()
        let key = SymmetricKey(data: Array(repeating: UInt8(7), count: 32))
        store = InMemoryStore(auditSealer: AuditChain(key: key, actor: AuditActor(name: "test", kind: .system, role: ""), head: nil))
        let p = Pseudonymiser(key: SymmetricKey(data: Array(repeating: UInt8(9), count: 32)))
        pseudonymiser = p
        flagged = try DemoWorkspace.fill(store, persons: persons, flagged: flaggedCount) { p.pseudonym($0.rawValue) }
        try ReportFixtures.seed(store, flagged: flagged)
        if withRuns { try ReportFixtures.saveRuns(store) }
        users = InMemoryUserStore()
        let vault = SecondFactorVault(key: SymmetricKey(data: Array(repeating: UInt8(3), count: 32)))
        self.vault = vault
        let clock = clock
        app = WebApp(configuration: WebConfiguration(host: host, port: 0, bcryptCost: 4, lockAfter: 5, lockSeconds: 900,
                                                     loginsPerMinute: loginsPerMinute, storeThreads: storeThreads),
                     store: store, users: gate?(users) ?? users, reports: StoreReportSource(store: store), secondFactors: vault, now: { clock.now })
        var pw: [String: String] = [:]
        for (name, role) in Self.userNames { pw[name] = try app.addUser(name: name, role: role) }
        passwords = pw
        try users.assign(CaseAssignment(subject: flagged[0], practitioner: "practitioner", assignedBy: "supervisor", assignedAt: 0))
        try users.assign(CaseAssignment(subject: flagged[1], practitioner: "practitioner2", assignedBy: "supervisor", assignedAt: 0))
    }

    /// Runs `body` against the app served on a free loopback port, over real HTTP.
    func live<T: Sendable>(_ body: @Sendable (Browser) async throws -> T) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let clock = clock
        return try await app.application(logger: logger).test(.live) { client in try await body(Browser(client: client, clock: clock)) }
    }
}

/// A minimal browser over the test client: keeps the session cookie, reads CSRF tokens from forms.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookie: String?
    /// The app's clock (for authenticator codes); nil: the real time.
    let clock: TestClock?

    init(client: any TestClientProtocol, clock: TestClock? = nil) { self.client = client; self.clock = clock }

    /// Another browser (its own cookie) on the same server and clock.
    func another() -> Browser { Browser(client: client, clock: clock) }

    /// The time the app sees.
    var now: Int64 { clock?.now ?? Int64(Date().timeIntervalSince1970) }

    /// The authenticator this browser's user sets up when the server asks (a fixed secret per user name, so any test
    /// browser can make the codes): 20 bytes of SHA-256 of the name.
    static func authenticator(_ name: String) -> TOTP {
        TOTP(secret: Array(SHA256.hash(data: Data("test authenticator \(name)".utf8))).prefix(20).map { $0 })
    }

    @discardableResult
    func get(_ uri: String, cookie override: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let c = override ?? cookie { headers[.cookie] = "upstream_session=\(c)" }
        let r = try await client.execute(uri: uri, method: .get, headers: headers, body: nil)
        remember(r)
        return r
    }

    @discardableResult
    func post(_ uri: String, form: [String: String], headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let c = cookie { headers[.cookie] = "upstream_session=\(c)" }
        let body = form.map { k, v in "\(k)=\(v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let r = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(r)
        return r
    }

    func remember(_ r: TestResponse) {
        guard let set = r.headers[.setCookie], set.hasPrefix("upstream_session=") else { return }
        let value = String(set.dropFirst("upstream_session=".count).prefix { $0 != ";" })
        cookie = value.isEmpty ? nil : value
    }

    /// The CSRF token in a page's forms.
    static func csrf(_ r: TestResponse) -> String? {
        let html = String(buffer: r.body)
        guard let range = html.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs in, with the user's authenticator code (ignored for a user without one); when the server asks the user
    /// to set up a second factor first (their role needs one), sets up ``authenticator(_:)`` through the account page.
    /// Returns the dashboard's CSRF token.
    @discardableResult
    func signIn(_ name: String, _ password: String) async throws -> String {
        cookie = nil
        let page = try await get("/login")
        let r = try await post("/login", form: ["csrf": Browser.csrf(page) ?? "", "name": name, "password": password,
                                               "code": Self.authenticator(name).code(at: now)])
        #expect(r.status == .seeOther, "sign in as \(name): \(r.status)")
        if r.headers[.location] == "/account?enrol=1" { try await enrol(name, password) }
        return Browser.csrf(try await get("/")) ?? ""
    }

    /// Sets up ``authenticator(_:)`` on the account page (the forced enrolment after signing in).
    func enrol(_ name: String, _ password: String) async throws {
        let account = try await get("/account")
        #expect(account.text.contains("needs a second factor"), "the account page asks \(name) to set up an authenticator")
        let totp = Self.authenticator(name)
        let r = try await post("/account/totp", form: ["csrf": Browser.csrf(account) ?? "", "current": password,
                                                      "secret": totp.base32Secret, "code": totp.code(at: now)])
        #expect(r.status == .seeOther, "set up the authenticator of \(name): \(r.status)")
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}
