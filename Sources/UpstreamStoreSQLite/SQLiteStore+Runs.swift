import Foundation
import GRDB
import UpstreamStore

/// Plan and assessment runs in the SQLite store (migration `v7-runs`). Values are bound, never spliced into SQL.
extension SQLiteStore: ReportRunStore {
    @discardableResult
    public func savePlanRun(_ run: StoredPlanRun) throws -> StoredPlanRun {
        try guarding { try writeImmediately { db in
            try db.execute(sql: """
                INSERT INTO plan_runs (created_at, created_by, as_of, budget_pence, cost_pence, offers, candidates, plan_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.createdAt, run.createdBy, run.asOf, run.budgetPence, run.costPence, run.offers, run.candidates,
                                 run.planJSON])
            var saved = run
            saved.id = db.lastInsertedRowID
            return saved
        } }
    }

    public func latestPlanRun() throws -> StoredPlanRun? {
        try guarding { try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM plan_runs ORDER BY id DESC LIMIT 1").map {
                StoredPlanRun(id: $0["id"], createdAt: $0["created_at"], createdBy: $0["created_by"], asOf: $0["as_of"],
                              budgetPence: $0["budget_pence"], costPence: $0["cost_pence"], offers: $0["offers"],
                              candidates: $0["candidates"], planJSON: $0["plan_json"])
            }
        } }
    }

    @discardableResult
    public func saveAssessmentRun(_ run: StoredAssessmentRun) throws -> StoredAssessmentRun {
        try guarding { try writeImmediately { db in
            try db.execute(sql: """
                INSERT INTO assessment_runs (created_at, created_by, period_from, period_to, source, crimes, assessment_json)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.createdAt, run.createdBy, run.periodFrom, run.periodTo, run.source, run.crimes, run.assessmentJSON])
            var saved = run
            saved.id = db.lastInsertedRowID
            return saved
        } }
    }

    public func latestAssessmentRun() throws -> StoredAssessmentRun? {
        try guarding { try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM assessment_runs ORDER BY id DESC LIMIT 1").map {
                StoredAssessmentRun(id: $0["id"], createdAt: $0["created_at"], createdBy: $0["created_by"], periodFrom: $0["period_from"],
                                    periodTo: $0["period_to"], source: $0["source"], crimes: $0["crimes"],
                                    assessmentJSON: $0["assessment_json"])
            }
        } }
    }
}
