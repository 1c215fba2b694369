import Dispatch
import Testing
import UpstreamLinkage
import UpstreamModel

@Suite("Clustering, stable ids, incremental linking, review")
struct ClusteringTests {
    static let settings = LinkageSettings(uSamplePairs: 50_000)

    func ids(_ result: Linker.Result) -> [RecordKey: PersonID] {
        Dictionary(uniqueKeysWithValues: zip(result.data.keys, result.personIDs))
    }

    @Test func linksANoisyPopulationWell() {
        let pop = People.population(people: 300, seed: 21)
        let result = Linker(settings: Self.settings).link(pop.inputs)
        let e = Evaluation.evaluate(predicted: ids(result).mapValues(\.rawValue), truth: pop.truth) { $0.source }
        #expect(e.pairwise.f1 > 0.9)
        #expect(e.bcubedF1 > 0.9)
    }

    @Test func idsAreStableAcrossRerunsInAnyOrder() {
        let pop = People.population(people: 200, seed: 4)
        let first = ids(Linker(settings: Self.settings).link(pop.inputs))
        var shuffled = pop.inputs
        var rng = SplitMix64(seed: 99)
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, rng.below(i + 1)) }
        // Without saved state: ids derive from each cluster's smallest record key.
        let second = ids(Linker(settings: Self.settings).link(shuffled))
        #expect(first == second)
        // With saved state: the previous ids are kept.
        let third = ids(Linker(settings: Self.settings).link(shuffled, previous: first))
        #expect(first == third)
    }

    @Test func incrementalLinkingKeepsExistingPersonsAndJoinsNewRecords() throws {
        let pop = People.population(people: 200, seed: 8)
        var all = pop.inputs
        var rng = SplitMix64(seed: 5)
        for i in stride(from: all.count - 1, to: 0, by: -1) { all.swapAt(i, rng.below(i + 1)) }
        let cut = all.count * 3 / 4
        let old = Array(all[..<cut]), new = Array(all[cut...])
        let base = Linker(settings: Self.settings).link(old)
        let before = ids(base)
        let existing = old.map { ($0, before[$0.key]!) }
        let result = Linker(settings: Self.settings).linkIncrementally(existing: existing, new: new, model: base.model)
        let after = ids(result)
        // Every existing record keeps its person (no person is split; merges keep the larger person's id).
        var moved = 0
        for (k, p) in before where after[k] != p { moved += 1 }
        #expect(moved <= before.count / 50)
        // New records join existing persons where the truth says they should.
        var joined = 0, shouldJoin = 0
        let personOfTruth = Dictionary(old.map { (pop.truth[$0.key]!, before[$0.key]!) }, uniquingKeysWith: { a, _ in a })
        for n in new {
            guard let expected = personOfTruth[pop.truth[n.key]!] else { continue }
            shouldJoin += 1
            if after[n.key] == expected { joined += 1 }
        }
        #expect(shouldJoin > 0)
        #expect(Double(joined) / Double(shouldJoin) > 0.85)
        // Only pairs involving a new record were compared.
        #expect(result.candidatePairs < base.candidatePairs)
    }

    @Test func reviewDecisionsOverrideTheModel() {
        let d = CivilDateFixture.date(2004, 5, 6)
        var inputs = People.population(people: 100, seed: 2).inputs
        // Two identical records (the model links them) and two unrelated ones (the model does not).
        inputs.append(People.input("x", "same-1", "ZEBEDEE", "QUARTERMAINE", d, sex: .male, postcode: "UC9 9ZZ"))
        inputs.append(People.input("y", "same-2", "ZEBEDEE", "QUARTERMAINE", d, sex: .male, postcode: "UC9 9ZZ"))
        inputs.append(People.input("x", "apart-1", "ARABELLA", "FOTHERINGAY", CivilDateFixture.date(1970, 1, 2), sex: .female))
        inputs.append(People.input("y", "apart-2", "BARTHOLOMEW", "ENTWISTLE", CivilDateFixture.date(1988, 8, 9), sex: .male))
        let k = { (s: String, r: String) in RecordKey(source: s, recordID: r) }
        let plain = ids(Linker(settings: Self.settings).link(inputs))
        #expect(plain[k("x", "same-1")] == plain[k("y", "same-2")])
        #expect(plain[k("x", "apart-1")] != plain[k("y", "apart-2")])
        let decisions = [
            ReviewDecision(left: k("x", "same-1"), right: k("y", "same-2"), verdict: .reject, decidedAt: 0),
            ReviewDecision(left: k("x", "apart-1"), right: k("y", "apart-2"), verdict: .accept, decidedAt: 0),
        ]
        let result = Linker(settings: Self.settings).link(inputs, decisions: decisions, reestimate: true)
        let reviewed = ids(result)
        #expect(reviewed[k("x", "same-1")] != reviewed[k("y", "same-2")])
        #expect(reviewed[k("x", "apart-1")] == reviewed[k("y", "apart-2")])
        #expect(result.model.summary.reviewedPairs == 1)
    }

    @Test func conflictingIdentifiersAreNotChained() {
        let d = CivilDateFixture.date(2004, 5, 6)
        // A and C carry different valid NHS numbers; B (no NHS number) matches both on everything else.
        let inputs = [
            People.input("ed", "A", "JACK", "SMITH", d, sex: .male, postcode: "UC1 1AB", nhs: "9434765919"),
            People.input("police", "B", "JACK", "SMITH", d, sex: .male, postcode: "UC1 1AB"),
            People.input("ed", "C", "JACK", "SMITH", d, sex: .male, postcode: "UC1 1AB", nhs: "9434765870"),
        ] + People.population(people: 80, seed: 5).inputs
        let r = ids(Linker(settings: Self.settings).link(inputs))
        let k = { RecordKey(source: $0, recordID: $1) }
        #expect(r[k("ed", "A")] != r[k("ed", "C")])
    }

    @Test func waterfallAddsUpToTheMatchWeight() {
        let pop = People.population(people: 100, seed: 12)
        let result = Linker(settings: Self.settings).link(pop.inputs)
        let prediction = Prediction(model: result.model, data: result.data)
        for p in result.pairs.prefix(50) {
            let e = prediction.explain(Int(p.a), Int(p.b))
            #expect(abs(e.weight - p.weight) < 1e-9)
            let sum = e.priorWeight + e.steps.reduce(0) { $0 + $1.weight + $1.tfAdjustment }
            #expect(abs(sum - e.weight) < 1e-9)
            #expect(abs((e.steps.last?.cumulative ?? e.priorWeight) - e.weight) < 1e-9)
        }
        // A review queue's pairs explained together, on workers, as one by one.
        let pairs = result.pairs.prefix(700).map { (a: Int($0.a), b: Int($0.b)) }
        let threads = Parallelism(workers: 2) { n, body in DispatchQueue.concurrentPerform(iterations: n, execute: body) }
        #expect(prediction.explain(pairs, parallel: threads) == pairs.map { prediction.explain($0.a, $0.b) })
    }
}
