import Foundation
import GRDB
import UpstreamStore

/// The store's tables, created by append-only named migrations, and the fixed statements that use them.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: sources, deliveries, records, quarantine, audit log") { db in
            try db.execute(sql: """
                CREATE TABLE sources (
                  name TEXT PRIMARY KEY NOT NULL,
                  agency TEXT NOT NULL,
                  owner TEXT NOT NULL,
                  legal_basis TEXT NOT NULL,
                  retention_years INTEGER NOT NULL CHECK (retention_years > 0),
                  retention_from TEXT NOT NULL CHECK (retention_from IN ('event', 'load'))
                );
                CREATE TABLE deliveries (
                  id INTEGER PRIMARY KEY,
                  source TEXT NOT NULL REFERENCES sources(name),
                  file_name TEXT NOT NULL,
                  file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
                  loaded_at INTEGER NOT NULL,
                  rows_read INTEGER NOT NULL DEFAULT 0,
                  loaded INTEGER NOT NULL DEFAULT 0,
                  quarantined INTEGER NOT NULL DEFAULT 0,
                  blank_lines INTEGER NOT NULL DEFAULT 0,
                  nhs_invalid INTEGER NOT NULL DEFAULT 0,
                  upn_invalid INTEGER NOT NULL DEFAULT 0,
                  dob_placeholder INTEGER NOT NULL DEFAULT 0,
                  superseded_by INTEGER REFERENCES deliveries(id),
                  CHECK (rows_read = loaded + quarantined)
                );
                CREATE INDEX deliveries_by_source_sha ON deliveries(source, file_sha256);
                CREATE TABLE records (
                  id INTEGER PRIMARY KEY,
                  delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
                  source TEXT NOT NULL,
                  record_id TEXT NOT NULL,
                  agency TEXT NOT NULL,
                  person_level INTEGER NOT NULL,
                  line INTEGER NOT NULL,
                  forename TEXT, middle_names TEXT, surname TEXT, dob INTEGER, sex TEXT CHECK (sex IN ('M', 'F')),
                  postcode TEXT, ethnicity TEXT, nhs_number TEXT, nhs_valid INTEGER, upn TEXT, pnc_id TEXT, local_id TEXT,
                  event_kind TEXT, event_date INTEGER, minute_of_day INTEGER, end_date INTEGER, role TEXT, area TEXT,
                  offence_code TEXT, crime_flags INTEGER, detail TEXT, reference TEXT,
                  record_flags INTEGER NOT NULL DEFAULT 0,
                  extras TEXT,
                  CHECK ((event_kind IS NULL) = (event_date IS NULL))
                );
                CREATE UNIQUE INDEX records_by_source_id ON records(source, record_id);
                CREATE TABLE quarantine (
                  id INTEGER PRIMARY KEY,
                  delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
                  source TEXT NOT NULL,
                  line INTEGER NOT NULL,
                  raw BLOB NOT NULL,
                  reason TEXT NOT NULL,
                  field TEXT
                );
                CREATE INDEX quarantine_by_source_reason ON quarantine(source, reason);
                CREATE TABLE audit_log (
                  id INTEGER PRIMARY KEY,
                  at INTEGER NOT NULL,
                  action TEXT NOT NULL,
                  source TEXT,
                  count INTEGER NOT NULL,
                  detail TEXT NOT NULL
                );
                """)
        }
        m.registerMigration("v2: address lines and recorded dates") { db in
            try db.execute(sql: """
                ALTER TABLE records ADD COLUMN address TEXT;
                ALTER TABLE records ADD COLUMN recorded_date INTEGER;
                """)
        }
        m.registerMigration("v3: one audit trail") { db in
            // The v1 log (loads, supersessions, retention) is kept as audit_log_v1 until the first sealed append
            // imports it into the chained trail (SQLiteStore.appendTrail), in the same transaction.
            try db.execute(sql: """
                ALTER TABLE audit_log RENAME TO audit_log_v1;
                CREATE TABLE audit_trail (
                  seq INTEGER PRIMARY KEY CHECK (seq > 0),
                  at INTEGER NOT NULL,
                  actor TEXT NOT NULL,
                  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('self-asserted', 'authenticated', 'system')),
                  role TEXT NOT NULL,
                  action TEXT NOT NULL,
                  subject TEXT NOT NULL,
                  source TEXT,
                  count INTEGER NOT NULL,
                  reason TEXT NOT NULL,
                  detail TEXT NOT NULL,
                  previous_mac TEXT NOT NULL,
                  mac TEXT NOT NULL
                );
                CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail
                  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail
                  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                """)
        }
        m.registerMigration("v4: deliveries remember the spec they were read with; dates of birth after the event counted") { db in
            // A file read again under a corrected spec is a new delivery (the earlier attempt is superseded, not
            // reported as already loaded). Deliveries loaded before this migration have no spec recorded.
            try db.execute(sql: """
                ALTER TABLE deliveries ADD COLUMN spec_sha256 TEXT CHECK (spec_sha256 IS NULL OR length(spec_sha256) = 64);
                ALTER TABLE deliveries ADD COLUMN dob_after_event INTEGER NOT NULL DEFAULT 0;
                """)
        }
        m.registerMigration("v5: persons, assignments, linkage runs, review items, risk runs, scores, offers") { db in
            // Persons live in the store (docs/stores.md): a linkage run replaces persons and assignments in one
            // transaction; runs, review items, risk runs, scores and offers accumulate. Scores and offers name a
            // person by id without a foreign key, so a person's trend survives a relink that keeps their id.
            try db.execute(sql: Schema.v5)
        }
        registerUsers(&m)
        registerReviewQueue(&m)
        registerRuns(&m)
        registerReadIndexes(&m)
        registerRecordDeletions(&m)
        return m
    }

    /// Migration v5's tables and indexes (PostgreSQL's PostgresSchema repeats them in its dialect).
    static let v5 = """
        CREATE TABLE linkage_runs (
          id INTEGER PRIMARY KEY,
          finished_at INTEGER NOT NULL,
          run_by TEXT NOT NULL,
          records INTEGER NOT NULL CHECK (records >= 0),
          persons INTEGER NOT NULL CHECK (persons >= 0),
          model BLOB NOT NULL,
          detail BLOB NOT NULL
        );
        CREATE TABLE persons (
          id TEXT PRIMARY KEY NOT NULL,
          pseudonym TEXT NOT NULL,
          records INTEGER NOT NULL CHECK (records > 0),
          linkage_run INTEGER NOT NULL REFERENCES linkage_runs(id)
        );
        CREATE UNIQUE INDEX persons_by_pseudonym ON persons(pseudonym);
        CREATE TABLE assignments (
          source TEXT NOT NULL,
          record_id TEXT NOT NULL,
          person_id TEXT NOT NULL REFERENCES persons(id),
          probability REAL CHECK (probability IS NULL OR (probability >= 0 AND probability <= 1)),
          PRIMARY KEY (source, record_id)
        ) WITHOUT ROWID;
        CREATE INDEX assignments_by_person ON assignments(person_id, source, record_id);
        CREATE INDEX records_by_postcode ON records(postcode) WHERE postcode IS NOT NULL;
        CREATE TABLE review_items (
          queue TEXT NOT NULL CHECK (queue IN ('linkage-pairs', 'risk-flags', 'offers')),
          subject TEXT NOT NULL,
          pending INTEGER NOT NULL CHECK (pending IN (0, 1)),
          updated_at INTEGER NOT NULL,
          state BLOB NOT NULL,
          PRIMARY KEY (queue, subject)
        ) WITHOUT ROWID;
        CREATE INDEX review_items_pending ON review_items(queue, pending, subject);
        CREATE TABLE risk_runs (
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('train', 'score')),
          model_id TEXT NOT NULL,
          as_of INTEGER NOT NULL,
          finished_at INTEGER NOT NULL,
          run_by TEXT NOT NULL,
          model BLOB NOT NULL,
          report BLOB NOT NULL,
          linkage_run INTEGER REFERENCES linkage_runs(id),
          detail BLOB NOT NULL
        );
        CREATE INDEX risk_runs_by_kind ON risk_runs(kind, id);
        CREATE TABLE scores (
          run_id INTEGER NOT NULL REFERENCES risk_runs(id),
          person_id TEXT NOT NULL,
          as_of INTEGER NOT NULL,
          score REAL NOT NULL,
          rank INTEGER NOT NULL,
          age INTEGER,
          flagged INTEGER NOT NULL CHECK (flagged IN (0, 1)),
          reasons BLOB NOT NULL,
          PRIMARY KEY (run_id, person_id)
        ) WITHOUT ROWID;
        CREATE INDEX scores_by_rank ON scores(run_id, rank);
        CREATE INDEX scores_by_person ON scores(person_id, run_id);
        CREATE TABLE offers (
          id INTEGER PRIMARY KEY,
          person_id TEXT NOT NULL,
          programme TEXT NOT NULL,
          cost REAL NOT NULL,
          status TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          detail BLOB NOT NULL
        );
        CREATE INDEX offers_by_person ON offers(person_id, id);
        """

    static let insertAudit = """
        INSERT INTO audit_trail (seq, at, actor, actor_kind, role, action, subject, source, count, reason, detail,
          previous_mac, mac)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static let insertRecord = """
        INSERT INTO records (delivery_id, source, record_id, agency, person_level, line,
          forename, middle_names, surname, dob, sex, postcode, ethnicity, nhs_number, nhs_valid, upn, pnc_id, local_id,
          event_kind, event_date, minute_of_day, end_date, role, area, offence_code, crime_flags, detail, reference,
          record_flags, extras, address, recorded_date)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(source, record_id) DO NOTHING
        """

    static let insertQuarantine = "INSERT INTO quarantine (delivery_id, source, line, raw, reason, field) VALUES (?, ?, ?, ?, ?, ?)"

    /// `source = ?1 AND <anchor> < ?2`, with the anchor chosen from a closed set.
    static func anchorBefore(_ from: RetentionPolicy.Anchor) -> String {
        let loadDay = "(SELECT loaded_at / 86400 FROM deliveries d WHERE d.id = records.delivery_id)"
        switch from {
        case .event: return "source = ?1 AND coalesce(end_date, event_date, \(loadDay)) < ?2"
        case .load: return "source = ?1 AND \(loadDay) < ?2"
        }
    }
}
