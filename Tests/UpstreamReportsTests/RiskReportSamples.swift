import UpstreamRisk

/// A realistic risk report built by hand (synthetic): three models on 48,210 held-out rows with 579 outcomes, the same
/// models on the true persons, a fairness audit by sex and ethnicity with a suppressed group and flagged disparities,
/// lead time, and eight flagged young people whose reasons carry characters that need escaping.
enum RiskSamples {
    static let heldOut = 48_210, outcomes = 579, atCapacity = 482

    /// A ROC curve `tpr = fpr^a` (AUC `1 / (1 + a)`), `steps` points, and the matching precision-recall curve.
    static func curves(a: Double, steps: Int, prevalence: Double) -> (roc: [CurvePoint], pr: [CurvePoint]) {
        var roc: [CurvePoint] = [], pr: [CurvePoint] = []
        for i in 0...steps {
            // Dense near the origin, where capacity sits.
            let t = Double(i) / Double(steps)
            let fpr = t * t * t
            let tpr = fpr == 0 ? 0 : pow(fpr, a)
            let threshold = 1 - t
            roc.append(CurvePoint(x: fpr, y: tpr, threshold: threshold))
            if tpr > 0 {
                let precision = prevalence * tpr / (prevalence * tpr + (1 - prevalence) * fpr)
                pr.append(CurvePoint(x: tpr, y: precision, threshold: threshold))
            }
        }
        return (roc, pr)
    }

    static func pow(_ x: Double, _ a: Double) -> Double {
        // exp(a · ln x) by series, enough for a fixture, without Foundation.
        guard x > 0 else { return 0 }
        var m = x, k = 0.0
        while m < 0.5 { m *= 2; k += 1 }
        let z = (m - 1) / (m + 1)
        var ln = 0.0, term = z
        for n in stride(from: 1, through: 41, by: 2) { ln += term / Double(n); term *= z * z }
        let y = a * (2 * ln - k * 0.6931471805599453)
        var e = 1.0, f = 1.0
        for n in 1...40 { f *= y / Double(n); e += f }
        return e
    }

    static func bins(_ edges: [Double], counts: [Int], predicted: [Double], outcomes: [Int]) -> [CalibrationBin] {
        counts.indices.map { i in
            CalibrationBin(lower: edges[i], upper: edges[i + 1], count: counts[i], positives: outcomes[i],
                           meanPredicted: predicted[i], observedRate: Double(outcomes[i]) / Double(counts[i]))
        }
    }

    static func capacity(tp: Int, rows: Int = heldOut, positives: Int = outcomes, flagged: Int = atCapacity, threshold: Double) -> CapacityResult {
        let fp = flagged - tp
        return CapacityResult(perHundredThousand: 1000, population: rows, flagged: flagged, threshold: threshold,
                              confusion: ConfusionCounts(truePositives: tp, falsePositives: fp, trueNegatives: rows - positives - fp,
                                                         falseNegatives: positives - tp))
    }

    static let edges = [0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3, 1.0]

    static func models(truePersons: Bool = false) -> [ModelEvaluation] {
        let n = truePersons ? 47_880 : heldOut, p = truePersons ? 586 : outcomes, f = truePersons ? 479 : atCapacity
        let population = truePersons ? "true persons, as of 2019-04-01 to 2020-04-01" : "linked persons, as of 2019-04-01 to 2020-04-01"
        let prevalence = Double(p) / Double(n)
        let gbt = curves(a: truePersons ? 0.33 : 0.36, steps: 60, prevalence: prevalence)
        let logistic = curves(a: truePersons ? 0.375 : 0.40, steps: 60, prevalence: prevalence)
        let ace = curves(a: truePersons ? 0.47 : 0.5, steps: 8, prevalence: prevalence)
        return [
            ModelEvaluation(
                name: "Gradient-boosted trees", key: "gbt", population: population, rows: n, positives: p,
                rocAUC: truePersons ? 0.752 : 0.735, prAUC: truePersons ? 0.121 : 0.104, brier: truePersons ? 0.0109 : 0.0112,
                roc: gbt.roc, pr: gbt.pr,
                calibration: bins(edges, counts: [20_100, 12_050, 8_020, 4_410, 2_150, 980, 380, 120],
                                  predicted: [0.0022, 0.0059, 0.0114, 0.0224, 0.044, 0.086, 0.158, 0.30],
                                  outcomes: [41, 75, 88, 104, 90, 88, 57, 36]),
                capacity: capacity(tp: truePersons ? 113 : 102, rows: n, positives: p, flagged: f, threshold: 0.082)),
            ModelEvaluation(
                name: "Logistic regression", key: "logistic", population: population, rows: n, positives: p,
                rocAUC: truePersons ? 0.727 : 0.714, prAUC: truePersons ? 0.093 : 0.085, brier: truePersons ? 0.0112 : 0.0114,
                roc: logistic.roc, pr: logistic.pr,
                calibration: bins(edges, counts: [20_500, 11_800, 7_900, 4_400, 2_200, 950, 360, 100],
                                  predicted: [0.0024, 0.006, 0.0116, 0.023, 0.046, 0.09, 0.17, 0.33],
                                  outcomes: [45, 74, 90, 100, 97, 80, 55, 38]),
                capacity: capacity(tp: truePersons ? 93 : 84, rows: n, positives: p, flagged: f, threshold: 0.071)),
            ModelEvaluation(
                name: "ACE count (practice today)", key: "ace_count", population: population, rows: n, positives: p,
                rocAUC: truePersons ? 0.675 : 0.661, prAUC: truePersons ? 0.046 : 0.041, brier: nil,
                roc: ace.roc, pr: ace.pr, calibration: [],
                capacity: capacity(tp: truePersons ? 61 : 52, rows: n, positives: p, flagged: f, threshold: 4)),
        ]
    }

    static func group(_ name: String, count: Int, positives: Int, tp: Int, fp: Int, mean: Double, auc: Double) -> GroupFairness {
        GroupFairness(group: name, count: count, positives: positives, suppressed: false, meanScore: mean,
                      observedRate: Double(positives) / Double(count), rocAUC: auc,
                      confusion: ConfusionCounts(truePositives: tp, falsePositives: fp, trueNegatives: count - positives - fp,
                                                 falseNegatives: positives - tp),
                      calibration: [])
    }

    static func suppressed(_ name: String, count: Int) -> GroupFairness {
        GroupFairness(group: name, count: count, positives: 0, suppressed: true, meanScore: nil, observedRate: nil, rocAUC: nil,
                      confusion: nil, calibration: [])
    }

    /// The disparities between the unsuppressed groups, computed as the audit does: highest over lowest.
    static func disparities(_ groups: [GroupFairness], bound: Double) -> [Disparity] {
        let shown = groups.filter { !$0.suppressed }
        let measures: [(String, (GroupFairness) -> Double?)] = [
            ("selection_rate", { $0.confusion?.selectionRate }),
            ("false_positive_rate", { $0.confusion?.falsePositiveRate }),
            ("false_negative_rate", { $0.confusion?.falseNegativeRate }),
            ("positive_predictive_value", { $0.confusion?.precision }),
            ("calibration_ratio", { g in g.observedRate.flatMap { o in g.meanScore.map { o / $0 } } }),
            ("roc_auc", { $0.rocAUC }),
        ]
        return measures.compactMap { key, value in
            let vs = shown.compactMap { g in value(g).map { (g.group, $0) } }
            guard let hi = vs.max(by: { $0.1 < $1.1 }), let lo = vs.min(by: { $0.1 < $1.1 }) else { return nil }
            let ratio = lo.1 > 0 ? hi.1 / lo.1 : nil
            return Disparity(measure: key, highestGroup: hi.0, highest: hi.1, lowestGroup: lo.0, lowest: lo.1, ratio: ratio,
                             exceedsBound: ratio.map { $0 > bound } ?? true)
        }
    }

    static func fairness() -> FairnessReport {
        let sex = [
            group("F", count: 23_400, positives: 250, tp: 40, fp: 180, mean: 0.0109, auc: 0.729),
            group("M", count: 24_780, positives: 329, tp: 62, fp: 200, mean: 0.0131, auc: 0.738),
            suppressed("not recorded", count: 30),
        ]
        let ethnicity = [
            group("Asian", count: 6_900, positives: 70, tp: 12, fp: 50, mean: 0.0097, auc: 0.741),
            group("Black", count: 4_100, positives: 62, tp: 14, fp: 74, mean: 0.0172, auc: 0.702),
            group("Mixed", count: 2_600, positives: 33, tp: 6, fp: 26, mean: 0.0121, auc: 0.755),
            group("White", count: 34_569, positives: 414, tp: 70, fp: 230, mean: 0.0118, auc: 0.738),
            suppressed("Other", count: 41),
        ]
        return FairnessReport(
            subject: "Gradient-boosted trees at capacity 1,000 per 100,000", threshold: 0.082, bound: 1.25, minimumGroupSize: 50,
            attributes: [
                AttributeAudit(attribute: "sex", groups: sex, disparities: disparities(sex, bound: 1.25)),
                AttributeAudit(attribute: "ethnicity", groups: ethnicity, disparities: disparities(ethnicity, bound: 1.25)),
            ])
    }

    static func leadTime() -> LeadTimeSummary {
        // 212 of 579 flagged before the outcome; months and ages from a fixed table.
        let monthCounts = [(1, 9), (2, 11), (4, 14), (5, 12), (7, 15), (8, 13), (10, 14), (12, 16), (14, 12), (16, 11), (18, 13), (20, 9),
                           (22, 8), (25, 9), (28, 8), (31, 7), (34, 6), (38, 6), (42, 5), (47, 4), (53, 4), (59, 3), (66, 3)]
        let ageCounts = [(11, 6), (12, 14), (13, 31), (14, 47), (15, 52), (16, 39), (17, 23)]
        let months = monthCounts.flatMap { Array(repeating: $0.0, count: $0.1) }
        let ages = ageCounts.flatMap { Array(repeating: $0.0, count: $0.1) }
        return LeadTimeSummary(outcomes: outcomes, flaggedBefore: months.count, monthsBefore: months, agesAtFirstFlag: ages)
    }

    static func flagged() -> [FlaggedPerson] {
        func r(_ f: String, _ c: Double, _ t: String) -> Reason { Reason(feature: f, value: 1, contribution: c, text: t) }
        return [
            FlaggedPerson(key: "KESTREL-4821", rank: 1, score: 0.412, age: 15, reasons: [
                r("permanent_exclusion", 0.92, "Permanently excluded from school, April 2016"),
                r("parent_imprisoned", 0.71, "Father imprisoned, March 2014"),
                r("police_victim_before_14", 0.55, "3 police contacts as a victim before 14"),
                r("cp_plan", 0.41, "Child protection plan (neglect), June 2012"),
            ], lowering: [r("ed_recent", -0.22, "No emergency department attendance in the last 2 years")]),
            FlaggedPerson(key: "OSPREY-1093", rank: 2, score: 0.338, age: 14, reasons: [
                r("missing", 0.84, "Missing from home 4 times in 2018 & twice in 2019"),
                r("household_dv", 0.62, "Domestic abuse in the household <reported by police>, 2011–2015"),
                r("suspensions", 0.35, "Suspended 5 times, \"persistent disruptive behaviour\""),
            ], lowering: [r("attendance", -0.18, "Attendance above 90% in 2018/19"), r("age", -0.05, "Age 14 at the as-of date")]),
            FlaggedPerson(key: "HERON-7730", rank: 3, score: 0.291, age: 16, reasons: [
                r("yj_contact", 0.77, "Youth justice: out-of-court disposal, January 2019"),
                r("ed_assault", 0.49, "Emergency department: assault injury, age 15"),
            ], lowering: []),
            FlaggedPerson(key: "WREN-2210", rank: 4, score: 0.244, age: 13, reasons: [
                r("cin", 0.58, "Child in need plan, October 2017"),
                r("sibling_sv", 0.52, "Older sibling's serious violence (O'Brien household), 2018"),
            ], lowering: [r("school_stable", -0.31, "One school since age 11")]),
            FlaggedPerson(key: "MERLIN-5502", rank: 5, score: 0.203, age: 15, reasons: [
                r("substance", 0.66, "Substance misuse service referral, May 2019"),
            ], lowering: [r("no_police", -0.12, "No police contact as a suspect")]),
            FlaggedPerson(key: "PLOVER-0417", rank: 6, score: 0.176, age: nil, reasons: [
                r("ap", 0.47, "Alternative provision since September 2018"),
                r("aces", 0.39, "4 ACEs recorded by 3 agencies"),
            ], lowering: []),
        ]
    }

    static func card() -> ModelCard {
        ModelCard(
            modelID: "svr-gbt-2020-04-01-s42", created: "2026-11-25 21:00 UTC",
            data: "Linked records from police, schools, health, children's social care and youth justice in the synthetic city (seed 42).",
            period: "as-of dates 2014-04-01 to 2020-04-01, quarterly",
            outcome: "Serious violence as suspect or offender within 24 months of the as-of date, ages 10 to 17.",
            intendedUse: "Rank young people for a practitioner to consider offering early, voluntary support within the service's capacity.",
            notFor: ["Enforcement, arrest, stop and search or any criminal justice decision", "Automatic referral or any decision without a practitioner's review",
                     "Immigration, housing or benefit decisions"],
            limits: ["Trained on synthetic data: figures do not carry over to a real city", "Records reflect who agencies see, not who is at risk",
                     "Linkage errors move history between persons (see section 3)"],
            features: ["ACEs recorded", "Police contacts as victim", "Police contacts as suspect", "School suspensions", "Permanent exclusion",
                       "Alternative provision", "Attendance", "Emergency department attendances", "Child in need plan", "Child protection plan",
                       "Missing episodes", "Youth justice contact", "Substance misuse referral", "Age"],
            safeguards: ["Every flag is reviewed by a practitioner before any contact", "Fairness audit on every retraining, flags reviewed by the board",
                         "Pseudonyms only; identification is audited"])
    }

    static func report() -> RiskReport {
        RiskReport(title: "Serious violence risk model: evaluation", card: card(), models: models(), truePersonModels: models(truePersons: true),
                   fairness: fairness(), leadTime: leadTime(), flagged: flagged())
    }

    static let links = ["KESTREL-4821": "chronology/KESTREL-4821.html", "HERON-7730": "chronology/HERON-7730.html"]
}
