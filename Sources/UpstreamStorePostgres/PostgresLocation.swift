import Foundation

/// Where a PostgreSQL store lives, parsed from a `postgres://` URL.
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME&sslmode=disable&host=/SOCKET/DIR]`
/// - `schema`: keep the store's tables in this schema (created if missing) instead of `public`, so several stores
///   can share one database (the tests and the benchmark use one schema each).
/// - `sslmode`: only `disable` (the default) for now: use a server on this machine or on a private network, or
///   its Unix socket. TLS (`require`) is not implemented yet and is refused rather than silently ignored.
/// - `host=/dir`: connect through the Unix socket in that directory instead of TCP.
/// The password may also come from `PGPASSWORD`.
public struct PostgresLocation: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var schema: String?
    /// A directory holding the server's Unix socket, when connecting through it.
    public var socketDirectory: String?

    /// Whether `location` names a PostgreSQL store (rather than a SQLite file).
    public static func isURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// Parses a `postgres://` URL.
    /// - Throws: ``PostgresStoreError/invalidURL(_:)`` saying which part is wrong.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isURL(url), let c = URLComponents(string: url) else {
            throw PostgresStoreError.invalidURL("expected postgres://…")
        }
        let query = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        for key in query.keys where !["schema", "sslmode", "host"].contains(key) {
            throw PostgresStoreError.invalidURL("unknown parameter '\(key)' (known: schema, sslmode, host)")
        }
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        host = c.host ?? ""
        if host.isEmpty && socketDirectory == nil { throw PostgresStoreError.invalidURL("no host") }
        port = c.port ?? 5432
        guard let user = c.user, !user.isEmpty else { throw PostgresStoreError.invalidURL("no user before '@'") }
        self.user = user
        password = c.password ?? environment["PGPASSWORD"]
        let db = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        guard !db.isEmpty, !db.contains("/") else { throw PostgresStoreError.invalidURL("no database after the host") }
        database = db
        if let s = query["schema"] {
            guard Self.isPlainIdentifier(s) else {
                throw PostgresStoreError.invalidURL("schema must be lower-case letters, digits and _, starting with a letter")
            }
            schema = s
        }
        switch query["sslmode"] ?? "disable" {
        case "disable": break
        case let other: throw PostgresStoreError.invalidURL("sslmode '\(other)' is not supported yet (only disable)")
        }
    }

    /// `[a-z][a-z0-9_]{0,62}`: safe to write into SQL as a schema name without quoting.
    static func isPlainIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, (0x61...0x7A).contains(first), s.utf8.count <= 63 else { return false }
        return s.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// The URL without its password, for messages.
    public var description: String {
        let where_ = socketDirectory.map { "?host=\($0)" } ?? ""
        let schemaPart = schema.map { (where_.isEmpty ? "?" : "&") + "schema=\($0)" } ?? ""
        return "postgres://\(user)@\(host):\(port)/\(database)\(where_)\(schemaPart)"
    }
}
