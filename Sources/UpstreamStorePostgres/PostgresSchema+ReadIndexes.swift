extension PostgresSchema {
    /// SQLite's `v8-read-indexes`, under the same name: the people at the same incident, found by the incident's
    /// reference in one indexed query.
    static let readIndexesMigration = PostgresMigration(name: "v8-read-indexes: incidents by reference", statements: [
        "CREATE INDEX records_by_incident ON records(reference) WHERE event_kind = 'incident'",
    ])
}
