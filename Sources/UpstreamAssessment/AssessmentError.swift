/// What went wrong while assessing: which file or input, which line, and what to do. Never carries a personal value.
public struct AssessmentError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Code: Equatable, Sendable {
        case unrecognisedHeader(file: String, columns: [String])
        case missingColumn(file: String, column: String)
        case emptyFile(file: String)
        case badPeriod(String)
        case noCrimes(String)
        case badWeights(String)
    }

    private let code: Code
    private init(_ code: Code) { self.code = code }

    /// The file's first line is not a police.uk street-level crime, outcomes or stop-and-search header.
    public static func unrecognisedHeader(file: String, columns: [String]) -> AssessmentError {
        AssessmentError(.unrecognisedHeader(file: file, columns: Array(columns.prefix(16))))
    }
    /// The header is recognised but lacks a column the assessment needs.
    public static func missingColumn(file: String, column: String) -> AssessmentError {
        AssessmentError(.missingColumn(file: file, column: column))
    }
    /// The file has no header at all.
    public static func emptyFile(_ file: String) -> AssessmentError { AssessmentError(.emptyFile(file: file)) }
    /// A period that cannot be assessed (`--from` after `--to`, or not `YYYY-MM`).
    public static func badPeriod(_ why: String) -> AssessmentError { AssessmentError(.badPeriod(why)) }
    /// Nothing to assess.
    public static func noCrimes(_ why: String) -> AssessmentError { AssessmentError(.noCrimes(why)) }
    /// Priority weights that cannot be used.
    public static func badWeights(_ why: String) -> AssessmentError { AssessmentError(.badWeights(why)) }

    public var description: String {
        switch code {
        case .unrecognisedHeader(let file, let columns):
            return "\(file) is not a police.uk street-level crime, outcomes or stop-and-search file: its header is "
                + "\(columns.joined(separator: ", ")). Download the CSV files from data.police.uk and pass them unchanged."
        case .missingColumn(let file, let column):
            return "\(file) has no \"\(column)\" column: pass the police.uk file as published, with its header line."
        case .emptyFile(let file):
            return "\(file) is empty: it has no header line. Check the download."
        case .badPeriod(let why): return "the period cannot be assessed: \(why)"
        case .noCrimes(let why): return "nothing to assess: \(why)"
        case .badWeights(let why): return "the priority weights cannot be used: \(why)"
        }
    }
}
