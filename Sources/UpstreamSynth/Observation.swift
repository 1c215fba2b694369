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
    var nhs: String
    var ethnicity: Ethnicity

    func dobText(_ layout: CivilDate.Layout) -> String {
        if placeholderDOB { return CivilDate(year: 1900, month: 1, day: 1)!.format(layout) }
        return dob?.format(layout) ?? ""
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
}

/// The identifier noise model: how agencies' records come to differ from a person's true details.
struct NoiseModel {
    let noise: SynthConfig.Noise

    /// The person's NHS number: a valid number in the 999 range, which the NHS reserves for testing.
    static func nhsNumber(_ index: Int32) -> String {
        var n = (Int(index) &* 7_919 &+ 1_234_567) % 10_000_000
        while true {
            let nine = "999" + SynthText.pad(n / 10, 6)
            let digits = nine.compactMap { $0.wholeNumberValue }
            if let check = NHSNumber.checkDigit(forFirstNine: digits) { return nine + String(check) }
            n = (n + 10) % 10_000_000
        }
    }

    /// The person's unique pupil number (local authority code 999, a made-up authority).
    static func upn(_ index: Int32) -> String {
        let body = "999" + SynthText.pad((Int(index) &* 104_729 &+ 77) % 1_000_000_000, 9)
        let digits = body.compactMap { $0.wholeNumberValue }
        return String(UniquePupilNumber.checkLetter(forDigits: digits)) + body
    }

    /// A Police National Computer id: two-digit year, seven digits, a check letter.
    static func pnc(_ index: Int32, year: Int) -> String {
        let serial = (Int(index) &* 15_485_863 &+ 99) % 10_000_000
        let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")
        let yy = SynthText.pad(year % 100, 2)
        return yy + "/" + SynthText.pad(serial, 7) + String(letters[(Int(yy)! * 10_000_000 + serial) % 23])
    }

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

    func observe(_ p: Person, household: Household, agency: Agency, on date: CivilDate, _ rng: inout SeededRandom) -> RecordedIdentity {
        let m = noise.agencyMultiplier[agency.rawValue] ?? 1
        var fn = p.forename, sn = surname(of: p, on: date, &rng), mid = p.middle
        if rng.chance(noise.nickname * m), let nicks = Names.nicknames[fn] { fn = nicks[rng.below(nicks.count)] }
        if rng.chance(noise.phoneticVariant * m) {
            if rng.chance(0.5), let v = Names.variants[fn] { fn = v[rng.below(v.count)] }
            else if let v = Names.variants[sn] { sn = v[rng.below(v.count)] }
        }
        if rng.chance(noise.typo * m) {
            if rng.chance(0.5) { fn = NoiseModel.typo(fn, &rng) } else { sn = NoiseModel.typo(sn, &rng) }
        }
        if rng.chance(noise.swappedNames * m) { swap(&fn, &sn) }
        if rng.chance(noise.middleNameDropped) { mid = "" }
        var dob: CivilDate? = p.dob
        var placeholder = false
        if rng.chance(noise.placeholderDOB * m) { placeholder = true; dob = nil }
        else if rng.chance(noise.missingDOB * m) { dob = nil }
        else {
            let (y, mo, d) = p.dob.components
            if rng.chance(noise.dobDayMonthSwap * m), d <= 12, d != mo { dob = CivilDate(year: y, month: d, day: mo) }
            if rng.chance(noise.dobYearOff * m) { dob = CivilDate(year: y + (rng.chance(0.5) ? 1 : -1), month: mo, day: min(d, 28)) }
            if rng.chance(noise.dobDigitOff * m) { dob = CivilDate(year: y, month: mo, day: d <= 27 ? d + 1 : d - 1) }
        }
        // Address: own move (a separated parent), the household's move, or a stale address after a move.
        var postcode = household.postcode(on: date)
        if date >= p.leftHouseholdDate { postcode = p.ownPostcode }
        else if date >= household.moveDate && date.dayNumber - household.moveDate.dayNumber < 730 && rng.chance(noise.staleAddressAfterMove) {
            postcode = household.postcode
        }
        if rng.chance(noise.missingPostcode * m) { postcode = "" }
        let nhs = rng.chance(noise.missingNHSNumber * m) ? "" : NoiseModel.nhsNumber(p.index)
        return RecordedIdentity(forename: fn, middle: mid, surname: sn, dob: dob, placeholderDOB: placeholder, sex: p.sex,
                                postcode: postcode, nhs: nhs, ethnicity: p.ethnicity)
    }
}
