import UpstreamModel

/// Every identifier the city's agencies hold for a person, and every record id: drawn so that each person's
/// identifiers are distinct from everyone else's at any city size, and unrelated to the person's index, their
/// household or the order in which rows were generated.
///
/// - NHS numbers are drawn without replacement from the valid numbers (modulus-11 check digit) of the range the
///   NHS reserves for testing, `999 000 0000`-`999 999 9999` (about 909,000 valid numbers). A city larger than
///   that continues into `998…`, `997…` (ranges not issued today, but not reserved: see docs/synthetic-city.md).
/// - Pupil numbers, PNC serials, agency person ids (child id, YOT case number, CRN, client reference, prison
///   number) and record ids are images of the person's index, or of a per-extract counter, under a
///   `KeyedPermutation` keyed by the seed and the identifier's purpose: distinct inputs give distinct ids.
public struct IdentifierBook: Sendable {
    /// NHS number (ten digits, as an integer) by person index.
    public let nhs: [Int]
    let upnPerm: KeyedPermutation
    let pncPerm: KeyedPermutation
    let childPerm: KeyedPermutation
    let yotPerm: KeyedPermutation
    let crnPerm: KeyedPermutation
    let clientPerm: KeyedPermutation
    let prisonPerm: KeyedPermutation
    let incidentPerm: KeyedPermutation
    let crimePerm: KeyedPermutation
    let recordPerms: [String: KeyedPermutation]

    /// Valid NHS numbers with the given three-digit prefix, in increasing order.
    static func validNHSNumbers(prefix: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(920_000)
        var digits = [Int](repeating: 0, count: 9)
        digits[0] = prefix / 100; digits[1] = prefix / 10 % 10; digits[2] = prefix % 10
        for body in 0..<1_000_000 {
            var b = body
            for i in stride(from: 8, through: 3, by: -1) { digits[i] = b % 10; b /= 10 }
            if let check = NHSNumber.checkDigit(forFirstNine: digits) { out.append((prefix * 1_000_000 + body) * 10 + check) }
        }
        return out
    }

    public init(people: Int, seed: UInt64) {
        var rng = SeededRandom(seed: seed, 0x4E48_53)
        var pool: [Int] = []
        var prefix = 999
        while pool.count < people {
            var block = IdentifierBook.validNHSNumbers(prefix: prefix)
            block.shuffle(using: &rng)
            pool += block.prefix(people - pool.count)
            prefix -= 1
        }
        pool.shuffle(using: &rng)
        nhs = pool
        upnPerm = KeyedPermutation(n: 1_000_000_000, seed: seed, purpose: 1)
        pncPerm = KeyedPermutation(n: 10_000_000, seed: seed, purpose: 2)
        childPerm = KeyedPermutation(n: 100_000_000, seed: seed, purpose: 3)
        yotPerm = KeyedPermutation(n: 10_000_000, seed: seed, purpose: 4)
        crnPerm = KeyedPermutation(n: 26_000_000, seed: seed, purpose: 5)
        clientPerm = KeyedPermutation(n: 10_000_000, seed: seed, purpose: 6)
        prisonPerm = KeyedPermutation(n: 10_000 * 23 * 23, seed: seed, purpose: 7)
        incidentPerm = KeyedPermutation(n: 1_000_000_000_000, seed: seed, purpose: 8)
        crimePerm = KeyedPermutation(n: 1_000_000_000, seed: seed, purpose: 9)
        var perms: [String: KeyedPermutation] = [:]
        for (i, s) in ExtractSchema.all.enumerated() {
            perms[s.name] = KeyedPermutation(n: 10_000_000_000, seed: seed, purpose: 100 + UInt64(i))
        }
        recordPerms = perms
    }

    /// The largest city whose people can all have distinct identifiers of every kind (the prison number's
    /// 5.29 million combinations are the binding limit).
    public static let maximumPeople = 5_000_000

    public func nhsNumber(_ person: Int32) -> String { SynthText.pad(nhs[Int(person)], 10) }

    /// Unique pupil number: check letter, local authority 999 (made up), nine digits.
    public func upn(_ person: Int32) -> String {
        IdentifierBook.upn(body: upnPerm.apply(Int(person)))
    }

    static func upn(body: Int) -> String {
        let text = "999" + SynthText.pad(body, 9)
        let digits = text.utf8.map { Int($0) - 48 }
        return String(UniquePupilNumber.checkLetter(forDigits: digits)) + text
    }

    static let pncLetters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")

    /// Police National Computer id: two-digit year, seven-digit serial, check letter.
    public func pnc(_ person: Int32, year: Int) -> String {
        IdentifierBook.pnc(serial: pncPerm.apply(Int(person)), year: year)
    }

    static func pnc(serial: Int, year: Int) -> String {
        let yy = year % 100
        return SynthText.pad(yy, 2) + "/" + SynthText.pad(serial, 7) + String(pncLetters[(yy * 10_000_000 + serial) % 23])
    }

    public func childID(_ person: Int32) -> String { "C" + SynthText.pad(childPerm.apply(Int(person)), 8) }
    public func yotCase(_ person: Int32) -> String { "YOT" + SynthText.pad(yotPerm.apply(Int(person)), 7) }
    public func crn(_ person: Int32) -> String {
        let v = crnPerm.apply(Int(person))
        return String(Character(Unicode.Scalar(UInt8(65 + v / 1_000_000)))) + SynthText.pad(v % 1_000_000, 6)
    }
    public func clientRef(_ person: Int32) -> String { "CL" + SynthText.pad(clientPerm.apply(Int(person)), 7) }
    public func prisonNumber(_ person: Int32) -> String {
        let v = prisonPerm.apply(Int(person))
        let l = IdentifierBook.pncLetters
        return "A" + SynthText.pad(v % 10_000, 4) + String(l[v / 10_000 % 23]) + String(l[v / 230_000])
    }
    /// An incident log number for a unique key (household and day).
    public func incidentNumber(_ key: Int) -> String { "INC" + SynthText.pad(incidentPerm.apply(key), 12) }
    /// The serial part of a crime reference, for a unique key (chunk and counter).
    public func crimeSerial(_ key: Int) -> String { SynthText.pad(crimePerm.apply(key), 9) }
    /// A record id for a unique key (chunk and counter) within one extract.
    public func recordID(_ extract: String, _ key: Int) -> String { SynthText.pad(recordPerms[extract]!.apply(key), 10) }
}
