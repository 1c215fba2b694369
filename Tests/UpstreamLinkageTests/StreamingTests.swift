import Testing
import UpstreamLinkage
import UpstreamModel

/// The memory budget: with a tiny budget the candidate pairs are streamed (counted, then scored block by
/// block, never all held), and the run gives exactly what the unbounded run gives.
@Suite("linkage within a memory budget")
struct StreamingTests {
    static let parallel = Parallelism(workers: 3) { n, body in for i in (0..<n).reversed() { body(i) } }

    @Test func tinyBudgetStreamsAndMatchesTheHeldRun() throws {
        let pop = People.population(people: 300, seed: 9)
        let held = Linker(settings: LinkageSettings(), parallel: Self.parallel).link(pop.inputs)
        let streamed = Linker(settings: LinkageSettings(), parallel: Self.parallel, memoryBudget: 1).link(pop.inputs)
        #expect(!held.streamed)
        #expect(streamed.streamed)
        #expect(held.candidatePairs > 0)
        #expect(streamed.candidatePairs == held.candidatePairs)
        #expect(streamed.model == held.model)
        #expect(streamed.pairs == held.pairs)
        #expect(streamed.nodeLabels == held.nodeLabels)
        #expect(streamed.personIDs == held.personIDs)
        #expect(streamed.review == held.review)
        // And the persons are the real ones: most true pairs found.
        let e = Evaluation.evaluate(predicted: Dictionary(uniqueKeysWithValues: zip(streamed.data.keys, streamed.personIDs.map(\.rawValue))), truth: pop.truth) { $0.source }
        #expect(e.pairwise.f1 > 0.9)
    }

    @Test func incrementalRunWithinTinyBudget() {
        let pop = People.population(people: 200, seed: 4)
        let cut = pop.inputs.count * 3 / 4
        let first = Linker(settings: LinkageSettings()).link(Array(pop.inputs[..<cut]))
        let existing = Array(zip(pop.inputs[..<cut], first.personIDs))
        let new = Array(pop.inputs[cut...])
        let held = Linker(settings: LinkageSettings()).linkIncrementally(existing: existing, new: new, model: first.model)
        let streamed = Linker(settings: LinkageSettings(), memoryBudget: 1).linkIncrementally(existing: existing, new: new, model: first.model)
        #expect(streamed.streamed && !held.streamed)
        #expect(streamed.pairs == held.pairs)
        #expect(streamed.personIDs == held.personIDs)
    }
}

@Suite("memory budget sizes")
struct MemoryBudgetTests {
    @Test func parsesSizes() {
        #expect(MemoryBudget.parse("8G") == 8 << 30)
        #expect(MemoryBudget.parse("8GiB") == 8 << 30)
        #expect(MemoryBudget.parse("512m") == 512 << 20)
        #expect(MemoryBudget.parse("1.5G") == 3 << 29)
        #expect(MemoryBudget.parse("4096") == 4096)
        #expect(MemoryBudget.parse("lots") == nil)
        #expect(MemoryBudget.parse("-1G") == nil)
        #expect(MemoryBudget.parse("0") == nil)
    }
}
