import Foundation
import UpstreamChronology
import UpstreamGovernance
import UpstreamModel
import UpstreamReports
import UpstreamStore

/// What the pages and the API show, as values: each page's data is one of these, rendered as HTML by the pages
/// and as JSON by `/api/v1`. Every rule about who may see what lives here, once.
struct WebWorkspace: Sendable {
    let store: any WorkspaceStore
    let users: any UserStore
    /// The latest intervention plan and strategic assessment.
    let reports: any ReportSource
    let now: @Sendable () -> Int64
    /// What the pages read most, kept between requests and invalidated by the audit trail (``WebCache``).
    var cache = WebCache()
    /// The audit entries of concurrent views, committed together.
    let auditCommits = AuditGroupCommit()
    /// The threads store reads, building and rendering run on (``BlockingPool``), away from Swift's cooperative pool.
    let blocking: BlockingPool
    /// The threads a chronology built from the store runs on (a kept page missed): a build costs 10 to 20 ms at
    /// 1,000,000 people against under 1 ms for a kept page, so builds wait in a line of their own.
    let builds: BlockingPool
    /// Chronologies being built, by cache key and stamp, shared by the views that miss them at once.
    let personBuilds = SharedBuilds<PersonView>()
    /// How many chronologies have been built from the store (for tests: a kept view builds none).
    let personBuildCount = Counter()

    // MARK: Access

    /// Throws unless `user` may open the young person `subject` (by pseudonym): analysts and supervisors any
    /// person (pseudonymised), practitioners only those on their caseload; other roles none. Unknown persons and
    /// persons not on a practitioner's caseload give the same 404, so a practitioner cannot probe for pseudonyms.
    func requirePersonAccess(_ subject: String, user: User) throws -> PersonSummary {
        guard let role = user.role, role.may(.viewPseudonymised) else {
            throw WebError.forbidden("the role \(user.role?.rawValue ?? "none") may not see person-level data")
        }
        let message = "there is no young person \(subject) on your caseload"
        // Both 404s are audited as refusals; only a pseudonym that exists is named in the entry.
        guard let summary = try store.person(pseudonym: subject) else { throw WebError.notOnCaseload(message, subject: nil) }
        if role == .practitioner {
            guard try users.assignment(of: subject)?.practitioner == user.name else {
                throw WebError.notOnCaseload(message, subject: summary.pseudonym)
            }
        }
        return summary
    }

    /// Appends one event to the audit trail as `user` (authenticated by the server), committed with any other
    /// requests' entries waiting at the same moment (``AuditGroupCommit``); returns once it is committed.
    @discardableResult
    func audit(_ action: String, user: User, subject: String = "", count: Int = 0, reason: String = "", detail: String = "") throws -> AuditEntry {
        let event = AuditEvent(at: now(), actor: user.actor, action: action, subject: subject, count: count, reason: reason,
                               detail: detail)
        return try auditCommits.append(event, to: store)
    }

    // MARK: Dashboard

    struct Dashboard: Codable, Sendable {
        var user: String
        var role: String
        /// Persons in the current linkage run (nil when nothing is linked or the role sees no person data).
        var linkedPersons: Int?
        var latestScoreAsOf: String?
        var flagged: Int?
        var pendingReviews: Int?
        var caseload: Int?
        var auditEntries: Int?
        var users: Int?
    }

    func dashboard(for user: User) throws -> Dashboard {
        let role = user.role!
        var d = Dashboard(user: user.name, role: role.rawValue)
        if role.may(.viewPseudonymised) {
            d.linkedPersons = try store.currentLinkageRun()?.persons
            if let run = try store.latestRiskRun(.score) {
                d.latestScoreAsOf = run.asOf.iso
                d.flagged = try flaggedScores(run).count
            }
            d.pendingReviews = try store.reviewItems(.riskFlags, pendingOnly: true).count
        }
        if role == .practitioner { d.caseload = try users.caseload(of: user.name).count }
        if role == .auditor { d.auditEntries = try store.auditCount() }
        if role == .admin { d.users = try users.users().count }
        return d
    }

    // MARK: The practitioners' queue

    struct QueueItem: Codable, Sendable {
        var pseudonym: String
        var score: Double
        var rank: Int
        var age: Int?
        var asOf: String
        /// Earlier scores, oldest first, as (as-of date, score): the trend.
        var trend: [TrendPoint]
        var reasons: [String]
        /// `pending`, `decided (offer-support)`, `withdrawn`.
        var state: String
        var assignedTo: String?
        var history: [Step]
    }
    struct TrendPoint: Codable, Sendable { var asOf: String; var score: Double }
    struct Step: Codable, Sendable { var at: Int64; var by: String; var what: String; var reason: String }
    struct Queue: Codable, Sendable {
        var asOf: String?
        /// Flagged young people in the queue (all pages).
        var total: Int = 0
        /// This page (from 1) and how many there are, `pageSize` items each.
        var page: Int = 1
        var pages: Int = 1
        var items: [QueueItem]
        var decisions: [String]
        var practitioners: [String]?
    }

    /// Items per page of the queue.
    static let pageSize = 50

    /// The flagged young people of the latest scoring run, highest score first, one page of ``pageSize``: all of
    /// them for a supervisor, the caseload for a practitioner.
    func queue(for user: User, page: Int = 1) throws -> Queue {
        try cachedQueue(for: user, page: page, generation: try cache.currentGeneration(store)).queue
    }

    /// The queue's page as HTML for `user`, with the session's CSRF token: rendered once per scoring run, page,
    /// role view and user, and again only when the store changes (``WebCache``).
    func queuePage(for user: User, page: Int, csrf: String, notice: String?) throws -> String {
        let generation = try cache.currentGeneration(store)
        let (q, key) = try cachedQueue(for: user, page: page, generation: generation)
        return cache.page("\(key)|\(user.name)|\(notice ?? "")", scope: .queue, generation: generation, csrf: csrf) {
            Pages.queue(q, user: user, csrf: $0, notice: notice)
        }
    }

    /// The queue's page from the cache at `generation` (read before this call), or built. The key names the run,
    /// the role's view (a practitioner's own caseload, or everyone for a supervisor) and the page asked for.
    func cachedQueue(for user: User, page: Int, generation: Int64?) throws -> (queue: Queue, key: String) {
        let role = user.role!
        guard role == .practitioner || role == .supervisor else {
            throw WebError.forbidden("the role \(role.rawValue) has no review queue")
        }
        let view = role == .practitioner ? "practitioner \(user.name)" : "supervisor"
        // The runs are in the key as well as in the generation: a run saved without its audit entry (a test's
        // fixture) still replaces the page.
        let runs = try runIDs()
        let key = "queue|\(runs.linkage ?? 0)|\(runs.score ?? 0)|\(view)|\(page)"
        return (try cache.value(key, scope: .queue, generation: generation) {
            try buildQueue(for: user, page: page, run: try store.latestRiskRun(.score))
        }, key)
    }

    /// The ids of the current linkage run and the latest scoring run (0 where none), in one small query where the
    /// store can (``LatestRunReads``), at most once per ``WebCache/trailPoll``: every kept page's key names them.
    func runIDs() throws -> (linkage: Int64?, score: Int64?) {
        try cache.runIDs {
            if let reads = store as? any LatestRunReads { return try reads.latestRunIDs() }
            return (try store.currentLinkageRun()?.id, try store.latestRiskRun(.score)?.id)
        }
    }

    /// Each shown young person's trend (every score, oldest run first): one query for the page where the store can
    /// (``TrendReads``), else each person's scores.
    func trends(of persons: [PersonID]) throws -> [PersonID: [TrendPoint]] {
        if let reads = store as? any TrendReads {
            return try reads.trends(of: persons).mapValues { $0.map { TrendPoint(asOf: $0.asOf.iso, score: $0.score) } }
        }
        var out: [PersonID: [TrendPoint]] = [:]
        for p in persons { out[p] = try store.scores(of: p).map { TrendPoint(asOf: $0.asOf.iso, score: $0.score) } }
        return out
    }

    /// Builds a queue page from the store.
    func buildQueue(for user: User, page: Int, run: RiskRunInfo?) throws -> Queue {
        let role = user.role!
        let decisions = RiskFlag.Decision.allCases.map(\.rawValue)
        guard let run else { return Queue(asOf: nil, items: [], decisions: decisions) }
        // Work in proportion to the page, not to the queue or the city: the run's flagged young people once per run
        // (``WebCache``), then a few indexed look-ups per young person shown.
        let flaggedScores = try flaggedScores(run)
        var visible: [(PersonScore, PersonSummary?)]
        if role == .practitioner {
            // The caseload is small: look its pseudonyms up, rather than every flagged person's.
            var mine: [PersonID: PersonSummary] = [:]
            for subject in try users.caseload(of: user.name) {
                if let summary = try store.person(pseudonym: subject) { mine[summary.person] = summary }
            }
            visible = flaggedScores.compactMap { s in mine[s.person].map { (s, $0) } }
        } else {
            visible = flaggedScores.map { ($0, nil) }
        }
        let pages = max(1, (visible.count + Self.pageSize - 1) / Self.pageSize)
        let page = min(max(1, page), pages)
        var items: [QueueItem] = []
        let shown = visible.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize)
        let trends = try trends(of: shown.map(\.0.person))
        for (s, known) in shown {
            guard let summary = try known ?? store.personSummary(s.person) else { continue }
            let review = try reviewItem(summary.pseudonym)
            let trend = trends[s.person] ?? []
            items.append(QueueItem(
                pseudonym: summary.pseudonym, score: s.score, rank: s.rank, age: s.age, asOf: s.asOf.iso, trend: trend,
                reasons: s.raising.map(\.text), state: Self.stateName(review.state),
                assignedTo: role == .practitioner ? user.name : try users.assignment(of: summary.pseudonym)?.practitioner,
                history: review.history.map { Step(at: $0.at, by: $0.by.name, what: $0.what, reason: $0.reason) }))
        }
        let practitioners = role == .supervisor
            ? try users.users().filter { $0.role == Role.practitioner.rawValue && !$0.disabled }.map(\.name) : nil
        return Queue(asOf: run.asOf.iso, total: visible.count, page: page, pages: pages, items: items, decisions: decisions,
                     practitioners: practitioners)
    }

    /// The flagged young people of a scoring run, highest score first: read once per run (a run's scores never
    /// change once saved), from the store's flagged-only query where it has one.
    func flaggedScores(_ run: RiskRunInfo) throws -> [PersonScore] {
        try cache.flagged(run: run.id) {
            if let reads = store as? any FlaggedScoreReads { return try reads.flaggedScores(run: run.id) }
            return try store.scores(run: run.id).filter(\.flagged)
        }
    }

    static func stateName(_ s: ReviewState<RiskFlag.Decision>) -> String {
        switch s {
        case .pending: "pending"
        case .decided(let d): "decided (\(d.rawValue))"
        case .withdrawn: "withdrawn"
        }
    }

    /// The stored review item of a flagged person, or a new pending one.
    func reviewItem(_ subject: String) throws -> RiskFlagReview {
        try reviewItem(subject, stored: try store.reviewItem(.riskFlags, subject: subject))
    }

    /// The review item of a flagged person from its stored row (nil or empty: a new pending one).
    func reviewItem(_ subject: String, stored: StoredReviewItem?) throws -> RiskFlagReview {
        guard let stored, !stored.stateJSON.isEmpty else {
            return RiskFlagReview(subject: subject)
        }
        guard let item = try? JSONDecoder().decode(RiskFlagReview.self, from: stored.stateJSON) else {
            throw StoreError.corrupt("review item risk-flags/\(subject)")
        }
        return item
    }

    /// Records a decision on a flagged young person through the review item's state machine: the audit entry is
    /// written first, then the item is saved.
    func decide(_ subject: String, decision raw: String, reason: String?, user: User) throws {
        let role = user.role!
        guard role.may(.decideRiskFlags) else { throw WebError.forbidden("the role \(role.rawValue) may not decide on risk flags") }
        _ = try requirePersonAccess(subject, user: user)
        guard let decision = RiskFlag.Decision(rawValue: raw) else {
            throw WebError.badRequest("the decision must be one of \(RiskFlag.Decision.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var item = try reviewItem(subject)
        let actions: [ReviewAction]
        do { actions = try item.decide(decision, by: user, reason: reason, at: now()) } catch let e as GovernanceError {
            throw Self.webError(e)
        }
        try perform(actions, item: item)
    }

    /// Reopens a decided item (supervisors).
    func reopen(_ subject: String, reason: String?, user: User) throws {
        _ = try requirePersonAccess(subject, user: user)
        var item = try reviewItem(subject)
        let actions: [ReviewAction]
        do { actions = try item.reopen(by: user, reason: reason, at: now()) } catch let e as GovernanceError { throw Self.webError(e) }
        try perform(actions, item: item)
    }

    /// Performs a transition's actions: its audit entries and the item's new state are saved in one transaction
    /// when the store can (``AuditedReviewWrites``), so a crash leaves the decision wholly there or wholly absent.
    func perform(_ actions: [ReviewAction], item: RiskFlagReview) throws {
        var events: [AuditEvent] = []
        var save: [StoredReviewItem] = []
        for a in actions {
            switch a {
            case .audit(var event):
                event.detail = event.detail.isEmpty ? "web" : event.detail
                events.append(event)
            case .persist:
                save.append(StoredReviewItem(queue: .riskFlags, subject: item.subject, pending: item.state == .pending,
                                             updatedAt: now(), stateJSON: try JSONEncoder().encode(item)))
            case .relink: break  // risk flags never change the linked persons
            }
        }
        try store.saveReviewItems(save, audit: events)
        cache.bump(person: item.subject)
    }

    /// The users' store when it keeps users beside the audit trail (the same SQLite database), so a change to a
    /// user and its audit entry are saved in one transaction.
    var auditedUsers: (any AuditedUserWrites)? {
        guard let u = users as? any AuditedUserWrites, (users as AnyObject) === (store as AnyObject) else { return nil }
        return u
    }

    /// Saves `changed` with an audit entry by `user`, in one transaction when the store can.
    func saveUser(_ changed: StoredUser, action: String, user: User, subject: String, count: Int = 0, reason: String = "",
                  detail: String = "") throws {
        try saveUser(changed, audit: [AuditEvent(at: now(), actor: user.actor, action: action, subject: subject, count: count,
                                                 reason: reason, detail: detail)])
    }

    /// Saves `changed` with its audit entries, in one transaction when the store can (``AuditedUserWrites``: SQLite
    /// and PostgreSQL); otherwise the entries first, then the change (an entry without its change, never the reverse).
    func saveUser(_ changed: StoredUser, audit events: [AuditEvent]) throws {
        if let atomic = auditedUsers {
            try atomic.saveUser(changed, audit: events)
        } else {
            if !events.isEmpty { _ = try store.appendAudit(events) }
            try users.saveUser(changed)
        }
        // A sign-in's bookkeeping, a password or an authenticator changes no page kept (``WebCache/isRead(_:)``, as
        // when another process writes it); a user added, disabled or given another role changes them all.
        if !events.allSatisfy({ WebCache.isRead($0.action) }) { cache.bump() }
    }

    /// Writes a refused request to the audit trail (action `refused`): who (the signed-in user, the name a failed
    /// sign-in gave when it exists, else `anonymous`), the route's pattern and method, the status and why. Never a
    /// password, a form's content or a query string; the subject only when it is a young person's pseudonym that
    /// exists.
    func auditRefusal(actor: AuditActor, route: String, method: String, status: Int, reason: String, subject: String = "",
                      count: Int = 0) throws {
        _ = try store.appendAudit([Self.refusal(at: now(), actor: actor, route: route, method: method, status: status,
                                                reason: reason, subject: subject, count: count)])
    }

    /// The audit event of a refused request (see ``auditRefusal(actor:route:method:status:reason:subject:count:)``).
    static func refusal(at: Int64, actor: AuditActor, route: String, method: String, status: Int, reason: String,
                        subject: String = "", count: Int = 0) -> AuditEvent {
        AuditEvent(at: at, actor: actor, action: "refused", subject: subject, count: count, reason: reason,
                   detail: "\(method) \(route) \(status)")
    }

    /// The actor of a request made without signing in.
    static let anonymous = AuditActor(name: "anonymous", kind: .selfAsserted, role: "")

    /// A governance refusal as the web shows it.
    static func webError(_ e: GovernanceError) -> WebError {
        let text = e.description
        if text.contains("may not") { return .forbidden(text) }
        if text.contains("cannot be") { return .conflict(text) }
        return .badRequest(text)
    }

    /// Puts a flagged young person on a practitioner's caseload (supervisors), audited.
    func assign(_ subject: String, to practitioner: String, user: User) throws {
        guard user.role == .supervisor else { throw WebError.forbidden("only a supervisor may assign young people") }
        _ = try requirePersonAccess(subject, user: user)
        guard let p = try users.user(named: practitioner), p.role == Role.practitioner.rawValue, !p.disabled else {
            throw WebError.badRequest("there is no active practitioner with that name")
        }
        let assignment = CaseAssignment(subject: subject, practitioner: p.name, assignedBy: user.name, assignedAt: now())
        let event = AuditEvent(at: now(), actor: user.actor, action: "case-assign", subject: subject, count: 1, detail: "to \(p.name)")
        if let atomic = auditedUsers {
            try atomic.assign(assignment, audit: [event])
        } else {
            _ = try store.appendAudit([event])
            try users.assign(assignment)
        }
        cache.bump(person: subject)
    }

    // MARK: Chronology

    struct PersonView: Codable, Sendable {
        var chronology: Chronology
        var identified: Bool
        var provenanceWithheld: Bool
        var mayIdentify: Bool
        var scores: [TrendPoint]
        var assignedTo: String?
    }

    /// One young person's chronology, audited before it is returned: `view-pseudonymised`, or `identify` with
    /// the stated purpose (only for roles that may identify).
    func person(_ subject: String, user: User, identifyPurpose: String?) async throws -> PersonView {
        try await viewPerson(subject, user: user, identifyPurpose: identifyPurpose) { view, _ in view }
    }

    /// The chronology page as HTML for `user`, with the session's CSRF token, audited before it is returned: a
    /// pseudonymised view is rendered once per young person, role, user and generation (``WebCache``); the audit
    /// entry is written on every request, and the access check too unless one that passed is kept
    /// (``keptPersonView(_:user:show:)``).
    func personPage(_ subject: String, user: User, identifyPurpose: String?, csrf: String) async throws -> String {
        try await viewPerson(subject, user: user, identifyPurpose: identifyPurpose) { [cache] view, p in
            cache.page("\(p.key)|\(user.name)", scope: .person(p.summary.pseudonym), generation: p.generation, csrf: csrf) {
                Pages.person(view, user: user, csrf: $0)
            }
        }
    }

    /// A chronology view's access check, cache look-up and audit event, then `show`'s result once the event is
    /// committed. A kept view whose access check is kept too is shown without leaving the request's task
    /// (``keptPersonView(_:user:show:)``), another kept view in one hop to the blocking pool; a view built from the
    /// store (a miss, or an identified view) is built on the build pool (``WebWorkspace/builds``), so that the kept
    /// views asked for meanwhile do not wait behind a build in the blocking pool's line; views that miss the same
    /// kept value at once share one build (``SharedBuilds``).
    private func viewPerson<T: Sendable>(_ subject: String, user: User, identifyPurpose: String?,
                                         show: @escaping @Sendable (PersonView, PreparedPerson) throws -> T) async throws -> T {
        // A kept view whose access was checked and kept under the same generation: shown here, without the hop.
        if identifyPurpose == nil, let (shown, prepared) = try keptPersonView(subject, user: user, show: show) {
            try await commit(prepared.event)
            return shown
        }
        let (kept, prepared) = try await blocking.run { () -> (T?, PreparedPerson) in
            let p = try preparePerson(subject, user: user, identifyPurpose: identifyPurpose)
            guard let view: PersonView = cache.cached(p.key, scope: .person(p.summary.pseudonym), generation: p.generation) else {
                return (nil, p)
            }
            return (try show(view, p), p)
        }
        var shown = kept
        if shown == nil {
            let build: @Sendable () async throws -> PersonView = { [self] in
                try await builds.run {
                    try cache.value(prepared.key, scope: .person(prepared.summary.pseudonym), generation: prepared.generation) {
                        try buildPerson(prepared.summary, mayIdentify: user.may(.identify), identify: prepared.identify,
                                        provenance: prepared.provenance)
                    }
                }
            }
            // Views of the same kept value that miss at once share its build (never an identified view: not kept).
            let view: PersonView
            if let generation = prepared.generation {
                let scope = WebCache.Scope.person(prepared.summary.pseudonym)
                view = try await personBuilds.value(cache.stampedKey(prepared.key, scope: scope, generation: generation), build: build)
            } else {
                view = try await build()
            }
            // Shown (rendered) on the blocking pool: not behind the builds again.
            shown = try await blocking.run { try show(view, prepared) }
        }
        // Nothing is shown until its audit event is committed.
        try await commit(prepared.event)
        return shown!
    }

    /// Writes a view's audit event, with the entries of the views waiting at the same moment (``AuditGroupCommit``),
    /// without holding a thread while the commit waits for the disk.
    func commit(_ event: AuditEvent) async throws {
        _ = try await auditCommits.append(event, to: store)
    }

    /// What a chronology view needs before its data: the person (access checked), the cache key and generation
    /// (nil for an identified view, which is never cached) and the audit event to write before it is shown.
    struct PreparedPerson: Sendable {
        var summary: PersonSummary
        var generation: Int64?
        var key: String
        var identify: Bool
        var provenance: Bool
        var event: AuditEvent
    }

    /// A pseudonymised view shown from memory alone, or nil when anything it needs would have to be read from the
    /// store: the generation and the runs' ids as last read (while they stand, ``WebCache/freshGeneration()``), the
    /// access check kept under them (``preparePerson(_:user:identifyPurpose:)`` keeps it) and the view itself.
    /// Most views of a busy server's kept chronologies are shown so, without the hop to the blocking pool and the
    /// store's read of the person (about a fifth of such a view's CPU in session 14's profile). Refusals are never
    /// kept, so a request that would be refused always goes the long way and is audited as before.
    func keptPersonView<T>(_ subject: String, user: User,
                                   show: (PersonView, PreparedPerson) throws -> T) throws -> (T, PreparedPerson)? {
        guard let role = user.role, role.may(.viewPseudonymised), let generation = cache.freshGeneration(),
              let ids = cache.freshRunIDs() else { return nil }
        let runs = Self.runsKey(ids)
        guard let summary = cache.keptAccess(accessKey(subject, user: user, runs: runs), scope: .person(subject), generation: generation),
              summary.pseudonym == subject else { return nil }
        let key = Self.viewKey(runs: runs, person: summary.person, variant: Self.variant(of: role))
        guard let view: PersonView = cache.cached(key, scope: .person(subject), generation: generation) else { return nil }
        let provenance = user.may(.seeProvenance)
        let p = PreparedPerson(summary: summary, generation: generation, key: key, identify: false, provenance: provenance,
                               event: viewEvent(summary.pseudonym, user: user, purpose: nil, provenance: provenance))
        return (try show(view, p), p)
    }

    /// The latest runs' ids as they appear in every kept chronology's keys.
    static func runsKey(_ ids: (linkage: Int64?, score: Int64?)) -> String { "\(ids.linkage ?? 0)|\(ids.score ?? 0)" }

    /// The key of a kept pseudonymised chronology: by runs, person and the role's variant of the view.
    static func viewKey(runs: String, person: PersonID, variant: ViewVariant) -> String {
        "person|\(runs)|\(person.rawValue)|\(variant.provenance ? "p" : "-")\(variant.mayIdentify ? "i" : "-")"
    }

    /// What a role changes in a pseudonymised chronology: whether provenance (source record ids, file lines) is shown
    /// and whether the identify form is. Roles with the same variant see the same view (a practitioner and a
    /// supervisor), so they share one kept value: the HTML is still kept per user (the navigation names them).
    struct ViewVariant: Hashable, Sendable {
        var provenance: Bool
        var mayIdentify: Bool
    }

    /// The variant of the view `role` sees.
    static func variant(of role: Role) -> ViewVariant {
        ViewVariant(provenance: role.may(.seeProvenance), mayIdentify: role.may(.identify))
    }

    /// The key under which a user's access to a young person is kept: by role, and for a practitioner by name (whose
    /// caseload it was checked against).
    private func accessKey(_ subject: String, user: User, runs: String) -> String {
        "access|\(runs)|\(subject)|\(user.role?.rawValue ?? "")|\(user.role == .practitioner ? user.name : "")"
    }

    /// The audit event of a chronology view: `view-pseudonymised`, or `identify` with its purpose.
    private func viewEvent(_ pseudonym: String, user: User, purpose: Purpose?, provenance: Bool) -> AuditEvent {
        AuditEvent(at: now(), actor: user.actor, action: purpose != nil ? "identify" : "view-pseudonymised",
                   subject: pseudonym, count: 1, reason: purpose?.text ?? "",
                   detail: provenance ? "web" : "web; provenance withheld")
    }

    /// Checks access and the purpose, and reads the cache's generation and the runs' ids (nothing is built).
    /// A pseudonymised view's access check is kept (``WebCache``, in the young person's scope, so an assignment
    /// ends it at once) under the generation read *before* it, for ``keptPersonView(_:user:show:)``; a refusal is
    /// never kept, and an identified view checks afresh every time.
    func preparePerson(_ subject: String, user: User, identifyPurpose: String?) throws -> PreparedPerson {
        // A role that may not see person-level data is refused (and audited by the caller) before anything is read.
        if user.role?.may(.viewPseudonymised) != true { _ = try requirePersonAccess(subject, user: user) }
        // Never an identified view from the cache, or into it. The generation is read before the access check kept
        // under it, so a change landing in between makes the kept check look older than it is, never newer.
        let generation = identifyPurpose == nil ? try cache.currentGeneration(store) : nil
        let runs = Self.runsKey(try runIDs())
        var summary: PersonSummary
        if let generation {
            summary = try cache.access(accessKey(subject, user: user, runs: runs), scope: .person(subject), generation: generation) {
                try requirePersonAccess(subject, user: user)
            }
            // Kept under the pseudonym asked for: trusted only when that is the young person's own (the scope an
            // assignment bumps).
            if summary.pseudonym != subject { summary = try requirePersonAccess(subject, user: user) }
        } else {
            summary = try requirePersonAccess(subject, user: user)
        }
        var purpose: Purpose?
        if let identifyPurpose {
            guard user.may(.identify) else { throw WebError.forbidden("the role \(user.role!.rawValue) may not identify a person") }
            do { purpose = try Purpose(identifyPurpose, for: "identifying \(subject)") } catch let e as GovernanceError {
                throw Self.webError(e)
            }
        }
        let provenance = user.may(.seeProvenance)
        let key = Self.viewKey(runs: runs, person: summary.person, variant: Self.variant(of: user.role!))
        // Written before anything is shown (the caller commits it, then returns the view).
        return PreparedPerson(summary: summary, generation: generation, key: key, identify: purpose != nil,
                              provenance: provenance, event: viewEvent(summary.pseudonym, user: user, purpose: purpose, provenance: provenance))
    }

    /// The young person's and their household neighbourhood's records: one query where the store can
    /// (``NeighbourhoodReads``), else the person's records and each postcode neighbour's.
    func neighbourhood(of person: PersonID) throws -> [LinkedRecord] {
        if let reads = store as? any NeighbourhoodReads {
            return try reads.householdRecords(of: person, personLevelOnly: false).map {
                LinkedRecord(personID: $0.person.rawValue, record: $0.stored.record, extras: $0.stored.extras)
            }
        }
        var linked = try store.records(of: person).map {
            LinkedRecord(personID: person.rawValue, record: $0.record, extras: $0.extras)
        }
        for n in try store.neighbours(of: person) {
            linked += try store.records(of: n.person).map { LinkedRecord(personID: n.person.rawValue, record: $0.record, extras: $0.extras) }
        }
        return linked
    }

    /// Builds a young person's view from the store.
    func buildPerson(_ summary: PersonSummary, mayIdentify: Bool, identify: Bool, provenance: Bool) throws -> PersonView {
        personBuildCount.add()
        guard var c = ChronologyBuilder(records: try neighbourhood(of: summary.person))
            .chronology(for: summary.person.rawValue, pseudonym: summary.pseudonym, identify: identify) else {
            throw WebError.notFound("young person \(summary.pseudonym) has no records in the store")
        }
        if !provenance { c = ChronologyRedaction.withoutProvenance(c) }
        // Household members appear by relationship only: their person ids never leave the server.
        c.household = c.household.map { var m = $0; m.personID = ""; return m }
        c.householdEvents = c.householdEvents.map { var h = $0; h.memberID = nil; return h }
        c.personID = ""
        let scores = try trends(of: [summary.person])[summary.person] ?? []
        return PersonView(chronology: c, identified: identify, provenanceWithheld: !provenance,
                          mayIdentify: mayIdentify, scores: scores,
                          assignedTo: try users.assignment(of: summary.pseudonym)?.practitioner)
    }

    // MARK: Audit trail

    struct AuditFilter: Codable, Sendable {
        var actor: String?
        var action: String?
        var subject: String?
        var from: String?
        var to: String?
        var limit: Int = 200
    }
    struct AuditRow: Codable, Sendable {
        var seq: Int64; var at: Int64; var actor: String; var actorKind: String; var role: String
        var action: String; var subject: String; var source: String?; var count: Int; var reason: String; var detail: String
    }
    struct AuditPage: Codable, Sendable { var total: Int; var matched: Int; var entries: [AuditRow] }

    /// The trail's entries that match every given filter (exact actor, action prefix, exact subject, dates
    /// inclusive), newest first, at most `limit`. The filters are compared in Swift, never put into SQL.
    func auditTrail(_ f: AuditFilter) throws -> AuditPage {
        let from = try f.from.flatMap { $0.isEmpty ? nil : $0 }.map { s -> Int64 in
            guard let d = CivilDate.parse(s, layout: .iso) else { throw WebError.badRequest("'from' must be a date like 2024-01-31") }
            return Int64(d.dayNumber) * 86_400
        }
        let to = try f.to.flatMap { $0.isEmpty ? nil : $0 }.map { s -> Int64 in
            guard let d = CivilDate.parse(s, layout: .iso) else { throw WebError.badRequest("'to' must be a date like 2024-01-31") }
            return (Int64(d.dayNumber) + 1) * 86_400
        }
        func some(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        var rows: [AuditRow] = []
        var total = 0
        try store.forEachAuditEntry { e in
            total += 1
            let ev = e.event
            if let a = some(f.actor), ev.actor.name != a { return }
            if let a = some(f.action), !ev.action.hasPrefix(a) { return }
            if let s = some(f.subject), ev.subject != s { return }
            if let from, ev.at < from { return }
            if let to, ev.at >= to { return }
            rows.append(AuditRow(seq: e.seq, at: ev.at, actor: ev.actor.name, actorKind: ev.actor.kind.rawValue, role: ev.actor.role,
                                 action: ev.action, subject: ev.subject, source: ev.source, count: ev.count, reason: ev.reason,
                                 detail: ev.detail))
        }
        let limit = max(1, min(f.limit, 1000))
        return AuditPage(total: total, matched: rows.count, entries: Array(rows.reversed().prefix(limit)))
    }

    // MARK: Data quality

    struct SourceRow: Codable, Sendable {
        var source: String; var agency: String; var records: String; var personRecords: String; var quarantined: String; var deliveries: Int
    }
    struct QuarantineRow: Codable, Sendable { var source: String; var reason: String; var field: String?; var rows: String }
    struct Quality: Codable, Sendable { var sources: [SourceRow]; var quarantine: [QuarantineRow] }

    /// Records and quarantined rows by source, and quarantined rows by reason: counts only (1 to 4 shown as
    /// "fewer than 5"), never a quarantined row's content.
    func quality() throws -> Quality {
        Quality(
            sources: try store.sourceCounts().map {
                SourceRow(source: $0.source, agency: $0.agency.title, records: Layout.suppressed($0.records),
                          personRecords: Layout.suppressed($0.personRecords), quarantined: Layout.suppressed($0.quarantined),
                          deliveries: $0.deliveries)
            },
            quarantine: try store.quarantineGroups(source: nil).map {
                QuarantineRow(source: $0.source, reason: $0.reason, field: $0.field, rows: Layout.suppressed($0.count))
            })
    }

    // MARK: Users

    struct UserRow: Codable, Sendable {
        var name: String; var role: String; var disabled: Bool; var locked: Bool; var failedLogins: Int; var caseload: Int
        /// Whether the user set up an authenticator (never the secret).
        var secondFactor: Bool
    }

    func userRows() throws -> [UserRow] {
        let t = now()
        let assignments = try users.assignments()
        return try users.users().map { u in
            UserRow(name: u.name, role: u.role, disabled: u.disabled, locked: (u.lockedUntil ?? 0) > t, failedLogins: u.failedLogins,
                    caseload: assignments.filter { $0.practitioner == u.name }.count, secondFactor: u.totpSecret != nil)
        }
    }
}
