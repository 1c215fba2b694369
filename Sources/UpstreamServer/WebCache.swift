import Foundation
import UpstreamGovernance
import UpstreamStore

/// What the web app keeps between requests so that the pages read most often cost a cache look-up instead of
/// dozens of store reads: the latest scoring run's flagged young people, each queue page, and each pseudonymised
/// chronology, as data and as HTML.
///
/// **How it stays correct.** Everything these pages show changes only through a write that is also written to the
/// one audit trail, in the same transaction or after it: a decision or reopening (`risk-review-…`, saved with its
/// entry in one transaction), an assignment (`case-assign`, likewise), a user change (`user-…`), an ingest,
/// supersession or retention deletion (entries written by the store in the load's own transaction), a linkage run
/// (`link`) and a scoring run (`risk-score`). So the cache keeps a *generation*: before answering, a request reads
/// the trail's entries after the last one it saw (one query on the trail's primary key, usually a handful of rows
/// written since the previous request: the views themselves) and, when any of them is not a read (``isRead(_:)``),
/// the generation goes up and every cached page is stale. A cached value is stored with the generation read
/// *before* its data were read, so a change that lands between the two makes the value look older than it is,
/// never newer. This works across several server processes on one database (each reads the same trail) and with
/// the command line writing meanwhile. Unknown actions count as changes. The server's own writes also bump the
/// generation directly, so a store without ``AuditTailReads`` (the in-memory demo store, one process only) is
/// still correct within its process.
///
/// **Role views never mix.** A queue page is keyed by the role and, for practitioners, the practitioner; a
/// chronology by the young person and the role (which decides provenance and whether the identify form shows);
/// the HTML also by the user (the navigation names them). Identified views are never cached. Access checks and
/// the audit entry of each view happen on every request, before the cache is read.
final class WebCache: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var flaggedByRun: (run: Int64, scores: [PersonScore])?
    /// The last audit entry read from the trail's tail (nil: not read yet), and the generation.
    private var lastSeq: Int64?
    private var generation: Int64 = 0
    private var values: [String: (generation: Int64, value: any Sendable)] = [:]
    private var pages: [String: (generation: Int64, parts: [String])] = [:]

    /// At most this many values and this many pages are kept; past it the stale ones are dropped, then all (a
    /// simple bound, not an LRU).
    let capacity: Int

    /// Stands for the session's CSRF token in a cached page: the page is kept split at it and joined with each
    /// request's token. Random per process, so no stored text can contain it.
    let csrfMark = "csrf" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    init(capacity: Int = 4_000) { self.capacity = capacity }

    /// The flagged scores of `run`, loaded with `load` the first time and when the run changes.
    func flagged(run: Int64, load: () throws -> [PersonScore]) rethrows -> [PersonScore] {
        if let hit = lock.withLock({ flaggedByRun }), hit.run == run { return hit.scores }
        let scores = try load()
        lock.withLock { flaggedByRun = (run, scores) }
        return scores
    }

    /// Whether an audit action only records a read or a sign-in (so the pages cached are still right after it).
    static func isRead(_ action: String) -> Bool {
        action.hasPrefix("view-") || action.hasSuffix("-list") || readActions.contains(action)
    }
    static let readActions: Set<String> = [
        "identify", "refused", "sign-in", "sign-out", "account-locked", "password-change", "totp-enable", "totp-disable",
        "import-access-log", "audit-verify",
    ]

    /// Entries read from the trail's tail per query, and at most this many queries per request; more entries than
    /// that since the last request count as a change.
    static let tailBatch = 1_024
    static let tailBatches = 16

    /// The current generation, after reading the trail's new entries from `store` (nil when the store cannot
    /// report its tail: then nothing is cached across requests, unless ``bump()`` is all that can change it).
    func currentGeneration(_ store: any WorkspaceStore) throws -> Int64? {
        guard let tail = store as? any AuditTailReads else { return nil }
        let after = lock.withLock { lastSeq }
        guard let after else {
            // First use: start at the trail's end (nothing is cached yet, so nothing before it matters).
            let head = try tail.latestAuditSeq()
            return lock.withLock {
                if lastSeq == nil { lastSeq = head }
                return generation
            }
        }
        // Every entry since the last one seen, a batch at a time (a busy server writes a view entry per request).
        var marks: [AuditMark] = []
        var from = after
        for _ in 0..<Self.tailBatches {
            let batch = try tail.auditMarks(after: from, limit: Self.tailBatch)
            marks += batch
            guard batch.count == Self.tailBatch, let last = batch.last else { break }
            from = last.seq
        }
        let complete = marks.count < Self.tailBatch * Self.tailBatches
        return lock.withLock {
            var seen = lastSeq ?? after
            // More entries than a request reads at once: assume a change rather than read on.
            var changed = !complete
            for m in marks where m.seq > seen {
                if !Self.isRead(m.action) { changed = true }
                seen = m.seq
            }
            lastSeq = seen
            if changed { generation += 1 }
            return generation
        }
    }

    /// Marks everything cached as stale: called after the server's own writes.
    func bump() { lock.withLock { generation += 1 } }

    /// The value cached under `key` at `generation`, or `make()`'s, cached.
    func value<T: Sendable>(_ key: String, generation: Int64?, make: () throws -> T) rethrows -> T {
        guard let generation else { return try make() }
        if let hit = lock.withLock({ values[key] }), hit.generation == generation, let v = hit.value as? T { return v }
        let v = try make()
        lock.withLock {
            if let newer = values[key], newer.generation > generation { return }
            if values.count >= capacity { values = values.filter { $0.value.generation == self.generation } }
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[key] = (generation, v)
        }
        return v
    }

    /// The page cached under `key` at `generation` with `csrf` put in, or `render(csrfMark)`'s, cached.
    func page(_ key: String, generation: Int64?, csrf: String, render: (String) throws -> String) rethrows -> String {
        guard let generation else { return try render(csrf) }
        if let hit = lock.withLock({ pages[key] }), hit.generation == generation { return hit.parts.joined(separator: csrf) }
        let parts = try render(csrfMark).components(separatedBy: csrfMark)
        lock.withLock {
            if let newer = pages[key], newer.generation > generation { return }
            if pages.count >= capacity { pages = pages.filter { $0.value.generation == self.generation } }
            if pages.count >= capacity { pages.removeAll(keepingCapacity: true) }
            pages[key] = (generation, parts)
        }
        return parts.joined(separator: csrf)
    }

    /// How many values and pages are held (for tests).
    var counts: (values: Int, pages: Int) { lock.withLock { (values.count, pages.count) } }
}
