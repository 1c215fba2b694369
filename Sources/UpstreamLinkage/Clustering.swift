import UpstreamModel

/// Clustering: persons as groups of nodes joined by pairs above the threshold, built strongest pair first,
/// with a guard against chaining two different people together through a bridge record.
///
/// Two groups are not merged when they hold *conflicting strong evidence*: different valid NHS numbers,
/// pupil numbers or PNC serials with none in common, different local ids of the same id system, or dates of
/// birth of which no pair is even close (no level better than "else"). A rejected review decision is a
/// conflict too; an accepted one merges first, whatever the model says.
public enum Clustering {
    struct Evidence {
        var ids: [(kind: UInt8, scope: Int32, value: Int64)] = []
        var dobs: [Int32] = []
        var rejected: [Int32] = []
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
            let ea = evidence[Int(a)], eb = evidence[Int(b)]
            for (k, scope, _) in ea.ids {
                let va = ea.ids.filter { $0.kind == k && $0.scope == scope }.map(\.value)
                let vb = eb.ids.filter { $0.kind == k && $0.scope == scope }.map(\.value)
                if !vb.isEmpty && !va.contains(where: { vb.contains($0) }) { return true }
            }
            if guardDOB, !ea.dobs.isEmpty, !eb.dobs.isEmpty {
                var close = false
                outer: for x in ea.dobs { for y in eb.dobs where Comparer.dobLevel(x, y) < 5 { close = true; break outer } }
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
            for id in es.ids where !evidence[Int(big)].ids.contains(where: { $0 == id }) { evidence[Int(big)].ids.append(id) }
            for d in es.dobs where !evidence[Int(big)].dobs.contains(d) && evidence[Int(big)].dobs.count < 16 { evidence[Int(big)].dobs.append(d) }
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
    public static func cluster(
        data: PreparedData, pairs: [ScoredPair], threshold: Double, mustLink: [(Int32, Int32)] = [],
        cannotLink: [(Int32, Int32)] = [], initial: [Int32]? = nil, guardDOB: Bool = true
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
                e.ids.append((UInt8(truncatingIfNeeded: k), scope.isEmpty ? -1 : scope[i], values[i]))
            }
            if let dates, dates[i] != PreparedData.missingDate { e.dobs.append(dates[i]) }
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
        let order = pairs.indices.filter { pairs[$0].weight >= thresholdWeight }.sorted { pairs[$0].weight > pairs[$1].weight }
        for p in order {
            let ra = g.find(pairs[p].a), rb = g.find(pairs[p].b)
            if ra == rb { continue }
            if g.conflict(ra, rb, guardDOB: guardDOB) || g.rejects(ra, rb) { continue }
            g.union(ra, rb)
        }
        var label = [Int32](repeating: -1, count: n)
        var rootLabel: [Int32: Int32] = [:]
        for i in 0..<n {
            let r = g.find(Int32(i))
            if let l = rootLabel[r] { label[i] = l } else { rootLabel[r] = Int32(i); label[i] = Int32(i) }
        }
        return label
    }

    /// Stable person ids for every record.
    ///
    /// A cluster keeps the id that most of its records had before (`previous`); when a previous person splits,
    /// the part with most of its records keeps the id. A cluster with no previous id takes one derived from its
    /// smallest record key, so re-running over the same records gives the same ids even with no saved state.
    public static func personIDs(data: PreparedData, nodeLabels: [Int32], previous: [RecordKey: PersonID] = [:]) -> [PersonID] {
        let records = data.keys.count
        var clusterOfRecord = [Int32](repeating: 0, count: records)
        var members: [Int32: [Int32]] = [:]
        for r in 0..<records {
            let c = nodeLabels[Int(data.nodeOfRecord[r])]
            clusterOfRecord[r] = c
            members[c, default: []].append(Int32(r))
        }
        var votes: [(cluster: Int32, id: PersonID, count: Int)] = []
        for (c, rs) in members {
            var count: [PersonID: Int] = [:]
            for r in rs { if let p = previous[data.keys[Int(r)]] { count[p, default: 0] += 1 } }
            for (p, k) in count { votes.append((c, p, k)) }
        }
        votes.sort { ($0.count, $1.id, $1.cluster) > ($1.count, $0.id, $0.cluster) }
        var idOf: [Int32: PersonID] = [:]
        var used = Set<PersonID>(previous.values)
        var taken = Set<PersonID>()
        for v in votes where idOf[v.cluster] == nil && !taken.contains(v.id) {
            idOf[v.cluster] = v.id; taken.insert(v.id)
        }
        used.formUnion(taken)
        for c in members.keys.sorted() where idOf[c] == nil {
            let keys = members[c]!.map { data.keys[Int($0)] }.sorted()
            var chosen: PersonID? = nil
            for k in keys {
                let p = PersonID.derived(from: k)
                if !used.contains(p) { chosen = p; break }
            }
            var salt = 0
            while chosen == nil {
                salt += 1
                let p = PersonID.derived(from: RecordKey(source: keys[0].source, recordID: keys[0].recordID + "#\(salt)"))
                if !used.contains(p) { chosen = p }
            }
            idOf[c] = chosen!; used.insert(chosen!)
        }
        return clusterOfRecord.map { idOf[$0]! }
    }
}
