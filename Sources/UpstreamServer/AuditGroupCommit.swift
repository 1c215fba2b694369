import Foundation
import UpstreamStore

/// Writes the audit entries of requests that arrive together in one transaction (a group commit), so that the
/// trail's cost per view is shared: on SQLite each commit waits for the disk several times (the journal, the
/// database, then the trail's signed head file), about 5 ms on the benchmark machine, which alone would cap the
/// chronology at some 200 views a second.
///
/// **Nothing is lost and the chain is unchanged.** Each request waits until the transaction holding its entry has
/// committed (and the head has advanced) before its page is built and returned, exactly as with one append per
/// request: a crash before the commit loses the entries of requests that were never answered, and none other. The
/// entries of a batch are appended by the store's own `appendAudit` in arrival order, each chained to the one
/// before, so `upstream audit verify` reads the same chain as before. If the commit fails, every request of the
/// batch fails with the error and shows nothing.
///
/// How: the first request to find no commit running leads: it takes every entry waiting (its own first), appends
/// them in one call, hands each waiting request its entry, and passes the lead to the first request that arrived
/// meanwhile, if any. Requests wait on their own semaphore on the server's blocking pool, never on Swift's
/// cooperative pool.
final class AuditGroupCommit: @unchecked Sendable {
    private final class Slot: @unchecked Sendable {
        let event: AuditEvent
        let done = DispatchSemaphore(value: 0)
        // Written before `done` is signalled, read after it is waited on.
        var result: Result<AuditEntry, any Error>?
        var lead = false
        init(_ event: AuditEvent) { self.event = event }
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var pending: [Slot] = []
    private var committing = false
    /// Commits so far and entries so far (for the benchmark's report and the tests).
    private(set) var commits = 0
    private(set) var entries = 0

    /// At most this many entries in one transaction.
    let maxBatch: Int

    init(maxBatch: Int = 256) { self.maxBatch = maxBatch }

    /// Appends `event` to `store`'s trail, with whatever other requests' entries are waiting, and returns its entry
    /// once committed.
    func append(_ event: AuditEvent, to store: any RecordStore) throws -> AuditEntry {
        let slot = Slot(event)
        let leads = lock.withLock {
            pending.append(slot)
            if committing { return false }
            committing = true
            return true
        }
        if !leads {
            slot.done.wait()
            if !slot.lead { return try slot.result!.get() }
        }
        // Leading: this slot is the first waiting (the lead passes only to the first waiting request).
        let batch = lock.withLock {
            let b = Array(pending.prefix(maxBatch))
            pending.removeFirst(b.count)
            return b
        }
        let results: Result<[AuditEntry], any Error> = Result { try store.appendAudit(batch.map(\.event)) }
        lock.withLock {
            commits += 1
            entries += batch.count
        }
        for (i, s) in batch.enumerated() where s !== slot {
            s.result = results.flatMap { $0.count == batch.count ? .success($0[i]) : .failure(StoreError.corrupt("audit append returned \($0.count) entries")) }
            s.done.signal()
        }
        lock.withLock {
            if let next = pending.first {
                next.lead = true
                next.done.signal()
            } else {
                committing = false
            }
        }
        precondition(batch.first === slot, "the leader's entry is the first of its batch")
        return try results.get()[0]
    }

    /// Commits and entries so far.
    var counts: (commits: Int, entries: Int) { lock.withLock { (commits, entries) } }
}
