import Foundation

/// A user of the web app as the store keeps them: a name, a role, a bcrypt password hash and the login guard's
/// counters. Never any person data.
public struct StoredUser: Hashable, Sendable, Codable {
    /// The login name (unique).
    public var name: String
    /// The role's name (`analyst`, `practitioner`, `supervisor`, `auditor`, `admin`; UpstreamGovernance's `Role`).
    public var role: String
    /// The bcrypt hash of the password (`$2b$…`); never the password.
    public var passwordHash: String
    /// A disabled user cannot log in.
    public var disabled: Bool
    /// Failed logins since the last successful one.
    public var failedLogins: Int
    /// Seconds since 1970-01-01 UTC until which logins are refused (after too many failures); nil when not locked.
    public var lockedUntil: Int64?
    /// Seconds since 1970-01-01 UTC.
    public var createdAt: Int64
    /// The user's TOTP secret in base32 (RFC 6238), when they have set up a second factor; nil otherwise.
    public var totpSecret: String?

    public init(name: String, role: String, passwordHash: String, disabled: Bool = false, failedLogins: Int = 0,
                lockedUntil: Int64? = nil, createdAt: Int64, totpSecret: String? = nil) {
        self.name = name; self.role = role; self.passwordHash = passwordHash; self.disabled = disabled
        self.failedLogins = failedLogins; self.lockedUntil = lockedUntil; self.createdAt = createdAt; self.totpSecret = totpSecret
    }
}

/// One young person (by pseudonym) on one practitioner's caseload, and who put them there.
public struct CaseAssignment: Hashable, Sendable, Codable {
    /// The young person's pseudonym.
    public var subject: String
    /// The practitioner's login name.
    public var practitioner: String
    /// Who assigned it (a supervisor's login name).
    public var assignedBy: String
    /// Seconds since 1970-01-01 UTC.
    public var assignedAt: Int64

    public init(subject: String, practitioner: String, assignedBy: String, assignedAt: Int64) {
        self.subject = subject; self.practitioner = practitioner; self.assignedBy = assignedBy; self.assignedAt = assignedAt
    }
}

/// Where the web app keeps its users and the practitioners' caseloads.
///
/// Every backend conforms (in memory here; SQLite as the `v6-users` migration). Each call is one transaction.
public protocol UserStore: Sendable {
    /// Adds a user, or replaces the one with the same name.
    func saveUser(_ user: StoredUser) throws
    /// The user with this login name, or nil.
    func user(named name: String) throws -> StoredUser?
    /// Every user, by name.
    func users() throws -> [StoredUser]
    /// Puts a young person on a practitioner's caseload (replacing any earlier assignment of that person).
    func assign(_ assignment: CaseAssignment) throws
    /// Who a young person is assigned to, or nil.
    func assignment(of subject: String) throws -> CaseAssignment?
    /// Every assignment, by subject.
    func assignments() throws -> [CaseAssignment]
}

extension UserStore {
    /// The pseudonyms on one practitioner's caseload.
    public func caseload(of practitioner: String) throws -> Set<String> {
        Set(try assignments().filter { $0.practitioner == practitioner }.map(\.subject))
    }
}

/// Users and caseloads held in memory: the reference ``UserStore`` for tests and demos.
public final class InMemoryUserStore: UserStore, @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var byName: [String: StoredUser] = [:]
    private var bySubject: [String: CaseAssignment] = [:]

    /// An empty store.
    public init() {}

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    public func saveUser(_ user: StoredUser) throws { locked { byName[user.name] = user } }
    public func user(named name: String) throws -> StoredUser? { locked { byName[name] } }
    public func users() throws -> [StoredUser] { locked { byName.values.sorted { $0.name < $1.name } } }
    public func assign(_ assignment: CaseAssignment) throws { locked { bySubject[assignment.subject] = assignment } }
    public func assignment(of subject: String) throws -> CaseAssignment? { locked { bySubject[subject] } }
    public func assignments() throws -> [CaseAssignment] { locked { bySubject.values.sorted { $0.subject < $1.subject } } }
}
