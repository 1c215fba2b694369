import GRDB

extension Schema {
    /// The plans and strategic assessments made from the store (`v7-runs`): one row per run, the headline figures as
    /// columns and the whole result as JSON. Its own migration, so it merges independently of the others.
    static func registerRuns(_ m: inout DatabaseMigrator) {
        m.registerMigration("v7-runs: plan runs and assessment runs") { db in
            try db.execute(sql: """
                CREATE TABLE plan_runs (
                  id INTEGER PRIMARY KEY,
                  created_at INTEGER NOT NULL,
                  created_by TEXT NOT NULL,
                  as_of TEXT CHECK (as_of IS NULL OR length(as_of) = 10),
                  budget_pence INTEGER NOT NULL CHECK (budget_pence >= 0),
                  cost_pence INTEGER NOT NULL CHECK (cost_pence >= 0),
                  offers INTEGER NOT NULL CHECK (offers >= 0),
                  candidates INTEGER NOT NULL CHECK (candidates >= 0),
                  plan_json BLOB NOT NULL
                ) STRICT;
                CREATE TABLE assessment_runs (
                  id INTEGER PRIMARY KEY,
                  created_at INTEGER NOT NULL,
                  created_by TEXT NOT NULL,
                  period_from TEXT NOT NULL CHECK (length(period_from) = 7),
                  period_to TEXT NOT NULL CHECK (length(period_to) = 7),
                  source TEXT NOT NULL,
                  crimes INTEGER NOT NULL CHECK (crimes >= 0),
                  assessment_json BLOB NOT NULL
                ) STRICT;
                """)
        }
    }
}
