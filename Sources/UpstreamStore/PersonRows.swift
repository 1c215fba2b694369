import Foundation
import UpstreamModel

/// What every ``PersonStore`` backend does the same way before it writes: a run's persons counted and named, and a
/// score's reasons as JSON. Shared so the backends agree exactly (the conformance suite checks they do).
package enum PersonRows {
    /// The persons of a linkage run, in person order, each with its record count and pseudonym.
    /// - Throws: ``StoreError/invalidRun(_:)`` when a record is given to a person twice in one run;
    ///   ``StoreError/collision(_:)`` when two persons get the same pseudonym (the context names the pseudonym).
    ///
    /// Assignments given in the stores' key order (``RecordKey/bytesPrecede(_:_:)``, as `LinkRunStore` gives them)
    /// are checked for a record given twice by comparing neighbours; only others need a set of every key (about 60
    /// bytes a record: 1.6 GB at 27 million records).
    package static func persons<C: Collection>(_ assignments: C, pseudonym: (PersonID) -> String) throws -> [PersonSummary]
    where C.Element == PersonAssignment {
        if let counts = try countsInKeyOrder(assignments) { return try summaries(counts, pseudonym: pseudonym) }
        var counts: [PersonID: Int] = [:]
        var seen = Set<RecordKey>()
        seen.reserveCapacity(assignments.count)
        for a in assignments {
            guard seen.insert(a.record).inserted else { throw twice(a) }
            counts[a.person, default: 0] += 1
        }
        return try summaries(counts, pseudonym: pseudonym)
    }

    /// Each person's record count, in one pass that checks neighbours for a record given twice and hands each
    /// assignment to `each` as it goes (a store inserts it there, so a lazily made assignment is made once); nil
    /// from the first assignment out of the stores' key order (what `each` was given before it is the caller's
    /// to undo).
    /// - Throws: ``StoreError/invalidRun(_:)`` when a record is given twice; whatever `each` throws.
    package static func countsInKeyOrder<C: Collection>(_ assignments: C, each: (PersonAssignment) throws -> Void = { _ in }) throws
        -> [PersonID: Int]? where C.Element == PersonAssignment {
        var counts: [PersonID: Int] = [:]
        var previous: RecordKey? = nil
        for a in assignments {
            if let p = previous {
                if RecordKey.bytesPrecede(a.record, p) { return nil }
                if RecordKey.sameBytes(p, a.record) { throw twice(a) }
            }
            previous = a.record
            counts[a.person, default: 0] += 1
            try each(a)
        }
        return counts
    }

    /// The error for a record given to a person twice in one run.
    package static func twice(_ a: PersonAssignment) -> StoreError {
        StoreError.invalidRun("record \(a.record.source)/\(a.record.recordID) is assigned twice in one linkage run")
    }

    /// The persons of `counts` (each person's record count), in person order, each with its pseudonym.
    /// - Throws: ``StoreError/collision(_:)`` when two persons get the same pseudonym.
    package static func summaries(_ counts: [PersonID: Int], pseudonym: (PersonID) -> String) throws -> [PersonSummary] {
        var named: [String: PersonID] = [:]
        named.reserveCapacity(counts.count)
        var out: [PersonSummary] = []
        out.reserveCapacity(counts.count)
        for (p, n) in counts.sorted(by: { $0.key < $1.key }) {
            let name = pseudonym(p)
            guard named.updateValue(p, forKey: name) == nil else {
                throw StoreError.collision("\(name) would name two persons; rotate the pseudonymisation key (docs/governance.md)")
            }
            out.append(PersonSummary(person: p, pseudonym: name, records: n))
        }
        return out
    }

    /// Checks that a scoring run scores each person once.
    /// - Throws: ``StoreError/invalidRun(_:)`` naming the first person scored twice.
    package static func checkScores(_ scores: [PersonScore]) throws {
        var scored = Set<PersonID>()
        scored.reserveCapacity(scores.count)
        for x in scores where !scored.insert(x.person).inserted {
            throw StoreError.invalidRun("person \(x.person) is scored twice in one risk run")
        }
    }

    private struct Reasons: Codable {
        var raising: [ScoreReason]
        var lowering: [ScoreReason]
    }

    /// A score's reasons as the `scores.reasons` column holds them: `{"lowering": [...], "raising": [...]}`.
    package static func reasonsJSON(_ score: PersonScore) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(Reasons(raising: score.raising, lowering: score.lowering))) ?? Data("{}".utf8)
    }

    /// The reasons read back from ``reasonsJSON(_:)``.
    /// - Throws: ``StoreError/corrupt(_:)`` when the column is not that JSON.
    package static func reasons(_ data: Data) throws -> (raising: [ScoreReason], lowering: [ScoreReason]) {
        do {
            let r = try JSONDecoder().decode(Reasons.self, from: data)
            return (r.raising, r.lowering)
        } catch {
            throw StoreError.corrupt("scores.reasons is not the reasons JSON")
        }
    }
}
