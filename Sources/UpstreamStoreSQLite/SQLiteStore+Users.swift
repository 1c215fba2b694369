import GRDB
import UpstreamStore

/// The web app's users and caseloads in the SQLite store (the `v6-users` migration). Values are bound, never
/// spliced into SQL.
extension SQLiteStore: UserStore {
    static func user(_ row: Row) -> StoredUser {
        StoredUser(name: row["name"], role: row["role"], passwordHash: row["password_hash"], disabled: row["disabled"],
                   failedLogins: row["failed_logins"], lockedUntil: row["locked_until"], createdAt: row["created_at"],
                   totpSecret: row["totp_secret"])
    }

    static func assignment(_ row: Row) -> CaseAssignment {
        CaseAssignment(subject: row["subject"], practitioner: row["practitioner"], assignedBy: row["assigned_by"],
                       assignedAt: row["assigned_at"])
    }

    public func saveUser(_ user: StoredUser) throws {
        try guarding { try writeImmediately { db in try Self.upsert(db, user) } }
    }

    static func upsert(_ db: Database, _ user: StoredUser) throws {
        try db.execute(sql: """
            INSERT INTO users (name, role, password_hash, disabled, failed_logins, locked_until, created_at, totp_secret)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
              disabled = excluded.disabled, failed_logins = excluded.failed_logins, locked_until = excluded.locked_until,
              totp_secret = excluded.totp_secret
            """, arguments: [user.name, user.role, user.passwordHash, user.disabled, user.failedLogins, user.lockedUntil, user.createdAt,
                             user.totpSecret])
    }

    public func user(named name: String) throws -> StoredUser? {
        try guarding { try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE name = ?"), arguments: [name]).map(Self.user)
        } }
    }

    public func users() throws -> [StoredUser] {
        try guarding { try db.read { db in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM users ORDER BY name")).map(Self.user) } }
    }

    public func assign(_ a: CaseAssignment) throws {
        try guarding { try writeImmediately { db in try Self.upsert(db, a) } }
    }

    static func upsert(_ db: Database, _ a: CaseAssignment) throws {
        try db.execute(sql: """
            INSERT INTO case_assignments (subject, practitioner, assigned_by, assigned_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(subject) DO UPDATE SET practitioner = excluded.practitioner, assigned_by = excluded.assigned_by,
              assigned_at = excluded.assigned_at
            """, arguments: [a.subject, a.practitioner, a.assignedBy, a.assignedAt])
    }

    public func assignment(of subject: String) throws -> CaseAssignment? {
        try guarding { try db.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM case_assignments WHERE subject = ?"), arguments: [subject]).map(Self.assignment)
        } }
    }

    public func assignments() throws -> [CaseAssignment] {
        try guarding { try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM case_assignments ORDER BY subject")).map(Self.assignment)
        } }
    }
}
