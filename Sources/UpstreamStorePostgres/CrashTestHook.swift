import Foundation

/// A hook for the crash-consistency tests only (Tests/UpstreamStoreTests/PostgresCrashTests.swift): with
/// `UPSTREAM_TEST_STALL_BEFORE_COMMIT=TABLE` and `UPSTREAM_TEST_STALL_MARKER=PATH` set, a save of a linkage run
/// (`linkage_runs`), a risk run (`risk_runs`) or an audited review decision (`review_items`) does all its writes,
/// creates PATH and waits inside its open transaction, so the test can `kill -9` the process there. Without both
/// variables it does nothing. (The SQLite adapter has the same hook.)
enum CrashTestHook {
    static func stallBeforeCommit(_ table: String) {
        let env = ProcessInfo.processInfo.environment
        guard env["UPSTREAM_TEST_STALL_BEFORE_COMMIT"] == table, let marker = env["UPSTREAM_TEST_STALL_MARKER"] else { return }
        _ = FileManager.default.createFile(atPath: marker, contents: nil)
        while true { sleep(1) }
    }
}
