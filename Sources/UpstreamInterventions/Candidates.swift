/// The young people a plan may make offers to: each with a calibrated risk, features by name, and the groups the
/// plan's fairness is checked by. Built by the CLI from the risk model's scores, or from a CSV.
public struct CandidateTable: Sendable {
    /// Feature names, in the order of each candidate's `features`.
    public let columns: [String]
    let index: [String: Int]
    public var rows: [Candidate]

    public init(columns: [String], rows: [Candidate]) {
        self.columns = columns
        self.index = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        self.rows = rows
    }

    public func column(_ name: String) -> Int? { index[name] }
}

/// One young person: pseudonym, calibrated risk, age, features and groups.
public struct Candidate: Sendable {
    /// A pseudonym (never a name or identifier).
    public var id: String
    /// The calibrated probability of a first serious violence offence within the horizon.
    public var risk: Double
    public var age: Int?
    /// One value per column of the table; NaN when missing.
    public var features: [Float]
    public var sex: String
    public var ethnicity: String
    /// "Q1" (most deprived) … "Q5", or "unknown".
    public var deprivation: String

    public init(id: String, risk: Double, age: Int?, features: [Float], sex: String = "unknown", ethnicity: String = "unknown",
                deprivation: String = "unknown") {
        self.id = id; self.risk = risk; self.age = age; self.features = features
        self.sex = sex; self.ethnicity = ethnicity; self.deprivation = deprivation
    }
}
