/// NYSIIS (New York State Identification and Intelligence System) phonetic code, Taft 1970,
/// without the customary truncation to six characters so that long names keep their detail.
public enum Phonetic {
    static func isVowel(_ c: UInt8) -> Bool { c == 65 || c == 69 || c == 73 || c == 79 || c == 85 }

    /// The NYSIIS code of an upper-case ASCII name ("" for an empty name).
    public static func nysiis(_ name: String) -> String {
        var s = Array(name.utf8.filter { $0 >= 65 && $0 <= 90 })
        guard !s.isEmpty else { return "" }
        func starts(_ p: String) -> Bool { s.starts(with: Array(p.utf8)) }
        func ends(_ p: String) -> Bool { let a = Array(p.utf8); return s.count >= a.count && Array(s.suffix(a.count)) == a }
        func replacePrefix(_ p: String, _ r: String) { s = Array(r.utf8) + s.dropFirst(p.utf8.count) }
        func replaceSuffix(_ p: String, _ r: String) { s = Array(s.dropLast(p.utf8.count)) + Array(r.utf8) }
        if starts("MAC") { replacePrefix("MAC", "MCC") }
        else if starts("KN") { replacePrefix("KN", "NN") }
        else if starts("K") { replacePrefix("K", "C") }
        else if starts("PH") || starts("PF") { replacePrefix("PH", "FF") }
        else if starts("SCH") { replacePrefix("SCH", "SSS") }
        if ends("EE") || ends("IE") { replaceSuffix("EE", "Y") }
        else if ends("DT") || ends("RT") || ends("RD") || ends("NT") || ends("ND") { replaceSuffix("DT", "D") }
        var key: [UInt8] = [s[0]]
        var i = 1
        while i < s.count {
            var chunk: [UInt8]
            let c = s[i]
            let next: UInt8? = i + 1 < s.count ? s[i + 1] : nil
            if c == 69, next == 86 { chunk = [65, 70]; i += 2 }  // EV → AF
            else if isVowel(c) { chunk = [65]; i += 1 }
            else if c == 81 { chunk = [71]; i += 1 }  // Q → G
            else if c == 90 { chunk = [83]; i += 1 }  // Z → S
            else if c == 77 { chunk = [78]; i += 1 }  // M → N
            else if c == 75 { if next == 78 { chunk = [78]; i += 2 } else { chunk = [67]; i += 1 } }  // KN → N, K → C
            else if c == 83, next == 67, i + 2 < s.count, s[i + 2] == 72 { chunk = [83, 83, 83]; i += 3 }  // SCH
            else if c == 80, next == 72 { chunk = [70, 70]; i += 2 }  // PH → FF
            else if c == 72 {
                let prev = s[i - 1]
                if !isVowel(prev) || (next.map { !isVowel($0) } ?? true) { chunk = [prev] } else { chunk = [c] }
                i += 1
            } else if c == 87, isVowel(s[i - 1]) { chunk = [s[i - 1]]; i += 1 }
            else { chunk = [c]; i += 1 }
            for ch in chunk where key.last != ch { key.append(ch) }
            // write back translated characters so that later rules see them (as in the original algorithm)
        }
        if key.count > 1, key.last == 83 { key.removeLast() }
        if key.count > 2, key.suffix(2) == [65, 89] { key.removeLast(2); key.append(89) }
        if key.count > 1, key.last == 65 { key.removeLast() }
        return String(decoding: key, as: UTF8.self)
    }
}
