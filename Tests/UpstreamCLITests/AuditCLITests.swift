import Foundation
import GRDB
import Testing
import UpstreamTesting

/// The one audit trail, keys, roles and file permissions through the binary, on a small linked city of its own.
@Suite("upstream audit, keys and roles, through the binary", .serialized)
struct AuditCLITests {
    static let dir = NSTemporaryDirectory() + "upstream-audit-\(getpid())"
    static var store: String { dir + "/city.db" }

    /// A 1,500-person city, ingested and linked once for the suite; `nil` when a step failed (its error is in the string).
    static let city: Result<String, CityFailed> = {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for args in [["synth", "--people", "1500", "--seed", "5", "--out", dir + "/city"],
                     ["ingest", "--synth", dir + "/city", "--store", store],
                     ["link", "--store", store]] {
            guard let r = try? runUpstream(args), r.status == 0 else { return .failure(CityFailed(step: args[0])) }
        }
        // The person with the most records, by person id (the chronology accepts ids and pseudonyms), from the
        // store's persons table.
        guard let q = try? DatabaseQueue(path: store),
              let person = try? q.read({ try String.fetchOne($0, sql: "SELECT id FROM persons ORDER BY records DESC, id LIMIT 1") })
        else { return .failure(CityFailed(step: "no persons in the store")) }
        return .success(person)
    }()

    struct CityFailed: Error { var step: String }

    func person() throws -> String { try Self.city.get() }

    func verify(_ store: String = AuditCLITests.store) throws -> (status: Int32, json: [String: Any], out: String) {
        let r = try runUpstream(["audit", "verify", "--store", store, "--json"])
        let json = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]) ?? [:]
        return (r.status, json, r.out + r.err)
    }

    func problems(_ v: (status: Int32, json: [String: Any], out: String)) -> [String] { v.json["problems"] as? [String] ?? [] }

    /// A copy of the store with its keys and head, to tamper with.
    func copyOfStore(_ name: String) throws -> String {
        let copy = Self.dir + "/\(name).db"
        for suffix in ["", ".key", ".audit-key", ".audit-head"] where FileManager.default.fileExists(atPath: Self.store + suffix) {
            try? FileManager.default.removeItem(atPath: copy + suffix)
            try FileManager.default.copyItem(atPath: Self.store + suffix, toPath: copy + suffix)
        }
        return copy
    }

    func sql(_ store: String, _ statements: String) throws {
        let q = try DatabaseQueue(path: store)
        try q.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_trail_no_update; DROP TRIGGER IF EXISTS audit_trail_no_delete;")
            try db.execute(sql: statements)
        }
    }

    @Test("loads and views share one trail that verifies; the old JSON Lines file is gone; every file is owner-only")
    func oneTrail() throws {
        let p = try person()
        let r = try runUpstream(["chronology", p, "--store", Self.store, "--user", "dana", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let list = try runUpstream(["audit", "list", "--store", Self.store, "--json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]])
        let actions = entries.compactMap { $0["action"] as? String }
        #expect(actions.contains("ingest"))
        #expect(actions.last == "view-pseudonymised")
        #expect(entries.last?["userIs"] as? String == "self-asserted")
        #expect(entries.last?["user"] as? String == "dana")
        #expect(entries.last?["role"] as? String == "analyst")
        let v = try verify()
        #expect(v.status == 0, "\(v.out)")
        #expect(v.json["intact"] as? Bool == true)
        #expect(!FileManager.default.fileExists(atPath: Self.store + ".audit.jsonl"))
        for suffix in ["", ".key", ".audit-key", ".audit-head"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: Self.store + suffix)
            #expect(attributes[.posixPermissions] as? Int == 0o600, "\(suffix) is not 0600")
        }
    }

    @Test("the pseudonymised view withholds source record ids and file lines from analysts, not from practitioners")
    func provenanceByRole() throws {
        let p = try person()
        let analyst = try runUpstream(["chronology", p, "--store", Self.store, "--json"])
        #expect(analyst.status == 0, "\(analyst.err)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(analyst.out.utf8)) as? [String: Any])
        let aEntries = try #require(a["entries"] as? [[String: Any]])
        #expect(!aEntries.isEmpty)
        #expect(aEntries.allSatisfy { ($0["fileName"] as? String) == "" && ($0["line"] as? Int) == 0 })
        #expect(aEntries.allSatisfy { ($0["recordID"] as? String)?.hasPrefix("ref-") == true })
        let text = try runUpstream(["chronology", p, "--store", Self.store])
        #expect(text.out.contains("(file and line withheld)"))
        #expect(!text.out.contains(".csv:"))
        let practitioner = try runUpstream(["chronology", p, "--store", Self.store, "--role", "practitioner", "--json"])
        let q = try #require(try JSONSerialization.jsonObject(with: Data(practitioner.out.utf8)) as? [String: Any])
        let qEntries = try #require(q["entries"] as? [[String: Any]])
        #expect(qEntries.allSatisfy { ($0["fileName"] as? String)?.hasSuffix(".csv") == true && ($0["line"] as? Int ?? 0) > 1 })
    }

    @Test("identification needs a real reason and a role that may identify; the HTML it writes is owner-only")
    func identification() throws {
        let p = try person()
        for blank in ["\n", "   ", " \t\n "] {
            let r = try runUpstream(["chronology", p, "--store", Self.store, "--identify", "--reason", blank])
            #expect(r.status != 0, "reason \(blank.debugDescription) was accepted")
            #expect(r.err.contains("needs a real reason"))
        }
        let analyst = try runUpstream(["chronology", p, "--store", Self.store, "--identify", "--reason", "strategy meeting", "--role", "analyst"])
        #expect(analyst.status != 0)
        #expect(analyst.err.contains("may not identify"))
        let out = Self.dir + "/identified.html"
        let r = try runUpstream(["chronology", p, "--store", Self.store, "--identify", "--reason", "s47 strategy\nmeeting",
                                 "--user", "erin", "--format", "html", "--out", out])
        #expect(r.status == 0, "\(r.err)")
        #expect(try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int == 0o600)
        let list = try runUpstream(["audit", "list", "--store", Self.store])
        #expect(list.out.contains("erin\tidentify\t"))
        #expect(list.out.contains("\ts47 strategy meeting\tself-asserted practitioner"))
    }

    @Test("an edited entry, a deleted middle entry, deleted last entries, an emptied trail and a deleted store are all found")
    func tampering() throws {
        let p = try person()
        for _ in 0..<3 { _ = try runUpstream(["chronology", p, "--store", Self.store]) }
        #expect(try verify().status == 0)

        let edited = try copyOfStore("edited")
        try sql(edited, "UPDATE audit_trail SET reason = 'nothing to see' WHERE seq = (SELECT max(seq) FROM audit_trail) - 1")
        let e = try verify(edited)
        #expect(e.status == 1)
        #expect(problems(e).contains { $0.contains("does not match its MAC") })

        let middle = try copyOfStore("middle")
        try sql(middle, "DELETE FROM audit_trail WHERE seq = 2")
        #expect(problems(try verify(middle)).first == "entry 2 is missing: deleted from the middle of the trail")

        let last = try copyOfStore("last")
        try sql(last, "DELETE FROM audit_trail WHERE seq > (SELECT max(seq) FROM audit_trail) - 2")
        let l = try verify(last)
        #expect(l.status == 1)
        #expect(problems(l).contains { $0.hasSuffix("the last 2 entries were deleted") })

        let emptied = try copyOfStore("emptied")
        try sql(emptied, "DELETE FROM audit_trail")
        #expect(problems(try verify(emptied)).contains { $0.contains("the trail was emptied or deleted") })

        let dropped = try copyOfStore("dropped")
        try sql(dropped, "DROP TABLE audit_trail; CREATE TABLE audit_trail (seq INTEGER PRIMARY KEY, at INTEGER, actor TEXT, actor_kind TEXT, role TEXT, action TEXT, subject TEXT, source TEXT, count INTEGER, reason TEXT, detail TEXT, previous_mac TEXT, mac TEXT)")
        #expect(try verify(dropped).status == 1)

        let deleted = try copyOfStore("deleted")
        try FileManager.default.removeItem(atPath: deleted)
        let d = try verify(deleted)
        #expect(d.status == 1)
        #expect(problems(d).first?.contains("the store and its trail were deleted or moved") == true)

        let text = try runUpstream(["audit", "verify", "--store", last])
        #expect(text.out.contains("BROKEN"))
    }

    @Test("a damaged entry is named with what to do")
    func damagedEntry() throws {
        _ = try person()
        let damaged = try copyOfStore("damaged")
        try sql(damaged, "UPDATE audit_trail SET at = 'yesterday' WHERE seq = 1")
        let v = try verify(damaged)
        #expect(v.status == 1)
        #expect(problems(v).first?.contains("audit_trail entry 1: at is not a whole number") == true)
        #expect(problems(v).first?.contains("restore the store from backup") == true)
    }

    @Test("12 chronology views at once never share a sequence number, and the trail still verifies")
    func concurrentViews() throws {
        let p = try person()
        let before = try runUpstream(["audit", "list", "--store", Self.store, "--json"])
        let n0 = (try JSONSerialization.jsonObject(with: Data(before.out.utf8)) as? [Any])?.count ?? -1
        let binary = try #require(UpstreamBinary.path)
        let processes = try (0..<12).map { i -> Process in
            let proc = Process()
            proc.executableURL = URL(fileURLWithPath: binary)
            proc.arguments = ["chronology", p, "--store", Self.store, "--user", "viewer\(i)", "--format", "text"]
            proc.standardOutput = FileHandle.nullDevice
            proc.standardError = FileHandle.nullDevice
            try proc.run()
            return proc
        }
        for proc in processes { proc.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let list = try runUpstream(["audit", "list", "--store", Self.store, "--json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]])
        let seqs = entries.compactMap { $0["seq"] as? Int }
        #expect(seqs == Array(1...(n0 + 12)))
        #expect(Set(entries.suffix(12).compactMap { $0["user"] as? String }).count == 12)
        let v = try verify()
        #expect(v.status == 0, "\(v.out)")
    }

    @Test("concurrent first uses of a new store make exactly one key")
    func concurrentFirstUse() throws {
        let fresh = Self.dir + "/fresh.db"
        let binary = try #require(UpstreamBinary.path)
        let processes = try (0..<12).map { _ -> Process in
            let proc = Process()
            proc.executableURL = URL(fileURLWithPath: binary)
            proc.arguments = ["retention", "--store", fresh, "--json"]
            proc.standardOutput = FileHandle.nullDevice
            proc.standardError = FileHandle.nullDevice
            try proc.run()
            return proc
        }
        for proc in processes { proc.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.dir).filter { $0.hasPrefix("fresh.db") }.sorted()
        #expect(files == ["fresh.db", "fresh.db.audit-head", "fresh.db.audit-key"])
        let key = try String(contentsOfFile: fresh + ".audit-key", encoding: .utf8)
        #expect(key.hasPrefix("upstream-key v1 "))
    }

    @Test("a damaged key is refused loudly and left alone; a key others can read is refused with chmod 600")
    func keyRefusals() throws {
        let p = try person()
        #expect(try runUpstream(["chronology", p, "--store", Self.store]).status == 0)
        let copy = try copyOfStore("keys")
        let keyPath = copy + ".key"
        let good = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        try Data(good.prefix(30)).write(to: URL(fileURLWithPath: keyPath))
        chmod(keyPath, 0o600)
        let r = try runUpstream(["chronology", p, "--store", copy])
        #expect(r.status != 0)
        #expect(r.err.contains("is not a valid Upstream key"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyPath)) == good.prefix(30))
        try good.write(to: URL(fileURLWithPath: keyPath))
        chmod(keyPath, 0o644)
        let exposed = try runUpstream(["chronology", p, "--store", copy])
        #expect(exposed.status != 0)
        #expect(exposed.err.contains("chmod 600 \(keyPath)"))
    }
}
