import Foundation
import UpstreamModel
import UpstreamStore

/// A small synthetic workspace in memory, for `upstream serve --demo`, the tests and the load benchmark: persons
/// with school, police and social care records, a linkage run, a scoring run that flags the highest scores, and
/// their pending review items. Every name and identifier is made up; nothing comes from real data.
public enum DemoWorkspace {
    static let forenames = ["Alex", "Sam", "Jordan", "Casey", "Riley", "Morgan", "Taylor", "Jamie", "Robin", "Drew"]
    static let surnames = ["Smith", "Jones", "Patel", "Khan", "Brown", "Wilson", "Evans", "Ahmed", "Clarke", "Lewis"]

    /// Fills `store` with `persons` young people (ids `P00001`…), each pseudonymised by `pseudonym`; flags the
    /// `flagged` highest scores. Deterministic: the same arguments give the same workspace.
    /// - Returns: the pseudonyms of the flagged persons, highest score first.
    @discardableResult
    public static func fill(_ store: any WorkspaceStore, persons: Int, flagged: Int, pseudonym: (PersonID) -> String,
                            loadedAt: Int64 = 1_704_067_200) throws -> [String] {
        var records: [String: [StoredRecord]] = ["school_census": [], "police_incidents": [], "social_care": []]
        var assignments: [PersonAssignment] = []
        var rng = SplitMix(seed: 20_240_101)
        for i in 1...persons {
            let person = PersonID(String(format: "P%05d", i))
            let birth = CivilDate(year: 2006 + i % 6, month: 1 + i % 12, day: 1 + i % 28)!
            let identity = Identity(forename: forenames[i % forenames.count], surname: surnames[(i / 10) % surnames.count],
                                    dateOfBirth: birth, sex: i % 2 == 0 ? .male : .female,
                                    postcode: "ZZ\(i / 3 / 100 % 100) \(i / 3 % 100)AA", localID: "L\(i)")
            func add(_ source: String, _ agency: Agency, _ n: Int, _ event: Event) {
                let id = "\(source.prefix(2).uppercased())\(i)-\(n)"
                let line = records[source]!.count + 2
                let r = SourceRecord(source: source, recordID: id, agency: agency, identity: identity, event: event,
                                     provenance: Provenance(source: source, fileName: "\(source).csv", fileSHA256: String(repeating: "a", count: 64),
                                                            line: line, loadedAt: loadedAt))
                records[source]!.append(StoredRecord(record: r, personLevel: true))
                assignments.append(PersonAssignment(record: RecordKey(source: source, recordID: id), person: person, probability: 0.99))
            }
            add("school_census", .school, 1, Event(kind: .termAbsence, date: birth.adding(days: 365 * 12 + Int(rng.next() % 300)), role: .subject,
                                                   area: "E0100\(i % 10)"))
            for n in 0..<(1 + i % 3) {
                add("police_incidents", .police, n, Event(kind: .incident, date: birth.adding(days: 365 * 13 + n * 90 + Int(rng.next() % 60)),
                                                          role: n % 2 == 0 ? .victim : .suspect, area: "E0100\(i % 10)"))
            }
            if i % 2 == 0 {
                add("social_care", .socialCare, 1, Event(kind: .socialCareReferral, date: birth.adding(days: 365 * 11 + Int(rng.next() % 200)),
                                                         role: .subject, area: "E0100\(i % 10)", detail: "neglect"))
            }
        }
        for (source, agency) in [("school_census", Agency.school), ("police_incidents", .police), ("social_care", .socialCare)] {
            let rows = records[source]!
            _ = try store.loadDelivery(
                Delivery(source: source, fileName: "\(source).csv", fileSHA256: String(repeating: "a", count: 63) + String(rows.count % 10),
                         loadedAt: loadedAt),
                source: SourceInfo(name: source, agency: agency, owner: "Demo \(agency.title)", legalBasis: "synthetic demo data",
                                   retention: RetentionPolicy(years: 10)),
                replacing: true
            ) { writer in
                var counts = DeliveryCounts()
                for r in rows { if try writer.append(r) { counts.loaded += 1 }; counts.rowsRead += 1 }
                if source == "school_census" {
                    for line in 0..<7 {
                        try writer.quarantine(QuarantinedRow(source: source, fileName: "\(source).csv", fileSHA256: String(repeating: "a", count: 64),
                                                             line: rows.count + 2 + line, raw: Array("bad row".utf8), reason: line < 5 ? "invalid_date" : "column_count",
                                                             field: line < 5 ? "dob" : nil, loadedAt: loadedAt))
                        counts.rowsRead += 1; counts.quarantined += 1
                    }
                }
                return counts
            }
        }
        _ = try store.saveLinkageRun(LinkageRunInfo(finishedAt: loadedAt, by: "demo", records: assignments.count, persons: persons,
                                                    modelJSON: Data("{}".utf8)),
                                     assignments: assignments, pseudonym: pseudonym)
        let asOf = CivilDate(year: 2024, month: 1, day: 1)!
        var scores: [(PersonID, Double)] = (1...persons).map { (PersonID(String(format: "P%05d", $0)), Double(rng.next() % 10_000) / 10_000) }
        scores.sort { $0.1 > $1.1 }
        let earlier = scores.enumerated().map { i, s in
            PersonScore(run: 0, person: s.0, asOf: asOf.adding(days: -182), score: s.1 * 0.8, rank: i + 1, age: nil, flagged: false)
        }
        _ = try store.saveRiskRun(RiskRunInfo(kind: .score, modelID: "demo-model", asOf: asOf.adding(days: -182), finishedAt: loadedAt, by: "demo"),
                                  scores: earlier)
        let latest = scores.enumerated().map { i, s in
            PersonScore(run: 0, person: s.0, asOf: asOf, score: s.1, rank: i + 1, age: 14 + i % 4, flagged: i < flagged,
                        raising: [ScoreReason(feature: "police_contacts", text: "police contacts in the last year", contribution: 0.4),
                                  ScoreReason(feature: "social_care", text: "a social care referral", contribution: 0.2)],
                        lowering: [])
        }
        _ = try store.saveRiskRun(RiskRunInfo(kind: .score, modelID: "demo-model", asOf: asOf, finishedAt: loadedAt + 1, by: "demo"), scores: latest)
        let flaggedPseudonyms = scores.prefix(flagged).map { pseudonym($0.0) }
        try store.saveReviewItems(flaggedPseudonyms.map {
            StoredReviewItem(queue: .riskFlags, subject: $0, pending: true, updatedAt: loadedAt, stateJSON: Data())
        })
        return flaggedPseudonyms
    }

    /// A small deterministic generator (the demo must not depend on the system's randomness).
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
