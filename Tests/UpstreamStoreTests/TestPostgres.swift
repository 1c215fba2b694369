import Foundation
import PostgresNIO
import Testing
import UpstreamStore
@testable import UpstreamStorePostgres

/// The PostgreSQL server the store tests use: `UPSTREAM_TEST_POSTGRES_URL` (`.ci/run` sets it through
/// `scripts/postgres-ci`; run that script to get one locally).
///
/// Each store gets a schema of its own, `conformance_<pid>_<n>`, so tests never see each other's rows. Schemas left
/// by test processes that have ended are dropped the first time a store is made.
enum TestPostgres {
    static let environment = ProcessInfo.processInfo.environment
    static let url: String? = environment["UPSTREAM_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let underCI = environment["CI"] == "true"
    static var enabled: Bool { url != nil || underCI }

    /// Why a PostgreSQL case cannot run; thrown under CI so the case fails.
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "UPSTREAM_TEST_POSTGRES_URL is not set: the PostgreSQL store tests need a server; "
                + "run `export UPSTREAM_TEST_POSTGRES_URL=\"$(scripts/postgres-ci)\"` (as .ci/run does)"
        }
    }

    private static let counter = Counter()

    /// A store in a new, empty schema of its own.
    static func makeStore(auditSealer: (any AuditSealer)? = nil) throws -> PostgresStore {
        guard let url else { throw NotConfigured() }
        let n = counter.next()
        if n == 0 { try dropSchemasOfEndedProcesses(url) }
        return try PostgresStore(url: url + (url.contains("?") ? "&" : "?") + "schema=conformance_\(getpid())_\(n + 1)",
                                 auditSealer: auditSealer)
    }

    /// The URL of a new, empty schema of its own (created when a store first opens it), for tests that hand the
    /// URL to the `upstream` binary.
    static func makeSchemaURL() throws -> String {
        guard let url else { throw NotConfigured() }
        let n = counter.next()
        if n == 0 { try dropSchemasOfEndedProcesses(url) }
        return url + (url.contains("?") ? "&" : "?") + "schema=conformance_\(getpid())_\(n + 1)"
    }

    private static func dropSchemasOfEndedProcesses(_ url: String) throws {
        let janitor = try PostgresStore(url: url + (url.contains("?") ? "&" : "?") + "schema=conformance_\(getpid())_0")
        let names = try janitor.rows("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'conformance\\_%'").map {
            try $0.decode(String.self)
        }
        for name in names {
            let parts = name.split(separator: "_")
            guard parts.count == 3, let pid = Int32(parts[1]), pid != getpid(), kill(pid, 0) != 0 else { continue }
            try janitor.execute(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(name) CASCADE"))
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.lock(); defer { lock.unlock() }
            defer { value += 1 }
            return value
        }
    }
}
