/// The identity attributes that one agency's row states about one person.
///
/// Every field is optional: agencies hold different identifiers, and a value
/// that fails validation is kept as text but not trusted (see `nhsNumberValid`).
public struct Identity: Hashable, Sendable, Codable {
    public var forename: String?
    public var middleNames: String?
    public var surname: String?
    public var dateOfBirth: CivilDate?
    public var sex: Sex?
    public var postcode: String?
    /// The address lines as the agency holds them (house number or name, flat, street, locality, town), joined
    /// with ", " and without the postcode; free text, compared by linkage after standardisation.
    public var address: String?
    public var ethnicity: String?
    public var nhsNumber: String?
    /// Whether `nhsNumber` carries a valid check digit; an invalid one is kept for review but never used as an identifier.
    public var nhsNumberValid: Bool?
    public var upn: String?
    public var pncID: String?
    /// The agency's own id for the person (case number, child id, client id).
    public var localID: String?

    public init(
        forename: String? = nil, middleNames: String? = nil, surname: String? = nil, dateOfBirth: CivilDate? = nil,
        sex: Sex? = nil, postcode: String? = nil, ethnicity: String? = nil, nhsNumber: String? = nil,
        nhsNumberValid: Bool? = nil, upn: String? = nil, pncID: String? = nil, localID: String? = nil,
        address: String? = nil
    ) {
        self.forename = forename; self.middleNames = middleNames; self.surname = surname
        self.dateOfBirth = dateOfBirth; self.sex = sex; self.postcode = postcode; self.ethnicity = ethnicity
        self.nhsNumber = nhsNumber; self.nhsNumberValid = nhsNumberValid; self.upn = upn; self.pncID = pncID
        self.localID = localID; self.address = address
    }
}

/// What an agency's row records happening: dated, of a kind, with the person's role.
public struct Event: Hashable, Sendable, Codable {
    public var kind: EventKind
    public var date: CivilDate
    /// Minutes after midnight, when the agency records a time.
    public var minuteOfDay: Int?
    public var endDate: CivilDate?
    public var role: EventRole?
    /// Small-area code of where it happened.
    public var area: String?
    /// Home Office offence classification code, for crimes.
    public var offenceCode: String?
    public var flags: CrimeFlags
    /// A short coded detail (referral reason, plan category, disposal, injury mechanism).
    public var detail: String?
    /// The agency's reference for the event, shared by the rows of the same event (a crime reference).
    public var reference: String?
    /// The day the agency entered the record into its system, when the extract says; on or after `date` for most
    /// records (a crime reported late, a census return filed after the term). `nil` when the extract has no such
    /// column. Anything "known as of" a day must use ``knownFrom``, never `date` alone.
    public var recordedDate: CivilDate?

    /// The first day on which the record existed in the agency's system: `recordedDate` when given, else `date`.
    public var knownFrom: CivilDate { recordedDate.map { Swift.max($0, date) } ?? date }

    public init(
        kind: EventKind, date: CivilDate, minuteOfDay: Int? = nil, endDate: CivilDate? = nil, role: EventRole? = nil,
        area: String? = nil, offenceCode: String? = nil, flags: CrimeFlags = [], detail: String? = nil,
        reference: String? = nil, recordedDate: CivilDate? = nil
    ) {
        self.kind = kind; self.date = date; self.minuteOfDay = minuteOfDay; self.endDate = endDate; self.role = role
        self.area = area; self.offenceCode = offenceCode; self.flags = flags; self.detail = detail
        self.reference = reference; self.recordedDate = recordedDate
    }
}

/// Where a stored record came from: which source, which file (by content hash), which line, and when it was loaded.
public struct Provenance: Hashable, Sendable, Codable {
    public var source: String
    public var fileName: String
    public var fileSHA256: String
    public var line: Int
    /// Seconds since 1970-01-01 UTC.
    public var loadedAt: Int64

    public init(source: String, fileName: String, fileSHA256: String, line: Int, loadedAt: Int64) {
        self.source = source; self.fileName = fileName; self.fileSHA256 = fileSHA256; self.line = line
        self.loadedAt = loadedAt
    }
}

/// One agency's row about one person: who (identity), what (event), and where the row came from.
///
/// `source` and `recordID` together identify the row; for a synthetic city they are
/// exactly the `source,record_id` of `truth/records.csv`.
public struct SourceRecord: Hashable, Sendable, Codable {
    public var source: String
    public var recordID: String
    public var agency: Agency
    public var identity: Identity
    public var event: Event?
    public var provenance: Provenance

    public init(source: String, recordID: String, agency: Agency, identity: Identity, event: Event?, provenance: Provenance) {
        self.source = source; self.recordID = recordID; self.agency = agency; self.identity = identity
        self.event = event; self.provenance = provenance
    }
}

extension Identity {
    /// Where the record says the person lives: the postcode, narrowed to the house number when the record has an
    /// address (a postcode unit covers a dozen or so homes, so the postcode alone puts neighbours together); nil
    /// without a postcode. The household inference (`ChronologyBuilder`), the risk features and the stores' household
    /// reads compare homes by this key.
    public var home: String? { Self.home(postcode: postcode, address: address) }

    /// ``home`` of a record with this postcode and address, without making an ``Identity`` (the stores' household
    /// reads test every record at a postcode). ASCII text, nearly every record, is read byte by byte without copies;
    /// anything else goes through Unicode's upper case and digits, with the same result for ASCII.
    public static func home(postcode pc: String?, address: String?) -> String? {
        guard let pc, !pc.isEmpty else { return nil }
        guard let address else { return pc.uppercased() }
        if let fast = asciiHouseNumber(address) { return fast.isEmpty ? pc.uppercased() : pc.uppercased() + "#" + fast }
        return unicodeHome(postcode: pc, address: address)
    }

    /// ``home(postcode:address:)`` by Unicode's upper case and digits for any text (the ASCII path must agree with
    /// it: property-tested).
    static func unicodeHome(postcode pc: String, address: String) -> String {
        var previous = ""
        for token in address.uppercased().split(whereSeparator: { $0 == " " || $0 == "," }) {
            if token.allSatisfy(\.isNumber) && previous != "FLAT" { return pc.uppercased() + "#" + token }
            previous = String(token)
        }
        return pc.uppercased()
    }

    /// The first all-digit token of an ASCII address not preceded by FLAT (in any case), "" when there is none, or
    /// nil when the address is not ASCII (then Unicode's rules decide).
    static func asciiHouseNumber(_ address: String) -> String? {
        var address = address
        return address.withUTF8 { bytes -> String? in
            asciiHouseNumber(bytes: bytes).map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }
    }

    /// ``asciiHouseNumber(_:)`` over an address's UTF-8 bytes: where the number is (an empty range when there is
    /// none), or nil when the address is not ASCII.
    public static func asciiHouseNumber(bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let space = UInt8(ascii: " "), comma = UInt8(ascii: ",")
        // Any non-ASCII byte, anywhere: a combining mark after a space joins it into one Character, so even the
        // tokens before it are Unicode's business.
        for b in bytes where b >= 0x80 { return nil }
        var i = 0, previousWasFlat = false
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == space || b == comma { i += 1; continue }
            let start = i
            var digits = true
            while i < n, bytes[i] != space, bytes[i] != comma {
                let c = bytes[i]
                if c < UInt8(ascii: "0") || c > UInt8(ascii: "9") { digits = false }
                i += 1
            }
            if digits && !previousWasFlat { return start..<i }
            previousWasFlat = i - start == 4 && (bytes[start] | 0x20) == UInt8(ascii: "f") && (bytes[start + 1] | 0x20) == UInt8(ascii: "l")
                && (bytes[start + 2] | 0x20) == UInt8(ascii: "a") && (bytes[start + 3] | 0x20) == UInt8(ascii: "t")
        }
        return 0..<0
    }
}
