import Foundation
import UpstreamModel

/// Each true person's first serious violence offence as offender, from a synthetic city's `truth/outcomes.csv`.
public struct TruthOutcomes: Sendable {
    /// First offence date (ISO) by true person id.
    public var first: [String: String]
    /// From the text of `truth/outcomes.csv`.
    public init(csv: String) {
        first = [:]
        for r in CSV.records(csv).records {
            if let d = r["first_serious_violence_offender"], !d.isEmpty, let id = r["person_id"] { first[id] = d }
        }
    }
    /// The person's first offence falls in [from, to).
    public func firstOffence(of id: String, from: CivilDate, to: CivilDate) -> Bool { first[id].map { $0 >= from.iso && $0 < to.iso } ?? false }
    /// The person's first offence falls before `date`.
    public func offendedBefore(_ id: String, _ date: CivilDate) -> Bool { first[id].map { $0 < date.iso } ?? false }
}

/// The young people of a synthetic city's truth as of a date: aged 10-17, no serious violence offence before it;
/// their recorded ACEs by then and whether a first serious violence offence followed within the horizon.
public struct ClosedLoopCohort: Sendable {
    /// One young person of the cohort.
    public struct Person: Sendable {
        public var id: String
        public var age: Int
        public var sex: String
        public var ethnicity: String
        public var deprivation: String
        public var aces: Int
        public var outcome: Bool
    }
    public var people: [Person]

    /// From the texts of the city's `truth/people.csv`, `aces.csv` and `outcomes.csv`.
    /// - Parameter cohortOf: when given, exactly these people (the untreated run's cohort), so both runs compare the same young people.
    public init(people peopleCSV: String, aces acesCSV: String, outcomes outcomesCSV: String, asOf: CivilDate, horizonEnd: CivilDate,
                cohortOf: Set<String>? = nil) {
        func table(_ text: String) -> [[String: String]] { CSV.records(text).records }
        var aces: [String: Int] = [:]
        for r in table(acesCSV) where (r["onset_date"] ?? "9999") < asOf.iso { aces[r["person_id"] ?? "", default: 0] += 1 }
        var firstOffence: [String: String] = [:]
        for r in table(outcomesCSV) { if let d = r["first_serious_violence_offender"], !d.isEmpty { firstOffence[r["person_id"] ?? ""] = d } }
        var out: [Person] = []
        for r in table(peopleCSV) {
            guard let id = r["person_id"], let dob = r["date_of_birth"].flatMap({ CivilDate.parse($0, layout: .iso) }) else { continue }
            let first = firstOffence[id]
            if let cohortOf {
                guard cohortOf.contains(id) else { continue }
            } else {
                guard dob <= asOf, (10...17).contains(dob.age(on: asOf)) else { continue }
                if let f = first, f < asOf.iso { continue }
            }
            let decile = r["deprivation_decile"].flatMap { Int($0) }
            out.append(Person(id: id, age: dob.age(on: asOf), sex: r["sex"] ?? "unknown", ethnicity: r["ethnicity"] ?? "unknown",
                              deprivation: decile.map { "Q\(($0 + 1) / 2)" } ?? "unknown", aces: aces[id] ?? 0,
                              outcome: first.map { $0 >= asOf.iso && $0 < horizonEnd.iso } ?? false))
        }
        people = out
    }
}

/// The closed loop's stand-in for the risk model: the training city's rate of a first serious violence offence within
/// the horizon in each cell of sex × age band (10-13, 14-17) × ACEs by the date (0, 1, 2-3, 4+), shrunk towards the
/// overall rate with the weight of 20 young people. Calibrated on another city of the same generator; it sees only
/// what the truth states, not the agencies' records.
public struct CellRiskModel: Sendable {
    /// The shrunk rate by cell.
    public var rates: [String: Double]
    /// The training cohort's rate.
    public var overall: Double

    public static func cell(_ p: ClosedLoopCohort.Person) -> String {
        "\(p.sex)|\(p.age <= 13 ? "10-13" : "14-17")|\(p.aces == 0 ? "0" : p.aces == 1 ? "1" : p.aces <= 3 ? "2-3" : "4+")"
    }

    /// Fits the rates on a training cohort.
    public init(_ people: [ClosedLoopCohort.Person]) {
        overall = Double(people.filter(\.outcome).count) / Double(max(1, people.count))
        var n: [String: Int] = [:], o: [String: Int] = [:]
        for p in people { n[CellRiskModel.cell(p), default: 0] += 1; if p.outcome { o[CellRiskModel.cell(p), default: 0] += 1 } }
        var r: [String: Double] = [:]
        for (k, count) in n { r[k] = (Double(o[k] ?? 0) + 20 * overall) / (Double(count) + 20) }
        rates = r
    }

    /// The risk of a young person: their cell's rate, or the overall rate for a cell the training city lacked.
    public func risk(_ p: ClosedLoopCohort.Person) -> Double { rates[CellRiskModel.cell(p)] ?? overall }
}
