import UpstreamModel

/// Writes one chunk's share of every extract and of the truth, and counts what it wrote.
///
/// The city is generated in a fixed number of chunks (so the output does not depend on the number of
/// cores); each chunk writes its own part files, which are joined in chunk order at the end.
final class CityWriter {
    let chunk: Int
    var writers: [String: CSVFileWriter] = [:]
    var counters: [String: Int] = [:]
    let truth: CSVFileWriter
    let noise: NoiseModel
    let people: [Person]
    let households: [Household]
    let areas: [Area]
    /// Serious violence events: (person, day number, as offender).
    var seriousViolence: [(Int32, Int32, Bool)] = []
    var crimesByCode: [String: Int] = [:]

    init(dir: String, chunk: Int, noise: NoiseModel, people: [Person], households: [Household], areas: [Area]) throws {
        self.chunk = chunk
        self.noise = noise
        self.people = people
        self.households = households
        self.areas = areas
        for s in ExtractSchema.all {
            writers[s.name] = try CSVFileWriter(path: dir + "/" + s.name + ".csv", header: nil, delimiter: Character(s.delimiter))
        }
        truth = try CSVFileWriter(path: dir + "/records.csv", header: nil, delimiter: ",")
    }

    /// A unique id: the chunk and its counter, scrambled so that ids do not reveal which rows belong together.
    func nextID(_ schema: ExtractSchema, prefix: String) -> String {
        let n = counters[schema.name, default: 0]
        counters[schema.name] = n + 1
        return prefix + SynthText.scrambledID(chunk * 100_000_000 + n, digits: 10, salt: schema.name.utf8.count)
    }

    /// Writes a person-level row and its truth line.
    func write(_ schema: ExtractSchema, id: String, person: Int32, _ fields: [String]) {
        writers[schema.name]!.append(fields)
        truth.append([schema.name, id, people[Int(person)].id])
    }

    func observe(_ person: Int32, _ agency: Agency, _ date: CivilDate, _ rng: inout SeededRandom) -> RecordedIdentity {
        let p = people[Int(person)]
        return noise.observe(p, household: households[Int(p.household)], agency: agency, on: date, &rng)
    }

    /// The person's Police National Computer id: one id for life, whatever the record's date (its year prefix
    /// is the year they turned 14, a stand-in for the year of first arrest).
    func pnc(_ person: Int32, on date: CivilDate) -> String {
        NoiseModel.pnc(person, year: max(people[Int(person)].dob.year + 14, 1990))
    }

    func close() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for (name, w) in writers { try w.close(); counts[name] = w.rows }
        try truth.close()
        return counts
    }
}

/// Time-of-day profiles of recorded crime.
enum CrimePatterns {
    static let violentNight: [Double] = [6, 5, 4, 2, 1, 1, 1, 1, 1.5, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 4, 4.5, 5, 6, 7, 7]
    static let daytime: [Double] = [1, 0.7, 0.5, 0.4, 0.4, 0.5, 1, 2, 3, 4, 4.5, 5, 5, 5, 5, 5, 5, 5, 4.5, 4, 3.5, 3, 2, 1.5]

    static func minute(violent: Bool, _ rng: inout SeededRandom) -> Int {
        let hour = rng.weighted(violent ? violentNight : daytime)
        return hour * 60 + rng.below(60)
    }
}
