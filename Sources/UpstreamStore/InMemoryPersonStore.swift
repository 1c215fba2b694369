import Foundation
import UpstreamModel

/// The in-memory store's persons, runs, queues, scores and offers (``PersonStore``).
struct PersonState {
    var linkageRuns: [LinkageRunInfo] = []
    var assignments: [RecordKey: PersonAssignment] = [:]
    var summaries: [PersonID: PersonSummary] = [:]
    var byPseudonym: [String: PersonID] = [:]
    var review: [ReviewQueueName: [String: StoredReviewItem]] = [:]
    var riskRuns: [RiskRunInfo] = []
    var scores: [Int64: [PersonScore]] = [:]
    var offers: [StoredOffer] = []
}

extension InMemoryStore: PersonStore {
    public func saveLinkageRun<C: Collection>(_ run: LinkageRunInfo, assignments: C, review: [StoredReviewItem]?,
                                              pseudonym: (PersonID) -> String) throws -> LinkageRunInfo where C.Element == PersonAssignment {
        let persons = try PersonRows.persons(assignments, pseudonym: pseudonym)
        var summaries: [PersonID: PersonSummary] = [:], byPseudonym: [String: PersonID] = [:]
        for p in persons { summaries[p.person] = p; byPseudonym[p.pseudonym] = p.person }
        return withLock { s in
            var stored = run
            stored.id = Int64(s.persons.linkageRuns.count + 1)
            s.persons.linkageRuns.append(stored)
            s.persons.assignments = Dictionary(uniqueKeysWithValues: assignments.map { ($0.record, $0) })
            s.persons.summaries = summaries
            s.persons.byPseudonym = byPseudonym
            if let review {
                var queue = (s.persons.review[.linkagePairs] ?? [:]).filter { !$0.value.pending }
                for i in review where queue[i.subject] == nil { queue[i.subject] = i }
                s.persons.review[.linkagePairs] = queue
            }
            return stored
        }
    }

    public func linkageRuns() throws -> [LinkageRunInfo] { withLock { $0.persons.linkageRuns } }
    public func currentLinkageRun() throws -> LinkageRunInfo? { withLock { $0.persons.linkageRuns.last } }

    public func forEachAssignment(_ body: (PersonAssignment) throws -> Void) throws {
        let all = withLock { Array($0.persons.assignments.values) }
        for a in all.sorted(by: { ($0.person, $0.record) < ($1.person, $1.record) }) { try body(a) }
    }

    public func person(of record: RecordKey) throws -> PersonID? { withLock { $0.persons.assignments[record]?.person } }

    public func person(pseudonym: String) throws -> PersonSummary? {
        withLock { s in s.persons.byPseudonym[pseudonym].flatMap { s.persons.summaries[$0] } }
    }

    public func personSummary(_ person: PersonID) throws -> PersonSummary? { withLock { $0.persons.summaries[person] } }

    public func records(of person: PersonID) throws -> [StoredRecord] {
        withLock { s in
            s.records.map(\.record).filter {
                s.persons.assignments[RecordKey(source: $0.record.source, recordID: $0.record.recordID)]?.person == person
            }
        }
    }

    public func forEachPerson(_ body: (PersonID, [StoredRecord]) throws -> Void) throws {
        let grouped: [PersonID: [StoredRecord]] = withLock { s in
            var g: [PersonID: [StoredRecord]] = [:]
            for r in s.records.map(\.record) {
                if let p = s.persons.assignments[RecordKey(source: r.record.source, recordID: r.record.recordID)]?.person {
                    g[p, default: []].append(r)
                }
            }
            return g
        }
        for p in grouped.keys.sorted() { try body(p, grouped[p]!) }
    }

    public func neighbours(of person: PersonID) throws -> [PersonSummary] {
        withLock { s in
            func owner(_ r: StoredRecord) -> PersonID? {
                s.persons.assignments[RecordKey(source: r.record.source, recordID: r.record.recordID)]?.person
            }
            let mine = Set(s.records.map(\.record).filter { owner($0) == person }.compactMap { $0.record.identity.postcode })
            guard !mine.isEmpty else { return [] }
            var found = Set<PersonID>()
            for r in s.records.map(\.record) where r.personLevel {
                if let pc = r.record.identity.postcode, mine.contains(pc), let p = owner(r), p != person { found.insert(p) }
            }
            return found.sorted().compactMap { s.persons.summaries[$0] }
        }
    }

    public func saveReviewItems(_ items: [StoredReviewItem]) throws {
        withLock { s in for i in items { s.persons.review[i.queue, default: [:]][i.subject] = i } }
    }

    public func reviewItems(_ queue: ReviewQueueName, pendingOnly: Bool) throws -> [StoredReviewItem] {
        withLock { s in
            (s.persons.review[queue] ?? [:]).values.filter { !pendingOnly || $0.pending }.sorted { $0.subject < $1.subject }
        }
    }

    public func reviewItem(_ queue: ReviewQueueName, subject: String) throws -> StoredReviewItem? {
        withLock { $0.persons.review[queue]?[subject] }
    }

    public func saveRiskRun(_ run: RiskRunInfo, scores: [PersonScore]) throws -> RiskRunInfo {
        try PersonRows.checkScores(scores)
        return withLock { s in
            var stored = run
            stored.id = Int64(s.persons.riskRuns.count + 1)
            s.persons.riskRuns.append(stored)
            s.persons.scores[stored.id] = scores.map { var x = $0; x.run = stored.id; return x }
                .sorted { ($0.rank, $0.person) < ($1.rank, $1.person) }
            return stored
        }
    }

    public func riskRuns() throws -> [RiskRunInfo] { withLock { $0.persons.riskRuns } }
    public func latestRiskRun(_ kind: RiskRunInfo.Kind) throws -> RiskRunInfo? {
        withLock { $0.persons.riskRuns.last { $0.kind == kind } }
    }
    public func scores(run: Int64) throws -> [PersonScore] { withLock { $0.persons.scores[run] ?? [] } }
    public func scores(of person: PersonID) throws -> [PersonScore] {
        withLock { s in s.persons.riskRuns.flatMap { s.persons.scores[$0.id] ?? [] }.filter { $0.person == person } }
    }

    public func saveOffers(_ offers: [StoredOffer]) throws -> [StoredOffer] {
        withLock { s in
            offers.map { o in
                var x = o
                x.id = Int64(s.persons.offers.count + 1)
                s.persons.offers.append(x)
                return x
            }
        }
    }

    public func updateOffer(id: Int64, status: String) throws {
        try withLock { s in
            guard let i = s.persons.offers.firstIndex(where: { $0.id == id }) else { throw StoreError.notFound("offer \(id)") }
            s.persons.offers[i].status = status
        }
    }

    public func offers(of person: PersonID?) throws -> [StoredOffer] {
        withLock { s in s.persons.offers.filter { person == nil || $0.person == person } }
    }
}
