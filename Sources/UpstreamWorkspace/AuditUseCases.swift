import Foundation
import UpstreamGovernance
import UpstreamStore

extension Workspace {
    /// Checks the store's one audit trail (its keyed chain and signed head) as an auditor, creating nothing. A
    /// missing store file, a damaged entry or a missing key is a finding, not an error. A PostgreSQL store's trail is
    /// read from the database.
    public func verifyAudit() throws -> AuditVerification {
        if !exists { return Governance.verifyMissingStore(paths: paths) }
        do {
            return try governance(mode: .inspect, user: .selfAsserted(user.name, role: .auditor)).verify()
        } catch let error as StoreError {
            return AuditVerification(entries: 0, headCount: nil, problems: [
                "\(error). The entry was damaged or edited in the database: restore the store from backup, or keep this "
                + "copy as evidence and report it; the trail cannot be trusted past that entry",
            ], notes: [])
        } catch let error as GovernanceError {
            return AuditVerification(entries: 0, headCount: nil, problems: ["\(error)"], notes: [])
        }
    }

    /// Every entry of the audit trail, oldest first, read as an auditor (nothing is created).
    public func auditEntries() throws -> [AuditEntry] {
        guard exists else { throw WorkspaceError.usage("no store at \(location)") }
        var out: [AuditEntry] = []
        try governance(mode: .inspect, user: .selfAsserted(user.name, role: .auditor)).store.forEachAuditEntry { out.append($0) }
        return out
    }
}
