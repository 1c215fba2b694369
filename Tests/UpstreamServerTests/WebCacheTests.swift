import Crypto
import Foundation
import Testing
import UpstreamGovernance
import UpstreamModel
@testable import UpstreamServer
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamWorkspace

/// The queue and chronology pages are kept between requests (``WebCache``). These check that what is kept is
/// never wrong: a decision, an assignment, a new scoring run and a new linkage run each change the next page, also
/// when another server process over the same store made the change; role views never mix; every view is still
/// audited. SQLite, and PostgreSQL when configured (always under `CI=true`).
@Suite("The web app's page cache")
struct WebCacheTests {
    typealias Backend = StoreBackedTests.Backend

    struct Setup {
        let store: any WorkspaceStore & UserStore
        let flagged: [String]
        let pseudonymiser: Pseudonymiser
        let clock = TestClock()
        let passwords: [String: String]
        /// Two servers over the one store, as two processes would be (each with its own cache).
        let first: WebApp
        let second: WebApp
    }

    static func setUp(_ backend: Backend) throws -> Setup {
        let key = SymmetricKey(data: Array(repeating: UInt8(5), count: 32))
        let store = try backend.make(sealer: AuditChain(key: key, actor: AuditActor(name: "test", kind: .system, role: ""), head: nil))
        let p = Pseudonymiser(key: SymmetricKey(data: Array(repeating: UInt8(9), count: 32)))
        let flagged = try DemoWorkspace.fill(store, persons: 12, flagged: 3) { p.pseudonym($0.rawValue) }
        let clock = TestClock()
        let first = StoreBackedTests.app(store, clock: clock)
        var passwords: [String: String] = [:]
        for u in try first.createDemoUsers() { passwords[u.name] = u.password }
        return Setup(store: store, flagged: flagged, pseudonymiser: p, passwords: passwords, first: first,
                     second: StoreBackedTests.app(store, clock: clock))
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test("a decision made by another server process, then a new scoring run, each change the next queue page", arguments: Backend.enabled)
    func queueFollowsDecisionsAndRuns(_ backend: Backend) async throws {
        let s = try Self.setUp(backend)
        let supervisor = try #require(s.passwords["demo-supervisor"])
        try await StoreBackedTests.live(s.first, clock: s.clock) { a in
            try await StoreBackedTests.live(s.second, clock: s.clock) { b in
                _ = try await a.signIn("demo-supervisor", supervisor)
                let token = try await b.signIn("demo-supervisor", supervisor)
                let before = try await a.get("/queue").text
                #expect(Self.count(">pending</span>", in: before) == 3)
                #expect(try await a.get("/queue").text == before, "the same page again, from the cache")
                // The other server records a decision; this one's next page shows it.
                let decided = try await b.post("/queue/\(s.flagged[1])/decide",
                                               form: ["csrf": token, "decision": "offer-support", "reason": "school concerns"])
                #expect(decided.status == .seeOther)
                let after = try await a.get("/queue").text
                #expect(Self.count(">pending</span>", in: after) == 2)
                #expect(after.contains("decided (offer-support)") && after.contains("school concerns"))
                #expect(try await a.get("/api/v1/queue").text.contains("decided (offer-support)"))

                // A new scoring run that flags three other young people (saved without an audit entry, as a
                // fixture would): the queue is the new run's.
                let latest = try #require(try s.store.latestRiskRun(.score))
                let scores = try s.store.scores(run: latest.id).map { sc -> PersonScore in
                    var x = sc
                    x.flagged = (4...6).contains(sc.rank)
                    return x
                }
                let newFlags = try scores.filter(\.flagged).map { try #require(try s.store.personSummary($0.person)).pseudonym }
                _ = try s.store.saveRiskRun(RiskRunInfo(kind: .score, modelID: "demo-model", asOf: latest.asOf.adding(days: 30),
                                                        finishedAt: latest.finishedAt + 10, by: "test"), scores: scores)
                let next = try await a.get("/queue").text
                for p in newFlags { #expect(next.contains(p)) }
                for p in s.flagged { #expect(!next.contains(">\(p)</a>"), "\(p) is no longer flagged") }
                #expect(try await b.get("/queue").text.contains(newFlags[0]))
            }
        }
    }

    @Test("a chronology changes with an assignment made elsewhere and with a new linkage run; every view is audited", arguments: Backend.enabled)
    func chronologyFollowsAssignmentsAndLinkage(_ backend: Backend) async throws {
        let s = try Self.setUp(backend)
        let supervisor = try #require(s.passwords["demo-supervisor"])
        let subject = s.flagged[0]
        let person = try #require(try s.store.person(pseudonym: subject)).person
        let records = try s.store.records(of: person)
        #expect(records.count >= 2)
        try await StoreBackedTests.live(s.first, clock: s.clock) { a in
            try await StoreBackedTests.live(s.second, clock: s.clock) { b in
                _ = try await a.signIn("demo-supervisor", supervisor)
                let token = try await b.signIn("demo-supervisor", supervisor)
                let before = try await a.get("/people/\(subject)").text
                #expect(before.contains("<dt>Assigned to</dt><dd>unassigned</dd>"))
                #expect(Self.count("<tr><td>", in: before) == records.count)
                #expect(try await a.get("/people/\(subject)").text == before, "the same page again, from the cache")
                // Assigned through the other server: this one's next page names the practitioner.
                let assigned = try await b.post("/queue/\(subject)/assign", form: ["csrf": token, "practitioner": "demo-practitioner"])
                #expect(assigned.status == .seeOther)
                #expect(try await a.get("/people/\(subject)").text.contains("<dt>Assigned to</dt><dd>demo-practitioner</dd>"))

                // A new linkage run that gives one of the young person's records to someone else.
                var assignments: [PersonAssignment] = []
                try s.store.forEachAssignment { assignments.append($0) }
                let moved = records[0].record
                assignments = assignments.map { x in
                    guard x.record == RecordKey(source: moved.source, recordID: moved.recordID) else { return x }
                    return PersonAssignment(record: x.record, person: PersonID("P99999"), probability: 0.9)
                }
                _ = try s.store.saveLinkageRun(LinkageRunInfo(finishedAt: s.clock.now, by: "test", records: assignments.count, persons: 13,
                                                              modelJSON: Data("{}".utf8)),
                                               assignments: assignments) { s.pseudonymiser.pseudonym($0.rawValue) }
                let after = try await a.get("/people/\(subject)").text
                #expect(Self.count("<tr><td>", in: after) == records.count - 1)
            }
        }
        // Four views, four entries: the cache never skips the audit trail.
        #expect(try s.store.auditLog().filter { $0.action == "view-pseudonymised" && $0.event.subject == subject }.count == 4)
    }

    @Test("a decision or an assignment makes only the queue and that young person's chronology stale; any other change, everything; a read, nothing", arguments: Backend.enabled)
    func invalidationIsScopedToWhatChanged(_ backend: Backend) throws {
        let s = try Self.setUp(backend)
        let cache = WebCache()
        let (a, b) = (s.flagged[0], s.flagged[1])
        let actor = AuditActor(name: "someone", kind: .authenticated, role: "supervisor")
        func write(_ action: String, _ subject: String) throws {
            _ = try s.store.appendAudit([AuditEvent(at: 1, actor: actor, action: action, subject: subject, count: 1)])
        }
        // Counts how often each kept thing had to be made again; returns the made keys of one round of requests.
        var made: [String] = []
        func round() throws -> Set<String> {
            made = []
            let g = try #require(try cache.currentGeneration(s.store))
            for (key, scope) in [("person a", WebCache.Scope.person(a)), ("person b", .person(b)), ("queue", .queue)] {
                _ = cache.value(key, scope: scope, generation: g) { made.append(key); return key }
                _ = cache.page(key, scope: scope, generation: g, csrf: "t") { made.append(key + " page"); return "<p>\($0)</p>" }
            }
            return Set(made)
        }
        let all: Set<String> = ["person a", "person a page", "person b", "person b page", "queue", "queue page"]
        #expect(try round() == all, "the first round makes everything")
        #expect(try round() == [], "then everything is kept")

        try write("view-pseudonymised", a)
        try write("identify", b)
        #expect(try round() == [], "reads change nothing")

        try write("risk-review-offer-support", a)
        #expect(try round() == ["person a", "person a page", "queue", "queue page"], "a decision on a: the queue and a's chronology")
        try write("case-assign", b)
        #expect(try round() == ["person b", "person b page", "queue", "queue page"], "an assignment of b: the queue and b's chronology")
        try write("risk-review-reopen", a)
        try write("risk-review-withdraw", b)
        #expect(try round() == all)

        for action in ["risk-score", "link", "ingest", "user-disable", "linkage-review-accept", "something-new"] {
            try write(action, action == "linkage-review-accept" ? a : "")
            #expect(try round() == all, "\(action) makes everything stale")
        }
        // The server's own decision, before its entry is read from the trail.
        cache.bump(person: b)
        #expect(try round() == ["person b", "person b page", "queue", "queue page"])
        cache.bump()
        #expect(try round() == all)
        #expect(cache.counts.values == 3 && cache.counts.pages == 3)

        // A capacity of 0 (`serve --page-cache 0`, a benchmark's switch) keeps nothing: every request is a miss.
        let none = WebCache(capacity: 0)
        let g = try #require(try none.currentGeneration(s.store))
        var builds = 0
        for _ in 0..<3 {
            _ = none.value("k", scope: .queue, generation: g) { builds += 1; return 1 }
            #expect(none.page("p", scope: .queue, generation: g, csrf: "tok") { builds += 1; return "a\($0)b" } == "atokb")
        }
        #expect(builds == 6 && none.counts.values == 0 && none.counts.pages == 0)
    }

    @Test("one read of the trail's tail stands for trailPoll seconds: another process's change shows after it, the server's own at once", arguments: Backend.enabled)
    func trailPollWindow(_ backend: Backend) throws {
        let s = try Self.setUp(backend)
        let actor = AuditActor(name: "someone", kind: .authenticated, role: "supervisor")
        func write(_ action: String) throws {
            _ = try s.store.appendAudit([AuditEvent(at: 1, actor: actor, action: action, subject: "", count: 1)])
        }
        // A window far longer than the test: a change written after a read is not seen within it.
        let slow = WebCache(trailPoll: 3_600)
        let g0 = try #require(try slow.currentGeneration(s.store))   // the first use finds the trail's end
        let g1 = try #require(try slow.currentGeneration(s.store))   // the first read of the tail
        #expect(g1 == g0)
        try write("risk-score")
        #expect(try slow.currentGeneration(s.store) == g1, "read a moment ago: that read stands")
        slow.bump()
        #expect(try slow.currentGeneration(s.store) == g1 + 1, "the server's own change shows at once")
        // A short window: the change shows once it has passed.
        let quick = WebCache(trailPoll: 0.2)
        _ = try quick.currentGeneration(s.store)
        let q1 = try #require(try quick.currentGeneration(s.store))
        try write("link")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try quick.currentGeneration(s.store) == q1 + 1)
        // No window (0): every request reads the tail.
        let strict = WebCache(trailPoll: 0)
        _ = try strict.currentGeneration(s.store)
        let t1 = try #require(try strict.currentGeneration(s.store))
        try write("ingest")
        #expect(try strict.currentGeneration(s.store) == t1 + 1)
        #expect(WebConfiguration().trailPoll == WebConfiguration.defaultTrailPoll && WebConfiguration(trailPoll: -1).trailPoll == 0)

        // The latest runs' ids likewise: read once per window, again after it, after the server's own change, and
        // every time without a window.
        var reads = 0
        func ids() -> (linkage: Int64?, score: Int64?) { reads += 1; return (Int64(reads), nil) }
        #expect(slow.runIDs(ids).linkage == 1 && slow.runIDs(ids).linkage == 1 && reads == 1)
        slow.bump()
        #expect(slow.runIDs(ids).linkage == 2 && reads == 2)
        _ = quick.runIDs(ids)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(quick.runIDs(ids).linkage == 4)
        _ = strict.runIDs(ids)
        #expect(strict.runIDs(ids).linkage == 6)
        // Any setting is safe: a window too long to convert to nanoseconds is held at a day, not a crash.
        let huge = WebCache(trailPoll: 1e300)
        _ = try huge.currentGeneration(s.store)
        let h1 = try #require(try huge.currentGeneration(s.store))
        try write("ingest")
        #expect(try huge.currentGeneration(s.store) == h1)
        #expect(WebCache(trailPoll: .infinity).trailPoll == 0 && WebCache(trailPoll: .nan).trailPoll == 0)
    }

    @Test("a kept view is shown from memory and still audited; a reassignment ends a practitioner's kept access at once on this server, within trailPoll from another process", arguments: Backend.enabled)
    func keptAccessFollowsAssignments(_ backend: Backend) async throws {
        let s = try Self.setUp(backend)
        let slow = StoreBackedTests.app(s.store, clock: s.clock, trailPoll: 3_600)
        let quick = StoreBackedTests.app(s.store, clock: s.clock, trailPoll: 0.3)
        try slow.assignDemoCaseloads(s.flagged)   // flagged 0 and 2 to demo-practitioner, 1 to demo-practitioner2
        let password = try #require(s.passwords["demo-practitioner"]), supervisor = try #require(s.passwords["demo-supervisor"])
        let practitioner = User.authenticated("demo-practitioner", role: .practitioner)
        let (mine, moved) = (s.flagged[0], s.flagged[2])
        @Sendable func kept(_ app: WebApp, _ subject: String, _ user: User = practitioner) throws -> Bool {
            try app.workspace.keptPersonView(subject, user: user) { view, _ in view.chronology }?.0 != nil
        }
        try await StoreBackedTests.live(slow, clock: s.clock) { a in
            try await StoreBackedTests.live(quick, clock: s.clock) { q in
                _ = try await a.signIn("demo-practitioner", password)
                #expect(try !kept(slow, mine), "nothing kept before the first view")
                let first = try await a.get("/people/\(mine)")
                #expect(first.status == .ok)
                #expect(try kept(slow, mine), "the access check and the view are kept: the next view needs no store read")
                #expect(try !kept(slow, mine, User.authenticated("demo-practitioner2", role: .practitioner)),
                        "kept for this practitioner only")
                #expect(try !kept(slow, s.flagged[1]), "never for a young person not viewed")
                #expect(try await a.get("/people/\(mine)").text == first.text, "the kept page")
                // This server's own reassignment ends the kept access at once (its scope is bumped).
                let token = try await a.signIn("demo-supervisor", supervisor)
                #expect(try await a.post("/queue/\(mine)/assign", form: ["csrf": token, "practitioner": "demo-practitioner2"]).status == .seeOther)
                #expect(try !kept(slow, mine))
                _ = try await a.signIn("demo-practitioner", password)
                #expect(try await a.get("/people/\(mine)").status == .notFound, "no longer on the caseload: refused at once")

                // Another process moves a young person the quick server has kept: refused once trailPoll has passed.
                _ = try await q.signIn("demo-practitioner", password)
                #expect(try await q.get("/people/\(moved)").status == .ok)
                #expect(try await q.get("/people/\(moved)").status == .ok)
                // Its access check is kept (whether the short way is open also depends on the 0.3 s window, which a
                // loaded machine may have let pass since: not asserted).
                #expect(quick.workspace.cache.accessCount == 1)
                try s.store.assign(CaseAssignment(subject: moved, practitioner: "demo-practitioner2", assignedBy: "elsewhere",
                                                  assignedAt: s.clock.now))
                _ = try s.store.appendAudit([AuditEvent(at: s.clock.now, actor: AuditActor(name: "elsewhere", kind: .authenticated, role: "supervisor"),
                                                        action: "case-assign", subject: moved, count: 1)])
                try await Task.sleep(for: .milliseconds(400))
                #expect(try await q.get("/people/\(moved)").status == .notFound)
                #expect(try !kept(quick, moved))
            }
        }
        // Every view, kept or not, has its entry; each refusal too.
        let log = try s.store.auditLog()
        #expect(log.filter { $0.action == "view-pseudonymised" && $0.event.subject == mine }.count == 2)
        #expect(log.filter { $0.action == "view-pseudonymised" && $0.event.subject == moved }.count == 2)
        #expect(log.filter { $0.action == "refused" && $0.event.actor.name == "demo-practitioner" }.count == 2)
        // With no window (trailPoll 0) nothing is ever shown the short way: every view reads the trail's tail.
        #expect(try !kept(s.first, mine) && !kept(s.first, moved))
    }

    @Test("the queue's and the caseloads' chronologies built before the first request are shown without a build, still access-checked and audited; a change makes one stale", arguments: Backend.enabled)
    func prebuiltQueueChronologies(_ backend: Backend) async throws {
        let s = try Self.setUp(backend)
        try s.first.assignDemoCaseloads(s.flagged)   // flagged 0 and 2 to demo-practitioner, 1 to demo-practitioner2
        // And a young person who is not flagged, on demo-practitioner's caseload: kept too, after the queue.
        let latest = try #require(try s.store.latestRiskRun(.score))
        let unflagged = try #require(try s.store.scores(run: latest.id).first { !$0.flagged })
        let other = try #require(try s.store.personSummary(unflagged.person)).pseudonym
        try s.store.assign(CaseAssignment(subject: other, practitioner: "demo-practitioner", assignedBy: "demo-supervisor",
                                          assignedAt: s.clock.now))
        let fresh = StoreBackedTests.app(s.store, clock: s.clock, trailPoll: 0)
        let builds = fresh.workspace.personBuildCount
        #expect(try await StoreBackedTests.app(s.store, clock: s.clock).prebuildQueueChronologies(limit: 2) == 2, "at most the limit")
        let none = WebApp(configuration: WebConfiguration(port: 0, pageCache: 0), store: s.store, users: s.store)
        #expect(try await none.prebuildQueueChronologies() == 0, "no cache, nothing built")
        #expect(try await fresh.prebuildQueueChronologies() == 4)
        #expect(builds.value == 4, "one view per young person: practitioners and supervisors see the same")
        let viewsBefore = try s.store.auditLog().filter { $0.action.hasPrefix("view-") }.count
        #expect(viewsBefore == 0, "building ahead is not a view: nothing is audited")
        let supervisor = try #require(s.passwords["demo-supervisor"]), practitioner = try #require(s.passwords["demo-practitioner"])
        // The same data as a view built on demand by a server that built nothing ahead.
        let onDemand = try await StoreBackedTests.live(s.first, clock: s.clock) { b in
            _ = try await b.signIn("demo-supervisor", supervisor)
            return try await b.get("/api/v1/people/\(s.flagged[0])").text
        }
        try await StoreBackedTests.live(fresh, clock: s.clock) { b in
            _ = try await b.signIn("demo-supervisor", supervisor)
            for subject in s.flagged { #expect(try await b.get("/people/\(subject)").status == .ok) }
            #expect(try await b.get("/api/v1/people/\(s.flagged[0])").text == onDemand)
            #expect(builds.value == 4, "every first view was a kept one")
            _ = try await b.signIn("demo-practitioner", practitioner)
            #expect(try await b.get("/people/\(s.flagged[0])").status == .ok)
            #expect(try await b.get("/people/\(other)").status == .ok)
            #expect(try await b.get("/people/\(s.flagged[1])").status == .notFound, "kept, but not on this caseload: refused")
            #expect(builds.value == 4)
            _ = try await b.signIn("demo-analyst", try #require(s.passwords["demo-analyst"]))
            #expect(try await b.get("/people/\(s.flagged[0])").text.contains("(withheld)"), "the analyst's own view, built for them")
            #expect(builds.value == 5)
            // A change to one young person (an assignment by another process) makes only that one's view stale.
            try s.store.assign(CaseAssignment(subject: s.flagged[2], practitioner: "demo-practitioner2", assignedBy: "elsewhere",
                                              assignedAt: s.clock.now))
            _ = try s.store.appendAudit([AuditEvent(at: s.clock.now, actor: AuditActor(name: "elsewhere", kind: .authenticated, role: "supervisor"),
                                                    action: "case-assign", subject: s.flagged[2], count: 1)])
            _ = try await b.signIn("demo-supervisor", supervisor)
            #expect(try await b.get("/people/\(s.flagged[2])").text.contains("demo-practitioner2"))
            #expect(try await b.get("/people/\(s.flagged[1])").status == .ok)
            #expect(builds.value == 6, "rebuilt: the assigned young person only")
        }
        let log = try s.store.auditLog()
        #expect(log.filter { $0.action == "view-pseudonymised" && $0.event.subject == s.flagged[0] }.count == 5)
        #expect(log.filter { $0.action == "refused" && $0.event.actor.name == "demo-practitioner" }.count == 1)
    }

    @Test("a kept page is cut where the CSRF token goes exactly as components(separatedBy:) cuts it")
    func splitAtTheMark() {
        let mark = "csrfMARK"
        for text in ["", "csrfMARK", "a", "acsrfMARKb", "csrfMARKcsrfMARK", "é<p>csrfMARK</p>ü csrfMAR csrfMARKx", "no mark at all",
                     String(repeating: "<td>café</td>", count: 500) + mark + "end"] {
            #expect(WebCache.split(text, at: mark) == text.components(separatedBy: mark), "\(text.prefix(30))")
        }
    }

    @Test("role views never mix: provenance, identification, caseloads and the user named on the page", arguments: Backend.enabled)
    func roleViewsStayApart(_ backend: Backend) async throws {
        let s = try Self.setUp(backend)
        try s.first.assignDemoCaseloads(s.flagged)  // flagged[0] and [2] to demo-practitioner, [1] to demo-practitioner2
        let subject = s.flagged[0]
        let person = try #require(try s.store.person(pseudonym: subject)).person
        let recordID = try #require(try s.store.records(of: person).first?.record.recordID)
        let forename = try #require(try s.store.records(of: person).first?.record.identity.forename)
        try await StoreBackedTests.live(s.first, clock: s.clock) { b in
            _ = try await b.signIn("demo-analyst", try #require(s.passwords["demo-analyst"]))
            let analyst = try await b.get("/people/\(subject)").text
            #expect(analyst.contains("(withheld)") && !analyst.contains(recordID))

            let token = try await b.signIn("demo-supervisor", try #require(s.passwords["demo-supervisor"]))
            let supervisor = try await b.get("/people/\(subject)").text
            #expect(!supervisor.contains("(withheld)") && supervisor.contains(recordID))
            #expect(supervisor.contains("demo-supervisor (supervisor)") && !supervisor.contains("demo-analyst"))
            // Identified, then pseudonymised again: the names were never kept for the pseudonymised page.
            let identified = try await b.post("/people/\(subject)/identify", form: ["csrf": token, "purpose": "safeguarding referral today"])
            #expect(identified.text.contains("Names recorded") && identified.text.contains(forename))
            let again = try await b.get("/people/\(subject)").text
            #expect(!again.contains("Names recorded") && !again.contains(forename))
            #expect(try await b.get("/api/v1/people/\(subject)").text.contains("\"identified\":false"))
            let queue = try await b.get("/queue").text
            #expect(queue.contains(s.flagged[1]))

            _ = try await b.signIn("demo-analyst", try #require(s.passwords["demo-analyst"]))
            #expect(try await b.get("/people/\(subject)").text.contains("(withheld)"))

            // The practitioner sees their own caseload, from their own view of the queue.
            _ = try await b.signIn("demo-practitioner", try #require(s.passwords["demo-practitioner"]))
            let own = try await b.get("/queue").text
            #expect(own.contains(s.flagged[0]) && !own.contains(s.flagged[1]))
            #expect(own.contains("demo-practitioner (practitioner)"))
            let page = try await b.get("/people/\(subject)").text
            #expect(page.contains("(withheld)") == false && page.contains("demo-practitioner (practitioner)"))
            // The other practitioner gets the 404 of someone not on their caseload, cached page or not.
            _ = try await b.signIn("demo-practitioner2", try #require(s.passwords["demo-practitioner2"]))
            #expect(try await b.get("/people/\(subject)").status == .notFound)
            let theirs = try await b.get("/queue").text
            #expect(theirs.contains(s.flagged[1]) && !theirs.contains(s.flagged[0]))
        }
    }

    @Test("the household neighbourhood in one query is the one the chronology streamed: postcodes and incidents", arguments: Backend.enabled)
    func neighbourhoodInOneQuery(_ backend: Backend) throws {
        let s = try Self.setUp(backend)
        // Two young people at different postcodes recorded at one incident (no postcode on those records).
        let loadedAt: Int64 = 1_704_153_600
        let incident = ["P00001", "P00010"].map { id in
            StoredRecord(record: SourceRecord(
                source: "police_extra", recordID: "X-\(id)", agency: .police, identity: Identity(surname: "Test", dateOfBirth: CivilDate(year: 2008, month: 1, day: 1)),
                event: Event(kind: .incident, date: CivilDate(year: 2023, month: 5, day: 1)!, role: .victim, reference: "INC-77"),
                provenance: Provenance(source: "police_extra", fileName: "extra.csv", fileSHA256: String(repeating: "b", count: 64), line: 2,
                                       loadedAt: loadedAt)), personLevel: true)
        }
        _ = try s.store.loadDelivery(
            Delivery(source: "police_extra", fileName: "extra.csv", fileSHA256: String(repeating: "b", count: 64), loadedAt: loadedAt),
            source: SourceInfo(name: "police_extra", agency: .police, owner: "Test", legalBasis: "synthetic", retention: RetentionPolicy(years: 10)),
            replacing: true
        ) { w in
            var c = DeliveryCounts()
            for r in incident { if try w.append(r) { c.loaded += 1 }; c.rowsRead += 1 }
            return c
        }
        var assignments: [PersonAssignment] = []
        try s.store.forEachAssignment { assignments.append($0) }
        assignments += ["P00001", "P00010"].map {
            PersonAssignment(record: RecordKey(source: "police_extra", recordID: "X-\($0)"), person: PersonID($0), probability: 0.95)
        }
        _ = try s.store.saveLinkageRun(LinkageRunInfo(finishedAt: loadedAt, by: "test", records: assignments.count, persons: 12, modelJSON: Data("{}".utf8)),
                                       assignments: assignments) { s.pseudonymiser.pseudonym($0.rawValue) }
        let reads = try #require(s.store as? any NeighbourhoodReads)
        func key(_ person: String, _ r: SourceRecord, _ p: Double?) -> String { "\(person) \(r.source)/\(r.recordID) \(p.map { String($0) } ?? "-")" }
        for i in 1...12 {
            let id = String(format: "P%05d", i)
            let streamed = try LinkedRecords.neighbourhood(of: id, store: s.store, personsFile: .store(s.store))
            let queried = try reads.neighbourhoodRecords(of: PersonID(id), personLevelOnly: true)
            #expect(Set(queried.map { key($0.person.rawValue, $0.stored.record, $0.probability) })
                    == Set(streamed.map { key($0.personID, $0.record, $0.matchProbability) }), "\(id)")
            #expect(queried.count == Set(queried.map { key($0.person.rawValue, $0.stored.record, $0.probability) }).count, "each record once")
        }
        // By hand: P00001 lives with P00002 (postcode ZZ0 0AA, persons 1 and 2 of i / 3 == 0) and met P00010 at INC-77.
        let people = Set(try reads.neighbourhoodRecords(of: PersonID("P00001"), personLevelOnly: true).map(\.person.rawValue))
        #expect(people == ["P00001", "P00002", "P00010"])
    }
}

/// The audit entries of concurrent views are committed together (``AuditGroupCommit``): none lost, each request
/// handed its own entry, and the chain and the signed head verify as with one append per view.
@Suite("Audit group commit")
struct AuditGroupCommitTests {
    @Test("48 concurrent views: 48 entries, each request its own, the chain and signed head intact")
    func concurrentViews() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("group-commit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let key = SymmetricKey(data: Array(repeating: UInt8(6), count: 32))
        let head = SignedHeadFile(path: dir + "/s.db.audit-head", key: key)
        try head.createForEmptyTrail()
        let chain = AuditChain(key: key, actor: AuditActor(name: "test", kind: .system, role: ""), head: head)
        let store = try SQLiteStore(path: dir + "/s.db", auditSealer: chain)
        let group = AuditGroupCommit(maxBatch: 8)
        let n = 48
        let got = Locked<[Int: AuditEntry]>([:])
        DispatchQueue.concurrentPerform(iterations: n) { i in
            let event = AuditEvent(at: Int64(i), actor: AuditActor(name: "u\(i)", kind: .authenticated, role: "analyst"),
                                   action: "view-pseudonymised", subject: "YP-\(i)", count: 1)
            if let e = try? group.append(event, to: store) { got.mutate { $0[i] = e } }
        }
        let entries = got.value
        #expect(entries.count == n, "every request got its entry")
        for (i, e) in entries { #expect(e.event.subject == "YP-\(i)" && e.event.actor.name == "u\(i)", "request \(i) was handed its own entry") }
        #expect(Set(entries.values.map(\.seq)) == Set(1...Int64(n)))
        let counts = group.counts
        #expect(counts.entries == n && counts.commits >= n / 8 && counts.commits <= n)
        var verifier = AuditVerifier(chain: chain, headCount: try head.read()?.count)
        try store.forEachAuditEntry { verifier.check($0) }
        let verification = verifier.finish(head: .success(try head.read()), headPath: head.path)
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        #expect(verification.entries == n && verification.headCount == Int64(n))
    }
}

/// A value shared between threads.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    var value: T { lock.withLock { v } }
    func mutate(_ body: (inout T) -> Void) { lock.withLock { body(&v) } }
}
