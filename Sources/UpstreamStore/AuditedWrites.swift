/// A store that appends audit entries and saves the review decision they record in one transaction: a crash or a
/// throw leaves both or neither, so the trail never names a decision that was not saved, and no decision is saved
/// without its entry.
///
/// The SQLite and PostgreSQL stores conform. A caller holding a store that does not (the in-memory store, whose
/// writes cannot be cut by a crash) appends the entries first and then saves.
public protocol AuditedReviewWrites: Sendable {
    /// Appends `audit` to the trail and saves `items` (as ``PersonStore/saveReviewItems(_:)``), in one transaction.
    /// - Returns: the appended entries.
    @discardableResult
    func saveReviewItems(_ items: [StoredReviewItem], audit: [AuditEvent]) throws -> [AuditEntry]
}

/// A store that keeps users and caseloads beside its audit trail, and appends the entries that record a change to
/// them in the same transaction as the change (both or neither after a crash).
///
/// The SQLite store conforms (its `users` and `case_assignments` tables live beside `audit_trail`).
public protocol AuditedUserWrites: Sendable {
    /// Appends `audit` and saves `user` (as ``UserStore/saveUser(_:)``), in one transaction.
    @discardableResult
    func saveUser(_ user: StoredUser, audit: [AuditEvent]) throws -> [AuditEntry]
    /// Appends `audit` and records `assignment` (as ``UserStore/assign(_:)``), in one transaction.
    @discardableResult
    func assign(_ assignment: CaseAssignment, audit: [AuditEvent]) throws -> [AuditEntry]
}

/// A store that saves a plan's offers and the audit entry that records the plan in one transaction: a crash or a
/// throw leaves both or neither, so no plan's offers wait in the review queue unaudited.
///
/// The SQLite and PostgreSQL stores conform. A caller holding a store that does not (the in-memory store) saves the
/// offers and then appends the entries.
public protocol AuditedOfferWrites: Sendable {
    /// Appends `audit` to the trail and saves `offers` (as ``PersonStore/saveOffers(_:)``), in one transaction.
    /// - Returns: the offers as saved, with their ids.
    @discardableResult
    func saveOffers(_ offers: [StoredOffer], audit: [AuditEvent]) throws -> [StoredOffer]
}
