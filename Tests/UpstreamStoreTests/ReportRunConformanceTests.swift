import Foundation
import Testing
import UpstreamModel
import UpstreamStore
import UpstreamStorePostgres
import UpstreamStoreSQLite

/// The report runs (plans and assessments, migration `v7-runs`) through the one generic save and read, and the one
/// audited save of review items and offers, on every backend: in memory, SQLite in memory and in a file, and
/// PostgreSQL (when `UPSTREAM_TEST_POSTGRES_URL` is set, and always under `CI=true`).
@Suite("report runs and audited saves: one code path, every backend")
struct ReportRunConformanceTests {
    /// Bytes that are not UTF-8 and a NUL: the JSON column is bytes, kept exactly.
    static let awkward = Data([0x7B, 0x00, 0xFF, 0xFE, 0x22, 0x7D])

    static func plan(_ at: Int64, asOf: String?, json: Data) -> StoredPlanRun {
        StoredPlanRun(createdAt: at, createdBy: "planner", asOf: asOf, budgetPence: 4_000_000, costPence: 3_987_650, offers: 17,
                      candidates: 240, planJSON: json)
    }

    static let assessment = StoredAssessmentRun(createdAt: t0 + 5, createdBy: "analyst", periodFrom: "2023-01", periodTo: "2023-12",
                                                source: "police.uk", crimes: 1_234, assessmentJSON: Data("{\"a\":1}".utf8))

    @Test("plans and assessments: none at first; each kind's latest is its highest id, read back exactly; the kinds never mix",
          arguments: Backend.enabled)
    func runsRoundTripPerKind(_ backend: Backend) throws {
        let store = try #require(try backend.makeWorkspace() as? any ReportRunStore)
        #expect(try store.latestRun(StoredPlanRun.self) == nil)
        #expect(try store.latestRun(StoredAssessmentRun.self) == nil)
        #expect(try store.latestReportRunJSON(kind: .plan) == nil)

        let first = try store.saveRun(Self.plan(t0, asOf: nil, json: Self.awkward))
        #expect(first.id > 0)
        #expect(try store.latestRun(StoredPlanRun.self) == first)
        #expect(try store.latestRun(StoredAssessmentRun.self) == nil, "a plan is not an assessment")

        let assessment = try store.saveRun(Self.assessment)
        let second = try store.saveRun(Self.plan(t0 + 10, asOf: "2024-01-01", json: Data("{\"offers\":[]}".utf8)))
        #expect(second.id > first.id)
        // Each value as saved: the nil as-of of the first and the awkward bytes came back exactly above.
        #expect(try store.latestRun(StoredPlanRun.self) == second)
        #expect(second.asOf == "2024-01-01" && second.budgetPence == 4_000_000 && second.offers == 17 && second.candidates == 240)
        #expect(try store.latestRun(StoredAssessmentRun.self) == assessment)
        #expect(assessment.crimes == 1_234 && assessment.periodTo == "2023-12")
        // The JSON column is the last: what the web app decodes.
        let json = try #require(try store.latestReportRunJSON(kind: .assessment))
        #expect(json.id == assessment.id && json.json == Data("{\"a\":1}".utf8))
        // The named forms are the generic one.
        #expect(try store.latestRun(StoredPlanRun.self) == second && store.latestRun(StoredAssessmentRun.self) == assessment)
    }

    @Test("every kind's columns are its table's, in the order its values are given")
    func kindsDescribeTheirRows() throws {
        #expect(ReportRunKind.plan.columns.count == Self.plan(t0, asOf: nil, json: Data()).values.count)
        #expect(ReportRunKind.assessment.columns.count == Self.assessment.values.count)
        #expect(ReportRunKind.plan.columns.last == "plan_json" && ReportRunKind.assessment.columns.last == "assessment_json")
        // A row with a value of the wrong type is refused, naming the table, row and column (never the value).
        var values = Self.assessment.values
        values[5] = .text("many")
        #expect(throws: StoreError.corrupt("assessment_runs row 3: crimes is missing or of the wrong type")) {
            try StoredAssessmentRun(id: 3, values: values)
        }
        #expect(throws: StoreError.corrupt("plan_runs row 1 has 7 columns, not 8")) { try StoredPlanRun(id: 1, values: values) }
    }

    static let decision = AuditEvent(at: t0, actor: AuditActor(name: "sam", kind: .selfAsserted, role: "supervisor"),
                                     action: "risk-review-decide", subject: "YP-A", count: 1, reason: "seen at school", detail: "")

    @Test("the one audited save of review items: the entry and the item, on every backend (one transaction where the store can)",
          arguments: Backend.enabled)
    func auditedReviewSave(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        let item = StoredReviewItem(queue: .riskFlags, subject: "YP-A", pending: false, updatedAt: t0, stateJSON: Data("{\"s\":1}".utf8))
        let entries = try store.saveReviewItems([item], audit: [Self.decision])
        #expect(entries.map(\.event.reason) == ["seen at school"])
        #expect(try store.reviewItem(.riskFlags, subject: "YP-A") == item)
        var trail: [AuditEntry] = []
        try store.forEachAuditEntry { trail.append($0) }
        #expect(trail.map(\.event.action) == ["risk-review-decide"])
        // No entry to write: the item alone.
        try store.saveReviewItems([StoredReviewItem(queue: .riskFlags, subject: "YP-B", pending: true, updatedAt: t0, stateJSON: Data("{}".utf8))],
                                  audit: [])
        #expect(try store.reviewItems(.riskFlags, pendingOnly: true).map(\.subject) == ["YP-B"])
    }

    @Test("the one audited save of offers: the offers with their ids and the plan's entry, on every backend", arguments: Backend.enabled)
    func auditedOfferSave(_ backend: Backend) throws {
        let store = try backend.makeWorkspace()
        let offer = StoredOffer(person: PersonID("p1"), programme: "mentoring", cost: 2_500, status: "proposed", createdAt: t0,
                                detailJSON: Data("{\"id\":\"OF-p1\"}".utf8))
        let event = AuditEvent(at: t0, actor: AuditActor(name: "planner", kind: .selfAsserted, role: ""), action: "plan-make",
                               subject: "40 young people", count: 1, reason: "plan 1", detail: "")
        let saved = try store.saveOffers([offer], audit: [event])
        #expect(saved.count == 1 && saved[0].id > 0)
        #expect(try store.offers(of: nil).map(\.programme) == ["mentoring"])
        var trail: [AuditEntry] = []
        try store.forEachAuditEntry { trail.append($0) }
        #expect(trail.map(\.event.action) == ["plan-make"])
    }

    @Test("extras JSON is written with the one JSON string escape: keys sorted, quotes, backslashes and control characters escaped")
    func extrasUseTheOneEscape() throws {
        let extras = ["b": "say \"hi\"", "a": "line\nnext\u{01}\\", "é": "ü"]
        let text = ExtrasJSON.encode(extras)
        #expect(text == #"{"a":"line\nnext\u0001\\","b":"say \"hi\"","é":"ü"}"#)
        #expect(text == "{" + ["a", "b", "é"].map { JSONText.quoted($0) + ":" + JSONText.quoted(extras[$0]!) }.joined(separator: ",") + "}")
        #expect(ExtrasJSON.decode(text) == extras)
    }
}
