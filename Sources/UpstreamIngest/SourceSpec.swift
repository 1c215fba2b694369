import UpstreamModel
import UpstreamStore

/// A declarative description of one agency's extract: its format, how its columns map to the
/// canonical model, and the terms on which it is held (owner, legal basis, retention).
///
/// Specs are written in YAML (see `docs/sources.md`) and read by ``SpecLoader``.
public struct SourceSpec: Sendable, Hashable {
    /// A column of the extract named by the spec, with where in the spec it was named.
    public struct Column: Sendable, Hashable {
        public var name: String
        /// The spec field that names it, e.g. `identity.date_of_birth`.
        public var field: String
        /// The spec line naming it.
        public var line: Int?
        public init(_ name: String, field: String, line: Int? = nil) { self.name = name; self.field = field; self.line = line }
    }

    /// A date column and how it is written.
    public struct DateField: Sendable, Hashable {
        /// Whether the date is followed by a time of day.
        public enum Time: String, Sendable, Hashable { case none = "", hm = " HH:MM", hms = " HH:MM:SS" }
        public var column: Column
        public var layout: CivilDate.Layout
        public var time: Time
        /// Values that mean "unknown" (such as `01/01/1900`): stored as missing and flagged, not quarantined.
        public var placeholders: Set<String>
        /// Whether a date after the load date is plausible (planned release dates, plan review dates).
        public var allowFuture: Bool
    }

    /// A coded column (or a constant) and how its codes map to the model; a code mapped to `nil` means missing.
    public struct Coded<Value: Sendable & Hashable>: Sendable, Hashable {
        public var constant: Value?
        public var column: Column?
        public var map: [String: Value?]
    }

    /// How a single full-name field is written.
    public enum NameLayout: String, Sendable, Hashable, CaseIterable {
        /// `JOHN PAUL SMITH`: first word forename, last word surname, words between middle names.
        case forenameSurname = "FORENAME SURNAME"
        /// `SMITH, John Paul`: surname before the comma, then forename and middle names.
        case surnameCommaForename = "SURNAME, FORENAME"
    }

    /// File format.
    public enum Format: Sendable, Hashable {
        case csv(delimiter: UInt8)
        case jsonLines
    }

    /// Character encoding of the file.
    public enum Encoding: String, Sendable, Hashable, CaseIterable {
        case utf8 = "utf-8"
        /// Windows code page 1252 (a superset of Latin-1), as older Windows systems export.
        case windows1252 = "windows-1252"
    }

    public struct IdentityMapping: Sendable, Hashable {
        public var fullName: (column: Column, layout: NameLayout)?
        public var forename: Column?
        /// Forename and middle names in one field, space separated.
        public var forenames: Column?
        public var middleNames: Column?
        public var surname: Column?
        public var dateOfBirth: DateField?
        public var sex: Coded<Sex>?
        public var postcode: Column?
        /// Address line columns, joined with ", " (empty lines skipped) into the identity's address.
        public var address: [Column] = []
        public var ethnicity: Column?
        public var nhsNumber: Column?
        public var upn: Column?
        public var pncID: Column?
        public var localID: Column?

        public static func == (a: Self, b: Self) -> Bool {
            a.fullName?.column == b.fullName?.column && a.fullName?.layout == b.fullName?.layout && a.forename == b.forename
                && a.forenames == b.forenames && a.middleNames == b.middleNames && a.surname == b.surname
                && a.dateOfBirth == b.dateOfBirth && a.sex == b.sex && a.postcode == b.postcode && a.ethnicity == b.ethnicity
                && a.nhsNumber == b.nhsNumber && a.upn == b.upn && a.pncID == b.pncID && a.localID == b.localID
                && a.address == b.address
        }

        public func hash(into h: inout Hasher) {
            h.combine(fullName?.column); h.combine(surname); h.combine(forename); h.combine(dateOfBirth)
        }
    }

    public struct EventMapping: Sendable, Hashable {
        public var kind: Coded<EventKind>
        public var date: DateField
        public var endDate: DateField?
        public var role: Coded<EventRole>?
        public var area: Column?
        public var offenceCode: Column?
        public var flags: Column?
        /// Columns joined with `/` into the event's coded detail.
        public var detail: [Column]
        public var reference: Column?
        /// When the agency entered the record (see `Event.recordedDate`).
        public var recordedDate: DateField? = nil
    }

    /// The spec file this came from.
    public var path: String
    /// The source's name, used in provenance and as `source` in the truth of a synthetic city.
    public var name: String
    public var agency: Agency
    public var description: String
    public var owner: String
    public var legalBasis: String
    public var retention: RetentionPolicy
    public var format: Format
    public var encoding: Encoding
    public var recordID: Column
    public var personLevel: Bool
    public var identity: IdentityMapping
    public var event: EventMapping?
    /// Columns kept verbatim alongside the record.
    public var extras: [Column]
    /// Columns that must not be empty.
    public var required: [Column]
    /// The SHA-256 of the spec's text (hex), recorded with each delivery read under it: the same file read
    /// again under a changed spec is a new delivery. Empty for specs built in code.
    public var sha256: String = ""

    /// What the store keeps about the source.
    public var sourceInfo: SourceInfo {
        SourceInfo(name: name, agency: agency, owner: owner, legalBasis: legalBasis, retention: retention)
    }

    /// Every column the spec names, in the order it names them (duplicates included).
    public var columns: [Column] {
        var out: [Column] = [recordID]
        let i = identity
        if let f = i.fullName { out.append(f.column) }
        out += [i.forename, i.forenames, i.middleNames, i.surname].compactMap { $0 }
        if let d = i.dateOfBirth { out.append(d.column) }
        if let c = i.sex?.column { out.append(c) }
        out += [i.postcode, i.ethnicity, i.nhsNumber, i.upn, i.pncID, i.localID].compactMap { $0 }
        out += i.address
        if let e = event {
            if let c = e.kind.column { out.append(c) }
            out.append(e.date.column)
            if let d = e.endDate { out.append(d.column) }
            if let d = e.recordedDate { out.append(d.column) }
            if let c = e.role?.column { out.append(c) }
            out += [e.area, e.offenceCode, e.flags, e.reference].compactMap { $0 }
            out += e.detail
        }
        return out + extras + required
    }
}
