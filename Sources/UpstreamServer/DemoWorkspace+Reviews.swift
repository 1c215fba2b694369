import Foundation
import UpstreamLinkage
import UpstreamModel
import UpstreamRisk
import UpstreamStore
import UpstreamWorkspace

extension DemoWorkspace {
    /// Adds what the analysts' pages show to a filled demo workspace: a training run whose report evaluates the
    /// latest scores against made-up outcomes (with a fairness audit by sex), and eight linkage pairs awaiting
    /// clerical review, each with its match-weight waterfall. Deterministic; every value is made up.
    public static func addModelAndPairs(_ store: any WorkspaceStore, flagged: [String], at: Int64 = 1_704_067_300) throws {
        guard let run = try store.latestRiskRun(.score) else { return }
        let scores = try store.scores(run: run.id)
        var rng = SplitMix(seed: 20_240_102)
        let labels: [UInt8] = scores.map { Double(rng.next() % 10_000) / 10_000 < $0.score * 0.6 ? 1 : 0 }
        let sexes = scores.map { (Int($0.person.rawValue.dropFirst()) ?? 0) % 2 == 0 ? "M" : "F" }
        let values = scores.map(\.score)
        let cut = scores.filter(\.flagged).map(\.score).min() ?? 1
        let evaluation = Metrics.evaluate(name: "Demo model", key: "gbt", population: "the demo's young people (made-up outcomes)",
                                          scores: values, labels: labels)
        let fairness = FairnessAudit.audit(subject: "Demo model, flagged within capacity", scores: values, labels: labels,
                                           attributes: [(name: "sex", groups: sexes)], threshold: cut, bound: 1.25, minimumGroupSize: 10)
        let card = ModelCard(modelID: "demo-model", created: run.asOf.iso, data: "the demo workspace (made up)", period: "one scoring date",
                             outcome: "made-up outcomes drawn from the scores", intendedUse: "showing the web app",
                             notFor: ["any decision about a real person"], limits: ["outcomes are drawn from the scores themselves"],
                             features: ["police contacts", "social care referrals"], safeguards: ["a practitioner decides"])
        let flaggedPeople = scores.filter(\.flagged).compactMap { s -> FlaggedPerson? in
            guard let p = try? store.personSummary(s.person) else { return nil }
            return FlaggedPerson(key: p.pseudonym, rank: s.rank, score: s.score, age: s.age, reasons: [], lowering: [])
        }
        let report = RiskReport(title: "Demo model report", card: card, models: [evaluation], truePersonModels: [], fairness: fairness,
                                leadTime: nil, flagged: flaggedPeople)
        _ = try store.saveRiskRun(RiskRunInfo(kind: .train, modelID: "demo-model", asOf: run.asOf, finishedAt: at, by: "demo",
                                              reportJSON: try JSONEncoder().encode(report)), scores: [])

        // Eight pairs: a school record and a police record of persons 1…8, with a waterfall from made-up m and u.
        var items: [StoredReviewItem] = []
        for i in 1...8 {
            let person = PersonID(String(format: "P%05d", i))
            let records = try store.records(of: person)
            guard let a = records.first(where: { $0.record.source == "school_census" })?.record,
                  let b = records.first(where: { $0.record.source == "police_incidents" })?.record else { continue }
            let postcodeAgrees = i % 3 != 0
            let steps: [(String, String, String?, String?, Double, Double)] = [
                ("forename", "exact", a.identity.forename, b.identity.forename, 0.92, 0.01),
                ("surname", i % 2 == 0 ? "exact" : "Jaro-Winkler ≥ 0.88", a.identity.surname, b.identity.surname, i % 2 == 0 ? 0.9 : 0.05, i % 2 == 0 ? 0.004 : 0.02),
                ("dob", "exact", a.identity.dateOfBirth?.iso, b.identity.dateOfBirth?.iso, 0.95, 0.002),
                ("postcode", postcodeAgrees ? "exact" : "different", a.identity.postcode, postcodeAgrees ? b.identity.postcode : "ZZ0 0ZZ",
                 postcodeAgrees ? 0.7 : 0.3, postcodeAgrees ? 0.001 : 0.99),
            ]
            let prior = -14.0
            var total = prior
            var stepJSON: [String] = []
            for (name, level, l, r, m, u) in steps {
                let w = log2(m / u)
                total += w
                func q(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "null" }
                stepJSON.append("""
                    {"comparison": "\(name)", "level": "\(level)", "left": \(q(l)), "right": \(q(r)), "m": \(m), "u": \(u), "bayesFactor": \(m / u), \
                    "weight": \(w), "tfAdjustment": 0, "cumulative": \(total)}
                    """)
            }
            let probability = 1 / (1 + pow(2, -total))
            var item = ReviewItem(left: RecordKey(source: a.source, recordID: a.recordID), right: RecordKey(source: b.source, recordID: b.recordID),
                                  weight: total, probability: probability, linkedNow: true)
            item.explanation = try JSONDecoder().decode(Prediction.Explanation.self, from: Data("""
                {"priorWeight": \(prior), "weight": \(total), "probability": \(probability), "steps": [\(stepJSON.joined(separator: ","))]}
                """.utf8))
            items.append(try LinkagePairQueue.stored(LinkagePairQueue.Pair(item: item, order: i), at: at))
        }
        try store.saveReviewItems(items)
    }
}
