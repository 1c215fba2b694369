import Foundation

/// Matches young people's needs to programmes: a person is matched to a programme when their age is in its range and
/// at least one of its need rules holds; each match carries the rules that held, in plain words.
public struct Matcher: Sendable {
    /// One programme a person was matched to, with why.
    public struct Match: Sendable, Equatable {
        /// Index into the programmes the matcher was built with.
        public var programme: Int
        public var reasons: [String]
    }

    let programmes: [Programme]
    /// Per programme, per rule: the column it reads (nil when the table lacks it).
    let columns: [[Int?]]

    /// - Parameters:
    ///   - programmes: the plannable programmes.
    ///   - table: the candidates' columns.
    /// - Throws: when no rule of a programme can be read from the table's columns (the input lacks the feature).
    public init(programmes: [Programme], columns table: CandidateTable) throws {
        self.programmes = programmes
        self.columns = programmes.map { p in p.needs.map { table.column($0.feature) } }
        for (p, cols) in zip(programmes, columns) where !p.needs.isEmpty && cols.allSatisfy({ $0 == nil }) {
            throw InterventionsError.input(
                "candidates", "no column for any need of '\(p.id)' (\(p.needs.map(\.feature).joined(separator: ", "))): add one, or drop the programme")
        }
    }

    /// The programmes this person needs, each with its reasons.
    public func matches(_ c: Candidate) -> [Match] {
        var out: [Match] = []
        for (j, p) in programmes.enumerated() {
            if let age = c.age, age < p.minimumAge || age > p.maximumAge { continue }
            var reasons: [String] = []
            for (k, rule) in p.needs.enumerated() {
                guard let col = columns[j][k] else { continue }
                let v = c.features[col]
                if !v.isNaN, Double(v) >= rule.atLeast { reasons.append(Matcher.words(rule, value: v)) }
            }
            if !reasons.isEmpty { out.append(Match(programme: j, reasons: reasons)) }
        }
        return out
    }

    /// The indices of the programmes this person needs, without the words (fast: used to value every candidate).
    public func programmes(for c: Candidate) -> [Int] {
        var out: [Int] = []
        for (j, p) in programmes.enumerated() {
            if let age = c.age, age < p.minimumAge || age > p.maximumAge { continue }
            for (k, rule) in p.needs.enumerated() {
                guard let col = columns[j][k] else { continue }
                let v = c.features[col]
                if !v.isNaN, Double(v) >= rule.atLeast { out.append(j); break }
            }
        }
        return out
    }

    /// A rule's reason with `{value}` filled in: whole numbers as integers, shares as percentages.
    static func words(_ rule: NeedRule, value v: Float) -> String {
        let text: String
        if v == v.rounded() { text = String(Int(v)) } else if v > 0 && v < 1 { text = String(Int((v * 100).rounded())) + "%" } else { text = String(v) }
        return rule.reason.replacingAll("{value}", with: text)
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = "", rest = Substring(self)
        while let r = rest.range(of: target) {
            out += String(rest[..<r.lowerBound]) + replacement
            rest = rest[r.upperBound...]
        }
        return out + String(rest)
    }
}
