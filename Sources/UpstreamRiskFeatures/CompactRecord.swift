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
    init?(_ l: LinkedRecord, deciles: [String: Int]) {
        var codes = CompactCodes()
        self.init(l, deciles: deciles, codes: &codes)
    }

    /// The same, reading ethnicity codes and event details through `codes`, which remembers what each text gave.
    init?(_ l: LinkedRecord, deciles: [String: Int], codes: inout CompactCodes) {
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
        if let pc = r.identity.postcode, !pc.isEmpty, let d = deciles[pc.uppercased()] { decile = UInt8(clamping: d) } else { decile = 0 }
        seriousViolence = CohortBuilder.isSeriousViolenceOffence(e)
        domestic = read.domestic
        assault = read.assault
        if e.kind == .termAbsence, let p = Int(l.extras["SessionsPossible"] ?? "") {
            hasSessions = true
            possible = Int32(clamping: p)
            authorised = Int32(clamping: Int(l.extras["SessionsAuthorisedAbsence"] ?? "") ?? 0)
            unauthorised = Int32(clamping: Int(l.extras["SessionsUnauthorisedAbsence"] ?? "") ?? 0)
            freeSchoolMeals = ["Y", "YES", "TRUE", "1"].contains((l.extras["FSM"] ?? "").uppercased())
        } else {
            hasSessions = false; possible = 0; authorised = 0; unauthorised = 0; freeSchoolMeals = false
        }
    }
}

/// What a record's texts that recur across the city (event details, ethnicity codes) give, remembered per text:
/// a force has a few hundred distinct ones against millions of records. Each value is the function of its text
/// alone that `CompactRecord` computed before (one instance per worker; never shared between threads).
struct CompactCodes {
    private var details: [String: (ace: ACE?, domestic: Bool, assault: Bool)] = [:]
    private var ethnicities: [Agency: [String: UInt8]] = [:]

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
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h == 0 ? 1 : h
    }
}
