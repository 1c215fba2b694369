import Synchronization
import UpstreamModel

/// Clustering: persons as groups of nodes joined by pairs above the threshold, built strongest pair first,
/// with a guard against chaining two different people together through a bridge record.
///
/// Two groups are not merged when they hold *conflicting strong evidence*: different valid NHS numbers,
/// pupil numbers or PNC serials with none in common, different local ids of the same id system, or dates of
/// birth of which no pair is even close (no level better than "else"). A rejected review decision is a
/// conflict too; an accepted one merges first, whatever the model says.
public enum Clustering {
    /// A group's strong evidence: its ids (kind, scope, value), dates of birth and the nodes a reviewer said are
    /// someone else. The first id and date are held in place and only the others in arrays, so a node alone (most
    /// of them, with one id and one date) allocates nothing (two arrays a node were most of the clustering's
    /// allocations and reference counting, session 43).
    struct Evidence {
        typealias ID = (kind: UInt8, scope: Int32, value: Int64)
        private var firstID: ID? = nil
        private var otherIDs: [ID] = []
        private var firstDOB: Int32 = PreparedData.missingDate
        private var otherDOBs: [Int32] = []
        var rejected: [Int32] = []

        init() {}
        /// Evidence holding `ids` and `dobs` (dates of birth as day numbers), in order.
        init(ids: [ID], dobs: [Int32] = []) {
            for x in ids { appendID(x) }
            for d in dobs { appendDOB(d) }
        }

        var idCount: Int { firstID == nil ? 0 : 1 + otherIDs.count }
        @inline(__always) func id(_ i: Int) -> ID { i == 0 ? firstID! : otherIDs[i - 1] }
        mutating func appendID(_ x: ID) { if firstID == nil { firstID = x } else { otherIDs.append(x) } }
        func containsID(_ x: ID) -> Bool {
            for i in 0..<idCount { let y = id(i); if y.kind == x.kind && y.scope == x.scope && y.value == x.value { return true } }
            return false
        }

        var dobCount: Int { firstDOB == PreparedData.missingDate ? 0 : 1 + otherDOBs.count }
        @inline(__always) func dob(_ i: Int) -> Int32 { i == 0 ? firstDOB : otherDOBs[i - 1] }
        mutating func appendDOB(_ d: Int32) { if firstDOB == PreparedData.missingDate { firstDOB = d } else { otherDOBs.append(d) } }
        func containsDOB(_ d: Int32) -> Bool { (0..<dobCount).contains { dob($0) == d } }
    }

    /// Union-find with the evidence of each root.
    struct Groups {
        var parent: [Int32]
        var size: [Int32]
        var evidence: [Evidence]

        mutating func find(_ x: Int32) -> Int32 {
            var r = x
            while parent[Int(r)] != r { r = parent[Int(r)] }
            var c = x
            while parent[Int(c)] != r { let n = parent[Int(c)]; parent[Int(c)] = r; c = n }
            return r
        }

        func conflict(_ a: Int32, _ b: Int32, guardDOB: Bool) -> Bool {
            evidence.withUnsafeBufferPointer { evidence in conflict(evidence[Int(a)], evidence[Int(b)], guardDOB: guardDOB) }
        }

        /// Whether two groups' evidence conflicts (read in place, not copied).
        func conflict(_ ea: borrowing Evidence, _ eb: borrowing Evidence, guardDOB: Bool) -> Bool {
            // Different ids of one kind and scope, none in common: read in place (filtering each side's ids into new
            // arrays cost allocations on every pair over the threshold).
            for i in 0..<ea.idCount {
                let (k, scope, _) = ea.id(i)
                // b holds ids of this kind and scope, and none of them is one of a's.
                var differ = false
                for j in 0..<eb.idCount {
                    let y = eb.id(j)
                    guard y.kind == k && y.scope == scope else { continue }
                    differ = true
                    if ea.containsID(y) { differ = false; break }
                }
                if differ { return true }
            }
            if guardDOB, ea.dobCount > 0, eb.dobCount > 0 {
                var close = false
                outer: for i in 0..<ea.dobCount { for j in 0..<eb.dobCount where Comparer.dobLevel(ea.dob(i), eb.dob(j)) < 5 { close = true; break outer } }
                if !close { return true }
            }
            return false
        }

        mutating func union(_ a: Int32, _ b: Int32) {
            var (big, small) = size[Int(a)] >= size[Int(b)] ? (a, b) : (b, a)
            if size[Int(big)] == size[Int(small)] && small < big { swap(&big, &small) }
            parent[Int(small)] = big
            size[Int(big)] += size[Int(small)]
            let es = evidence[Int(small)]
            for i in 0..<es.idCount where !evidence[Int(big)].containsID(es.id(i)) { evidence[Int(big)].appendID(es.id(i)) }
            for i in 0..<es.dobCount where !evidence[Int(big)].containsDOB(es.dob(i)) && evidence[Int(big)].dobCount < 16 { evidence[Int(big)].appendDOB(es.dob(i)) }
            evidence[Int(big)].rejected.append(contentsOf: es.rejected)
            evidence[Int(small)] = Evidence()
        }

        mutating func rejects(_ a: Int32, _ b: Int32) -> Bool {
            for x in evidence[Int(a)].rejected where find(x) == b { return true }
            for x in evidence[Int(b)].rejected where find(x) == a { return true }
            return false
        }
    }

    /// Clusters nodes. Returns each node's cluster label (the smallest node index in its cluster).
    /// - Parameters:
    ///   - pairs: scored pairs; those at or above `threshold` join, strongest first.
    ///   - mustLink: node pairs a reviewer accepted (joined first, no guard).
    ///   - cannotLink: node pairs a reviewer rejected (never in one cluster).
    ///   - initial: an existing cluster label per node (-1 for none), for incremental linking: existing
    ///     persons start joined and are never split.
    ///   - guardDOB: whether distant dates of birth block a merge.
    ///   - parallel: sorts the pairs by weight as two halves on two workers (the same order either way).
    public static func cluster(
        data: PreparedData, pairs: [ScoredPair], threshold: Double, mustLink: [(Int32, Int32)] = [],
        cannotLink: [(Int32, Int32)] = [], initial: [Int32]? = nil, guardDOB: Bool = true, parallel: Parallelism = .serial
    ) -> [Int32] {
        let n = data.nodeCount
        var g = Groups(parent: Array(0..<Int32(n)), size: [Int32](repeating: 1, count: n), evidence: [])
        g.evidence.reserveCapacity(n)
        let guards = data.settings.clusterGuards.map { k -> ([Int64], [Int32]) in
            (Blocking.field(data, k), data.column(k.columns[0])?.scope ?? [])
        }
        let dates = data.settings.clusterGuardDate.flatMap { data.column($0)?.days }
        for i in 0..<n {
            var e = Evidence()
            for (k, (values, scope)) in guards.enumerated() where values[i] >= 0 {
                e.appendID((UInt8(truncatingIfNeeded: k), scope.isEmpty ? -1 : scope[i], values[i]))
            }
            if let dates, dates[i] != PreparedData.missingDate { e.appendDOB(dates[i]) }
            g.evidence.append(e)
        }
        for (a, b) in cannotLink { g.evidence[Int(a)].rejected.append(b); g.evidence[Int(b)].rejected.append(a) }
        if let initial {
            var first: [Int32: Int32] = [:]
            for i in 0..<n where initial[i] >= 0 {
                if let f = first[initial[i]] {
                    let ra = g.find(f), rb = g.find(Int32(i))
                    if ra != rb { g.union(ra, rb) }
                } else { first[initial[i]] = Int32(i) }
            }
        }
        for (a, b) in mustLink {
            let ra = g.find(a), rb = g.find(b)
            if ra != rb { g.union(ra, rb) }
        }
        let thresholdWeight = threshold >= 1 ? Double.infinity : threshold <= 0 ? -Double.infinity : (threshold / (1 - threshold)).log2Value
        let order = strongestFirst(pairs, atLeast: thresholdWeight, parallel: parallel)
        // The pairs' two nodes laid out in that order on the workers, so the joining loop reads them in sequence
        // (read through `order`, each pair was a cache miss on the one thread that joins: a third of its samples,
        // session 48), and the nodes' parents of the pair `ahead` read in advance, so that miss is under way while
        // the pairs before it are joined.
        let ends = Clustering.ends(of: pairs, in: order, parallel: parallel)
        let ahead = 16
        var warmed: Int32 = 0
        ends.withUnsafeBufferPointer { ends in
            for k in 0..<order.count {
                if k + ahead < order.count { warmed ^= g.parent[Int(ends[2 * (k + ahead)])] ^ g.parent[Int(ends[2 * (k + ahead) + 1])] }
                let ra = g.find(ends[2 * k]), rb = g.find(ends[2 * k + 1])
                if ra == rb { continue }
                if g.conflict(ra, rb, guardDOB: guardDOB) || g.rejects(ra, rb) { continue }
                g.union(ra, rb)
            }
        }
        Blocking.warmSink.bitwiseXor(UInt64(UInt32(bitPattern: warmed)), ordering: .relaxed)
        // Each root's label (its cluster's smallest node) in an array by root, not a dictionary hashed per node.
        var label = [Int32](repeating: -1, count: n)
        var rootLabel = [Int32](repeating: -1, count: n)
        for i in 0..<n {
            let r = Int(g.find(Int32(i)))
            if rootLabel[r] < 0 { rootLabel[r] = Int32(i) }
            label[i] = rootLabel[r]
        }
        return label
    }

    /// The nodes of `pairs[order[k]]` at `2k` and `2k + 1`, gathered in pieces on the workers.
    static func ends(of pairs: [ScoredPair], in order: [Int32], parallel: Parallelism) -> [Int32] {
        pairs.withUnsafeBufferPointer { pairs in
            order.withUnsafeBufferPointer { order in
                parallel.array(count: 2 * order.count, pieces: Parallelism.linkagePieces) { j in
                    let pair = pairs[Int(order[j >> 1])]
                    return j & 1 == 0 ? pair.a : pair.b
                }
            }
        }
    }

    /// The indices of the pairs with weight at least `minimum`, strongest first, equal weights in index order (what
    /// a stable sort gives). Sorted as two halves on two workers and merged: the order is the same for any
    /// parallelism. Int32 indices, half the bytes of `Int`.
    static func strongestFirst(_ pairs: [ScoredPair], atLeast minimum: Double, parallel: Parallelism = .serial) -> [Int32] {
        func before(_ x: Int32, _ y: Int32) -> Bool {
            let wx = pairs[Int(x)].weight, wy = pairs[Int(y)].weight
            return wx != wy ? wx > wy : x < y
        }
        let halves = parallel.map(2) { h -> [Int32] in
            let range = h == 0 ? 0..<pairs.count / 2 : pairs.count / 2..<pairs.count
            var out: [Int32] = []
            for i in range where pairs[i].weight >= minimum { out.append(Int32(i)) }
            out.sort(by: before)
            return out
        }
        let (x, y) = (halves[0], halves[1])
        var merged: [Int32] = []
        merged.reserveCapacity(x.count + y.count)
        var i = 0, j = 0
        while i < x.count && j < y.count {
            if before(y[j], x[i]) { merged.append(y[j]); j += 1 } else { merged.append(x[i]); i += 1 }
        }
        merged.append(contentsOf: x[i...]); merged.append(contentsOf: y[j...])
        return merged
    }

    /// Stable person ids for every record.
    ///
    /// A cluster keeps the id that most of its records had before (`previous`); when a previous person splits,
    /// the part with most of its records keeps the id. A cluster with no previous id takes one derived from its
    /// smallest record key, so re-running over the same records gives the same ids even with no saved state.
    ///
    /// Each cluster's records are found by a counting sort on the labels (two Int32 arrays, not an array per
    /// cluster); the votes and the derived ids are worked out per cluster on `parallel`'s workers, in fixed
    /// pieces; the ids are handed out in cluster order on one thread, so they are the same for any parallelism.
    public static func personIDs(data: PreparedData, nodeLabels: [Int32], previous: [RecordKey: PersonID] = [:],
                                 parallel: Parallelism = .serial) -> [PersonID] {
        personIDs(data: data, nodeLabels: nodeLabels, earlier: EarlierPersons(previous, keys: data.keys), parallel: parallel)
    }

    /// Stable person ids for every record, as `personIDs(data:nodeLabels:previous:parallel:)` gives them, from an
    /// earlier run's persons given per record.
    public static func personIDs(data: PreparedData, nodeLabels: [Int32], earlier: EarlierPersons, parallel: Parallelism = .serial) -> [PersonID] {
        // The keys and node map read through locals: a closure that reads `data` copies the whole struct (about 2% of
        // a million-record link's samples went to retaining and releasing it, session 32's profile).
        let recordKeys = data.keys, nodeOfRecord = data.nodeOfRecord
        let records = recordKeys.count, nodes = nodeLabels.count
        // The clusters in the order of their first records, each record's cluster by that order, and each cluster's
        // records `members[start[i]..<start[i + 1]]` in record order. (Taken in label order, the clusters followed
        // their smallest nodes, which are numbered by a blocking key, and each cluster's records were read from all
        // over the keys; the order of first records is the order the labels had when nodes were numbered as they
        // came, so the ids are chosen in the same order as then.)
        var indexOfLabel = [Int32](repeating: -1, count: nodes)
        var clusterCount = 0
        var clusterOfRecord = [Int32](repeating: 0, count: records)
        for r in 0..<records {
            let c = Int(nodeLabels[Int(nodeOfRecord[r])])
            var i = indexOfLabel[c]
            if i < 0 { i = Int32(clusterCount); indexOfLabel[c] = i; clusterCount += 1 }
            clusterOfRecord[r] = i
        }
        indexOfLabel = []
        var start = [Int32](repeating: 0, count: clusterCount + 1)
        for r in 0..<records { start[Int(clusterOfRecord[r]) + 1] += 1 }
        for i in 0..<clusterCount { start[i + 1] += start[i] }
        var members = [Int32](repeating: 0, count: records)
        do {
            var next = start
            for r in 0..<records {
                let i = Int(clusterOfRecord[r])
                members[Int(next[i])] = Int32(r); next[i] += 1
            }
        }
        func recordsOf(_ i: Int) -> Range<Int> { Int(start[i])..<Int(start[i + 1]) }
        let pieces = Parallelism.linkagePieces, per = (clusterCount + pieces - 1) / pieces
        func piece(_ p: Int) -> Range<Int> { min(clusterCount, p * per)..<min(clusterCount, (p + 1) * per) }

        // Votes: (cluster index, previous id, how many of its records had it).
        var votes: [(cluster: Int32, id: PersonID, count: Int)] = []
        if !earlier.ofRecord.isEmpty {
            votes = parallel.map(pieces) { p -> [(cluster: Int32, id: PersonID, count: Int)] in
                var out: [(cluster: Int32, id: PersonID, count: Int)] = []
                for i in piece(p) {
                    var count: [PersonID: Int] = [:]
                    for m in recordsOf(i) { if let id = earlier.ofRecord[Int(members[m])] { count[id, default: 0] += 1 } }
                    for (id, k) in count { out.append((Int32(i), id, k)) }
                }
                return out
            }.flatMap { $0 }
        }
        votes.sort { ($0.count, $1.id, $1.cluster) > ($1.count, $0.id, $0.cluster) }
        var idOf = [PersonID?](repeating: nil, count: clusterCount)
        var taken = Set<PersonID>()
        for v in votes where idOf[Int(v.cluster)] == nil && !taken.contains(v.id) {
            idOf[Int(v.cluster)] = v.id; taken.insert(v.id)
        }
        votes = []
        // The ids no new cluster may take: the earlier run's and those just kept (none in a first run) as strings, and
        // the new clusters' derived ids as their hashes (two derived ids are the same string exactly when their hashes
        // are the same), so no id's String is made or hashed while choosing (a Set of 641,742 new ids' Strings was
        // most of this stage's 0.6 s, session 43).
        let usedIDs = earlier.all.union(taken)
        // The derived hashes taken, in a flat table (a `Set<UInt64>` hashed each with SipHash: about 0.04 s of a
        // 1,000,000-record link on one thread, session 48). At most one a cluster is taken.
        var usedHashes = NumberTable(capacity: clusterCount)
        func isUsed(_ h: UInt64) -> Bool {
            usedHashes.value(h) != nil || (!usedIDs.isEmpty && usedIDs.contains(PersonID(derivedHash: h)))
        }
        // Each unnamed cluster's first choice, the hash of its smallest key's id (the first of equal keys, as `min()`
        // gives it); taken in cluster order below.
        let named = idOf
        let firstChoice = parallel.map(pieces) { p -> [UInt64?] in
            recordKeys.withUnsafeBufferPointer { keys in
                members.withUnsafeBufferPointer { members in
                    piece(p).map { i -> UInt64? in
                        guard named[i] == nil else { return nil }
                        let range = recordsOf(i)
                        var smallest = keys[Int(members[range.lowerBound])]
                        for m in range.dropFirst() where keys[Int(members[m])] < smallest { smallest = keys[Int(members[m])] }
                        return PersonID.derivedHash(from: smallest)
                    }
                }
            }
        }.flatMap { $0 }
        var hashOf = [UInt64](repeating: 0, count: clusterCount)
        // The first choices' slots read `ahead` clusters early, so their cache misses overlap (one at a time, the
        // table's misses were most of this loop's time).
        let ahead = 16
        var touched: UInt64 = 0
        for i in 0..<clusterCount where idOf[i] == nil {
            if i + ahead < clusterCount, let next = firstChoice[i + ahead] { touched ^= usedHashes.touch(next) }
            if let h = firstChoice[i], usedIDs.isEmpty || !usedIDs.contains(PersonID(derivedHash: h)), usedHashes.insertIfAbsent(h, 0) {
                hashOf[i] = h; continue
            }
            let keys = recordsOf(i).map { recordKeys[Int(members[$0])] }.sorted()
            var chosen: UInt64? = nil
            for k in keys {
                let h = PersonID.derivedHash(from: k)
                if !isUsed(h) { chosen = h; break }
            }
            var salt = 0
            while chosen == nil {
                salt += 1
                let h = PersonID.derivedHash(from: RecordKey(source: keys[0].source, recordID: keys[0].recordID + "#\(salt)"))
                if !isUsed(h) { chosen = h }
            }
            hashOf[i] = chosen!; usedHashes.insert(chosen!, 0)
        }
        Blocking.warmSink.bitwiseXor(touched, ordering: .relaxed)
        // The new ids' strings made once a cluster, and every record's id laid out, in pieces on the workers and
        // straight into the arrays returned (each id a string on the heap, retained once a record: joined from the
        // pieces and then mapped on one thread, about 0.03 s of a 1,000,000-record link).
        guard records > 0 else { return [] }
        let chosen = idOf, hashes = hashOf
        let ids = parallel.array(count: clusterCount, pieces: pieces) { i in chosen[i] ?? PersonID(derivedHash: hashes[i]) }
        return clusterOfRecord.withUnsafeBufferPointer { cluster in
            parallel.array(count: records, pieces: pieces) { r in ids[Int(cluster[r])] }
        }
    }
}

/// An earlier run's persons as `Clustering.personIDs` reads them: each record's earlier person, by the record's index
/// in the data (nil for a record it did not link), and every person id it gave (new ids avoid them all). One optional
/// id a record (16 bytes), not a dictionary keyed by record (about 100 bytes a record: 2.7 GB at 27 million records).
public struct EarlierPersons: Sendable {
    /// Each record's earlier person, by index in the data; empty when there was no earlier run.
    public var ofRecord: [PersonID?]
    /// Every person id of the earlier run, including those of records no longer linked.
    public var all: Set<PersonID>

    public init(ofRecord: [PersonID?], all: Set<PersonID>) { self.ofRecord = ofRecord; self.all = all }

    /// From an earlier run's person by record key, for the records `keys`.
    public init(_ previous: [RecordKey: PersonID], keys: [RecordKey]) {
        ofRecord = previous.isEmpty ? [] : keys.map { previous[$0] }
        all = Set(previous.values)
    }
}
