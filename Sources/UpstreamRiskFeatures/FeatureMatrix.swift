import UpstreamChronology
import UpstreamModel
import UpstreamRisk

/// The cohorts of several as-of dates as one typed column set: a `Float` column per feature (in the order of
/// `RiskFeatures.all`) and small integer columns for what the evaluation and the fairness audit read (date, person,
/// age, sex, ethnic group, deprivation decile, outcome). Rows are person-dates, ordered by date and then person id,
/// as `CohortBuilder.cohort(asOf:)` orders them; nothing is held per row but these numbers.
public struct FeatureMatrix: Sendable {
    /// The as-of dates, ascending; `dateIndex` points into it.
    public var dates: [CivilDate]
    /// Person ids; `person` points into it.
    public var personIDs: [String]
    /// `columns[feature][row]`, `Float.nan` for a missing value.
    public var columns: [[Float]]
    public var dateIndex: [UInt8] = []
    public var person: [UInt32] = []
    /// Whole years on the as-of date.
    public var age: [UInt8] = []
    /// 0 unknown, else 1 + the index in `Sex.allCases`.
    public var sex: [UInt8] = []
    /// 0 unknown, else 1 + the index in `FeatureMatrix.ethnicGroups`.
    public var ethnicity: [UInt8] = []
    /// 0 unknown, else the decile 1 (most deprived) to 10.
    public var decile: [UInt8] = []
    /// 1 when a first serious violence offence was recorded within the horizon after the date.
    public var outcome: [UInt8] = []
    /// The day number of that offence, `Int32.min` when there was none.
    public var outcomeDay: [Int32] = []
    /// Per date: reason → young people left out ("no date of birth recorded", "serious violence already recorded").
    public var excluded: [[String: Int]]

    /// The ONS 5+1 groups in text order (so the smallest index wins a tie as the smallest name does).
    public static let ethnicGroups = EthnicGroups.groups.sorted()

    public init(dates: [CivilDate], personIDs: [String]) {
        self.dates = dates; self.personIDs = personIDs
        columns = [[Float]](repeating: [], count: RiskFeatures.all.count)
        excluded = [[String: Int]](repeating: [:], count: dates.count)
    }

    public var rowCount: Int { outcome.count }

    /// The rows of one date (a contiguous range, since rows are ordered by date).
    public func rows(of date: CivilDate) -> Range<Int> {
        guard let d = dates.firstIndex(of: date) else { return 0..<0 }
        let lo = partition(UInt8(d)), hi = partition(UInt8(d) + 1)
        return lo..<hi
    }

    /// The first row whose date index is at least `d` (binary search).
    func partition(_ d: UInt8) -> Int {
        var lo = 0, hi = dateIndex.count
        while lo < hi { let m = (lo + hi) / 2; if dateIndex[m] < d { lo = m + 1 } else { hi = m } }
        return lo
    }

    /// The feature values of one row, in the order of `RiskFeatures.all`.
    public func features(row i: Int) -> [Float] { columns.map { $0[i] } }

    public func personID(row i: Int) -> String { personIDs[Int(person[i])] }

    /// One row as the row type of `CohortBuilder` (built on demand, never stored).
    public func cohortRow(_ i: Int) -> CohortRow {
        CohortRow(
            personID: personID(row: i), asOf: dates[Int(dateIndex[i])], age: Int(age[i]),
            sex: sex[i] == 0 ? nil : Sex.allCases[Int(sex[i]) - 1],
            ethnicity: ethnicity[i] == 0 ? nil : Self.ethnicGroups[Int(ethnicity[i]) - 1],
            deprivationDecile: decile[i] == 0 ? nil : Int(decile[i]), features: features(row: i), outcome: outcome[i],
            outcomeDate: outcomeDay[i] == Int32.min ? nil : CivilDate(dayNumber: outcomeDay[i]))
    }

    /// The rows at `indices` as a dataset for the learners (no keys: rows are traced back through this matrix).
    public func dataset(_ indices: [Int]) -> Dataset {
        Dataset(featureNames: RiskFeatures.names, columns: columns.map { c in indices.map { c[$0] } },
                labels: indices.map { outcome[$0] })
    }

    /// Rows in a range as a dataset.
    public func dataset(_ range: Range<Int>) -> Dataset {
        Dataset(featureNames: RiskFeatures.names, columns: columns.map { Array($0[range]) }, labels: Array(outcome[range]))
    }

    /// Appends one row.
    mutating func append(_ r: MatrixRow) {
        for f in 0..<columns.count { columns[f].append(r.values[f]) }
        dateIndex.append(r.date); person.append(r.person); age.append(r.age); sex.append(r.sex)
        ethnicity.append(r.ethnicity); decile.append(r.decile); outcome.append(r.outcome); outcomeDay.append(r.outcomeDay)
    }

    /// Puts the rows in date order, then person id order (the order `CohortBuilder.cohort(asOf:)` gives).
    mutating func sortRows() {
        let ids = personIDs
        let order = (0..<rowCount).sorted { a, b in
            dateIndex[a] != dateIndex[b] ? dateIndex[a] < dateIndex[b] : ids[Int(person[a])] < ids[Int(person[b])]
        }
        if order.elementsEqual(0..<rowCount) { return }
        func permute<T>(_ a: inout [T]) { a = order.map { a[$0] } }
        for f in 0..<columns.count { permute(&columns[f]) }
        permute(&dateIndex); permute(&person); permute(&age); permute(&sex); permute(&ethnicity); permute(&decile)
        permute(&outcome); permute(&outcomeDay)
    }

    /// The cohorts of `CohortBuilder` as a matrix (dates in the order given, which must be ascending).
    public init(cohorts: [Cohort]) {
        var ids: [String] = [], index: [String: UInt32] = [:]
        for c in cohorts { for r in c.rows where index[r.personID] == nil { index[r.personID] = UInt32(ids.count); ids.append(r.personID) } }
        self.init(dates: cohorts.map(\.asOf), personIDs: ids)
        for (d, c) in cohorts.enumerated() {
            excluded[d] = c.excluded
            for r in c.rows {
                append(MatrixRow(
                    date: UInt8(d), person: index[r.personID]!, values: r.features, age: UInt8(clamping: r.age),
                    sex: r.sex.map { UInt8(Sex.allCases.firstIndex(of: $0)! + 1) } ?? 0,
                    ethnicity: r.ethnicity.flatMap { Self.ethnicGroups.firstIndex(of: $0) }.map { UInt8($0 + 1) } ?? 0,
                    decile: r.deprivationDecile.map { UInt8(clamping: $0) } ?? 0, outcome: r.outcome,
                    outcomeDay: r.outcomeDate?.dayNumber ?? Int32.min))
            }
        }
    }
}

/// One row on its way into a `FeatureMatrix`.
struct MatrixRow: Sendable {
    var date: UInt8
    var person: UInt32
    var values: [Float]
    var age: UInt8
    var sex: UInt8
    var ethnicity: UInt8
    var decile: UInt8
    var outcome: UInt8
    var outcomeDay: Int32
}
