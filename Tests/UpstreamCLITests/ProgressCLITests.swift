import Foundation
import Testing
import UpstreamTesting

@Suite("progress lines with time left, through the binary")
struct ProgressCLITests {
    @Test("UPSTREAM_PROGRESS=plain writes timestamped stage lines with an estimate on stderr; --json on stdout is unaffected; piped, nothing")
    func plainLinesAndCleanJSON() throws {
        let dir = NSTemporaryDirectory() + "upstream-progress-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let city = dir + "/city"
        let synth = try UpstreamBinary.run(["synth", "--people", "3000", "--seed", "5", "--out", city, "--json"],
                                           environment: ["UPSTREAM_PROGRESS": "plain:0"])
        #expect(synth.status == 0, "\(synth.err)")
        #expect(synth.err.contains("synth 2/4 life courses: started (3,000 people)"), "\(synth.err)")
        #expect(synth.err.contains("synth 4/4 writing files: done in"), "\(synth.err)")
        #expect((try JSONSerialization.jsonObject(with: Data(synth.out.utf8)) as? [String: Any])?["people"] != nil)

        let started = Date()
        let r = try UpstreamBinary.run(["ingest", "--synth", city, "--store", dir + "/s.db", "--json"], environment: ["UPSTREAM_PROGRESS": "plain:0"])
        let seconds = Date().timeIntervalSince(started)
        #expect(r.status == 0, "\(r.err)")
        // stdout is the JSON report alone.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.count >= 10)
        // stderr: every line is timestamped; every file starts and finishes as a numbered stage of the whole run.
        let lines = r.err.split(separator: "\n").map(String.init)
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ingest \d+/\d+ "#, options: .regularExpression) != nil, "\(line)")
        }
        let count = files.count
        #expect(lines.filter { $0.contains(": started (") }.count == count)
        // A first load into an empty store then builds its read indexes, the run's last stage.
        #expect(lines.filter { $0.contains(": done in ") }.count == count + 1)
        #expect(lines.filter { $0.contains("read indexes (by postcode, by incident): started") }.count == 1)
        #expect(lines.last(where: { $0.contains(": started") })?.contains("read indexes") == true)
        #expect(lines.last?.hasSuffix("all 100% done") == true, "\(lines.last ?? "")")
        // Once a second has passed, updates carry the whole run's time left (a debug build takes several seconds
        // here; a load so fast that no estimate was due is not held against it).
        let estimates = lines.filter { $0.range(of: #"; all \d+% done, about (\d+ min )?\d+ s left$"#, options: .regularExpression) != nil }
        if seconds >= 3 { #expect(!estimates.isEmpty, "no estimate in \(seconds) s:\n\(r.err)") }

        // Piped, with the default setting: no progress at all (as before), and the same JSON shape.
        let quiet = try UpstreamBinary.run(["ingest", "--synth", city, "--store", dir + "/t.db", "--json"], environment: ["UPSTREAM_PROGRESS": "auto"])
        #expect(quiet.status == 0, "\(quiet.err)")
        #expect(quiet.err.isEmpty, "\(quiet.err)")
        #expect((try JSONSerialization.jsonObject(with: Data(quiet.out.utf8)) as? [String: Any])?["files"] != nil)
    }
}
