import UpstreamModel
import UpstreamStore

/// A row that could not be mapped, with the reason and the spec field or column concerned.
public struct Rejection: Sendable, Hashable, Error {
    public var reason: QuarantineReason
    public var field: String?
    public init(_ reason: QuarantineReason, _ field: String?) { self.reason = reason; self.field = field }
}

/// A ``SourceSpec`` compiled against one file's columns: turns a row's values into a ``StoredRecord``.
///
/// Values are read into numbered slots, one per distinct column the spec names; ``slotColumns`` says which.
public struct RowMapper: Sendable {
    public let spec: SourceSpec
    /// The column each slot holds, in slot order.
    public let slotColumns: [String]
    let today: CivilDate
    static let earliest = CivilDate(year: 1900, month: 1, day: 1)!

    // Slots of each mapped field (-1 when unmapped).
    let recordID: Int
    let fullName: Int, forename: Int, forenames: Int, middleNames: Int, surname: Int
    let dob: Int, sex: Int, postcode: Int, ethnicity: Int, nhs: Int, upn: Int, pnc: Int, localID: Int
    let kind: Int, date: Int, endDate: Int, role: Int, area: Int, offence: Int, flags: Int, reference: Int
    let detail: [Int]
    let address: [Int]
    let recordedDate: Int
    let extras: [(name: String, slot: Int)]
    let required: [(name: String, slot: Int)]

    /// - Parameters:
    ///   - spec: the source's spec.
    ///   - today: the load date; later dates are implausible unless the spec allows them.
    public init(spec: SourceSpec, today: CivilDate) {
        self.spec = spec
        self.today = today
        var names: [String] = []
        var index: [String: Int] = [:]
        func slot(_ c: SourceSpec.Column?) -> Int {
            guard let c else { return -1 }
            if let i = index[c.name] { return i }
            index[c.name] = names.count
            names.append(c.name)
            return names.count - 1
        }
        let i = spec.identity
        recordID = slot(spec.recordID)
        fullName = slot(i.fullName?.column); forename = slot(i.forename); forenames = slot(i.forenames)
        middleNames = slot(i.middleNames); surname = slot(i.surname); dob = slot(i.dateOfBirth?.column)
        sex = slot(i.sex?.column); postcode = slot(i.postcode); ethnicity = slot(i.ethnicity); nhs = slot(i.nhsNumber)
        upn = slot(i.upn); pnc = slot(i.pncID); localID = slot(i.localID)
        let e = spec.event
        kind = slot(e?.kind.column); date = slot(e?.date.column); endDate = slot(e?.endDate?.column); role = slot(e?.role?.column)
        area = slot(e?.area); offence = slot(e?.offenceCode); flags = slot(e?.flags); reference = slot(e?.reference)
        detail = (e?.detail ?? []).map { slot($0) }
        address = i.address.map { slot($0) }
        recordedDate = slot(e?.recordedDate?.column)
        extras = spec.extras.map { ($0.name, slot($0)) }
        required = spec.required.map { ($0.name, slot($0)) }
        slotColumns = names
    }

    /// Maps one row.
    /// - Parameters:
    ///   - values: the row's value for each slot, already trimmed of surrounding spaces.
    ///   - provenance: where the row came from.
    /// - Returns: the record, or why it cannot be loaded.
    public func map(_ values: [String], provenance: Provenance) -> Result<StoredRecord, Rejection> {
        do {
            return .success(try mapOrThrow(values, provenance: provenance))
        } catch {
            return .failure(error)
        }
    }

    func mapOrThrow(_ v: [String], provenance: Provenance) throws(Rejection) -> StoredRecord {
        func get(_ s: Int) -> String? { s >= 0 && !v[s].isEmpty ? v[s] : nil }
        guard let id = get(recordID) else { throw Rejection(.missingRecordID, spec.recordID.name) }
        for r in required where get(r.slot) == nil { throw Rejection(.missingValue, r.name) }

        var identity = Identity()
        var flagsOut = RecordFlags()
        let i = spec.identity
        if let full = get(fullName), let layout = i.fullName?.layout {
            (identity.forename, identity.middleNames, identity.surname) = Self.splitName(full, layout)
        }
        if let f = get(forenames) {
            let words = f.split(whereSeparator: { $0 == " " })
            identity.forename = words.first.map(String.init)
            if words.count > 1 { identity.middleNames = words.dropFirst().joined(separator: " ") }
        }
        if let f = get(forename) { identity.forename = f }
        if let m = get(middleNames) { identity.middleNames = m }
        if let s = get(surname) { identity.surname = s }
        if let d = i.dateOfBirth, let text = get(dob) {
            if d.placeholders.contains(text) {
                flagsOut.insert(.dateOfBirthPlaceholder)
            } else {
                identity.dateOfBirth = try parseDate(text, d).date
            }
        }
        if let coded = i.sex, let code = get(sex) { identity.sex = try lookup(code, coded) }
        identity.postcode = get(postcode)
        if !address.isEmpty {
            let lines = address.compactMap { get($0) }
            if !lines.isEmpty { identity.address = lines.joined(separator: ", ") }
        }
        identity.ethnicity = get(ethnicity)
        if let n = get(nhs) {
            let digits = n.utf8.allSatisfy { $0 == 32 || ($0 >= 48 && $0 <= 57) } ? n.filter { $0 != " " } : n
            identity.nhsNumber = digits
            identity.nhsNumberValid = NHSNumber.isValid(digits)
            if identity.nhsNumberValid == false { flagsOut.insert(.nhsNumberInvalid) }
        }
        if let u = get(upn) {
            identity.upn = u
            if !UniquePupilNumber.isValid(u) { flagsOut.insert(.upnInvalid) }
        }
        identity.pncID = get(pnc)
        identity.localID = get(localID)

        var event: Event?
        if let e = spec.event {
            let kindValue: EventKind?
            if let c = e.kind.constant {
                kindValue = c
            } else if let code = get(kind) {
                kindValue = try lookup(code, e.kind)
            } else {
                throw Rejection(.missingValue, e.kind.column?.name)
            }
            if let kindValue {
                guard let dateText = get(date) else { throw Rejection(.missingValue, e.date.column.name) }
                let (day, minute) = try parseDate(dateText, e.date)
                var ev = Event(kind: kindValue, date: day, minuteOfDay: minute)
                if let ed = e.endDate, let t = get(endDate), !ed.placeholders.contains(t) {
                    ev.endDate = try parseDate(t, ed).date
                }
                if let rd = e.recordedDate, let t = get(recordedDate), !rd.placeholders.contains(t) {
                    ev.recordedDate = try parseDate(t, rd).date
                }
                if let r = e.role {
                    if let c = r.constant { ev.role = c } else if let code = get(role) { ev.role = try lookup(code, r) }
                }
                ev.area = get(area)
                ev.offenceCode = get(offence)
                if let f = get(flags) {
                    guard let cf = CrimeFlags(code: f) else { throw Rejection(.unknownCode, e.flags?.name) }
                    ev.flags = cf
                }
                ev.reference = get(reference)
                if !detail.isEmpty {
                    let parts = detail.compactMap { get($0) }
                    if !parts.isEmpty { ev.detail = parts.joined(separator: "/") }
                }
                event = ev
            }
        }

        var extraValues: [String: String] = [:]
        for x in extras { if let value = get(x.slot) { extraValues[x.name] = value } }
        let record = SourceRecord(source: spec.name, recordID: id, agency: spec.agency, identity: identity, event: event,
                                  provenance: provenance)
        return StoredRecord(record: record, personLevel: spec.personLevel, flags: flagsOut, extras: extraValues)
    }

    func lookup<V>(_ code: String, _ coded: SourceSpec.Coded<V>) throws(Rejection) -> V? {
        if let hit = coded.map[code] { return hit }
        if let hit = coded.map[code.uppercased()] { return hit }
        throw Rejection(.unknownCode, coded.column?.name)
    }

    /// Parses a date (and time, when the format has one) and checks that it is plausible.
    func parseDate(_ text: String, _ f: SourceSpec.DateField) throws(Rejection) -> (date: CivilDate, minute: Int?) {
        let u = text.utf8
        let dateLength = f.layout == .compact ? 8 : (f.layout == .dmonYDash ? 11 : 10)
        guard u.count >= dateLength else { throw Rejection(.invalidDate, f.column.name) }
        let cut = u.index(u.startIndex, offsetBy: dateLength)
        guard let day = CivilDate.parse(text[..<cut], layout: f.layout) else { throw Rejection(.invalidDate, f.column.name) }
        var minute: Int?
        let rest = Array(u[cut...])
        if !rest.isEmpty {
            // " HH:MM" or " HH:MM:SS", only when the format has a time.
            guard f.time != .none, rest.count == 6 || rest.count == 9, rest[0] == 32, rest[3] == 58 else {
                throw Rejection(.invalidDate, f.column.name)
            }
            func two(_ i: Int) -> Int? {
                guard (48...57).contains(rest[i]), (48...57).contains(rest[i + 1]) else { return nil }
                return Int(rest[i] - 48) * 10 + Int(rest[i + 1] - 48)
            }
            guard let h = two(1), let m = two(4), h < 24, m < 60 else { throw Rejection(.invalidDate, f.column.name) }
            if rest.count == 9 { guard rest[6] == 58, let s = two(7), s < 60 else { throw Rejection(.invalidDate, f.column.name) } }
            minute = h * 60 + m
        }
        guard day >= Self.earliest, f.allowFuture || day <= today else { throw Rejection(.implausibleDate, f.column.name) }
        return (day, minute)
    }

    /// Splits a full name written in `layout` into forename, middle names and surname.
    public static func splitName(_ full: String, _ layout: SourceSpec.NameLayout) -> (String?, String?, String?) {
        func words(_ s: Substring) -> [Substring] { s.split(whereSeparator: { $0 == " " }) }
        switch layout {
        case .forenameSurname:
            let w = words(full[...])
            if w.isEmpty { return (nil, nil, nil) }
            if w.count == 1 { return (nil, nil, String(w[0])) }
            let middle = w.count > 2 ? w[1..<(w.count - 1)].joined(separator: " ") : nil
            return (String(w[0]), middle, String(w[w.count - 1]))
        case .surnameCommaForename:
            guard let comma = full.firstIndex(of: ",") else {
                let s = full.trimmingSpaces()
                return (nil, nil, s.isEmpty ? nil : s)
            }
            let sur = full[..<comma].trimmingSpaces()
            let w = words(full[full.index(after: comma)...])
            let middle = w.count > 1 ? w.dropFirst().joined(separator: " ") : nil
            return (w.first.map(String.init), middle, sur.isEmpty ? nil : sur)
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let u = Array(utf8)
        guard let first = u.first, let last = u.last else { return "" }
        if first != 32, first != 9, last != 32, last != 9 { return String(self) }
        var s = 0, e = u.count
        while s < e, u[s] == 32 || u[s] == 9 { s += 1 }
        while e > s, u[e - 1] == 32 || u[e - 1] == 9 { e -= 1 }
        return String(decoding: u[s..<e], as: UTF8.self)
    }
}
