import Foundation
import UpstreamChronology
import UpstreamModel

/// A linked record reduced to what the features, the household inference and the outcome read: dates as day
/// numbers, coded columns as enums, and text that is only ever compared (postcode and house number, surname,
/// incident and crime references) as 64-bit hashes. About 80 bytes, against kilobytes for a `LinkedRecord`.
struct CompactRecord: Sendable, Equatable {
    var date: Int32
    var known: Int32
    /// Date of birth as a day number, `Int32.min` when missing or a placeholder before 1900.
    var dob: Int32
    var home: UInt64
    var incident: UInt64
    var crime: UInt64
    var surname: UInt64
    var possible: Int32
    var authorised: Int32
    var unauthorised: Int32
    var flags: CrimeFlags
    var kind: EventKind
    var role: EventRole?
    var agency: Agency
    var sex: Sex?
    var group: OffenceGroup
    var socialCareACE: ACE?
    /// 0 unknown, else 1 + the index in `FeatureMatrix.ethnicGroups`.
    var ethnicity: UInt8
    /// The deprivation decile of the record's postcode, 0 when it has none or the lookup does not know it.
    var decile: UInt8
    var seriousViolence: Bool
    var domestic: Bool
    var assault: Bool
    var hasSessions: Bool
    var freeSchoolMeals: Bool

    static let none = Int32.min

    /// `nil` for a record without an event (the cohort builder ignores those).
    init?(_ l: LinkedRecord, deciles: PostcodeDeciles) {
        var codes = CompactCodes()
        self.init(l, deciles: deciles, codes: &codes)
    }

    /// The same, reading ethnicity codes and event details through `codes`, which remembers what each text gave.
    init?(_ l: LinkedRecord, deciles: PostcodeDeciles, codes: inout CompactCodes) {
        guard let e = l.record.event else { return nil }
        let r = l.record
        date = e.date.dayNumber
        known = e.knownFrom.dayNumber
        dob = r.identity.dateOfBirth.flatMap { $0.year > 1900 ? $0.dayNumber : nil } ?? Self.none
        home = r.identity.home.map(StableHash.of) ?? 0
        incident = e.kind == .incident ? e.reference.map(StableHash.of) ?? 0 : 0
        let suspect = e.role == .suspect || e.role == .offender
        crime = e.kind == .crime && suspect ? e.reference.flatMap { $0.isEmpty ? nil : StableHash.of($0) } ?? 0 : 0
        surname = r.identity.surname.map { StableHash.of($0.uppercased()) } ?? 0
        flags = e.flags
        kind = e.kind
        role = e.role
        agency = r.agency
        sex = r.identity.sex
        group = e.offenceCode.map(OffenceGroup.init(code:)) ?? .other
        let read = codes.detail(e.detail ?? "")
        socialCareACE = r.agency == .socialCare && e.detail != nil ? read.ace : nil
        ethnicity = r.identity.ethnicity.map { codes.ethnicity($0, agency: r.agency) } ?? 0
        decile = deciles.decile(r.identity.postcode)
        seriousViolence = CohortBuilder.isSeriousViolenceOffence(e)
        domestic = read.domestic
        assault = read.assault
        (hasSessions, possible, authorised, unauthorised, freeSchoolMeals) = Self.sessions(kind: e.kind, extras: l.extras)
    }
}

extension CompactRecord {
    /// The compact record of a stored record's feature columns (``FeatureColumns``, bytes in the store's buffers):
    /// the same values as ``init(_:deciles:codes:)`` on that record, made without a string per column. ASCII text,
    /// nearly all of it, is hashed byte by byte (upper-cased in place where the record path upper-cases); any other
    /// text takes the record path's own functions on a string made from it.
    init?(_ c: FeatureColumns, deciles: PostcodeDeciles, codes: inout CompactCodes) {
        guard let (eventKind, eventDate) = c.event else { return nil }
        func string(_ b: UnsafeBufferPointer<UInt8>) -> String { String(decoding: b, as: UTF8.self) }
        date = eventDate.dayNumber
        known = (c.recordedDate.map { Swift.max($0, eventDate) } ?? eventDate).dayNumber
        dob = c.dateOfBirth.flatMap { $0.year > 1900 ? $0.dayNumber : nil } ?? Self.none
        home = Self.homeHash(postcode: c.postcode, address: c.address)
        incident = eventKind == .incident ? c.reference.map { StableHash.of(bytes: $0) ?? StableHash.of(string($0)) } ?? 0 : 0
        let suspect = c.role == .suspect || c.role == .offender
        crime = eventKind == .crime && suspect
            ? c.reference.flatMap { $0.isEmpty ? nil : StableHash.of(bytes: $0) ?? StableHash.of(string($0)) } ?? 0 : 0
        surname = c.surname.map { StableHash.of(upperBytes: $0) ?? StableHash.of(string($0).uppercased()) } ?? 0
        flags = c.flags
        kind = eventKind
        role = c.role
        agency = c.agency
        sex = c.sex
        group = c.offenceCode.map { OffenceGroup(code: string($0)) } ?? .other
        let read = codes.detail(bytes: c.detail)
        socialCareACE = c.agency == .socialCare && c.detail != nil ? read.ace : nil
        ethnicity = c.ethnicity.map { codes.ethnicity(bytes: $0, agency: c.agency) } ?? 0
        decile = deciles.decile(bytes: c.postcode)
        if let code = c.offenceCode, suspect {
            seriousViolence = SeriousViolence.isSerious(code: string(code), flags: c.flags)
        } else {
            seriousViolence = false
        }
        domestic = read.domestic
        assault = read.assault
        (hasSessions, possible, authorised, unauthorised, freeSchoolMeals) = c.extrasJSON.map { Self.sessions(kind: eventKind, json: $0) }
            ?? Self.sessions(kind: eventKind, extras: c.extras)
    }

    /// A school term record's attendance figures from its extras (whether it has them, sessions possible, authorised
    /// and unauthorised absences, free school meals); none for any other record. Both initialisers read them so.
    static func sessions(kind: EventKind, extras: [String: String]) -> (Bool, Int32, Int32, Int32, Bool) {
        guard kind == .termAbsence, let p = Int(extras["SessionsPossible"] ?? "") else { return (false, 0, 0, 0, false) }
        return (true, Int32(clamping: p), Int32(clamping: Int(extras["SessionsAuthorisedAbsence"] ?? "") ?? 0),
                Int32(clamping: Int(extras["SessionsUnauthorisedAbsence"] ?? "") ?? 0),
                ["Y", "YES", "TRUE", "1"].contains((extras["FSM"] ?? "").uppercased()))
    }

    /// ``sessions(kind:extras:)`` of a plain flat object's text (``FlatJSONObject``), its values taken in place.
    static func sessions(kind: EventKind, json: UnsafeBufferPointer<UInt8>) -> (Bool, Int32, Int32, Int32, Bool) {
        guard kind == .termAbsence else { return (false, 0, 0, 0, false) }
        var possible = "", authorised = "", unauthorised = "", fsm = ""
        func named(_ key: Range<Int>, _ name: StaticString) -> Bool {
            key.count == name.utf8CodeUnitCount && memcmp(json.baseAddress! + key.lowerBound, name.utf8Start, key.count) == 0
        }
        FlatJSONObject.forEachPair(json) { key, value in
            let text = { String(decoding: UnsafeBufferPointer(rebasing: json[value]), as: UTF8.self) }
            if named(key, "SessionsPossible") { possible = text() }
            else if named(key, "SessionsAuthorisedAbsence") { authorised = text() }
            else if named(key, "SessionsUnauthorisedAbsence") { unauthorised = text() }
            else if named(key, "FSM") { fsm = text() }
        }
        guard let p = Int(possible) else { return (false, 0, 0, 0, false) }
        return (true, Int32(clamping: p), Int32(clamping: Int(authorised) ?? 0), Int32(clamping: Int(unauthorised) ?? 0),
                ["Y", "YES", "TRUE", "1"].contains(fsm.uppercased()))
    }

    /// `StableHash.of(Identity.home(postcode:address:))`, 0 without a home: byte by byte for ASCII text.
    static func homeHash(postcode: UnsafeBufferPointer<UInt8>?, address: UnsafeBufferPointer<UInt8>?) -> UInt64 {
        guard let pc = postcode, !pc.isEmpty else { return 0 }
        if pc.allSatisfy({ $0 < 0x80 }) {
            var h = StableHash.Running()
            if let address {
                if let number = Identity.asciiHouseNumber(bytes: address) {
                    for b in pc { h.add(StableHash.upper(b)) }
                    if !number.isEmpty {
                        h.add(UInt8(ascii: "#"))
                        for b in address[number] { h.add(b) }
                    }
                    return h.value
                }
            } else {
                for b in pc { h.add(StableHash.upper(b)) }
                return h.value
            }
        }
        let text = { (b: UnsafeBufferPointer<UInt8>) in String(decoding: b, as: UTF8.self) }
        return Identity.home(postcode: text(pc), address: address.map(text)).map(StableHash.of) ?? 0
    }
}

/// What a record's texts that recur across the city (event details, ethnicity codes) give, remembered per text:
/// a force has a few hundred distinct ones against millions of records. Each value is the function of its text
/// alone that `CompactRecord` computed before (one instance per worker; never shared between threads).
struct CompactCodes {
    private var details: [String: (ace: ACE?, domestic: Bool, assault: Bool)] = [:]
    private var ethnicities: [Agency: [String: UInt8]] = [:]

    private var detailBytes = ByteKeyTable<(ace: ACE?, domestic: Bool, assault: Bool)>()
    private var ethnicityBytes = [ByteKeyTable<UInt8>](repeating: ByteKeyTable(), count: Agency.allCases.count)

    /// ``detail(_:)`` of a detail's bytes (`nil`: no detail, read as ""), remembered by the bytes themselves.
    mutating func detail(bytes: UnsafeBufferPointer<UInt8>?) -> (ace: ACE?, domestic: Bool, assault: Bool) {
        guard let bytes else { return detail("") }
        if let known = detailBytes.value(for: bytes) { return known }
        let read = detail(String(decoding: bytes, as: UTF8.self))
        detailBytes.insert(bytes, read)
        return read
    }

    /// ``ethnicity(_:agency:)`` of a code's bytes, remembered by the bytes themselves.
    mutating func ethnicity(bytes: UnsafeBufferPointer<UInt8>, agency: Agency) -> UInt8 {
        let a = Agency.allCases.firstIndex(of: agency)!
        if let known = ethnicityBytes[a].value(for: bytes) { return known }
        let value = ethnicity(String(decoding: bytes, as: UTF8.self), agency: agency)
        ethnicityBytes[a].insert(bytes, value)
        return value
    }

    /// The social care ACE the detail names (if the record is social care's), and whether it says domestic or assault.
    mutating func detail(_ text: String) -> (ace: ACE?, domestic: Bool, assault: Bool) {
        if let known = details[text] { return known }
        let upper = text.uppercased()
        let read = (ace: ACE(socialCareCode: upper), domestic: upper.contains("DOMESTIC"), assault: upper.contains("ASSAULT"))
        details[text] = read
        return read
    }

    /// 0 unknown, else 1 + the index of the code's group in `FeatureMatrix.ethnicGroups`.
    mutating func ethnicity(_ code: String, agency: Agency) -> UInt8 {
        if let known = ethnicities[agency]?[code] { return known }
        let value = EthnicGroups.group(code: code, agency: agency).flatMap { FeatureMatrix.ethnicGroups.firstIndex(of: $0) }
            .map { UInt8($0 + 1) } ?? 0
        ethnicities[agency, default: [:]][code] = value
        return value
    }
}

/// FNV-1a over the UTF-8 bytes: a hash that is the same in every process (Swift's `Hasher` is seeded per process),
/// never 0 (0 means "none"). Two different texts share a hash with probability about 2⁻⁶⁴ per pair: for the few
/// million postcodes, surnames and references of a force, a collision is about one chance in a million.
enum StableHash {
    static func of(_ s: String) -> UInt64 {
        var h = Running()
        for b in s.utf8 { h.add(b) }
        return h.value
    }

    /// The hash of the string these bytes make, when they are ASCII (so the string's UTF-8 is these bytes); nil
    /// otherwise (the caller makes the string: decoding repairs invalid UTF-8).
    static func of(bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var h = Running()
        for b in bytes {
            if b >= 0x80 { return nil }
            h.add(b)
        }
        return h.value
    }

    /// `of(string.uppercased())` for ASCII bytes (Swift upper-cases ASCII letters alone); nil otherwise.
    static func of(upperBytes bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var h = Running()
        for b in bytes {
            if b >= 0x80 { return nil }
            h.add(upper(b))
        }
        return h.value
    }

    /// The hash of any bytes, as they are (a cache key, not a text's hash).
    static func of(anyBytes bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = Running()
        for b in bytes { h.add(b) }
        return h.value
    }

    /// Whether a string's UTF-8 is these bytes (one `memcmp`; the generic comparison was 3% of a scan).
    static func same(_ s: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { a in
            a.count == bytes.count && (a.count == 0 || memcmp(a.baseAddress!, bytes.baseAddress!, a.count) == 0)
        } ?? s.utf8.elementsEqual(bytes)
    }

    static func upper(_ b: UInt8) -> UInt8 { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") ? b - 32 : b }

    /// FNV-1a fed a byte at a time.
    struct Running {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        mutating func add(_ b: UInt8) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        var value: UInt64 { h == 0 ? 1 : h }
    }
}
