import Foundation
import GRDB
import PostgresNIO
import Testing
import UpstreamStore
@testable import UpstreamStorePostgres
@testable import UpstreamStoreSQLite

/// The store's schema is written twice, once per SQL dialect (Sources/UpstreamStoreSQLite/Schema.swift and
/// Sources/UpstreamStorePostgres/PostgresSchema.swift). This checks the two keep in step: after every migration,
/// both define the same tables with the same columns, in the same order, each NOT NULL in both or in neither.
@Suite struct SchemaParityTests {
    /// Tables the SQLite store has and the PostgreSQL store may not have yet, with why.
    static let sqliteOnlyForNow: [String: String] = [
        "users": "the web app's users (SQLite migration v6-users; the PostgreSQL migration comes with the web work)",
        "case_assignments": "the practitioners' caseloads (as users)",
    ]

    /// Each table's columns in order, as SQLite reports them.
    static func sqliteTables() throws -> [String: [String]] {
        let dir = NSTemporaryDirectory() + "upstream-schema-parity-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/parity.db")
        return try store.db.read { db in
            let names = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                """)
            var out: [String: [String]] = [:]
            for name in names {
                out[name] = try Row.fetchAll(db, sql: "SELECT name, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid",
                                             arguments: [name])
                    .map { row in
                        // A primary key column is NOT NULL in PostgreSQL whatever it says; SQLite says so only when told.
                        (row["name"] as String) + ((row["notnull"] as Int) == 1 || (row["pk"] as Int) > 0 ? " NOT NULL" : "")
                    }
            }
            return out
        }
    }

    @Test(.enabled(if: TestPostgres.enabled))
    func bothAdaptersDefineTheSameTablesAndColumns() throws {
        let sqlite = try Self.sqliteTables()
        let pg = try TestPostgres.makeStore()
        defer { try? pg.dropSchema() }
        var postgres: [String: [String]] = [:]
        for row in try pg.rows("""
            SELECT table_name::text, column_name::text || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name, ordinal_position
            """) {
            let (table, column) = try row.decode((String, String).self)
            postgres[table, default: []].append(column)
        }
        #expect(Set(postgres.keys).isSuperset(of: ["records", "quarantine", "deliveries", "audit_trail", "persons", "assignments", "review_items", "scores"]))
        for table in Set(sqlite.keys).union(postgres.keys).sorted() {
            switch (sqlite[table], postgres[table]) {
            case let (s?, p?):
                #expect(s == p, "table \(table): SQLite has \(s), PostgreSQL has \(p)")
            case (_?, nil):
                #expect(Self.sqliteOnlyForNow[table] != nil, "table \(table) is in the SQLite schema only")
            case (nil, _?):
                Issue.record("table \(table) is in the PostgreSQL schema only")
            case (nil, nil):
                break
            }
        }
    }
}
