import Foundation
import UpstreamModel

/// The plan's tables as text: candidates and outcomes read from CSV, offers written as CSV. Pure: the caller reads
/// and writes the files; errors name the file (as `name`), the line and the column, never a value's person.
extension CandidateTable {
    /// Candidates from a CSV: `person` (or `pseudonym`), `score` (a calibrated probability), optional `age`, `sex`,
    /// `ethnicity`, `deprivation_decile`, and numeric feature columns named as the risk model's.
    /// - Parameter name: the file's name, for messages.
    /// - Throws: ``InterventionsError/input(_:_:)`` naming the line and column of the first bad cell.
    public static func parse(csv text: String, name: String) throws -> CandidateTable {
        var lines = CSV.rows(text).makeIterator()
        guard let headerLine = lines.next() else { throw InterventionsError.input(name, "the file is empty: it needs a header with person and score") }
        let header = headerLine.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pi = header.firstIndex(of: "person") ?? header.firstIndex(of: "pseudonym"), let si = header.firstIndex(of: "score") else {
            throw InterventionsError.input(name, "it needs columns person and score (the calibrated probability); it has \(header.joined(separator: ", "))")
        }
        let special: Set<String> = ["person", "pseudonym", "score", "age", "sex", "ethnicity", "deprivation_decile", "outcome"]
        let featureIdx = header.indices.filter { !special.contains(header[$0]) }
        let ai = header.firstIndex(of: "age"), sx = header.firstIndex(of: "sex"), et = header.firstIndex(of: "ethnicity"), dd = header.firstIndex(of: "deprivation_decile")
        var rows: [Candidate] = []
        var n = 1
        while let line = lines.next() {
            n += 1
            let f = line.map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == header.count else { throw InterventionsError.input("\(name) line \(n)", "\(f.count) fields, the header has \(header.count)") }
            guard let score = Double(f[si]), (0...1).contains(score) else {
                throw InterventionsError.input("\(name) line \(n), column score", "'\(f[si])' is not a probability between 0 and 1")
            }
            var features: [Float] = []
            for i in featureIdx {
                if f[i].isEmpty { features.append(.nan); continue }
                guard let v = Float(f[i]) else {
                    throw InterventionsError.input("\(name) line \(n), column \(header[i])", "'\(f[i])' is not a number (leave it empty when missing)")
                }
                features.append(v)
            }
            let decile = dd.flatMap { Int(f[$0]) }
            rows.append(Candidate(id: f[pi], risk: score, age: ai.flatMap { Int(f[$0]) }, features: features,
                                  sex: sx.map { f[$0].isEmpty ? "unknown" : f[$0] } ?? "unknown",
                                  ethnicity: et.map { f[$0].isEmpty ? "unknown" : f[$0] } ?? "unknown",
                                  deprivation: decile.map { "Q\(($0 + 1) / 2)" } ?? "unknown"))
        }
        guard !rows.isEmpty else { throw InterventionsError.input(name, "it has a header but no young people") }
        return CandidateTable(columns: featureIdx.map { header[$0] }, rows: rows)
    }
}

extension ProgrammeEvaluation {
    /// Outcome rows from a CSV: `person`, `programme` (blank when untreated), `score` (the calibrated risk at the
    /// plan's date) and `outcome` (0 or 1).
    /// - Throws: ``InterventionsError/input(_:_:)`` naming the line and column of the first bad cell.
    public static func rows(csv text: String, name: String) throws -> [Row] {
        var rows: [Row] = []
        var line = 1
        for r in CSV.records(text).records {
            line += 1
            guard let person = r["person"], !person.isEmpty else { throw InterventionsError.input("\(name) line \(line)", "column person is missing or empty") }
            guard let score = r["score"].flatMap(Double.init), (0...1).contains(score) else {
                throw InterventionsError.input("\(name) line \(line)", "column score must be a probability between 0 and 1")
            }
            guard let outcome = r["outcome"].flatMap(Int.init), outcome == 0 || outcome == 1 else {
                throw InterventionsError.input("\(name) line \(line)", "column outcome must be 0 or 1")
            }
            rows.append(Row(person: person, programme: r["programme"].flatMap { $0.isEmpty ? nil : $0 }, risk: score, outcome: outcome))
        }
        return rows
    }
}

extension Plan {
    /// The offers, pseudonymised: one row each, with its figures and reasons.
    public var offersCSV: String {
        CSVWriter.text(
            header: ["offer", "person", "programme", "risk", "harm_averted_gbp", "cost_gbp", "benefit_cost_ratio",
                     "probability_benefit_exceeds_cost", "reasons"],
            rows: offers.map { o in
                [o.id, o.person, o.programme, String(format: "%.5f", o.risk), String(format: "%.2f", o.harmAverted.pounds),
                 String(format: "%.2f", o.cost.pounds), String(format: "%.3f", o.benefitCostRatio),
                 String(format: "%.3f", o.probabilityBenefitExceedsCost), o.reasons.joined(separator: "; ")]
            })
    }
}
