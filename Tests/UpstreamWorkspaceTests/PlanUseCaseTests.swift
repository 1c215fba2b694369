import Foundation
import Testing
import UpstreamGovernance
import UpstreamInterventions
import UpstreamModel
import UpstreamStore
import UpstreamWorkspace

/// `PlanUseCases.make` and the store's offer queue (`PlanOfferStore`) on a small CSV of scores, without the binary:
/// the offers and the plan's `plan-make` audit entry are saved together, a second plan adds only new offers, and a
/// decision goes through the review state machine.
@Suite("UpstreamWorkspace: the plan's use case and its offer queue", .serialized)
struct PlanUseCaseTests {
    static let catalogue = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("catalogue/interventions.yaml").path

    /// 200 young people aged 12-17: every 4th flagged as gang-related, every 5th suspended, every 7th arrested (the
    /// risk model's feature columns, as PlanCLITests writes them).
    static func scores(in dir: String) throws -> String {
        var csv = "person,score,age,sex,ethnicity,deprivation_decile,police_gang_flag,co_offenders_serious_violence,police_weapon_suspect_5y,"
            + "co_offenders_5y,police_suspect_12m,police_custody_12m,police_cse_victim,police_violence_victim_5y,ace_sexual_abuse,"
            + "school_suspensions_12m,school_permanent_exclusion,school_alternative_provision\n"
        for i in 0..<200 {
            let score = 0.01 + Double(i % 50) / 100
            csv += "YP-\(i),\(score),\(12 + i % 6),\(i % 2 == 0 ? "F" : "M"),\(["White", "Black", "Asian", "Mixed"][i % 4]),\(1 + i % 10),"
            csv += "\(i % 4 == 0 ? 1 : 0),0,0,\(i % 9 == 0 ? 2 : 0),\(i % 11 == 0 ? 2 : 0),\(i % 7 == 0 ? 1 : 0),0,\(i % 13 == 0 ? 2 : 0),0,"
            csv += "\(i % 5 == 0 ? 1 : 0),0,0\n"
        }
        try csv.write(toFile: dir + "/scores.csv", atomically: true, encoding: .utf8)
        return dir + "/scores.csv"
    }

    static func request(_ dir: String, budget: String) throws -> PlanMakeRequest {
        var r = PlanMakeRequest(budget: try #require(Money.parse(budget)), user: "planner")
        r.scores = try scores(in: dir)
        r.catalogue = catalogue
        r.out = dir + "/plan"
        r.draws = 20
        r.curve = false
        r.timeLimit = 20
        return r
    }

    @Test("make saves every offer as proposed with one plan-make entry counting them; a rerun adds none and says so; decide works once")
    func makeSavesOffersWithTheirEntry() throws {
        let dir = NSTemporaryDirectory() + "upstream-plan-usecase-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let request = try Self.request(dir, budget: "30k")

        let first = try PlanUseCases.make(request)
        let n = first.plan.offers.count
        #expect(n > 0)
        #expect(first.added == n)
        #expect(first.offersStore == dir + "/plan/" + PlanOfferStore.csvStoreName && first.outDir == dir + "/plan")
        for f in ["business-case.html", "offers.csv", "plan.json"] { #expect(FileManager.default.fileExists(atPath: dir + "/plan/" + f)) }
        let location = dir + "/plan/" + PlanOfferStore.csvStoreName
        let queue = try PlanOfferStore.open(location, user: "reader")
        let stored = try queue.stored()
        #expect(stored.map(\.1.id) == first.plan.offers.map(\.id))
        #expect(stored.allSatisfy { $0.0.status == "proposed" })
        #expect(stored.map(\.0.person.rawValue) == first.plan.offers.map(\.person), "a CSV's person is its own id")

        let workspace = Workspace(location: location, user: .selfAsserted("auditor", role: .auditor))
        var plans = try workspace.auditEntries().filter { $0.event.action == "plan-make" }
        #expect(plans.count == 1)
        #expect(plans.first?.event.count == n)
        #expect(plans.first?.event.reason == "plan-csv-30000-1: \(n) offers, \(n) new in the review queue")
        #expect(plans.first?.event.actor.name == "planner")

        // The same plan again: nothing new in the queue, and the trail says so.
        let second = try PlanUseCases.make(request)
        #expect(second.added == 0)
        #expect(try queue.stored().count == n)
        plans = try workspace.auditEntries().filter { $0.event.action == "plan-make" }
        #expect(plans.map(\.event.count) == [n, 0])
        #expect(plans.last?.event.reason == "plan-csv-30000-1: \(n) offers, 0 new in the review queue")

        // A decision: the offer's status and its review item change, audited; not twice.
        let id = first.plan.offers[0].id
        let practitioner = try PlanOfferStore.open(location, user: "sam", role: .practitioner)
        let item = try practitioner.decide(id: id, decision: .offer, reason: "family agreed", at: 1_764_000_000)
        #expect(item.decision == .offer && item.decidedBy == "sam" && item.decisionReason == "family agreed")
        #expect(try queue.stored().first { $0.1.id == id }?.0.status == "offered")
        #expect(try queue.items().filter { $0.decision == nil }.count == n - 1)
        #expect(throws: WorkspaceError.self) { try practitioner.decide(id: id, decision: .decline, reason: "changed mind", at: 1_764_000_001) }
        let v = try workspace.verifyAudit()
        #expect(v.intact, "\(v.problems)")
    }

    @Test("the catalogue and range inputs: a missing catalogue says what to do; LOW:HIGH must bracket 1")
    func inputs() throws {
        #expect(PlanInputs.range("0.8:1.25")! == (0.8, 1.25))
        #expect(PlanInputs.range("1.2:1.5") == nil)
        #expect(PlanInputs.range("0.8") == nil)
        #expect(PlanInputs.range("0:2") == nil)
        do { _ = try PlanInputs.catalogue("/nonexistent/interventions.yaml"); Issue.record("no error") } catch let e as WorkspaceError {
            #expect(e.description == "cannot read the catalogue /nonexistent/interventions.yaml: give its path with --catalogue FILE")
            #expect(e.kind == .badInput)
        }
    }
}
