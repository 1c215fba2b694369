import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import UpstreamTesting

/// `upstream serve` as a user runs it: the real binary, on a free port, stopped with SIGTERM.
@Suite("upstream serve, the binary", .serialized)
struct ServeCLITests {
    @Test("serve --demo prints one password per role once, serves on loopback, and stops gracefully on SIGTERM")
    func serveDemoAndStop() async throws {
        let binary = try #require(UpstreamBinary.path, "build the upstream executable first")
        let outPath = NSTemporaryDirectory() + "upstream-serve-\(UUID().uuidString).out"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["serve", "--demo", "--demo-persons", "30", "--port", "0", "--create-demo-users", "--bcrypt-cost", "4"]
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        var port: Int?
        let deadline = ContinuousClock.now + .seconds(60)
        while port == nil, ContinuousClock.now < deadline, p.isRunning {
            try await Task.sleep(for: .milliseconds(100))
            let text = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
            if let r = text.range(of: "serving on http://127.0.0.1:") { port = Int(text[r.upperBound...].prefix { $0.isNumber }) }
        }
        let bound = try #require(port, "the server did not say where it listens")
        let out = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        for role in ["analyst", "practitioner", "supervisor", "auditor", "admin"] {
            #expect(out.contains("demo-\(role)\t\(role)\t"), "no demo user for \(role)")
        }
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(bound)/health")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self) == #"{"status":"ok"}"#)
        kill(p.processIdentifier, SIGTERM)
        let stop = ContinuousClock.now + .seconds(20)
        while p.isRunning, ContinuousClock.now < stop { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!p.isRunning, "the server did not stop within 20 s of SIGTERM")
        #expect(p.terminationStatus == 0)
    }

    @Test("serve needs exactly one of --store and --demo")
    func storeOrDemo() throws {
        let both = try UpstreamBinary.run(["serve", "--demo", "--store", "x.db"])
        #expect(both.status == 64)
        #expect(both.err.contains("either --store STORE or --demo"))
        let neither = try UpstreamBinary.run(["serve"])
        #expect(neither.status == 64)
        let weak = try UpstreamBinary.run(["serve", "--demo", "--bcrypt-cost", "3"])
        #expect(weak.status == 64)
        #expect(weak.err.contains("--bcrypt-cost must be from 4 to 31"))
    }
}
