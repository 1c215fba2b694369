import ArgumentParser
import Foundation
import UpstreamGovernance
import UpstreamModel
import UpstreamStore
import UpstreamWorkspace

/// The one audit trail, as commands that do not yet take a ``Workspace`` use it (plan, serve): a shim over
/// ``Workspace/audit(_:subject:reason:count:detail:role:)``.
struct AuditLog {
    let store: String

    static func forStore(_ store: String) -> AuditLog { AuditLog(store: store) }

    /// Appends an entry for `user` (self-asserted) acting in `role` (none stated when `nil`).
    @discardableResult
    func append(user: String, action: String, person: String, reason: String, at: Int64, role: UpstreamGovernance.Role? = nil,
                count: Int = 0, detail: String = "") throws -> AuditEntry {
        let governance = try CLIGovernance.open(store: store, user: .selfAsserted(user, role: role))
        return try governance.record(action, subject: person, reason: reason, count: count, detail: detail, at: at)
    }
}

/// Opens stores under governance for commands that do not yet take a ``Workspace`` (a shim over it).
enum CLIGovernance {
    /// The user running the command: `$USER`, else the login name.
    static var loginName: String { Workspace.loginName }

    /// Opens the store at `store` for `user`, sealed with the audit key, importing the old JSON Lines access log on
    /// first use.
    static func open(store: String, user: User, mode: Governance.Mode = .use) throws -> Governance {
        try Workspace(location: store, user: user).governance(mode: mode)
    }

    /// The store under `governance`, as the persons-and-runs store the commands need.
    static func workspace(_ governance: Governance) throws -> any WorkspaceStore {
        guard let w = governance.store as? any WorkspaceStore else { throw CLIError("this store cannot keep linked persons") }
        return w
    }
}

extension JSONFiles {
    /// Prints a value as pretty, key-sorted JSON on standard output.
    static func print<T: Encodable>(_ value: T) throws { Swift.print(try text(value)) }
}

extension UpstreamGovernance.Role: ExpressibleByArgument {}
extension RiskFlag.Decision: ExpressibleByArgument {}

extension CivilDate: ExpressibleByArgument {
    public init?(argument: String) {
        guard let d = CivilDate.parse(argument, layout: .iso) else { return nil }
        self = d
    }
}
