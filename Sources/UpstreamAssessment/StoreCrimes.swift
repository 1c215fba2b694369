import UpstreamModel

/// One recorded crime from the store (the force's crime-level records).
public struct StoreCrime: Sendable, Hashable {
    public var reference: String
    public var date: CivilDate
    public var minuteOfDay: Int?
    public var code: String
    public var flags: CrimeFlags
    public var area: String?
    /// Grid position in metres, where recorded.
    public var easting: Double?
    public var northing: Double?

    public init(reference: String, date: CivilDate, minuteOfDay: Int?, code: String, flags: CrimeFlags, area: String?,
                easting: Double?, northing: Double?) {
        self.reference = reference; self.date = date; self.minuteOfDay = minuteOfDay; self.code = code; self.flags = flags
        self.area = area; self.easting = easting; self.northing = northing
    }
}

/// Gathers the store's crimes and the people recorded with them, then builds the assessment's input: one series per
/// typology (a crime can be in several: a domestic knife assault is domestic abuse and knife crime).
public struct StoreAssessmentBuilder: Sendable {
    /// The period asked for; when either end is `nil`, the last three years (36 months) of recorded crime.
    public let from: YearMonth?
    public let to: YearMonth?
    private var crimes: [StoreCrime] = []
    private var parties: [String: [Involvement]] = [:]
    private var outsidePeriod = 0
    /// Crime-level records read.
    public private(set) var read = 0

    public init(from: YearMonth?, to: YearMonth?) { self.from = from; self.to = to }

    /// Adds a crime-level record.
    public mutating func add(_ crime: StoreCrime) {
        read += 1
        if let from, let to {
            let m = YearMonth(year: crime.date.year, month: crime.date.month)!
            guard m >= from && m <= to else { outsidePeriod += 1; return }
        }
        crimes.append(crime)
    }

    /// The period assessed: as asked, or the 36 months ending with the last month with a recorded crime.
    public var period: (from: YearMonth, to: YearMonth)? {
        let last = to ?? crimes.map { YearMonth(year: $0.date.year, month: $0.date.month)! }.max()
        guard let last else { return nil }
        return (from ?? last.adding(-35), last)
    }

    /// Adds a person recorded with a crime (victim, suspect or offender), by crime reference.
    public mutating func add(party: Involvement) { parties[party.crime, default: []].append(party) }

    /// The assessment's input.
    /// - Parameters:
    ///   - craig: the Craig pattern, when linked persons were available.
    ///   - linked: whether the parties' `person` keys are linked persons.
    public func input(craig: CraigPattern?, linked: Bool) throws -> AssessmentInput {
        guard let (from, to) = period else {
            throw AssessmentError.noCrimes("the store has no recorded crimes: load police_crimes with upstream ingest")
        }
        let inPeriod = crimes.filter { c in
            let m = YearMonth(year: c.date.year, month: c.date.month)!
            return m >= from && m <= to
        }
        guard !inPeriod.isEmpty else {
            throw AssessmentError.noCrimes("the store has no recorded crimes between \(from) and \(to): widen --from/--to")
        }
        let outsidePeriod = self.outsidePeriod + crimes.count - inPeriod.count
        let unknownCode = inPeriod.filter { OffenceTable.offence($0.code) == nil }.count
        let n = to.index - from.index + 1
        var monthly: [Typology: [Int]] = [:], harm: [Typology: Double] = [:], cost: [Typology: Double] = [:], costed: [Typology: Int] = [:]
        for t in Typology.allCases { monthly[t] = [Int](repeating: 0, count: n) }
        var heat = HeatMap()
        var areaCount: [String: Int] = [:], areaX: [String: (Double, Double, Int)] = [:]
        var violentRefs = Set<String>()
        for c in inPeriod {
            let ps = parties[c.reference] ?? []
            let young = ps.contains { p in (p.role == .victim || p.role == .suspect || p.role == .offender) && p.age.map { (10...24).contains($0) } == true }
            let serious = SeriousViolence.isSerious(code: OffenceTable.offence(c.code)?.code ?? c.code, flags: c.flags)
            let types = Typology.of(code: c.code, flags: c.flags, youngParty: young, serious: serious)
            let m = YearMonth(year: c.date.year, month: c.date.month)!.index - from.index
            let h = OffenceTable.harmDays(code: c.code) ?? 0
            let u = OffenceTable.cost(code: c.code)
            for t in types {
                monthly[t]![m] += 1
                harm[t, default: 0] += h
                if let u { cost[t, default: 0] += u; costed[t, default: 0] += 1 }
            }
            if let area = c.area, !area.isEmpty {
                if areaCount[area] == nil { areaCount[area] = 0 }
                if let e = c.easting, let nn = c.northing {
                    let s = areaX[area] ?? (0, 0, 0)
                    areaX[area] = (s.0 + e, s.1 + nn, s.2 + 1)
                }
            }
            if types.contains(.allViolence) {
                violentRefs.insert(c.reference)
                heat.add(weekday: c.date.weekday, minuteOfDay: c.minuteOfDay)
                if let area = c.area, !area.isEmpty { areaCount[area, default: 0] += 1 }
            }
        }
        var series: [SeriesInput] = []
        for t in Typology.allCases {
            series.append(SeriesInput(
                key: t.rawValue, title: t.title, framework: t.framework, who: t.who, rule: t.rule, confidence: t.mappingConfidence,
                hiddenHarm: t.hiddenHarm, vulnerability: PriorityWeights.vulnerability(t), isThreat: ![.allViolence, .familyIntimate, .community, .collective].contains(t),
                monthly: monthly[t]!, harmDays: harm[t] ?? 0, costGBP: cost[t] ?? 0, costed: costed[t] ?? 0))
        }
        let areas = areaCount.keys.sorted().map { code -> AreaPoint in
            let p = areaX[code]
            return AreaPoint(code: code, name: code, x: p.map { $0.0 / Double($0.2) }, y: p.map { $0.1 / Double($0.2) }, count: areaCount[code]!)
        }
        var involvements: [Involvement] = []
        for ref in violentRefs { involvements += parties[ref] ?? [] }
        let people = involvements.isEmpty ? nil : PeopleFigures.of(involvements, linked: linked)
        var notes = [
            "Source: the store's recorded crimes (police_crimes) and the people recorded with them (police_crime_people), \(from) to \(to).",
            "Typologies: from each crime's Home Office offence code and crime flags. A crime can belong to several typologies, so their shares add up to more than 100%. Shares are of all violence (violence against the person, sexual offences and robbery).",
            "Small areas: an area's position is the mean grid position of its recorded crimes.",
        ]
        if outsidePeriod > 0 { notes.append("\(SmallCount.grouped(outsidePeriod)) crimes fell outside the period and are not assessed.") }
        if unknownCode > 0 { notes.append("\(SmallCount.grouped(unknownCode)) crimes had an offence code not in the Home Office table: they have no harm weight and belong to no typology that needs the code.") }
        if craig == nil { notes.append("The Craig pattern needs linked persons: run upstream link on the store first.") }
        let all = monthly[.allViolence]!.reduce(0, +)
        return AssessmentInput(
            source: "store", first: from, months: n, series: series, baseLabel: "all violence", baseCount: all,
            baseHarmDays: harm[.allViolence] ?? 0, areas: areas, heatMap: heat, people: people, craig: craig, notes: notes)
    }
}
