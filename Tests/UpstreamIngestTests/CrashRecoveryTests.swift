import Foundation
import Testing
import UpstreamIngest
import UpstreamModel
import UpstreamStore
@testable import UpstreamStoreSQLite
import UpstreamTesting

/// The built `upstream` executable, next to the test bundle (e.g. `.build/debug/upstream`).
func upstreamExecutable() -> String? { UpstreamBinary.path }

@Suite struct CrashRecoveryTests {
    /// `kill -9` in the middle of a load leaves the store exactly as before that file, and the file loads again.
    @Test func killDuringALoadLeavesTheStoreAsBeforeAndTheFileLoadsAgain() async throws {
        let binary = try #require(upstreamExecutable(), "build the upstream executable first (swift build)")
        let dir = temporaryDirectory("kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let specPath = writeFile(custodySpecYAML, name: "custody.yaml", in: dir)
        let storePath = dir + "/upstream.db"

        // Given a store that already holds another source's delivery,
        let earlier: SourceSpec? = try custodySpec(custodySpecYAML.replacingOccurrences(of: "source: custody", with: "source: earlier"))
        let store = try SQLiteStore(path: storePath)
        _ = try Ingestor(store: store, loadedAt: loadTime).ingest(path: writeFile(custodyHeader + "1,SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15,\n", in: dir), spec: try #require(earlier))
        let before = (try store.deliveries(source: nil), try store.records(), try store.auditLog(), try store.sourceCounts())

        // and a large file,
        var text = custodyHeader
        text.reserveCapacity(3_000_000)
        for i in 0..<40_000 { text += "\(i),SURNAME\(i % 977),FORENAME,03/02/2005,F,943 476 5919,01/05/2020 10:15,KNIFE\n" }
        let big = writeFile(text, name: "big.csv", in: dir)

        // when the load is killed with SIGKILL while its transaction is open,
        let process = try await Self.stalledIngest(binary, ["ingest", "--spec", specPath, "--store", storePath, big], dir: dir)
        let killedMidLoad = process.isRunning && FileManager.default.fileExists(atPath: dir + "/stalled")
        #expect(FileManager.default.fileExists(atPath: storePath + "-journal"), "the transaction is open")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(killedMidLoad, "the child did not reach the middle of its load")
        #expect(process.terminationReason == .uncaughtSignal)

        // then the store is exactly as before (SQLite rolls the hot journal back on open),
        let reopened = try SQLiteStore(path: storePath)
        #expect(try reopened.integrityProblems().isEmpty)
        #expect(try reopened.deliveries(source: nil) == before.0)
        #expect(try reopened.records() == before.1)
        #expect(try reopened.auditLog() == before.2)
        #expect(try reopened.sourceCounts() == before.3)

        // and the file loads again, completely.
        let report = try Ingestor(store: reopened, loadedAt: loadTime).ingest(path: big, spec: try custodySpec())
        #expect(report.status == .loaded)
        #expect(report.counts.rowsRead == 40_000)
        #expect(report.counts.loaded == 40_000)
        #expect(try reopened.sourceCounts().first { $0.source == "custody" }?.records == 40_000)
    }

    /// Runs `upstream` with `arguments`, told to stop inside its transaction after 16,384 rows (at a progress report,
    /// every 1,024 rows) and to create `DIR/stalled` when it has; returns once it has (or ended, or 60 s passed).
    static func stalledIngest(_ binary: String, _ arguments: [String], dir: String) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let marker = dir + "/stalled"
        var env = ProcessInfo.processInfo.environment
        env["UPSTREAM_TEST_STALL_AFTER_ROWS"] = "16384"
        env["UPSTREAM_TEST_STALL_MARKER"] = marker
        process.environment = env
        try process.run()
        var waited = 0
        while !FileManager.default.fileExists(atPath: marker), process.isRunning, waited < 60_000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 10
        }
        return process
    }

    /// A small deterministic generator for the kill points (SplitMix64), so that a failing run can be repeated.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Checks what must hold whenever no command is running: SQLite's integrity, every delivery balanced, the
    /// records and quarantined rows of each live delivery as many as it says, an ingest audit entry per delivery,
    /// and no row of a superseded delivery left behind.
    static func checkConsistent(_ store: SQLiteStore) throws {
        #expect(try store.integrityProblems().isEmpty)
        let deliveries = try store.deliveries(source: nil)
        let records = try store.records()
        let quarantined = try store.quarantinedRows()
        for d in deliveries {
            #expect(d.counts.balances)
            let mine = records.filter { $0.record.provenance.fileSHA256 == d.delivery.fileSHA256 && $0.record.source == d.delivery.source }
            if d.supersededBy == nil {
                #expect(mine.count == d.counts.loaded, "delivery \(d.id)")
            }
        }
        let live = deliveries.filter { $0.supersededBy == nil }
        #expect(records.count == live.reduce(0) { $0 + $1.counts.loaded })
        #expect(quarantined.count == live.reduce(0) { $0 + $1.counts.quarantined })
        #expect(try store.auditLog().filter { $0.action == "ingest" }.count == deliveries.count)
        // A first load killed after it dropped the read indexes leaves them to the next open, which builds them.
        #expect(try store.missingDeferredIndexes().isEmpty)
    }

    /// A first load into an empty store drops the read-only indexes and builds them at its end; killed between,
    /// the indexes stay with the running load (an open beside it leaves them), and the next open after the kill
    /// builds them. A load into a store that holds records keeps them throughout.
    @Test func aKilledFirstLoadLeavesItsReadIndexesToTheNextOpen() async throws {
        let binary = try #require(upstreamExecutable(), "build the upstream executable first (swift build)")
        let dir = temporaryDirectory("bulkkill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let specPath = writeFile(custodySpecYAML, name: "custody.yaml", in: dir)
        let storePath = dir + "/upstream.db"
        var text = custodyHeader
        for i in 0..<40_000 { text += "\(i),SURNAME\(i % 977),FORENAME,03/02/2005,F,943 476 5919,01/05/2020 10:15,KNIFE\n" }
        let big = writeFile(text, name: "big.csv", in: dir)

        // Given a first load into an empty store, stopped inside its transaction,
        let process = try await Self.stalledIngest(binary, ["ingest", "--spec", specPath, "--store", storePath, big], dir: dir)
        try #require(process.isRunning && FileManager.default.fileExists(atPath: dir + "/stalled"), "the child did not reach the middle of its load")
        // its read indexes are dropped, and an open beside it leaves them to it;
        let beside = try SQLiteStore(path: storePath)
        #expect(try beside.missingDeferredIndexes().sorted() == ["records_by_incident", "records_by_postcode"])
        #expect(FileManager.default.fileExists(atPath: storePath + ".bulk-load"))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try beside.missingDeferredIndexes().count == 2, "nothing builds them while the store stays open")

        // when the store is opened after the kill, they are built, and the store is as before the load;
        let reopened = try SQLiteStore(path: storePath)
        #expect(try reopened.missingDeferredIndexes().isEmpty)
        #expect(try reopened.integrityProblems().isEmpty)
        #expect(try reopened.records().isEmpty)

        // and the load run again ends with them built, as a load into a store with records keeps them.
        for file in [big, writeFile(custodyHeader + "A1,SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15,\n", name: "more.csv", in: dir)] {
            let r = try UpstreamBinary.run(["ingest", "--spec", specPath, "--store", storePath, file])
            #expect(r.status == 0, "\(r.err)")
            #expect(try SQLiteStore(path: storePath).missingDeferredIndexes().isEmpty)
        }
        #expect(try SQLiteStore(path: storePath).sourceCounts().first { $0.source == "custody" }?.records == 40_001)
    }

    /// `kill -9` at random moments of `upstream ingest` (parsing, writing, committing, or after it finished), again
    /// and again on one store: after each kill the store is consistent, and a rerun completes the load.
    @Test func killingIngestAtRandomMomentsNeverLeavesTheStoreInconsistent() async throws {
        let binary = try #require(upstreamExecutable(), "build the upstream executable first (swift build)")
        let dir = temporaryDirectory("killloop")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let specPath = writeFile(custodySpecYAML, name: "custody.yaml", in: dir)
        let storePath = dir + "/upstream.db"
        let seed = ProcessInfo.processInfo.environment["UPSTREAM_CRASH_SEED"].flatMap(UInt64.init) ?? 12
        let rounds = ProcessInfo.processInfo.environment["UPSTREAM_CRASH_ROUNDS"].flatMap(Int.init) ?? 6
        var rng = SplitMix(state: seed)
        // Files of different sizes, with bad rows, so that kills land in every phase.
        var files: [String] = []
        for f in 0..<3 {
            var text = custodyHeader
            for i in 0..<(8_000 * (f + 1)) {
                text += i % 11 == 5 ? "\(i),SMITH,ANNA,31/02/2005,F,,01/05/2020 10:15,\n"
                    : "\(i),SURNAME\(i % 97),FORENAME,03/02/2005,F,943 476 5919,01/05/2020 10:15,KNIFE\n"
            }
            files.append(writeFile(text, name: "part\(f).csv", in: dir))
        }
        var killedMidway = 0
        for round in 0..<rounds {
            let file = files[round % files.count]
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["ingest", "--spec", specPath, "--store", storePath, file] + (round % 2 == 1 ? ["--replace"] : [])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let delay = Int.random(in: 0..<1_500, using: &rng)
            try await Task.sleep(for: .milliseconds(delay))
            if process.isRunning { killedMidway += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let store = try SQLiteStore(path: storePath)
            try Self.checkConsistent(store)
        }
        // A rerun of every file completes, and the store is consistent after it.
        for file in files {
            let r = try UpstreamBinary.run(["ingest", "--spec", specPath, "--store", storePath, file])
            #expect(r.status == 0, "\(r.err)")
        }
        let store = try SQLiteStore(path: storePath)
        try Self.checkConsistent(store)
        let loadedSHAs = Set(try store.deliveries(source: nil).filter { $0.supersededBy == nil }.map(\.delivery.fileSHA256))
        for file in files { #expect(loadedSHAs.contains(try Ingestor.sha256(path: file))) }
        // How many kills landed mid-load depends on the machine's speed; the seed (UPSTREAM_CRASH_SEED) repeats the
        // same kill moments.
        print("crash loop: seed \(seed), \(rounds) rounds, \(killedMidway) killed while running")
    }
}
