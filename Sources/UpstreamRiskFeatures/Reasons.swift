import Foundation
import UpstreamChronology
import UpstreamModel
import UpstreamRisk

extension CohortBuilder {
    /// The factors that raised and lowered one young person's score most, in plain words with dates.
    ///
    /// - Parameters:
    ///   - chronology: the person's chronology built from the records before `asOf` (see `builder(asOf:)`).
    ///   - contributions: one number per feature on the log-odds scale (TreeSHAP, or a linear model's terms).
    ///   - top: how many reasons of each direction.
    public func reasons(chronology: Chronology, asOf: CivilDate, contributions: [Double], top: Int = 5) -> (raising: [Reason], lowering: [Reason]) {
        let (values, facts) = computeFeatures(chronology: chronology, asOf: asOf, evidence: true)
        let defs = RiskFeatures.all
        let order = contributions.indices.sorted { abs(contributions[$0]) > abs(contributions[$1]) }
        var raising: [Reason] = [], lowering: [Reason] = []
        for i in order where abs(contributions[i]) > 1e-6 {
            let v = values[i]
            let text = CohortBuilder.words(defs[i], value: v, evidence: facts[i], dateOfBirth: chronology.dateOfBirth, asOf: asOf)
            let r = Reason(feature: defs[i].name, value: v.isNaN ? nil : Double(v), contribution: contributions[i], text: text)
            if contributions[i] > 0 { if raising.count < top { raising.append(r) } } else if lowering.count < top { lowering.append(r) }
            if raising.count >= top && lowering.count >= top { break }
        }
        return (raising, lowering)
    }

    /// One feature's value in plain words: "suspensions from school: 3 in the last 12 months (Year 8: November 2019,
    /// January 2020, February 2020)"; "household member imprisoned, first recorded March 2014 (parent: imprisoned)".
    public static func words(_ def: FeatureDefinition, value v: Float, evidence: [Evidence], dateOfBirth: CivilDate?, asOf: CivilDate) -> String {
        func dates(_ list: [Evidence]) -> String {
            let sorted = list.sorted { $0.date < $1.date }
            var text = sorted.count <= 3
                ? sorted.map(\.date.monthAndYear).joined(separator: ", ")
                : "first \(sorted.first!.date.monthAndYear), latest \(sorted.last!.date.monthAndYear)"
            if def.agency == .school, let dob = dateOfBirth, !sorted.isEmpty {
                let years = Set(sorted.map { $0.date.schoolYear(dateOfBirth: dob) })
                if years.count == 1, let y = years.first, y >= 1, y <= 13 { text = "Year \(y): " + text }
            }
            return text
        }
        switch def.kind {
        case .count(let months):
            let window = months % 12 == 0 && months > 12 ? " in the last \(months / 12) years" : " in the last \(months) months"
            if v == 0 { return "no \(def.title) recorded" + window }
            return "\(def.title): \(Int(v))\(window) (\(dates(evidence)))"
        case .indicator:
            if v == 0 { return "no \(def.title) recorded in the last \(RiskFeatures.lookbackMonths / 12) years" }
            guard let firstFact = evidence.min(by: { $0.date < $1.date }) else { return def.title + ": yes" }
            if def.name.hasPrefix("ace_") { return firstFact.text + ", first recorded " + firstFact.date.monthAndYear }
            return "\(def.title): yes, first \(firstFact.date.monthAndYear)"
        case .yearsSinceFirst:
            let years = RiskFeatures.lookbackMonths / 12
            if v.isNaN { return "no \(def.title.replacingOccurrences(of: "first ", with: "")) in the last \(years) years" }
            let when = evidence.first.map { fact in fact.date.monthAndYear + (dateOfBirth.map { ", aged \($0.age(on: fact.date))" } ?? "") } ?? ""
            // A first contact in the first months of the lookback probably began before it: say so.
            let windowStart = asOf.adding(months: -RiskFeatures.lookbackMonths)
            let atStart = evidence.first.map { Int($0.date.dayNumber - windowStart.dayNumber) < 183 } ?? false
            return "\(def.title) in the last \(years) years: \(when)" + (atStart ? " (the start of the years looked at: probably earlier)" : "")
        case .daysSinceLast:
            if v.isNaN { return def.title + ": none recorded" }
            let months = Int((Double(v) / 30.44).rounded())
            return "\(evidence.first?.text ?? def.title) \(months) months before \(asOf.long)"
        case .level:
            switch def.name {
            case "age": return v.isNaN ? "age unknown" : "aged \(Int(v)) on \(asOf.long)"
            case "deprivation_decile":
                return v.isNaN ? "area deprivation unknown" : "lives in an area of deprivation decile \(Int(v)) (1 = most deprived tenth)"
            default:
                if v.isNaN { return def.title + ": no school census recorded" }
                return "\(def.title): \(Int((Double(v) * 100).rounded()))%"
            }
        }
    }
}
