/// Validation of the national identifiers that some agencies hold.
///
/// Only the NHS (health) and the unique pupil number (schools) carry check
/// characters; other identifiers (police national computer id, local ids)
/// are opaque strings.
public enum NHSNumber {
    /// The modulus-11 check digit for the first nine digits, or `nil` when none
    /// exists (a remainder of 10 means no valid number has these nine digits).
    public static func checkDigit(forFirstNine digits: [Int]) -> Int? {
        precondition(digits.count == 9)
        var sum = 0
        for (i, d) in digits.enumerated() { sum += d * (10 - i) }
        let check = 11 - sum % 11
        if check == 11 { return 0 }
        if check == 10 { return nil }
        return check
    }

    /// The ten digits of `text` when it is written as digits with optional spaces or hyphens as separators
    /// (`9434765919`, `943 476 5919`, `943-476-5919`), otherwise `nil`. The check digit is not tested.
    public static func normalised<S: StringProtocol>(_ text: S) -> String? {
        var out = ""
        out.reserveCapacity(10)
        for c in text.utf8 {
            if c >= 48 && c <= 57 {
                out.unicodeScalars.append(Unicode.Scalar(c))
            } else if c != 32 && c != 45 {
                return nil
            }
        }
        return out.utf8.count == 10 ? out : nil
    }

    /// Whether `text` (ten digits; spaces and hyphens allowed as separators) is a valid NHS number.
    public static func isValid<S: StringProtocol>(_ text: S) -> Bool {
        let digits = text.utf8.compactMap { c -> Int? in
            c == 32 || c == 45 ? nil : (c >= 48 && c <= 57 ? Int(c - 48) : -1)
        }
        guard digits.count == 10, !digits.contains(-1) else { return false }
        guard let check = checkDigit(forFirstNine: Array(digits[0..<9])) else { return false }
        return check == digits[9]
    }

    /// Formats ten digits in the usual 3-3-4 layout, `943 476 5919`.
    public static func spaced(_ ten: String) -> String {
        let a = Array(ten)
        guard a.count == 10 else { return ten }
        return String(a[0..<3]) + " " + String(a[3..<6]) + " " + String(a[6..<10])
    }
}

/// The unique pupil number (UPN) that the Department for Education gives every pupil
/// in England: a check letter followed by twelve digits (a 3-digit local authority
/// number, a 4-digit school number, a 2-digit year and a 3-digit serial).
public enum UniquePupilNumber {
    /// The check letters, indexed by remainder 0…22 (I, O and S are not used).
    static let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")

    /// The check letter for twelve digits.
    public static func checkLetter(forDigits digits: [Int]) -> Character {
        precondition(digits.count == 12)
        var sum = 0
        for (i, d) in digits.enumerated() { sum += d * (i + 2) }
        return letters[sum % 23]
    }

    /// Whether `text` is a well-formed UPN with a correct check letter: an upper-case check letter and twelve
    /// ASCII digits (digits of other scripts, which `Character.wholeNumberValue` would read, are not a UPN's).
    public static func isValid<S: StringProtocol>(_ text: S) -> Bool {
        var n = 0, sum = 0
        var first: UInt8 = 0
        for c in text.utf8 {
            if n == 0 {
                first = c
            } else {
                guard n <= 12, c >= 48 && c <= 57 else { return false }
                sum += Int(c - 48) * (n + 1)
            }
            n += 1
        }
        guard n == 13 else { return false }
        return checkLetterASCII[sum % 23] == first
    }

    /// ``letters`` as ASCII bytes.
    static let checkLetterASCII: [UInt8] = letters.map { $0.asciiValue! }
}
