import UpstreamStore

/// A change to a user or a caseload and the audit entries that record it, in one transaction (both or neither after a
/// crash), as the SQLite store does: the `users` and `case_assignments` tables live beside `audit_trail`.
extension PostgresStore: AuditedUserWrites {
    @discardableResult
    public func saveUser(_ user: StoredUser, audit events: [AuditEvent]) throws -> [AuditEntry] {
        try audited(events, table: "users") { try saveUser(user) }
    }

    @discardableResult
    public func assign(_ assignment: CaseAssignment, audit events: [AuditEvent]) throws -> [AuditEntry] {
        try audited(events, table: "case_assignments") { try assign(assignment) }
    }

    /// Appends `events` and runs `write` in one writing transaction, then advances the trail's signed head.
    private func audited(_ events: [AuditEvent], table: String, _ write: () throws -> Void) throws -> [AuditEntry] {
        let entries = try transaction(write: true) { () -> [AuditEntry] in
            let entries = events.isEmpty ? [] : try appendTrail(events)
            try write()
            CrashTestHook.stallBeforeCommit(table)
            return entries
        }
        if let last = entries.last { try sealer?.didAppend(last) }
        return entries
    }
}
