import Foundation
import UpstreamModel

/// Why a table could not be read or used. Carries where (line, column name), never a cell's value.
public struct TabularError: Error, Equatable, CustomStringConvertible {
    private enum Code: Equatable {
        case empty, unterminatedQuote, textAfterQuote
        case fieldCount(expected: Int, found: Int)
        case duplicateColumn, emptyColumnName, unknownColumn, noUsableRows, oneOutcome
        case duplicateColumnDiffers(line: Int), noUsableScore, foldOneOutcome(rows: Int, positives: Int, folds: Int)
        case thresholdOutside(everyone: Bool, lowest: Double, highest: Double)
    }
    private let code: Code
    /// The line of the file where the problem starts (1-based), when it has one.
    public let line: Int?
    /// The column concerned, when there is one.
    public let column: String?

    /// The file has no header row.
    public static let empty = TabularError(code: .empty, line: nil, column: nil)
    /// A quoted field is never closed.
    public static func unterminatedQuote(line: Int) -> Self { .init(code: .unterminatedQuote, line: line, column: nil) }
    /// Text follows the closing quote of a field.
    public static func textAfterQuote(line: Int) -> Self { .init(code: .textAfterQuote, line: line, column: nil) }
    /// A row has a different number of fields from the header.
    public static func fieldCount(line: Int, expected: Int, found: Int) -> Self {
        .init(code: .fieldCount(expected: expected, found: found), line: line, column: nil)
    }
    /// Two header columns share a name.
    public static func duplicateColumn(_ name: String) -> Self { .init(code: .duplicateColumn, line: 1, column: name) }
    /// Two header columns share a name, the column is used, and their values differ on `line`.
    public static func duplicateColumnDiffers(_ name: String, line: Int) -> Self {
        .init(code: .duplicateColumnDiffers(line: line), line: line, column: name)
    }
    /// A threshold that flags every row or none: the audit would compare nothing.
    public static func thresholdOutside(everyone: Bool, lowest: Double, highest: Double) -> Self {
        .init(code: .thresholdOutside(everyone: everyone, lowest: lowest, highest: highest), line: nil, column: nil)
    }
    /// Rows have an outcome, but no row has a usable score.
    public static func noUsableScore(column: String) -> Self { .init(code: .noUsableScore, line: nil, column: column) }
    /// The file has both outcomes, but a cross-validation fold's training rows have only one.
    public static func foldOneOutcome(column: String, rows: Int, positives: Int, folds: Int) -> Self {
        .init(code: .foldOneOutcome(rows: rows, positives: positives, folds: folds), line: nil, column: column)
    }
    /// A header column has no name.
    public static let emptyColumnName = TabularError(code: .emptyColumnName, line: 1, column: nil)
    /// A column named on the command line is not in the header.
    public static func unknownColumn(_ name: String) -> Self { .init(code: .unknownColumn, line: nil, column: name) }
    /// No row has a usable outcome (and score).
    public static let noUsableRows = TabularError(code: .noUsableRows, line: nil, column: nil)
    /// Every usable row has the same outcome.
    public static func oneOutcome(column: String) -> Self { .init(code: .oneOutcome, line: nil, column: column) }

    public var description: String {
        switch code {
        case .empty: return "the CSV file is empty; it needs a header row naming the columns"
        case .unterminatedQuote: return "line \(line ?? 0): a quoted field is never closed; close it with \""
        case .textAfterQuote: return "line \(line ?? 0): text after a closing quote; quote the whole field"
        case .fieldCount(let expected, let found):
            return "line \(line ?? 0): \(found) fields where the header has \(expected)"
        case .duplicateColumn: return "the header names column \(column ?? "") twice; rename one"
        case .duplicateColumnDiffers(let line):
            return "the header names column \(column ?? "") more than once and the copies differ (first on line \(line)); "
                + "rename one, or leave the column out of --features, --protected, --outcome and --score"
        case .thresholdOutside(let everyone, let lowest, let highest):
            return "the threshold flags \(everyone ? "every row" : "no row"): the scores run from \(lowest) to \(highest); give a --threshold above \(lowest) and at most \(highest)"
        case .noUsableScore:
            return "no row has a usable score in column \(column ?? ""): every value is missing or not a number; check the column name and its values"
        case .foldOneOutcome(let rows, let positives, let folds):
            return "the file has both outcomes, but with \(rows) usable rows (\(positives) with \(column ?? "the outcome") = 1) some of the "
                + "\(folds) cross-validation folds train on rows that all have the same outcome; use fewer folds (--folds 2) or more rows"
        case .emptyColumnName: return "the header has a column with no name; name every column"
        case .unknownColumn: return "there is no column \(column ?? "") in the header; check the spelling"
        case .noUsableRows: return "no row has a usable outcome; see the problems listed"
        case .oneOutcome: return "every usable row has the same \(column ?? "outcome"); a model needs both outcomes"
        }
    }
}

/// RFC 4180 CSV with a header row: quoted fields (with `""` for a quote, and commas and line breaks inside),
/// LF or CRLF line ends, an optional UTF-8 byte-order mark. Blank lines are skipped.
public enum TabularCSV {

    /// A parsed CSV file: the header and the rows as text, with the line each row starts on.
    public struct Table: Sendable, Hashable {
        public var header: [String]
        public var rows: [[String]]
        /// The 1-based line of the file each row starts on (the header is line 1), for problem reports.
        public var lines: [Int]
        /// Names the header repeats, with every position they appear at. `columnIndex` gives the first; a repeated
        /// name may be used only when its copies hold the same value in every row (`checkRepeated`).
        public var repeated: [String: [Int]] = [:]

        public init(header: [String], rows: [[String]], lines: [Int]? = nil) {
            self.header = header
            self.rows = rows
            self.lines = lines ?? rows.indices.map { $0 + 2 }
        }

        /// The position of a column by name.
        public func columnIndex(_ name: String) -> Int? { header.firstIndex(of: name) }

        /// Every row's value in the named column.
        public func column(_ name: String) -> [String]? {
            columnIndex(name).map { j in rows.map { $0[j] } }
        }
    }

    /// Parses CSV text.
    /// - Throws: `TabularError` naming the line of the first malformed row.
    public static func parse(_ text: String) throws -> Table {
        var text = text
        return try text.withUTF8 { try parse(bytes: $0) }
    }

    /// Parses CSV bytes (UTF-8; invalid sequences are replaced).
    /// - Throws: `TabularError` naming the line of the first malformed row.
    public static func parse(_ data: Data) throws -> Table {
        try data.withUnsafeBytes { try parse(bytes: $0.bindMemory(to: UInt8.self)) }
    }

    /// Reads with the package's one CSV reader (`CSVReader`): a byte order mark and blank lines are skipped, LF, CRLF
    /// and CR end lines, and a quote inside an unquoted field is kept as text, as pandas and R read it. What the reader
    /// cannot split reliably is refused with its line: a quote that never closes, text after a closing quote.
    static func parse(bytes: UnsafeBufferPointer<UInt8>) throws -> Table {
        var reader = CSVReader(ArrayByteStream(Array(bytes)), options: CSVOptions(maxRecordBytes: max(1 << 20, bytes.count)))
        var records: [[String]] = []
        var lines: [Int] = []
        while try reader.next() {
            switch reader.problem {
            case .unbalancedQuote?: throw TabularError.unterminatedQuote(line: reader.line)
            case .malformedQuote?: throw TabularError.textAfterQuote(line: reader.line)
            case .recordTooLong?, nil: break
            }
            records.append(reader.fields)
            lines.append(reader.line)
        }

        guard let header = records.first else { throw TabularError.empty }
        var positions: [String: [Int]] = [:]
        for (j, name) in header.enumerated() {
            guard !name.isEmpty else { throw TabularError.emptyColumnName }
            positions[name, default: []].append(j)
        }
        for (r, row) in records.enumerated().dropFirst() where row.count != header.count {
            throw TabularError.fieldCount(line: lines[r], expected: header.count, found: row.count)
        }
        // A repeated name is read as pandas and R read it, and checked only if used (`checkRepeated`).
        var table = Table(header: header, rows: Array(records.dropFirst()), lines: Array(lines.dropFirst()))
        table.repeated = positions.filter { $0.value.count > 1 }
        return table
    }

    /// Checks the repeated header names among `used` columns, and says in a note what was done with every repeated name:
    /// a used name whose copies hold the same value in every row is read once; an unused one is ignored.
    /// - Throws: `TabularError.duplicateColumnDiffers` when a used name's copies differ on some row.
    public static func checkRepeated(_ table: Table, used: [String]) throws -> [String] {
        var notes: [String] = []
        let usedSet = Set(used)
        for (name, positions) in table.repeated.sorted(by: { $0.key < $1.key }) {
            guard usedSet.contains(name) else {
                notes.append("column \(name) appears \(positions.count) times in the header; it is not used, so the copies were ignored")
                continue
            }
            for (r, row) in table.rows.enumerated() where Set(positions.map { row[$0] }).count > 1 {
                throw TabularError.duplicateColumnDiffers(name, line: table.lines[r])
            }
            notes.append("column \(name) appears \(positions.count) times in the header with the same value in every row; it was read once")
        }
        return notes
    }

    /// Writes a table as CSV (LF line ends) with UpstreamModel's one `CSVWriter`, quoting only fields that need it:
    /// those holding a comma, a quote, a line break, or leading or trailing space, and a lone empty field (which would
    /// otherwise read as a blank line).
    public static func render(header: [String], rows: [[String]]) -> String {
        CSVWriter.text(header: header, rows: rows)
    }

    /// Whether a cell counts as missing: empty, `NA`, `N/A`, `#N/A`, `NaN`, `null` or `.` (any case, surrounding
    /// space ignored). `none` is not: it is often a real level ("exclusions: none").
    public static func isMissing(_ value: String) -> Bool {
        let v = value.trimmingCharacters(in: .whitespaces).lowercased()
        return v.isEmpty || ["na", "n/a", "#n/a", "nan", "null", "."].contains(v)
    }

    /// The largest magnitude a numeric cell may have: beyond it a value would overflow the learners' single-precision
    /// features and their sums, so it is treated as missing (and counted).
    public static let largestNumber = 1e30

    /// A cell as a finite number within ±`largestNumber`, or `nil` when it is missing, not a number, infinite or
    /// out of range.
    public static func number(_ value: String) -> Double? {
        let v = value.trimmingCharacters(in: .whitespaces)
        guard !isMissing(v), let d = Double(v), d.isFinite, abs(d) <= largestNumber else { return nil }
        return d
    }

    /// A cell as an outcome: `1`/`0`, `true`/`false`, `yes`/`no` (any case); `nil` when missing or anything else.
    public static func outcome(_ value: String) -> UInt8? {
        switch value.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "1.0", "true", "yes": 1
        case "0", "0.0", "false", "no": 0
        default: nil
        }
    }
}

/// A row left out of training or an audit, and why. Names the line and column, never the value.
public struct RowProblem: Codable, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the row.
    public enum Kind: String, Codable, Sendable, Hashable {
        case missingOutcome = "missing outcome"
        case invalidOutcome = "outcome is not 0/1, true/false or yes/no"
        case missingScore = "missing score"
        case invalidScore = "score is not a number"
    }
    public var line: Int
    public var column: String
    public var kind: Kind
    public init(line: Int, column: String, kind: Kind) {
        self.line = line
        self.column = column
        self.kind = kind
    }
    public var description: String { "line \(line), column \(column): \(kind.rawValue)" }
}

/// Turns a table's text columns into numeric features, fitted on the training table and stored with the model so
/// new tables are encoded the same way.
///
/// A column is numeric when at least nine in ten of its non-missing values (see `TabularCSV.isMissing`) are numbers
/// (`TabularCSV.number`); missing → NaN, and the few other cells (`inf`, `1e308`, a stray word) are treated as missing
/// too and counted in `Column.notNumbers`, so one bad cell never turns a numeric column into a category.
/// Otherwise it is categorical and one-hot encoded: a feature `column=level` for each level seen at least
/// `minimumLevelCount` times (at most `maximumLevels`, most frequent first), a feature `column=other` for every other
/// level, including levels first seen when encoding, and — when the column had missing values in training — a
/// feature `column=missing`. A missing value in a column that had none in training encodes as all zeros.
public struct TabularEncoder: Codable, Sendable, Hashable {
    /// How one column is encoded.
    public enum Kind: Codable, Sendable, Hashable {
        case numeric
        case categorical(levels: [String], missingLevel: Bool)
    }

    /// One source column and its encoding.
    public struct Column: Codable, Sendable, Hashable {
        public var name: String
        public var kind: Kind
        /// In a numeric column, the training cells that were not usable numbers and were read as missing.
        public var notNumbers: Int? = nil
    }

    /// One sentence per numeric column with cells read as missing because they were not usable numbers.
    public var notes: [String] {
        columns.compactMap { c in
            guard let n = c.notNumbers, n > 0 else { return nil }
            return "column \(c.name): \(n) cell\(n == 1 ? "" : "s") not a usable number (such as inf, an overflowing value or text) read as missing"
        }
    }

    public var columns: [Column]

    /// Learns each column's encoding from the training rows.
    /// - Parameters:
    ///   - features: the columns to encode, in order.
    ///   - rows: the rows to learn from (default: all).
    /// - Throws: `TabularError.unknownColumn` for a name not in the header.
    public static func fit(
        _ table: TabularCSV.Table, features: [String], rows: [Int]? = nil, minimumLevelCount: Int = 10,
        maximumLevels: Int = 50
    ) throws -> TabularEncoder {
        let rows = rows ?? Array(table.rows.indices)
        let columns = try features.map { name -> Column in
            guard let j = table.columnIndex(name) else { throw TabularError.unknownColumn(name) }
            var numbers = 0, others = 0
            var missing = false
            var counts: [String: Int] = [:]
            for r in rows {
                let raw = table.rows[r][j]
                if TabularCSV.isMissing(raw) {
                    missing = true
                    continue
                }
                if TabularCSV.number(raw) == nil { others += 1 } else { numbers += 1 }
                counts[raw.trimmingCharacters(in: .whitespaces), default: 0] += 1
            }
            if others == 0 || (numbers > 0 && numbers >= 9 * others) {
                return Column(name: name, kind: .numeric, notNumbers: others)
            }
            let levels = counts.filter { $0.value >= minimumLevelCount }
                .sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .prefix(maximumLevels).map(\.key)
            return Column(name: name, kind: .categorical(levels: levels, missingLevel: missing))
        }
        return TabularEncoder(columns: columns)
    }

    /// The encoded feature names, in order.
    public var featureNames: [String] {
        columns.flatMap { c -> [String] in
            switch c.kind {
            case .numeric: [c.name]
            case .categorical(let levels, let missingLevel):
                levels.map { "\(c.name)=\($0)" } + ["\(c.name)=other"] + (missingLevel ? ["\(c.name)=missing"] : [])
            }
        }
    }

    /// Which source column each encoded feature comes from (so contributions can be summed back per column).
    public var sourceColumns: [String] {
        columns.flatMap { c -> [String] in
            switch c.kind {
            case .numeric: [c.name]
            case .categorical(let levels, let missingLevel):
                Array(repeating: c.name, count: levels.count + 1 + (missingLevel ? 1 : 0))
            }
        }
    }

    /// Encodes the given rows as feature columns (`columns[feature][row]`). A value in a numeric column that is not a
    /// number is treated as missing.
    /// - Throws: `TabularError.unknownColumn` when the table lacks one of the encoder's columns.
    public func encode(_ table: TabularCSV.Table, rows: [Int]? = nil) throws -> [[Float]] {
        let rows = rows ?? Array(table.rows.indices)
        var out: [[Float]] = []
        for c in columns {
            guard let j = table.columnIndex(c.name) else { throw TabularError.unknownColumn(c.name) }
            switch c.kind {
            case .numeric:
                out.append(rows.map { r in TabularCSV.number(table.rows[r][j]).map(Float.init) ?? .nan })
            case .categorical(let levels, let missingLevel):
                let position = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
                var block = [[Float]](repeating: [Float](repeating: 0, count: rows.count), count: levels.count + 1)
                var missingColumn = [Float](repeating: 0, count: missingLevel ? rows.count : 0)
                for (k, r) in rows.enumerated() {
                    let raw = table.rows[r][j]
                    if TabularCSV.isMissing(raw) {
                        if missingLevel { missingColumn[k] = 1 }
                    } else {
                        block[position[raw.trimmingCharacters(in: .whitespaces)] ?? levels.count][k] = 1
                    }
                }
                out += block
                if missingLevel { out.append(missingColumn) }
            }
        }
        return out
    }
}

/// The back ends of `upstream risk train --csv` and `upstream risk audit --csv`: any table with a 0/1 outcome.
public enum TabularRisk {

    /// What `risk train` was asked to do.
    public struct TrainingOptions: Sendable, Hashable {
        /// The 0/1 outcome column.
        public var outcome: String
        /// The feature columns; `nil` = every column except the outcome, the protected columns and the id column.
        /// A protected column is a feature only when listed here.
        public var features: [String]?
        /// Columns audited for fairness (group labels).
        public var protected: [String]
        /// A column identifying the person: rows of one person never split across folds, and it keys the rows.
        public var id: String?
        public var folds: Int
        public var seed: UInt64
        /// The ridge penalty; `nil` chooses it by cross-validation.
        public var l2: Double?
        /// When given, the audit's threshold is the score at this capacity per 100,000.
        public var capacityPerHundredThousand: Double?
        public var minimumLevelCount: Int
        public var minimumGroupSize: Int

        public init(
            outcome: String, features: [String]? = nil, protected: [String] = [], id: String? = nil, folds: Int = 5,
            seed: UInt64 = 1, l2: Double? = 1.0, capacityPerHundredThousand: Double? = nil, minimumLevelCount: Int = 10,
            minimumGroupSize: Int = 10
        ) {
            self.outcome = outcome
            self.features = features
            self.protected = protected
            self.id = id
            self.folds = folds
            self.seed = seed
            self.l2 = l2
            self.capacityPerHundredThousand = capacityPerHundredThousand
            self.minimumLevelCount = minimumLevelCount
            self.minimumGroupSize = minimumGroupSize
        }
    }

    /// A model trained on a table, how it did out of fold, and the rows left out.
    public struct TrainingResult: Codable, Sendable, Hashable {
        public var encoder: TabularEncoder
        public var model: LogisticModel
        /// Out-of-fold evaluation (every row scored by a model that never saw it, or that person).
        public var evaluation: ModelEvaluation
        /// Out-of-fold fairness audit over the protected columns (`nil` when none were given).
        public var fairness: FairnessReport?
        /// Rows left out for a missing or invalid outcome.
        public var problems: [RowProblem]
        public var seed: UInt64
        /// What was done with repeated header names and cells that were not numbers.
        public var notes: [String]? = nil
    }

    /// A score column audited against an outcome column.
    public struct AuditResult: Codable, Sendable, Hashable {
        public var evaluation: ModelEvaluation
        public var fairness: FairnessReport
        /// Rows left out for a missing or invalid outcome or score.
        public var problems: [RowProblem]
        /// What was done with repeated header names.
        public var notes: [String]? = nil
    }

    /// Trains a logistic regression on a table: encodes the features, scores every row out of fold (grouped by the
    /// id column when given), evaluates and audits those scores, then fits the final model on every usable row.
    /// - Throws: `TabularError` for unknown columns or no usable rows; `LogisticRegression.Error` when training fails.
    /// A table made ready to learn from: the usable rows and their outcomes, the rows left out and why, the columns
    /// used as features and their fitted encoder, the encoded dataset keyed by the id column (or line number), and a
    /// fold for every row.
    public struct Prepared: Sendable {
        public var rows: [Int]
        public var labels: [UInt8]
        public var problems: [RowProblem]
        public var features: [String]
        public var encoder: TabularEncoder
        public var data: Dataset
        public var folds: [Int]
        /// What was done with repeated header names and cells that were not numbers, for the report.
        public var notes: [String]
    }

    /// Checks the columns, keeps the rows with a valid outcome, encodes the features and deals the folds (grouped by
    /// the id column when given). Shared by every learner trained on a table.
    public static func prepare(_ table: TabularCSV.Table, options: TrainingOptions) throws -> Prepared {
        for name in [options.outcome] + options.protected + (options.features ?? []) + (options.id.map { [$0] } ?? [])
        where table.columnIndex(name) == nil {
            throw TabularError.unknownColumn(name)
        }
        let (rows, labels, problems) = usableRows(table, outcome: options.outcome, score: nil)
        guard !rows.isEmpty else { throw TabularError.noUsableRows }
        guard labels.contains(0) && labels.contains(1) else { throw TabularError.oneOutcome(column: options.outcome) }
        let excluded = Set([options.outcome] + options.protected + (options.id.map { [$0] } ?? []))
        var seen = Set<String>()
        let features = options.features ?? table.header.filter { !excluded.contains($0) && seen.insert($0).inserted }
        var notes = try TabularCSV.checkRepeated(table, used: [options.outcome] + options.protected + features + (options.id.map { [$0] } ?? []))
        let encoder = try TabularEncoder.fit(
            table, features: features, rows: rows, minimumLevelCount: options.minimumLevelCount)
        let keys =
            options.id.flatMap { table.column($0) }.map { ids in rows.map { ids[$0] } }
            ?? rows.map { String(table.lines[$0]) }
        let data = Dataset(
            featureNames: encoder.featureNames, columns: try encoder.encode(table, rows: rows), labels: labels,
            keys: keys)
        let folds = CrossValidation.stratifiedFolds(
            labels: labels, groups: options.id == nil ? nil : keys, k: options.folds, seed: options.seed)
        // Every fold must train on both outcomes (a file can have both while a fold's training rows do not).
        for f in Set(folds) {
            let training = folds.indices.filter { folds[$0] != f }.map { labels[$0] }
            if !(training.contains(0) && training.contains(1)) {
                throw TabularError.foldOneOutcome(column: options.outcome, rows: rows.count, positives: labels.filter { $0 == 1 }.count,
                                                  folds: options.folds)
            }
        }
        notes += encoder.notes
        return Prepared(rows: rows, labels: labels, problems: problems, features: features, encoder: encoder, data: data, folds: folds,
                        notes: notes)
    }

    public static func train(_ table: TabularCSV.Table, options: TrainingOptions) throws -> TrainingResult {
        let p = try prepare(table, options: options)
        let (rows, labels, problems, encoder, data, folds) = (p.rows, p.labels, p.problems, p.encoder, p.data, p.folds)
        let l2 = try options.l2 ?? LogisticRegression.chooseL2(data, folds: folds).l2
        let scores = try CrossValidation.outOfFoldScores(data, folds: folds) { training in
            let model = try LogisticRegression.train(training, l2: l2)
            return { model.probabilities($0) }
        }
        let evaluation = Metrics.evaluate(
            name: "Logistic regression", key: "logistic", population: "\(rows.count) rows, out of fold",
            scores: scores, labels: labels, capacityPerHundredThousand: options.capacityPerHundredThousand,
            seed: options.seed)
        let fairness =
            options.protected.isEmpty
            ? nil
            : FairnessAudit.audit(
                subject: "Logistic regression, out of fold", scores: scores, labels: labels,
                attributes: options.protected.map { (name: $0, groups: groupLabels(table, column: $0, rows: rows)) },
                threshold: evaluation.capacity?.threshold, minimumGroupSize: options.minimumGroupSize)
        let model = try LogisticRegression.train(data, l2: l2)
        return TrainingResult(
            encoder: encoder, model: model, evaluation: evaluation, fairness: fairness, problems: problems,
            seed: options.seed, notes: p.notes)
    }

    /// Audits an existing score column against an outcome column.
    /// - Parameters:
    ///   - threshold: scores at or above it are flagged; with `capacityPerHundredThousand` instead, the score at
    ///     that capacity; with neither, the audit is threshold-free.
    ///   - probabilities: whether the scores are probabilities; `nil` = yes when every score is within [0, 1].
    /// - Throws: `TabularError` for unknown columns or no usable rows.
    public static func audit(
        _ table: TabularCSV.Table, score: String, outcome: String, protected: [String], threshold: Double? = nil,
        capacityPerHundredThousand: Double? = nil, probabilities: Bool? = nil, bound: Double = 1.25,
        minimumGroupSize: Int = 10, seed: UInt64 = 1
    ) throws -> AuditResult {
        for name in [score, outcome] + protected where table.columnIndex(name) == nil {
            throw TabularError.unknownColumn(name)
        }
        let notes = try TabularCSV.checkRepeated(table, used: [score, outcome] + protected)
        let (rows, labels, problems) = usableRows(table, outcome: outcome, score: score)
        if rows.isEmpty {
            let s = table.columnIndex(score)!, o = table.columnIndex(outcome)!
            let anyScore = table.rows.contains { TabularCSV.number($0[s]) != nil }
            let anyOutcome = table.rows.contains { TabularCSV.outcome($0[o]) != nil }
            if anyOutcome && !anyScore { throw TabularError.noUsableScore(column: score) }
            throw TabularError.noUsableRows
        }
        let j = table.columnIndex(score)!
        let scores = rows.map { TabularCSV.number(table.rows[$0][j])! }
        if let t = threshold, let lo = scores.min(), let hi = scores.max(), lo < hi, t <= lo || t > hi {
            throw TabularError.thresholdOutside(everyone: t <= lo, lowest: lo, highest: hi)
        }
        let isProbability = probabilities ?? scores.allSatisfy { $0 >= 0 && $0 <= 1 }
        let evaluation = Metrics.evaluate(
            name: score, key: score, population: "\(rows.count) rows", scores: scores, labels: labels,
            capacityPerHundredThousand: capacityPerHundredThousand, probabilities: isProbability, seed: seed)
        let fairness = FairnessAudit.audit(
            subject: score, scores: scores, labels: labels,
            attributes: protected.map { (name: $0, groups: groupLabels(table, column: $0, rows: rows)) },
            threshold: threshold ?? evaluation.capacity?.threshold, bound: bound, minimumGroupSize: minimumGroupSize,
            probabilities: isProbability, minimumRateBase: minimumGroupSize,
            flagged: threshold == nil && capacityPerHundredThousand != nil ? capacityFlags(scores, seed: seed, perHundredThousand: capacityPerHundredThousand!) : nil)
        return AuditResult(evaluation: evaluation, fairness: fairness, problems: problems, notes: notes)
    }

    /// Exactly the capacity flagged, ties broken by a seeded order (rows have no person here).
    static func capacityFlags(_ scores: [Double], seed: UInt64, perHundredThousand: Double) -> [Bool] {
        var f = [Bool](repeating: false, count: scores.count)
        for i in Metrics.flaggedAtCapacity(scores: scores, perHundredThousand: perHundredThousand, seed: seed) { f[i] = true }
        return f
    }

    /// A protected column's group label per row (trimmed; a missing value becomes "", which the audit calls unknown).
    /// `risk train --csv` and `risk audit --csv` both read groups through this one function, so "NA" is the unknown
    /// group in both, never a group of its own.
    public static func groupLabels(_ table: TabularCSV.Table, column: String, rows: [Int]) -> [String] {
        let j = table.columnIndex(column)!
        return rows.map { r in
            let raw = table.rows[r][j]
            return TabularCSV.isMissing(raw) ? "" : raw.trimmingCharacters(in: .whitespaces)
        }
    }

    /// The rows with a valid outcome (and score, when asked), their labels, and a problem for every other row.
    static func usableRows(
        _ table: TabularCSV.Table, outcome: String, score: String?
    ) -> (rows: [Int], labels: [UInt8], problems: [RowProblem]) {
        let o = table.columnIndex(outcome)!
        let s = score.flatMap { table.columnIndex($0) }
        var rows: [Int] = []
        var labels: [UInt8] = []
        var problems: [RowProblem] = []
        for (r, row) in table.rows.enumerated() {
            var ok = true
            let label = TabularCSV.outcome(row[o])
            if label == nil {
                ok = false
                let kind: RowProblem.Kind = TabularCSV.isMissing(row[o]) ? .missingOutcome : .invalidOutcome
                problems.append(RowProblem(line: table.lines[r], column: outcome, kind: kind))
            }
            if let s, let score, TabularCSV.number(row[s]) == nil {
                ok = false
                let kind: RowProblem.Kind = TabularCSV.isMissing(row[s]) ? .missingScore : .invalidScore
                problems.append(RowProblem(line: table.lines[r], column: score, kind: kind))
            }
            if ok, let label {
                rows.append(r)
                labels.append(label)
            }
        }
        return (rows, labels, problems)
    }
}
