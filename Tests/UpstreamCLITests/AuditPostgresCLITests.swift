import Foundation
import Testing
import UpstreamTesting

/// `upstream audit verify` and `audit list` on a PostgreSQL store: they read the trail in the database, never look for
/// a file named like the URL. Runs when `UPSTREAM_TEST_POSTGRES_URL` is set (`scripts/postgres-ci` prints one), and
/// fails, not skips, under `CI=true` without it.
@Suite("upstream audit on a PostgreSQL store, through the binary", .serialized)
struct AuditPostgresCLITests {
    static let environment = ProcessInfo.processInfo.environment
    static let baseURL = environment["UPSTREAM_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let enabled = baseURL != nil || environment["CI"] == "true"

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "UPSTREAM_TEST_POSTGRES_URL is not set: run `export UPSTREAM_TEST_POSTGRES_URL=\"$(scripts/postgres-ci)\"` (as .ci/run does)"
        }
    }

    /// Runs SQL as the test role with `psql` in `schema` (the store's tables live there).
    func psql(_ base: String, schema: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["psql", base, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", "SET search_path TO \(schema); " + sql]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else { throw NotConfigured() }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("verify reads the trail in PostgreSQL: intact after a load and a link, broken after its last entry is deleted",
          .enabled(if: enabled))
    func verifyOnPostgres() throws {
        guard let base = Self.baseURL else { throw NotConfigured() }
        // The keys of a server store live in the working folder (or UPSTREAM_KEYS_DIR): run in a folder of our own.
        let dir = NSTemporaryDirectory() + "upstream-audit-pg-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let schema = "cli_audit_\(getpid())"
        _ = try psql(base, schema: "public", "DROP SCHEMA IF EXISTS \(schema) CASCADE")
        defer { _ = try? psql(base, schema: "public", "DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        let url = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"

        for args in [["synth", "--people", "300", "--seed", "9", "--out", dir + "/city"],
                     ["ingest", "--synth", dir + "/city", "--store", url],
                     ["link", "--store", url]] {
            let r = try UpstreamBinary.run(args, in: dir)
            try #require(r.status == 0, "\(args[0]) failed: \(r.err)")
        }
        // The trail is in the database: as many entries as the table holds, and no file named like the URL is needed.
        let rows = Int(try psql(base, schema: schema, "SELECT count(*) FROM audit_trail")) ?? -1
        #expect(rows >= 2, "a load and a link each write an entry")
        let ok = try UpstreamBinary.run(["audit", "verify", "--store", url, "--json"], in: dir)
        #expect(ok.status == 0, "\(ok.out)\(ok.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ok.out.utf8)) as? [String: Any])
        #expect(json["intact"] as? Bool == true)
        #expect(json["entries"] as? Int == rows)
        #expect(!ok.out.contains("there is no store"))

        let list = try UpstreamBinary.run(["audit", "list", "--store", url, "--json"], in: dir)
        #expect(list.status == 0, "\(list.err)")
        let items = try #require(try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]])
        #expect(items.count == rows)
        #expect(Set(items.compactMap { $0["action"] as? String }).isSuperset(of: ["link"]))

        // Delete the last entry behind the store's back (dropping the append-only trigger first): the signed head
        // still counts it, so verify must report the trail broken and exit 1.
        _ = try psql(base, schema: schema, """
            DROP TRIGGER IF EXISTS audit_trail_append_only ON audit_trail;
            DELETE FROM audit_trail WHERE seq = (SELECT max(seq) FROM audit_trail)
            """)
        let broken = try UpstreamBinary.run(["audit", "verify", "--store", url, "--json"], in: dir)
        #expect(broken.status == 1, "\(broken.out)\(broken.err)")
        let b = try #require(try JSONSerialization.jsonObject(with: Data(broken.out.utf8)) as? [String: Any])
        #expect(b["intact"] as? Bool == false)
        #expect(b["entries"] as? Int == rows - 1)
        #expect(!(b["problems"] as? [String] ?? []).isEmpty)
    }
}
