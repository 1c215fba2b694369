import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import UpstreamAssessment
import UpstreamGovernance
import UpstreamLinkage
import UpstreamModel
import UpstreamServer
import UpstreamStore
import UpstreamWorkspace

@Suite("Linkage review, model report, fairness, plan and assessment over HTTP")
struct ReportPagesTests {
    /// The pair as the command line reads it back (`upstream link` applies `decision`).
    /// A pair as the command line and the web app both store it.
    typealias CommandLinePair = LinkagePairQueue.Pair

    @Test("an analyst sees the waterfall with values and record ids withheld, and may not decide; the view is audited")
    func analystSeesWaterfall() async throws {
        let f = try Fixture()
        let pair = try ReportFixtures.pendingPair().id
        try await f.live { b in
            let token = try await b.signIn("analyst", f.passwords["analyst"]!)
            let page = try await b.get("/linkage")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("Pair \(pair)"))
            // The running totals, by hand: -5 + 8.5 = 3.5; + 6 = 9.5; - 3 = 6.5.
            for cell in ["<td>8.50</td><td>3.50</td>", "<td>6.00</td><td>9.50</td>", "<td>-3.00</td><td>6.50</td>"] {
                #expect(html.contains(cell), "\(cell)")
            }
            #expect(html.contains("prior -5.00 bits, total 6.50 bits"))
            #expect(!html.contains("Zebedee") && !html.contains("SC-77") && !html.contains("ZZ9 9ZZ"), "values and ids are withheld from analysts")
            #expect(html.contains("withheld"))
            #expect(!html.contains("/linkage/\(pair)/decide"), "no decision form for an analyst")
            let r = try await b.post("/linkage/\(pair)/decide", form: ["csrf": token, "decision": "same-person", "reason": "same date of birth"])
            #expect(r.status == .forbidden)
            let api = try await b.get("/api/v1/linkage")
            let json = try JSONSerialization.jsonObject(with: Data(api.text.utf8)) as? [String: Any]
            let steps = ((json?["items"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]]) ?? []
            #expect(steps.count == 3)
            #expect(steps.allSatisfy { $0["left"] == nil && $0["right"] == nil })
        }
        let views = try f.store.auditLog().filter { $0.action == "view-linkage-pairs" }
        #expect(views.count == 2)
        #expect(views.first?.event.detail == "web; values and record ids withheld")
        #expect(views.first?.event.count == 1)
    }

    @Test("a supervisor sees the values, decides with a reason through the state machine, and the command line reads the decision")
    func supervisorDecidesPair() async throws {
        let f = try Fixture()
        let pair = try ReportFixtures.pendingPair().id
        try await f.live { b in
            let token = try await b.signIn("supervisor", f.passwords["supervisor"]!)
            let page = try await b.get("/linkage")
            #expect(page.text.contains("Zebedee") && page.text.contains("SC-77") && page.text.contains("ZZ9 9ZZ"))
            #expect(try await b.post("/linkage/\(pair)/decide", form: ["csrf": token, "decision": "same-person", "reason": " \n"]).status == .badRequest)
            #expect(try await b.post("/linkage/\(pair)/decide", form: ["csrf": token, "decision": "maybe", "reason": "unsure"]).status == .badRequest)
            #expect(try await b.post("/linkage/R000000000000/decide", form: ["csrf": token, "decision": "same-person", "reason": "x1"]).status == .notFound)
            #expect(try await b.post("/linkage/\(pair)/decide", form: ["csrf": "wrong", "decision": "same-person", "reason": "x1"]).status == .forbidden)
            let r = try await b.post("/linkage/\(pair)/decide", form: ["csrf": token, "decision": "same-person", "reason": "same date of birth and name"])
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/linkage?done=decided")
            let stored = try #require(try f.store.reviewItem(.linkagePairs, subject: pair))
            #expect(!stored.pending)
            let cli = try JSONDecoder().decode(CommandLinePair.self, from: stored.stateJSON)
            #expect(cli.decision?.verdict == .accept)
            #expect(cli.decision?.reviewer == "supervisor")
            #expect(cli.decision?.pairID == pair)
            let entry = try #require(try f.store.auditLog().last { $0.action == "linkage-review-same-person" })
            #expect(entry.event.subject == pair)
            #expect(entry.event.reason == "same date of birth and name")
            #expect(entry.event.actor == AuditActor(name: "supervisor", kind: .authenticated, role: "supervisor"))
            // Deciding again is a conflict until it is reopened.
            #expect(try await b.post("/linkage/\(pair)/decide", form: ["csrf": token, "decision": "different-people", "reason": "second look"]).status == .conflict)
            let after = try await b.get("/linkage?done=decided")
            #expect(after.text.contains("decided (same-person)"))
            #expect(after.text.contains("0 pairs pending, 1 decided"))
            #expect(try await b.post("/linkage/\(pair)/reopen", form: ["csrf": token, "reason": "postcode differs"]).status == .seeOther)
            let reopened = try #require(try f.store.reviewItem(.linkagePairs, subject: pair))
            #expect(reopened.pending)
            let back = try JSONDecoder().decode(CommandLinePair.self, from: reopened.stateJSON)
            #expect(back.decision == nil && back.item?.id == pair && back.order == 0)
            // The API decides too, with the CSRF header.
            var headers = HTTPFields()
            headers[HTTPField.Name("X-CSRF-Token")!] = token
            headers[.contentType] = "application/json"
            headers[.cookie] = "upstream_session=\(b.cookie!)"
            let api = try await b.client.execute(uri: "/api/v1/linkage/\(pair)/decision", method: .post, headers: headers,
                                                 body: .init(string: #"{"decision": "different-people", "reason": "postcode differs"}"#))
            #expect(api.status == .ok)
            let last = try JSONDecoder().decode(CommandLinePair.self, from: try #require(try f.store.reviewItem(.linkagePairs, subject: pair)).stateJSON)
            #expect(last.decision?.verdict == .reject)
        }
    }

    @Test("the model report shows the models' figures and the fairness audit its groups, computed by hand; both audited where they name people")
    func modelReportAndFairness() async throws {
        let f = try Fixture()
        try await f.live { b in
            _ = try await b.signIn("analyst", f.passwords["analyst"]!)
            let report = try await b.get("/reports/model")
            #expect(report.status == .ok)
            #expect(report.text.contains("<td>Gradient-boosted trees</td><td>ten test rows</td><td>10</td><td>fewer than 5</td><td>0.952</td>"))
            #expect(report.text.contains("model-test-1"))
            let fairness = try await b.get("/reports/fairness")
            #expect(fairness.status == .ok)
            // Girls: 4 of 5 flagged (80.0%), 3 of the 4 had the outcome (75.0%), all 3 outcomes found (100.0%), 1 of 2
            // without the outcome flagged (50.0%); boys: none flagged, no outcomes.
            #expect(fairness.text.contains("<td>F</td><td>5</td><td>fewer than 5</td><td>80.0%</td><td>75.0%</td><td>100.0%</td><td>50.0%</td><td>0.0%</td>"))
            #expect(fairness.text.contains("<td>M</td><td>5</td><td>0</td><td>0.0%</td><td>–</td>"))
            // 80% against 0% is an unbounded ratio, but with five in each group the Wilson intervals overlap: not flagged.
            #expect(fairness.text.contains("<td>selection rate</td><td>F 0.8000</td><td>M 0.0000</td><td>unbounded</td><td>within</td>"))
            #expect(fairness.text.contains("No disparity exceeds the bound."))
            let api = try await b.get("/api/v1/reports/fairness")
            #expect(api.status == .ok && api.text.contains("\"flags\""))
            let full = try await b.get("/reports/model/full")
            #expect(full.status == .ok)
            let csp = try #require(full.headers[.contentSecurityPolicy])
            let html = full.text
            let css = try #require(html.range(of: "<style>").flatMap { open in html.range(of: "</style>", range: open.upperBound..<html.endIndex).map { html[open.upperBound..<$0.lowerBound] } })
            let hash = Data(SHA256.hash(data: Data(css.utf8))).base64EncodedString()
            #expect(csp.contains("style-src 'sha256-\(hash)'"))
            #expect(!csp.contains("unsafe") && !html.contains("<script"))
        }
        let views = try f.store.auditLog().filter { $0.action == "view-model-report" }
        #expect(views.count == 2)
        #expect(views.first?.event.count == f.flagged.count)
        #expect(views.first?.event.subject == "model-test-1")
    }

    @Test("the plan shows its business case, programmes and offers; the assessment suppresses small counts")
    func planAndAssessment() async throws {
        let f = try Fixture()
        let plan = ReportFixtures.plan
        try await f.live { b in
            _ = try await b.signIn("supervisor", f.passwords["supervisor"]!)
            let page = try await b.get("/plan")
            #expect(page.status == .ok)
            #expect(page.text.contains("£4,000") && plan.budget.wholePounds == "£4,000")
            #expect(page.text.contains(plan.totals.cost.wholePounds))
            #expect(page.text.contains("Programme A"))
            #expect(plan.totals.offers == 2, "two places")
            for offer in plan.offers { #expect(page.text.contains("<td>\(offer.person)</td>")) }
            let full = try await b.get("/plan/full")
            #expect(full.status == .ok && full.text.contains("Offers, not decisions"))
            let a = try await b.get("/assessment")
            #expect(a.status == .ok)
            #expect(a.text.contains("<td>fewer than 5</td>"))
            #expect(a.text.contains(ReportFixtures.assessment.priorities.first!.threat))
            let json = try await b.get("/api/v1/assessment")
            #expect(json.text.contains("\"count\":\"fewer than 5\""))
            #expect(!json.text.contains("\"count\":3"))
        }
        #expect(try f.store.auditLog().contains { $0.action == "view-plan" && $0.event.count == plan.offers.count })
    }

    @Test("with no plan or assessment, each page says which command makes one")
    func emptyStates() async throws {
        let f = try Fixture(withRuns: false)
        try await f.live { b in
            _ = try await b.signIn("analyst", f.passwords["analyst"]!)
            #expect(try await b.get("/plan").text.contains("upstream plan --store STORE --as-of YYYY-MM-DD --budget 2m"))
            #expect(try await b.get("/assessment").text.contains("upstream assess --store STORE"))
            #expect(try await b.get("/plan/full").status == .notFound)
            #expect(try await b.get("/api/v1/plan").text.contains("\"make\""))
        }
    }

    @Test("a user changes their password with the current one; a wrong one counts towards the lockout; the change is audited")
    func passwordChange() async throws {
        let f = try Fixture()
        let old = f.passwords["practitioner"]!
        try await f.live { b in
            let token = try await b.signIn("practitioner", old)
            #expect(try await b.get("/account").status == .ok)
            let wrong = try await b.post("/account/password", form: ["csrf": token, "current": "not-the-password", "new": "a-new-long-password", "confirm": "a-new-long-password"])
            #expect(wrong.status == .unauthorized)
            #expect(try f.users.user(named: "practitioner")?.failedLogins == 1)
            let short = try await b.post("/account/password", form: ["csrf": token, "current": old, "new": "short", "confirm": "short"])
            #expect(short.status == .badRequest)
            let differ = try await b.post("/account/password", form: ["csrf": token, "current": old, "new": "a-new-long-password", "confirm": "a-new-long-passwore"])
            #expect(differ.status == .badRequest)
            #expect(try await b.post("/account/password", form: ["csrf": "x", "current": old, "new": "a-new-long-password", "confirm": "a-new-long-password"]).status == .forbidden)
            let before = b.cookie
            let ok = try await b.post("/account/password", form: ["csrf": token, "current": old, "new": "a-new-long-password", "confirm": "a-new-long-password"])
            #expect(ok.status == .seeOther)
            #expect(b.cookie != nil && b.cookie != before, "a new session id after the change")
            #expect(try await b.get("/", cookie: before).status == .seeOther, "the old session ended")
            #expect(try f.users.user(named: "practitioner")?.failedLogins == 0)
            #expect(try f.store.auditLog().contains { $0.action == "password-change" && $0.event.actor.name == "practitioner" })
            // The old password no longer signs in; the new one does.
            b.cookie = nil
            let page = try await b.get("/login")
            let refused = try await b.post("/login", form: ["csrf": Browser.csrf(page) ?? "", "name": "practitioner", "password": old])
            #expect(refused.status == .unauthorized)
            _ = try await b.signIn("practitioner", "a-new-long-password")
        }
    }
}

@Suite("Plans and assessments read from the store's runs")
struct ReportRunsTests {
    @Test("the latest plan and assessment runs decode to the values saved, in memory, SQLite and PostgreSQL; a newer run replaces the shown one",
          arguments: StoreBackedTests.Backend.enabled)
    func runsRoundTrip(_ backend: StoreBackedTests.Backend) throws {
        let key = SymmetricKey(data: Array(repeating: UInt8(5), count: 32))
        let sealer = AuditChain(key: key, actor: AuditActor(name: "test", kind: .system, role: ""), head: nil)
        let stores: [any WorkspaceStore] = [InMemoryStore(auditSealer: sealer), try backend.make(sealer: sealer)]
        for store in stores {
            let runs = try #require(store as? any ReportRunStore)
            let source = StoreReportSource(store: runs)
            #expect(try source.plan() == nil && source.assessment() == nil)
            try ReportFixtures.saveRuns(store)
            let a = ReportFixtures.assessment
            let back = try #require(try source.assessment())
            #expect(back.series.map(\.costGBP) == a.series.map(\.costGBP))
            #expect(back.series.map(\.count) == a.series.map(\.count))
            #expect(back.priorities.map(\.threat) == a.priorities.map(\.threat))
            #expect(back.place.concentration == a.place.concentration)
            #expect(try source.plan() == ReportFixtures.plan)
            // The headline columns match the payload.
            let planRun = try #require(try runs.latestRun(StoredPlanRun.self))
            #expect(planRun.budgetPence == ReportFixtures.plan.budget.pence && planRun.offers == ReportFixtures.plan.offers.count)
            #expect(planRun.costPence == ReportFixtures.plan.totals.cost.pence && planRun.asOf == ReportFixtures.plan.asOf)
            let assessmentRun = try #require(try runs.latestRun(StoredAssessmentRun.self))
            #expect(assessmentRun.periodFrom == a.from.description && assessmentRun.periodTo == a.to.description)
            #expect(assessmentRun.crimes == a.baseCount && assessmentRun.source == a.source)
            // A newer plan is the one shown.
            var newer = ReportFixtures.plan
            newer.asOf = "2024-07-01"
            let saved = try runs.saveRun(StoredPlanRun(createdAt: 2, createdBy: "planner", asOf: newer.asOf, budgetPence: newer.budget.pence,
                                                       costPence: newer.totals.cost.pence, offers: newer.offers.count,
                                                       candidates: newer.candidates, planJSON: try ReportRunJSON.encoder().encode(newer)))
            #expect(saved.id == planRun.id + 1)
            #expect(try source.plan()?.asOf == "2024-07-01")
            // A run this build cannot read is a clear 500, not a crash.
            try runs.saveRun(StoredAssessmentRun(createdAt: 3, createdBy: "x", periodFrom: "2024-01", periodTo: "2024-06",
                                                 source: "store", crimes: 0, assessmentJSON: Data("{\"not\": 1}".utf8)))
            #expect(throws: WebError.self) { try source.assessment() }
        }
    }
}
