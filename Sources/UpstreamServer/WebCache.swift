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
/// the trail's entries after the last one read (one query on the trail's primary key, usually a handful of rows
/// written since: the views themselves) and, when any of them is not a read (``isRead(_:)``), the generation goes up
/// and every cached page is stale. One read stands for the requests of the next ``trailPoll`` seconds (default a
/// twentieth of a second; read per request it was 13.7 % of a kept chronology's CPU in session 14's profile), so
/// another process's change shows within that time; the server's own changes bump the generation at once (below).
/// Two kinds of change are narrower (``Scope``): a review decision on a young person (`risk-review-…`) and an
/// assignment (`case-assign`) name the young person as the
/// entry's subject, and change only the queue's pages and that young person's chronology; every other change
/// (a run, a load, a user, an unknown action) still makes everything stale. A cached value is stored with the generation read
/// (and its scope's counter) *before* its data were read, so a change that lands between the two makes the value look older than it is,
/// never newer. This works across several server processes on one database (each reads the same trail) and with
/// the command line writing meanwhile. Unknown actions count as changes. The server's own writes also bump the
/// generation directly, so a store without ``AuditTailReads`` (the in-memory demo store, one process only) is
/// still correct within its process.
///
/// **Role views never mix.** A queue page is keyed by the role and, for practitioners, the practitioner; a
/// chronology by the young person and the role (which decides provenance and whether the identify form shows);
/// the HTML also by the user (the navigation names them). Identified views are never cached. Every view writes its
/// audit entry; its access check runs on every request unless one that *passed* is kept
/// (``access(_:scope:generation:check:)``: by young person, role and, for a practitioner, user, in the young
/// person's scope, so an assignment or any other change ends it like a kept page); a refusal is never kept.
final class WebCache: @unchecked Sendable {
    /// What a kept value depends on besides everything (the global generation).
    enum Scope: Hashable, Sendable {
        /// Every queue page (decisions and assignments show on it).
        case queue
        /// One young person's chronology, by pseudonym (an assignment shows on it).
        case person(String)
    }

    /// When a value was made: the global generation and its scope's counter, both read before its data.
    struct Stamp: Equatable, Sendable {
        var global: Int64
        var scope: Int64
        /// Whether `self` was made after `other` (so a slower request must not replace it).
        func isNewer(than other: Stamp) -> Bool { global > other.global || (global == other.global && scope > other.scope) }
    }

    /// A bounded table of kept things (values or split pages) by key, each with its stamp.
    private struct Slots<V> {
        var entries: [String: (stamp: Stamp, value: V)] = [:]

        /// Keeps `value` unless a newer one landed meanwhile; past `capacity` the stale ones are dropped, then all
        /// (a simple bound, not an LRU). A capacity of 0 keeps nothing.
        mutating func keep(_ key: String, _ value: V, stamp: Stamp, capacity: Int, current: Int64) {
            guard capacity > 0 else { return }
            if let newer = entries[key], newer.stamp.isNewer(than: stamp) { return }
            if entries.count >= capacity { entries = entries.filter { $0.value.stamp.global == current } }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (stamp, value)
        }
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var flaggedByRun: (run: Int64, scores: [PersonScore])?
    /// The last audit entry read from the trail's tail (nil: not read yet), and the generations.
    private var lastSeq: Int64?
    private var generation: Int64 = 0
    private var scoped: [Scope: Int64] = [:]
    private var values = Slots<any Sendable>()
    private var pages = Slots<[String]>()
    /// Access checks passed (the young person's summary, by pseudonym, role and practitioner): a table of their
    /// own, so that they never take a kept chronology's place.
    private var accessChecks = Slots<PersonSummary>()

    /// At most this many values and this many pages are kept (0: none, a benchmark's switch to measure a miss).
    let capacity: Int

    /// Stands for the session's CSRF token in a cached page: the page is kept split at it and joined with each
    /// request's token. Random per process, so no stored text can contain it.
    let csrfMark = "csrf" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    /// Seconds one read of the trail's tail stands for the requests after it (0: every request reads it;
    /// ``WebConfiguration/trailPoll``).
    let trailPoll: Double
    /// ``trailPoll`` in nanoseconds, at most a day (so that no setting overflows the conversion).
    private let pollNanoseconds: UInt64
    /// When the tail was last read (``DispatchTime``'s nanoseconds; guarded by `lock`).
    private var lastTailRead: UInt64?
    /// The latest runs' ids and when they were read (guarded by `lock`; ``runIDs(_:)``).
    private var runIDsRead: (at: UInt64, ids: (linkage: Int64?, score: Int64?))?

    init(capacity: Int = WebConfiguration.defaultPageCache, trailPoll: Double = 0) {
        self.capacity = capacity
        self.trailPoll = trailPoll.isFinite ? max(0, trailPoll) : 0
        pollNanoseconds = UInt64(min(self.trailPoll, 86_400) * 1e9)
    }

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

    /// Whether an audit action changes only the queue and its subject's chronology: a review decision on a flagged
    /// young person (reopening and withdrawal included) or an assignment, each naming the young person.
    static func isPersonScoped(_ action: String) -> Bool {
        action.hasPrefix(RiskFlag.auditPrefix + "-") || action == "case-assign"
    }

    /// Entries read from the trail's tail per query, and at most this many queries per request; more entries than
    /// that since the last request count as a change.
    static let tailBatch = 1_024
    static let tailBatches = 16

    /// The current generation, after reading the trail's new entries from `store` (nil when the store cannot
    /// report its tail: then nothing is cached across requests, unless ``bump()`` is all that can change it).
    func currentGeneration(_ store: any WorkspaceStore) throws -> Int64? {
        guard let tail = store as? any AuditTailReads else { return nil }
        let now = DispatchTime.now().uptimeNanoseconds
        let (after, recent): (Int64?, Int64?) = lock.withLock {
            // Read a moment ago: that read stands (other processes' changes show within `trailPoll`).
            if lastSeq != nil, isFresh(lastTailRead, now: now) { return (lastSeq, generation) }
            return (lastSeq, nil)
        }
        if let recent { return recent }
        guard let after else {
            // First use: start at the trail's end (nothing is cached yet, so nothing before it matters).
            let head = try tail.latestAuditSeq()
            return lock.withLock {
                if lastSeq == nil { lastSeq = head; lastTailRead = now }
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
                if Self.isPersonScoped(m.action) && !m.subject.isEmpty {
                    bumpLocked(person: m.subject)
                } else if !Self.isRead(m.action) {
                    changed = true
                }
                seen = m.seq
            }
            lastSeq = seen
            lastTailRead = max(lastTailRead ?? 0, now)
            if changed { generation += 1 }
            return generation
        }
    }

    /// The generation without reading the store: the one last read, while that read still stands (less than
    /// ``trailPoll`` ago); nil when the next request must read the trail's tail (``currentGeneration(_:)``), and
    /// always nil when ``trailPoll`` is 0. A kept chronology is shown without a hop to the blocking pool only then.
    func freshGeneration() -> Int64? {
        let now = DispatchTime.now().uptimeNanoseconds
        return lock.withLock { lastSeq != nil && isFresh(lastTailRead, now: now) ? generation : nil }
    }

    /// The latest runs' ids without reading the store: the ones kept by ``runIDs(_:)`` while they still stand; nil
    /// otherwise (and always when ``trailPoll`` is 0).
    func freshRunIDs() -> (linkage: Int64?, score: Int64?)? {
        let now = DispatchTime.now().uptimeNanoseconds
        return lock.withLock {
            guard let kept = runIDsRead, isFresh(kept.at, now: now) else { return nil }
            return kept.ids
        }
    }

    /// Whether something read at `at` (``DispatchTime`` nanoseconds) still stands at `now`: less than ``trailPoll``
    /// ago (never when it is 0).
    private func isFresh(_ at: UInt64?, now: UInt64) -> Bool {
        guard pollNanoseconds > 0, let at else { return false }
        return now &- at < pollNanoseconds
    }

    /// Marks everything cached as stale: called after the server's own writes.
    func bump() { lock.withLock { generation += 1; runIDsRead = nil } }

    /// The latest runs' ids, read with `read` at most once per ``trailPoll`` (every time when it is 0), like the
    /// trail's tail: a run saved by another process shows within that time. Every kept page's key names them, so
    /// a page built meanwhile from a newer run's data is kept under the older run's key for at most that time, and
    /// never the reverse (the ids are read after the run's commit).
    func runIDs(_ read: () throws -> (linkage: Int64?, score: Int64?)) rethrows -> (linkage: Int64?, score: Int64?) {
        let now = DispatchTime.now().uptimeNanoseconds
        if let kept = lock.withLock({ runIDsRead }), isFresh(kept.at, now: now) { return kept.ids }
        let ids = try read()
        if pollNanoseconds > 0 { lock.withLock { if (runIDsRead?.at ?? 0) <= now { runIDsRead = (now, ids) } } }
        return ids
    }

    /// Marks the queue's pages and the chronology of the young person `pseudonym` as stale: called after the
    /// server's own decisions and assignments (the trail's entry would do it too, at the next request).
    func bump(person pseudonym: String) { lock.withLock { bumpLocked(person: pseudonym) } }

    private func bumpLocked(person pseudonym: String) {
        scoped[.queue, default: 0] += 1
        scoped[.person(pseudonym), default: 0] += 1
    }

    private func stampLocked(_ scope: Scope, _ generation: Int64) -> Stamp { Stamp(global: generation, scope: scoped[scope] ?? 0) }

    /// The value cached under `key` in `scope` at `generation`, or `make()`'s, cached.
    func value<T: Sendable>(_ key: String, scope: Scope, generation: Int64?, make: () throws -> T) rethrows -> T {
        try kept(\.values, key, scope: scope, generation: generation, make: make, unpack: { $0 as? T }, pack: { $0 })
    }

    /// `key` with the stamp a value made now would carry (``SharedBuilds``: views that miss at once share a build only
    /// under the same stamp, so a view asked for after a change never gets a build started before it).
    func stampedKey(_ key: String, scope: Scope, generation: Int64) -> String {
        lock.withLock {
            let stamp = stampLocked(scope, generation)
            return "\(key)|\(stamp.global)|\(stamp.scope)"
        }
    }

    /// The value cached under `key` in `scope` at `generation`, if there is one (nil: a miss, or no generation).
    func cached<T: Sendable>(_ key: String, scope: Scope, generation: Int64?) -> T? {
        guard let generation else { return nil }
        return lock.withLock {
            guard let e = values.entries[key], e.stamp == stampLocked(scope, generation) else { return nil }
            return e.value as? T
        }
    }

    /// The access check kept under `key` in `scope` at `generation`, or `check()`'s, kept (a refusal is thrown, never
    /// kept).
    func access(_ key: String, scope: Scope, generation: Int64?, check: () throws -> PersonSummary) rethrows -> PersonSummary {
        try kept(\.accessChecks, key, scope: scope, generation: generation, make: check, unpack: { $0 }, pack: { $0 })
    }

    /// The access check kept under `key` in `scope` at `generation`, if there is one.
    func keptAccess(_ key: String, scope: Scope, generation: Int64) -> PersonSummary? {
        lock.withLock {
            guard let e = accessChecks.entries[key], e.stamp == stampLocked(scope, generation) else { return nil }
            return e.value
        }
    }

    /// The page cached under `key` in `scope` at `generation` with `csrf` put in, or `render(csrfMark)`'s, cached.
    func page(_ key: String, scope: Scope, generation: Int64?, csrf: String, render: (String) throws -> String) rethrows -> String {
        guard generation != nil else { return try render(csrf) }
        let parts = try kept(\.pages, key, scope: scope, generation: generation,
                             make: { Self.split(try render(csrfMark), at: csrfMark) }, unpack: { $0 }, pack: { $0 })
        return parts.joined(separator: csrf)
    }

    /// The one look-up of both tables: the entry at `key` if its stamp is the current one, else `make()`'s, kept
    /// unless a newer one landed meanwhile. The stamp is read before `make` reads the store.
    private func kept<V, T>(_ table: ReferenceWritableKeyPath<WebCache, Slots<V>>, _ key: String, scope: Scope, generation: Int64?,
                            make: () throws -> T, unpack: (V) -> T?, pack: (T) -> V) rethrows -> T {
        guard let generation else { return try make() }
        let (stamp, hit) = lock.withLock { () -> (Stamp, V?) in
            let stamp = stampLocked(scope, generation)
            guard let e = self[keyPath: table].entries[key], e.stamp == stamp else { return (stamp, nil) }
            return (stamp, e.value)
        }
        if let hit, let v = unpack(hit) { return v }
        let v = try make()
        lock.withLock {
            self[keyPath: table].keep(key, pack(v), stamp: stamp, capacity: capacity, current: self.generation)
        }
        return v
    }

    /// `text` cut at every `mark`, on its UTF-8 bytes (Foundation's `components(separatedBy:)` was a tenth of a queue
    /// page's build).
    static func split(_ text: String, at mark: String) -> [String] {
        var text = text
        let needle = Array(mark.utf8)
        guard !needle.isEmpty else { return [text] }
        return text.withUTF8 { hay in
            var parts: [String] = []
            let first = needle[0], k = needle.count, n = hay.count
            var start = 0, i = 0
            while i + k <= n {
                if hay[i] == first && needle.withUnsafeBufferPointer({ memcmp(hay.baseAddress! + i, $0.baseAddress!, k) }) == 0 {
                    parts.append(String(decoding: UnsafeBufferPointer(rebasing: hay[start..<i]), as: UTF8.self))
                    i += k
                    start = i
                } else {
                    i += 1
                }
            }
            parts.append(String(decoding: UnsafeBufferPointer(rebasing: hay[start...]), as: UTF8.self))
            return parts
        }
    }

    /// How many values and pages are held (for tests).
    var counts: (values: Int, pages: Int) { lock.withLock { (values.entries.count, pages.entries.count) } }

    /// How many access checks are kept (for tests).
    var accessCount: Int { lock.withLock { accessChecks.entries.count } }
}
