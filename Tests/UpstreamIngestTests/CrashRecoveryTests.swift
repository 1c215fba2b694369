import Foundation
import Testing
import UpstreamIngest
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["ingest", "--spec", specPath, "--store", storePath, big]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // The child stops inside its transaction after 16,384 rows (the first progress report) and says so.
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
        let killedMidLoad = process.isRunning && FileManager.default.fileExists(atPath: marker)
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
}
