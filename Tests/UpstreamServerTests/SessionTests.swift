import Testing
import UpstreamGovernance
import UpstreamServer

@Suite("Sessions and the login throttle, without HTTP")
struct SessionTests {
    @Test("a flood of anonymous sessions is swept out, and signed-in sessions survive it")
    func floodOfAnonymousSessions() async throws {
        let store = SessionStore()
        let user = await store.create(user: .authenticated("amy", role: .practitioner), now: 0)
        for _ in 0..<10_000 { _ = await store.create(user: nil, now: 1) }
        #expect(await store.count == 10_001)
        let last = await store.create(user: nil, now: 2)
        #expect(await store.count == 2, "the anonymous flood is dropped; the signed-in session and the new one remain")
        #expect(await store.session(user.id, now: 3)?.user?.name == "amy")
        #expect(await store.session(last.id, now: 3) != nil)
    }

    @Test("ids and CSRF tokens are 256-bit, distinct, and the store keeps only their hashes")
    func tokens() async throws {
        let store = SessionStore()
        let a = await store.create(user: nil, now: 0), b = await store.create(user: nil, now: 0)
        #expect(a.id.count == 64 && a.csrf.count == 64)
        #expect(Set([a.id, a.csrf, b.id, b.csrf]).count == 4)
        #expect(a.id.allSatisfy { $0.isHexDigit })
        await store.end(a.id)
        #expect(await store.session(a.id, now: 1) == nil)
        #expect(await store.session(b.id, now: 1) != nil)
    }

    @Test("the throttle allows N attempts per address per minute")
    func throttle() async {
        let t = LoginThrottle(perMinute: 2)
        #expect(await t.allow("a", now: 0))
        #expect(await t.allow("a", now: 10))
        #expect(await !t.allow("a", now: 20))
        #expect(await t.allow("b", now: 20), "another address has its own budget")
        #expect(await t.allow("a", now: 61))
    }
}
