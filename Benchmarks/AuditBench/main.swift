// The audit trail's speed: single audited appends (one transaction and one head update each, as a command makes
// them), batched appends, and verifying the whole trail. Prints a Markdown table (Benchmarks/audit.md).
//
//     swift run -c release upstream-audit-bench [--single 2000] [--entries 1000000]
import Foundation
import UpstreamGovernance
import UpstreamStore
import UpstreamStoreSQLite

var single = 2_000
var total = 1_000_000
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--single": single = Int(args.popFirst() ?? "") ?? single
    case "--entries": total = Int(args.popFirst() ?? "") ?? total
    default: FileHandle.standardError.write(Data("usage: upstream-audit-bench [--single N] [--entries N]\n".utf8)); exit(2)
    }
}

func peakMiB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1024
}

let dir = NSTemporaryDirectory() + "audit-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }
let user = User.selfAsserted("bench", role: .practitioner)
let g = try Governance(paths: GovernancePaths(store: dir + "/bench.db", environment: [:]), user: user) {
    try SQLiteStore(path: dir + "/bench.db", auditSealer: $0)
}

func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
var rows: [(String, Int, Double)] = []

var t = seconds()
for i in 0..<single {
    try g.record("view-pseudonymised", subject: "YP-\(i)", at: 1_700_000_000 + Int64(i))
}
rows.append(("single appends (one transaction + signed head each)", single, seconds() - t))

t = seconds()
var written = single
while written < total {
    let n = min(1_000, total - written)
    let events = (0..<n).map { k in
        AuditEvent(at: 1_700_000_000, actor: user.actor, action: "view-pseudonymised", subject: "YP-\(written + k)")
    }
    _ = try g.store.appendAudit(events)
    written += n
}
rows.append(("batched appends (1,000 per transaction)", total - single, seconds() - t))

t = seconds()
let v = try g.verify()
rows.append(("verify the whole trail (MACs, chain, head)", v.entries, seconds() - t))
guard v.intact else { print("verification failed: \(v.problems)"); exit(1) }

let size = ((try? FileManager.default.attributesOfItem(atPath: dir + "/bench.db")[.size]) as? Int ?? 0)
print("| step | entries | seconds | per second |")
print("|---|---:|---:|---:|")
for (name, n, s) in rows {
    print("| \(name) | \(n) | \(String(format: "%.2f", s)) | \(String(format: "%.0f", Double(n) / s)) |")
}
print("\nstore \(String(format: "%.0f", Double(size) / 1_048_576)) MiB for \(v.entries) entries; peak memory \(String(format: "%.0f", peakMiB())) MiB")
