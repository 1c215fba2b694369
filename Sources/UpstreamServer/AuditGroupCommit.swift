import Foundation
import UpstreamStore

/// Writes the audit entries of requests that arrive together in one transaction (a group commit), so that the
/// trail's cost per view is shared: on SQLite each commit waits for the disk (the log's fsync, then the trail's signed
/// head file), a few milliseconds on the benchmark machine, which alone would cap the chronology at a few hundred
/// views a second.
///
/// **Nothing is lost and the chain is unchanged.** Each request waits until the transaction holding its entry has
/// committed (and the head has advanced) before its page is built and returned, exactly as with one append per
/// request: a crash before the commit loses the entries of requests that were never answered, and none other. The
/// entries of a batch are appended by the store's own `appendAudit` in arrival order, each chained to the one
/// before, so `upstream audit verify` reads the same chain as before. If the commit fails, every request of the
/// batch fails with the error and shows nothing.
///
/// How: one committer (a serial dispatch queue of its own, never Swift's cooperative pool) runs while entries wait:
/// it takes every entry waiting (at most ``maxBatch``, all for one store), appends them in one call, hands each
/// request its entry, and goes on until none waits. A request waits either as a task (``append(_:to:)`` with
/// `await`: the request holds no thread meanwhile, so the server's blocking pool stays free for other requests'
/// reads while a commit waits for the disk) or on a semaphore (the synchronous ``append(_:to:)``, for code already on
/// the blocking pool). Before session 9 a waiting request held one of the blocking pool's 4 threads, so at most 4
/// views were committed per fsync.
final class AuditGroupCommit: @unchecked Sendable {
    private enum Waiter {
        case thread(DispatchSemaphore)
        case task(CheckedContinuation<AuditEntry, any Error>)
    }

    private final class Slot: @unchecked Sendable {
        let event: AuditEvent
        let store: any RecordStore
        /// Which store the entry goes to: a batch holds one store's entries only.
        let storeID: ObjectIdentifier
        let waiter: Waiter
        // Written before a thread's semaphore is signalled, read after it is waited on.
        var result: Result<AuditEntry, any Error>?
        init(_ event: AuditEvent, store: any RecordStore, waiter: Waiter) {
            self.event = event; self.store = store; self.waiter = waiter
            storeID = ObjectIdentifier(store as AnyObject)
        }

        func finish(_ r: Result<AuditEntry, any Error>) {
            switch waiter {
            case .thread(let done):
                result = r
                done.signal()
            case .task(let continuation):
                continuation.resume(with: r)
            }
        }
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
    private let committer = DispatchQueue(label: "upstream.audit-group-commit")

    init(maxBatch: Int = 256) { self.maxBatch = max(1, maxBatch) }

    /// Appends `event` to `store`'s trail, with whatever other requests' entries are waiting, and returns its entry
    /// once committed. The calling thread waits (for code already on the server's blocking pool).
    func append(_ event: AuditEvent, to store: any RecordStore) throws -> AuditEntry {
        let done = DispatchSemaphore(value: 0)
        let slot = Slot(event, store: store, waiter: .thread(done))
        enqueue(slot)
        done.wait()
        return try slot.result!.get()
    }

    /// Appends `event` to `store`'s trail, with whatever other requests' entries are waiting, and returns its entry
    /// once committed; the task is suspended meanwhile and holds no thread.
    func append(_ event: AuditEvent, to store: any RecordStore) async throws -> AuditEntry {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(Slot(event, store: store, waiter: .task(continuation)))
        }
    }

    private func enqueue(_ slot: Slot) {
        let start = lock.withLock {
            pending.append(slot)
            if committing { return false }
            committing = true
            return true
        }
        if start { committer.async { self.drain() } }
    }

    /// Commits batches until no entry waits (on the committer queue).
    private func drain() {
        while true {
            let batch: [Slot] = lock.withLock {
                guard let first = pending.first else {
                    committing = false
                    return []
                }
                var n = 1
                while n < pending.count, n < maxBatch, pending[n].storeID == first.storeID { n += 1 }
                let b = Array(pending.prefix(n))
                pending.removeFirst(n)
                return b
            }
            guard let first = batch.first else { return }
            let results: Result<[AuditEntry], any Error> = Result { try first.store.appendAudit(batch.map(\.event)) }
            lock.withLock {
                commits += 1
                entries += batch.count
            }
            for (i, s) in batch.enumerated() {
                s.finish(results.flatMap {
                    $0.count == batch.count ? .success($0[i]) : .failure(StoreError.corrupt("audit append returned \($0.count) entries"))
                })
            }
        }
    }

    /// Commits and entries so far.
    var counts: (commits: Int, entries: Int) { lock.withLock { (commits, entries) } }
}
