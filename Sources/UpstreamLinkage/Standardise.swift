import UpstreamModel

/// Standardisation: turns what an agency wrote into comparable values.
///
/// Names become upper-case ASCII tokens (accents folded, punctuation and titles dropped, particles joined);
/// postcodes are parsed into area, district, sector and unit; identifiers are kept only when valid;
/// placeholder dates of birth are treated as missing.
public enum Standardise {
    static let titles: Set<String> = ["MR", "MRS", "MS", "MISS", "MX", "DR", "MASTER", "PROF", "SIR", "REV"]
    /// Whether a token's bytes could be one of ``titles`` (at most six letters, starting M, D, P, S or R).
    @inline(__always) static func mayBeTitle<C: Collection<UInt8>>(_ t: C) -> Bool {
        guard let f = t.first, t.count <= 6 else { return false }
        return f == 77 || f == 68 || f == 80 || f == 83 || f == 82
    }
    /// Surname particles joined to the following token ("DE SOUZA" → "DESOUZA").
    static let particles: Set<String> = ["DE", "DA", "DI", "DU", "LE", "LA", "VAN", "VON", "DER", "DEN", "DEL", "DOS", "AL", "EL", "BIN", "ST", "MAC", "MC", "O"]

    static let fold: [Character: String] = {
        var t: [Character: String] = [:]
        for (plain, accented) in [("A", "ÀÁÂÃÄÅĀĂĄàáâãäåāăą"), ("C", "ÇĆČçćč"), ("D", "ĎĐďđ"), ("E", "ÈÉÊËĒĖĘĚèéêëēėęě"),
                                  ("I", "ÌÍÎÏĪĮİìíîïīįı"), ("N", "ÑŃŇñńň"), ("O", "ÒÓÔÕÖØŌŐòóôõöøōő"), ("U", "ÙÚÛÜŪŮŰŲùúûüūůűų"),
                                  ("Y", "ÝŸýÿ"), ("Z", "ŹŻŽźżž"), ("S", "ŚŠŞśšş"), ("R", "ŘŕřŔ"), ("L", "ŁĹĽłĺľ"), ("G", "Ğğ"), ("T", "ŤŢťţ")] {
            for c in accented { t[c] = plain }
        }
        t["ß"] = "SS"; t["Æ"] = "AE"; t["æ"] = "AE"; t["Œ"] = "OE"; t["œ"] = "OE"
        return t
    }()

    /// Whether every byte of `text` is ASCII (then one byte is one character, and "\r\n" is two separators
    /// rather than one: the same tokens either way).
    @inline(__always) static func isASCII(_ text: String) -> Bool {
        var t = text
        return t.withUTF8 { b in
            var acc: UInt8 = 0
            for x in b { acc |= x }
            return acc < 128
        }
    }

    /// The bytes of ASCII `text` that `keep` accepts, lower-case letters upper-cased; `nil` when `text` is not ASCII
    /// (the caller then takes its Character path, which gives the same result on ASCII text).
    @inline(__always) static func asciiKept(_ text: String, _ keep: (UInt8) -> Bool) -> String? {
        guard isASCII(text) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for var a in text.utf8 {
            if a >= 97 && a <= 122 { a -= 32 }
            if keep(a) { out.append(a) }
        }
        return String(decoding: out, as: UTF8.self)
    }
    @inline(__always) static func isDigit(_ a: UInt8) -> Bool { a >= 48 && a <= 57 }
    @inline(__always) static func isAlnum(_ a: UInt8) -> Bool { (a >= 48 && a <= 57) || (a >= 65 && a <= 90) }
    /// ASCII whitespace as `Character.isWhitespace` sees it: tab to carriage return, and space.
    @inline(__always) static func isSpace(_ a: UInt8) -> Bool { a == 32 || (a >= 9 && a <= 13) }

    /// Upper-case ASCII letter tokens of a name: accents folded, apostrophes dropped (O'BRIEN → OBRIEN),
    /// hyphens, dots, commas and other punctuation split tokens, titles removed.
    public static func nameTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var cur: [UInt8] = []
        func flush() {
            if !cur.isEmpty {
                let t = String(decoding: cur, as: UTF8.self)
                // Only a short token starting as a title does can be one (most tokens skip the set's hashing).
                if !(mayBeTitle(cur) && titles.contains(t)) { tokens.append(t) }
                cur.removeAll(keepingCapacity: true)
            }
        }
        // ASCII text (almost every value) is read byte by byte: the same tokens, without grapheme breaking, each
        // token gathered in a buffer on the stack (a token's bytes are never more than the text's).
        // The loop ends its tokens in line, with no nested function: one that captured the token list and the count
        // had every access to them checked for exclusivity at run time (about 0.3% of a million-record link's samples).
        if isASCII(text) {
            var text = text
            return text.withUTF8 { b in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, b.count)) { buf in
                    var out: [String] = []
                    var n = 0
                    // One step past the last byte, read as a separator, ends the last token.
                    for i in 0...b.count {
                        let a = i < b.count ? b[i] : UInt8(ascii: " ")
                        switch a {
                        case 65...90: buf[n] = a; n += 1
                        case 97...122: buf[n] = a - 32; n += 1
                        case 39, 96: break
                        default:
                            guard n > 0 else { continue }
                            let bytes = UnsafeBufferPointer(rebasing: buf[0..<n])
                            if !(mayBeTitle(bytes) && titles.contains(String(decoding: bytes, as: UTF8.self))) {
                                out.append(String(decoding: bytes, as: UTF8.self))
                            }
                            n = 0
                        }
                    }
                    return out
                }
            }
        }
        for ch in text {
            if let a = ch.asciiValue {
                switch a {
                case 65...90: cur.append(a)
                case 97...122: cur.append(a - 32)
                case 39, 96: break  // apostrophes join: O'Brien
                default: flush()
                }
            } else if ch == "’" || ch == "‘" {
                continue
            } else if let f = fold[ch] {
                cur.append(contentsOf: f.utf8)
            } else {
                flush()
            }
        }
        flush()
        return tokens
    }

    /// A surname in one comparable form: tokens joined, so particles and hyphenation do not matter
    /// ("Smith-Jones" → "SMITHJONES", "de Souza" → "DESOUZA"); `nil` when nothing is left.
    public static func surname(_ text: String?) -> (joined: String, tokens: [String])? {
        guard let text else { return nil }
        let t = nameTokens(text)
        guard !t.isEmpty else { return nil }
        // One token (most surnames): itself joined, and its own array as the tokens unless it is a particle (no
        // joined copy, no filtered array; only a token of three letters or fewer can be a particle).
        if t.count == 1 { return (t[0], t[0].utf8.count <= 3 && particles.contains(t[0]) ? [] : t) }
        return (t.joined(), t.filter { !particles.contains($0) })
    }

    /// Splits given names into the forename (first token) and the rest (middle names).
    public static func givenNames(forename: String?, middle: String?) -> (forename: String, middle: [String])? {
        var tokens = forename.map(nameTokens) ?? []
        let mids = middle.map(nameTokens) ?? []
        if tokens.isEmpty { tokens = mids; return tokens.isEmpty ? nil : (tokens[0], Array(tokens.dropFirst())) }
        return (tokens[0], Array(tokens.dropFirst()) + mids)
    }

    /// The canonical form of a forename under the UK nickname and short-form table (BILL → WILLIAM); itself when unknown.
    public static func canonicalForename(_ name: String) -> String { Nicknames.canonical[name] ?? name }

    /// Dates agencies write when they do not know the date of birth; treated as missing.
    public static func isPlaceholder(_ date: CivilDate) -> Bool {
        let c = date.components
        return c.year <= 1900 || (c.year == 1901 && c.month == 1 && c.day == 1)
    }

    /// A date of birth, or `nil` when missing or a placeholder.
    public static func dateOfBirth(_ date: CivilDate?) -> CivilDate? {
        guard let date, !isPlaceholder(date) else { return nil }
        return date
    }

    /// A UK postcode split into its parts.
    public struct Postcode: Hashable, Sendable {
        /// Leading letters of the outward code ("UC").
        public var area: String
        /// The outward code ("UC4").
        public var district: String
        /// Outward code and the inward digit ("UC4 7").
        public var sector: String
        /// The full postcode ("UC4 7AB").
        public var unit: String
    }

    /// Parses a postcode written with any spacing or case; `nil` unless it has the shape of a UK postcode
    /// (outward code of 2–4 characters starting with a letter, inward code of a digit and two letters).
    public static func postcode(_ text: String?) -> Postcode? {
        guard let text else { return nil }
        // The letters and digits, upper-cased, in a buffer on the stack (a postcode has at most seven).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8) { c -> Postcode? in
            var n = 0
            for a in text.utf8 {
                let k: UInt8
                switch a {
                case 65...90, 48...57: k = a
                case 97...122: k = a - 32
                default: continue
                }
                if n == 8 { return nil }
                c[n] = k; n += 1
            }
            guard n >= 5, n <= 7 else { return nil }
            let outward = UnsafeBufferPointer(rebasing: c[0..<(n - 3)]), i = UnsafeBufferPointer(rebasing: c[(n - 3)..<n])
            guard (48...57).contains(i[0]), (65...90).contains(i[1]), (65...90).contains(i[2]) else { return nil }
            guard let first = outward.first, (65...90).contains(first) else { return nil }
            let area = String(decoding: outward.prefix { (65...90).contains($0) }, as: UTF8.self)
            let district = String(decoding: outward, as: UTF8.self)
            let sector = district + " " + String(UnicodeScalar(i[0]))
            return Postcode(area: area, district: district, sector: sector, unit: district + " " + String(decoding: i, as: UTF8.self))
        }
    }

    /// An NHS number as ten digits, only when its modulus-11 check digit is right.
    public static func nhsNumber(_ text: String?) -> String? {
        guard let text else { return nil }
        let d = asciiKept(text, isDigit) ?? String(text.filter { $0.isASCII && $0.isNumber })
        return d.count == 10 && NHSNumber.isValid(d) ? d : nil
    }

    /// A unique pupil number, only when its check letter is right.
    public static func upn(_ text: String?) -> String? {
        guard let text else { return nil }
        let t = asciiKept(text, { !isSpace($0) }) ?? String(text.uppercased().filter { !$0.isWhitespace })
        return UniquePupilNumber.isValid(t) ? t : nil
    }

    /// A Police National Computer id (YY/NNNNNNNL) with its check letter verified; `nil` otherwise.
    ///
    /// The check letter is the letter at (year digits followed by the serial, as a number) mod 23 of
    /// ABCDEFGHJKLMNPQRTUVWXYZ; shorter serials are zero-padded to seven digits.
    public static func pnc(_ text: String?) -> String? {
        guard let text else { return nil }
        let t = asciiKept(text, { !isSpace($0) }) ?? text.uppercased().filter { !$0.isWhitespace }
        let parts = t.split(separator: "/")
        guard parts.count == 2, parts[0].count == 2 || parts[0].count == 4, let yy = Int(parts[0].suffix(2)) else { return nil }
        let rest = parts[1]
        guard let letter = rest.last, letter.isLetter, rest.count >= 2, rest.count <= 8 else { return nil }
        guard let serial = Int(rest.dropLast()) else { return nil }
        let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")
        guard letters[(yy * 10_000_000 + serial) % 23] == letter else { return nil }
        let s = String(serial)
        return (yy < 10 ? "0" : "") + String(yy) + "/" + String(repeating: "0", count: max(0, 7 - s.count)) + s + String(letter)
    }

    /// Trimmed, upper-cased text, or `nil` when blank.
    public static func code(_ text: String?) -> String? {
        guard let text else { return nil }
        let t = asciiKept(text, { !isSpace($0) }) ?? text.uppercased().filter { !$0.isWhitespace }
        return t.isEmpty ? nil : t
    }
    /// Upper-case ASCII tokens of free text: accents folded, every other character a separator.
    public static func textTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var cur: [UInt8] = []
        func flush() { if !cur.isEmpty { tokens.append(String(decoding: cur, as: UTF8.self)); cur.removeAll(keepingCapacity: true) } }
        if isASCII(text) {
            for a in text.utf8 {
                switch a {
                case 65...90, 48...57: cur.append(a)
                case 97...122: cur.append(a - 32)
                case 39, 96: break
                default: flush()
                }
            }
            flush()
            return tokens
        }
        for ch in text {
            if let a = ch.asciiValue {
                switch a {
                case 65...90, 48...57: cur.append(a)
                case 97...122: cur.append(a - 32)
                case 39, 96: break
                default: flush()
                }
            } else if let f = fold[ch] { cur.append(contentsOf: f.utf8) } else if ch == "’" || ch == "‘" { continue } else { flush() }
        }
        flush()
        return tokens
    }

    /// ``textTokens(_:)`` joined by single spaces (a free-text column's standardised value), made in one pass over
    /// ASCII text without an array of tokens or a String a token (the tokens and their joining were about 1.3% of a
    /// 1,000,000-record link's samples, Benchmarks/linkage.md, session 39); other text goes through the tokens.
    public static func textJoined(_ text: String) -> String {
        guard isASCII(text) else { return textTokens(text).joined(separator: " ") }
        var t = text
        return t.withUTF8 { b in
            // Never longer than the text: each byte kept once, a space only between two kept bytes.
            String(unsafeUninitializedCapacity: b.count) { out in
                var n = 0, gap = false
                for a in b {
                    let c: UInt8
                    switch a {
                    case 65...90, 48...57: c = a
                    case 97...122: c = a - 32
                    case 39, 96: continue
                    default: gap = true; continue
                    }
                    if gap && n > 0 { out[n] = 32; n += 1 }
                    gap = false
                    out[n] = c; n += 1
                }
                return n
            }
        }
    }

    /// A list field split on `;`, `|` or `,`, each item standardised as a name; empty items dropped.
    public static func listItems(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == ";" || $0 == "|" || $0 == "," }).compactMap { item in
            let t = nameTokens(String(item)).joined()
            return t.isEmpty ? nil : t
        }
    }

    /// Whether a string of digits passes the Luhn mod-10 check.
    public static func luhnValid(_ digits: String) -> Bool {
        var sum = 0
        for (i, ch) in digits.reversed().enumerated() {
            guard let d = ch.wholeNumberValue else { return false }
            let v = i % 2 == 1 ? d * 2 : d
            sum += v > 9 ? v - 9 : v
        }
        return !digits.isEmpty && sum % 10 == 0
    }

    /// An identifier under its check: digits and letters upper-cased, separators dropped; `nil` when blank or failing.
    public static func identifier(_ text: String?, check: IdentifierCheck) -> String? {
        switch check {
        case .nhs: return nhsNumber(text)
        case .upn: return upn(text)
        case .pnc: return pnc(text)
        case .luhn:
            guard let text else { return nil }
            let d = asciiKept(text, isDigit) ?? String(text.filter { $0.isASCII && $0.isNumber })
            return d.count >= 2 && luhnValid(d) ? d : nil
        case .dni:
            guard let text else { return nil }
            var t = String(text.uppercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
            guard t.count == 9, let letter = t.last, letter.isLetter else { return nil }
            let lead: [Character: Character] = ["X": "0", "Y": "1", "Z": "2"]
            var digits = String(t.dropLast())
            if let f = digits.first, let d = lead[f] { digits = String(d) + digits.dropFirst() }
            guard let n = Int(digits) else { return nil }
            let letters = Array("TRWAGMYFPDXBNJZSQVHLCKE")
            guard letters[n % 23] == letter else { return nil }
            if t.first == "X" || t.first == "Y" || t.first == "Z" { return t }
            t = digits + String(letter)
            return t
        case .none:
            guard let text else { return nil }
            let t = asciiKept(text, isAlnum) ?? String(text.uppercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
            return t.isEmpty ? nil : t
        }
    }

    /// An address split into the parts compared: house number, flat, street tokens and town.
    public struct Address: Hashable, Sendable {
        /// The whole address, normalised (tokens joined by spaces, street abbreviations expanded).
        public var normalised: String
        public var houseNumber: String?
        public var flat: String?
        /// Words of the street and locality (not numbers, flat words or the town).
        public var street: [String]
        public var town: String?
    }

    static let streetWords: [String: String] = [
        "RD": "ROAD", "ST": "STREET", "AVE": "AVENUE", "AV": "AVENUE", "LN": "LANE", "DR": "DRIVE", "CL": "CLOSE", "CRES": "CRESCENT",
        "PL": "PLACE", "SQ": "SQUARE", "CT": "COURT", "GDNS": "GARDENS", "TCE": "TERRACE", "GRV": "GROVE", "PK": "PARK", "WY": "WAY",
        "STR": "STRASSE", "STRAßE": "STRASSE", "BLVD": "BOULEVARD", "C": "CALLE", "CL.": "CALLE", "AVDA": "AVENIDA", "PZA": "PLAZA",
    ]
    static let flatWords: Set<String> = ["FLAT", "APT", "APARTMENT", "UNIT", "ROOM", "PISO", "PUERTA", "WOHNUNG", "APPT", "APPARTEMENT"]

    /// Parses address lines ("Flat 3, 12 Acacia Ave, Springfield"): the last comma-separated part is the town
    /// when there are two or more parts and it holds no digit; the number after a flat word is the flat; the
    /// first other number (with any letter suffix, "12A") is the house number and a later one the flat or floor
    /// ("Calle Mayor 5, 3º B"). Works for numbers before or after the street.
    public static func address(_ text: String?) -> Address? {
        guard let text else { return nil }
        return address(parts: isASCII(text) ? asciiAddressParts(text) : addressParts(text))
    }

    /// The comma-separated parts of an address, each as its ``textTokens(_:)``, empty parts left out.
    package static func addressParts(_ text: String) -> [[String]] {
        text.split(separator: ",").map { textTokens(String($0)) }.filter { !$0.isEmpty }
    }

    /// ``addressParts(_:)`` of ASCII text, read byte by byte in one pass (no Character breaking, no substring
    /// copies): a comma ends a part as well as a token. The same parts (`StandardiseTests`).
    package static func asciiAddressParts(_ text: String) -> [[String]] {
        var parts: [[String]] = []
        var tokens: [String] = []
        var cur: [UInt8] = []
        cur.reserveCapacity(16)
        func flush() { if !cur.isEmpty { tokens.append(String(decoding: cur, as: UTF8.self)); cur.removeAll(keepingCapacity: true) } }
        for a in text.utf8 {
            switch a {
            case 65...90, 48...57: cur.append(a)
            case 97...122: cur.append(a - 32)
            case 39, 96: break
            case 44:
                flush()
                if !tokens.isEmpty { parts.append(tokens); tokens.removeAll() }
            default: flush()
            }
        }
        flush()
        if !tokens.isEmpty { parts.append(tokens) }
        return parts
    }

    /// The address of its parts. Tokens are ASCII letters and digits (``textTokens(_:)`` folds or drops the rest),
    /// so a number is a token whose first byte is a digit.
    package static func address(parts: [[String]]) -> Address? {
        guard !parts.isEmpty else { return nil }
        func isNumber(_ t: String) -> Bool { t.utf8.first.map(isDigit) ?? false }
        var town: String? = nil
        var body = parts
        if parts.count >= 2, let last = parts.last, !last.contains(where: isNumber) {
            town = last.joined(separator: " "); body = Array(parts.dropLast())
        }
        var number: String? = nil, flat: String? = nil, street: [String] = []
        for tokens in body {
            var i = 0
            while i < tokens.count {
                let t = tokens[i]
                if flatWords.contains(t) {
                    if i + 1 < tokens.count { flat = tokens[i + 1]; i += 2 } else { i += 1 }
                    continue
                }
                if isNumber(t) {
                    if number == nil { number = t } else if flat == nil { flat = t }
                } else {
                    street.append(streetWords[t] ?? t)
                }
                i += 1
            }
        }
        var all = ""
        func add(_ word: String) { if !all.isEmpty { all += " " }; all += word }
        if let flat { add("FLAT " + flat) }
        if let number { add(number) }
        street.forEach(add)
        if let town { add(town) }
        return Address(normalised: all, houseNumber: number, flat: flat, street: street, town: town)
    }

    /// Sex from its usual codes (M, MALE, 1, BOY; F, FEMALE, 2, GIRL); `nil` otherwise.
    public static func sex(_ text: String?) -> String? {
        guard let text else { return nil }
        switch asciiKept(text, { !isSpace($0) }) ?? text.uppercased().filter({ !$0.isWhitespace }) {
        case "M", "MALE", "1", "BOY", "MAN", "H", "HOMBRE", "MASCULINO", "MÄNNLICH": return "M"
        case "F", "FEMALE", "2", "GIRL", "WOMAN", "MUJER", "FEMENINO", "W", "WEIBLICH": return "F"
        default: return nil
        }
    }

    /// A date written in any known layout; `nil` when unreadable or a placeholder.
    public static func date(_ text: String?) -> CivilDate? {
        guard let text else { return nil }
        let t = text.filter { !$0.isWhitespace }
        for layout in CivilDate.Layout.allCases { if let d = CivilDate.parse(t, layout: layout) { return dateOfBirth(d) } }
        return nil
    }

    /// Cuts text to at most `limit` characters; says whether it did.
    public static func capped(_ text: String?, _ limit: Int) -> (String?, Bool) {
        guard let text else { return (nil, false) }
        if text.utf8.count <= limit { return (text, false) }
        if text.count <= limit { return (text, false) }
        return (String(text.prefix(limit)), true)
    }
}
