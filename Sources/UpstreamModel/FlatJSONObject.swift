/// A flat JSON object of strings read in place from its UTF-8 bytes, in the one shape stores write a record's extras
/// (`{"key":"value",…}`: no whitespace, no escapes, no control characters, ASCII keys, no key twice). Text in that
/// shape reads the same here as through any JSON parser, so a reader that needs a few values can take them from the
/// bytes and leave anything else to a full parser (issue 17: a dictionary of six strings for every school-term
/// record, half of a city's records, cost a few per cent of `risk score`'s read at 3,000,000 people).
public enum FlatJSONObject {
    /// Whether `bytes` is an object in the plain shape, with at most `maxKeys` keys.
    public static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>, maxKeys: Int = 16) -> Bool {
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: maxKeys) { keys in
            var count = 0
            let shaped = forEachPair(bytes) { key, _ in
                // ASCII keys: two keys are the same string exactly when they are the same bytes.
                guard count < maxKeys, key.allSatisfy({ bytes[$0] < 0x80 }) else { count = maxKeys + 1; return }
                for k in 0..<count where keys[k].count == key.count && key.indices.allSatisfy({ bytes[keys[k].lowerBound + ($0 - key.lowerBound)] == bytes[$0] }) {
                    count = maxKeys + 1
                    return
                }
                keys[count] = key
                count += 1
            }
            return shaped && count <= maxKeys
        }
    }

    /// Calls `body` with each key's and value's byte range, in order, while the text keeps the plain shape (duplicate
    /// keys are not checked here: see ``isPlain(_:maxKeys:)``). Returns whether the whole text had it.
    @discardableResult
    public static func forEachPair(_ b: UnsafeBufferPointer<UInt8>, _ body: (_ key: Range<Int>, _ value: Range<Int>) -> Void) -> Bool {
        let n = b.count
        guard n >= 2, b[0] == UInt8(ascii: "{"), b[n - 1] == UInt8(ascii: "}") else { return false }
        if n == 2 { return true }
        var i = 1
        func string() -> Range<Int>? {
            guard i < n, b[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            let start = i
            while i < n, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 { i += 1 }
            guard i < n, b[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            return start..<(i - 1)
        }
        while true {
            guard let key = string(), i < n, b[i] == UInt8(ascii: ":"), { i += 1; return true }(), let value = string(), i < n else { return false }
            body(key, value)
            if b[i] == UInt8(ascii: "}") { return i == n - 1 }
            guard b[i] == UInt8(ascii: ",") else { return false }
            i += 1
        }
    }
}
