import GRDB
import UpstreamModel
import UpstreamStore

/// A household neighbourhood in one query (indexed by person, postcode and incident reference: migrations v5 and
/// `v8-read-indexes`), and the audit trail's tail by its primary key.
extension SQLiteStore: NeighbourhoodReads, AuditTailReads, LatestRunReads, TrendReads {
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
            var columns: RecordColumns?
            return try Self.neighbourhoodRows(Row.fetchCursor(db, sql: Self.neighbourhoodSQL, arguments: [person.rawValue, personLevelOnly]),
                                              columns: &columns)
        } }
    }

    /// The records of a query whose first two columns are the person and the match probability, then a record's and
    /// its delivery's: read through a cursor (each row decoded where it lies, not copied into a row of boxed values
    /// first), the columns found once (`columns`, kept across queries of the same shape), not by name in every row.
    static func neighbourhoodRows(_ cursor: RowCursor, columns: inout RecordColumns?) throws -> [NeighbourhoodRecord] {
        var out: [NeighbourhoodRecord] = []
        while let row = try cursor.next() {
            if columns == nil { columns = try RecordColumns(row) }
            out.append(NeighbourhoodRecord(person: PersonID(row[0] as String), probability: row[1],
                                           stored: try Self.record(from: row, columns: columns)))
        }
        return out
    }

    /// A person's records with their probabilities and deliveries (`assignments_by_person`), in load order.
    static let personRecordsSQL = """
        SELECT a.person_id AS assigned_person, a.probability AS assigned_probability, r.*, d.file_name, d.file_sha256, d.loaded_at
        FROM assignments a JOIN records r ON r.source = a.source AND r.record_id = a.record_id
        JOIN deliveries d ON d.id = r.delivery_id
        WHERE a.person_id = ?1 AND (?2 = 0 OR r.person_level)
        ORDER BY r.id
        """
    /// The person-level event records at a postcode: keys and address lines from `records_by_postcode` alone
    /// (covering since `v10-home-index`); whether each is at a given home is worked out in Swift (``Identity/home``).
    static let eventsAtPostcodeSQL = """
        SELECT source, record_id, address FROM records WHERE postcode = ?1 AND person_level AND event_date IS NOT NULL
        """
    /// The person-level records of an incident (`records_by_incident` alone).
    static let atIncidentSQL = """
        SELECT source, record_id FROM records WHERE event_kind = 'incident' AND reference = ?1 AND person_level
        """

    /// The household in three indexed steps that read in full only the rows a chronology uses: the person's records;
    /// the person-level event records at their homes (the postcode narrowed to the house number, ``Identity/home``)
    /// and at their incidents, by index alone, each one's person by the assignments' key; then those persons'
    /// records. The same chronology as from ``neighbourhoodRecords(of:personLevelOnly:)`` (tested on every person of
    /// a 500-person city; checked on 243 persons of a 1,000,000-person store by `Benchmarks/household-check.sh`), from
    /// 42 records read in full a person instead of 352 there (200 persons by pseudonym; 284 instead of 781 for the
    /// flagged young people), docs/web.md.
    public func householdRecords(of person: PersonID, personLevelOnly: Bool) throws -> [NeighbourhoodRecord] {
        try guarding { try db.read { db in
            var columns: RecordColumns?
            func records(of p: PersonID) throws -> [NeighbourhoodRecord] {
                try Self.neighbourhoodRows(Row.fetchCursor(db.cachedStatement(sql: Self.personRecordsSQL), arguments: [p.rawValue, personLevelOnly]),
                                           columns: &columns)
            }
            let own = try records(of: person)
            // Where the household inference looks (ChronologyBuilder.inferHousehold): the homes of the person's event
            // records and their incidents; person-level records only, as the neighbourhood's query searches.
            var homes: Set<String> = [], postcodes: Set<String> = [], incidents: Set<String> = []
            for r in own where r.stored.personLevel {
                guard let e = r.stored.record.event else { continue }
                let identity = r.stored.record.identity
                if let home = identity.home, let postcode = identity.postcode { homes.insert(home); postcodes.insert(postcode) }
                if e.kind == .incident, let ref = e.reference { incidents.insert(ref) }
            }
            var keys: [(source: String, recordID: String)] = []
            let atPostcode = try db.cachedStatement(sql: Self.eventsAtPostcodeSQL)
            for postcode in postcodes {
                let cursor = try Row.fetchCursor(atPostcode, arguments: [postcode])
                while let row = try cursor.next() {
                    if let home = Identity.home(postcode: postcode, address: row[2]), homes.contains(home) { keys.append((row[0], row[1])) }
                }
            }
            let atIncident = try db.cachedStatement(sql: Self.atIncidentSQL)
            for ref in incidents {
                let cursor = try Row.fetchCursor(atIncident, arguments: [ref])
                while let row = try cursor.next() { keys.append((row[0], row[1])) }
            }
            var people: Set<String> = []
            let personOf = try db.cachedStatement(sql: "SELECT person_id FROM assignments WHERE source = ?1 AND record_id = ?2")
            for k in keys { if let p = try String.fetchOne(personOf, arguments: [k.source, k.recordID]) { people.insert(p) } }
            people.remove(person.rawValue)
            // By person (in SQLite's byte order, as the neighbourhood's query orders them), then load order.
            var out: [NeighbourhoodRecord] = []
            for p in (people.map(PersonID.init) + [person]).sorted(by: { ByteOrder.compare($0.rawValue, $1.rawValue) < 0 }) {
                out += p == person ? own : try records(of: p)
            }
            return out
        } }
    }

    public func auditMarks(after seq: Int64, limit: Int) throws -> [AuditMark] {
        try guarding { try db.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, action, subject FROM audit_trail WHERE seq > ? ORDER BY seq LIMIT ?"), arguments: [seq, limit])
                .map { AuditMark(seq: $0[0], action: $0[1], subject: $0[2]) }
        } }
    }

    public func latestAuditSeq() throws -> Int64 {
        try guarding { try db.read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM audit_trail")) ?? 0 } }
    }

    public func latestRunIDs() throws -> (linkage: Int64?, score: Int64?) {
        try guarding { try db.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT (SELECT max(id) FROM linkage_runs), (SELECT max(id) FROM risk_runs WHERE kind = 'score')
                """))
            return (row?[0], row?[1])
        } }
    }

    public func trends(of persons: [PersonID]) throws -> [PersonID: [(asOf: CivilDate, score: Double)]] {
        guard !persons.isEmpty else { return [:] }
        return try guarding { try db.read { db in
            var out: [PersonID: [(asOf: CivilDate, score: Double)]] = [:]
            // By the scores_by_person index, a page's persons at a time (SQLite's limit on bound values is far above 50).
            for chunk in stride(from: 0, to: persons.count, by: 500).map({ Array(persons[$0..<min($0 + 500, persons.count)]) }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT person_id, as_of, score FROM scores WHERE person_id IN (\(marks)) ORDER BY person_id, run_id
                    """, arguments: StatementArguments(chunk.map(\.rawValue)))
                while let row = try cursor.next() {
                    out[PersonID(row[0] as String), default: []].append((CivilDate(dayNumber: row[1]), row[2]))
                }
            }
            return out
        } }
    }
}
