import Foundation
import Testing

/// The whole pipeline through the binary on a small city: demo, chronology, identification and the audit log.
@Suite("upstream demo, chronology and audit, through the binary", .serialized)
struct PipelineCLITests {
    static let dir = NSTemporaryDirectory() + "upstream-pipeline-\(getpid())"
    /// One demo run shared by the tests (a 2,500-person city).
    static let demo: (status: Int32, out: String, err: String) = {
        try? FileManager.default.removeItem(atPath: dir)
        return (try? runUpstream(["demo", "--people", "2500", "--seed", "4", "--cases", "5", "--out", dir])) ?? (-1, "", "")
    }()
    var store: String { Self.dir + "/data/upstream.db" }

    func firstPseudonym() throws -> String {
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.dir + "/chronology").sorted()
        return String(try #require(pages.first).dropLast(5))
    }

    @Test("the demo writes an index, chronologies and the linkage's quality against the truth")
    func demoRuns() throws {
        #expect(Self.demo.status == 0, "\(Self.demo.err)")
        #expect(Self.demo.out.contains("index.html"))
        let index = try String(contentsOfFile: Self.dir + "/index.html", encoding: .utf8)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.dir + "/report.json"))) as? [String: Any])
        let cases = try #require(report["cases"] as? [[String: Any]])
        #expect(!cases.isEmpty)
        for c in cases {
            let href = try #require(c["href"] as? String)
            #expect(FileManager.default.fileExists(atPath: Self.dir + "/" + href), "\(href) missing")
            #expect(index.contains(href), "index does not link \(href)")
        }
        let linkage = try #require(report["linkage"] as? [String: Any])
        #expect((linkage["f1"] as? Double ?? 0) > 0.8)
        // Nothing half-written is left beside the report.
        let parent = (Self.dir as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).allSatisfy { !$0.hasPrefix((Self.dir as NSString).lastPathComponent + ".partial") })
    }

    @Test("a chronology is pseudonymised by default and every view is audited")
    func pseudonymisedView() throws {
        #expect(Self.demo.status == 0)
        let p = try firstPseudonym()
        let r = try runUpstream(["chronology", p, "--store", store, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(json["pseudonym"] as? String == p)
        #expect(json["identity"] == nil)
        #expect(!r.out.contains("forename"))
        let entries = try #require(json["entries"] as? [[String: Any]])
        let dates = entries.compactMap { $0["date"] as? String }
        #expect(dates == dates.sorted(), "entries out of time order")
        let log = try runUpstream(["audit", "list", "--store", store, "--json"])
        #expect(log.out.contains(p))
    }

    @Test("identification without a reason is refused; with one it is shown and audited with the reason")
    func identification() throws {
        #expect(Self.demo.status == 0)
        let p = try firstPseudonym()
        let refused = try runUpstream(["chronology", p, "--store", store, "--identify"])
        #expect(refused.status != 0)
        #expect(refused.err.contains("--reason"))
        let r = try runUpstream(["chronology", p, "--store", store, "--identify", "--reason", "child protection strategy meeting", "--user", "analyst7", "--json"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("\"identity\""))
        let log = try runUpstream(["audit", "list", "--store", store])
        #expect(log.out.contains("analyst7\tidentify\t\(p)\tchild protection strategy meeting"))
    }

    @Test("a tampered audit log fails verification")
    func tamper() throws {
        #expect(Self.demo.status == 0)
        let p = try firstPseudonym()
        _ = try runUpstream(["chronology", p, "--store", store, "--format", "text"])
        let ok = try runUpstream(["audit", "verify", "--store", store])
        #expect(ok.status == 0, "\(ok.out)")
        let path = store + ".audit.jsonl"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "demo report", with: "nothing to see")
        #expect(edited != text)
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        let broken = try runUpstream(["audit", "verify", "--store", store])
        #expect(broken.status != 0)
        #expect(broken.out.contains("BROKEN"))
        // Removing an entry is caught too.
        var lines = text.split(separator: "\n")
        lines.remove(at: 1)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try runUpstream(["audit", "verify", "--store", store]).status != 0)
    }
}
