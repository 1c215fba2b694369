import Foundation
import UpstreamStore
import UpstreamStorePostgres
import UpstreamStoreSQLite

/// Opens the store a `--store` value names: a `postgres://` URL opens the PostgreSQL store, anything else is a
/// SQLite file (created if missing).
enum StoreFactory {
    /// Whether `location` is a PostgreSQL URL rather than a file path.
    static func isServer(_ location: String) -> Bool { PostgresLocation.isURL(location) }

    /// Opens (creating and migrating if needed) the store at `location`.
    /// - Parameter location: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]` or a file path.
    /// - Returns: the store.
    /// - Throws: the adapter's error: `PostgresStoreError` (bad URL, server unreachable) or GRDB's error for a file.
    static func open(_ location: String, auditSealer: (any AuditSealer)? = nil) throws -> any WorkspaceStore {
        if isServer(location) { return try PostgresStore(url: location, auditSealer: auditSealer) }
        return try SQLiteStore(path: location, auditSealer: auditSealer)
    }

    /// Opens a store that must already exist: a SQLite file that is missing is an error that says what to do.
    static func openExisting(_ location: String, auditSealer: (any AuditSealer)? = nil) throws -> any WorkspaceStore {
        guard isServer(location) || FileManager.default.fileExists(atPath: location) else {
            throw CLIError("no store at \(location): load extracts first with upstream ingest --store \(location)")
        }
        return try open(location, auditSealer: auditSealer)
    }
}
