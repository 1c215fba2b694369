/// The one CSV writer of the package: delimited text that ``CSVReader`` (and spreadsheet tools) read back unchanged.
///
/// A field is quoted when it holds the delimiter, a quote, a line break, starts or ends with white space, or starts
/// with a byte-order mark; a quote inside is doubled. A record of one empty field is written `""` (an empty line
/// would be read as a blank line and skipped).
public enum CSVWriter {
    /// Whether `field` must be quoted.
    public static func needsQuotes(_ field: String, delimiter: Character = ",") -> Bool {
        // Work on scalars: a combining mark after a delimiter must not hide it (",\u{301}" is one Character).
        let d = delimiter.unicodeScalars.first!
        let scalars = field.unicodeScalars
        return scalars.contains { $0 == d || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || scalars.first?.properties.isWhitespace == true || scalars.last?.properties.isWhitespace == true
            || scalars.first == "\u{FEFF}"
    }

    /// One field, quoted when it needs to be.
    public static func escape(_ field: String, delimiter: Character = ",") -> String {
        guard needsQuotes(field, delimiter: delimiter) else { return field }
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
        if fields.count == 1 && fields[0].isEmpty { return "\"\"" }
        return fields.map { escape($0, delimiter: delimiter) }.joined(separator: String(delimiter))
    }

    /// Whole text: a header (when given) and the rows, each ended by `lineEnd` (LF unless given).
    public static func text(header: [String]?, rows: [[String]], delimiter: Character = ",", lineEnd: String = "\n") -> String {
        var out = ""
        if let header { out += line(header, delimiter: delimiter) + lineEnd }
        for r in rows { out += line(r, delimiter: delimiter) + lineEnd }
        return out
    }

    /// Appends one record and an LF to `buffer`, as ``line(_:delimiter:)`` writes it, checking bytes rather than
    /// characters (the synthetic city's writer calls this for every row).
    public static func append(_ fields: [String], delimiter: UInt8 = UInt8(ascii: ","), to buffer: inout [UInt8]) {
        if fields.count == 1 && fields[0].isEmpty { buffer.append(contentsOf: [0x22, 0x22, 0x0A]); return }
        var first = true
        for f in fields {
            if !first { buffer.append(delimiter) }
            first = false
            appendField(f, delimiter: delimiter, to: &buffer)
        }
        buffer.append(0x0A)
    }

    /// Appends one field to `buffer`, quoted when it needs to be (as ``escape(_:delimiter:)`` writes it), with no
    /// delimiter or line end: for a writer that lays out its own records without an array of fields a row.
    public static func appendField(_ field: String, delimiter: UInt8 = UInt8(ascii: ","), to buffer: inout [UInt8]) {
        // Read as one buffer of bytes (a small string's copied to the stack): through the string's UTF-8 view, each
        // byte of the quoting test went through the view's index, about half a 1,000,000-record export's time.
        var f = field
        f.withUTF8 { utf8 in
            var quote = false
            for b in utf8 where b == delimiter || b == 0x22 || b == 0x0A || b == 0x0D { quote = true; break }
            if !quote, let a = utf8.first, let z = utf8.last {
                // ASCII white space at either end (space, tab, vertical tab, form feed: what `isWhitespace` says
                // of ASCII besides the line ends), or any non-ASCII scalar there (checked as the text writer does).
                @inline(__always) func blank(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
                quote = blank(a) || blank(z) || ((a >= 0x80 || z >= 0x80) && needsQuotes(field, delimiter: Character(Unicode.Scalar(delimiter))))
            }
            if quote {
                buffer.append(0x22)
                for b in utf8 {
                    if b == 0x22 { buffer.append(0x22) }
                    buffer.append(b)
                }
                buffer.append(0x22)
            } else {
                buffer.append(contentsOf: utf8)
            }
        }
    }
}
