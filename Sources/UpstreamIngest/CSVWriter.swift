/// Writes delimited text that ``CSVReader`` (and spreadsheet tools) read back unchanged.
public enum CSVWriter {
    /// One field, quoted when it holds the delimiter, a quote, a line break, or leading/trailing spaces.
    public static func escape(_ field: String, delimiter: Character = ",") -> String {
        let needsQuotes = field.contains { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            || field.first == " " || field.last == " " || field.isEmpty == false && field.first == "\u{FEFF}"
        guard needsQuotes else { return field }
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }

    /// One record, without a line ending.
    public static func line(_ fields: [String], delimiter: Character = ",") -> String {
        fields.map { escape($0, delimiter: delimiter) }.joined(separator: String(delimiter))
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
