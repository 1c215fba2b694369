import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import UpstreamServer
import UpstreamStore

/// A user store that, once armed, holds every `users()` call until the test releases it, counting how many are
/// held at once. A held call waits at most 60 s, so a broken server fails the test instead of hanging it.
final class GateUserStore: UserStore, @unchecked Sendable {
    let inner: InMemoryUserStore
    private let lock = NSCondition()
    private var armed = false
    private var released = false
    private(set) var inside = 0
    private(set) var mostInside = 0

    init(_ inner: InMemoryUserStore) { self.inner = inner }

    func arm() { lock.lock(); armed = true; released = false; lock.unlock() }
    func release() { lock.lock(); released = true; lock.broadcast(); lock.unlock() }
    var held: Int { lock.lock(); defer { lock.unlock() }; return inside }

    func users() throws -> [StoredUser] {
        lock.lock()
        if armed {
            inside += 1
            mostInside = max(mostInside, inside)
            let deadline = Date().addingTimeInterval(60)
            while !released && lock.wait(until: deadline) {}
            inside -= 1
        }
        lock.unlock()
        return try inner.users()
    }
    func saveUser(_ user: StoredUser) throws { try inner.saveUser(user) }
    func user(named name: String) throws -> StoredUser? { try inner.user(named: name) }
    func assign(_ assignment: CaseAssignment) throws { try inner.assign(assignment) }
    func assignment(of subject: String) throws -> CaseAssignment? { try inner.assignment(of: subject) }
    func assignments() throws -> [CaseAssignment] { try inner.assignments() }
}

@Suite("Store calls run on their own threads")
struct BlockingPoolTests {
    @Test("more blocking store calls than the cooperative pool has threads are in flight at once, and other requests still answer")
    func storeCallsDoNotStarveTheServer() async throws {
        // More held calls than Swift's cooperative pool has threads (one per core): if the store ran there, they could
        // never all be inside at once, and nothing else would run until the gate's deadline.
        let held = ProcessInfo.processInfo.activeProcessorCount + 2
        var gate: GateUserStore?
        let f = try Fixture(gate: { inner in let g = GateUserStore(inner); gate = g; return g }, storeThreads: held + 1)
        let g = try #require(gate)
        try await f.live { b in
            _ = try await b.signIn("admin", f.passwords["admin"]!)
            let cookie = b.cookie!
            let port = b.client.port!
            g.arm()
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<held {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(90))) { client in
                            try await client.execute(TestClient.Request("/api/v1/users", method: .get, authority: "127.0.0.1",
                                                                     headers: [.cookie: "upstream_session=\(cookie)"])).status
                        }
                    }
                }
                // Wait (at most 60 s) until every call is held inside the store at the same time.
                let deadline = ContinuousClock.now + .seconds(60)
                while g.held < held && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(g.held == held, "only \(g.held) of \(held) store calls were in flight at once")
                // While they are held, the server still answers.
                #expect(try await b.get("/health").status == .ok)
                #expect(try await b.get("/api/v1/me").status == .ok)
                #expect(try await b.get("/login").status == .seeOther)
                g.release()
                for try await status in group { #expect(status == .ok) }
            }
        }
        #expect(g.mostInside == held)
    }
}
