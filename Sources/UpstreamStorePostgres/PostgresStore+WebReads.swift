import Foundation
import PostgresNIO
import UpstreamModel
import UpstreamStore

/// A household neighbourhood in one query, and the audit trail's tail by its primary key (SQLite's, in
/// PostgreSQL's dialect).
extension PostgresStore: NeighbourhoodReads, AuditTailReads {
    /// ``PostgresSchema/selectRecord``'s columns after the person and the match probability.
    static let neighbourhoodSelect = PostgresSchema.selectRecord
        .replacingOccurrences(of: "SELECT r.source,", with: "SELECT a.person_id, a.probability, r.source,")
        .replacingOccurrences(of: "FROM records r JOIN", with: """
            FROM people JOIN assignments a ON a.person_id = people.person_id
            JOIN records r ON r.source = a.source AND r.record_id = a.record_id JOIN
            """)

    public func neighbourhoodRecords(of person: PersonID, personLevelOnly: Bool) throws -> [NeighbourhoodRecord] {
        var q = PostgresQuery(unsafeSQL: """
            WITH own AS (
              SELECT r.postcode, r.event_kind, r.reference FROM assignments a
              JOIN records r ON r.source = a.source AND r.record_id = a.record_id
              WHERE a.person_id = $1 AND r.person_level),
            people(person_id) AS (
              SELECT $1::text
              UNION SELECT a2.person_id FROM records r2
                JOIN assignments a2 ON a2.source = r2.source AND a2.record_id = r2.record_id
                WHERE r2.postcode IN (SELECT postcode FROM own WHERE postcode IS NOT NULL AND postcode <> '') AND r2.person_level
              UNION SELECT a2.person_id FROM records r2
                JOIN assignments a2 ON a2.source = r2.source AND a2.record_id = r2.record_id
                WHERE r2.event_kind = 'incident'
                  AND r2.reference IN (SELECT reference FROM own WHERE event_kind = 'incident' AND reference IS NOT NULL)
                  AND r2.person_level)
            \(Self.neighbourhoodSelect)
            WHERE (NOT $2 OR r.person_level)
            ORDER BY a.person_id, r.id
            """)
        q.binds.append(person.rawValue)
        q.binds.append(personLevelOnly)
        return try rows(q).map { row in
            var cells = row.makeIterator()
            guard let first = cells.next(), let second = cells.next() else { throw StoreError.corrupt("assignments") }
            let p = try Self.decoding("assignments.person_id") { try first.decode(String.self) }
            let probability = try Self.decoding("assignments.probability") { try second.decode(Double?.self) }
            return NeighbourhoodRecord(person: PersonID(p), probability: probability, stored: try Self.record(from: row, skipping: 2))
        }
    }

    public func auditMarks(after seq: Int64, limit: Int) throws -> [AuditMark] {
        try rows("SELECT seq, action, subject FROM audit_trail WHERE seq > \(seq) ORDER BY seq LIMIT \(limit)").map { row in
            let (s, a, subject) = try Self.decoding("audit_trail") { try row.decode((Int64, String, String).self) }
            return AuditMark(seq: s, action: a, subject: subject)
        }
    }

    public func latestAuditSeq() throws -> Int64 {
        try scalar("SELECT coalesce(max(seq), 0) FROM audit_trail")
    }
}

/// The latest runs' ids and the queue's trends, each in one query (SQLite's, in PostgreSQL's dialect).
extension PostgresStore: LatestRunReads, TrendReads {
    public func latestRunIDs() throws -> (linkage: Int64?, score: Int64?) {
        guard let row = try rows("SELECT (SELECT max(id) FROM linkage_runs), (SELECT max(id) FROM risk_runs WHERE kind = 'score')").first
        else { return (nil, nil) }
        let (linkage, score) = try Self.decoding("runs") { try row.decode((Int64?, Int64?).self) }
        return (linkage, score)
    }

    public func trends(of persons: [PersonID]) throws -> [PersonID: [(asOf: CivilDate, score: Double)]] {
        guard !persons.isEmpty else { return [:] }
        let ids = persons.map(\.rawValue)
        var out: [PersonID: [(asOf: CivilDate, score: Double)]] = [:]
        for row in try rows("SELECT person_id, as_of, score FROM scores WHERE person_id = ANY(\(ids)) ORDER BY person_id, run_id") {
            let (p, asOf, score) = try Self.decoding("scores") { try row.decode((String, Int64, Double).self) }
            out[PersonID(p), default: []].append((CivilDate(dayNumber: Int32(truncatingIfNeeded: asOf)), score))
        }
        return out
    }
}
