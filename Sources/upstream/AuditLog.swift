import ArgumentParser
import Foundation
import UpstreamGovernance
import UpstreamStore
import UpstreamStoreSQLite

/// The one audit trail, as the commands use it: a thin facade over UpstreamGovernance.
///
/// Every entry goes into the store's `audit_trail` table, chained with an HMAC under the audit key and covered by
/// the signed head (docs/governance.md). Users named on the command line are recorded as self-asserted. The first
/// use imports the JSON Lines log of earlier versions (`STORE.audit.jsonl`) once.
struct AuditLog {
    let store: String

    static func forStore(_ store: String) -> AuditLog { AuditLog(store: store) }

    /// Appends an entry for `user` (self-asserted) acting in `role` (none stated when `nil`).
    @discardableResult
    func append(user: String, action: String, person: String, reason: String, at: Int64, role: Role? = nil,
                count: Int = 0, detail: String = "") throws -> AuditEntry {
        let governance = try CLIGovernance.open(store: store, user: .selfAsserted(user, role: role))
        return try governance.record(action, subject: person, reason: reason, count: count, detail: detail, at: at)
    }
}

/// Opens stores under governance for the CLI: the one place the CLI builds a ``Governance``.
enum CLIGovernance {
    /// The user running the command: `--user`, else `$USER`, else the login name.
    static var loginName: String { ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName }

    /// Opens the SQLite store at `store` for `user`, sealed with the audit key, importing the old JSON Lines
    /// access log on first use.
    static func open(store: String, user: User, mode: Governance.Mode = .use) throws -> Governance {
        let governance = try Governance(paths: GovernancePaths(store: store), user: user, mode: mode) { sealer in
            try StoreFactory.open(store, auditSealer: sealer)
        }
        if mode == .use {
            try LegacyAccessLog.importOnce(path: store + ".audit.jsonl", into: governance, at: Int64(Date().timeIntervalSince1970))
        }
        return governance
    }

    /// The governed store with its persons (every backend the CLI opens keeps them).
    static func workspace(_ governance: Governance) throws -> any WorkspaceStore {
        guard let w = governance.store as? any WorkspaceStore else { throw CLIError("this store cannot keep linked persons") }
        return w
    }
}

extension Role: ExpressibleByArgument {}
