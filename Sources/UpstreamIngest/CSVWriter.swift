/// Writes delimited text that ``CSVReader`` (and spreadsheet tools) read back unchanged.
public enum CSVWriter {
    /// One field, quoted when it holds the delimiter, a quote, a line break, or leading/trailing spaces.
    public static func escape(_ field: String, delimiter: Character = ",") -> String {
        // Work on scalars: a combining mark after a delimiter must not hide it (",\u{301}" is one Character).
        let d = delimiter.unicodeScalars.first!
        let needsQuotes = field.unicodeScalars.contains { $0 == d || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.unicodeScalars.first == " " || field.unicodeScalars.last == " " || field.unicodeScalars.first == "\u{FEFF}"
        guard needsQuotes else { return field }
        var out = String.UnicodeScalarView()
        out.append("\"")
        for u in field.unicodeScalars {
            out.append(u)
            if u == "\"" { out.append(u) }
        }
        out.append("\"")
        return String(out)
    }

    /// One record, without a line ending.
    public static func line(_ fields: [String], delimiter: Character = ",") -> String {
        fields.map { escape($0, delimiter: delimiter) }.joined(separator: String(delimiter))
    }
}

