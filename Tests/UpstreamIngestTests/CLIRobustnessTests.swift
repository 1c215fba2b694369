import Foundation
import Testing
import UpstreamIngest
import UpstreamStore
import UpstreamStoreSQLite
import UpstreamTesting

/// One run of the binary with its environment, a time limit, and how it ended.
struct BinaryRun {
    var status: Int32
    var signalled: Bool
    var timedOut: Bool
    var out: String
    var err: String
}

/// Runs the built `upstream` with extra environment variables, killing it after `timeout` seconds.
func runBinary(_ arguments: [String], in dir: String, environment: [String: String] = [:], timeout: Double = 120) throws -> BinaryRun {
    let binary = try #require(UpstreamBinary.path, "build the upstream executable first (swift build --build-tests)")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = arguments
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let outPath = dir + "/.stdout-\(UUID().uuidString)", errPath = dir + "/.stderr-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
    p.standardOutput = FileHandle(forWritingAtPath: outPath)
    p.standardError = FileHandle(forWritingAtPath: errPath)
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    var timedOut = false
    while p.isRunning {
        if Date() > deadline { timedOut = true; kill(p.processIdentifier, SIGKILL); break }
        usleep(20_000)
    }
    p.waitUntilExit()
    let out = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
    let err = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
    return BinaryRun(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal, timedOut: timedOut, out: out, err: err)
}

/// The CLI's error mapper and exit-code table, and the ingest-side commands' refusals, through the real binary.
@Suite struct CLIRobustnessTests {
    /// A folder with the custody spec, a two-row extract and a store holding it.
    func loadedFolder() throws -> String {
        let dir = temporaryDirectory("cli-robust")
        _ = writeFile(custodySpecYAML, name: "custody.yaml", in: dir)
        _ = writeFile(custodyHeader + "1,SMITH,ANNA,03/02/2005,F,,01/05/2010 10:15,\n2,JONES,BEN,04/04/2004,M,,02/05/2011 11:00,\n",
                      name: "custody.csv", in: dir)
        let r = try runBinary(["ingest", "--spec", "custody.yaml", "custody.csv"], in: dir)
        try #require(r.status == 0, "\(r.err)")
        return dir
    }

    @Test func theHelpListsTheExitStatuses() throws {
        let r = try runBinary(["--help"], in: temporaryDirectory("help"))
        #expect(r.status == 0)
        for line in ["0   success", "1   finished, but", "64  the command line is wrong", "65  an input", "70  an unexpected error",
                     "74  reading or writing failed", "75  the store is busy", "77  refused"] {
            #expect(r.out.contains(line), "missing: \(line)")
        }
    }

    @Test func aRunTimeFailurePrintsAPlainMessageWithoutUsage() throws {
        let dir = temporaryDirectory("runtime")
        _ = writeFile("ID\n1\n", name: "x.csv", in: dir)
        // A spec that does not exist: the command line parsed, the input is wrong.
        let missing = try runBinary(["ingest", "--spec", "nope.yaml", "x.csv"], in: dir)
        #expect(missing.status == 65)
        #expect(missing.err.hasPrefix("error: "))
        #expect(missing.err.contains("nope.yaml"))
        #expect(!missing.err.contains("Usage:"))
        // A spec with a mistake: the same kind of failure, the same status.
        _ = writeFile("source: x\n", name: "bad.yaml", in: dir)
        let bad = try runBinary(["ingest", "--spec", "bad.yaml", "x.csv"], in: dir)
        #expect(bad.status == 65)
        #expect(!bad.err.contains("Usage:"))
        #expect(bad.err.contains("bad.yaml"))
    }

    @Test func aCommandLineMistakeGetsTheUsageStatus() throws {
        let r = try runBinary(["ingest", "--no-such-option"], in: temporaryDirectory("usage"))
        #expect(r.status == 64)
        #expect(r.err.contains("Usage:"))
    }

    @Test func anUnknownQuarantineReasonListsTheValidReasons() throws {
        let dir = try loadedFolder()
        let r = try runBinary(["quarantine", "--reason", "nonsense"], in: dir)
        #expect(r.status == 64)
        #expect(r.err.contains("nonsense is not a quarantine reason"))
        for reason in QuarantineReason.allCases { #expect(r.err.contains(reason.rawValue)) }
        let source = try runBinary(["quarantine", "--source", "nonsense"], in: dir)
        #expect(source.status == 64)
        #expect(source.err.contains("its sources are: custody"))
        #expect(try runBinary(["quarantine", "--reason", "invalid_date"], in: dir).status == 0)
    }

    @Test func ingestingASynthFolderWithNoKnownExtractsFails() throws {
        let dir = temporaryDirectory("nosynth")
        try FileManager.default.createDirectory(atPath: dir + "/city", withIntermediateDirectories: true)
        _ = writeFile("a,b\n1,2\n", name: "unrelated.csv", in: dir + "/city")
        let specs = try #require(repositorySpecs())
        let r = try runBinary(["ingest", "--synth", "city", "--specs", specs], in: dir)
        #expect(r.status == 65)
        #expect(r.err.contains("holds none of the extracts"))
        #expect(!r.err.contains("Usage:"))
        let empty = try runBinary(["ingest", "--synth", "nowhere", "--specs", specs], in: dir)
        #expect(empty.status == 65)
        #expect(empty.err.contains("not a folder of extracts"))
    }

    @Test func retentionRefusesAFutureDateWithApply() throws {
        let dir = try loadedFolder()
        let r = try runBinary(["retention", "--as-of", "9999-12-31", "--apply", "--yes"], in: dir)
        #expect(r.status == 77)
        #expect(r.err.contains("is after today"))
        #expect(try SQLiteStore(path: dir + "/upstream.db").records().count == 2)
        // Looking ahead without --apply is allowed, and says so.
        let listed = try runBinary(["retention", "--as-of", "9999-12-31"], in: dir)
        #expect(listed.status == 0)
        #expect(listed.out.contains("(a future date)"))
        #expect(listed.out.contains("2 records"))
    }

    @Test func aLargeRetentionDeletionShowsWhatWouldGoAndNeedsYes() throws {
        let dir = try loadedFolder()
        // Both records are past 6 years on 2024-06-01: all of the store, a large deletion.
        let r = try runBinary(["retention", "--as-of", "2024-06-01", "--apply"], in: dir)
        #expect(r.status == 77)
        #expect(r.out.contains("Past retention on 2024-06-01: 2 records"))
        #expect(r.err.contains("--apply --yes"))
        #expect(try SQLiteStore(path: dir + "/upstream.db").records().count == 2)
        let json = try runBinary(["retention", "--as-of", "2024-06-01", "--apply", "--json"], in: dir)
        #expect(json.status == 77)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(listed["total"] as? Int == 2)
        #expect(listed["applied"] as? Bool == false)
        let applied = try runBinary(["retention", "--as-of", "2024-06-01", "--apply", "--yes"], in: dir)
        #expect(applied.status == 0)
        #expect(applied.out.contains("Deleted 2 records"))
        #expect(try SQLiteStore(path: dir + "/upstream.db").records().isEmpty)
    }

    @Test func aSmallRetentionDeletionNeedsNoConfirmation() {
        #expect(!Self.needsConfirmation(total: 5, held: 1000))
        #expect(Self.needsConfirmation(total: 101, held: 100_000))
        #expect(Self.needsConfirmation(total: 11, held: 100))
        #expect(Self.needsConfirmation(total: 1, held: 1))
    }

    /// The rule in RetentionCommand.swift, restated: more than 100 records, or more than a tenth of the store.
    static func needsConfirmation(total: Int, held: Int) -> Bool { total > 100 || total * 10 > held }

    @Test func aSecondIngestIntoABusyStoreWaitsThenSaysSoPlainly() async throws {
        let dir = try loadedFolder()
        var text = custodyHeader
        for i in 0..<20_000 { text += "\(i + 10),SURNAME,FORENAME,03/02/2005,F,,01/05/2020 10:15,\n" }
        _ = writeFile(text, name: "big.csv", in: dir)
        // The first ingest stops inside its transaction (holding the write lock) and waits to be killed.
        let binary = try #require(UpstreamBinary.path)
        let first = Process()
        first.executableURL = URL(fileURLWithPath: binary)
        first.arguments = ["ingest", "--spec", "custody.yaml", "big.csv", "--replace"]
        first.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["UPSTREAM_TEST_STALL_AFTER_ROWS"] = "16384"
        env["UPSTREAM_TEST_STALL_MARKER"] = dir + "/stalled"
        first.environment = env
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
        var waited = 0
        while !FileManager.default.fileExists(atPath: dir + "/stalled"), first.isRunning, waited < 60_000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 10
        }
        try #require(first.isRunning, "the first ingest did not stall inside its transaction")

        // The second waits one second (UPSTREAM_BUSY_TIMEOUT), then fails with a plain message and status 75.
        _ = writeFile(custodySpecYAML.replacingOccurrences(of: "source: custody", with: "source: other"), name: "other.yaml", in: dir)
        let second = try runBinary(["ingest", "--spec", "other.yaml", "custody.csv"], in: dir, environment: ["UPSTREAM_BUSY_TIMEOUT": "1"])
        #expect(second.status == 75)
        #expect(second.err.contains("is busy: another command is writing to it"))
        #expect(second.err.contains("run this one again"))
        #expect(!second.err.contains("SQLite error"))
        #expect(!second.err.contains("Usage:"))

        // Once the first has gone (killed: its load rolls back), the second goes through.
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let again = try runBinary(["ingest", "--spec", "other.yaml", "custody.csv"], in: dir)
        #expect(again.status == 0, "\(again.err)")
        #expect(try SQLiteStore(path: dir + "/upstream.db").sourceCounts().map(\.records) == [2, 2])
    }

    @Test func aUTF16FileIsReportedAsAnEncodingToConvert() throws {
        let dir = temporaryDirectory("utf16")
        _ = writeFile(custodySpecYAML, name: "custody.yaml", in: dir)
        let text = custodyHeader + "1,SMITH,ANNA,03/02/2005,F,,01/05/2010 10:15,\n"
        _ = writeFile([0xFF, 0xFE] + Array(text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, name: "x.csv", in: dir)
        let r = try runBinary(["ingest", "--spec", "custody.yaml", "x.csv"], in: dir)
        #expect(r.status == 1)
        #expect(r.err.contains("iconv -f UTF-16 -t UTF-8"))
    }
}

/// The repository's `specs/` folder, found above the test binary.
func repositorySpecs() -> String? {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("specs").path
        if FileManager.default.fileExists(atPath: candidate + "/police_custody.yaml") { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}
