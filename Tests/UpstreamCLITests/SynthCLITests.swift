import Foundation
import Testing
import UpstreamTesting

/// Runs the built binary; returns exit status, standard output and standard error.
func runUpstream(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
    let r = try UpstreamBinary.run(args)
    return (r.status, r.out, r.err)
}

@Suite("upstream synth, through the binary")
struct SynthCLITests {
    let dir = NSTemporaryDirectory() + "upstream-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    @Test("generates a city, reports it as JSON, and refuses to overwrite without --force")
    func generateAndReport() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try runUpstream(["synth", "--people", "800", "--seed", "3", "--out", dir, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(json["people"] as? Int ?? 0 >= 800)
        let rows = try #require(json["rows"] as? [String: Int])
        #expect(rows["school_census"] ?? 0 > 0)
        for f in ["manifest.json", "README.md", "truth/records.csv", "police_crimes.csv", "yjs_disposals.csv"] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/\(f)"), "\(f) missing")
        }
        // No partial folder is left behind.
        let parent = (dir as NSString).deletingLastPathComponent
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix((dir as NSString).lastPathComponent + ".partial") }
        #expect(leftovers.isEmpty)
        let again = try runUpstream(["synth", "--people", "800", "--out", dir])
        #expect(again.status != 0)
        #expect(again.err.contains("already exists"))
    }

    @Test("bad arguments are refused before any work, naming the field",
          arguments: [(["--people", "5"], "people"), (["--years", "0"], "years")])
    func badArguments(_ args: [String], _ field: String) throws {
        let r = try runUpstream(["synth", "--out", dir] + args)
        #expect(r.status != 0)
        #expect(r.err.contains(field), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test("a config file with an unknown key is refused with the key's name")
    func badConfig() throws {
        let cfg = dir + ".yaml"
        try "noise:\n  typpo: 0.1\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: cfg) }
        let r = try runUpstream(["synth", "--config", cfg, "--out", dir])
        #expect(r.status != 0)
        #expect(r.err.contains("noise.typpo"), "\(r.err)")
    }

    @Test("--print-config prints the documented defaults with their sources")
    func printConfig() throws {
        let r = try runUpstream(["synth", "--print-config"])
        #expect(r.status == 0)
        #expect(r.out.contains("seriousViolenceBy18"))
        #expect(r.out.contains("service_rates.csv"))
    }

    @Test("every command has help")
    func help() throws {
        for cmd in [[], ["demo"], ["synth"], ["ingest"], ["quarantine"], ["retention"], ["link"], ["review"], ["chronology"], ["audit", "verify"]] {
            let r = try runUpstream(cmd + ["--help"])
            #expect(r.status == 0, "\(cmd)")
            #expect(r.out.contains("USAGE"), "\(cmd)")
        }
    }
}

@Suite("governance errors at the command line")
struct GovernanceErrorCLITests {
    @Test("a key folder that does not exist is bad input with a plain message, not an internal error (exit 65, not 70)")
    func aMissingKeyFolderIsBadInputNotABug() throws {
        let dir = NSTemporaryDirectory() + "upstream-keys-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let city = dir + "/city", store = dir + "/s.db"
        #expect(try runUpstream(["synth", "--people", "300", "--seed", "2", "--out", city]).status == 0)
        let r = try UpstreamBinary.run(["ingest", "--synth", city, "--store", store],
                                       environment: ["UPSTREAM_KEYS_DIR": dir + "/no/such/folder"])
        #expect(r.status == 65, "status \(r.status): \(r.err)")
        #expect(!r.err.contains("bug in Upstream"), "\(r.err)")
        #expect(r.err.contains("no/such/folder"), "the message names the folder: \(r.err)")
    }
}
