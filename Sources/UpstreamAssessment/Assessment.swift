/// One series the assessment reports on: a typology (from the store) or a police.uk crime type.
public struct SeriesInput: Sendable {
    public var key: String
    public var title: String
    public var framework: String
    public var who: String
    public var rule: String
    public var confidence: String
    public var hiddenHarm: String?
    /// Victim vulnerability on 1–5, for the priority score.
    public var vulnerability: Double
    /// Whether the series is a threat the priorities rank.
    public var isThreat: Bool
    /// Crimes per month from the first month of the period.
    public var monthly: [Int]
    /// Sum of CCHI days over the series' crimes, and of unit costs where published.
    public var harmDays: Double
    public var costGBP: Double
    /// Crimes with a published unit cost.
    public var costed: Int
    /// Whether the series is part of what shares are shares of (anti-social behaviour is not: it is not crime).
    public var inBase = true

    public init(key: String, title: String, framework: String, who: String, rule: String, confidence: String,
                hiddenHarm: String?, vulnerability: Double, isThreat: Bool, monthly: [Int], harmDays: Double, costGBP: Double,
                costed: Int) {
        self.key = key; self.title = title; self.framework = framework; self.who = who; self.rule = rule
        self.confidence = confidence; self.hiddenHarm = hiddenHarm; self.vulnerability = vulnerability; self.isThreat = isThreat
        self.monthly = monthly; self.harmDays = harmDays; self.costGBP = costGBP; self.costed = costed
    }

    public var count: Int { monthly.reduce(0, +) }
}

/// Everything an assessment is computed from, whichever input it came from.
public struct AssessmentInput: Sendable {
    public var source: String
    public var first: YearMonth
    public var months: Int
    public var series: [SeriesInput]
    /// What shares are shares of ("all violence", "all crime (excluding anti-social behaviour)"), and its totals.
    public var baseLabel: String
    public var baseCount: Int
    public var baseHarmDays: Double
    /// Small areas with their violence counts, for concentration, hotspots and the map.
    public var areas: [AreaPoint]
    public var heatMap: HeatMap?
    public var people: PeopleFigures?
    public var craig: CraigPattern?
    /// What the input can and cannot say (resolution, data quality), in plain words.
    public var notes: [String]

    public init(source: String, first: YearMonth, months: Int, series: [SeriesInput], baseLabel: String, baseCount: Int,
                baseHarmDays: Double, areas: [AreaPoint], heatMap: HeatMap? = nil, people: PeopleFigures? = nil,
                craig: CraigPattern? = nil, notes: [String] = []) {
        self.source = source; self.first = first; self.months = months; self.series = series; self.baseLabel = baseLabel
        self.baseCount = baseCount; self.baseHarmDays = baseHarmDays; self.areas = areas; self.heatMap = heatMap
        self.people = people; self.craig = craig; self.notes = notes
    }
}

/// The strategic assessment: every figure of the report, as JSON and for the HTML renderer.
public struct Assessment: Codable, Sendable {
    /// One series' figures.
    public struct Series: Codable, Sendable {
        public struct Month: Codable, Sendable, Equatable { public var month: YearMonth; public var count: Int }
        public var key: String
        public var title: String
        /// Whether the shares are shares of the base (false for anti-social behaviour, whose shares are 0).
        public var inBase: Bool
        public var framework: String
        public var who: String
        public var rule: String
        public var mappingConfidence: String
        public var count: Int
        public var volumeShare: Double
        public var harmDays: Double
        public var harmShare: Double
        public var harmPerCrime: Double
        public var costGBP: Double
        /// Share of the series' crimes with a published unit cost (the cost is a lower bound when below 1).
        public var costCoverage: Double
        public var monthly: [Month]
        public var trend: SeasonalChangeTest?
        public var forecast: Forecast?
        public var hiddenHarm: String?
    }

    /// Concentration, hotspots and the areas for the map.
    public struct Place: Codable, Sendable {
        public var concentration: Concentration
        public var hotspots: Hotspots?
        /// Areas without a position (left out of the hotspot analysis and the map).
        public var areasWithoutPosition: Int
        public var areas: [AreaPoint]
    }

    /// One line of the draft control strategy.
    public struct ControlItem: Codable, Sendable {
        public var priority: String
        public var prevention: String
        public var intelligence: String
        public var enforcement: String
        public var intelligenceRequirement: String
    }

    public var source: String
    public var from: YearMonth
    public var to: YearMonth
    public var generated: String
    public var notes: [String]
    public var baseLabel: String
    public var baseCount: Int
    public var baseHarmDays: Double
    public var series: [Series]
    public var heatMap: HeatMap?
    public var place: Place
    public var people: PeopleFigures?
    public var craig: CraigPattern?
    public var weights: PriorityWeights
    public var priorities: [Priority]
    public var controlStrategy: [ControlItem]
    public var sources: [String]

    /// Computes every figure from the input.
    /// - Parameters:
    ///   - input: the crimes, areas and people, from the store or from police.uk files.
    ///   - weights: the priority weights, printed in the report.
    ///   - generated: when the report was made, as text (passed in, so reports can be reproduced).
    ///   - distance: the hotspot distance band in metres (default: 1.5 × the median nearest-neighbour distance).
    public static func build(_ input: AssessmentInput, weights: PriorityWeights, generated: String, distance: Double? = nil) -> Assessment {
        let last = input.first.adding(input.months - 1)
        var series: [Series] = []
        for s in input.series {
            let count = s.count
            let monthly = s.monthly.enumerated().map { Series.Month(month: input.first.adding($0.offset), count: $0.element) }
            series.append(Series(
                key: s.key, title: s.title, inBase: s.inBase, framework: s.framework, who: s.who, rule: s.rule, mappingConfidence: s.confidence,
                count: count, volumeShare: s.inBase && input.baseCount > 0 ? Double(count) / Double(input.baseCount) : 0,
                harmDays: s.harmDays, harmShare: s.inBase && input.baseHarmDays > 0 ? s.harmDays / input.baseHarmDays : 0,
                harmPerCrime: count > 0 ? s.harmDays / Double(count) : 0, costGBP: s.costGBP,
                costCoverage: count > 0 ? Double(s.costed) / Double(count) : 0, monthly: monthly,
                trend: SeasonalChangeTest.test(s.monthly), forecast: Forecast.seasonalNaive(s.monthly, lastMonth: last),
                hiddenHarm: s.hiddenHarm))
        }
        // Place: every area in the data counts for concentration; those with a position are tested for hotspots.
        let concentration = Concentration.of(input.areas.map(\.count))
        let placed = input.areas.filter { $0.x != nil && $0.y != nil }
        var hotspots: Hotspots?
        if placed.count >= 3 {
            let points = placed.map { ($0.x!, $0.y!) }
            hotspots = Hotspots.giStar(
                codes: placed.map(\.code), x: placed.map { $0.x! }, y: placed.map { $0.y! }, counts: placed.map(\.count),
                distance: distance ?? Hotspots.defaultDistance(points))
        }
        let place = Place(concentration: concentration, hotspots: hotspots, areasWithoutPosition: input.areas.count - placed.count,
                          areas: input.areas)
        // Priorities.
        var threats: [ThreatEvidence] = []
        for (i, s) in input.series.enumerated() where s.isThreat {
            let f = series[i]
            threats.append(ThreatEvidence(title: s.title, vulnerability: s.vulnerability, hiddenHarm: s.hiddenHarm != nil,
                                          count: f.count, harmPerCrime: f.harmPerCrime, harmShare: f.harmShare,
                                          volumeShare: f.volumeShare, trend: f.trend, confidence: s.confidence))
        }
        let priorities = PriorityScoring.rank(threats, weights: weights)
        let hotNames = (hotspots?.locals ?? []).filter { $0.kind == "hot" }.sorted { $0.z > $1.z }.prefix(3).compactMap { h in
            input.areas.first { $0.code == h.code }.map { $0.name.isEmpty ? $0.code : $0.name }
        }
        let control = priorities.prefix(3).map { p -> ControlItem in
            let s = series.first { $0.title == p.threat }
            return ControlStrategy.item(priority: p, series: s, hotAreas: Array(hotNames), source: input.source)
        }
        return Assessment(
            source: input.source, from: input.first, to: last, generated: generated, notes: input.notes,
            baseLabel: input.baseLabel, baseCount: input.baseCount, baseHarmDays: input.baseHarmDays, series: series,
            heatMap: input.heatMap, place: place, people: input.people, craig: input.craig, weights: weights,
            priorities: priorities, controlStrategy: control,
            sources: [
                OffenceTable.cchiSource, OffenceTable.costSource,
                "Typologies: World Health Organization (2002), World report on violence and health; UK policing categories and their mapping to Home Office codes and flags from reference/violence_typologies.csv (Home Office Counting Rules; police recorded crime open data tables user guide).",
                "Offence groups and subgroups of each Home Office code: Home Office police recorded crime open data tables by police force area, 2017/18 (reference/recorded_crime_west_midlands_2017_18.csv).",
                "Priority scoring: MoRiLE (Management of Risk in Law Enforcement) order of steps, reference/morile.md; the scale points are Upstream's own.",
            ])
    }
}

/// Drafts the control strategy's lines for the top priorities (National Intelligence Model: prevention, intelligence,
/// enforcement, and the intelligence requirement).
enum ControlStrategy {
    static func item(priority p: Priority, series s: Assessment.Series?, hotAreas: [String], source: String) -> Assessment.ControlItem {
        let places = hotAreas.isEmpty ? "the busiest small areas" : hotAreas.joined(separator: ", ")
        let trend = s?.trend?.words ?? "trend not yet testable"
        var requirement = "Monthly monitoring of \(p.threat.lowercased()) against the seasonal test (currently \(trend))."
        if s?.hiddenHarm != nil {
            requirement += " Partner data (health, social care, the National Referral Mechanism) to estimate the hidden volume that recorded crime misses."
        }
        if s?.mappingConfidence != "high" {
            requirement += " Better recording of the flag or marker that identifies it (mapping confidence \(s?.mappingConfidence ?? "unknown"))."
        }
        if source == "police_uk" {
            requirement += " Force data with offence codes and flags: police.uk cannot separate the strands within its crime types."
        }
        return Assessment.ControlItem(
            priority: p.threat,
            prevention: "Target early help and evidence-led programmes at the young people and places most affected; focused work in \(places).",
            intelligence: "Problem profile of \(p.threat.lowercased()): who, where, when (the heat map), and the repeat victims and locations.",
            enforcement: "Hotspot patrols and offender management directed by the Gi* hotspots (\(places)), reviewed at tactical tasking.",
            intelligenceRequirement: requirement)
    }
}
