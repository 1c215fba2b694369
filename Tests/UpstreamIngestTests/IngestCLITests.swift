import Foundation
import GRDB
import Testing
import UpstreamIngest
import UpstreamModel
import UpstreamStore
@testable import UpstreamStoreSQLite
import UpstreamTesting

/// Runs the built `upstream` binary and returns its exit status and standard output.
func runUpstream(_ arguments: [String], in dir: String) throws -> (status: Int32, output: String) {
    let r = try UpstreamBinary.run(arguments, in: dir)
    return (r.status, r.out)
}

@Suite struct IngestCLITests {
    @Test func ingestQuarantineAndRetentionFromTheCommandLine() throws {
        let dir = temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = writeFile(custodySpecYAML, name: "custody.yaml", in: dir)
        _ = writeFile(custodyHeader + "1,SMITH,ANNA,03/02/2005,F,,01/05/2010 10:15,\n2,JONES,BEN,31/02/2005,M,,01/05/2020 10:15,\n",
                      name: "custody.csv", in: dir)

        // Loading prints the balance, into upstream.db in the working directory.
        let first = try runUpstream(["ingest", "--spec", "custody.yaml", "custody.csv"], in: dir)
        #expect(first.status == 0)
        #expect(first.output.contains("rows read 2 = loaded 1 + quarantined 1"))
        #expect(FileManager.default.fileExists(atPath: dir + "/upstream.db"))

        // Again: nothing changes, and it says so.
        let again = try runUpstream(["ingest", "--spec", "custody.yaml", "custody.csv", "--json"], in: dir)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any])
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.first?["status"] as? String == "already_loaded")

        // Quarantine lists by reason and exports the raw row.
        let q = try runUpstream(["quarantine", "--json", "--export", "q.csv"], in: dir)
        let qj = try #require(try JSONSerialization.jsonObject(with: Data(q.output.utf8)) as? [String: Any])
        #expect(qj["total"] as? Int == 1)
        let exported = try String(contentsOfFile: dir + "/q.csv", encoding: .utf8)
        #expect(exported.contains("invalid_date"))
        #expect(exported.contains("2,JONES,BEN,31/02/2005"))

        // Retention: the 2010 arrest is past 6 years on 2024-06-01; --apply deletes it and writes the audit log.
        let listed = try runUpstream(["retention", "--as-of", "2024-06-01", "--json"], in: dir)
        let lj = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any])
        #expect(lj["total"] as? Int == 1)
        // Deleting every record of the store is a large deletion: it needs --yes.
        let unconfirmed = try runUpstream(["retention", "--as-of", "2024-06-01", "--apply"], in: dir)
        #expect(unconfirmed.status == 77)
        #expect(try SQLiteStore(path: dir + "/upstream.db").records().count == 1)
        let applied = try runUpstream(["retention", "--as-of", "2024-06-01", "--apply", "--yes"], in: dir)
        #expect(applied.status == 0)
        let store = try SQLiteStore(path: dir + "/upstream.db")
        #expect(try store.records().isEmpty)
        #expect(try store.auditLog().last?.action == "retention_delete")

        // A file the spec does not fit is refused with exit status 1.
        _ = writeFile("ID,Surname\n1,X\n", name: "wrong.csv", in: dir)
        let refused = try runUpstream(["ingest", "--spec", "custody.yaml", "wrong.csv"], in: dir)
        #expect(refused.status == 1)
    }
}

/// `ingest --memory`: a quarter of it is SQLite's page cache for the load; a size that is not one is refused.
@Suite struct IngestMemoryTests {
    @Test func theMemoryBudgetSetsThePageCacheAndABadSizeIsRefused() throws {
        // The store's cache follows what it is given (PRAGMA cache_size in KiB, negative), at least 2 MiB.
        let dir = temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func cacheKiB(_ bytes: Int?) throws -> Int {
            let store = try SQLiteStore(path: dir + "/c.db", cacheBytes: bytes)
            return try store.db.read { try Int.fetchOne($0, sql: "PRAGMA cache_size") ?? 0 }
        }
        #expect(try cacheKiB(nil) == -(SQLiteStore.defaultCacheBytes / 1024))
        #expect(try cacheKiB(2 << 30) == -(2 << 20))
        #expect(try cacheKiB(1) == -2048)
        // The command: a budget loads as the default does; a size that is not one is a usage error naming the option.
        _ = writeFile(custodySpecYAML, name: "custody.yaml", in: dir)
        _ = writeFile(custodyHeader + "1,SMITH,ANNA,03/02/2005,F,,01/05/2010 10:15,\n", name: "custody.csv", in: dir)
        let loaded = try runUpstream(["ingest", "--spec", "custody.yaml", "custody.csv", "--memory", "256M"], in: dir)
        #expect(loaded.status == 0 && loaded.output.contains("loaded 1"))
        for bad in ["lots", "100K", "-1G"] {
            let r = try UpstreamBinary.run(["ingest", "--spec", "custody.yaml", "custody.csv", "--memory", bad], in: dir)
            #expect(r.status == 64 && r.err.contains("--memory"), "\(bad): \(r.status) \(r.err)")
        }
    }
}
