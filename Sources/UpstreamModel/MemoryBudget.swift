/// A memory budget written the way people write it: `8G`, `512M`, `8GiB`, `1.5g`, or plain bytes.
public enum MemoryBudget {
    /// Bytes, or `nil` when the text is not a size (a number, optionally followed by K, M, G or T, with or
    /// without "iB"/"B"; binary units: 1K = 1,024 bytes).
    public static func parse(_ text: String) -> Int? {
        var t = Substring(text.uppercased().filter { $0 != " " && $0 != "_" })
        if t.hasSuffix("IB") { t = t.dropLast(2) } else if t.hasSuffix("B") { t = t.dropLast() }
        var scale = 1.0
        if let last = t.last, let p = ["K": 1, "M": 2, "G": 3, "T": 4][String(last)] {
            for _ in 0..<p { scale *= 1024 }
            t = t.dropLast()
        }
        guard let v = Double(t), v.isFinite, v > 0 else { return nil }
        let bytes = v * scale
        guard bytes >= 1, bytes < 9e18 else { return nil }
        return Int(bytes)
    }

    /// The bytes of a `--memory` value at least `minimum` (1 MiB unless told), or `nil`: the one check every command
    /// that takes a budget makes, so they accept the same sizes.
    public static func bytes(_ text: String, atLeast minimum: Int = 1 << 20) -> Int? {
        guard let b = parse(text), b >= minimum else { return nil }
        return b
    }

    /// The one message for a `--memory` value that is not a size of at least 1 MiB.
    public static func problem(_ text: String) -> String {
        "--memory \(text) must be a size such as 8G, 512M or 2048K (at least 1M)"
    }
}
