import Foundation
import UpstreamModel
import UpstreamRisk

/// The baselines a model must beat, computed from a cohort row's own features: what practice could do without a model.
public enum RiskBaselines {
    /// The ACE count, as many practitioners use it today (age-blind).
    public static let aceKey = ModelEvaluation.practiceBaselineKey
    /// Age alone: older children first (serious violence rises steeply with age).
    public static let ageKey = "age_only"
    /// A practice-like rule: the ACE count weighted by age band (8–11 × 1, 12–14 × 2, 15–17 × 3).
    public static let ageBandACEKey = "age_band_ace"

    /// Every baseline: key, display name, score of a row.
    public static let all: [(key: String, name: String, score: @Sendable (CohortRow) -> Double)] = [
        (aceKey, "ACE count (practice today)", { Double($0.aceCount) }),
        (ageKey, "Age only", { r in
            let a = r.features[RiskFeature.age.column]
            return a.isNaN ? Double(r.age) : Double(a)
        }),
        (ageBandACEKey, "Age band × ACE count (practice-like rule)", { r in Double(r.aceCount * ageBandWeight(r.age)) }),
    ]

    /// 1 for ages up to 11, 2 for 12 to 14, 3 from 15.
    public static func ageBandWeight(_ age: Int) -> Int { age <= 11 ? 1 : (age <= 14 ? 2 : 3) }
}

/// The columns of the rows being judged that the evaluation reads: dates, outcomes, persons, the audited groups and
/// the baselines' scores. Built from cohort rows or from a `FeatureMatrix` without copying the features.
struct JudgedRows {
    var asOf: [CivilDate]
    var labels: [UInt8]
    var persons: [String]
    var ages: [Int]
    var sex: [String]
    var ethnicity: [String]
    var quintile: [String]
    var outcomeDate: [CivilDate?]
    /// One score per row for each of `RiskBaselines.all`, in that order.
    var baselines: [[Double]]

    var count: Int { labels.count }

    init(_ rows: [CohortRow]) {
        asOf = rows.map(\.asOf); labels = rows.map(\.outcome); persons = rows.map(\.personID); ages = rows.map(\.age)
        sex = rows.map { $0.sex?.rawValue ?? "unknown" }
        ethnicity = rows.map { $0.ethnicity ?? "unknown" }
        quintile = rows.map(\.deprivationQuintile)
        outcomeDate = rows.map(\.outcomeDate)
        baselines = RiskBaselines.all.map { b in rows.map(b.score) }
    }

    /// The rows `indices` of a matrix (in date order).
    init(_ m: FeatureMatrix, rows indices: [Int]) {
        asOf = []; labels = []; persons = []; ages = []; sex = []; ethnicity = []; quintile = []; outcomeDate = []
        baselines = RiskBaselines.all.map { _ in [] }
        for i in indices {
            let row = m.cohortRow(i)  // transient: its features are dropped at the end of the iteration
            asOf.append(row.asOf); labels.append(row.outcome); persons.append(row.personID); ages.append(row.age)
            sex.append(row.sex?.rawValue ?? "unknown"); ethnicity.append(row.ethnicity ?? "unknown")
            quintile.append(row.deprivationQuintile); outcomeDate.append(row.outcomeDate)
            for (b, baseline) in RiskBaselines.all.enumerated() { baselines[b].append(baseline.score(row)) }
        }
    }
}

/// Judges scores of cohort rows over several as-of dates: every model and baseline with the same units (rows are
/// person-dates; capacity per date, pooled), person-level bootstrap intervals, lead time per person, and a fairness
/// audit of each at capacity.
struct Judge {
    var config: RiskTrainingConfig
    var replicates = 500
    /// How each model's bootstrap replicates are spread over threads (the same intervals for any worker count).
    var parallelism: Parallelism = .serial

    /// `rows` must be in date order (as the cohorts are built); `trees` and `logistic` one score per row.
    func evaluate(_ rows: [CohortRow], trees: [Double], logistic: [Double], population: String, audit: Bool,
                  pseudonym: (String) -> String) -> [ModelEvaluation] {
        evaluate(JudgedRows(rows), trees: trees, logistic: logistic, population: population, audit: audit, pseudonym: pseudonym)
    }

    func evaluate(_ rows: JudgedRows, trees: [Double], logistic: [Double], population: String, audit: Bool,
                  pseudonym: (String) -> String) -> [ModelEvaluation] {
        let dates = Array(Set(rows.asOf)).sorted()
        let dateIndex = Dictionary(uniqueKeysWithValues: dates.enumerated().map { ($1, $0) })
        let labels = rows.labels
        let persons = rows.persons
        let dateOfRow = rows.asOf.map { dateIndex[$0]! }
        var list: [(String, String, [Double], Bool)] = [
            ("gbt", "Gradient-boosted trees", trees, true),
            ("logistic", "Logistic regression", logistic, true),
        ]
        for (b, baseline) in RiskBaselines.all.enumerated() { list.append((baseline.key, baseline.name, rows.baselines[b], false)) }
        let c = config.capacityPerHundredThousand
        return list.map { key, name, scores, probabilities in
            let dated = DatedScores(scores: scores, labels: labels, persons: persons, dates: dateOfRow, seed: config.seed)
            var e = dated.evaluate(name: name, key: key, population: population, perHundredThousand: c, probabilities: probabilities,
                                   replicates: replicates, parallelism: parallelism)
            let flags = dated.flags(perHundredThousand: c)
            e.leadTime = leadTime(rows, flags: flags, dates: dates, pseudonym: pseudonym)
            if audit {
                e.fairness = FairnessAudit.audit(
                    subject: "\(name), top \(RiskTraining.format(c)) per 100,000 of each date (\(dates.count) dates pooled)",
                    scores: scores, labels: labels,
                    attributes: [
                        (name: "sex", groups: rows.sex),
                        (name: "ethnicity (ONS 5+1)", groups: rows.ethnicity),
                        (name: "deprivation quintile", groups: rows.quintile),
                    ],
                    threshold: e.capacity?.threshold, bound: config.fairnessBound, minimumGroupSize: config.minimumGroupSize,
                    probabilities: probabilities, minimumRateBase: config.minimumGroupSize, flagged: flags)
            }
            return e
        }
    }

    /// For each person who went on to the outcome in the test window: the first date they were flagged, if before it.
    /// Every lead time is capped by the window: at most from the first test date to the end of the last outcome window.
    func leadTime(_ rows: JudgedRows, flags: [Bool], dates: [CivilDate], pseudonym: (String) -> String) -> LeadTimeSummary {
        var firstFlag: [String: (CivilDate, Int)] = [:]
        var outcomeDate: [String: CivilDate] = [:]
        for i in 0..<rows.count {
            let person = rows.persons[i], asOf = rows.asOf[i]
            if let d = rows.outcomeDate[i], outcomeDate[person] == nil { outcomeDate[person] = d }
            if flags[i], firstFlag[person] == nil || asOf < firstFlag[person]!.0 { firstFlag[person] = (asOf, rows.ages[i]) }
        }
        var months: [Int] = [], ages: [Int] = [], byPerson: [String: Int] = [:]
        for (person, d) in outcomeDate.sorted(by: { $0.key < $1.key }) {
            guard let (flag, age) = firstFlag[person], flag < d else { continue }
            let m = Self.months(from: flag, to: d)
            months.append(m); ages.append(age)
            byPerson[pseudonym(person)] = m
        }
        let cap = dates.first.flatMap { first in dates.last.map { Self.months(from: first, to: $0.adding(months: config.cohort.horizonMonths)) } }
        return LeadTimeSummary(outcomes: outcomeDate.count, flaggedBefore: months.count, monthsBefore: months, agesAtFirstFlag: ages,
                               capMonths: cap, byPerson: byPerson)
    }

    /// Whole months between two dates (30.44 days each, rounded down).
    static func months(from a: CivilDate, to b: CivilDate) -> Int { Int((Double(b.dayNumber - a.dayNumber) / 30.44).rounded(.down)) }
}
