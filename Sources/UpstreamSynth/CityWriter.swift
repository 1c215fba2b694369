import UpstreamModel

/// Writes one chunk's share of every extract and of the truth, and counts what it wrote.
///
/// The city is generated in a fixed number of chunks (so the output does not depend on the number of
/// cores); each chunk writes its own part files, which are shuffled together at the end (`ShuffledJoin`).
/// Lives are simulated from the start of the burn-in, but a row is written only when its event falls inside
/// the window and the agency had recorded it by the window's last day (the day the extract is taken).
final class CityWriter {
    let chunk: Int
    var writers: [String: CSVFileWriter] = [:]
    var counters: [String: Int] = [:]
    let truth: CSVFileWriter
    let errorsTruth: CSVFileWriter
    let noise: NoiseModel
    let book: IdentifierBook
    let people: [Person]
    let households: [Household]
    let areas: [Area]
    let windowStart: CivilDate
    let windowEnd: CivilDate
    /// With a monthly delivery: rows recorded on or after this day go to `monthWriters` (the window's last month,
    /// delivered apart from the history), not to `writers`.
    let monthFrom: CivilDate?
    var monthWriters: [String: CSVFileWriter] = [:]
    /// The recorded date of the row being written (set by `written`, read by `extract`).
    private var rowRecorded = CivilDate(dayNumber: 0)
    /// Serious violence events: (person, day number, as offender), including those during the burn-in.
    var seriousViolence: [(Int32, Int32, Bool)] = []
    var crimesByCode: [String: Int] = [:]
    /// The crimes written while a treated person's life was being simulated (a treated run subtracts them, and adds
    /// the untreated lives' crimes instead, so that the rest of the city's crime is the same as in the untreated run).
    var treatedCrimesByCode: [String: Int] = [:]
    /// The person whose life course is being simulated (-1 outside a life course). While set, record ids and crime
    /// serials come from that person's own counters, so one life writing fewer rows never shifts anyone else's ids:
    /// the common random numbers of a treated re-run (docs/interventions.md §8).
    private(set) var owner: Int32 = -1
    private var ownerTreated = false
    private var ownerCounts: [String: Int] = [:]
    private var ownerCrimes = 0
    /// Record ids per life: keys `lifeRecordBase + person × recordsPerLife + n` (n < recordsPerLife; beyond it the
    /// chunk's counter is used, still unique). The chunk's keys stay below `lifeRecordBase`.
    static let lifeRecordBase = 5_000_000_000, recordsPerLife = 1_000
    /// Crime serials per life: keys `lifeCrimeBase + person × crimesPerLife + n`.
    static let lifeCrimeBase = 200_000_000, crimesPerLife = 160

    init(dir: String, chunk: Int, noise: NoiseModel, people: [Person], households: [Household], areas: [Area],
         windowStart: CivilDate, windowEnd: CivilDate, monthFrom: CivilDate? = nil) throws {
        self.chunk = chunk
        self.noise = noise
        self.book = noise.book
        self.people = people
        self.households = households
        self.areas = areas
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.monthFrom = monthFrom
        for s in ExtractSchema.all {
            writers[s.name] = try CSVFileWriter(path: dir + "/" + s.name + ".csv", header: nil, delimiter: Character(s.delimiter))
        }
        if monthFrom != nil {
            try makeDirectory(dir + "/month")
            for s in ExtractSchema.all {
                monthWriters[s.name] = try CSVFileWriter(path: dir + "/month/" + s.name + ".csv", header: nil, delimiter: Character(s.delimiter))
            }
        }
        truth = try CSVFileWriter(path: dir + "/records.csv", header: nil, delimiter: ",")
        errorsTruth = try CSVFileWriter(path: dir + "/identifier_errors.csv", header: nil, delimiter: ",")
    }

    /// Whether a row about an event on `date`, recorded on `recorded`, is in the extract.
    /// Remembers `recorded`, so that the rows written next go to the history or to the month's delivery.
    func written(_ date: CivilDate, recorded: CivilDate) -> Bool {
        rowRecorded = recorded
        return date >= windowStart && recorded <= windowEnd
    }

    /// The writer of `schema`'s rows for the row being written: the month's delivery when it was recorded in the
    /// window's last month and the city is delivered monthly, else the history.
    func extract(_ schema: ExtractSchema) -> CSVFileWriter {
        if let monthFrom, rowRecorded >= monthFrom { return monthWriters[schema.name]! }
        return writers[schema.name]!
    }

    /// A unique record id: the chunk and its counter under the extract's keyed permutation, so that ids say
    /// nothing about which rows belong together or the order they were made in.
    func nextID(_ schema: ExtractSchema, prefix: String) -> String {
        if owner >= 0 {
            let k = ownerCounts[schema.name, default: 0]
            if k < CityWriter.recordsPerLife {
                ownerCounts[schema.name] = k + 1
                return prefix + book.recordID(schema.name, CityWriter.lifeRecordBase + Int(owner) * CityWriter.recordsPerLife + k)
            }
        }
        let n = counters[schema.name, default: 0]
        counters[schema.name] = n + 1
        return prefix + book.recordID(schema.name, chunk * 100_000_000 + n)
    }

    /// Writes a person-level row, its truth line, and the identifier errors it carries in the fields it has.
    func write(_ schema: ExtractSchema, id: String, person: Int32, _ fields: [String], errors: [(String, String)] = [],
               carries: Set<String> = []) {
        extract(schema).append(fields)
        truth.append([schema.name, id, people[Int(person)].id])
        for (field, kind) in errors where carries.contains(field) {
            let parts = kind.split(separator: ":", maxSplits: 1).map(String.init)
            errorsTruth.append([schema.name, id, field, parts[0], parts.count > 1 ? parts[1] : ""])
        }
    }

    /// Starts writing `person`'s life course (their own id counters); `treated` marks a treated person's life.
    func beginLife(_ person: Int32, treated: Bool) {
        owner = person; ownerTreated = treated; ownerCounts = [:]; ownerCrimes = 0
    }

    func endLife() { owner = -1; ownerTreated = false }

    /// The key of the next crime serial: the life's own counter while a life course is written, else the chunk's.
    func nextCrimeKey() -> Int {
        if owner >= 0 && ownerCrimes < CityWriter.crimesPerLife {
            ownerCrimes += 1
            return CityWriter.lifeCrimeBase + Int(owner) * CityWriter.crimesPerLife + ownerCrimes - 1
        }
        let s = ExtractSchema.policeCrimes
        let n = counters[s.name, default: 0]
        counters[s.name] = n + 1
        return chunk * 10_000_000 + n
    }

    func countCrime(_ code: String) {
        crimesByCode[code, default: 0] += 1
        if ownerTreated { treatedCrimesByCode[code, default: 0] += 1 }
    }

    func observe(_ person: Int32, _ agency: Agency, _ date: CivilDate, _ rng: inout SeededRandom) -> RecordedIdentity {
        let p = people[Int(person)]
        return noise.observe(p, household: households[Int(p.household)], agency: agency, on: date, &rng, people: people)
    }

    /// The person's Police National Computer id: one id for life, whatever the record's date (its year prefix
    /// is the year they turned 14, a stand-in for the year of first arrest); now and then mistyped.
    func pnc(_ person: Int32, on date: CivilDate, _ rng: inout SeededRandom, _ errors: inout [(String, String)]) -> String {
        let id = book.pnc(person, year: max(people[Int(person)].dob.year + 14, 1990))
        if rng.chance(noise.noise.pncMistyped) {
            errors.append(("pnc_id", "mistyped"))
            var c = Array(id)
            let i = 3 + rng.below(7)
            let old = c[i]
            repeat { c[i] = Character(String(rng.below(10))) } while c[i] == old
            return String(c)
        }
        return id
    }

    /// The pupil number a school records: the child's own, now and then mistyped (check letter fails) or a sibling's.
    func upn(_ child: Int32, _ rng: inout SeededRandom, _ errors: inout [(String, String)]) -> String {
        let p = people[Int(child)]
        if rng.chance(noise.noise.upnSibling), let s = NoiseModel.sibling(p, households[Int(p.household)], &rng) {
            errors.append(("upn", "relative:" + people[Int(s)].id))
            return book.upn(s)
        }
        let own = book.upn(child)
        if rng.chance(noise.noise.upnMistyped) {
            errors.append(("upn", "check_letter_fails"))
            var c = Array(own.utf8)
            let i = 1 + rng.below(12)
            let old = c[i]
            repeat { c[i] = UInt8(48 + rng.below(10)) } while c[i] == old
            return String(decoding: c, as: UTF8.self)
        }
        return own
    }

    /// Rows per extract in the month's delivery (filled by `close`).
    private(set) var monthRows: [String: Int] = [:]

    /// Closes every file; returns rows per extract in the history (the month's delivery is in `monthRows`).
    func close() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for (name, w) in writers { try w.close(); counts[name] = w.rows }
        for (name, w) in monthWriters { try w.close(); monthRows[name] = w.rows }
        try truth.close()
        try errorsTruth.close()
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

/// When each agency's record enters its system, after the event it records (docs/synthetic-city.md, "Recorded
/// dates"). All lags are assumptions except the school census timetable, which follows the DfE census cycle.
enum RecordingLag {
    static let sexualOffencePrefixes = ["17", "18", "19", "20", "21", "22", "23", "70", "71", "72", "73", "88"]

    /// A crime is recorded when it is reported: mostly within days, sexual offences often much later.
    static func crime(code: String, _ date: CivilDate, _ rng: inout SeededRandom) -> CivilDate {
        if sexualOffencePrefixes.contains(where: { code.hasPrefix($0) }) && rng.chance(0.3) {
            return date.adding(days: rng.int(in: 30...1500))
        }
        switch rng.weighted([0.55, 0.35, 0.10]) {
        case 0: return date
        case 1: return date.adding(days: rng.int(in: 1...7))
        default: return date.adding(days: rng.int(in: 8...60))
        }
    }

    /// The n-th given weekday (0 = Monday … 3 = Thursday) of a month.
    static func nth(_ n: Int, weekday: Int, month: Int, year: Int) -> CivilDate {
        let first = CivilDate(year: year, month: month, day: 1)!
        let offset = (weekday - first.weekday + 7) % 7
        return first.adding(days: offset + 7 * (n - 1))
    }

    /// The school census return that collects a term's absence: autumn term absence in the spring census (third
    /// Thursday of January), spring term in the summer census (third Thursday of May), summer term in the next
    /// autumn census (first Thursday of October).
    static func censusReturn(term: String, academicYear ay: Int) -> CivilDate {
        switch term {
        case "AUT": return nth(3, weekday: 3, month: 1, year: ay + 1)
        case "SPR": return nth(3, weekday: 3, month: 5, year: ay + 1)
        default: return nth(1, weekday: 3, month: 10, year: ay + 1)
        }
    }

    static func days(_ date: CivilDate, _ range: ClosedRange<Int>, _ rng: inout SeededRandom) -> CivilDate {
        date.adding(days: rng.int(in: range))
    }
}
