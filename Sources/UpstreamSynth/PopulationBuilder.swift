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

    /// The first day of the burn-in (lives are simulated from here; records are written only from `windowStart`).
    var burnInStart: CivilDate { CivilDate(year: config.startYear - config.burnInYears, month: 1, day: 1)! }

    func buildAreas() -> [Area] {
        let n = max(4, config.people / config.peoplePerArea)
        let side = Int(Double(n).squareRoot().rounded(.up))
        var rng = SeededRandom(seed: config.seed, 1)
        var areas: [Area] = []
        var scores: [Double] = []
        let streetsPerArea = min(12, max(2, config.peoplePerArea / 70))
        let commonTable = AliasTable(weights: Names.zipf(AddressNames.common.count))
        let l = PopulationBuilder.letters
        var usedStreets: [String: Set<String>] = [:]
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
            var a = Area(code: "", easting: e, northing: nn, decile: 5, hotspot: false, district: district, sector: sector, venues: venues)
            a.oa = "E00" + SynthText.pad(800_000 + i, 6)
            a.lsoaIndex = i / 5
            a.code = "E01" + SynthText.pad(900_000 + a.lsoaIndex, 6)
            // Twenty postcode units per area, unique within the sector (20 areas x 20 units = 400 letter pairs).
            let j = (i % 200) / 10
            a.units = (0..<20).map { k in sector + String(l[(j * 20 + k) / 20]) + String(l[(j * 20 + k) % 20]) }
            a.locality = AddressNames.localities[((i / 200) * 10 + i % 10) * 7 % AddressNames.localities.count]
            var streets: [String] = []
            while streets.count < streetsPerArea {
                let name = rng.chance(0.3) ? AddressNames.common[commonTable.draw(&rng)]
                    : AddressNames.words[rng.below(AddressNames.words.count)] + " " + AddressNames.suffixes[rng.below(AddressNames.suffixes.count)]
                // One street of a name per locality (sector): the same name recurs only in other localities and towns.
                if usedStreets[sector, default: []].insert(name).inserted { streets.append(name) }
            }
            a.streets = streets
            // Local authority districts: a metropolitan core (E08) and shire districts around it (E07), by direction.
            let outer = min(8, max(2, n / 700))
            if dist < 0.45 {
                a.districtCode = "E08000900"; a.town = AddressNames.towns[0]
            } else {
                let angle = atan2(cy, cx) + Double.pi
                let k = min(outer - 1, Int(angle / (2 * Double.pi) * Double(outer)))
                a.districtCode = "E07000" + String(901 + k); a.town = AddressNames.towns[1 + k % (AddressNames.towns.count - 1)]
            }
            areas.append(a)
        }
        // Deprivation deciles are published per LSOA (English Indices of Deprivation): rank LSOAs by their areas' mean
        // score (lower score = less deprived) and give each area its LSOA's decile.
        let lsoas = (n + 4) / 5
        var lsoaScore = [Double](repeating: 0, count: lsoas), lsoaCount = [Double](repeating: 0, count: lsoas)
        for i in 0..<n { lsoaScore[i / 5] += scores[i]; lsoaCount[i / 5] += 1 }
        for k in 0..<lsoas { lsoaScore[k] /= lsoaCount[k] }
        let order = lsoaScore.indices.sorted { (lsoaScore[$0], $0) > (lsoaScore[$1], $1) }
        var lsoaDecile = [Int](repeating: 5, count: lsoas)
        for (rank, k) in order.enumerated() { lsoaDecile[k] = 1 + rank * 10 / lsoas }
        for i in 0..<n {
            areas[i].decile = lsoaDecile[i / 5]
            // An LSOA lies in one district: its first area's.
            areas[i].districtCode = areas[i / 5 * 5].districtCode
            areas[i].town = areas[i / 5 * 5].town
        }
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

    /// The next free address in `area`: slots fill the area's streets in turn, so no two households share one.
    func allocate(in area: Int32, _ areas: [Area], _ slots: inout [Int32], _ rng: inout SeededRandom) -> Address {
        let k = Int(slots[Int(area)])
        slots[Int(area)] += 1
        let a = areas[Int(area)]
        let s = a.streets.count
        let street = k % s, number = k / s + 1
        var address = Address(area: area, street: Int16(street), number: Int32(number),
                              unit: Int16((street + s * ((number - 1) / 10)) % a.units.count))
        if rng.chance(0.15) { address.flat = Int16(1 + rng.below(8)) }
        else if rng.chance(0.03) { address.houseName = Int16(rng.below(AddressNames.houseNames.count)) }
        return address
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
        var slots = [Int32](repeating: 0, count: areas.count)
        let burnStart = burnInStart
        while people.count < config.people {
            var rng = SeededRandom(seed: config.seed, 2, UInt64(h))
            var areaIndex = Int32(rng.below(areas.count))
            // Homes: one from before the burn-in, then moves at the configured yearly rate (60% to another area).
            var residences = [Residence(from: burnStart.adding(days: -rng.int(in: 1...3650)),
                                        address: allocate(in: areaIndex, areas, &slots, &rng))]
            var t = Double(burnStart.dayNumber)
            let rate = config.population.moveRatePerYear
            while rate > 0 {
                t += -log(max(rng.uniform(), 1e-12)) / rate * 365.25
                guard t <= Double(end.dayNumber) else { break }
                let to = rng.chance(0.6) ? Int32(rng.below(areas.count)) : residences.last!.address.area
                residences.append(Residence(from: CivilDate(dayNumber: Int32(t)), address: allocate(in: to, areas, &slots, &rng)))
            }
            var hh = Household(index: Int32(h), area: 0)
            hh.residences = residences
            areaIndex = hh.area(on: start)
            hh.area = areaIndex
            let area = areas[Int(areaIndex)]
            hh.latent = rng.normal() * config.aces.householdClustering + config.aces.deprivationEffect * (5.5 - Double(area.decile)) / 4.5
            let eth = Ethnicity.allCases[ethTable.draw(&rng)]
            let detailed = EthnicityCodes.draw(eth, &rng)
            let surname = pick(Names.surnames(eth), &rng)
            func newPerson(sex: Sex, dob: CivilDate, surname: String, _ rng: inout SeededRandom) -> Int32 {
                let idx = Int32(people.count)
                let fn = pick(Names.forenames(sex: sex, ethnicity: eth), &rng)
                var mid = rng.chance(0.6) ? pick(Names.forenames(sex: sex, ethnicity: eth), &rng) : ""
                if mid == fn { mid = "" }
                var p = Person(index: idx, sex: sex, dob: dob, ethnicity: eth, forename: fn, middle: mid, surname: surname,
                               household: Int32(h))
                p.propensity = exp(0.5 * rng.normal() + 0.15 * hh.latent)
                p.detailedEthnicity = detailed
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
                if let step = familyChanges(&hh, &people, areas: areas, &slots, &rng) {
                    let idx = newPerson(sex: .male, dob: step.dob, surname: step.surname, &rng)
                    hh.stepParent = idx
                }
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
    func familyChanges(_ hh: inout Household, _ people: inout [Person], areas: [Area], _ slots: inout [Int32],
                       _ rng: inout SeededRandom)
        -> (dob: CivilDate, surname: String)?
    {
        let sepIndex = ACE.parentalSeparation.index
        let sep = hh.householdACE[sepIndex]
        guard sep != .max, hh.adults.count == 2 else { return nil }
        let father = hh.adults[0]
        let date = CivilDate(dayNumber: sep)
        people[Int(father)].leftHouseholdDate = date
        people[Int(father)].ownAddress = allocate(in: Int32(rng.below(areas.count)), areas, &slots, &rng)
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
