import GRDB
import UpstreamStore

/// Audited writes: the audit entries and the change they record in one `BEGIN IMMEDIATE` transaction, so a
/// `kill -9` leaves both or neither (Tests/UpstreamCLITests/ServerCrashTests.swift kills the web server while it
/// writes them). The crash-test hook (``CrashTestHook``) stalls each inside its transaction when
/// `UPSTREAM_TEST_STALL_BEFORE_COMMIT` names `review_items`, `users`, `case_assignments` or `offers`.
extension SQLiteStore: AuditedReviewWrites, AuditedUserWrites, AuditedOfferWrites {
    @discardableResult
    public func saveReviewItems(_ items: [StoredReviewItem], audit events: [AuditEvent]) throws -> [AuditEntry] {
        try audited(events, table: "review_items") { db in try Self.upsert(db, items) }
    }

    @discardableResult
    public func saveUser(_ user: StoredUser, audit events: [AuditEvent]) throws -> [AuditEntry] {
        try audited(events, table: "users") { db in try Self.upsert(db, user) }
    }

    @discardableResult
    public func assign(_ assignment: CaseAssignment, audit events: [AuditEvent]) throws -> [AuditEntry] {
        try audited(events, table: "case_assignments") { db in try Self.upsert(db, assignment) }
    }

    @discardableResult
    public func saveOffers(_ offers: [StoredOffer], audit events: [AuditEvent]) throws -> [StoredOffer] {
        var saved: [StoredOffer] = []
        _ = try audited(events, table: "offers") { db in saved = try Self.insert(db, offers) }
        return saved
    }

    /// Appends `events` and runs `write` in one transaction, then advances the trail's signed head.
    func audited(_ events: [AuditEvent], table: String, _ write: (Database) throws -> Void) throws -> [AuditEntry] {
        let entries = try guarding { try writeImmediately { db -> [AuditEntry] in
            let entries = events.isEmpty ? [] : try appendTrail(db, events)
            try write(db)
            CrashTestHook.stallBeforeCommit(table)
            return entries
        } }
        if let last = entries.last { try sealer?.didAppend(last) }
        return entries
    }
}
