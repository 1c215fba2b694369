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
    /// Text with nothing to escape is appended whole; otherwise the escapes are ``append(_:toUTF8:)``'s.
    public static func append(_ s: String, to out: inout String) {
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 8)
        append(s, toUTF8: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `s` as a JSON string literal, quotes included, to UTF-8 bytes: `"`, `\` and the control characters
    /// escaped (`\n`, `\r`, `\t`, otherwise `\u00XX`), every other byte kept (a string's bytes at or above 0x80 are
    /// valid UTF-8).
    public static func append(_ s: String, toUTF8 out: inout [UInt8]) {
        let hexDigits: StaticString = "0123456789abcdef"
        out.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case ..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits.utf8Start[Int(b >> 4)], hexDigits.utf8Start[Int(b & 15)]])
            default: out.append(b)
            }
        }
        out.append(0x22)
    }
}
