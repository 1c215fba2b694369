import UpstreamModel

/// An identity as one agency recorded it on one day: the true identity passed through the noise model.
struct RecordedIdentity {
    var forename: String
    var middle: String
    var surname: String
    /// `nil` when missing.
    var dob: CivilDate?
    /// True when the agency wrote a placeholder date (01/01/1900) instead of the real one.
    var placeholderDOB = false
    var sex: Sex
    var postcode: String
    var address: RecordedAddress
    var nhs: String
    /// Index into `EthnicityCodes.detailed`, or -1 when not stated.
    var ethnicity: Int8
    /// The five-way group as an officer would see it (police nominals).
    var officerEthnicity: String
    /// Errors in this record, as (field, kind), for `truth/identifier_errors.csv`.
    var errors: [(String, String)] = []

    func dobText(_ layout: CivilDate.Layout) -> String {
        if placeholderDOB { return CivilDate(year: 1900, month: 1, day: 1)!.format(layout) }
        return dob?.format(layout) ?? ""
    }

    var dfeEthnicity: String {
        ethnicity < 0 ? "NOBT" : EthnicityCodes.detailed[Int(ethnicity)].2
    }

    var selfDefinedEthnicity: String {
        ethnicity < 0 ? "NS" : EthnicityCodes.detailed[Int(ethnicity)].1
    }

    func title(_ s: String) -> String {
        var out = ""
        var up = true
        for c in s {
            out += up ? String(c).uppercased() : String(c).lowercased()
            up = c == " " || c == "-" || c == "'"
        }
        return out
    }

    /// The address lines in upper case (police and justice systems) or as recorded.
    func addressLines(upper: Bool) -> [String] { upper ? address.lines.map { $0.uppercased() } : address.lines }
}

/// The identifier noise model: how agencies' records come to differ from a person's true details.
struct NoiseModel {
    let noise: SynthConfig.Noise
    let book: IdentifierBook
    let areas: [Area]

    func surname(of p: Person, on date: CivilDate, _ rng: inout SeededRandom) -> String {
        if !p.laterSurname.isEmpty && date >= p.surnameChangeDate && rng.chance(noise.surnameChange) { return p.laterSurname }
        return p.surname
    }

    static func typo(_ s: String, _ rng: inout SeededRandom) -> String {
        var c = Array(s)
        guard c.count >= 3 else { return s }
        let i = rng.int(in: 1...(c.count - 2))
        let alphabet = Array("ABCDEFGHIJKLMNOPRSTUWY")
        switch rng.below(4) {
        case 0: c[i] = alphabet[rng.below(alphabet.count)]
        case 1: c.swapAt(i, i + 1)
        case 2: c.remove(at: i)
        default: c.insert(c[i], at: i)
        }
        return String(c)
    }

    /// A ten-digit number with one digit changed or two adjacent digits swapped: the modulus-11 check then fails.
    static func mistyped(_ digits: String, _ rng: inout SeededRandom) -> String {
        var c = Array(digits.utf8)
        guard c.count >= 3 else { return digits }
        let i = rng.below(c.count - 1)
        if rng.chance(0.5) && c[i] != c[i + 1] {
            c.swapAt(i, i + 1)
        } else {
            let old = c[i]
            repeat { c[i] = UInt8(48 + rng.below(10)) } while c[i] == old
        }
        return String(decoding: c, as: UTF8.self)
    }

    /// Canonical address lines (title case): premises, number and street, locality, town.
    func lines(_ a: Address) -> [String] {
        let area = areas[Int(a.area)]
        let street = area.streets[Int(a.street)]
        var premises = ""
        let road = String(a.number) + " " + street
        if a.houseName >= 0 { premises = AddressNames.houseNames[Int(a.houseName)] }
        if a.flat > 0 { premises = "Flat " + String(a.flat) }
        return [premises, road, area.locality, area.town]
    }

    func postcode(_ a: Address) -> String { areas[Int(a.area)].units[Int(a.unit)] }

    /// The address as one agency writes it: abbreviations, a missing flat, locality or town, a typo in the street.
    func recordAddress(_ a: Address, multiplier m: Double, _ rng: inout SeededRandom, _ errors: inout [(String, String)]) -> [String] {
        var l = lines(a)
        if rng.chance(noise.addressAbbreviated) {
            let parts = l[1].split(separator: " ", maxSplits: 1)
            if parts.count == 2 { l[1] = parts[0] + " " + AddressNames.abbreviated(String(parts[1])) }
        }
        if a.flat > 0 {
            if rng.chance(noise.addressFlatDropped * m) { l[0] = ""; errors.append(("address", "flat_missing")) }
            else if rng.chance(0.3) { l[1] = l[0] + " " + l[1]; l[0] = "" }   // "Flat 3 27 High Street" on one line
        }
        if rng.chance(noise.addressTypo * m) {
            l[1] = String(NoiseModel.typo(l[1].uppercased(), &rng)).lowercased().capitalisedWords
            errors.append(("address", "typo"))
        }
        if rng.chance(noise.addressLocalityMissing) { l[2] = "" }
        if rng.chance(noise.addressTownMissing) { l[3] = "" }
        return l
    }

    func observe(_ p: Person, household: Household, agency: Agency, on date: CivilDate, _ rng: inout SeededRandom,
                 people: [Person]) -> RecordedIdentity {
        let m = noise.agencyMultiplier[agency.rawValue] ?? 1
        var errors: [(String, String)] = []
        var fn = p.forename, sn = surname(of: p, on: date, &rng), mid = p.middle
        if rng.chance(noise.nickname * m), let nicks = Names.nicknames[fn] { fn = nicks[rng.below(nicks.count)]; errors.append(("forename", "nickname")) }
        if rng.chance(noise.phoneticVariant * m) {
            if rng.chance(0.5), let v = Names.variants[fn] { fn = v[rng.below(v.count)]; errors.append(("forename", "variant")) }
            else if let v = Names.variants[sn] { sn = v[rng.below(v.count)]; errors.append(("surname", "variant")) }
        }
        if rng.chance(noise.typo * m) {
            if rng.chance(0.5) { fn = NoiseModel.typo(fn, &rng); errors.append(("forename", "typo")) }
            else { sn = NoiseModel.typo(sn, &rng); errors.append(("surname", "typo")) }
        }
        if rng.chance(noise.swappedNames * m) { swap(&fn, &sn); errors.append(("forename", "swapped_with_surname")) }
        if rng.chance(noise.middleNameDropped) { mid = "" }
        var dob: CivilDate? = p.dob
        var placeholder = false
        if rng.chance(noise.placeholderDOB * m) { placeholder = true; dob = nil; errors.append(("date_of_birth", "placeholder")) }
        else if rng.chance(noise.missingDOB * m) { dob = nil; errors.append(("date_of_birth", "missing")) }
        else {
            let (y, mo, d) = p.dob.components
            if rng.chance(noise.dobDayMonthSwap * m), d <= 12, d != mo {
                dob = CivilDate(year: y, month: d, day: mo); errors.append(("date_of_birth", "day_month_swapped"))
            }
            if rng.chance(noise.dobYearOff * m) {
                dob = CivilDate(year: y + (rng.chance(0.5) ? 1 : -1), month: mo, day: min(d, 28)); errors.append(("date_of_birth", "year_off"))
            }
            if rng.chance(noise.dobDigitOff * m) {
                dob = CivilDate(year: y, month: mo, day: d <= 27 ? d + 1 : d - 1); errors.append(("date_of_birth", "day_off"))
            }
        }
        var sex = p.sex
        if rng.chance(noise.sexMisrecorded * m) { sex = sex == .male ? .female : .male; errors.append(("sex", "wrong")) }
        // Address: own move (a separated parent), the household's home on the day, or the previous home shortly after a move.
        var address: Address
        if date >= p.leftHouseholdDate && !p.ownAddress.isNone {
            address = p.ownAddress
        } else {
            let i = household.residenceIndex(on: date)
            address = household.residences[i].address
            if i > 0 && date.dayNumber - household.residences[i].from.dayNumber < 730 && rng.chance(noise.staleAddressAfterMove) {
                address = household.residences[i - 1].address
                errors.append(("address", "previous_address"))
            }
        }
        var postcode = postcode(address)
        var recorded = RecordedAddress()
        recorded.lines = recordAddress(address, multiplier: m, &rng, &errors)
        if rng.chance(noise.missingPostcode * m) { postcode = ""; errors.append(("postcode", "missing")) }
        recorded.postcode = postcode
        // NHS number: missing, mistyped (fails its check), or a family member's valid number.
        var nhs = book.nhsNumber(p.index)
        if rng.chance(noise.missingNHSNumber * m) { nhs = "" }
        else if rng.chance(noise.nhsMistyped * m) { nhs = NoiseModel.mistyped(nhs, &rng); errors.append(("nhs_number", "check_digit_fails")) }
        else if rng.chance(noise.nhsOtherPerson * m), let other = relative(p, household, people, &rng) {
            nhs = book.nhsNumber(other); errors.append(("nhs_number", "relative:" + people[Int(other)].id))
        }
        // Ethnicity: not stated, or a different group from the person's own.
        var eth = p.detailedEthnicity
        if rng.chance(noise.ethnicityNotStated * m) { eth = -1; errors.append(("ethnicity", "not_stated")) }
        else if rng.chance(noise.ethnicityInconsistent * m) { eth = EthnicityCodes.other(than: eth, &rng); errors.append(("ethnicity", "different")) }
        // Officers record what they see: a Mixed person is often recorded as White, Black or Asian.
        var officer = eth >= 0 ? EthnicityCodes.detailed[Int(eth)].0 : p.ethnicity
        if officer == .mixed && rng.chance(noise.officerMixedAsOther) {
            officer = [Ethnicity.white, .black, .asian][rng.weighted([0.4, 0.45, 0.15])]
        }
        return RecordedIdentity(forename: fn, middle: mid, surname: sn, dob: dob, placeholderDOB: placeholder, sex: sex,
                                postcode: postcode, address: recorded, nhs: nhs, ethnicity: eth,
                                officerEthnicity: officer.rawValue, errors: errors)
    }

    /// A parent, sibling or partner of `p` (whose identifier an agency may record by mistake), if any.
    func relative(_ p: Person, _ hh: Household, _ people: [Person], _ rng: inout SeededRandom) -> Int32? {
        var options: [Int32] = []
        if p.isChild {
            for s in hh.children where s != p.index { options.append(s) }
            if p.mother >= 0 { options.append(p.mother) }
        } else {
            for a in hh.adults where a != p.index { options.append(a) }
        }
        return options.isEmpty ? nil : options[rng.below(options.count)]
    }

    /// A sibling of a child (whose pupil number a school may record by mistake), if any.
    static func sibling(_ p: Person, _ hh: Household, _ rng: inout SeededRandom) -> Int32? {
        let s = hh.children.filter { $0 != p.index }
        return s.isEmpty ? nil : s[rng.below(s.count)]
    }
}

extension String {
    /// Each word with its first letter upper case and the rest lower case.
    var capitalisedWords: String {
        var out = ""
        var up = true
        for c in self {
            out += up ? String(c).uppercased() : String(c)
            up = c == " " || c == "-"
        }
        return out
    }
}
