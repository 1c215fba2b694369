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
}

/// Generates the synthetic city: population, life courses, recorded crime, every agency's extract and the truth.
///
/// Phase one builds people and households in memory (compact arrays); phase two walks each household's
/// members month by month and writes their contacts with agencies as they happen; phase three fills the
/// rest of the city's recorded crime so that volumes and the offence mix match the reference table.
public final class CityGenerator {
    public let config: SynthConfig
    let builder: PopulationBuilder
    var areas: [Area] = []
    var households: [Household] = []
    var residents: [[Int32]] = []
    var out: CityWriter!
    let start: CivilDate
    let end: CivilDate
    let months: Int
    /// Calibrated base rates (per person-month) computed from the population before events are drawn.
    var svBase = 0.0
    var cscBase = 0.0
    var suspensionBase = 0.0
    var pexBase = 0.0
    var absenceMu = 0.0

    static let descriptions: [String: String] = {
        var d: [String: String] = [:]
        for r in CrimeMix.rows { d[normalisedCode(r.code)] = r.description }
        d["8K"] = "Female genital mutilation"
        return d
    }()

    static func normalisedCode(_ code: String) -> String { String(code.split(separator: "/").first ?? Substring(code)) }

    public init(config: SynthConfig) {
        self.config = config
        builder = PopulationBuilder(config: config)
        start = builder.windowStart
        end = builder.windowEnd
        months = config.years * 12
    }

    // MARK: Rates and helpers

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

    let perACE = 0.30
    let svPerACE = 0.18
    /// How much prior offending, exclusion and care raise the serious violence hazard on average,
    /// measured once on the default city so that the configured prevalence is met (see docs).
    let svMediatorInflation = 1.15

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

    func calibrate() {
        let people = out.people
        var svSum = 0.0, cscSum = 0.0, susSum = 0.0, nKids = 0
        var absence: [Double] = []
        for p in people where p.isChild {
            let n = Double(p.lifetimeACEs.count)
            nKids += 1
            svSum += exp(svPerACE * n * 0.7 + (p.sex == .male ? 0.7 : -0.7)) * p.propensity
            cscSum += exp(perACE * 2 * n * 0.6)
            susSum += exp(perACE * 1.2 * n * 0.6 + (p.sex == .male ? 0.4 : -0.4))
            var r = SeededRandom(seed: config.seed, 7, UInt64(p.index))
            absence.append(0.6 * r.normal() + 0.15 * n * 0.6)
        }
        guard nKids > 0 else { return }
        let svMean = svSum / Double(nKids)
        let cumulative = (10...17).reduce(0.0) { $0 + CityGenerator.svAgeCurve[$1]! }
        // Yearly hazard at curve 1 → monthly.
        svBase = config.services.seriousViolenceBy18 / (cumulative * svMean * svMediatorInflation) / 12
        cscBase = config.services.cscReferralsPer10kChildren / 10_000 * config.services.contactsPerReferral / (cscSum / Double(nKids)) / 12
        suspensionBase = config.services.suspensionRatePerPupilYear / (susSum / Double(nKids)) / 10
        pexBase = config.services.permanentExclusionRatePerPupilYear / (susSum / Double(nKids)) / 10
        absence.sort()
        let q = absence[min(absence.count - 1, Int(Double(absence.count) * (1 - config.services.persistentAbsenceShare)))]
        absenceMu = log(0.10) - q
    }

    // MARK: Generation

    /// Generates the city into `directory` (created; must not exist unless `overwrite`).
    /// Writes to a temporary folder and renames it at the end, so an interrupted run never leaves a complete-looking city.
    public func generate(to directory: String, overwrite: Bool = false, progress: ((String, Double) -> Void)? = nil) throws -> CitySummary {
        var st = stat()
        if stat(directory, &st) == 0 && !overwrite {
            throw SynthError("\(directory) already exists; choose another --out or pass --force to replace it")
        }
        let tmp = directory + ".partial-\(getpid())"
        try makeDirectory(tmp)
        try makeDirectory(tmp + "/truth")
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

    func generateInto(_ dir: String, progress: ((String, Double) -> Void)?) throws -> CitySummary {
        progress?("population", 0)
        areas = builder.buildAreas()
        let built = builder.build(areas: areas)
        households = built.households
        residents = Array(repeating: [], count: areas.count)
        for hh in households {
            for a in hh.adults { residents[Int(hh.area)].append(a) }
            for c in hh.children { residents[Int(hh.area)].append(c) }
            if hh.stepParent >= 0 { residents[Int(hh.area)].append(hh.stepParent) }
        }
        out = try CityWriter(dir: dir, noise: NoiseModel(noise: config.noise, seed: config.seed), people: built.people,
                             households: households, areas: areas)
        calibrate()
        for (i, hh) in households.enumerated() {
            var rng = SeededRandom(seed: config.seed, 3, UInt64(i))
            householdEvents(hh, &rng)
            for c in hh.children { childLife(c, hh, &rng) }
            if i % 2000 == 0 { progress?("life courses", Double(i) / Double(households.count)) }
        }
        progress?("recorded crime", 0)
        cityCrime(progress: progress)
        progress?("truth", 0)
        try writeTruth(dir)
        let rows = try out.finish()
        let summary = CitySummary(
            people: out.people.count, households: households.count, areas: areas.count, rows: rows,
            personRecords: out.truth.rows, crimes: rows[ExtractSchema.policeCrimes.name] ?? 0,
            seriousViolenceOffenders: out.firstSVOffender.filter { $0 != .max }.count)
        try writeManifest(dir, summary: summary)
        progress?("done", 1)
        return summary
    }
}
