import Foundation

/// A record's extra columns as a flat string-to-string JSON object, written without Foundation's encoder on the
/// ingest hot path; every store adapter writes and reads the same text.
public enum ExtrasJSON {
    public static func encode(_ dict: [String: String]) -> String {
        var out = "{"
        for (n, key) in dict.keys.sorted().enumerated() {
            if n > 0 { out += "," }
            escape(key, into: &out)
            out += ":"
            escape(dict[key]!, into: &out)
        }
        return out + "}"
    }

    public static func escape(_ s: String, into out: inout String) {
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

    public static func decode(_ text: String) -> [String: String] {
        guard let data = text.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: String] else { return [:] }
        return obj
    }
}
