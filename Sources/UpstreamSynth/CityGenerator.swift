import UpstreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a generation run wrote: counts per extract and headline figures of the city.
public struct CitySummary: Codable, Sendable, Equatable {
    public var people: Int
    public var households: Int
    public var areas: Int
    public var rows: [String: Int]
    public var personRecords: Int
    public var crimes: Int
    public var seriousViolenceOffenders: Int
    /// With a monthly delivery (`upstream synth --monthly`): the folder, relative to the city, that holds the window's
    /// last month of recorded rows, and its rows per extract. `rows` then counts the history only.
    public var monthDelivery: MonthDelivery?

    /// The window's last month, delivered apart from the history: what an agency sends at a monthly refresh.
    public struct MonthDelivery: Codable, Sendable, Equatable {
        public var folder: String
        public var from: String
        public var rows: [String: Int]
    }
}

/// Generates the synthetic city: population, life courses, recorded crime, every agency's extract and the truth.
///
/// Phase one builds people and households in memory (compact arrays); phase two walks each household's
/// members month by month and writes their contacts with agencies as they happen; phase three fills the
/// rest of the city's recorded crime so that volumes and the offence mix match the reference table.
public final class CityGenerator: @unchecked Sendable {
    public let config: SynthConfig
    let builder: PopulationBuilder
    let start: CivilDate
    let end: CivilDate
    let months: Int
    let burnInMonths: Int
    /// Wall-clock time of each stage of the last run (for benchmarks).
    public private(set) var stageTimings: [(String, Duration)] = []

    /// The city is generated in this many chunks, whatever the number of cores, so output is the same everywhere.
    static let chunks = 8

    static let descriptions: [String: String] = {
        var d: [String: String] = [:]
        for r in CrimeMix.rows { d[normalisedCode(r.code)] = r.description }
        d["8K"] = "Female genital mutilation"
        return d
    }()

    static func normalisedCode(_ code: String) -> String { String(code.split(separator: "/").first ?? Substring(code)) }

    /// The plan's treatment when this is a treated re-run of the city (nil: the untreated city).
    public let treatment: Treatment?
    /// How the chunks of households, areas and extracts are spread over threads. The work is cut into
    /// `CityGenerator.chunks` by the seed's streams, not by the workers, so the city is the same for any worker count.
    public let parallelism: Parallelism
    /// Whether the window's last month of recorded rows is written apart, to `month-YYYY-MM/` (a monthly refresh).
    public let monthly: Bool
    /// The first day of the window's last month: rows recorded from it on form the month's delivery when `monthly`.
    var monthFrom: CivilDate { CivilDate(year: end.year, month: end.month, day: 1)! }
    var monthFolder: String { "month-\(end.year)-" + (end.month < 10 ? "0" : "") + "\(end.month)" }

    /// - Parameters:
    ///   - config: the city's parameters and seed.
    ///   - treatment: a plan's treatment to re-live the city with (common random numbers: docs/interventions.md §8).
    ///   - parallelism: how the work is spread over threads (serial unless the caller passes more workers).
    ///   - monthly: write the window's last month of recorded rows apart, as the next monthly delivery. The lives and
    ///     the truth are the same as without it; each row is in exactly one of the two deliveries.
    public init(config: SynthConfig, treatment: Treatment? = nil, parallelism: Parallelism = .serial, monthly: Bool = false) {
        self.config = config
        self.monthly = monthly
        self.treatment = treatment
        self.parallelism = parallelism
        builder = PopulationBuilder(config: config)
        start = builder.windowStart
        end = builder.windowEnd
        months = config.years * 12
        burnInMonths = config.burnInYears * 12
    }

    static let svAgeCurve: [Int: Double] = [10: 0.05, 11: 0.1, 12: 0.25, 13: 0.5, 14: 0.8, 15: 1.0, 16: 1.2, 17: 1.25,
                                             18: 1.25, 19: 1.2, 20: 1.1, 21: 1.0, 22: 0.9, 23: 0.8, 24: 0.7]
    static func offendingAge(_ age: Int) -> Double {
        switch age {
        case ..<10: 0
        case 10...13: 0.4
        case 14...17: 1.0
        case 18...24: 1.0
        case 25...34: 0.6
        case 35...49: 0.3
        default: 0.08
        }
    }

    static let perACE = 0.30
    static let svPerACE = 0.13
    /// How much prior offending, exclusion and care raise the serious violence hazard on average,
    /// measured on the default city so that the configured prevalence is met (see docs/synthetic-city.md).
    static let svMediatorInflation = 0.97

    /// Base rates (per person-month) calibrated from the population before any event is drawn.
    struct Rates {
        var sv = 0.0, csc = 0.0, suspension = 0.0, pex = 0.0, absenceMu = 0.0
    }

    func calibrate(_ people: [Person]) -> Rates {
        var rates = Rates()
        var svSum = 0.0, cscSum = 0.0, susSum = 0.0, nKids = 0
        var absence: [Double] = []
        for p in people where p.isChild {
            let n = Double(p.lifetimeACEs.count)
            nKids += 1
            svSum += exp(CityGenerator.svPerACE * n * 0.7 + (p.sex == .male ? 0.7 : -0.7)) * p.propensity
            cscSum += exp(CityGenerator.perACE * 2 * n * 0.6)
            susSum += exp(CityGenerator.perACE * 1.2 * n * 0.6 + (p.sex == .male ? 0.4 : -0.4))
            var r = SeededRandom(seed: config.seed, 7, UInt64(p.index))
            absence.append(0.6 * r.normal() + 0.15 * n * 0.6)
        }
        guard nKids > 0 else { return rates }
        let cumulative = (10...17).reduce(0.0) { $0 + CityGenerator.svAgeCurve[$1]! }
        rates.sv = config.services.seriousViolenceBy18 / (cumulative * svSum / Double(nKids) * CityGenerator.svMediatorInflation) / 12
        rates.csc = config.services.cscReferralsPer10kChildren / 10_000 * config.services.contactsPerReferral / (cscSum / Double(nKids)) / 12
        rates.suspension = config.services.suspensionRatePerPupilYear / (susSum / Double(nKids)) / 10
        rates.pex = config.services.permanentExclusionRatePerPupilYear / (susSum / Double(nKids)) / 10
        absence.sort()
        let q = absence[min(absence.count - 1, Int(Double(absence.count) * (1 - config.services.persistentAbsenceShare)))]
        rates.absenceMu = log(0.10) - q
        return rates
    }

    // MARK: Generation

    /// Generates the city into `directory` (created; must not exist unless `overwrite`).
    /// Writes to a temporary folder and renames it at the end, so an interrupted run never leaves a complete-looking city.
    public func generate(to directory: String, overwrite: Bool = false,
                         progress: (@Sendable (String, Double) -> Void)? = nil) throws -> CitySummary {
        var st = stat()
        if stat(directory, &st) == 0 && !overwrite {
            throw SynthError("\(directory) already exists; choose another --out or pass --force to replace it")
        }
        let tmp = directory + ".partial-\(getpid())"
        if stat(tmp, &st) == 0 { try removeTree(tmp) }
        try makeDirectory(tmp)
        try makeDirectory(tmp + "/truth")
        try makeDirectory(tmp + "/reference")
        do {
            let summary = try generateInto(tmp, progress: progress)
            if stat(directory, &st) == 0 { try removeTree(directory) }
            guard rename(tmp, directory) == 0 else { throw SynthError("cannot rename \(tmp) to \(directory)") }
            return summary
        } catch {
            try? removeTree(tmp)
            throw error
        }
    }

    func generateInto(_ dir: String, progress: (@Sendable (String, Double) -> Void)?) throws -> CitySummary {
        let clock = ContinuousClock()
        var mark = clock.now
        var timings: [(String, Duration)] = []
        func lap(_ stage: String) { let now = clock.now; timings.append((stage, now - mark)); mark = now }
        defer { stageTimings = timings }
        progress?("population", 0)
        let areas = builder.buildAreas()
        let built = builder.build(areas: areas)
        let households = built.households, people = built.people
        var residents: [[Int32]] = Array(repeating: [], count: areas.count)
        for hh in households {
            for a in hh.adults { residents[Int(hh.area)].append(a) }
            for c in hh.children { residents[Int(hh.area)].append(c) }
            if hh.stepParent >= 0 { residents[Int(hh.area)].append(hh.stepParent) }
        }
        lap("population")
        let rates = calibrate(people)
        let book = IdentifierBook(people: people.count, seed: config.seed)
        let noise = NoiseModel(noise: config.noise, book: book, areas: areas)
        let k = CityGenerator.chunks
        func makeWorkers(_ offset: Int) throws -> [ChunkWorker] {
            try (0..<k).map { i in
                let partDir = dir + "/.parts/\(offset + i)"
                try makeDirectory(partDir)
                let w = try CityWriter(dir: partDir, chunk: offset + i, noise: noise, people: people, households: households,
                                       areas: areas, windowStart: start, windowEnd: end, monthFrom: monthly ? monthFrom : nil)
                return ChunkWorker(config: config, start: start, end: end, months: months, burnInMonths: burnInMonths,
                                   rates: rates, areas: areas,
                                   households: households, residents: residents, out: w)
            }
        }
        let done = Counter()
        // A treated re-run: each treated person's true effect, and (in shadow workers whose files are thrown away)
        // their untreated lives, whose crimes stand in for the treated lives' when the rest of the city's crime is
        // planned, so that it is the same as in the untreated run.
        if let treatment { try treatment.validate(people: people.count) }
        let treated = treatment?.effectsByPerson(seed: config.seed) ?? [:]
        let lives = try makeWorkers(0)
        let shadows = treated.isEmpty ? [] : try makeWorkers(2 * k)
        for w in lives + shadows {
            w.treated = treated
            w.treatFrom = treatment?.from ?? CivilDate(dayNumber: .max)
        }
        // Phase two: households in k contiguous chunks, generated in parallel. Each child's life has its own random
        // streams (seed and person), so a re-run with a treatment lives every other life the same way.
        let perChunk = (households.count + k - 1) / k
        progress?("life courses", 0)
        parallelism.forEach(k) { i in
            let w = lives[i]
            for h in min(households.count, i * perChunk)..<min(households.count, (i + 1) * perChunk) {
                var rng = SeededRandom(seed: config.seed, 3, UInt64(h))
                let hh = households[h]
                w.householdEvents(hh, &rng)
                for c in hh.children {
                    w.out.beginLife(c, treated: treated[c] != nil)
                    w.childLife(c, hh)
                    w.out.endLife()
                    if treated[c] != nil {
                        shadows[i].out.beginLife(c, treated: false)
                        shadows[i].childLife(c, hh, treat: false)
                        shadows[i].out.endLife()
                    }
                }
            }
            progress?("life courses", Double(done.increment()) / Double(k))
        }
        lap("life courses")
        // Phase three: the rest of the city's recorded crime, areas in k chunks.
        var produced: [String: Int] = [:]
        for w in lives {
            produced.merge(w.out.crimesByCode, uniquingKeysWith: +)
            produced.merge(w.out.treatedCrimesByCode.mapValues { -$0 }, uniquingKeysWith: +)
        }
        for w in shadows {
            produced.merge(w.out.crimesByCode, uniquingKeysWith: +)
            _ = try w.out.close()
        }
        let plan = ChunkWorker.CrimePlan(worker: lives[0], produced: produced, peopleCount: people.count)
        let crimeWorkers = try makeWorkers(k)
        let perAreaChunk = (areas.count + k - 1) / k
        done.reset()
        progress?("recorded crime", 0)
        // The truth that does not depend on events is written alongside, as one more task.
        let staticTruthError = ErrorBox()
        parallelism.forEach(k + 1) { i in
            if i == k {
                do { try writeStaticTruth(dir, people: people, households: households, areas: areas, book: book) } catch { staticTruthError.set(error) }
                return
            }
            crimeWorkers[i].cityCrime(plan: plan, areaRange: min(areas.count, i * perAreaChunk)..<min(areas.count, (i + 1) * perAreaChunk))
            progress?("recorded crime", Double(done.increment()) / Double(k))
        }
        if let e = staticTruthError.error { throw e }
        lap("recorded crime")
        progress?("writing files", 0)
        // Join the parts in chunk order.
        let workers = lives + crimeWorkers
        var rows: [String: Int] = [:]
        for w in workers { rows.merge(try w.out.close(), uniquingKeysWith: +) }
        // Every extract's rows in an order shuffled by the seed (not household by household).
        // Each extract has its own random stream, so they are joined in parallel with the same result.
        let joinError = ErrorBox()
        let schemas = ExtractSchema.all
        parallelism.forEach(schemas.count) { i in
            let s = schemas[i]
            var rng = SeededRandom(seed: config.seed, 0x5_4F_46, UInt64(i))
            do {
                try ShuffledJoin.join(dir + "/" + s.name + ".csv", header: s.header, delimiter: Character(s.delimiter),
                                      parts: (0..<(2 * k)).map { dir + "/.parts/\($0)/" + s.name + ".csv" },
                                      scratch: dir + "/.parts/shuffle-" + s.name, &rng)
            } catch { joinError.set(error) }
        }
        if let e = joinError.error { throw e }
        var monthDelivery: CitySummary.MonthDelivery?
        if monthly {
            try makeDirectory(dir + "/" + monthFolder)
            parallelism.forEach(schemas.count) { i in
                let s = schemas[i]
                var rng = SeededRandom(seed: config.seed, 0x5_4F_47, UInt64(i))
                do {
                    try ShuffledJoin.join(dir + "/" + monthFolder + "/" + s.name + ".csv", header: s.header, delimiter: Character(s.delimiter),
                                          parts: (0..<(2 * k)).map { dir + "/.parts/\($0)/month/" + s.name + ".csv" },
                                          scratch: dir + "/.parts/shuffle-month-" + s.name, &rng)
                } catch { joinError.set(error) }
            }
            if let e = joinError.error { throw e }
            var monthRows: [String: Int] = [:]
            for w in workers { monthRows.merge(w.out.monthRows, uniquingKeysWith: +) }
            monthDelivery = .init(folder: monthFolder, from: monthFrom.iso, rows: monthRows)
        }
        try join(dir + "/truth/records.csv", header: ["source", "record_id", "person_id"], delimiter: ",",
                 parts: (0..<(2 * k)).map { dir + "/.parts/\($0)/records.csv" })
        try join(dir + "/truth/identifier_errors.csv", header: ["source", "record_id", "field", "error", "other_person_id"],
                 delimiter: ",", parts: (0..<(2 * k)).map { dir + "/.parts/\($0)/identifier_errors.csv" })
        try removeTree(dir + "/.parts")
        lap("joining files")
        var firstOffender = [Int32](repeating: .max, count: people.count)
        var firstVictim = [Int32](repeating: .max, count: people.count)
        var personRecords = 0
        for w in workers {
            personRecords += w.out.truth.rows
            for (p, d, offender) in w.out.seriousViolence {
                if offender { firstOffender[Int(p)] = min(firstOffender[Int(p)], d) } else { firstVictim[Int(p)] = min(firstVictim[Int(p)], d) }
            }
        }
        try writeOutcomes(dir, people: people, firstOffender: firstOffender, firstVictim: firstVictim)
        if let treatment { try writeTreatment(dir, treatment: treatment, people: people, firstOffender: firstOffender) }
        let summary = CitySummary(
            people: people.count, households: households.count, areas: areas.count, rows: rows,
            personRecords: personRecords, crimes: rows[ExtractSchema.policeCrimes.name] ?? 0,
            seriousViolenceOffenders: firstOffender.filter { $0 != .max }.count, monthDelivery: monthDelivery)
        try writeManifest(dir, summary: summary)
        lap("truth and manifest")
        progress?("done", 1)
        return summary
    }

    func join(_ path: String, header: [String], delimiter: Character, parts: [String]) throws {
        let w = try CSVFileWriter(path: path, header: header, delimiter: delimiter)
        try w.close()
        guard let f = fopen(path, "ab") else { throw SynthError("cannot write \(path)") }
        defer { fclose(f) }
        for p in parts { try appendFile(p, to: f) }
    }
}

/// Holds an error thrown on another thread.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLockLike()
    private var stored: (any Error)?
    func set(_ e: any Error) { lock.locked { stored = e } }
    var error: (any Error)? { lock.locked { stored } }
}

/// A thread-safe counter for progress across chunks.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLockLike()
    func increment() -> Int { lock.locked { value += 1; return value } }
    func reset() { lock.locked { value = 0 } }
}

/// A minimal mutex on pthreads (the core avoids Foundation).
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

/// One chunk's generator: shared read-only city data plus its own writer.
final class ChunkWorker: @unchecked Sendable {
    let config: SynthConfig
    let start: CivilDate
    let end: CivilDate
    let months: Int
    let burnInMonths: Int
    let rates: CityGenerator.Rates
    let areas: [Area]
    let households: [Household]
    let residents: [[Int32]]
    let out: CityWriter
    /// Treated people's true effects on their serious violence hazard, from `treatFrom` on (a treated re-run).
    var treated: [Int32: Double] = [:]
    var treatFrom = CivilDate(dayNumber: .max)
    var perACE: Double { CityGenerator.perACE }
    var svPerACE: Double { CityGenerator.svPerACE }

    init(config: SynthConfig, start: CivilDate, end: CivilDate, months: Int, burnInMonths: Int, rates: CityGenerator.Rates,
         areas: [Area], households: [Household], residents: [[Int32]], out: CityWriter) {
        self.config = config; self.start = start; self.end = end; self.months = months; self.burnInMonths = burnInMonths
        self.rates = rates
        self.areas = areas; self.households = households; self.residents = residents; self.out = out
    }

    func aceCount(_ p: Person, _ date: CivilDate) -> Int {
        var n = 0
        for d in p.aceOnset where d <= date.dayNumber { n += 1 }
        return n
    }

    func randomResident(area: Int32, on date: CivilDate, ages: ClosedRange<Int>, _ rng: inout SeededRandom,
                        weight: ((Person) -> Double)? = nil) -> Int32? {
        let list = residents[Int(area)]
        guard !list.isEmpty else { return nil }
        for _ in 0..<24 {
            let i = list[rng.below(list.count)]
            let p = out.people[Int(i)]
            guard p.dob <= date, ages.contains(p.dob.age(on: date)) else { continue }
            if let w = weight, !rng.chance(min(1, w(p))) { continue }
            return i
        }
        return nil
    }
}
