import Foundation
import PostgresNIO
import UpstreamStore

extension PostgresSchema {
    /// The web app's users and the practitioners' caseloads: SQLite's `v6-users`, under the same name, in
    /// PostgreSQL's dialect (0/1 flags as `BOOLEAN`, 64-bit times as `BIGINT`).
    static let usersMigration = PostgresMigration(name: "v6-users: web app users and caseloads", statements: [
        """
        CREATE TABLE users (
          name TEXT COLLATE "C" PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
          role TEXT NOT NULL CHECK (role IN ('analyst', 'practitioner', 'supervisor', 'auditor', 'admin')),
          password_hash TEXT NOT NULL CHECK (password_hash LIKE '$2%'),
          disabled BOOLEAN NOT NULL DEFAULT FALSE,
          failed_logins BIGINT NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
          locked_until BIGINT,
          created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE case_assignments (
          subject TEXT COLLATE "C" PRIMARY KEY NOT NULL,
          practitioner TEXT COLLATE "C" NOT NULL REFERENCES users(name),
          assigned_by TEXT NOT NULL,
          assigned_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX case_assignments_by_practitioner ON case_assignments(practitioner)",
    ])

    /// SQLite's `v6-users-totp`: each user's optional second-factor secret.
    static let usersTOTPMigration = PostgresMigration(name: "v6-users-totp: a second factor per user", statements: [
        "ALTER TABLE users ADD COLUMN totp_secret TEXT CHECK (totp_secret IS NULL OR length(totp_secret) BETWEEN 16 AND 128)",
    ])
}

/// The web app's users and caseloads on the server (migration `v6-users`). Each call is one statement, so one
/// transaction; every value is bound.
extension PostgresStore: UserStore {
    static func user(_ row: PostgresRow) throws -> StoredUser {
        let (name, role, hash, disabled, failed, locked, created, totp) = try decoding("users") {
            try row.decode((String, String, String, Bool, Int64, Int64?, Int64, String?).self)
        }
        return StoredUser(name: name, role: role, passwordHash: hash, disabled: disabled, failedLogins: Int(failed), lockedUntil: locked,
                          createdAt: created, totpSecret: totp)
    }

    static func assignment(_ row: PostgresRow) throws -> CaseAssignment {
        let (subject, practitioner, by, at) = try decoding("case_assignments") { try row.decode((String, String, String, Int64).self) }
        return CaseAssignment(subject: subject, practitioner: practitioner, assignedBy: by, assignedAt: at)
    }

    public func saveUser(_ user: StoredUser) throws {
        try execute("""
            INSERT INTO users (name, role, password_hash, disabled, failed_logins, locked_until, created_at, totp_secret)
            VALUES (\(user.name), \(user.role), \(user.passwordHash), \(user.disabled), \(Int64(user.failedLogins)), \(user.lockedUntil),
              \(user.createdAt), \(user.totpSecret))
            ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
              disabled = excluded.disabled, failed_logins = excluded.failed_logins, locked_until = excluded.locked_until,
              totp_secret = excluded.totp_secret
            """)
    }

    public func user(named name: String) throws -> StoredUser? {
        try rows("""
            SELECT name, role, password_hash, disabled, failed_logins, locked_until, created_at, totp_secret FROM users WHERE name = \(name)
            """).first.map(Self.user)
    }

    public func users() throws -> [StoredUser] {
        try rows("SELECT name, role, password_hash, disabled, failed_logins, locked_until, created_at, totp_secret FROM users ORDER BY name").map(Self.user)
    }

    public func assign(_ a: CaseAssignment) throws {
        try execute("""
            INSERT INTO case_assignments (subject, practitioner, assigned_by, assigned_at)
            VALUES (\(a.subject), \(a.practitioner), \(a.assignedBy), \(a.assignedAt))
            ON CONFLICT (subject) DO UPDATE SET practitioner = excluded.practitioner, assigned_by = excluded.assigned_by,
              assigned_at = excluded.assigned_at
            """)
    }

    public func assignment(of subject: String) throws -> CaseAssignment? {
        try rows("""
            SELECT subject, practitioner, assigned_by, assigned_at FROM case_assignments WHERE subject = \(subject)
            """).first.map(Self.assignment)
    }

    public func assignments() throws -> [CaseAssignment] {
        try rows("SELECT subject, practitioner, assigned_by, assigned_at FROM case_assignments ORDER BY subject").map(Self.assignment)
    }
}
