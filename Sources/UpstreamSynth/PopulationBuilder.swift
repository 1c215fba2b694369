import UpstreamModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the city's areas, households and people, and each child's adverse childhood experiences.
///
/// This is phase one of the generator: everything that later events depend on, held in compact arrays.
struct PopulationBuilder {
    let config: SynthConfig
    let windowStart: CivilDate
    let windowEnd: CivilDate

    init(config: SynthConfig) {
        self.config = config
        windowStart = CivilDate(year: config.startYear, month: 1, day: 1)!
        windowEnd = CivilDate(year: config.startYear + config.years, month: 1, day: 1)!.adding(days: -1)
    }

    static let letters = Array("ABDEFGHJLNPQRSTUWXYZ")

    func buildAreas() -> [Area] {
        let n = max(4, config.people / config.peoplePerArea)
        let side = Int(Double(n).squareRoot().rounded(.up))
        var rng = SeededRandom(seed: config.seed, 1)
        var areas: [Area] = []
        var scores: [Double] = []
        for i in 0..<n {
            let gx = i % side, gy = i / side
            let e = 400_000 + gx * 400 + rng.int(in: -120...120)
            let nn = 280_000 + gy * 400 + rng.int(in: -120...120)
            let cx = Double(gx) - Double(side) / 2, cy = Double(gy) - Double(side) / 2
            let dist = (cx * cx + cy * cy).squareRoot() / (Double(side) / 2)
            // Deprivation: inner areas more deprived on average, with strong local variation.
            scores.append(-dist + rng.normal() * 0.45)
            let district = "UC" + String(1 + i / 200)
            let sector = district + " " + String(i % 10)
            var venues: [(Int, Int)] = []
            for _ in 0..<3 { venues.append((rng.int(in: -150...150), rng.int(in: -150...150))) }
            areas.append(Area(code: "E0" + SynthText.pad(7_000_000 + i, 7), easting: e, northing: nn, decile: 5,
                              hotspot: false, district: district, sector: sector, venues: venues))
        }
        // Deciles by rank of the score (lower score = less deprived).
        let order = scores.indices.sorted { (scores[$0], $0) > (scores[$1], $1) }
        for (rank, i) in order.enumerated() { areas[i].decile = 1 + rank * 10 / n }
        // Hotspots: the most central areas (city centre, night-time economy).
        let centre = Double(side) / 2
        let byCentre = areas.indices.sorted {
            let a = (Double($0 % side) - centre, Double($0 / side) - centre)
            let b = (Double($1 % side) - centre, Double($1 / side) - centre)
            return (a.0 * a.0 + a.1 * a.1, $0) < (b.0 * b.0 + b.1 * b.1, $1)
        }
        let hot = max(1, Int((Double(n) * config.crime.hotspotShareOfAreas).rounded()))
        for i in byCentre.prefix(hot) { areas[i].hotspot = true }
        return areas
    }

    func postcode(in area: Area, _ rng: inout SeededRandom) -> String {
        let l = PopulationBuilder.letters
        return area.sector + String(l[rng.below(l.count)]) + String(l[rng.below(l.count)])
    }

    /// Solves the item intercepts so that each ACE's prevalence matches its target under the latent model.
    func aceIntercepts() -> [Double] {
        let sigma = config.aces.householdClustering
        let dep = config.aces.deprivationEffect
        // Quadrature over the latent normal and the ten deciles.
        var nodes: [(Double, Double)] = []
        let k = 48
        for d in 1...10 {
            let shift = dep * (5.5 - Double(d)) / 4.5
            for j in 0..<k {
                let z = -4 + 8 * (Double(j) + 0.5) / Double(k)
                let w = exp(-z * z / 2)
                nodes.append((shift + sigma * z, w))
            }
        }
        let wsum = nodes.reduce(0) { $0 + $1.1 }
        return ACE.allCases.map { ace in
            let target = config.aces.itemPrevalence[ace.rawValue] ?? 0
            var lo = -30.0, hi = 30.0
            for _ in 0..<80 {
                let mid = (lo + hi) / 2
                var m = 0.0
                for (h, w) in nodes { m += w / (1 + exp(-(mid + h))) }
                if m / wsum < target { lo = mid } else { hi = mid }
            }
            return (lo + hi) / 2
        }
    }

    static let householdLevel: Set<ACE> = [
        .domesticViolence, .householdSubstanceMisuse, .householdMentalIllness, .parentalSeparation,
        .householdIncarceration, .physicalNeglect, .emotionalNeglect,
    ]

    /// Builds households and people.
    func build(areas: [Area]) -> (households: [Household], people: [Person]) {
        var people: [Person] = []
        var households: [Household] = []
        people.reserveCapacity(config.people + 16)
        let alphas = aceIntercepts()
        let ethWeights = Ethnicity.allCases.map { config.population.ethnicity[$0.rawValue] ?? 0 }
        let ethTable = AliasTable(weights: ethWeights)
        var nameTables: [String: AliasTable] = [:]
        func table(_ list: [String]) -> AliasTable {
            if let t = nameTables[list[0] + String(list.count)] { return t }
            let t = AliasTable(weights: Names.zipf(list.count))
            nameTables[list[0] + String(list.count)] = t
            return t
        }
        func pick(_ list: [String], _ rng: inout SeededRandom) -> String { list[table(list).draw(&rng)] }
        let start = windowStart, end = windowEnd
        var h = 0
        while people.count < config.people {
            var rng = SeededRandom(seed: config.seed, 2, UInt64(h))
            let areaIndex = Int32(rng.below(areas.count))
            let area = areas[Int(areaIndex)]
            var hh = Household(index: Int32(h), area: areaIndex, postcode: postcode(in: area, &rng))
            hh.latent = rng.normal() * config.aces.householdClustering + config.aces.deprivationEffect * (5.5 - Double(area.decile)) / 4.5
            let eth = Ethnicity.allCases[ethTable.draw(&rng)]
            let surname = pick(Names.surnames(eth), &rng)
            func newPerson(sex: Sex, dob: CivilDate, surname: String, _ rng: inout SeededRandom) -> Int32 {
                let idx = Int32(people.count)
                let fn = pick(Names.forenames(sex: sex, ethnicity: eth), &rng)
                var mid = rng.chance(0.6) ? pick(Names.forenames(sex: sex, ethnicity: eth), &rng) : ""
                if mid == fn { mid = "" }
                var p = Person(index: idx, sex: sex, dob: dob, ethnicity: eth, forename: fn, middle: mid, surname: surname,
                               household: Int32(h))
                p.propensity = exp(0.5 * rng.normal() + 0.15 * hh.latent)
                people.append(p)
                return idx
            }
            func dobAged(_ lo: Int, _ hi: Int, _ rng: inout SeededRandom) -> CivilDate {
                start.adding(days: -rng.int(in: lo * 365...hi * 365 + 364))
            }
            // Household type (shares of households: assumption, shaped to the 2011 Census under-16 share).
            let type = rng.weighted([0.29, 0.28, 0.36, 0.07])
            switch type {
            case 0: // one adult
                hh.adults.append(newPerson(sex: rng.chance(0.5) ? .male : .female, dob: dobAged(18, 90, &rng), surname: surname, &rng))
            case 1: // couple without dependent children
                let age = rng.int(in: 20...85)
                hh.adults.append(newPerson(sex: .male, dob: dobAged(age, age + 3, &rng), surname: surname, &rng))
                hh.adults.append(newPerson(sex: .female, dob: dobAged(max(18, age - 3), age, &rng), surname: surname, &rng))
            default: // family with children; lone-parent status arises from a separation before the window
                let motherAge = rng.int(in: 19...52)
                let mother = newPerson(sex: .female, dob: dobAged(motherAge, motherAge, &rng), surname: surname, &rng)
                let father = newPerson(sex: .male, dob: dobAged(motherAge, motherAge + 4, &rng), surname: surname, &rng)
                hh.adults = [father, mother]
                let kids = 1 + rng.weighted([0.40, 0.40, 0.15, 0.05])
                var birth = people[Int(mother)].dob.adding(days: rng.int(in: 19 * 365...34 * 365))
                for _ in 0..<kids {
                    if birth > end { break }
                    if birth.age(on: start) <= 17 {
                        let sex: Sex = rng.chance(0.512) ? .male : .female
                        let c = newPerson(sex: sex, dob: birth, surname: surname, &rng)
                        people[Int(c)].mother = mother; people[Int(c)].father = father
                        hh.children.append(c)
                        if rng.chance(config.population.twinRate) {
                            let tsex: Sex = rng.chance(0.5) ? sex : (sex == .male ? .female : .male)
                            let t = newPerson(sex: tsex, dob: birth, surname: surname, &rng)
                            people[Int(t)].mother = mother; people[Int(t)].father = father
                            people[Int(t)].twinOf = c; people[Int(c)].twinOf = t
                            hh.children.append(t)
                        }
                    }
                    birth = birth.adding(days: rng.int(in: 400...1800))
                }
                if hh.children.isEmpty { hh.adults = [father, mother] }
                assignACEs(&hh, &people, alphas: alphas, &rng)
                if let step = familyChanges(&hh, &people, areas: areas, &rng) {
                    let idx = newPerson(sex: .male, dob: step.dob, surname: step.surname, &rng)
                    hh.stepParent = idx
                }
            }
            // A household move during the window.
            let years = Double(config.years)
            if rng.chance(1 - pow(1 - config.population.moveRatePerYear, years)) {
                hh.moveDate = start.adding(days: rng.below(config.years * 365))
                hh.newArea = rng.chance(0.6) ? Int32(rng.below(areas.count)) : hh.area
                hh.newPostcode = postcode(in: areas[Int(hh.newArea)], &rng)
            }
            households.append(hh)
            h += 1
        }
        return (households, people)
    }

    func assignACEs(_ hh: inout Household, _ people: inout [Person], alphas: [Double], _ rng: inout SeededRandom) {
        guard let first = hh.children.first, let last = hh.children.last else { return }
        let firstBirth = people[Int(first)].dob, lastBirth = people[Int(last)].dob
        let span = max(1, Int(lastBirth.adding(days: 16 * 365).dayNumber - firstBirth.dayNumber))
        for (i, ace) in ACE.allCases.enumerated() where PopulationBuilder.householdLevel.contains(ace) {
            let p = 1 / (1 + exp(-(alphas[i] + hh.latent)))
            if rng.chance(p) { hh.householdACE[i] = firstBirth.dayNumber + Int32(rng.below(span)) }
        }
        for c in hh.children {
            var onset = [Int32](repeating: .max, count: 10)
            let dob = people[Int(c)].dob
            let eighteen = dob.adding(days: 18 * 365 + 4)
            for (i, ace) in ACE.allCases.enumerated() {
                if PopulationBuilder.householdLevel.contains(ace) {
                    let d = hh.householdACE[i]
                    // A household event counts for a child when it happens, or is still going on, in their childhood.
                    if d != .max && d < eighteen.dayNumber { onset[i] = max(d, dob.dayNumber) }
                } else {
                    let p = 1 / (1 + exp(-(alphas[i] + hh.latent)))
                    if rng.chance(p) { onset[i] = dob.dayNumber + Int32(rng.below(16 * 365)) }
                }
            }
            people[Int(c)].aceOnset = onset
        }
    }

    /// Separations, step-parents and surname changes that follow from the household's ACEs.
    /// Returns the step-parent to create (date of birth and surname), if the lone parent takes a new partner.
    func familyChanges(_ hh: inout Household, _ people: inout [Person], areas: [Area], _ rng: inout SeededRandom)
        -> (dob: CivilDate, surname: String)?
    {
        let sepIndex = ACE.parentalSeparation.index
        let sep = hh.householdACE[sepIndex]
        guard sep != .max, hh.adults.count == 2 else { return nil }
        let father = hh.adults[0]
        let date = CivilDate(dayNumber: sep)
        people[Int(father)].leftHouseholdDate = date
        let a = Int32(rng.below(areas.count))
        people[Int(father)].ownArea = a
        people[Int(father)].ownPostcode = postcode(in: areas[Int(a)], &rng)
        // A new partner (step-parent) some years later.
        let years = Double(max(0, windowEnd.dayNumber - sep)) / 365.25
        if rng.chance(1 - pow(1 - config.population.newPartnerRatePerYear, years)) {
            let from = date.adding(days: rng.int(in: 180...max(181, Int(years * 365))))
            guard from <= windowEnd else { return nil }
            let mother = people[Int(hh.adults[1])]
            let sn = Names.surnames(mother.ethnicity)[rng.below(Names.surnames(mother.ethnicity).count)]
            hh.stepParentFrom = from
            for c in hh.children where rng.chance(0.3) && people[Int(c)].dob.age(on: from) < 16 {
                let old = people[Int(c)].surname
                people[Int(c)].laterSurname = rng.chance(0.4) ? old + "-" + sn : sn
                people[Int(c)].surnameChangeDate = from.adding(days: rng.int(in: 30...400))
            }
            return (mother.dob.adding(days: -rng.int(in: 0...2500)), sn)
        }
        return nil
    }
}
