import UpstreamModel

/// A plan's treatment applied to the synthetic city: who received which programme from which date, and each
/// programme's interval of effect on serious violence. Generating a city with a treatment re-lives the same lives
/// (common random numbers) except that each treated young person's monthly hazard of serious violence from `from`
/// on is scaled by (1 − the programme's true effect), the true effect being drawn once per programme within its
/// interval and written to `truth/programme_effects.csv` (docs/interventions.md §8).
public struct Treatment: Sendable, Equatable {
    /// One programme: its id and the interval its true effect is drawn from (relative reductions, 0.3 = 30%).
    public struct Programme: Sendable, Equatable {
        public var id: String
        public var low: Double
        public var high: Double
        public init(id: String, low: Double, high: Double) { self.id = id; self.low = low; self.high = high }
    }

    /// The first day the treatment acts (months starting on or after it).
    public var from: CivilDate
    public var programmes: [Programme]
    /// Person id in the city's truth (`P00000123`) to programme id.
    public var assignments: [String: String]

    public init(from: CivilDate, programmes: [Programme], assignments: [String: String]) {
        self.from = from; self.programmes = programmes; self.assignments = assignments
    }

    /// Checks the treatment against a city of `people` people: every programme's interval within [0, 1], every
    /// assignment to a known programme and a person of the city.
    /// - Throws: `SynthError` naming the first problem.
    public func validate(people: Int) throws {
        for p in programmes where !(p.low >= 0 && p.low <= p.high && p.high <= 1) {
            throw SynthError("treatment programme '\(p.id)': its effect interval \(p.low)-\(p.high) must satisfy 0 ≤ low ≤ high ≤ 1")
        }
        let ids = Set(programmes.map(\.id))
        for (person, programme) in assignments.sorted(by: { $0.key < $1.key }) {
            guard ids.contains(programme) else {
                throw SynthError("treatment of \(person): programme '\(programme)' has no effect interval (is it in the catalogue?)")
            }
            guard let i = Treatment.index(of: person), i < people else {
                throw SynthError("treatment of '\(person)': not a person of this city (ids are P followed by 8 digits, below \(people))")
            }
        }
    }

    /// The index of a truth person id (`P00000123` → 123).
    static func index(of person: String) -> Int? {
        guard person.count == 9, person.first == "P", let i = Int(person.dropFirst()), i >= 0 else { return nil }
        return i
    }

    /// Each programme's true effect: uniform within its interval, drawn from the city's seed and the programme's id
    /// (so the same seed and programme always give the same effect, whatever else the plan holds).
    public func trueEffects(seed: UInt64) -> [String: Double] {
        var out: [String: Double] = [:]
        for p in programmes {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in p.id.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
            var rng = SeededRandom(seed: seed, 0x7EA7, h)
            out[p.id] = p.low + (p.high - p.low) * rng.uniform()
        }
        return out
    }

    /// The true effect for each treated person index.
    func effectsByPerson(seed: UInt64) -> [Int32: Double] {
        let effects = trueEffects(seed: seed)
        var out: [Int32: Double] = [:]
        for (person, programme) in assignments {
            if let i = Treatment.index(of: person), let e = effects[programme] { out[Int32(i)] = e }
        }
        return out
    }
}
