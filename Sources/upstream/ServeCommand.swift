import ArgumentParser
import Crypto
import Foundation
import Logging
import UpstreamGovernance
import UpstreamModel
import UpstreamServer
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamWorkspace

extension Upstream {
    /// `upstream serve`: the team's web app over a store (docs/web.md).
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the web app: the review queue, chronologies, the audit trail, data quality and users.",
            discussion: """
            Listens on 127.0.0.1:8080 by default; stop it with Ctrl-C (in-flight requests finish first). \
            --demo serves a small synthetic workspace held in memory; --store serves a store that holds linked persons. \
            --create-demo-users adds one user per role (demo-analyst, demo-practitioner, …) and prints each password once. \
            Off loopback the session cookie is marked Secure: put the server behind TLS. See docs/web.md and docs/security.md.
            """)

        @OptionGroup var options: StoreOptions
        @Flag(help: "Serve a synthetic demo workspace held in memory instead of a store.") var demo = false
        @Option(help: "Persons in the demo workspace.") var demoPersons = 200
        @Option(help: "The address to listen on.") var host = "127.0.0.1"
        @Option(help: "The port (0 picks a free one, printed at start).") var port = 8080
        @Flag(help: "Create one demo user per role and print their passwords once.") var createDemoUsers = false
        @Option(help: "bcrypt cost of new password hashes (4 to 31).") var bcryptCost: UInt8 = 12
        @Option(help: "Threads for store calls, bcrypt and page rendering (default: cores + 2, at least 4).") var storeThreads: Int?
        @Option(help: "A SQLite store's journal: wal (default: readers never wait for a commit; every commit still waits for its fsync) or rollback.")
        var journal = "wal"
        @Option(help: "Benchmarks only: pages and values kept between requests (default 4000; 0 keeps none, to measure every view's full cost).")
        var pageCache = WebConfiguration.defaultPageCache
        @Option(help: "Young people of the review queue, then of the caseloads, whose chronologies are built before the server listens, so that the first views of them are quick (default 2000, at most half the page cache; 0: none).")
        var prebuild = WebApp.defaultPrebuild

        func validate() throws {
            guard demo != (options.store != nil) else { throw ValidationError("give either --store STORE or --demo") }
            guard (4...31).contains(bcryptCost) else { throw ValidationError("--bcrypt-cost must be from 4 to 31") }
            guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
            guard (1...100_000).contains(demoPersons) else { throw ValidationError("--demo-persons must be from 1 to 100000") }
            if let storeThreads, !(1...256).contains(storeThreads) { throw ValidationError("--store-threads must be from 1 to 256") }
            guard ["wal", "rollback"].contains(journal) else { throw ValidationError("--journal must be wal or rollback") }
            guard (0...1_000_000).contains(pageCache) else { throw ValidationError("--page-cache must be from 0 to 1000000") }
            guard (0...1_000_000).contains(prebuild) else { throw ValidationError("--prebuild must be from 0 to 1000000") }
        }

        func run() async throws {
            let workspace: any WorkspaceStore
            let users: any UserStore
            var flagged: [String] = []
            let serverUser = User(name: "upstream-serve", role: nil, authentication: .system)
            if demo {
                let key = SymmetricKey(size: .bits256)
                let memory = InMemoryStore(auditSealer: AuditChain(key: key, actor: serverUser.actor, head: nil))
                let pseudonymiser = Pseudonymiser(key: SymmetricKey(size: .bits256))
                flagged = try DemoWorkspace.fill(memory, persons: demoPersons, flagged: max(1, demoPersons / 10)) {
                    pseudonymiser.pseudonym($0.rawValue)
                }
                try DemoWorkspace.addModelAndPairs(memory, flagged: flagged)
                workspace = memory
                users = InMemoryUserStore()
            } else {
                (workspace, users) = try ServedStore.open(options, journal: journal, user: serverUser)
            }
            // The plan and assessment pages show the latest runs `upstream plan` and `upstream assess --store` saved in the store.
            let reports: any ReportSource = (workspace as? any ReportRunStore).map { StoreReportSource(store: $0) } ?? FixedReportSource()
            let app = WebApp(configuration: WebConfiguration(host: host, port: port, bcryptCost: bcryptCost, storeThreads: storeThreads,
                                                             pageCache: pageCache),
                             store: workspace, users: users, reports: reports,
                             secondFactors: demo ? SecondFactorVault() : try SecondFactorVault.forStore(options.store!))
            if createDemoUsers {
                var text = ""
                for u in try app.createDemoUsers() { text += "\(u.name)\t\(u.role.rawValue)\t\(u.password)\n" }
                FileHandle.standardOutput.write(Data((text + "(each password is shown only this once)\n").utf8))
                if demo { try app.assignDemoCaseloads(flagged) }
            }
            var logger = Logger(label: "upstream.serve")
            logger.logLevel = .info
            // After the start-up writes above (which would make what is kept stale), before the first request.
            try await ServedStore.prebuild(app, limit: prebuild)
            try await app.run(logger: logger) { port in
                FileHandle.standardOutput.write(Data("serving on http://\(host):\(port)/ (Ctrl-C stops)\n".utf8))
            }
        }
    }
}

extension ServedStore {
    /// Builds the queue's and the caseloads' chronologies before the server listens, with a progress line, and says
    /// how many it kept (``WebApp/prebuildQueueChronologies(limit:progress:)``).
    static func prebuild(_ app: WebApp, limit: Int) async throws {
        guard limit > 0 else { return }
        let started = Date()
        let stage = "keep the queue's chronologies"
        let tracker = Terminal.messages.tracker("serve")
        tracker.begin(stage, unit: "young people")
        let kept = try await app.prebuildQueueChronologies(limit: limit) { done, total in
            tracker.report(stage, done: done, total: total, unit: "young people")
        }
        tracker.finish()
        guard kept > 0 else { return }
        FileHandle.standardOutput.write(Data(String(format: "kept the chronologies of %d young people of the queue in %.1f s\n",
                                                    kept, Date().timeIntervalSince(started)).utf8))
    }
}

/// The store `upstream serve --store` serves: a SQLite store in the journal asked for, and its persons and users.
enum ServedStore {
    static func open(_ options: StoreOptions, journal: String, user: User) throws -> (any WorkspaceStore, any UserStore) {
        if !StoreFactory.isServer(options.location) {
            // Before the store opens, so that it opens with a pool of readers (docs/web.md, "The journal").
            do {
                if journal == "wal" { try SQLiteStore.useWriteAheadLog(path: options.location) }
                else { try SQLiteStore.useRollbackJournal(path: options.location) }
            } catch let e as StoreError where e.isBusy {
                throw CommandFailure.badInput("the store \(options.location) is open in WAL mode in another process, so it "
                    + "cannot go back to the rollback journal: stop that process, or serve with --journal wal")
            }
        }
        let governance = try options.workspace(user: user).governance()
        guard let workspace = governance.store as? any WorkspaceStore else {
            throw CommandFailure.badInput("the store \(options.location) does not hold linked persons yet (this build's store "
                + "adapter keeps no persons): run `upstream serve --demo`, or use a build where the store holds persons")
        }
        guard let users = governance.store as? any UserStore else {
            throw CommandFailure.badInput("the store \(options.location) keeps no users in this build: run `upstream serve --demo`")
        }
        return (workspace, users)
    }
}
