import UpstreamModel

/// A source record assigned to a linked person, with the probability of the link that put it there
/// (`nil` for the record that anchors the person, or when the assignment came from a clusters file without one).
public struct LinkedRecord: Hashable, Sendable, Codable {
    public var personID: String
    public var record: SourceRecord
    public var matchProbability: Double?
    /// The source's columns kept beside the record (school sessions possible and missed, free school meals).
    public var extras: [String: String]

    public init(personID: String, record: SourceRecord, matchProbability: Double? = nil, extras: [String: String] = [:]) {
        self.personID = personID; self.record = record; self.matchProbability = matchProbability; self.extras = extras
    }
}

/// One dated entry in a person's multi-agency chronology, with where it came from.
public struct ChronologyEntry: Hashable, Sendable, Codable {
    public var date: CivilDate
    public var minuteOfDay: Int?
    /// The person's age in whole years on the date, when a date of birth is known.
    public var age: Int?
    public var agency: Agency
    public var kind: EventKind
    public var role: EventRole?
    public var offenceCode: String?
    public var flags: String
    public var detail: String?
    public var seriousViolence: Bool
    public var source: String
    public var recordID: String
    public var fileName: String
    public var line: Int
    public var matchProbability: Double?

    /// Plain words for practitioners.
    public var summary: String {
        var s = kind.rawValue.replacingUnderscores()
        if let r = role { s += " (\(r.rawValue.replacingUnderscores()))" }
        if let c = offenceCode { s += ", offence \(c)" }
        if !flags.isEmpty { s += " [\(flags)]" }
        if let d = detail, !d.isEmpty { s += ": \(d)" }
        return s
    }
}

/// How a household member relates to the young person, as inferred from the records.
public enum Relationship: String, Sendable, Codable, CaseIterable {
    /// An adult who shared an address with the young person and their surname.
    case parent
    /// An adult who shared an address but not the surname, from some time after the young person's birth.
    case stepParentOrCarer = "step_parent_or_carer"
    case sibling
}

/// A person who lived with the young person, and how that was inferred.
public struct HouseholdMember: Hashable, Sendable, Codable {
    public var personID: String
    public var relationship: Relationship
    public var sex: Sex?
    public var birthYear: Int?
    /// First date the records put them at the same address (or at the same incident).
    public var firstTogether: CivilDate
    public var lastTogether: CivilDate
    public var evidence: String
}

/// An event in the household that is an adverse childhood experience for the young person.
public struct HouseholdACEEvent: Hashable, Sendable, Codable {
    public var date: CivilDate
    public var ace: ACE
    /// The household member it concerns, or `nil` when it is the young person's own record.
    public var memberID: String?
    public var relationship: Relationship?
    public var description: String
    public var agency: Agency
    public var source: String
    public var recordID: String
}

/// An ACE as far as the agencies' records show it: when any agency first recorded it, and which.
public struct ACEFinding: Hashable, Sendable, Codable {
    public var ace: ACE
    public var firstRecorded: CivilDate
    public var agency: Agency
    public var source: String
    public var recordID: String
}

/// One linked young person's life story across agencies, and the household around them.
public struct Chronology: Hashable, Sendable, Codable {
    public var personID: String
    public var pseudonym: String
    public var sex: Sex?
    public var dateOfBirth: CivilDate?
    /// The most frequent small area of the person's records.
    public var area: String?
    public var entries: [ChronologyEntry]
    public var household: [HouseholdMember]
    public var householdEvents: [HouseholdACEEvent]
    public var aces: [ACEFinding]
    /// Contacts per agency before ages 10, 12 and 14 (keys "10", "12", "14").
    public var contactsBefore: [String: [String: Int]]
    public var firstSeriousViolence: ChronologyEntry?
    /// The earliest contact with any agency, and which agency.
    public var earliestContact: ChronologyEntry?
    /// Every record merged into this person, with its link probability, so a practitioner can challenge a link.
    public var mergedRecords: [MergedRecord]
    /// The identity as recorded (only filled when identification is allowed and audited).
    public var identity: [Identity]?

    public struct MergedRecord: Hashable, Sendable, Codable {
        public var source: String
        public var recordID: String
        public var matchProbability: Double?
    }
}

extension String {
    func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
