import UpstreamModel

/// Writes every extract and the ground truth as events are generated, and counts what it wrote.
final class CityWriter {
    let dir: String
    var writers: [String: CSVFileWriter] = [:]
    var counters: [String: Int] = [:]
    let truth: CSVFileWriter
    let noise: NoiseModel
    var people: [Person]
    let households: [Household]
    let areas: [Area]
    /// Per person, day number of the first serious violence as offender / as victim.
    var firstSVOffender: [Int32]
    var firstSVVictim: [Int32]
    var crimesByCode: [String: Int] = [:]
    var arrestYear: [Int16]

    init(dir: String, noise: NoiseModel, people: [Person], households: [Household], areas: [Area]) throws {
        self.dir = dir
        self.noise = noise
        self.people = people
        self.households = households
        self.areas = areas
        firstSVOffender = Array(repeating: .max, count: people.count)
        firstSVVictim = Array(repeating: .max, count: people.count)
        arrestYear = Array(repeating: 0, count: people.count)
        for s in ExtractSchema.all {
            writers[s.name] = try CSVFileWriter(path: dir + "/" + s.name + ".csv", header: s.header, delimiter: Character(s.delimiter))
        }
        truth = try CSVFileWriter(path: dir + "/truth/records.csv", header: ["source", "record_id", "person_id"], delimiter: ",")
    }

    func nextID(_ schema: ExtractSchema, prefix: String) -> String {
        let n = counters[schema.name, default: 0]
        counters[schema.name] = n + 1
        return prefix + SynthText.scrambledID(n, digits: 9, salt: schema.name.utf8.count)
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

    func pnc(_ person: Int32, on date: CivilDate) -> String {
        if arrestYear[Int(person)] == 0 { arrestYear[Int(person)] = Int16(date.year) }
        return NoiseModel.pnc(person, year: Int(arrestYear[Int(person)]))
    }

    func hasPNC(_ person: Int32) -> Bool { arrestYear[Int(person)] != 0 }

    func finish() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for (name, w) in writers { try w.close(); counts[name] = w.rows }
        try truth.close()
        return counts
    }
}

/// Time of day profiles and the serious violence definition.
enum CrimePatterns {
    /// Serious violence, as Upstream defines it (docs/synthetic-city.md): homicide, attempted murder,
    /// assault with intent to cause serious harm, endangering life, and assault with injury or robbery
    /// with a knife or firearm.
    static func isSeriousViolence(code: String, flags: CrimeFlags) -> Bool {
        switch code {
        case "1", "2", "5D", "5E": return true
        case "8N", "8P", "34A", "34B": return flags.contains(.knife) || flags.contains(.firearm)
        default: return false
        }
    }

    static let violentNight: [Double] = [6, 5, 4, 2, 1, 1, 1, 1, 1.5, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 4, 4.5, 5, 6, 7, 7]
    static let daytime: [Double] = [1, 0.7, 0.5, 0.4, 0.4, 0.5, 1, 2, 3, 4, 4.5, 5, 5, 5, 5, 5, 5, 5, 4.5, 4, 3.5, 3, 2, 1.5]

    static func minute(violent: Bool, _ rng: inout SeededRandom) -> Int {
        let hour = rng.weighted(violent ? violentNight : daytime)
        return hour * 60 + rng.below(60)
    }
}
