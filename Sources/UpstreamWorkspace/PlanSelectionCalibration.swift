import Foundation
import UpstreamInterventions
import UpstreamModel
import UpstreamRisk
import UpstreamRiskFeatures
import UpstreamStore

extension PlanInputs {
    /// The store's trained risk model, ready to score the young people of any date: the model, the linked records and
    /// the cohort builder are read once (`plan --store` scores the plan's date and, for the selection calibration, the
    /// date one horizon earlier).
    public struct StoreScorer {
        public let store: String
        public let model: TrainedRiskModel
        let builder: CohortBuilder
        let pseudonyms: Pseudonyms

        /// Reads the store's latest risk model and linked records (`persons`: a CSV of linked persons instead).
        public init(store: String, persons: String?, postcodes: String?) throws {
            let runs = try RiskRunStore.open(store)
            self.store = store
            model = try runs.model()
            let records = try RiskInputs.linked(store: store, persons: persons)
            builder = CohortBuilder(records: records, postcodeDeprivation: try RiskInputs.deprivation(postcodes ?? runs.inputs().postcodes),
                                    config: model.config.cohort, parallelism: Workspace.defaultParallelism)
            pseudonyms = try Pseudonyms.forStore(store)
        }

        /// The model's horizon in months.
        public var horizonMonths: Int { model.config.cohort.horizonMonths }

        /// Every young person the model scores as of `asOf` (pseudonymised), their outcome within the horizon as the
        /// store records it (known only once the horizon has passed), and each pseudonym's linked person.
        public func score(asOf: CivilDate) -> (table: CandidateTable, outcomes: [String: Bool], persons: [String: PersonID]) {
            let cohort = builder.cohort(asOf: asOf)
            let probabilities = cohort.rows.isEmpty ? [] : model.scores(CohortBuilder.dataset(cohort.rows), parallelism: Workspace.defaultParallelism)
            var rows: [Candidate] = [], outcomes: [String: Bool] = [:], persons: [String: PersonID] = [:]
            for (i, r) in cohort.rows.enumerated() {
                let id = pseudonyms.pseudonym(r.personID)
                rows.append(Candidate(id: id, risk: probabilities[i], age: r.age, features: r.features, sex: r.sex?.rawValue ?? "unknown",
                                      ethnicity: r.ethnicity ?? "unknown", deprivation: r.deprivationQuintile))
                outcomes[id] = r.outcome == 1
                persons[id] = PersonID(r.personID)
            }
            return (CandidateTable(columns: RiskFeatures.names, rows: rows), outcomes, persons)
        }

        /// The calibration multiplier's range measured on the model's held-out test rows (observed over expected,
        /// widened to include 1), when the report holds them and at least 5 outcomes were observed.
        public var testCalibration: (low: Double, high: Double, note: String)? {
            guard let trees = model.report.models.first(where: { $0.key == "gbt" }) else { return nil }
            let observed = trees.calibration.reduce(0) { $0 + $1.positives }
            let expected = trees.calibration.reduce(0.0) { $0 + Double($1.count) * $1.meanPredicted }
            guard let m = CalibrationRange.measured(observed: observed, expected: expected) else { return nil }
            return (m.low, m.high, "risk model \(model.id) on its test rows: \(observed) observed against "
                    + String(format: "%.1f expected (O/E %.2f)", expected, m.ratio) + ", 95% interval widened to include 1")
        }

        /// The selection calibration (``SelectionCalibration``) for a plan as of `asOf`: the plan the same rule
        /// (`catalogue`, `settings`' budget and places) makes one horizon earlier, from the same model's scores then,
        /// and its offers' first offences within the horizon as the store records them, all before `asOf`.
        /// - Returns: the measurement, or nil with the reason (no young people then, or too few offences to measure).
        public func selectionCalibration(asOf: CivilDate, catalogue: Catalogue, settings: PlanSettings) throws
            -> (SelectionCalibration?, reason: String) {
            let earlier = asOf.firstOfMonth(addingMonths: -horizonMonths)
            let (table, outcomes, _) = score(asOf: earlier)
            return try Self.selectionCalibration(earlier: earlier, table: table, outcomes: outcomes, catalogue: catalogue, settings: settings)
        }

        /// The selection calibration from the young people already scored as of `earlier` (one horizon before the plan)
        /// and their recorded outcomes.
        public static func selectionCalibration(earlier: CivilDate, table: CandidateTable, outcomes: [String: Bool], catalogue: Catalogue,
                                                settings: PlanSettings) throws -> (SelectionCalibration?, reason: String) {
            guard !table.rows.isEmpty else { return (nil, "no young people were scored as of \(earlier.iso), one horizon before the plan") }
            var s = settings
            s.asOf = earlier.iso
            s.calibrationCentral = 1; s.calibrationLow = 1; s.calibrationHigh = 1
            s.monteCarloDraws = 10; s.curve = false
            let plan = try PlanInputs.build(catalogue, table, s)
            if let m = SelectionCalibration.measure(plan: plan, outcome: { outcomes[$0] == true }) { return (m, "") }
            let observed = plan.offers.filter { outcomes[$0.person] == true }.count
            return (nil, "the same rule's \(plan.offers.count) offers as of \(earlier.iso) had \(observed) first offences "
                    + "(fewer than \(SelectionCalibration.minimumObserved)): too few to measure the selection calibration")
        }
    }
}
