/// Why a row went to quarantine. The raw values are stable codes stored with each quarantined row.
public enum QuarantineReason: String, Sendable, Hashable, CaseIterable, Codable {
    /// A quoted field never closes.
    case unbalancedQuote = "unbalanced_quote"
    /// Text follows a closing quote.
    case malformedQuote = "malformed_quote"
    /// The record exceeds the size limit.
    case recordTooLong = "record_too_long"
    /// The row has more or fewer fields than the header.
    case columnCount = "column_count"
    /// The row's bytes are not valid in the file's declared encoding (e.g. Latin-1 bytes in a UTF-8 file).
    case invalidEncoding = "invalid_encoding"
    /// A JSON Lines row is not a flat JSON object.
    case invalidJSON = "invalid_json"
    /// The record id is empty.
    case missingRecordID = "missing_record_id"
    /// A required column (or the event date) is empty.
    case missingValue = "missing_value"
    /// A date does not parse in the spec's format (or is not a real day, like 31/02/2010).
    case invalidDate = "invalid_date"
    /// A date parses but cannot be right: before 1900 or after the load date.
    case implausibleDate = "implausible_date"
    /// A coded value the spec does not map (sex, role, event kind, crime flags).
    case unknownCode = "unknown_code"
    /// The source already holds a record with this id (from this file or an earlier delivery).
    case duplicateRecordID = "duplicate_record_id"
    /// A field holds a NUL byte (a sign of a corrupt or binary export); the value would be cut short if stored.
    case nulByte = "nul_byte"
    /// The file's last row has no line ending and its last field is not closed by a quote: the file may have been
    /// cut off inside that field, so the value may be truncated.
    case unterminatedLastRow = "unterminated_last_row"

    /// What the reason means, for reports.
    public var explanation: String {
        switch self {
        case .unbalancedQuote: "a quoted field never closes"
        case .malformedQuote: "text after a closing quote"
        case .recordTooLong: "the record exceeds the size limit"
        case .columnCount: "more or fewer fields than the header"
        case .invalidEncoding: "bytes not valid in the file's encoding"
        case .invalidJSON: "not a flat JSON object"
        case .missingRecordID: "the record id is empty"
        case .missingValue: "a required value is empty"
        case .invalidDate: "a date does not parse in the spec's format"
        case .implausibleDate: "a date before 1900 or after the load date"
        case .unknownCode: "a code the spec does not map"
        case .duplicateRecordID: "a record with this id is already loaded"
        case .nulByte: "a NUL byte inside a field (corrupt export)"
        case .unterminatedLastRow: "the last row has no line ending: the file may be cut off"
        }
    }
}

extension QuarantineReason {
    /// Every reason code, comma separated, for messages that list the valid ones.
    public static var codeList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
