/// A table for binary classification: named numeric feature columns (column-major, `Float`, NaN = missing),
/// a 0/1 label per row, and an optional key per row (a pseudonym, a row number) so results can be traced back.
///
/// Pure value type. Categorical text is encoded before it gets here (see `TabularCSV`); every learner in this
/// module reads a `Dataset` and every metric reads the scores it produces.
public struct Dataset: Sendable {
    public var featureNames: [String]
    /// `columns[feature][row]`; `Float.nan` marks a missing value.
    public var columns: [[Float]]
    /// 0 or 1 per row; empty when the outcome is unknown (scoring).
    public var labels: [UInt8]
    /// An identifier per row (may be empty).
    public var keys: [String]

    public init(featureNames: [String], columns: [[Float]], labels: [UInt8] = [], keys: [String] = []) {
        precondition(featureNames.count == columns.count, "one name per column")
        let n = columns.first?.count ?? labels.count
        precondition(columns.allSatisfy { $0.count == n }, "columns of equal length")
        precondition(labels.isEmpty || labels.count == n, "one label per row")
        precondition(keys.isEmpty || keys.count == n, "one key per row")
        self.featureNames = featureNames; self.columns = columns; self.labels = labels; self.keys = keys
    }

    public var rowCount: Int { columns.first?.count ?? labels.count }
    public var featureCount: Int { columns.count }

    /// The value of one feature in one row.
    @inlinable public subscript(row: Int, feature: Int) -> Float { columns[feature][row] }

    /// One row as a vector of feature values.
    public func row(_ i: Int) -> [Float] { columns.map { $0[i] } }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        Dataset(
            featureNames: featureNames,
            columns: columns.map { c in indices.map { c[$0] } },
            labels: labels.isEmpty ? [] : indices.map { labels[$0] },
            keys: keys.isEmpty ? [] : indices.map { keys[$0] })
    }

    /// Only the named features, in the order given (unknown names are a programming error).
    public func selecting(features names: [String]) -> Dataset {
        let index = Dictionary(uniqueKeysWithValues: featureNames.enumerated().map { ($1, $0) })
        return Dataset(featureNames: names, columns: names.map { columns[index[$0]!] }, labels: labels, keys: keys)
    }
}
