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

/// The one audited save of the review queues and the plan's offers, for any store: in one transaction when the store
/// can (``AuditedReviewWrites``, ``AuditedOfferWrites``), otherwise (the in-memory store) in the order that never
/// leaves a decision without its entry.
extension PersonStore where Self: RecordStore {
    /// Appends `audit` and saves `items`: in one transaction when the store is ``AuditedReviewWrites`` (both or
    /// neither after a crash), otherwise the entries first, then the items (an entry without its change, never the
    /// reverse).
    /// - Returns: the appended entries.
    @discardableResult
    public func saveReviewItems(_ items: [StoredReviewItem], audit: [AuditEvent]) throws -> [AuditEntry] {
        if let audited = self as? any AuditedReviewWrites { return try audited.saveReviewItems(items, audit: audit) }
        let entries = audit.isEmpty ? [] : try appendAudit(audit)
        try saveReviewItems(items)
        return entries
    }

    /// Saves `offers` and appends `audit`: in one transaction when the store is ``AuditedOfferWrites`` (both or
    /// neither after a crash), otherwise the offers first, then the entries.
    /// - Returns: the offers as saved, with their ids.
    @discardableResult
    public func saveOffers(_ offers: [StoredOffer], audit: [AuditEvent]) throws -> [StoredOffer] {
        if let audited = self as? any AuditedOfferWrites { return try audited.saveOffers(offers, audit: audit) }
        let saved = offers.isEmpty ? [] : try saveOffers(offers)
        if !audit.isEmpty { _ = try appendAudit(audit) }
        return saved
    }
}
