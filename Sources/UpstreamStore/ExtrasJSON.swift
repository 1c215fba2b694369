import Foundation
import UpstreamModel

/// A record's extra columns as a flat string-to-string JSON object, written without Foundation's encoder on the
/// ingest hot path with UpstreamModel's one JSON string escape (``JSONText``); every store adapter writes and reads
/// the same text.
public enum ExtrasJSON {
    /// The text a store keeps for a record's extras: `nil` (the column left empty) when there are none.
    public static func text(of extras: [String: String]) -> String? { extras.isEmpty ? nil : encode(extras) }

    /// The object's text, keys in order: written as bytes, then made a string once (appending to a string piece by
    /// piece was a fifth of ingesting the school census, whose every row has extras; Benchmarks/force-scale.md).
    public static func encode(_ dict: [String: String]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(2 + dict.count * 24)
        out.append(UInt8(ascii: "{"))
        for (n, key) in dict.keys.sorted().enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.append(key, toUTF8: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.append(dict[key]!, toUTF8: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The object in `text` (an empty dictionary when it is not a JSON object of strings). The text ``encode(_:)``
    /// writes is read by a small scanner over its UTF-8 bytes; anything else (whitespace, numbers, nesting) falls back
    /// to Foundation's parser, which gives the same answer slower (Foundation's was a tenth of a chronology's build:
    /// every record carries extras; docs/web.md, "Where a view's time goes").
    public static func decode(_ text: String) -> [String: String] {
        var text = text
        if let fast = text.withUTF8({ scan($0) }) { return fast }
        guard let data = text.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: String] else { return [:] }
        return obj
    }

    /// The object in UTF-8 bytes (a store's column read in place), as ``decode(_:)`` reads it.
    public static func decode(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [String: String] {
        scan(bytes) ?? decode(String(decoding: bytes, as: UTF8.self))
    }

    /// A flat object of strings with no whitespace, as ``encode(_:)`` writes it; nil for anything else (the caller
    /// then asks Foundation), including a key given twice (Foundation's choice of which one wins is left to it).
    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> [String: String]? {
        let n = b.count
        guard n >= 2, b[0] == UInt8(ascii: "{"), b[n - 1] == UInt8(ascii: "}") else { return nil }
        var out: [String: String] = [:]
        var i = 1
        if n == 2 { return out }
        /// A JSON string starting at `i` (its opening quote); moves `i` past the closing quote.
        func string() -> String? {
            guard i < n, b[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            let start = i
            while i < n, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 { i += 1 }
            guard i < n else { return nil }
            if b[i] == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            // Escapes: decode them one by one.
            var bytes = Array(b[start..<i])
            while i < n {
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; return String(decoding: bytes, as: UTF8.self) }
                if c < 0x20 { return nil }
                if c != UInt8(ascii: "\\") { bytes.append(c); i += 1; continue }
                guard i + 1 < n else { return nil }
                let e = b[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    guard let unit = hex4() else { return nil }
                    var scalar: Unicode.Scalar?
                    if (0xD800..<0xDC00).contains(unit) {
                        // A high surrogate must be followed by an escaped low one.
                        guard i + 1 < n, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else { return nil }
                        i += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                    } else {
                        scalar = Unicode.Scalar(unit)
                    }
                    guard let scalar else { return nil }
                    bytes += Array(String(Character(scalar)).utf8)
                default: return nil
                }
            }
            return nil
        }
        func hex4() -> UInt32? {
            guard i + 4 <= n else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                let d: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
                i += 1
            }
            return v
        }
        while true {
            guard let key = string(), i < n, b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard let value = string(), i < n else { return nil }
            guard out.updateValue(value, forKey: key) == nil else { return nil }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            return b[i] == UInt8(ascii: "}") && i == n - 1 ? out : nil
        }
    }
}
