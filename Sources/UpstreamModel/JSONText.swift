/// The one JSON string escape of the pure modules (RFC 8259 §7): a string as a quoted JSON literal, with the
/// quotation mark, reverse solidus and every control character escaped, everything else as it is (UTF-8).
public enum JSONText {
    /// `s` as a JSON string literal, quotes included.
    public static func quoted(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 2)
        append(s, to: &out)
        return out
    }

    /// Appends `s` as a JSON string literal, quotes included, to `out` (no intermediate string on hot paths).
    public static func append(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
