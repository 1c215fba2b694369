import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import UpstreamGovernance
import UpstreamServer
import UpstreamStore
import UpstreamStoreSQLite

/// A user store in front of another that, once armed, holds every `assignment(of:)` call until the test releases it,
/// counting how many are held at once. A chronology built from the store asks whom the young person is assigned to;
/// a kept chronology, viewed by a supervisor, does not. A held call waits at most 60 s.
final class AssignmentGate: UserStore, @unchecked Sendable {
    let inner: any UserStore
    private let lock = NSCondition()
    private var armed = false
    private var released = false
    private var inside = 0

    init(_ inner: any UserStore) { self.inner = inner }

    func arm() { lock.lock(); armed = true; released = false; lock.unlock() }
    func release() { lock.lock(); released = true; lock.broadcast(); lock.unlock() }
    var held: Int { lock.lock(); defer { lock.unlock() }; return inside }

    func assignment(of subject: String) throws -> CaseAssignment? {
        lock.lock()
        if armed {
            inside += 1
            let deadline = Date().addingTimeInterval(60)
            while !released && lock.wait(until: deadline) {}
            inside -= 1
        }
        lock.unlock()
        return try inner.assignment(of: subject)
    }
    func users() throws -> [StoredUser] { try inner.users() }
    func saveUser(_ user: StoredUser) throws { try inner.saveUser(user) }
    func user(named name: String) throws -> StoredUser? { try inner.user(named: name) }
    func assign(_ assignment: CaseAssignment) throws { try inner.assign(assignment) }
    func assignments() throws -> [CaseAssignment] { try inner.assignments() }
}

@Suite("Chronologies built from the store wait in a line of their own")
struct BuildLaneTests {
    /// A SQLite store (kept views need the trail's tail) with 8 flagged young people, its users behind a gate, and an
    /// app with two threads in the blocking pool; the demo supervisor's password.
    static func setUp() throws -> (store: SQLiteStore, flagged: [String], gate: AssignmentGate, app: WebApp, clock: TestClock, password: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lane-\(UUID().uuidString).db").path
        let key = SymmetricKey(data: Array(repeating: UInt8(5), count: 32))
        let store = try SQLiteStore(path: path, auditSealer: AuditChain(key: key, actor: AuditActor(name: "test", kind: .system, role: ""), head: nil))
        let p = Pseudonymiser(key: SymmetricKey(data: Array(repeating: UInt8(9), count: 32)))
        let flagged = try DemoWorkspace.fill(store, persons: 20, flagged: 8) { p.pseudonym($0.rawValue) }
        let gate = AssignmentGate(store)
        let clock = TestClock()
        // Two threads in the blocking pool: before the build pool, two builds held there stopped every other view.
        let app = WebApp(configuration: WebConfiguration(port: 0, bcryptCost: 4, storeThreads: 2), store: store, users: gate,
                         now: { clock.now })
        let password = try #require(try app.createDemoUsers().first { $0.name == "demo-supervisor" }?.password)
        return (store, flagged, gate, app, clock, password)
    }

    /// GET `uri` on its own connection with the session `cookie`.
    static func get(_ uri: String, port: Int, cookie: String) async throws -> HTTPResponse.Status {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(90))) { client in
            try await client.execute(TestClient.Request(uri, method: .get, authority: "127.0.0.1",
                                                     headers: [.cookie: "upstream_session=\(cookie)"])).status
        }
    }

    @Test("while chronologies are being built on every build thread, and more wait, a kept chronology and the queue still answer")
    func keptViewsDoNotWaitBehindBuilds() async throws {
        let (store, flagged, gate, app, clock, password) = try Self.setUp()
        let building = Array(flagged[1...5])
        let held = min(building.count, ProcessInfo.processInfo.activeProcessorCount)
        try await StoreBackedTests.live(app, clock: clock) { b in
            _ = try await b.signIn("demo-supervisor", password)
            let first = try await b.get("/people/\(flagged[0])")
            #expect(first.status == .ok)
            // The queue's page is kept too (a queue built from the store asks for each young person's assignment).
            #expect(try await b.get("/queue").status == .ok)
            let cookie = try #require(b.cookie)
            let port = try #require(b.client.port)
            gate.arm()
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for subject in building { group.addTask { try await Self.get("/people/\(subject)", port: port, cookie: cookie) } }
                let deadline = ContinuousClock.now + .seconds(60)
                while gate.held < held && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(gate.held == held, "\(gate.held) of \(held) builds were held at once")
                // The kept chronology and the queue answer while the builds are still held (a view that waited for
                // the gate's 60 s deadline would find none held when it returns).
                let again = try await b.get("/people/\(flagged[0])")
                #expect(again.status == .ok)
                #expect(again.text == first.text)
                #expect(try await b.get("/queue").status == .ok)
                #expect(gate.held == held, "the kept views waited for the builds")
                gate.release()
                for try await status in group { #expect(status == .ok) }
            }
            // Every view was audited, the held ones included.
            let views = try store.auditLog().filter { $0.action == "view-pseudonymised" }.map(\.event.subject)
            #expect(views.filter { $0 == flagged[0] }.count == 2)
            #expect(Set(building).isSubset(of: Set(views)))
        }
    }

    @Test("views of one young person that miss at once share one build, and each is audited and shown")
    func concurrentMissesShareABuild() async throws {
        let (store, flagged, gate, app, clock, password) = try Self.setUp()
        let subject = flagged[2], asking = 5
        try await StoreBackedTests.live(app, clock: clock) { b in
            _ = try await b.signIn("demo-supervisor", password)
            let cookie = try #require(b.cookie)
            let port = try #require(b.client.port)
            gate.arm()
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<asking { group.addTask { try await Self.get("/people/\(subject)", port: port, cookie: cookie) } }
                let deadline = ContinuousClock.now + .seconds(60)
                while gate.held < 1 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                // Time for the other views to reach the build pool too (two threads there: a second build would be held).
                try await Task.sleep(for: .milliseconds(500))
                #expect(gate.held == 1, "\(gate.held) builds of one young person at once")
                gate.release()
                for try await status in group { #expect(status == .ok) }
            }
            let views = try store.auditLog().filter { $0.action == "view-pseudonymised" && $0.event.subject == subject }
            #expect(views.count == asking)
            #expect(try await b.get("/people/\(subject)").text.contains(subject))
        }
    }
}
