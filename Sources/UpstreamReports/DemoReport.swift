import UpstreamChronology
import UpstreamModel
import UpstreamRisk

/// Everything the demo's `index.html` shows, gathered by the CLI from the store, the linkage and the truth.
public struct DemoReport: Sendable, Codable {
    /// One source's load figures.
    public struct SourceRow: Sendable, Codable {
        public var source: String
        public var agency: Agency
        public var rowsRead: Int
        public var loaded: Int
        public var quarantined: Int
        public init(source: String, agency: Agency, rowsRead: Int, loaded: Int, quarantined: Int) {
            self.source = source; self.agency = agency; self.rowsRead = rowsRead; self.loaded = loaded; self.quarantined = quarantined
        }
    }

    /// Quarantined rows of one source for one reason.
    public struct QuarantineRow: Sendable, Codable {
        public var source: String
        public var reason: String
        public var field: String?
        public var count: Int
        public init(source: String, reason: String, field: String?, count: Int) {
            self.source = source; self.reason = reason; self.field = field; self.count = count
        }
    }

    /// Pairwise precision, recall and F1 at one match-probability threshold.
    public struct SweepPoint: Sendable, Codable {
        public var threshold: Double
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public init(threshold: Double, precision: Double, recall: Double, f1: Double) {
            self.threshold = threshold; self.precision = precision; self.recall = recall; self.f1 = f1
        }
    }

    /// Linkage quality against the city's truth.
    public struct LinkageQuality: Sendable, Codable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var threshold: Double
        public var sweep: [SweepPoint]
        public var persons: Int
        public var truePersons: Int
        public init(precision: Double, recall: Double, f1: Double, threshold: Double, sweep: [SweepPoint], persons: Int, truePersons: Int) {
            self.precision = precision; self.recall = recall; self.f1 = f1; self.threshold = threshold; self.sweep = sweep
            self.persons = persons; self.truePersons = truePersons
        }
    }

    /// One young person who went on to serious violence: a line in the index linking to their chronology.
    public struct Case: Sendable, Codable {
        public var pseudonym: String
        /// Relative link to the chronology page, e.g. `chronology/ABC123.html`.
        public var href: String
        public var sex: Sex?
        public var birthYear: Int?
        public var recordedACEs: Int
        public var firstSeriousViolence: CivilDate?
        public var ageAtFirstSeriousViolence: Int?
        public var earliestContact: CivilDate?
        public var ageAtEarliestContact: Int?
        public var earliestAgency: Agency?
        public init(pseudonym: String, href: String, sex: Sex?, birthYear: Int?, recordedACEs: Int, firstSeriousViolence: CivilDate?,
                    ageAtFirstSeriousViolence: Int?, earliestContact: CivilDate?, ageAtEarliestContact: Int?, earliestAgency: Agency?) {
            self.pseudonym = pseudonym; self.href = href; self.sex = sex; self.birthYear = birthYear; self.recordedACEs = recordedACEs
            self.firstSeriousViolence = firstSeriousViolence; self.ageAtFirstSeriousViolence = ageAtFirstSeriousViolence
            self.earliestContact = earliestContact; self.ageAtEarliestContact = ageAtEarliestContact; self.earliestAgency = earliestAgency
        }
    }

    /// The risk model's part of the demo: its report page, the models side by side, and the young people it
    /// flagged at the latest date, each linking to their chronology.
    public struct RiskSummary: Sendable, Codable {
        /// Relative link to the model report page, e.g. `risk.html`.
        public var href: String
        public var modelID: String
        public var asOf: String
        public var capacityPerHundredThousand: Double
        public var models: [Model]
        public var flagged: [Flagged]
        /// Disparities over the bound in the fairness audit, in words.
        public var fairnessFlags: [String]
        /// `LeadTimeSummary.medianMonths` of the trees: the same definition as the model report.
        public var leadTimeMedianMonths: Double?
        /// The longest lead time the test window allows, in months.
        public var leadTimeCapMonths: Int?
        /// Test rows (person-dates) and as-of dates behind the figures.
        public var rows: Int
        public var dates: Int
        public var flaggedBeforeOutcome: Int
        public var outcomes: Int

        public struct Model: Sendable, Codable {
            public var name: String
            public var rocAUC: Double?
            public var prAUC: Double?
            public var precision: Double?
            public var recall: Double?
            public var flagged: Int
            public var found: Int
            /// 95% person-bootstrap intervals of `found` and of the ROC AUC.
            public var foundInterval: Interval?
            public var rocAUCInterval: Interval?
            public init(name: String, rocAUC: Double?, prAUC: Double?, precision: Double?, recall: Double?, flagged: Int, found: Int,
                        foundInterval: Interval? = nil, rocAUCInterval: Interval? = nil) {
                self.name = name; self.rocAUC = rocAUC; self.prAUC = prAUC; self.precision = precision; self.recall = recall
                self.flagged = flagged; self.found = found; self.foundInterval = foundInterval; self.rocAUCInterval = rocAUCInterval
            }
        }

        public struct Flagged: Sendable, Codable {
            public var rank: Int
            public var pseudonym: String
            /// Relative link to the chronology page, when one was written.
            public var href: String?
            public var age: Int?
            public var score: Double
            public var reasons: [String]
            public init(rank: Int, pseudonym: String, href: String?, age: Int?, score: Double, reasons: [String]) {
                self.rank = rank; self.pseudonym = pseudonym; self.href = href; self.age = age; self.score = score; self.reasons = reasons
            }
        }

        public init(href: String, modelID: String, asOf: String, capacityPerHundredThousand: Double, models: [Model], flagged: [Flagged],
                    fairnessFlags: [String], leadTimeMedianMonths: Double?, leadTimeCapMonths: Int? = nil, rows: Int = 0, dates: Int = 0,
                    flaggedBeforeOutcome: Int, outcomes: Int) {
            self.leadTimeCapMonths = leadTimeCapMonths; self.rows = rows; self.dates = dates
            self.href = href; self.modelID = modelID; self.asOf = asOf; self.capacityPerHundredThousand = capacityPerHundredThousand
            self.models = models; self.flagged = flagged; self.fairnessFlags = fairnessFlags
            self.leadTimeMedianMonths = leadTimeMedianMonths; self.flaggedBeforeOutcome = flaggedBeforeOutcome; self.outcomes = outcomes
        }
    }

    public var title: String
    /// When the report was made, as text (passed in, so reports are reproducible).
    public var generatedAt: String
    public var people: Int
    public var seed: UInt64
    public var sources: [SourceRow]
    public var quarantine: [QuarantineRow]
    public var linkage: LinkageQuality?
    public var cases: [Case]
    /// The risk model, when the city was large enough to train it.
    public var risk: RiskSummary?
    /// Why there is no risk model, when there is none.
    public var riskNote: String?
    /// Notes shown at the foot of the page (what is synthetic, known gaps).
    public var notes: [String]
    /// The strategic assessment of the city's recorded crime, when it was written (AssessmentIndexSection.swift).
    public var assessment: AssessmentLink?
    /// The intervention plan, when one was made (PlanIndexSection.swift).
    public var plan: PlanLink?

    public init(title: String, generatedAt: String, people: Int, seed: UInt64, sources: [SourceRow], quarantine: [QuarantineRow],
                linkage: LinkageQuality?, cases: [Case], risk: RiskSummary? = nil, riskNote: String? = nil, notes: [String]) {
        self.risk = risk; self.riskNote = riskNote
        self.title = title; self.generatedAt = generatedAt; self.people = people; self.seed = seed; self.sources = sources
        self.quarantine = quarantine; self.linkage = linkage; self.cases = cases; self.notes = notes
    }
}
