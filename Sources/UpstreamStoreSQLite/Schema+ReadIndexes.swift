import GRDB

extension Schema {
    /// `v8-read-indexes`: the index a household neighbourhood needs to find the people at the same incident in one
    /// query (``SQLiteStore/neighbourhoodRecords(of:personLevelOnly:)``). Postcodes and persons were indexed already.
    static func registerReadIndexes(_ m: inout DatabaseMigrator) {
        m.registerMigration("v8-read-indexes: incidents by reference") { db in
            try db.execute(sql: "CREATE INDEX records_by_incident ON records(reference) WHERE event_kind = 'incident'")
        }
    }
}
