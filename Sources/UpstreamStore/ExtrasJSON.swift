import Foundation
import UpstreamModel

/// A record's extra columns as a flat string-to-string JSON object, written without Foundation's encoder on the
/// ingest hot path with UpstreamModel's one JSON string escape (``JSONText``); every store adapter writes and reads
/// the same text.
public enum ExtrasJSON {
    public static func encode(_ dict: [String: String]) -> String {
        var out = "{"
        for (n, key) in dict.keys.sorted().enumerated() {
            if n > 0 { out += "," }
            JSONText.append(key, to: &out)
            out += ":"
            JSONText.append(dict[key]!, to: &out)
        }
        return out + "}"
    }

    public static func decode(_ text: String) -> [String: String] {
        guard let data = text.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: String] else { return [:] }
        return obj
    }
}
