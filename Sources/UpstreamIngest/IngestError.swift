/// An error from ingest that stops a whole file (a bad row is quarantined instead, never thrown).
///
/// It names where the problem is (file, spec line, field) and never the personal values involved.
public struct IngestError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case cannotOpen, cannotRead, emptyFile, duplicateHeader, missingColumn, emptyHeader, spec, encoding
    }

    private let code: Code
    /// The file the problem is in.
    public let file: String
    /// The 1-based line, when the problem has one.
    public let line: Int?
    /// The 1-based column on that line, when known.
    public let column: Int?
    /// The spec field or file column concerned.
    public let field: String?
    /// What is wrong, in words (never a personal value).
    public let message: String

    private init(_ code: Code, file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.code = code; self.file = file; self.line = line; self.column = column; self.field = field
        self.message = message
    }

    public static func cannotOpen(_ path: String) -> IngestError { IngestError(.cannotOpen, file: path, message: "cannot open file") }
    public static func cannotRead(_ path: String) -> IngestError { IngestError(.cannotRead, file: path, message: "cannot read file") }
    /// The file has no bytes at all (not even a header).
    public static func emptyFile(_ path: String) -> IngestError {
        IngestError(.emptyFile, file: path, line: 1, message: "the file is empty: no header row")
    }
    /// The header names the same column twice.
    public static func duplicateHeader(_ path: String, column: String) -> IngestError {
        IngestError(.duplicateHeader, file: path, line: 1, field: column, message: "the header names column '\(column)' more than once")
    }
    /// A header cell is empty.
    public static func emptyHeader(_ path: String, position: Int) -> IngestError {
        IngestError(.emptyHeader, file: path, line: 1, column: position, message: "header column \(position) has no name")
    }
    /// The spec maps a column that the file does not have.
    public static func missingColumn(_ path: String, column: String, spec: String, specLine: Int?, field: String) -> IngestError {
        IngestError(.missingColumn, file: spec, line: specLine, field: field,
                    message: "field '\(field)' names column '\(column)', which \(path) does not have")
    }
    /// The file is not in the encoding its spec declares, and no row could be read from it (such as UTF-16).
    /// - Parameters:
    ///   - found: the encoding detected, e.g. `UTF-16LE`.
    ///   - expected: the spec's encoding.
    public static func encoding(_ path: String, found: String, expected: String) -> IngestError {
        IngestError(.encoding, file: path, line: 1,
                    message: "the file is \(found), but its spec says \(expected); convert it first, e.g. "
                        + "iconv -f \(found.hasPrefix("UTF-16") ? "UTF-16" : found) -t UTF-8 FILE > FILE.utf8, and load the converted file")
    }
    /// A mistake in a spec file, with the line and column of the offending YAML node.
    public static func spec(_ path: String, line: Int?, column: Int?, field: String, _ message: String) -> IngestError {
        IngestError(.spec, file: path, line: line, column: column, field: field, message: message)
    }

    public var description: String {
        var loc = file
        if let line { loc += ":\(line)" }
        if let column { loc += ":\(column)" }
        if let field { return "\(loc): \(field): \(message)" }
        return "\(loc): \(message)"
    }
}
