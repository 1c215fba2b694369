import Dispatch
import Foundation
import UpstreamGovernance
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamStorePostgres
import UpstreamStoreSQLite

/// Opens the store a `--store` value names: a `postgres://` URL opens the PostgreSQL store, anything else is a
/// SQLite file (created if missing). The one place a backend is chosen.
public enum StoreFactory {
    /// Whether `location` is a PostgreSQL URL rather than a file path.
    public static func isServer(_ location: String) -> Bool { PostgresLocation.isURL(location) }

    /// Opens (creating and migrating if needed) the store at `location`.
    /// - Parameter location: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]` or a file path.
    /// - Parameter cacheBytes: a SQLite file's page cache (default ``SQLiteStore/defaultCacheBytes``); a server
    ///   manages its own.
    /// - Throws: the adapter's error: `PostgresStoreError` (bad URL, server unreachable) or GRDB's error for a file.
    public static func open(_ location: String, auditSealer: (any AuditSealer)? = nil, cacheBytes: Int? = nil) throws -> any WorkspaceStore {
        if isServer(location) { return try PostgresStore(url: location, auditSealer: auditSealer) }
        return try SQLiteStore(path: location, auditSealer: auditSealer, cacheBytes: cacheBytes)
    }

    /// Whether a store is there: always for a server (its schema is made on first use), a file that exists otherwise.
    public static func exists(_ location: String) -> Bool {
        isServer(location) || FileManager.default.fileExists(atPath: location)
    }

    /// Opens a store that must already exist: a SQLite file that is missing is an error that says what to do.
    public static func openExisting(_ location: String, auditSealer: (any AuditSealer)? = nil) throws -> any WorkspaceStore {
        guard exists(location) else {
            throw WorkspaceError.badInput("no store at \(location): load extracts first with upstream ingest --store \(location)")
        }
        return try open(location, auditSealer: auditSealer)
    }
}

/// Where progress and notes go while a use case runs: the command line shows them on a terminal's standard error,
/// a server logs them, a test collects them.
public struct Messages: Sendable {
    /// Replaces the current progress line.
    public var progress: @Sendable (String) -> Void
    /// Clears the progress line.
    public var clearProgress: @Sendable () -> Void
    /// A note or warning, a whole line with its newline.
    public var note: @Sendable (String) -> Void
    /// A stage's progress with its estimates (see `ProgressTracker`); by default drawn as a line through `progress`.
    public var update: @Sendable (ProgressSnapshot) -> Void

    public init(progress: @escaping @Sendable (String) -> Void, clearProgress: @escaping @Sendable () -> Void,
                note: @escaping @Sendable (String) -> Void, update: (@Sendable (ProgressSnapshot) -> Void)? = nil) {
        self.progress = progress; self.clearProgress = clearProgress; self.note = note
        self.update = update ?? { progress(ProgressLine.render($0)) }
    }

    /// Nothing shown.
    public static let silent = Messages(progress: { _ in }, clearProgress: {}, note: { _ in })
}

/// One store with everything a use case needs around it: where it is, its keys (under `UPSTREAM_KEYS_DIR` or beside
/// it), the clock, the acting user and how work is spread over cores. Commands and the server open one and hand it
/// to the use cases; nothing else opens a store, reads a key or looks at the time.
public struct Workspace: Sendable {
    /// The `--store` value: a SQLite file path or a `postgres://` URL.
    public var location: String
    /// Who is acting (self-asserted on the command line).
    public var user: User
    /// Seconds since 1970, for audit entries and run records.
    public var clock: @Sendable () -> Int64
    /// How independent work is spread over cores.
    public var parallelism: Parallelism
    /// The environment the key paths are read from (`UPSTREAM_KEYS_DIR`).
    public var environment: [String: String]
    /// Where progress and notes go.
    public var messages: Messages
    /// A SQLite store's page cache for the store `governance()` opens (nil: the store's default); `upstream ingest`
    /// gives it a share of its `--memory`.
    public var storeCacheBytes: Int?

    public init(location: String, user: User, clock: @escaping @Sendable () -> Int64 = Workspace.systemClock,
                parallelism: Parallelism = Workspace.defaultParallelism, environment: [String: String] = ProcessInfo.processInfo.environment,
                messages: Messages = .silent) {
        self.location = location; self.user = user; self.clock = clock; self.parallelism = parallelism
        self.environment = environment; self.messages = messages
    }

    /// The system clock, whole seconds.
    public static let systemClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    /// At most `workers` threads, through `DispatchQueue.concurrentPerform`: item `i` goes to thread `i % workers`.
    /// One worker runs every item in order on the calling thread.
    public static func parallelism(workers: Int) -> Parallelism {
        let w = max(1, workers)
        if w == 1 { return .serial }
        var p = Parallelism(workers: w) { n, body in
            if n <= w { DispatchQueue.concurrentPerform(iterations: n, execute: body); return }
            DispatchQueue.concurrentPerform(iterations: w) { t in
                for i in stride(from: t, to: n, by: w) { body(i) }
            }
        }
        // Arrays a worker will fill, faulted in by a low-priority thread of their own (`PageFaults`).
        p.faultInAhead = PageFaults.faultInAhead
        return p
    }

    /// Every core.
    public static let allCores = parallelism(workers: ProcessInfo.processInfo.activeProcessorCount)

    /// The environment variable that limits the threads of every command: a whole number, 1 or more.
    public static let workersVariable = "UPSTREAM_WORKERS"

    /// The one parallelism policy of linkage, risk features, the learners and the synthetic city: `workers` when
    /// given (`--workers`), else `UPSTREAM_WORKERS`, else every core. Results are the same whatever it says.
    /// - Throws: `WorkspaceError.badInput` when either is not a whole number of 1 or more.
    public static func parallelism(workers: Int?, environment: [String: String]) throws -> Parallelism {
        if let workers {
            guard workers >= 1 else { throw WorkspaceError.badInput("--workers must be 1 or more (got \(workers)); leave it out to use every core") }
            return parallelism(workers: workers)
        }
        if let text = environment[workersVariable] {
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 1 else {
                throw WorkspaceError.badInput("\(workersVariable)=\(text) is not a whole number of 1 or more: set it to the threads to use (e.g. 2), or unset it to use every core")
            }
            return parallelism(workers: n)
        }
        return allCores
    }

    /// The policy of this process's environment (`UPSTREAM_WORKERS`, else every core; every core when it is malformed,
    /// which the commands report before they get here).
    public static var defaultParallelism: Parallelism {
        (try? parallelism(workers: nil, environment: ProcessInfo.processInfo.environment)) ?? allCores
    }

    /// The login name: `$USER`, else the process's user name.
    public static var loginName: String { ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName }

    /// The store's key and head files.
    public var paths: GovernancePaths { GovernancePaths(store: location, environment: environment) }

    /// Whether the store is there (a server always is).
    public var exists: Bool { StoreFactory.exists(location) }

    /// The current time as the clock gives it.
    public var now: Int64 { clock() }

    /// The store opened under governance for this user, sealed with the audit key; in `.use` mode the old JSON Lines
    /// access log is imported once.
    public func governance(mode: Governance.Mode = .use, user: User? = nil) throws -> Governance {
        let governance = try Governance(paths: paths, user: user ?? self.user, mode: mode) { sealer in
            try StoreFactory.open(location, auditSealer: sealer, cacheBytes: storeCacheBytes)
        }
        if mode == .use {
            try LegacyAccessLog.importOnce(path: location + ".audit.jsonl", into: governance, at: now)
        }
        return governance
    }

    /// The store (which must exist), without the audit sealer: for reading, and for the run tables.
    public func store() throws -> any WorkspaceStore { try StoreFactory.openExisting(location) }

    /// The store's pseudonyms (the key is created on first use).
    public func pseudonyms() throws -> Pseudonyms {
        let (key, _) = try SecretKeyFile.loadOrCreate(at: paths.pseudonymKey)
        return Pseudonyms(pseudonymiser: Pseudonymiser(key: key))
    }

    /// Appends one entry to the audit trail as this user (or `role` for this entry).
    @discardableResult
    public func audit(_ action: String, subject: String, reason: String, count: Int = 0, detail: String = "",
                      role: Role? = nil) throws -> AuditEntry {
        let actor = role.map { User.selfAsserted(user.name, role: $0) } ?? user
        return try governance(user: actor).record(action, subject: subject, reason: reason, count: count, detail: detail, at: now)
    }

    /// The same workspace acting as `user`.
    public func acting(as user: User) -> Workspace { var w = self; w.user = user; return w }
}

/// Stable pseudonyms for persons under the store's pseudonymisation key (UpstreamGovernance's ``Pseudonymiser``).
public struct Pseudonyms: Sendable {
    public let pseudonymiser: Pseudonymiser

    public init(pseudonymiser: Pseudonymiser) { self.pseudonymiser = pseudonymiser }

    /// `YP-` and 20 Crockford base-32 characters (100 bits).
    public func pseudonym(_ personID: String) -> String { pseudonymiser.pseudonym(personID) }

    /// Person id by pseudonym for a set of persons; throws if two persons ever share a pseudonym.
    public func pseudonymise(_ personIDs: some Sequence<String>) throws -> [String: String] {
        try pseudonymiser.pseudonymise(personIDs)
    }
}

/// JSON for every state the workspace keeps (linkage model and review, risk model and queue) and every command's
/// output: written atomically and readable by the owner only, sorted keys for stable diffs, a clear error naming the file.
public enum JSONFiles {
    public static func read<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw WorkspaceError.usage("cannot read \(path)") }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw WorkspaceError.usage("\(path) is not valid: \(JSONFiles.describe(error))")
        }
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(value)
    }

    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        do { try SecureFile.write(path: path, data: try encode(value)) } catch {
            throw WorkspaceError.usage("cannot write \(path): \(error)")
        }
    }

    /// The value as pretty, key-sorted JSON text.
    public static func text<T: Encodable>(_ value: T) throws -> String { String(decoding: try encode(value), as: UTF8.self) }

    /// A decoding error in words: what is wrong and where.
    public static func describe(_ error: any Error) -> String {
        func path(_ p: [any CodingKey]) -> String {
            p.isEmpty ? "top level" : p.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription + " at " + path(c.codingPath)
        case DecodingError.keyNotFound(let k, let c): return "missing key '\(k.stringValue)' at " + path(c.codingPath)
        case DecodingError.typeMismatch(_, let c): return "wrong type at " + path(c.codingPath) + ": " + c.debugDescription
        case DecodingError.valueNotFound(_, let c): return "missing value at " + path(c.codingPath)
        default: return String(describing: error)
        }
    }
}

extension Pseudonyms {
    /// The pseudonyms of the store at `location` under the process's `UPSTREAM_KEYS_DIR` (the key is created on first use).
    public static func forStore(_ location: String) throws -> Pseudonyms {
        try Workspace(location: location, user: .selfAsserted(Workspace.loginName, role: nil)).pseudonyms()
    }
}
