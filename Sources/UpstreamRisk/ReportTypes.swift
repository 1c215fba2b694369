import Foundation

// The figures a risk model's report carries. Pure Codable values: `Metrics` and `FairnessAudit` compute them,
// `UpstreamReports` renders them as HTML and SVG, and the CLI prints them as JSON (rates as fractions, with the
// confusion counts behind them).

/// The four counts of a binary decision against the outcome, and the rates derived from them.
public struct ConfusionCounts: Codable, Sendable, Hashable {
    public var truePositives: Int
    public var falsePositives: Int
    public var trueNegatives: Int
    public var falseNegatives: Int

    public init(truePositives: Int = 0, falsePositives: Int = 0, trueNegatives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives; self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives; self.falseNegatives = falseNegatives
    }

    public var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }
    public var flagged: Int { truePositives + falsePositives }
    public var positives: Int { truePositives + falseNegatives }
    public var negatives: Int { falsePositives + trueNegatives }
    /// Share of people flagged (`nil` when there is nobody).
    public var selectionRate: Double? { total == 0 ? nil : Double(flagged) / Double(total) }
    /// Positive predictive value: of those flagged, the share who had the outcome.
    public var precision: Double? { flagged == 0 ? nil : Double(truePositives) / Double(flagged) }
    /// True positive rate: of those with the outcome, the share flagged.
    public var recall: Double? { positives == 0 ? nil : Double(truePositives) / Double(positives) }
    public var falsePositiveRate: Double? { negatives == 0 ? nil : Double(falsePositives) / Double(negatives) }
    public var falseNegativeRate: Double? { positives == 0 ? nil : Double(falseNegatives) / Double(positives) }

    enum CodingKeys: String, CodingKey {
        case truePositives, falsePositives, trueNegatives, falseNegatives
        case selectionRate, precision, recall, falsePositiveRate, falseNegativeRate
    }

    /// The four counts, and for scripts the rates derived from them as fractions (read back from the counts).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(truePositives, forKey: .truePositives)
        try c.encode(falsePositives, forKey: .falsePositives)
        try c.encode(trueNegatives, forKey: .trueNegatives)
        try c.encode(falseNegatives, forKey: .falseNegatives)
        try c.encodeIfPresent(selectionRate, forKey: .selectionRate)
        try c.encodeIfPresent(precision, forKey: .precision)
        try c.encodeIfPresent(recall, forKey: .recall)
        try c.encodeIfPresent(falsePositiveRate, forKey: .falsePositiveRate)
        try c.encodeIfPresent(falseNegativeRate, forKey: .falseNegativeRate)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(truePositives: try c.decode(Int.self, forKey: .truePositives),
                  falsePositives: try c.decode(Int.self, forKey: .falsePositives),
                  trueNegatives: try c.decode(Int.self, forKey: .trueNegatives),
                  falseNegatives: try c.decode(Int.self, forKey: .falseNegatives))
    }
}

/// A point of a ROC curve (x = false positive rate, y = true positive rate) or a precision-recall curve
/// (x = recall, y = precision), with the score threshold that gives it.
public struct CurvePoint: Codable, Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var threshold: Double
    public init(x: Double, y: Double, threshold: Double) { self.x = x; self.y = y; self.threshold = threshold }
}

/// One bin of a calibration (reliability) chart: predicted against observed risk.
public struct CalibrationBin: Codable, Sendable, Hashable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    public var positives: Int
    public var meanPredicted: Double
    public var observedRate: Double
    public init(lower: Double, upper: Double, count: Int, positives: Int, meanPredicted: Double, observedRate: Double) {
        self.lower = lower; self.upper = upper; self.count = count; self.positives = positives
        self.meanPredicted = meanPredicted; self.observedRate = observedRate
    }
}

/// Precision and recall when services can see only so many: the top `perHundredThousand` per 100,000 scored.
public struct CapacityResult: Codable, Sendable, Hashable {
    public var perHundredThousand: Double
    /// How many rows were scored, and how many of them the capacity allowed to be flagged.
    public var population: Int
    public var flagged: Int
    /// The lowest score flagged. Ties at the cut-off are broken by a seeded random order (documented).
    public var threshold: Double
    public var confusion: ConfusionCounts
    public var precision: Double? { confusion.precision }
    public var recall: Double? { confusion.recall }
    public init(perHundredThousand: Double, population: Int, flagged: Int, threshold: Double, confusion: ConfusionCounts) {
        self.perHundredThousand = perHundredThousand; self.population = population; self.flagged = flagged
        self.threshold = threshold; self.confusion = confusion
    }

    enum CodingKeys: String, CodingKey { case perHundredThousand, population, flagged, threshold, confusion, precision, recall }

    /// The figures, with precision and recall as fractions for scripts (read back from the confusion counts).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(perHundredThousand, forKey: .perHundredThousand)
        try c.encode(population, forKey: .population)
        try c.encode(flagged, forKey: .flagged)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(confusion, forKey: .confusion)
        try c.encodeIfPresent(precision, forKey: .precision)
        try c.encodeIfPresent(recall, forKey: .recall)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(perHundredThousand: try c.decode(Double.self, forKey: .perHundredThousand), population: try c.decode(Int.self, forKey: .population),
                  flagged: try c.decode(Int.self, forKey: .flagged), threshold: try c.decode(Double.self, forKey: .threshold),
                  confusion: try c.decode(ConfusionCounts.self, forKey: .confusion))
    }
}

/// How well one model's scores separate and calibrate on held-out rows.
public struct ModelEvaluation: Codable, Sendable, Hashable {
    /// Display name ("Gradient-boosted trees", "Logistic regression", "ACE count (practice today)").
    public var name: String
    /// Stable key ("gbt", "logistic", or `ModelEvaluation.practiceBaselineKey`).
    public var key: String
    /// The key of the rule practitioners use today (the ACE count), which reports compare the models against.
    public static let practiceBaselineKey = "ace_count"
    /// Which persons and rows it was evaluated on ("linked persons, as of 2019-04-01…2020-04-01").
    public var population: String
    public var rows: Int
    public var positives: Int
    public var rocAUC: Double?
    /// Precision-recall AUC as average precision.
    public var prAUC: Double?
    /// Brier score of the (calibrated) probabilities; `nil` for a rule that gives no probability.
    public var brier: Double?
    /// At most a few hundred points each, enough to draw.
    public var roc: [CurvePoint]
    public var pr: [CurvePoint]
    public var calibration: [CalibrationBin]
    public var capacity: CapacityResult?
    /// How capacity was applied, in words ("per date: the top 100 per 100,000 of each date's young people, pooled over
    /// 5 dates"); `nil` when pooled over every row at once.
    public var capacityUnit: String?
    /// Person-level bootstrap intervals on ROC AUC and on precision and recall at capacity.
    public var intervals: BootstrapIntervals?
    /// For those who went on to the outcome: how long before it this model first flagged them.
    public var leadTime: LeadTimeSummary?
    /// This model's fairness audit at capacity (baselines are audited like the models).
    public var fairness: FairnessReport?

    public init(
        name: String, key: String, population: String, rows: Int, positives: Int, rocAUC: Double?, prAUC: Double?,
        brier: Double?, roc: [CurvePoint], pr: [CurvePoint], calibration: [CalibrationBin], capacity: CapacityResult?
    ) {
        self.name = name; self.key = key; self.population = population; self.rows = rows; self.positives = positives
        self.rocAUC = rocAUC; self.prAUC = prAUC; self.brier = brier; self.roc = roc; self.pr = pr
        self.calibration = calibration; self.capacity = capacity
    }
}

/// One group's figures in a fairness audit (for example "sex = F").
public struct GroupFairness: Codable, Sendable, Hashable {
    public var group: String
    public var count: Int
    public var positives: Int
    /// `true` when the group is smaller than the audit's minimum size: its rates are withheld (small-count suppression).
    public var suppressed: Bool
    public var meanScore: Double?
    public var observedRate: Double?
    public var rocAUC: Double?
    /// At the audit's threshold; `nil` when the audit is threshold-free or the group is suppressed.
    public var confusion: ConfusionCounts?
    public var calibration: [CalibrationBin]
    /// 95% intervals of the group's figures, by measure name ("selection_rate", "false_positive_rate",
    /// "false_negative_rate", "true_positive_rate", "positive_predictive_value", "observed_rate": Wilson score
    /// intervals; "roc_auc": Hanley and McNeil's standard error; "calibration_ratio": the observed rate's Wilson
    /// interval over the mean score). Empty when suppressed.
    public var intervals: [String: Interval]?

    public init(
        group: String, count: Int, positives: Int, suppressed: Bool, meanScore: Double?, observedRate: Double?,
        rocAUC: Double?, confusion: ConfusionCounts?, calibration: [CalibrationBin]
    ) {
        self.group = group; self.count = count; self.positives = positives; self.suppressed = suppressed
        self.meanScore = meanScore; self.observedRate = observedRate; self.rocAUC = rocAUC
        self.confusion = confusion; self.calibration = calibration
    }
}

/// The gap between the groups of one attribute on one measure: highest over lowest (so always ≥ 1).
public struct Disparity: Codable, Sendable, Hashable {
    /// "selection_rate", "false_positive_rate", "false_negative_rate", "positive_predictive_value",
    /// "calibration_ratio" (observed over mean predicted), "roc_auc".
    public var measure: String
    public var highestGroup: String
    public var highest: Double
    public var lowestGroup: String
    public var lowest: Double
    /// `nil` when the lowest is zero.
    public var ratio: Double?
    /// Highest minus lowest, on the measure's own scale (a difference of rates in percentage points × 100).
    public var difference: Double?
    /// Whether the two groups' 95% intervals overlap (`nil` when a group has none).
    public var intervalsOverlap: Bool?
    /// `true` when the ratio exceeds the audit's bound (or is unbounded) **and** the two groups' intervals do not
    /// overlap: shown as a flag in the report. A gap whose intervals overlap is shown, not flagged.
    public var exceedsBound: Bool

    public init(measure: String, highestGroup: String, highest: Double, lowestGroup: String, lowest: Double, ratio: Double?, exceedsBound: Bool) {
        self.measure = measure; self.highestGroup = highestGroup; self.highest = highest
        self.lowestGroup = lowestGroup; self.lowest = lowest; self.ratio = ratio; self.exceedsBound = exceedsBound
    }
}

/// The audit of one protected attribute (sex, ethnicity, deprivation quintile).
public struct AttributeAudit: Codable, Sendable, Hashable {
    public var attribute: String
    public var groups: [GroupFairness]
    public var disparities: [Disparity]
    public init(attribute: String, groups: [GroupFairness], disparities: [Disparity]) {
        self.attribute = attribute; self.groups = groups; self.disparities = disparities
    }
}

/// A fairness audit of one set of scores across protected attributes.
public struct FairnessReport: Codable, Sendable, Hashable {
    /// Which scores were audited ("Gradient-boosted trees at capacity 100 per 100,000", "vendor score").
    public var subject: String
    /// Scores at or above this count as flagged; `nil` for a threshold-free audit (AUC and calibration only).
    public var threshold: Double?
    /// A disparity ratio above this is flagged (for example 1.25, after the four-fifths rule).
    public var bound: Double
    /// Groups with fewer rows than this are suppressed.
    public var minimumGroupSize: Int
    public var attributes: [AttributeAudit]
    /// Whether any disparity could be compared at all (two groups big enough on some measure). When `false`, "no
    /// disparity" means "nothing could be compared", and reports say so.
    public var anyCompared: Bool { attributes.contains { !$0.disparities.isEmpty } }

    public init(subject: String, threshold: Double?, bound: Double, minimumGroupSize: Int, attributes: [AttributeAudit]) {
        self.subject = subject; self.threshold = threshold; self.bound = bound
        self.minimumGroupSize = minimumGroupSize; self.attributes = attributes
    }

    /// Every disparity over the bound, in words ("ethnicity: false positive rate B 0.012 vs W 0.006, ratio 2.0").
    public var flags: [String] {
        attributes.flatMap { a in
            a.disparities.filter(\.exceedsBound).map { d in
                let ratio = d.ratio.map { String(format: "%.2f", $0) } ?? "unbounded"
                return "\(a.attribute): \(d.measure.replacingOccurrences(of: "_", with: " ")) \(d.highestGroup) "
                    + String(format: "%.4f", d.highest) + " vs \(d.lowestGroup) " + String(format: "%.4f", d.lowest)
                    + ", ratio \(ratio)" + (d.difference.map { String(format: ", difference %.4f", $0) } ?? "")
            }
        }
    }
}

/// For those who went on to the outcome: how long before it they were first flagged, and at what age.
public struct LeadTimeSummary: Codable, Sendable, Hashable {
    /// People in the evaluation who had the outcome.
    public var outcomes: Int
    /// Of them, how many were flagged at capacity on some as-of date before it.
    public var flaggedBefore: Int
    /// Months from first flag to the outcome, one per person flagged before it.
    public var monthsBefore: [Int]
    /// Age in whole years at the first flag, one per person flagged before it.
    public var agesAtFirstFlag: [Int]
    /// The longest lead time the test window allows, in months (from the first test date to the end of the last
    /// outcome window): every lead time is capped by it, so a longer window would show longer ones.
    public var capMonths: Int?
    /// Months before the outcome per person flagged before it, keyed by person (pseudonymised or a row key), so lead
    /// times can be compared person by person across models.
    public var byPerson: [String: Int]?
    public init(outcomes: Int, flaggedBefore: Int, monthsBefore: [Int], agesAtFirstFlag: [Int], capMonths: Int? = nil, byPerson: [String: Int]? = nil) {
        self.outcomes = outcomes; self.flaggedBefore = flaggedBefore
        self.monthsBefore = monthsBefore; self.agesAtFirstFlag = agesAtFirstFlag
        self.capMonths = capMonths; self.byPerson = byPerson
    }

    /// The median of `monthsBefore` (the mean of the middle two for an even count): the one definition the index
    /// page, the report and the CLI all use. `nil` when nobody was flagged before the outcome.
    public var medianMonths: Double? { LeadTimeSummary.median(monthsBefore) }

    /// The middle value (the mean of the middle two for an even count), or `nil` for none.
    public static func median(_ xs: [Int]) -> Double? {
        guard !xs.isEmpty else { return nil }
        let v = xs.sorted()
        return v.count % 2 == 1 ? Double(v[v.count / 2]) : Double(v[v.count / 2 - 1] + v[v.count / 2]) / 2
    }
}

/// The same models judged twice on the same test dates: persons linked from every record in the store (hindsight),
/// and persons linked, for each date, only from the records recorded before it (what a service could have linked
/// on the day).
public struct HindsightComparison: Codable, Sendable, Hashable {
    /// On persons linked from the whole store (the report's main figures).
    public var withHindsight: [ModelEvaluation]
    /// On persons linked as of each test date.
    public var asOfDate: [ModelEvaluation]
    public init(withHindsight: [ModelEvaluation], asOfDate: [ModelEvaluation]) {
        self.withHindsight = withHindsight; self.asOfDate = asOfDate
    }
}

/// One factor's part in one person's score: exact per-feature contribution on the log-odds scale,
/// and the same in plain words with dates for a practitioner.
public struct Reason: Codable, Sendable, Hashable {
    public var feature: String
    public var value: Double?
    /// Contribution to the log-odds (TreeSHAP for trees, coefficient times centred value for logistic regression).
    public var contribution: Double
    /// "Father imprisoned, March 2014" — filled by the feature layer that knows what the feature means.
    public var text: String
    public init(feature: String, value: Double?, contribution: Double, text: String) {
        self.feature = feature; self.value = value; self.contribution = contribution; self.text = text
    }
}

/// A young person whose score put them within capacity: an offer of support for a practitioner to review,
/// never a decision.
public struct FlaggedPerson: Codable, Sendable, Hashable {
    /// Pseudonym (never a name).
    public var key: String
    public var rank: Int
    /// Calibrated probability of the outcome within the horizon.
    public var score: Double
    public var age: Int?
    /// The factors that raised the score most, largest first.
    public var reasons: [Reason]
    /// The factors that lowered it most.
    public var lowering: [Reason]
    public init(key: String, rank: Int, score: Double, age: Int?, reasons: [Reason], lowering: [Reason]) {
        self.key = key; self.rank = rank; self.score = score; self.age = age; self.reasons = reasons; self.lowering = lowering
    }
}

/// What the model is, what it is for and not for, what it was trained on, and how it performed.
public struct ModelCard: Codable, Sendable, Hashable {
    public var modelID: String
    public var created: String
    public var data: String
    public var period: String
    public var outcome: String
    public var intendedUse: String
    public var notFor: [String]
    public var limits: [String]
    public var features: [String]
    public var safeguards: [String]
    public init(
        modelID: String, created: String, data: String, period: String, outcome: String, intendedUse: String,
        notFor: [String], limits: [String], features: [String], safeguards: [String]
    ) {
        self.modelID = modelID; self.created = created; self.data = data; self.period = period; self.outcome = outcome
        self.intendedUse = intendedUse; self.notFor = notFor; self.limits = limits; self.features = features
        self.safeguards = safeguards
    }
}

/// Everything `upstream risk evaluate` reports, as one value: rendered to HTML, printed as JSON.
public struct RiskReport: Codable, Sendable, Hashable {
    public var title: String
    public var card: ModelCard
    /// The models side by side on the same held-out rows (trees, logistic regression, ACE-count rule).
    public var models: [ModelEvaluation]
    /// The same models evaluated on the city's true persons instead of the linked ones (empty outside a synthetic city).
    public var truePersonModels: [ModelEvaluation]
    /// The fairness audit of the chosen model at capacity.
    public var fairness: FairnessReport?
    public var leadTime: LeadTimeSummary?
    /// The young people flagged at the latest as-of date, with their reasons (pseudonymised).
    public var flagged: [FlaggedPerson]
    /// `true` for a report on a user's own table (`--csv`): it speaks of rows and the user's outcome column, never of
    /// young people or synthetic data.
    public var generic: Bool?
    /// What linking with hindsight (the whole store) rather than on each test date changed, when measured.
    public var hindsight: HindsightComparison?
    /// The trees' calibration checked where a plan uses it, on the held-out test rows; `nil` for models trained before
    /// the check existed.
    public var calibrationCheck: CalibrationCheck?
    public init(
        title: String, card: ModelCard, models: [ModelEvaluation], truePersonModels: [ModelEvaluation],
        fairness: FairnessReport?, leadTime: LeadTimeSummary?, flagged: [FlaggedPerson]
    ) {
        self.title = title; self.card = card; self.models = models; self.truePersonModels = truePersonModels
        self.fairness = fairness; self.leadTime = leadTime; self.flagged = flagged
    }
}

/// Observed against expected first offences on a model's held-out test rows (person-dates the trees never saw, after
/// the training dates), by decile of the calibrated score and in its top shares, for the calibration the model uses
/// and for the alternative it was chosen over. A plan offers places to the top of the ranking, so calibration on
/// average is not enough: these bands show whether the probabilities hold there too.
public struct CalibrationCheck: Codable, Sendable, Hashable {
    /// How the model's probabilities are calibrated, in words.
    public var method: String
    /// Its reliability bands on the test rows (deciles, then the top 1% and 5%).
    public var bands: [ReliabilityBand]
    /// The alternative compared, in words (e.g. the held-out quarter of training people alone).
    public var alternative: String?
    /// The alternative's bands on the same rows.
    public var alternativeBands: [ReliabilityBand]?

    public init(method: String, bands: [ReliabilityBand], alternative: String? = nil, alternativeBands: [ReliabilityBand]? = nil) {
        self.method = method; self.bands = bands; self.alternative = alternative; self.alternativeBands = alternativeBands
    }
}
