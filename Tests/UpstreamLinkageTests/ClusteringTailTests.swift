import Dispatch
import Testing
@testable import UpstreamLinkage
import UpstreamModel

/// The clustering tail on two cores (session 10): the person ids worked out per cluster on workers and the pairs
/// sorted as two halves give exactly what the one-thread code gave (kept here as the reference), for any
/// parallelism, with and without an earlier run's ids. Clusters are taken in the order of their first records (so
/// ties do not hang on how the nodes are numbered; session 46 numbered them by a blocking key).
@Suite("clustering tail on workers")
struct ClusteringTailTests {
    /// Runs its jobs in reverse on "3 workers", so no result can depend on job order.
    static let parallel = Parallelism(workers: 3) { n, body in for i in (0..<n).reversed() { body(i) } }

    /// The person ids as session 9 computed them (a dictionary of member arrays, one thread).
    static func referenceIDs(data: PreparedData, nodeLabels: [Int32], previous: [RecordKey: PersonID]) -> [PersonID] {
        var members: [Int32: [Int32]] = [:]
        for r in 0..<data.keys.count { members[nodeLabels[Int(data.nodeOfRecord[r])], default: []].append(Int32(r)) }
        var votes: [(cluster: Int32, id: PersonID, count: Int)] = []
        // A cluster's place: its first record (members are in record order).
        for (_, rs) in members {
            var count: [PersonID: Int] = [:]
            for r in rs { if let p = previous[data.keys[Int(r)]] { count[p, default: 0] += 1 } }
            for (p, k) in count { votes.append((rs[0], p, k)) }
        }
        votes.sort { ($0.count, $1.id, $1.cluster) > ($1.count, $0.id, $0.cluster) }
        var idOf: [Int32: PersonID] = [:]   // by the cluster's first record
        var used = Set<PersonID>(previous.values), taken = Set<PersonID>()
        for v in votes where idOf[v.cluster] == nil && !taken.contains(v.id) { idOf[v.cluster] = v.id; taken.insert(v.id) }
        used.formUnion(taken)
        for rs in members.values.sorted(by: { $0[0] < $1[0] }) where idOf[rs[0]] == nil {
            let keys = rs.map { data.keys[Int($0)] }.sorted()
            var chosen: PersonID? = nil
            for k in keys where !used.contains(PersonID.derived(from: k)) { chosen = PersonID.derived(from: k); break }
            var salt = 0
            while chosen == nil {
                salt += 1
                let p = PersonID.derived(from: RecordKey(source: keys[0].source, recordID: keys[0].recordID + "#\(salt)"))
                if !used.contains(p) { chosen = p }
            }
            idOf[rs[0]] = chosen!; used.insert(chosen!)
        }
        return (0..<data.keys.count).map { idOf[members[nodeLabels[Int(data.nodeOfRecord[$0])]]![0]]! }
    }

    @Test func personIDsMatchTheOneThreadReference() {
        let pop = People.population(people: 400, seed: 17)
        let result = Linker(settings: LinkageSettings(uSamplePairs: 50_000)).link(pop.inputs)
        let data = result.data, labels = result.nodeLabels
        // An earlier run whose persons were cut differently: every third record's id moved to its neighbour's, and
        // one cluster's smallest key's derived id already held by an unrelated record (so that cluster falls back
        // to its next key, or a salted one).
        var previous: [RecordKey: PersonID] = [:]
        for (i, k) in data.keys.enumerated() where i % 5 != 0 {
            previous[k] = i % 3 == 0 && i > 0 ? result.personIDs[i - 1] : result.personIDs[i]
        }
        let clash = data.keys[0]
        previous[data.keys[data.keys.count - 1]] = PersonID.derived(from: clash)
        for p in [[:], previous] {
            let reference = Self.referenceIDs(data: data, nodeLabels: labels, previous: p)
            #expect(Clustering.personIDs(data: data, nodeLabels: labels, previous: p) == reference)
            #expect(Clustering.personIDs(data: data, nodeLabels: labels, previous: p, parallel: Self.parallel) == reference)
        }
        #expect(Set(result.personIDs).count > 100)
        #expect(result.personCount == Set(result.personIDs).count)
    }

    @Test func aClusterWhoseFirstChoiceIsTakenFallsBackToItsNextKey() {
        let pop = People.population(people: 50, seed: 3)
        let result = Linker(settings: LinkageSettings(uSamplePairs: 20_000)).link(pop.inputs)
        let data = result.data, labels = result.nodeLabels
        // A cluster of two or more records: give its smallest key's derived id to a record of another cluster.
        let label = labels[Int(data.nodeOfRecord[(0..<data.keys.count).first { r in
            (0..<data.keys.count).contains { $0 != r && labels[Int(data.nodeOfRecord[$0])] == labels[Int(data.nodeOfRecord[r])] }
        }!])]
        let mine = (0..<data.keys.count).filter { labels[Int(data.nodeOfRecord[$0])] == label }
        let keys = mine.map { data.keys[$0] }.sorted()
        let other = (0..<data.keys.count).first { labels[Int(data.nodeOfRecord[$0])] != label }!
        let previous = [data.keys[other]: PersonID.derived(from: keys[0])]
        let ids = Clustering.personIDs(data: data, nodeLabels: labels, previous: previous, parallel: Self.parallel)
        #expect(ids[other] == PersonID.derived(from: keys[0]))
        #expect(ids[mine[0]] == PersonID.derived(from: keys[1]))
        #expect(ids == Self.referenceIDs(data: data, nodeLabels: labels, previous: previous))
    }

    @Test func pairsStrongestFirstAsAStableSortWould() {
        // Weights with many ties, an odd count so the halves differ.
        var pairs: [ScoredPair] = []
        for i in 0..<1001 {
            let w: Double = Double((i * 7919) % 13) - 4.0
            pairs.append(ScoredPair(a: Int32(i), b: Int32(i + 1), weight: w))
        }
        let kept: [Int] = pairs.indices.filter { (i: Int) -> Bool in pairs[i].weight >= -1 }
        let sorted: [Int] = kept.sorted { (x: Int, y: Int) -> Bool in pairs[x].weight > pairs[y].weight }
        let reference: [Int32] = sorted.map { Int32($0) }
        #expect(Clustering.strongestFirst(pairs, atLeast: -1) == reference)
        #expect(Clustering.strongestFirst(pairs, atLeast: -1, parallel: Self.parallel) == reference)
        #expect(Clustering.strongestFirst([], atLeast: 0, parallel: Self.parallel).isEmpty)
        #expect(reference.count > 100 && reference.count < 1001)
        // The joining loop's nodes, laid out in that order on workers (real threads, and in reverse), are the pairs'.
        let ends = reference.flatMap { [pairs[Int($0)].a, pairs[Int($0)].b] }
        let threads = Parallelism(workers: 2) { n, body in DispatchQueue.concurrentPerform(iterations: n, execute: body) }
        #expect(Clustering.ends(of: pairs, in: reference, parallel: threads) == ends)
        #expect(Clustering.ends(of: pairs, in: reference, parallel: Self.parallel) == ends)
        #expect(Clustering.ends(of: pairs, in: [], parallel: threads).isEmpty)
    }

    @Test func clusteringOnWorkersGivesTheSamePersons() {
        let pop = People.population(people: 300, seed: 11)
        let serial = Linker(settings: LinkageSettings(uSamplePairs: 50_000)).link(pop.inputs)
        let parallel = Linker(settings: LinkageSettings(uSamplePairs: 50_000), parallel: Self.parallel).link(pop.inputs)
        #expect(parallel.nodeLabels == serial.nodeLabels)
        #expect(parallel.personIDs == serial.personIDs)
    }
}

/// `Parallelism.array(count:pieces:_:)`: every element is the one its index gives, whatever the pieces and workers, and
/// the jobs' order (the clustering's ends and person ids are laid out with it).
@Suite("arrays made in pieces on workers")
struct ParallelArrayTests {
    @Test("each element is element(i), for any count, pieces and workers, jobs run in reverse", arguments: [0, 1, 2, 63, 64, 65, 1_000, 4_097])
    func elementsAreTheirIndexes(count: Int) {
        let reversed = Parallelism(workers: 3) { n, body in for i in (0..<n).reversed() { body(i) } }
        let threads = Parallelism(workers: 2) { n, body in DispatchQueue.concurrentPerform(iterations: n) { body($0) } }
        for parallel in [Parallelism.serial, reversed, threads] {
            for pieces in [1, 3, 64, 5_000] {
                let made = parallel.array(count: count, pieces: pieces) { i in "\(i * 7)" }
                #expect(made == (0..<count).map { "\($0 * 7)" }, "count \(count), pieces \(pieces), workers \(parallel.workers)")
            }
        }
    }
}
