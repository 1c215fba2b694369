import Foundation
import UpstreamAssessment
import UpstreamGovernance
import UpstreamInterventions
import UpstreamModel
import UpstreamReports
import UpstreamRisk
import UpstreamStore

extension WebWorkspace {
    /// A risk run as the report pages name it.
    struct RunInfo: Codable, Sendable {
        var id: Int64
        var modelID: String
        var asOf: String
        var finishedAt: Int64
        var by: String
        init(_ r: RiskRunInfo) { id = r.id; modelID = r.modelID; asOf = r.asOf.iso; finishedAt = r.finishedAt; by = r.by }
    }

    /// The store's latest trained model and its report (`upstream risk train` keeps the report with the run), or
    /// nil with the command that makes one.
    struct ModelReport: Codable, Sendable {
        var run: RunInfo?
        var report: RiskReport?
        /// How to make one when there is none.
        var make: String?
    }

    /// The fairness audit of the latest trained model at capacity.
    struct Fairness: Codable, Sendable {
        var run: RunInfo?
        var fairness: FairnessReport?
        /// Every disparity over the bound, in words.
        var flags: [String]
        var make: String?
    }

    static let makeModel = "train one with: upstream risk train --store STORE --postcodes city/reference/postcodes.csv"

    /// Who may read the model report and the fairness audit: roles that see pseudonymised data (the report lists
    /// the flagged young people by pseudonym), except practitioners, who see their own caseload only.
    func requireReports(_ user: User, _ what: String) throws {
        guard let role = user.role, role.may(.viewPseudonymised), role != .practitioner else {
            throw WebError.forbidden("the role \(user.role?.rawValue ?? "none") may not read \(what)")
        }
    }

    func latestReport() throws -> (RiskRunInfo, RiskReport)? {
        guard let run = try store.latestRiskRun(.train) else { return nil }
        guard !run.reportJSON.isEmpty, let report = try? JSONDecoder().decode(RiskReport.self, from: run.reportJSON) else {
            throw WebError(.serverFailure, "risk run \(run.id) holds a report this build cannot read: train again with upstream risk train")
        }
        return (run, report)
    }

    /// The model report of the latest training run; audited (`view-model-report`, with the number of flagged young
    /// people it lists) because it names them by pseudonym.
    func modelReport(for user: User) throws -> ModelReport {
        try requireReports(user, "the model report")
        guard let (run, report) = try latestReport() else { return ModelReport(make: Self.makeModel) }
        try audit("view-model-report", user: user, subject: run.modelID, count: report.flagged.count, detail: "web")
        return ModelReport(run: RunInfo(run), report: report)
    }

    /// The fairness audit of the latest training run (aggregates only: groups under the audit's minimum size are
    /// suppressed by the audit itself).
    func fairness(for user: User) throws -> Fairness {
        try requireReports(user, "the fairness audit")
        guard let (run, report) = try latestReport() else { return Fairness(flags: [], make: Self.makeModel) }
        return Fairness(run: RunInfo(run), fairness: report.fairness, flags: report.fairness?.flags ?? [])
    }

    /// The full model report page, as `upstream risk evaluate --html` writes it (audited like ``modelReport(for:)``).
    func modelReportPage(for user: User) throws -> String {
        try requireReports(user, "the model report")
        guard let (run, report) = try latestReport() else { throw WebError.notFound("there is no trained model yet: \(Self.makeModel)") }
        try audit("view-model-report", user: user, subject: run.modelID, count: report.flagged.count, detail: "web; full page")
        return RiskReportPage.html(report)
    }

    // MARK: The intervention plan

    /// The latest plan as `upstream plan` saved it (UpstreamInterventions' own `Plan`: business case, programmes,
    /// totals, uncertainty, solver), with one page of its offers.
    struct PlanView: Codable, Sendable {
        /// The plan, its `offers` cut to this page; nil when there is none.
        var plan: Plan?
        var page: Int
        var pages: Int
        var make: String?
    }

    static let makePlan = "make one with: upstream plan --store STORE --as-of YYYY-MM-DD --budget 2m (the store keeps it; this page shows the latest)"
    static let offersPerPage = 50

    func requirePlanAccess(_ user: User, _ what: String) throws {
        guard let role = user.role, role == .analyst || role == .supervisor else {
            throw WebError.forbidden("the role \(user.role?.rawValue ?? "none") may not read \(what)")
        }
    }

    /// The latest plan for analysts and supervisors; audited (`view-plan`, with the number of offers shown) because
    /// offers name young people by pseudonym.
    func plan(for user: User, page: Int = 1) throws -> PlanView {
        try requirePlanAccess(user, "the intervention plan")
        guard var plan = try reports.plan() else { return PlanView(page: 1, pages: 1, make: Self.makePlan) }
        let pages = max(1, (plan.offers.count + Self.offersPerPage - 1) / Self.offersPerPage)
        let page = min(max(1, page), pages)
        plan.offers = Array(plan.offers.dropFirst((page - 1) * Self.offersPerPage).prefix(Self.offersPerPage))
        try audit("view-plan", user: user, subject: plan.asOf.map { "plan as of \($0)" } ?? "plan", count: plan.offers.count, detail: "web")
        return PlanView(plan: plan, page: page, pages: pages)
    }

    /// The full business case page, as `upstream plan` writes it.
    func planPage(for user: User) throws -> String {
        try requirePlanAccess(user, "the intervention plan")
        guard let plan = try reports.plan() else { throw WebError.notFound("there is no intervention plan yet: \(Self.makePlan)") }
        try audit("view-plan", user: user, subject: plan.asOf.map { "plan as of \($0)" } ?? "plan", count: min(plan.offers.count, PlanPage.offersShown),
                  detail: "web; full page")
        return PlanPage.html(plan)
    }

    // MARK: The strategic assessment

    /// The strategic assessment's figures as the page shows them: counts from 1 to 4 as "fewer than 5".
    struct AssessmentView: Codable, Sendable {
        struct SeriesRow: Codable, Sendable {
            var title: String
            var count: String
            var volumeShare: Double
            var harmShare: Double
            var costGBP: Double
            var trend: String
        }
        struct PriorityRow: Codable, Sendable {
            var rank: Int
            var threat: String
            var harm: Double
            var likelihood: Double
            var vulnerability: Double
            var priority: Double
        }
        var period: String?
        var source: String?
        var generated: String?
        var areas: Int?
        var topFivePercentShare: Double?
        var hotspots: Int?
        var series: [SeriesRow]
        var priorities: [PriorityRow]
        var make: String?
    }

    static let makeAssessment = "make one with: upstream assess --store STORE --out sa (the store keeps it; this page shows the latest)"

    /// The latest strategic assessment (aggregates only) for analysts and supervisors.
    func assessment(for user: User) throws -> AssessmentView {
        try requirePlanAccess(user, "the strategic assessment")
        guard let a = try reports.assessment() else { return AssessmentView(series: [], priorities: [], make: Self.makeAssessment) }
        return AssessmentView(
            period: "\(a.from) to \(a.to)", source: a.source == "store" ? "the force's recorded crime (store)" : "police.uk open data",
            generated: a.generated, areas: a.place.concentration.areas, topFivePercentShare: a.place.concentration.top5Share,
            hotspots: a.place.hotspots?.hot,
            series: a.series.map {
                .init(title: $0.title, count: Layout.suppressed($0.count), volumeShare: $0.volumeShare, harmShare: $0.harmShare,
                      costGBP: $0.costGBP, trend: $0.trend?.words ?? "not testable (needs 24 months)")
            },
            priorities: a.priorities.map {
                .init(rank: $0.rank, threat: $0.threat, harm: $0.harmScore, likelihood: $0.likelihoodScore,
                      vulnerability: $0.vulnerabilityScore, priority: $0.priorityScore)
            })
    }

    /// The full strategic assessment page, as `upstream assess` writes it.
    func assessmentPage(for user: User) throws -> String {
        try requirePlanAccess(user, "the strategic assessment")
        guard let a = try reports.assessment() else { throw WebError.notFound("there is no strategic assessment yet: \(Self.makeAssessment)") }
        return AssessmentPage.html(a)
    }
}
