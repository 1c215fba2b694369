/// An error from the PostgreSQL store: what went wrong and what to do, never a personal value or a password.
public struct PostgresStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case invalidURL, cannotConnect, server
    }

    private let code: Code
    /// What was wrong: a URL without its password, a server message, an SQLSTATE. Never personal data.
    public let context: String

    private init(_ code: Code, _ context: String) { self.code = code; self.context = context }

    /// The `--store` location is not a usable `postgres://` URL.
    public static func invalidURL(_ why: String) -> PostgresStoreError { PostgresStoreError(.invalidURL, why) }
    /// No connection could be made (server down, wrong port, authentication refused).
    public static func cannotConnect(_ why: String) -> PostgresStoreError { PostgresStoreError(.cannotConnect, why) }
    /// The server refused a statement; `context` holds its SQLSTATE and message (values are in the detail, not shown).
    public static func server(_ why: String) -> PostgresStoreError { PostgresStoreError(.server, why) }

    public var description: String {
        switch code {
        case .invalidURL:
            "invalid PostgreSQL store URL: \(context); write postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]"
        case .cannotConnect:
            "cannot connect to PostgreSQL: \(context); check that the server is running and the URL's user, password and database"
        case .server: "PostgreSQL refused a statement: \(context)"
        }
    }
}
