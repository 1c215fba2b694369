/// Helpers for the terminal renderings: safe text and aligned columns.
enum PlainText {
    /// Control characters would let a record's free text move the cursor or clear the terminal: drop them.
    static func clean(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) }))
    }

    /// Columns padded to their widest cell; `right` lists right-aligned columns. The last column is not padded.
    static func table(_ headers: [String], right: Set<Int>, rows: [[String]], skipIfEmpty: Bool) -> [String] {
        if rows.isEmpty && skipIfEmpty { return [] }
        let cells = ([headers] + rows).map { $0.map(clean) }
        var widths = Array(repeating: 0, count: headers.count)
        for r in cells { for (i, v) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], v.count) } }
        func line(_ r: [String]) -> String {
            var parts: [String] = []
            for (i, v) in r.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[i] - v.count))
                if right.contains(i) { parts.append(pad + v) } else { parts.append(i == r.count - 1 ? v : v + pad) }
            }
            return "  " + parts.joined(separator: "  ")
        }
        var out = [line(cells[0]), "  " + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        for r in cells.dropFirst() { out.append(line(r)) }
        if rows.isEmpty { out.append("  (none)") }
        return out
    }
}
