import GRDB

extension Schema {
    /// `v8-read-indexes`: the index a household neighbourhood needs to find the people at the same incident in one
    /// query (``SQLiteStore/neighbourhoodRecords(of:personLevelOnly:)``). Postcodes and persons were indexed already.
    /// `v9-covering-read-indexes`: the same three indexes made covering for that query, so that a chronology built
    /// from the store reads no table row it does not show (docs/web.md, "Where a view's time goes").
    static func registerReadIndexes(_ m: inout DatabaseMigrator) {
        m.registerMigration("v8-read-indexes: incidents by reference") { db in
            try db.execute(sql: "CREATE INDEX records_by_incident ON records(reference) WHERE event_kind = 'incident'")
        }
        m.registerMigration("v9-covering-read-indexes: a household's people and probabilities from indexes alone") { db in
            try db.execute(sql: "PRAGMA threads = 2")
            for (name, definition) in coveringReadIndexes {
                try db.execute(sql: "DROP INDEX IF EXISTS \(name)")
                try db.execute(sql: "CREATE INDEX \(name) ON \(definition)")
            }
        }
        m.registerMigration("v10-home-index: the event records at a postcode with their address lines, from the index alone") { db in
            try db.execute(sql: "PRAGMA threads = 2")
            try db.execute(sql: "DROP INDEX IF EXISTS records_by_postcode")
            try db.execute(sql: "CREATE INDEX records_by_postcode ON \(recordsByPostcode)")
        }
    }

    /// The by-person, by-postcode and by-incident indexes as `v9-covering-read-indexes` defines them (a linkage run's
    /// save builds the by-person one again with this definition). Each keeps its old leading columns, so every query
    /// that used one still can:
    /// - `assignments_by_person` carries the probability, so a person's records are found without a look-up of each
    ///   assignment's row;
    /// - `records_by_postcode` and `records_by_incident` carry whether a record is person-level and its key, so the
    ///   people at a household's postcodes and incidents are found without reading each record's row.
    static let coveringReadIndexes: [(name: String, definition: String)] = [
        ("assignments_by_person", assignmentsByPerson),
        ("records_by_postcode", "records(postcode, person_level, source, record_id) WHERE postcode IS NOT NULL"),
        ("records_by_incident", "records(reference, person_level, source, record_id) WHERE event_kind = 'incident'"),
    ]

    /// `records_by_postcode` as `v10-home-index` defines it (v9's columns, so its queries are still covered, then
    /// whether a record has an event and its address lines): the household read in steps
    /// (``SQLiteStore/householdRecords(of:personLevelOnly:)``) finds the event records at a person's homes from the
    /// index alone, reading no record that is not at one of them.
    static let recordsByPostcode = "records(postcode, person_level, source, record_id, event_date, address) WHERE postcode IS NOT NULL"

    /// `assignments_by_person`'s columns (``coveringReadIndexes``).
    static let assignmentsByPerson = "assignments(person_id, source, record_id, probability)"
}
