extension PostgresSchema {
    /// SQLite's `v8-read-indexes`, under the same name: the people at the same incident, found by the incident's
    /// reference in one indexed query.
    static let readIndexesMigration = PostgresMigration(name: "v8-read-indexes: incidents by reference", statements: [
        "CREATE INDEX records_by_incident ON records(reference) WHERE event_kind = 'incident'",
    ])

    /// SQLite's `v9-covering-read-indexes`, under the same name: the by-person, by-postcode and by-incident indexes
    /// carry the columns a household's query reads (the probability; whether a record is person-level, its source and
    /// id), keeping their leading columns so every query that used one still can. PostgreSQL keeps the extra columns
    /// as `INCLUDE`d payload, which index-only scans read as SQLite's covering indexes are read.
    static let coveringReadIndexesMigration = PostgresMigration(
        name: "v9-covering-read-indexes: a household's people and probabilities from indexes alone",
        statements: [
            "DROP INDEX IF EXISTS assignments_by_person",
            "CREATE INDEX assignments_by_person ON assignments(person_id, source, record_id) INCLUDE (probability)",
            "DROP INDEX IF EXISTS records_by_postcode",
            "CREATE INDEX records_by_postcode ON records(postcode) INCLUDE (person_level, source, record_id) WHERE postcode IS NOT NULL",
            "DROP INDEX IF EXISTS records_by_incident",
            "CREATE INDEX records_by_incident ON records(reference) INCLUDE (person_level, source, record_id) WHERE event_kind = 'incident'",
        ])

    /// SQLite's `v10-home-index`, under the same name: the by-postcode index also carries the event date and the address
    /// lines (as `INCLUDE`d payload), so a household's event records at a postcode can be read from the index alone.
    static let homeIndexMigration = PostgresMigration(
        name: "v10-home-index: the event records at a postcode with their address lines, from the index alone",
        statements: [
            "DROP INDEX IF EXISTS records_by_postcode",
            "CREATE INDEX records_by_postcode ON records(postcode) INCLUDE (person_level, source, record_id, event_date, address) WHERE postcode IS NOT NULL",
        ])

    /// SQLite's `v11-record-deletions`, under the same name: the count of records ever deleted, kept by a trigger. One
    /// trigger a statement here (its transition table counts the rows), where SQLite's fires a row; the count is the same.
    static let recordDeletionsMigration = PostgresMigration(
        name: "v11-record-deletions: a count of the records deleted, kept by a trigger",
        statements: [
            "CREATE TABLE record_deletions (total BIGINT NOT NULL CHECK (total >= 0))",
            "INSERT INTO record_deletions (total) VALUES (0)",
            """
            CREATE FUNCTION count_record_deletions() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
            BEGIN
              UPDATE record_deletions SET total = total + (SELECT count(*) FROM gone);
              RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER records_deleted AFTER DELETE ON records REFERENCING OLD TABLE AS gone
            FOR EACH STATEMENT EXECUTE FUNCTION count_record_deletions()
            """,
        ])
}
