import GRDB

extension Schema {
    /// The web app's users and the practitioners' caseloads (`v6-users`): its own migration, after the persons'
    /// (v5), so it can be merged and applied independently of them.
    static func registerUsers(_ m: inout DatabaseMigrator) {
        m.registerMigration("v6-users: web app users and caseloads") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                  name TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
                  role TEXT NOT NULL CHECK (role IN ('analyst', 'practitioner', 'supervisor', 'auditor', 'admin')),
                  password_hash TEXT NOT NULL CHECK (password_hash LIKE '$2%'),
                  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                  failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
                  locked_until INTEGER,
                  created_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE case_assignments (
                  subject TEXT PRIMARY KEY NOT NULL,
                  practitioner TEXT NOT NULL REFERENCES users(name),
                  assigned_by TEXT NOT NULL,
                  assigned_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX case_assignments_by_practitioner ON case_assignments(practitioner);
                """)
        }
        m.registerMigration("v6-users-totp: a second factor per user") { db in
            try db.execute(sql: "ALTER TABLE users ADD COLUMN totp_secret TEXT CHECK (totp_secret IS NULL OR length(totp_secret) BETWEEN 16 AND 128)")
        }
    }
}
