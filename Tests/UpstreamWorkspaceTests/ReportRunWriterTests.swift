import Foundation
import Testing
import UpstreamAssessment
import UpstreamInterventions
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamWorkspace

/// `upstream plan` and `upstream assess --store` keep their runs in the store (migration `v7-runs`), where the web app
/// reads the latest: written with the store's one JSON form, read back as the writers' own types.
@Suite("UpstreamWorkspace: plan and assessment runs in the store", .serialized)
struct ReportRunWriterTests {
    @Test("each plan the use case makes is a run in the store: the headline columns and the plan itself, the latest last")
    func planRuns() throws {
        let dir = NSTemporaryDirectory() + "upstream-plan-runs-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try PlanUseCases.make(try PlanUseCaseTests.request(dir, budget: "30k"))
        let store = try SQLiteStore(path: dir + "/plan/" + PlanOfferStore.csvStoreName)
        let (run, plan) = try #require(try PlanRuns.latest(in: store))
        #expect(first.run == run.id)
        #expect(plan == first.plan, "the stored plan decodes to the plan made")
        #expect(run.budgetPence == 3_000_000 && run.costPence == first.plan.totals.cost.pence)
        #expect(run.offers == first.plan.offers.count && run.candidates == 200 && run.asOf == nil && run.createdBy == "planner")
        let second = try PlanUseCases.make(try PlanUseCaseTests.request(dir, budget: "20k"))
        let (latest, latestPlan) = try #require(try PlanRuns.latest(in: store))
        #expect(latest.id == run.id + 1 && second.run == latest.id)
        #expect(latestPlan.budget.pence == 2_000_000)
    }

    @Test("an assessment saved as a run reads back as the same assessment, with its period, source and size as columns")
    func assessmentRuns() throws {
        let dir = NSTemporaryDirectory() + "upstream-assessment-runs-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/s.db")
        // A year of made-up violence in five areas, as the store's crime reaches the assessment.
        var b = StoreAssessmentBuilder(from: YearMonth(year: 2023, month: 1)!, to: YearMonth(year: 2023, month: 12)!)
        var n = 0
        for m in 1...12 {
            for k in 0..<(10 + m) {
                n += 1
                b.add(StoreCrime(reference: "C\(n)", date: CivilDate(year: 2023, month: m, day: 1 + k % 28)!, minuteOfDay: (k * 97) % 1440,
                                 code: ["8N", "105A", "34B"][k % 3], flags: [], area: "E0\(1000 + k % 5)",
                                 easting: Double(k % 5) * 400 + 400_000, northing: 300_000))
            }
        }
        let assessment = Assessment.build(try b.input(craig: nil, linked: false), weights: PriorityWeights(), generated: "2024-01-01T00:00:00Z")
        let saved = try #require(try AssessmentRuns.save(assessment, in: store, by: "analyst", at: 1_704_067_200))
        let run = try #require(try store.latestRun(StoredAssessmentRun.self))
        #expect(run == saved)
        #expect(run.periodFrom == "2023-01" && run.periodTo == "2023-12" && run.crimes == assessment.baseCount && run.source == assessment.source)
        let back = try ReportRunJSON.decoder().decode(Assessment.self, from: run.assessmentJSON)
        #expect(try ReportRunJSON.encoder().encode(back) == run.assessmentJSON, "decoding and encoding again gives the same bytes")
        #expect(back.series.map(\.count) == assessment.series.map(\.count))
    }
}
