import Foundation
import GRDB
import Testing
import UpstreamServer
import UpstreamTesting
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` while `upstream serve --store` writes (issue 12, the server's writes): practitioners' and supervisors'
/// decisions on risk flags, reopened decisions, caseload assignments and user administration, driven over real HTTP
/// against the real binary (a separate process, so the test does not share Swift's cooperative thread pool with it).
/// After every kill the store opens, `audit verify` passes, every decision, assignment and user change is wholly
/// there with its audit entry or wholly absent, every answered request's change is there, and the restarted server
/// serves again.
@Suite("kill -9 during the web server's writes leaves the store consistent", .serialized)
struct ServerCrashTests {
    static let dir = NSTemporaryDirectory() + "upstream-servercrash-\(getpid())"
    static var store: String { dir + "/city.db" }
    /// A 1,500-person city with a raised serious violence rate, ingested, linked, a risk model trained and the
    /// city scored (so the queue holds flagged young people).
    static let setup: (status: Int32, err: String) = {
        // The folders of earlier test processes that have ended go first (each holds a city and its store).
        let temporary = NSTemporaryDirectory()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix("upstream-servercrash-") {
            if let pid = Int32(name.dropFirst("upstream-servercrash-".count)), pid != getpid(), kill(pid, 0) != 0 {
                try? FileManager.default.removeItem(atPath: temporary + "/" + name)
            }
        }
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = dir + "/stress.yaml"
        try? "services:\n  seriousViolenceBy18: 0.1\n".write(toFile: config, atomically: true, encoding: .utf8)
        let postcodes = dir + "/city/reference/postcodes.csv"
        for args in [["synth", "--people", "1500", "--seed", "11", "--config", config, "--out", dir + "/city"],
                     ["ingest", "--synth", dir + "/city", "--store", store],
                     ["link", "--store", store],
                     ["risk", "train", "--store", store, "--postcodes", postcodes, "--iterations", "20", "--capacity", "100"],
                     ["risk", "score", "--store", store, "--as-of", "2024-01-01", "--postcodes", postcodes, "--capacity", "8000"]] {
            guard let r = try? UpstreamBinary.run(args), r.status == 0 else {
                return (1, "failed: \(args.joined(separator: " ")): \((try? UpstreamBinary.run(args).err) ?? "")")
            }
        }
        return (0, "")
    }()

    // MARK: A minimal HTTP/1.1 client over a socket (no redirects followed, no cookie jar: the test sees each answer)

    struct Reply { var status: Int; var headers: [String: String]; var body: String }
    struct HTTPFailure: Error { var what: String }

    /// One request with `Connection: close`; throws when the server is gone or does not answer within `timeout` s.
    static func request(_ port: Int, _ method: String, _ path: String, cookie: String? = nil, form: [String: String]? = nil,
                        json: [String: String]? = nil, headers extra: [String: String] = [:], timeout: Int = 30) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPFailure(what: "socket") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HTTPFailure(what: "connect") }
        var body = form.map { f in
            f.sorted { $0.key < $1.key }.map { k, v in
                "\(k)=\(v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }.joined(separator: "&")
        }
        if let json { body = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self) }
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let cookie { text += "Cookie: upstream_session=\(cookie)\r\n" }
        for (k, v) in extra { text += "\(k): \(v)\r\n" }
        if let body {
            text += "Content-Type: \(json != nil ? "application/json" : "application/x-www-form-urlencoded")\r\n"
            text += "Content-Length: \(body.utf8.count)\r\n"
        }
        text += "\r\n" + (body ?? "")
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw HTTPFailure(what: "send") }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw HTTPFailure(what: "recv") }
            received += buffer[0..<n]
        }
        let reply = String(decoding: received, as: UTF8.self)
        guard let end = reply.range(of: "\r\n\r\n") else { throw HTTPFailure(what: "no reply") }
        let lines = reply[..<end.lowerBound].components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw HTTPFailure(what: "no status")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: headers, body: String(reply[end.upperBound...]))
    }

    static func csrf(_ html: String) -> String? {
        guard let r = html.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    static func sessionCookie(_ r: Reply) -> String? {
        guard let set = r.headers["set-cookie"], set.hasPrefix("upstream_session=") else { return nil }
        return String(set.dropFirst("upstream_session=".count).prefix { $0 != ";" })
    }

    /// The authenticator each test user sets up when the server asks (supervisors and admins must have one): a fixed
    /// key per name, so a sign-in after a restart can make the code.
    static func authenticator(_ name: String) -> TOTP {
        TOTP(secret: Array("upstream crash test \(name) authenticator".utf8.prefix(20)))
    }

    /// Signs in (with the user's authenticator code; setting the authenticator up first when the server asks);
    /// returns the session cookie and the dashboard's CSRF token.
    static func signIn(_ port: Int, _ name: String, _ password: String) throws -> (cookie: String, csrf: String) {
        let page = try request(port, "GET", "/login")
        let anonymous = try #require(sessionCookie(page), "no session cookie on the login page")
        let totp = authenticator(name)
        let r = try request(port, "POST", "/login", cookie: anonymous,
                            form: ["csrf": csrf(page.body) ?? "", "name": name, "password": password,
                                   "code": totp.code(at: Int64(Date().timeIntervalSince1970))])
        guard r.status == 303, var cookie = sessionCookie(r) else { throw HTTPFailure(what: "sign in as \(name): \(r.status)") }
        if r.headers["location"] == "/account?enrol=1" {
            let account = try request(port, "GET", "/account", cookie: cookie)
            let enrolled = try request(port, "POST", "/account/totp", cookie: cookie,
                                       form: ["csrf": csrf(account.body) ?? "", "current": password, "secret": totp.base32Secret,
                                              "code": totp.code(at: Int64(Date().timeIntervalSince1970))])
            guard enrolled.status == 303, let renewed = sessionCookie(enrolled) else {
                throw HTTPFailure(what: "set up the authenticator of \(name): \(enrolled.status)")
            }
            cookie = renewed
        }
        let dashboard = try request(port, "GET", "/", cookie: cookie)
        return (cookie, try #require(csrf(dashboard.body), "no CSRF token on the dashboard"))
    }

    // MARK: The server

    final class Server {
        let process = Process()
        let out: String
        var port = 0
        /// The process, for ``CrashHarness``'s kill.
        var child: CrashHarness.Child { CrashHarness.Child(process: process, outPath: out) }

        /// Starts `upstream serve --store` on a free port and waits until it says where it listens.
        init(log: String, environment extra: [String: String] = [:]) throws {
            out = log
            FileManager.default.createFile(atPath: out, contents: nil)
            let binary = try #require(UpstreamBinary.path, "build the upstream executable first (swift build)")
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["serve", "--store", ServerCrashTests.store, "--port", "0", "--create-demo-users", "--bcrypt-cost", "4"]
            process.standardOutput = FileHandle(forWritingAtPath: out)
            process.standardError = FileHandle.nullDevice
            var env = ProcessInfo.processInfo.environment
            for (k, v) in extra { env[k] = v }
            process.environment = env
            try process.run()
            let deadline = ContinuousClock.now + .seconds(120)
            while port == 0, ContinuousClock.now < deadline, process.isRunning {
                Thread.sleep(forTimeInterval: 0.05)
                if let r = text.range(of: "serving on http://127.0.0.1:") { port = Int(text[r.upperBound...].prefix { $0.isNumber }) ?? 0 }
            }
            if port == 0 { kill9() }
            _ = try #require(port != 0 ? port : nil, "the server did not start: \(text)")
        }

        var text: String { String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self) }

        /// The demo users' passwords, printed at the first start only.
        var passwords: [String: String] {
            var p: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let f = line.split(separator: "\t")
                if f.count == 3 { p[String(f[0])] = String(f[2]) }
            }
            return p
        }

        func kill9() { child.kill9() }
    }

    // MARK: Reading the store after a kill

    static func rows(_ sql: String) throws -> [[String]] {
        try DatabaseQueue(path: store).read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                row.databaseValues.map { v in
                    switch v.storage {
                    case .null: "NULL"
                    case .int64(let n): String(n)
                    case .double(let x): String(x)
                    case .string(let t): t
                    case .blob(let d): String(decoding: d, as: UTF8.self)
                    }
                }
            }
        }
    }

    static func auditVerifies() throws {
        let v = try UpstreamBinary.run(["audit", "verify", "--store", store, "--json"])
        #expect(v.status == 0, "\(v.out)\(v.err)")
        let json = try JSONSerialization.jsonObject(with: Data(v.out.utf8)) as? [String: Any]
        #expect(json?["intact"] as? Bool == true, "\(v.out)")
    }

    /// What the test asked the server to do, and which requests it answered.
    struct Attempts {
        /// Decision and reopen reasons (each unique), and whether the server answered.
        var reviews: [(reason: String, answered: Bool)] = []
        /// Users added, and whether the server answered.
        var usersAdded: [(name: String, answered: Bool)] = []
        /// Assignments (subject, practitioner), and whether the server answered.
        var assignments: [(subject: String, to: String, answered: Bool)] = []
        /// Changes to users added earlier (a role, disable, enable).
        var userChanges = 0
    }

    /// Checks the invariants: every review reason is in both the audit trail and an item's stored history, or in
    /// neither; every user added is in `users` exactly when its `user-add` entry is in the trail; each young person's
    /// caseload assignment is the one its latest `case-assign` entry names; every answered request's change is there.
    static func checkConsistent(_ tried: Attempts, round: Int) throws {
        #expect(try rows("PRAGMA integrity_check") == [["ok"]])
        try auditVerifies()
        let trail = try rows("SELECT action, subject, reason, detail FROM audit_trail ORDER BY seq")
        let states = try rows("SELECT state FROM review_items WHERE queue = 'risk-flags'").map { $0[0] }
        for t in tried.reviews {
            let inTrail = trail.contains { $0[0].hasPrefix("risk-review-") && $0[2] == t.reason }
            let inItem = states.contains { $0.contains(t.reason) }
            #expect(inTrail == inItem, "round \(round): '\(t.reason)' in the trail \(inTrail), in the item \(inItem)")
            if t.answered { #expect(inItem, "round \(round): an answered decision '\(t.reason)' was lost") }
        }
        let users = Set(try rows("SELECT name FROM users").map { $0[0] })
        for u in tried.usersAdded {
            let audited = trail.contains { $0[0] == "user-add" && $0[1] == u.name }
            #expect(users.contains(u.name) == audited, "round \(round): user \(u.name) stored \(users.contains(u.name)), audited \(audited)")
            if u.answered { #expect(users.contains(u.name), "round \(round): an answered user-add \(u.name) was lost") }
        }
        // Each user's role and whether it is disabled are what its latest audit entries say.
        let stored = Dictionary(try rows("SELECT name, role, disabled FROM users WHERE name LIKE 'crash-user-%'").map { ($0[0], ($0[1], $0[2])) },
                                uniquingKeysWith: { a, _ in a })
        for (name, (role, disabled)) in stored {
            let latestRole = trail.last { ($0[0] == "user-add" || $0[0] == "user-role") && $0[1] == name }.map { String($0[3].dropFirst("role ".count)) }
            #expect(role == latestRole, "round \(round): \(name) has role \(role), the trail says \(latestRole ?? "nothing")")
            let latestSwitch = trail.last { ($0[0] == "user-disable" || $0[0] == "user-enable") && $0[1] == name }?[0]
            #expect((disabled == "1") == (latestSwitch == "user-disable"),
                    "round \(round): \(name) disabled \(disabled), the trail's latest switch \(latestSwitch ?? "none")")
        }
        let assigned = Dictionary(try rows("SELECT subject, practitioner FROM case_assignments").map { ($0[0], $0[1]) },
                                  uniquingKeysWith: { a, _ in a })
        for subject in Set(tried.assignments.map(\.subject)) {
            let latest = trail.last { $0[0] == "case-assign" && $0[1] == subject }.map { String($0[3].dropFirst("to ".count)) }
            #expect(assigned[subject] == latest, "round \(round): \(subject) assigned to \(assigned[subject] ?? "nobody"), the trail says \(latest ?? "nobody")")
        }
        for subject in Set(tried.assignments.map(\.subject)) {
            if let last = tried.assignments.last(where: { $0.subject == subject }), last.answered {
                #expect(assigned[subject] == last.to, "round \(round): the answered assignment of \(subject) to \(last.to) was lost")
            }
        }
    }

    /// The flagged young people in the supervisor's queue (first page).
    static func flagged(_ port: Int, cookie: String) throws -> [String] {
        let page = try request(port, "GET", "/queue", cookie: cookie)
        var out: [String] = []
        var rest = Substring(page.body)
        while let r = rest.range(of: "/queue/YP-") {
            let p = "YP-" + rest[r.upperBound...].prefix { $0 != "/" }
            if !out.contains(p) { out.append(p) }
            rest = rest[r.upperBound...]
        }
        return out
    }

    /// Drives the server's writes until it stops answering: decisions with unique reasons through the form and the
    /// JSON API (a supervisor reopens each decided one first), assignments alternating between the two demo
    /// practitioners, new users, and new roles, disabling and enabling of those users.
    static func drive(_ port: Int, round: Int, supervisor: (cookie: String, csrf: String), admin: (cookie: String, csrf: String),
                      subjects: [String], tried: inout Attempts) {
        let decisions = ["offer-support", "already-supported", "refer-for-assessment", "no-further-action"]
        for i in 0..<10_000 {
            let subject = subjects[i % subjects.count]
            do {
                switch i % 6 {
                case 4:
                    // Through the JSON API: reopen with the form, then decide with X-CSRF-Token.
                    let reopen = "crash-r\(round)-\(i)-reopen"
                    tried.reviews.append((reopen, false))
                    let r1 = try request(port, "POST", "/queue/\(subject)/reopen", cookie: supervisor.cookie,
                                         form: ["csrf": supervisor.csrf, "reason": reopen])
                    if r1.status == 303 { tried.reviews[tried.reviews.count - 1].answered = true }
                    let reason = "crash-r\(round)-\(i)-api"
                    tried.reviews.append((reason, false))
                    let r2 = try request(port, "POST", "/api/v1/queue/\(subject)/decision", cookie: supervisor.cookie,
                                         json: ["decision": decisions[i % decisions.count], "reason": reason],
                                         headers: ["X-CSRF-Token": supervisor.csrf])
                    if r2.status == 200 { tried.reviews[tried.reviews.count - 1].answered = true }
                case 5:
                    // A user added earlier: a new role, disabled or enabled.
                    guard let earlier = tried.usersAdded.last(where: \.answered)?.name else { continue }
                    let action = ["role", "disable", "enable"][(i / 6) % 3]
                    tried.userChanges += 1
                    _ = try request(port, "POST", "/admin/users/\(earlier)/\(action)", cookie: admin.cookie,
                                    form: ["csrf": admin.csrf, "role": (i / 6) % 2 == 0 ? "analyst" : "auditor"])
                case 0, 1:
                    // Reopen first (refused with 409 when the item is pending), then decide.
                    let reopen = "crash-r\(round)-\(i)-reopen"
                    tried.reviews.append((reopen, false))
                    let r1 = try request(port, "POST", "/queue/\(subject)/reopen", cookie: supervisor.cookie,
                                         form: ["csrf": supervisor.csrf, "reason": reopen])
                    if r1.status == 303 { tried.reviews[tried.reviews.count - 1].answered = true }
                    let reason = "crash-r\(round)-\(i)-decide"
                    tried.reviews.append((reason, false))
                    let r2 = try request(port, "POST", "/queue/\(subject)/decide", cookie: supervisor.cookie,
                                         form: ["csrf": supervisor.csrf, "decision": decisions[i % decisions.count], "reason": reason])
                    if r2.status == 303 { tried.reviews[tried.reviews.count - 1].answered = true }
                case 2:
                    let to = i % 12 == 2 ? "demo-practitioner" : "demo-practitioner2"
                    tried.assignments.append((subject, to, false))
                    let r = try request(port, "POST", "/queue/\(subject)/assign", cookie: supervisor.cookie,
                                        form: ["csrf": supervisor.csrf, "practitioner": to])
                    if r.status == 303 { tried.assignments[tried.assignments.count - 1].answered = true }
                default:
                    let name = "crash-user-\(round)-\(i)"
                    tried.usersAdded.append((name, false))
                    let r = try request(port, "POST", "/admin/users", cookie: admin.cookie,
                                        form: ["csrf": admin.csrf, "name": name, "role": i % 12 == 3 ? "analyst" : "practitioner"])
                    if r.status == 200 { tried.usersAdded[tried.usersAdded.count - 1].answered = true }
                }
            } catch {
                return  // the server is gone
            }
            requestsDone.add()
        }
    }

    @Test("kill -9 at random moments while the server writes decisions, assignments and users, again and again")
    func killingTheServerAtRandomMomentsNeverLeavesTheStoreInconsistent() async throws {
        try #require(Self.setup.status == 0, "\(Self.setup.err)")
        let seed = ProcessInfo.processInfo.environment["UPSTREAM_CRASH_SEED"].flatMap(UInt64.init) ?? 5
        let rounds = ProcessInfo.processInfo.environment["UPSTREAM_CRASH_ROUNDS"].flatMap(Int.init) ?? 5
        var rng = SplitMix(state: seed)
        let passwords = try Self.passwordsFromFirstStart()
        var tried = Attempts()
        for round in 0..<rounds {
            let server = try Server(log: Self.dir + "/serve-\(round).out")
            defer { server.kill9() }  // on a failed expectation too: never leave a server behind
            let port = server.port
            // The restarted server serves again, having built the queue's chronologies before it listened.
            #expect(try Self.request(port, "GET", "/health").status == 200)
            #expect(server.text.contains("kept the chronologies of "), "no chronologies kept at start: \(server.text)")
            let supervisor = try Self.signIn(port, "demo-supervisor", try #require(passwords["demo-supervisor"]))
            let admin = try Self.signIn(port, "demo-admin", try #require(passwords["demo-admin"]))
            let subjects = try Self.flagged(port, cookie: supervisor.cookie)
            try #require(subjects.count >= 4, "the queue holds too few flagged young people: \(subjects.count)")

            let delay = Int.random(in: 0..<1_500, using: &rng)
            let driver = Thread { [tried] in
                var t = tried
                Self.drive(port, round: round, supervisor: supervisor, admin: admin, subjects: subjects, tried: &t)
                Self.driven.set(t)
            }
            Self.requestsDone.reset()
            driver.start()
            // The kill lands a random time after the server has answered its first writes, however loaded the machine:
            // the one CrashHarness wait, by the wall clock on a thread of its own (beside CPU-bound suites the
            // cooperative pool woke a Task.sleep minutes late, and meanwhile the driver went on writing).
            _ = await CrashHarness.kill(server.child, when: .after(Double(delay) / 1_000, once: { Self.requestsDone.value >= 2 }, timeout: 120))
            while Self.driven.get() == nil { try await Task.sleep(for: .milliseconds(20)) }
            tried = Self.driven.take()!
            try Self.checkConsistent(tried, round: round)
        }
        #expect(tried.reviews.contains { $0.answered }, "no decision was answered in any round: the kills came too early")
        // After the last kill the server starts, serves and writes again.
        let server = try Server(log: Self.dir + "/serve-final.out")
        defer { server.kill9() }
        let supervisor = try Self.signIn(server.port, "demo-supervisor", try #require(passwords["demo-supervisor"]))
        #expect(try Self.request(server.port, "GET", "/queue", cookie: supervisor.cookie).status == 200)
    }

    @Test("a decision killed inside its transaction leaves neither its audit entry nor its new state")
    func aDecisionKilledWhileSavingIsWhollyAbsent() async throws {
        try #require(Self.setup.status == 0, "\(Self.setup.err)")
        for (table, label) in [("review_items", "decision"), ("users", "user"), ("case_assignments", "assignment")] {
            let marker = Self.dir + "/stalled-\(table)"
            try? FileManager.default.removeItem(atPath: marker)
            let server = try Server(log: Self.dir + "/serve-stall-\(table).out",
                                    environment: ["UPSTREAM_TEST_STALL_BEFORE_COMMIT": table, "UPSTREAM_TEST_STALL_MARKER": marker])
            defer { server.kill9() }
            let passwords = try Self.passwordsFromFirstStart()
            let supervisor = try Self.signIn(server.port, "demo-supervisor", try #require(passwords["demo-supervisor"]))
            let admin = try Self.signIn(server.port, "demo-admin", try #require(passwords["demo-admin"]))
            let subject = try #require(try Self.flagged(server.port, cookie: supervisor.cookie).first)
            let trailBefore = try Self.rows("SELECT count(*) FROM audit_trail")
            let reason = "stalled-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
            let port = server.port
            let request = Thread {
                switch table {
                case "review_items":
                    _ = try? Self.request(port, "POST", "/queue/\(subject)/reopen", cookie: supervisor.cookie,
                                          form: ["csrf": supervisor.csrf, "reason": reason + "-reopen"], timeout: 120)
                    _ = try? Self.request(port, "POST", "/queue/\(subject)/decide", cookie: supervisor.cookie,
                                          form: ["csrf": supervisor.csrf, "decision": "offer-support", "reason": reason], timeout: 120)
                case "users":
                    _ = try? Self.request(port, "POST", "/admin/users", cookie: admin.cookie,
                                          form: ["csrf": admin.csrf, "name": reason, "role": "analyst"], timeout: 120)
                default:
                    _ = try? Self.request(port, "POST", "/queue/\(subject)/assign", cookie: supervisor.cookie,
                                          form: ["csrf": supervisor.csrf, "practitioner": "demo-practitioner2"], timeout: 120)
                }
            }
            let assignedBefore = try Self.rows("SELECT practitioner FROM case_assignments WHERE subject = '\(subject)'")
            request.start()
            let stalled = await CrashHarness.kill(server.child, when: .whenFileExists(marker, timeout: 120)).stalled
            // The killed transaction's journal stays on disk until the store is next opened: the write-ahead log, as
            // `serve` puts the store in WAL mode (docs/web.md), or the rollback journal.
            #expect(["-wal", "-journal"].contains { FileManager.default.fileExists(atPath: Self.store + $0) },
                    "the \(label)'s transaction is open")
            try #require(stalled, "the server did not reach the \(label)'s save")

            // Neither the entry nor the change: the trail is as long as before the request (a stalled reopen of a
            // pending item is refused before any write, and a stalled decision rolls back its audit entry).
            #expect(try Self.rows("SELECT count(*) FROM audit_trail") == trailBefore, "the \(label)'s audit entry outlived the kill")
            switch table {
            case "review_items":
                #expect(try Self.rows("SELECT state FROM review_items WHERE queue = 'risk-flags'").allSatisfy { !$0[0].contains(reason) })
            case "users":
                #expect(try Self.rows("SELECT name FROM users WHERE name = '\(reason)'").isEmpty)
            default:
                #expect(try Self.rows("SELECT practitioner FROM case_assignments WHERE subject = '\(subject)'") == assignedBefore)
            }
            try Self.auditVerifies()
        }
    }

    /// The demo users' passwords from the first start of the server in this process (starting it once if needed).
    static func passwordsFromFirstStart() throws -> [String: String] {
        if let p = firstPasswords.get() { return p }
        let server = try Server(log: dir + "/serve-first.out")
        let p = server.passwords
        server.kill9()
        firstPasswords.set(p)
        return p
    }

    static let driven = Box<Attempts>()
    static let requestsDone = Counter()

    /// A count shared between threads.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        var value: Int { lock.lock(); defer { lock.unlock() }; return n }
        func add() { lock.lock(); n += 1; lock.unlock() }
        func reset() { lock.lock(); n = 0; lock.unlock() }
    }
    static let firstPasswords = Box<[String: String]>()

    /// A value handed between threads.
    final class Box<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var value: T?
        func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
        func get() -> T? { lock.lock(); defer { lock.unlock() }; return value }
        func take() -> T? { lock.lock(); defer { lock.unlock() }; let v = value; value = nil; return v }
    }

    /// SplitMix64, so a failing run can be repeated with its seed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
