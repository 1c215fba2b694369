import UpstreamModel
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import UpstreamGovernance
import UpstreamServer
import UpstreamStore

@Suite("Each role's work end to end over HTTP")
struct WorkflowTests {
    @Test("a practitioner decides with a reason: the review item moves, the audit trail records who, what and why")
    func practitionerDecides() async throws {
        let f = try Fixture()
        try await f.live { b in
            let token = try await b.signIn("practitioner", f.passwords["practitioner"]!)
            let queue = try await b.get("/queue")
            #expect(queue.status == .ok)
            #expect(queue.text.contains(f.mine))
            #expect(queue.text.contains("police contacts in the last year"))
            // A blank reason is refused by the state machine.
            let blank = try await b.post("/queue/\(f.mine)/decide", form: ["csrf": token, "decision": "offer-support", "reason": "  \n "])
            #expect(blank.status == .badRequest)
            let bad = try await b.post("/queue/\(f.mine)/decide", form: ["csrf": token, "decision": "arrest", "reason": "no"])
            #expect(bad.status == .badRequest)
            let r = try await b.post("/queue/\(f.mine)/decide", form: ["csrf": token, "decision": "offer-support", "reason": "mentoring place available"])
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/queue?done=decided")
            let stored = try #require(try f.store.reviewItem(.riskFlags, subject: f.mine))
            #expect(!stored.pending)
            let item = try JSONDecoder().decode(RiskFlagReview.self, from: stored.stateJSON)
            #expect(item.state == .decided(.offerSupport))
            #expect(item.history.last?.by == AuditActor(name: "practitioner", kind: .authenticated, role: "practitioner"))
            let entry = try #require(try f.store.auditLog().last { $0.action == "risk-review-offer-support" })
            #expect(entry.event.subject == f.mine)
            #expect(entry.event.reason == "mentoring place available")
            #expect(entry.event.actor.kind == .authenticated)
            // Deciding again is a conflict; the page shows the decision.
            let again = try await b.post("/queue/\(f.mine)/decide", form: ["csrf": token, "decision": "no-further-action", "reason": "changed mind"])
            #expect(again.status == .conflict)
            #expect(try await b.get("/queue?done=decided").text.contains("decided (offer-support)"))
        }
    }

    @Test("a supervisor assigns and reopens; the practitioner then sees the young person")
    func supervisorAssigns() async throws {
        let f = try Fixture()
        let third = f.flagged[2]
        try await f.live { b in
            let token = try await b.signIn("supervisor", f.passwords["supervisor"]!)
            #expect(try await b.post("/queue/\(third)/assign", form: ["csrf": token, "practitioner": "admin"]).status == .badRequest)
            #expect(try await b.post("/queue/\(third)/assign", form: ["csrf": token, "practitioner": "practitioner"]).status == .seeOther)
            #expect(try f.users.assignment(of: third)?.practitioner == "practitioner")
            #expect(try f.store.auditLog().contains { $0.action == "case-assign" && $0.event.subject == third })
            #expect(try await b.post("/queue/\(third)/decide", form: ["csrf": token, "decision": "already-supported", "reason": "known to YOT"]).status == .seeOther)
            #expect(try await b.post("/queue/\(third)/reopen", form: ["csrf": token, "reason": "new information"]).status == .seeOther)
            #expect(try f.store.reviewItem(.riskFlags, subject: third)?.pending == true)
        }
        try await f.live { b in
            _ = try await b.signIn("practitioner", f.passwords["practitioner"]!)
            #expect(try await b.get("/people/\(third)").status == .ok)
        }
    }

    @Test("a chronology is pseudonymised and audited; identification needs a role that may and a purpose, and is audited with it")
    func chronologyAndIdentification() async throws {
        let f = try Fixture()
        let person = try #require(try f.store.person(pseudonym: f.mine))
        let forename = try #require(try f.store.records(of: person.person).first?.record.identity.forename)
        try await f.live { b in
            _ = try await b.signIn("analyst", f.passwords["analyst"]!)
            let page = try await b.get("/people/\(f.mine)")
            #expect(page.status == .ok)
            #expect(page.text.contains("Chronology of \(f.mine)"))
            #expect(!page.text.contains(forename))
            #expect(page.text.contains("(withheld)"), "an analyst sees no source record ids or file lines")
            #expect(!page.text.contains("school_census.csv"))
            #expect(!page.text.contains("P0000"), "person ids never leave the server")
            let view = try f.store.auditLog().last!
            #expect(view.action == "view-pseudonymised")
            #expect(view.event.subject == f.mine)
            #expect(view.event.actor == AuditActor(name: "analyst", kind: .authenticated, role: "analyst"))
            #expect(!page.text.contains("Show names and identifiers"))
        }
        try await f.live { b in
            let token = try await b.signIn("practitioner", f.passwords["practitioner"]!)
            let page = try await b.get("/people/\(f.mine)")
            #expect(page.text.contains("school_census.csv"), "a practitioner sees provenance")
            #expect(try await b.post("/people/\(f.mine)/identify", form: ["csrf": token, "purpose": " \n "]).status == .badRequest)
            let identified = try await b.post("/people/\(f.mine)/identify", form: ["csrf": token, "purpose": "arranging a home visit"])
            #expect(identified.status == .ok)
            #expect(identified.text.contains(forename))
            let entry = try f.store.auditLog().last!
            #expect(entry.action == "identify")
            #expect(entry.event.reason == "arranging a home visit")
            #expect(entry.event.actor.name == "practitioner")
            // The JSON API gives the same data.
            let api = try await b.get("/api/v1/people/\(f.mine)")
            #expect(api.status == .ok)
            #expect(api.text.contains(#""provenanceWithheld":false"#))
        }
    }

    @Test("the auditor filters the trail by user, action, subject and dates")
    func auditorFilters() async throws {
        let f = try Fixture()
        try await f.live { b in
            _ = try await b.signIn("supervisor", f.passwords["supervisor"]!)
            _ = try await b.get("/people/\(f.mine)")
            _ = try await b.get("/people/\(f.theirs)")
        }
        try await f.live { b in
            _ = try await b.signIn("auditor", f.passwords["auditor"]!)
            let all = try await b.get("/api/v1/audit?actor=supervisor&action=view")
            #expect(all.text.contains(#""matched":2"#))
            let one = try await b.get("/api/v1/audit?actor=supervisor&subject=\(f.mine)")
            #expect(one.text.contains(#""matched":1"#))
            let today = "2025-01-01"
            #expect(try await b.get("/api/v1/audit?actor=supervisor&action=view&from=\(today)&to=\(today)").text.contains(#""matched":2"#))
            #expect(try await b.get("/api/v1/audit?actor=supervisor&action=view&to=2024-12-31").text.contains(#""matched":0"#))
            let page = try await b.get("/audit?actor=supervisor")
            #expect(page.status == .ok)
            #expect(page.text.contains("view-pseudonymised"))
        }
    }

    @Test("data quality shows counts with small numbers suppressed, never quarantined rows")
    func quality() async throws {
        let f = try Fixture()
        try await f.live { b in
            _ = try await b.signIn("analyst", f.passwords["analyst"]!)
            let page = try await b.get("/quality")
            #expect(page.status == .ok)
            #expect(page.text.contains("invalid_date"))
            #expect(page.text.contains("fewer than 5"), "the 2 column_count rows are suppressed")
            #expect(!page.text.contains("bad row"))
            let json = try await b.get("/api/v1/quality").text
            #expect(json.contains(#""rows":"5""#))
            #expect(json.contains(#""rows":"fewer than 5""#))
        }
    }

    @Test("the admin adds a user (password shown once), changes a role and disables; no person data on the way")
    func adminManagesUsers() async throws {
        let f = try Fixture()
        try await f.live { b in
            let token = try await b.signIn("admin", f.passwords["admin"]!)
            let added = try await b.post("/admin/users", form: ["csrf": token, "name": "new.analyst", "role": "analyst"])
            #expect(added.status == .ok)
            let text = added.text
            let marker = "shown only this once: "
            let password = try #require(text.range(of: marker).map { String(text[$0.upperBound...].prefix(20)) })
            #expect(try f.users.user(named: "new.analyst")?.passwordHash.hasPrefix("$2") == true)
            #expect(try f.users.user(named: "new.analyst")?.passwordHash.contains(password) == false)
            #expect(try await b.post("/admin/users", form: ["csrf": token, "name": "new.analyst", "role": "analyst"]).status == .conflict)
            #expect(try await b.post("/admin/users", form: ["csrf": token, "name": "<script>", "role": "analyst"]).status == .badRequest)
            #expect(try await b.post("/admin/users/new.analyst/role", form: ["csrf": token, "role": "auditor"]).status == .seeOther)
            #expect(try f.users.user(named: "new.analyst")?.role == "auditor")
            let users = try await b.get("/admin/users").text
            for p in f.flagged { #expect(!users.contains(p)) }
            #expect(try await b.post("/admin/users/new.analyst/disable", form: ["csrf": token]).status == .seeOther)
        }
        try await f.live { b in
            let page = try await b.get("/login")
            let r = try await b.post("/login", form: ["csrf": Browser.csrf(page)!, "name": "new.analyst", "password": "whatever"])
            #expect(r.status == .unauthorized)
        }
    }

    @Test("the queue comes in pages of 50, highest score first")
    func queuePages() async throws {
        let f = try Fixture(persons: 130, flaggedCount: 120)
        try await f.live { b in
            _ = try await b.signIn("supervisor", f.passwords["supervisor"]!)
            struct Q: Decodable { var total: Int; var page: Int; var pages: Int; var items: [I] }
            struct I: Decodable { var pseudonym: String; var rank: Int }
            func page(_ n: Int) async throws -> Q {
                try JSONDecoder().decode(Q.self, from: Data(try await b.get("/api/v1/queue?page=\(n)").text.utf8))
            }
            let first = try await page(1)
            #expect(first.total == 120)
            #expect(first.pages == 3)
            #expect(first.items.map(\.rank) == Array(1...50))
            #expect(first.items.map(\.pseudonym) == Array(f.flagged.prefix(50)))
            #expect(try await page(3).items.map(\.rank) == Array(101...120))
            #expect(try await page(99).page == 3)
            let html = try await b.get("/queue?page=2").text
            #expect(html.contains("page 2 of 3"))
            #expect(html.contains("href=\"/queue?page=3\""))

            // A new scoring run replaces the queue at once (the flagged young people are kept per run, not for ever):
            // here it flags only the last five, in reverse order.
            let old = try #require(try f.store.latestRiskRun(.score))
            let scores = try f.store.scores(run: old.id)
            let asOf = old.asOf.adding(days: 30)
            let again = scores.enumerated().map { i, s in
                PersonScore(run: 0, person: s.person, asOf: asOf, score: s.score, rank: scores.count - i, age: s.age,
                            flagged: i >= 115 && i < 120, raising: s.raising, lowering: s.lowering)
            }
            _ = try f.store.saveRiskRun(RiskRunInfo(kind: .score, modelID: old.modelID, asOf: asOf, finishedAt: old.finishedAt + 1, by: "test"),
                                    scores: again)
            let next = try await page(1)
            #expect(next.total == 5)
            #expect(next.items.map(\.pseudonym) == Array(f.flagged[115..<120].reversed()))
        }
    }
}

extension StoreBackedTests {
    @Test("a store's flagged-only read gives the run's flagged scores in the queue's order", arguments: Backend.enabled)
    func flaggedScores(_ backend: Backend) throws {
        let key = SymmetricKey(data: Array(repeating: UInt8(5), count: 32))
        let store = try backend.make(sealer: AuditChain(key: key, actor: AuditActor(name: "test", kind: .system, role: ""), head: nil))
        let p = Pseudonymiser(key: SymmetricKey(data: Array(repeating: UInt8(9), count: 32)))
        _ = try DemoWorkspace.fill(store, persons: 40, flagged: 7) { p.pseudonym($0.rawValue) }
        let run = try #require(try store.latestRiskRun(.score))
        let reads = try #require(store as? any FlaggedScoreReads)
        let flagged = try reads.flaggedScores(run: run.id)
        #expect(flagged.count == 7)
        #expect(flagged == (try store.scores(run: run.id).filter(\.flagged)))
    }
}
