import Foundation
import UpstreamModel

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

    /// Appends `s` as a JSON string literal (UpstreamModel's one escape, ``JSONText``).
    public static func escape(_ s: String, into out: inout String) { JSONText.append(s, to: &out) }

    public static func decode(_ text: String) -> [String: String] {
        guard let data = text.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: String] else { return [:] }
        return obj
    }
}
