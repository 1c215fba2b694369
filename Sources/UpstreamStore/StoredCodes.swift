import UpstreamModel

/// The coded columns of a stored record (agency, sex, event kind and role), read back with the same checks by every
/// adapter and every read path: a code the model does not know is ``StoreError/corrupt(_:)`` naming the column, never
/// the value.
public enum StoredCodes {
    /// The record's agency; a missing or unknown code is corrupt.
    public static func agency(_ code: String?) throws -> Agency {
        guard let code, let agency = Agency(rawValue: code) else { throw StoreError.corrupt("records.agency") }
        return agency
    }

    /// The record's sex, nil when not recorded; an unknown code is corrupt.
    public static func sex(_ code: String?) throws -> Sex? {
        guard let code else { return nil }
        guard let sex = Sex(rawValue: code) else { throw StoreError.corrupt("records.sex") }
        return sex
    }

    /// The event's kind and date, nil when the record holds no event; an unknown kind, or a kind without a date, is corrupt.
    public static func event(kind code: String?, date: CivilDate?) throws -> (kind: EventKind, date: CivilDate)? {
        guard let code else { return nil }
        guard let kind = EventKind(rawValue: code), let date else { throw StoreError.corrupt("records.event_kind") }
        return (kind, date)
    }

    /// The person's role in the event, nil when not recorded; an unknown code is corrupt.
    public static func role(_ code: String?) throws -> EventRole? {
        guard let code else { return nil }
        guard let role = EventRole(rawValue: code) else { throw StoreError.corrupt("records.role") }
        return role
    }
}
