import UpstreamModel

/// Standardisation: turns what an agency wrote into comparable values.
///
/// Names become upper-case ASCII tokens (accents folded, punctuation and titles dropped, particles joined);
/// postcodes are parsed into area, district, sector and unit; identifiers are kept only when valid;
/// placeholder dates of birth are treated as missing.
public enum Standardise {
    static let titles: Set<String> = ["MR", "MRS", "MS", "MISS", "MX", "DR", "MASTER", "PROF", "SIR", "REV"]
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

    /// Upper-case ASCII letter tokens of a name: accents folded, apostrophes dropped (O'BRIEN → OBRIEN),
    /// hyphens, dots, commas and other punctuation split tokens, titles removed.
    public static func nameTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var cur: [UInt8] = []
        func flush() {
            if !cur.isEmpty {
                let t = String(decoding: cur, as: UTF8.self)
                if !titles.contains(t) { tokens.append(t) }
                cur.removeAll(keepingCapacity: true)
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
        var c: [UInt8] = []
        for a in text.utf8 {
            switch a {
            case 65...90, 48...57: c.append(a)
            case 97...122: c.append(a - 32)
            default: continue
            }
        }
        guard c.count >= 5, c.count <= 7 else { return nil }
        let inward = c.suffix(3), outward = c.prefix(c.count - 3)
        let i = Array(inward)
        guard (48...57).contains(i[0]), (65...90).contains(i[1]), (65...90).contains(i[2]) else { return nil }
        guard let first = outward.first, (65...90).contains(first) else { return nil }
        let area = String(decoding: outward.prefix { (65...90).contains($0) }, as: UTF8.self)
        let district = String(decoding: outward, as: UTF8.self)
        let sector = district + " " + String(UnicodeScalar(i[0]))
        return Postcode(area: area, district: district, sector: sector, unit: district + " " + String(decoding: i, as: UTF8.self))
    }

    /// An NHS number as ten digits, only when its modulus-11 check digit is right.
    public static func nhsNumber(_ text: String?) -> String? {
        guard let text else { return nil }
        let d = String(text.filter { $0.isASCII && $0.isNumber })
        return d.count == 10 && NHSNumber.isValid(d) ? d : nil
    }

    /// A unique pupil number, only when its check letter is right.
    public static func upn(_ text: String?) -> String? {
        guard let text else { return nil }
        let t = String(text.uppercased().filter { !$0.isWhitespace })
        return UniquePupilNumber.isValid(t) ? t : nil
    }

    /// A Police National Computer id (YY/NNNNNNNL) with its check letter verified; `nil` otherwise.
    ///
    /// The check letter is the letter at (year digits followed by the serial, as a number) mod 23 of
    /// ABCDEFGHJKLMNPQRTUVWXYZ; shorter serials are zero-padded to seven digits.
    public static func pnc(_ text: String?) -> String? {
        guard let text else { return nil }
        let t = text.uppercased().filter { !$0.isWhitespace }
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
        let t = text.uppercased().filter { !$0.isWhitespace }
        return t.isEmpty ? nil : t
    }
}
