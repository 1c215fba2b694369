/// Why gradient-boosted trees could not be trained.
public enum TreesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The training table has no rows (or no features).
    case emptyData
    /// Training needs a 0/1 label for every row.
    case labelsMissing
    /// A label other than 0 or 1.
    case invalidLabel(row: Int, value: UInt8)
    /// Every training row has the same outcome, so there is nothing to separate.
    case singleClass(label: UInt8)
    /// The validation table lacks features the training table has, or has no labels.
    case validationMismatch(String)
    /// A hyper-parameter out of range.
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .emptyData: "gradient-boosted trees: the training data has no rows or no features"
        case .labelsMissing: "gradient-boosted trees: the training data has no labels (one 0/1 label per row is needed)"
        case .invalidLabel(let row, let value): "gradient-boosted trees: label \(value) in row \(row) is not 0 or 1"
        case .singleClass(let label):
            "gradient-boosted trees: every training row has label \(label); both outcomes are needed to learn anything"
        case .validationMismatch(let why): "gradient-boosted trees: validation data unusable: \(why)"
        case .invalidParameter(let why): "gradient-boosted trees: \(why)"
        }
    }
}
