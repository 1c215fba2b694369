import ArgumentParser
import Foundation
import UpstreamGovernance
import UpstreamModel
import UpstreamStore
import UpstreamWorkspace

/// The one option group of every command that works on a store: where it is and who is acting. It opens the one
/// ``Workspace`` (store, keys, clock, acting user, parallelism) the command hands to its use case.
struct StoreOptions: ParsableArguments {
    @Option(help: "The store: a SQLite file (default upstream.db; created by ingest if missing) or a postgres://USER@HOST/DATABASE URL.")
    var store: String?
    @Option(help: "Who is acting (default: the login name; recorded in the audit trail as self-asserted).")
    var user: String?
    @Option(help: "Threads at most for linkage, features and the learners (default: UPSTREAM_WORKERS, else every core). Results are the same for any number.")
    var workers: Int?

    func validate() throws {
        do { _ = try Workspace.parallelism(workers: workers, environment: ProcessInfo.processInfo.environment) }
        catch let e as WorkspaceError { throw ValidationError(e.description) }
    }

    /// The one parallelism policy (`--workers`, else `UPSTREAM_WORKERS`, else every core), checked by `validate`.
    var parallelism: Parallelism {
        (try? Workspace.parallelism(workers: workers, environment: ProcessInfo.processInfo.environment)) ?? Workspace.allCores
    }

    /// The store's location: `--store`, or `upstream.db` in the working folder.
    var location: String { store ?? "upstream.db" }

    /// The acting user's name: `--user`, else the login name.
    var userName: String { user ?? Workspace.loginName }

    /// The workspace of the store, acting as the user in `role` (none stated when `nil`), with progress and notes
    /// on the terminal.
    func workspace(role: Role? = nil) -> Workspace {
        Workspace(location: location, user: .selfAsserted(userName, role: role), parallelism: parallelism, messages: Terminal.messages)
    }

    /// The workspace of the store acting as `user` (the server acts as itself, not as the login name).
    func workspace(user: User) -> Workspace {
        Workspace(location: location, user: user, parallelism: parallelism, messages: Terminal.messages)
    }

    /// The workspace of a store that must exist (a missing SQLite file is an error naming it and what to do).
    func existingWorkspace(role: Role? = nil) throws -> Workspace {
        let w = workspace(role: role)
        guard w.exists else { throw WorkspaceError.badInput("no store at \(location): load extracts first with upstream ingest --store \(location)") }
        return w
    }

    /// Opens the store under governance (loads and retention are sealed into the audit trail as the acting user).
    /// - Throws: ``StoreError/busy(_:)`` when another command holds it for longer than the busy timeout;
    ///   ``GovernanceError`` for a missing or unsafe key; ``CommandFailure`` when the file cannot be opened as a store.
    /// - Parameter cacheBytes: a SQLite store's page cache (nil: the store's default).
    func open(cacheBytes: Int? = nil) throws -> any RecordStore {
        do {
            var w = workspace()
            w.storeCacheBytes = cacheBytes
            return try w.governance().store
        } catch let e as StoreError where e.isBusy {
            throw e
        } catch let error as GovernanceError {
            throw error
        } catch {
            throw CommandFailure.badInput(
                "cannot open the store at \(location): \(error). Check the path (its folder must exist) and that it is an Upstream store.")
        }
    }
}
