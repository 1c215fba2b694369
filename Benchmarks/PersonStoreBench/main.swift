// The person store's speed (Benchmarks/store.md): saving a linkage run of N assignments in one transaction, then
// look-ups by person, by pseudonym and of a person's scores, through SQLite (and PostgreSQL when a URL is given).
// Prints a Markdown table, and each look-up's query plan on SQLite, to show that it is an index look-up.
//
//     swift run -c release upstream-person-store-bench [--assignments 100000] [--lookups 10000] [--postgres URL] [--hashed-ids]
import Foundation
import GRDB
import UpstreamModel
import UpstreamStore
import UpstreamStorePostgres
import UpstreamStoreSQLite

var total = 100_000
var lookups = 10_000
var postgres: String?
/// Person ids spread over the key space as a linkage run's are (derived from record keys), not in record order.
var hashedIDs = false
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--assignments": total = Int(args.popFirst() ?? "") ?? total
    case "--lookups": lookups = Int(args.popFirst() ?? "") ?? lookups
    case "--postgres": postgres = args.popFirst()
    case "--hashed-ids": hashedIDs = true
    default:
        FileHandle.standardError.write(Data("usage: upstream-person-store-bench [--assignments N] [--lookups N] [--postgres URL] [--hashed-ids]\n".utf8))
        exit(2)
    }
}

func peakMiB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1024
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock(), start = clock.now
    try body()
    let c = (clock.now - start).components
    return Double(c.seconds) + Double(c.attoseconds) / 1e18
}

/// N records of a synthetic source; persons of 1 to 4 records (2.5 on average), as linkage makes them.
let t0: Int64 = 1_700_000_000
func personNumber(_ i: Int) -> Int { (i / 5) * 2 + (i % 5 < 2 ? 0 : 1) }
func personID(_ n: Int, hashed: Bool) -> PersonID {
    var x = UInt64(n)
    if hashed {  // SplitMix64's finaliser: a bijection, so the ids stay distinct
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9; x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB; x ^= x >> 31
    }
    let hex = String(x, radix: 16)
    return PersonID("P" + String(repeating: "0", count: 16 - hex.count) + hex)
}
let persons: [PersonID] = (0..<total).map { personID(personNumber($0), hashed: hashedIDs) }
let keys = (0..<total).map { RecordKey(source: "bench", recordID: "R\($0)") }
let assignments = zip(keys, persons).map { PersonAssignment(record: $0, person: $1, probability: 0.98) }
let distinct = Array(Set(persons)).sorted()
let postcodes = (0..<2_000).map { "UC\($0 / 100) \($0 % 100)AB" }

@MainActor func load(_ store: any WorkspaceStore) throws {
    _ = try store.loadDelivery(Delivery(source: "bench", fileName: "bench.csv", fileSHA256: String(repeating: "a", count: 64), loadedAt: t0),
                               source: SourceInfo(name: "bench", agency: .police, owner: "o", legalBasis: "b",
                                                  retention: RetentionPolicy(years: 10, from: .load)),
                               replacing: false) { w in
        for (i, k) in keys.enumerated() {
            let identity = Identity(forename: "A", surname: "B\(i % 997)", dateOfBirth: CivilDate(dayNumber: Int32(12_000 + i % 3_000)),
                                    postcode: postcodes[i % postcodes.count])
            let r = SourceRecord(source: "bench", recordID: k.recordID, agency: .police, identity: identity, event: nil,
                                 provenance: Provenance(source: "bench", fileName: "bench.csv", fileSHA256: String(repeating: "a", count: 64),
                                                        line: i + 2, loadedAt: t0))
            _ = try w.append(StoredRecord(record: r, personLevel: true))
        }
        var c = DeliveryCounts()
        c.rowsRead = total; c.loaded = total
        return c
    }
}

struct BenchRow { var store: String; var step: String; var count: Int; var seconds: Double }
var rows: [BenchRow] = []

@MainActor func measure(_ name: String, _ store: any WorkspaceStore) throws {
    let loadSeconds = try seconds { try load(store) }
    rows.append(BenchRow(store: name, step: "load \(total) records (setup)", count: total, seconds: loadSeconds))
    let run = LinkageRunInfo(finishedAt: t0, by: "bench", records: total, persons: distinct.count, modelJSON: Data("{}".utf8))
    for round in 1...2 {
        let s = try seconds { _ = try store.saveLinkageRun(run, assignments: assignments) { "YP-" + $0.rawValue } }
        rows.append(BenchRow(store: name, step: "save linkage run \(round) (\(distinct.count) persons; run 2 replaces run 1)", count: total, seconds: s))
    }
    let asOf = CivilDate(year: 2024, month: 1, day: 1)!
    let reason = [ScoreReason(feature: "aces", text: "4 ACEs", contribution: 0.5)]
    var scores: [PersonScore] = []
    scores.reserveCapacity(distinct.count)
    for (i, p) in distinct.enumerated() {
        let score = 1 / Double(i + 2)
        scores.append(PersonScore(run: 0, person: p, asOf: asOf, score: score, rank: i + 1, age: 15, flagged: i < 100,
                                  raising: i < 100 ? reason : []))
    }
    for round in 1...2 {
        let s = try seconds {
            _ = try store.saveRiskRun(RiskRunInfo(kind: .score, modelID: "m", asOf: CivilDate(year: 2024, month: round, day: 1)!,
                                                  finishedAt: t0, by: "bench"), scores: scores)
        }
        rows.append(BenchRow(store: name, step: "save scoring run \(round)", count: scores.count, seconds: s))
    }
    var rng = SystemRandomNumberGenerator()
    let sample = (0..<lookups).map { _ in distinct[Int.random(in: 0..<distinct.count, using: &rng)] }
    var found = 0
    rows.append(BenchRow(store: name, step: "records(of:)", count: lookups, seconds: try seconds {
        for p in sample { found += try store.records(of: p).count }
    }))
    rows.append(BenchRow(store: name, step: "person(pseudonym:)", count: lookups, seconds: try seconds {
        for p in sample where try store.person(pseudonym: "YP-" + p.rawValue) != nil { found += 1 }
    }))
    rows.append(BenchRow(store: name, step: "scores(of:) (2 runs each)", count: lookups, seconds: try seconds {
        for p in sample { found += try store.scores(of: p).count }
    }))
    rows.append(BenchRow(store: name, step: "person(of:)", count: lookups, seconds: try seconds {
        for k in sample.indices.map({ keys[$0 * 7 % total] }) where try store.person(of: k) != nil { found += 1 }
    }))
    let some = Array(sample.prefix(max(1, lookups / 10)))
    rows.append(BenchRow(store: name, step: "neighbours(of:)", count: some.count, seconds: try seconds {
        for p in some { found += try store.neighbours(of: p).count }
    }))
    var streamed = 0
    rows.append(BenchRow(store: name, step: "forEachPerson (whole store)", count: distinct.count, seconds: try seconds {
        try store.forEachPerson { _, rs in streamed += rs.count }
    }))
    precondition(streamed == total && found > 0)
}

let dir = NSTemporaryDirectory() + "person-store-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }
let path = dir + "/bench.db"
try measure("SQLite", try SQLiteStore(path: path))
if let postgres {
    let url = postgres + (postgres.contains("?") ? "&" : "?") + "schema=person_bench_\(getpid())"
    let store = try PostgresStore(url: url)
    defer { try? store.dropSchema() }
    try measure("PostgreSQL", store)
}

print("| store | step | n | seconds | per item |")
print("|---|---|---:|---:|---:|")
for r in rows {
    let per = r.seconds / Double(max(r.count, 1))
    let unit = per < 1e-3 ? String(format: "%.1f µs", per * 1e6) : String(format: "%.2f ms", per * 1e3)
    print("| \(r.store) | \(r.step) | \(r.count) | \(String(format: "%.3f", r.seconds)) | \(unit) |")
}
print("\npeak RSS \(String(format: "%.0f", peakMiB())) MiB; \(ProcessInfo.processInfo.activeProcessorCount) cores; load average \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "?")")

// The query plans SQLite chooses for the look-ups: each must search an index, never scan a table.
let q = try DatabaseQueue(path: path)
let plans: [(String, String)] = [
    ("records(of:)", "SELECT r.* FROM assignments a JOIN records r ON r.source = a.source AND r.record_id = a.record_id WHERE a.person_id = 'P0' ORDER BY r.id"),
    ("person(pseudonym:)", "SELECT id FROM persons WHERE pseudonym = 'YP-P0'"),
    ("scores(of:)", "SELECT * FROM scores WHERE person_id = 'P0' ORDER BY run_id"),
    ("person(of:)", "SELECT person_id FROM assignments WHERE source = 'bench' AND record_id = 'R1'"),
]
print("\nSQLite query plans:")
for (name, sql) in plans {
    let detail = try q.read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String } }
    print("- \(name): " + detail.joined(separator: "; "))
}
