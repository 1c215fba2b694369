import Dispatch
import Testing
@testable import UpstreamLinkage
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

    /// With workers that really run at once (the adapters' `concurrentPerform`), the streamed and held runs and a
    /// serial run agree: no worker's batch of pairs or vectors is shared with another's (a scratch buffer shared by the
    /// counting pass's workers once corrupted vectors at city scale, which a serial test could not show).
    @Test func concurrentWorkersStreamAndHoldAsOneThreadDoes() throws {
        let concurrent = Parallelism(workers: 4) { n, body in DispatchQueue.concurrentPerform(iterations: n, execute: body) }
        let pop = People.population(people: 1_500, seed: 21)
        let serial = Linker(settings: LinkageSettings(), parallel: .serial).link(pop.inputs)
        let held = Linker(settings: LinkageSettings(), parallel: concurrent).link(pop.inputs)
        let streamed = Linker(settings: LinkageSettings(), parallel: concurrent, memoryBudget: 1).link(pop.inputs)
        #expect(!held.streamed && streamed.streamed)
        #expect(serial.candidatePairs > 4 * Blocking.pairBatch, "several batches for the workers to share")
        for run in [held, streamed] {
            #expect(run.model == serial.model)
            #expect(run.pairs == serial.pairs)
            #expect(run.personIDs == serial.personIDs)
        }
    }

    /// The counting pass keeps each streamed pair's comparison vector (two bytes a pair) and the scoring pass reads
    /// it: the same scored pairs as comparing every pair again, each piece's indexes let go once read.
    @Test func keptVectorsScoreAsComparingAgain() throws {
        let pop = People.population(people: 300, seed: 9)
        let settings = LinkageSettings()
        let held = Linker(settings: settings, parallel: Self.parallel).link(pop.inputs)
        let data = held.data
        let blocking = Blocking(data: data, rules: settings.blockingRules, maxBlockSize: settings.maxBlockSize,
                                splitBlockSize: settings.splitBlockSize, parallel: Self.parallel)
        let counted = PatternCounts(data: data, blocking: blocking, comparisons: settings.comparisons, parallel: Self.parallel,
                                    keepingVectors: PairVectors.Allowance(bytes: 1 << 40))
        let plain = PatternCounts(data: data, blocking: blocking, comparisons: settings.comparisons, parallel: Self.parallel)
        #expect(counted.counts == plain.counts && counted.total == plain.total)
        #expect(plain.vectors == nil)
        let vectors = try #require(counted.vectors)
        #expect(vectors.byteCount == 2 * counted.total)
        let prediction = Prediction(model: held.model, data: data)
        let again = prediction.score(blocking: blocking, keep: 0.01, parallel: Self.parallel)
        let read = prediction.score(blocking: blocking, keep: 0.01, parallel: Self.parallel, vectors: vectors)
        #expect(again.compared == counted.total && read.compared == again.compared)
        #expect(read.pairs == again.pairs)
        #expect(read.pairs.count > 0)
        #expect(vectors.pieces.allSatisfy { $0 == nil || $0!.ids.isEmpty }, "each piece's indexes are let go once read")

        // With room for one step of pairs, one piece at most keeps its vectors and the rest are compared again: the
        // same scored pairs.
        let step = PairVectors.Allowance.step
        let little = PatternCounts(data: data, blocking: blocking, comparisons: settings.comparisons, parallel: Self.parallel,
                                   keepingVectors: PairVectors.Allowance(bytes: 2 * step))
        let partly = try #require(little.vectors)
        #expect(partly.pieces.contains { $0 == nil } && partly.pieces.contains { $0 != nil })
        #expect(partly.byteCount > 0 && partly.byteCount <= 2 * step)
        let mixed = prediction.score(blocking: blocking, keep: 0.01, parallel: Self.parallel, vectors: partly)
        #expect(mixed.compared == again.compared && mixed.pairs == again.pairs)
    }

    /// A piece with more distinct vectors than 16 bits can index keeps none (its pairs are compared again), and a
    /// link within a budget that streams its pairs but fits their vectors keeps them and gives the held run's persons.
    @Test func aPieceWithTooManyVectorsKeepsNoneAndABudgetThatFitsKeepsThem() throws {
        var piece = PairVectors.Piece(keeping: true)
        for bits in 0..<UInt64(70_000) { piece.add(bits) }
        piece.add(5)
        #expect(!piece.keeping && piece.ids.isEmpty && piece.pairs == 70_001 && piece.counts[5] == 2)
        let kept = PairVectors(pieces: [piece])
        #expect(kept.pieces.count == 1 && kept.pieces[0] == nil && kept.byteCount == 0)

        // An allowance of two steps: a piece keeps up to it, the next is refused and keeps none, and a piece refused
        // later lets its indexes go and gives its room back.
        let step = PairVectors.Allowance.step
        let allowance = PairVectors.Allowance(bytes: 2 * step * 2)
        var first = PairVectors.Piece(allowance: allowance)
        for i in 0..<(2 * step) { first.add(UInt64(i % 7)) }
        #expect(first.keeping && first.ids.count == 2 * step && allowance.pairsLeft == 0)
        var second = PairVectors.Piece(allowance: allowance)
        second.add(1)
        #expect(!second.keeping && second.ids.isEmpty && second.pairs == 1 && allowance.pairsLeft == 0)
        first.add(3)
        #expect(!first.keeping && first.ids.isEmpty && first.pairs == 2 * step + 1 && allowance.pairsLeft == 2 * step)
        let refused = PairVectors(pieces: [first, second])
        #expect(refused.pieces.allSatisfy { $0 == nil } && refused.byteCount == 0)
        #expect(PairVectors.Allowance.forLink(memoryBudget: 16 << 30).pairsLeft == 1 << 30)

        let pop = People.population(people: 300, seed: 9)
        let held = Linker(settings: LinkageSettings(), parallel: Self.parallel).link(pop.inputs)
        // Streamed when the pairs' bound is over a 128th of the budget; every vector kept when it is at most a 16th.
        let settings = LinkageSettings()
        let blocking = Blocking(data: held.data, rules: settings.blockingRules, maxBlockSize: settings.maxBlockSize,
                                splitBlockSize: settings.splitBlockSize, parallel: Self.parallel)
        let bound = (0..<blocking.rules.count).reduce(0) { $0 + blocking.pairCount(rule: $1) }
        let budget = bound * 64
        #expect(PairVectors.Allowance.forLink(memoryBudget: budget).pairsLeft >= bound)
        let streamed = Linker(settings: LinkageSettings(), parallel: Self.parallel, memoryBudget: budget).link(pop.inputs)
        #expect(streamed.streamed)
        #expect(streamed.pairs == held.pairs)
        #expect(streamed.personIDs == held.personIDs)
    }

    /// Records fed to `PreparedData.Builder` in uneven batches (interned while the next batch is standardised, on
    /// workers that run their jobs in reverse) make exactly the data of one call over every record, and the same
    /// persons; the rejected pair's records still get nodes of their own.
    @Test func builderInBatchesMakesTheSameDataAndPersons() throws {
        let pop = People.population(people: 300, seed: 9)
        let whole = PreparedData(pop.inputs, settings: LinkageSettings())
        let own: Set<RecordKey> = [pop.inputs[3].key, pop.inputs[40].key]
        // Reserving for fewer, as many or more records and nodes than come changes nothing but the arrays' room.
        for (sizes, expected) in [([1, 2, 500, 7], 0), ([100_000], pop.inputs.count), ([33], 10), ([33], 100_000)] {
            let builder = PreparedData.Builder(settings: LinkageSettings(), ownNode: own, parallel: Self.parallel,
                                               expectedRecords: expected, expectedNodes: expected)
            var start = 0, k = 0
            while start < pop.inputs.count {
                let end = min(pop.inputs.count, start + sizes[k % sizes.count])
                builder.add(Array(pop.inputs[start..<end]))
                start = end; k += 1
            }
            #expect(builder.recordsAdded == pop.inputs.count)
            let batched = builder.finish()
            let reference = PreparedData(pop.inputs, settings: LinkageSettings(), ownNode: own)
            #expect(batched.keys == reference.keys)
            #expect(batched.nodeOfRecord == reference.nodeOfRecord)
            #expect(batched.recordCount == reference.recordCount)
            #expect(batched.strings == reference.strings)
            #expect(batched.agencyOfRecord == reference.agencyOfRecord)
            #expect(batched.columns.map(\.value) == reference.columns.map(\.value))
            #expect(batched.columns.map(\.phonetic) == reference.columns.map(\.phonetic))
            #expect(batched.columns.map(\.tokens) == reference.columns.map(\.tokens))
            // The two rejected records have nodes of their own, so there is one node more per record than without.
            #expect(batched.nodeCount >= whole.nodeCount)
            let n3 = batched.nodeOfRecord[3], n40 = batched.nodeOfRecord[40]
            #expect(batched.nodeOfRecord.filter { $0 == n3 }.count == 1)
            #expect(batched.nodeOfRecord.filter { $0 == n40 }.count == 1)
        }
        // Linking the built data is linking the records.
        let builder = PreparedData.Builder(settings: LinkageSettings(), parallel: Self.parallel)
        for i in stride(from: 0, to: pop.inputs.count, by: 97) { builder.add(Array(pop.inputs[i..<min(pop.inputs.count, i + 97)])) }
        let viaBuilder = Linker(settings: LinkageSettings(), parallel: Self.parallel).link(prepared: builder.finish())
        let direct = Linker(settings: LinkageSettings()).link(pop.inputs)
        #expect(viaBuilder.model == direct.model)
        #expect(viaBuilder.pairs == direct.pairs)
        #expect(viaBuilder.personIDs == direct.personIDs)
        #expect(viaBuilder.review == direct.review)
    }

    /// The scored pairs are kept from `Linker.keptProbability` (the lowest of `review_lower`, the match threshold and
    /// the evaluation sweep's 0.5), not from `keep_threshold` (0.01): at any budget (held or streamed pairs) the run
    /// keeps exactly the candidate pairs at or above it, and the labels, person ids, review queue and every sweep
    /// threshold's clustering are what all the candidate pairs give.
    @Test func pairsNothingReadsAreNotKeptAndChangeNothing() {
        let pop = People.population(people: 300, seed: 9)
        let settings = LinkageSettings()
        for budget in [Linker.defaultMemoryBudget, 1] {
            let run = Linker(settings: settings, parallel: Self.parallel, memoryBudget: budget).link(pop.inputs)
            #expect(run.streamed == (budget == 1))
            let floor = Linker.keptProbability(run.model.settings)
            #expect(floor == 0.5)
            let floorWeight = (floor / (1 - floor)).log2Value
            // Every candidate pair scored (a superset of what runs before session 11 kept from keep_threshold, 0.01).
            let blocking = Blocking(data: run.data, rules: settings.blockingRules, maxBlockSize: settings.maxBlockSize,
                                    splitBlockSize: settings.splitBlockSize)
            let candidates = CandidatePairs.generate(data: run.data, blocking: blocking, comparisons: settings.comparisons)
            let all = Prediction(model: run.model, data: run.data).score(candidates, keep: 0)
            #expect(all.count == candidates.count && all.count > run.pairs.count, "some pairs below 0.5 to drop")
            #expect(all.filter { $0.weight >= floorWeight } == run.pairs)
            let labels = Clustering.cluster(data: run.data, pairs: all, threshold: settings.matchThreshold)
            #expect(labels == run.nodeLabels)
            #expect(Clustering.personIDs(data: run.data, nodeLabels: labels) == run.personIDs)
            let queue = Linker.reviewQueue(data: run.data, pairs: all, labels: labels, lower: settings.reviewLower,
                                           upper: settings.matchThreshold, decisions: [], cap: settings.maxReviewPairs)
            #expect(!queue.queue.isEmpty)
            #expect(queue.queue.map(\.id) == run.review.map(\.id))
            #expect(queue.counts == run.reviewCounts)
            for t in Linker.sweepThresholds {
                #expect(Clustering.cluster(data: run.data, pairs: all, threshold: t) == Clustering.cluster(data: run.data, pairs: run.pairs, threshold: t))
            }
        }
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
