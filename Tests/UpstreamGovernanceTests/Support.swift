import Crypto
import Foundation
@testable import UpstreamGovernance
import UpstreamStore
import UpstreamStoreSQLite

/// A fresh temporary folder for one test.
func temporaryFolder(_ name: String = #function) throws -> String {
    let dir = NSTemporaryDirectory() + "gov-\(name.prefix(while: { $0 != "(" }))-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A fixed key: bytes 0, 1, …, 31.
let fixedKey = SymmetricKey(data: Array(0..<32).map(UInt8.init))

let alice = User.selfAsserted("alice", role: .practitioner)

/// A governed SQLite store in `dir`, sealed with its audit key (created on first open).
func governedStore(_ dir: String, user: User = alice, mode: Governance.Mode = .use) throws -> Governance {
    try Governance(paths: GovernancePaths(store: dir + "/upstream.db", environment: [:]), user: user, mode: mode) { sealer in
        try SQLiteStore(path: dir + "/upstream.db", auditSealer: sealer)
    }
}

/// Appends `n` views of persons P1…Pn, the third (if any) an identification.
func appendViews(_ g: Governance, _ n: Int, from: Int = 1) throws {
    for i in from..<(from + n) {
        try g.record(i == 3 ? "identify" : "view-pseudonymised", subject: "YP-\(i)", reason: i == 3 ? "strategy meeting" : "",
                     at: 1_700_000_000 + Int64(i))
    }
}

func mode(of path: String) -> Int? { SecureFile.permissions(of: path) }

func bytes(_ key: SymmetricKey) -> [UInt8] { key.withUnsafeBytes { Array($0) } }
