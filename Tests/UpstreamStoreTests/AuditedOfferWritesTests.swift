import Foundation
import Testing
import UpstreamModel
import UpstreamStore
import UpstreamStorePostgres
import UpstreamStoreSQLite

/// ``AuditedOfferWrites``: a plan's offers and its audit entry in one transaction, on SQLite (in memory and in a file)
/// and PostgreSQL (when `UPSTREAM_TEST_POSTGRES_URL` is set, and always under `CI=true`).
@Suite("audited offer writes: a plan's offers and its entry, both or neither")
struct AuditedOfferWritesTests {
    static let backends = Backend.enabled.filter { $0 != .memory }

    static func offer(_ person: String, _ programme: String, cost: Double = 2_500) -> StoredOffer {
        StoredOffer(person: PersonID(person), programme: programme, cost: cost, status: "proposed", createdAt: t0,
                    detailJSON: Data("{\"id\":\"OF-\(person)\"}".utf8))
    }

    static let event = AuditEvent(at: t0, actor: AuditActor(name: "planner", kind: .selfAsserted, role: ""), action: "plan-make",
                                  subject: "40 young people", count: 2, reason: "plan-2021-01-01-40000-1: 2 offers, 2 new in the review queue",
                                  detail: "")

    func trail(_ store: any WorkspaceStore) throws -> [AuditEntry] {
        var out: [AuditEntry] = []
        try store.forEachAuditEntry { out.append($0) }
        return out
    }

    @Test(arguments: backends)
    func savesOffersAndEntryTogether(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        let audited = try #require(store as? any AuditedOfferWrites)
        let saved = try audited.saveOffers([Self.offer("p1", "mentoring"), Self.offer("p2", "diversion", cost: 1_200.5)], audit: [Self.event])
        #expect(saved.count == 2)
        #expect(saved[0].id > 0 && saved[1].id > saved[0].id)
        let offers = try store.offers(of: nil)
        #expect(offers.map(\.id) == saved.map(\.id))
        #expect(offers.map(\.programme) == ["mentoring", "diversion"])
        #expect(offers.map(\.cost) == [2_500, 1_200.5])
        let entries = try trail(store)
        #expect(entries.count == 1)
        #expect(entries.first?.event.action == "plan-make" && entries.first?.event.count == 2)
        #expect(entries.first?.seq == 1)
        // A plan with no new offers still records its entry.
        #expect(try audited.saveOffers([], audit: [Self.event]).isEmpty)
        #expect(try trail(store).count == 2)
        #expect(try store.offers(of: nil).count == 2)
    }

    /// A write that fails part-way (the second offer cannot be stored) leaves neither the entry nor the first offer.
    @Test(arguments: backends)
    func aFailedWriteLeavesNeither(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        let audited = try #require(store as? any AuditedOfferWrites)
        try audited.saveOffers([Self.offer("p0", "mentoring")], audit: [Self.event])
        // SQLite stores NaN as NULL, which `cost REAL NOT NULL` refuses; PostgreSQL refuses a NUL character in text.
        let bad = backend == .postgres ? Self.offer("p2", "men\u{0}toring") : Self.offer("p2", "mentoring", cost: .nan)
        #expect(throws: (any Error).self) { try audited.saveOffers([Self.offer("p1", "mentoring"), bad], audit: [Self.event]) }
        #expect(try store.offers(of: nil).map(\.person) == [PersonID("p0")])
        #expect(try trail(store).count == 1)
        // The store still works: the next plan's offers and entry are saved, the trail continuing from its last entry.
        try audited.saveOffers([Self.offer("p1", "mentoring")], audit: [Self.event])
        #expect(try store.offers(of: nil).map(\.person) == [PersonID("p0"), PersonID("p1")])
        #expect(try trail(store).map(\.seq) == [1, 2])
    }
}
