import GRDB
import UpstreamModel
import UpstreamStore

/// A household neighbourhood in one query (indexed by person, postcode and incident reference: migrations v5 and
/// `v8-read-indexes`), and the audit trail's tail by its primary key.
extension SQLiteStore: NeighbourhoodReads, AuditTailReads {
    static let neighbourhoodSQL = """
        WITH own AS (
          SELECT r.postcode, r.event_kind, r.reference FROM assignments a
          JOIN records r ON r.source = a.source AND r.record_id = a.record_id
          WHERE a.person_id = ?1 AND r.person_level),
        people(person_id) AS (
          SELECT ?1
          UNION SELECT a2.person_id FROM records r2
            JOIN assignments a2 ON a2.source = r2.source AND a2.record_id = r2.record_id
            WHERE r2.postcode IN (SELECT postcode FROM own WHERE postcode IS NOT NULL AND postcode <> '') AND r2.person_level
          UNION SELECT a2.person_id FROM records r2
            JOIN assignments a2 ON a2.source = r2.source AND a2.record_id = r2.record_id
            WHERE r2.event_kind = 'incident'
              AND r2.reference IN (SELECT reference FROM own WHERE event_kind = 'incident' AND reference IS NOT NULL)
              AND r2.person_level)
        SELECT a.person_id AS assigned_person, a.probability AS assigned_probability, r.*, d.file_name, d.file_sha256, d.loaded_at
        FROM people JOIN assignments a ON a.person_id = people.person_id
        JOIN records r ON r.source = a.source AND r.record_id = a.record_id
        JOIN deliveries d ON d.id = r.delivery_id
        WHERE (?2 = 0 OR r.person_level)
        ORDER BY a.person_id, r.id
        """

    public func neighbourhoodRecords(of person: PersonID, personLevelOnly: Bool) throws -> [NeighbourhoodRecord] {
        try guarding { try db.read { db in
            let rows = try Row.fetchAll(db, sql: Self.neighbourhoodSQL, arguments: [person.rawValue, personLevelOnly])
            guard let first = rows.first else { return [] }
            // Columns found once for the query, not by name in every row; the person and probability are its first two.
            let columns = try RecordColumns(first)
            return try rows.map { row in
                NeighbourhoodRecord(person: PersonID(row[0] as String), probability: row[1],
                                    stored: try Self.record(from: row, columns: columns))
            }
        } }
    }

    public func auditMarks(after seq: Int64, limit: Int) throws -> [AuditMark] {
        try guarding { try db.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, action, subject FROM audit_trail WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit])
                .map { AuditMark(seq: $0[0], action: $0[1], subject: $0[2]) }
        } }
    }

    public func latestAuditSeq() throws -> Int64 {
        try guarding { try db.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM audit_trail") ?? 0 } }
    }
}
