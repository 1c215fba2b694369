import UpstreamModel

/// The linkage facade: training, prediction, clustering and review as one run over shared settings.
public struct Linker: Sendable {
    public var settings: LinkageSettings
    public var parallel: Parallelism
    /// Bytes the run may spend on candidate pairs (`--memory`). When the blocking rules could produce more pairs
    /// than fit in a quarter of it, the pairs are never held: one pass counts their comparison vectors (for λ)
    /// and a second pass scores them block by block, keeping only pairs above the keep threshold. The result is
    /// the same either way; the streamed run compares each pair twice.
    public var memoryBudget: Int

    /// The default budget, 8 GiB.
    public static let defaultMemoryBudget = 8 << 30

    /// The stages a run reports, in order, so an adapter can time them and show progress.
    public enum Stage: String, Sendable { case standardise, block, compare, train, score, cluster, assignIDs = "assign_ids", review }

    public init(settings: LinkageSettings = LinkageSettings(), parallel: Parallelism = .serial, memoryBudget: Int = Linker.defaultMemoryBudget) {
        self.settings = settings; self.parallel = parallel; self.memoryBudget = memoryBudget
    }

    /// What a run produced.
    public struct Result: Sendable {
        public var data: PreparedData
        public var model: LinkageModel
        public var candidatePairs: Int
        /// Whether the candidate pairs were streamed (scored block by block, never all held) to honour the memory budget.
        public var streamed: Bool
        /// Scored pairs at or above the keep threshold.
        public var pairs: [ScoredPair]
        /// Cluster label per node.
        public var nodeLabels: [Int32]
        /// Person id per input record, in input order.
        public var personIDs: [PersonID]
        /// Pairs in the review band, not yet decided.
        public var review: [ReviewItem]
    }

    /// Links `inputs`.
    /// - Parameters:
    ///   - model: a saved model to reuse; when `nil` a model is trained on these records.
    ///   - previous: person ids from an earlier run, kept stable.
    ///   - decisions: clerical review decisions; they override the model.
    ///   - reestimate: re-estimate m from accepted review decisions before scoring.
    ///   - progress: called as each stage starts.
    public func link(
        _ inputs: [LinkInput], model: LinkageModel? = nil, previous: [RecordKey: PersonID] = [:],
        decisions: [ReviewDecision] = [], reestimate: Bool = false, progress: (Stage) -> Void = { _ in }
    ) -> Result {
        progress(.standardise)
        let data = PreparedData(inputs, settings: model?.settings ?? settings, ownNode: Linker.rejectedKeys(decisions), parallel: parallel)
        return run(data: data, model: model, previous: previous, decisions: decisions, reestimate: reestimate, initial: nil, onlyNew: false, progress: progress)
    }

    /// Links `new` records against `existing` persons with a saved model, without relinking the existing ones:
    /// only pairs involving a new record are compared; existing persons keep their records and ids
    /// (two of them merge only when new evidence joins them).
    public func linkIncrementally(
        existing: [(LinkInput, PersonID)], new: [LinkInput], model: LinkageModel, decisions: [ReviewDecision] = [],
        progress: (Stage) -> Void = { _ in }
    ) -> Result {
        progress(.standardise)
        let inputs = existing.map(\.0) + new
        let flags = [Bool](repeating: false, count: existing.count) + [Bool](repeating: true, count: new.count)
        let data = PreparedData(inputs, settings: model.settings, isNew: flags, ownNode: Linker.rejectedKeys(decisions), parallel: parallel)
        var labelOfPerson: [PersonID: Int32] = [:]
        var initial = [Int32](repeating: -1, count: data.nodeCount)
        var previous: [RecordKey: PersonID] = [:]
        for (r, (input, person)) in existing.enumerated() {
            previous[input.key] = person
            let label = labelOfPerson[person] ?? { let v = Int32(labelOfPerson.count); labelOfPerson[person] = v; return v }()
            let node = Int(data.nodeOfRecord[r])
            if initial[node] < 0 { initial[node] = label }
        }
        return run(data: data, model: model, previous: previous, decisions: decisions, reestimate: false, initial: initial, onlyNew: true, progress: progress)
    }

    static func rejectedKeys(_ decisions: [ReviewDecision]) -> Set<RecordKey> {
        Set(decisions.filter { $0.verdict == .reject }.flatMap { [$0.left, $0.right] })
    }

    func run(
        data: PreparedData, model given: LinkageModel?, previous: [RecordKey: PersonID], decisions: [ReviewDecision],
        reestimate: Bool, initial: [Int32]?, onlyNew: Bool, progress: (Stage) -> Void
    ) -> Result {
        let settings = given?.settings ?? self.settings
        progress(.block)
        let blocking = Blocking(data: data, rules: settings.blockingRules, maxBlockSize: settings.maxBlockSize, parallel: parallel)
        progress(.compare)
        // Held pairs cost 16 bytes each, twice while the workers' parts are joined; at most a quarter of the budget.
        let bound = (0..<blocking.rules.count).reduce(0) { $0 + blocking.pairCount(rule: $1) }
        let streamed = bound > memoryBudget / 4 / (2 * CandidatePairs.bytesPerPair)
        var candidates: CandidatePairs? = nil
        var patterns: PatternCounts? = nil
        if !streamed {
            let c = CandidatePairs.generate(data: data, blocking: blocking, comparisons: settings.comparisons, onlyNew: onlyNew, parallel: parallel)
            patterns = PatternCounts(c)
            candidates = c
        } else if given == nil {
            // Training needs the vectors' counts (for λ) before any pair can be scored: a first pass.
            patterns = PatternCounts(data: data, blocking: blocking, comparisons: settings.comparisons, onlyNew: onlyNew, parallel: parallel)
        }
        var model: LinkageModel
        if let given { model = given } else {
            progress(.train)
            model = Training.train(data: data, blocking: blocking, patterns: patterns!, settings: settings, parallel: parallel)
        }
        // Review decisions: record keys to nodes.
        var recordIndex: [RecordKey: Int] = [:]
        if !decisions.isEmpty { for (i, k) in data.keys.enumerated() { recordIndex[k] = i } }
        var mustLink: [(Int32, Int32)] = [], cannotLink: [(Int32, Int32)] = []
        var acceptedGammas: [Gamma] = []
        let comparer = Comparer(data: data, comparisons: settings.comparisons)
        for d in decisions {
            guard let l = recordIndex[d.left], let r = recordIndex[d.right] else { continue }
            let a = data.nodeOfRecord[l], b = data.nodeOfRecord[r]
            switch d.verdict {
            case .accept: mustLink.append((a, b)); acceptedGammas.append(comparer.gamma(Int(a), Int(b)))
            case .reject: cannotLink.append((a, b))
            }
        }
        if reestimate && !acceptedGammas.isEmpty { model = Training.reestimateM(model: model, accepted: acceptedGammas) }
        progress(.score)
        let prediction = Prediction(model: model, data: data)
        let keep = min(settings.keepThreshold, settings.reviewLower)
        let pairs: [ScoredPair], candidateCount: Int
        if let c = candidates {
            pairs = prediction.score(c, keep: keep, parallel: parallel); candidateCount = c.count
        } else {
            (pairs, candidateCount) = prediction.score(blocking: blocking, onlyNew: onlyNew, keep: keep, parallel: parallel)
        }
        candidates = nil
        progress(.cluster)
        let labels = Clustering.cluster(data: data, pairs: pairs, threshold: settings.matchThreshold, mustLink: mustLink, cannotLink: cannotLink, initial: initial)
        progress(.assignIDs)
        let ids = Clustering.personIDs(data: data, nodeLabels: labels, previous: previous)
        progress(.review)
        let queue = Linker.reviewNodes(data: data, pairs: pairs, labels: labels, lower: settings.reviewLower, upper: settings.matchThreshold, decisions: decisions)
        var review = queue.map(\.item)
        if review.count <= 100_000 {
            for i in review.indices { review[i].explanation = prediction.explain(Int(queue[i].a), Int(queue[i].b)) }
        }
        return Result(data: data, model: model, candidatePairs: candidateCount, streamed: streamed, pairs: pairs, nodeLabels: labels, personIDs: ids, review: review)
    }

    /// Pairs whose probability falls in [lower, upper), not yet decided, most likely first.
    public static func reviewQueue(data: PreparedData, pairs: [ScoredPair], labels: [Int32], lower: Double, upper: Double, decisions: [ReviewDecision]) -> [ReviewItem] {
        reviewNodes(data: data, pairs: pairs, labels: labels, lower: lower, upper: upper, decisions: decisions).map(\.item)
    }

    /// The review queue with each item's nodes.
    static func reviewNodes(data: PreparedData, pairs: [ScoredPair], labels: [Int32], lower: Double, upper: Double, decisions: [ReviewDecision]) -> [(item: ReviewItem, a: Int32, b: Int32)] {
        let decided = Set(decisions.map(\.pairID))
        // Each node's first record (no per-node arrays: one Int32 per node).
        var first = [Int32](repeating: -1, count: data.nodeCount)
        for (r, n) in data.nodeOfRecord.enumerated() where first[Int(n)] < 0 { first[Int(n)] = Int32(r) }
        var out: [(item: ReviewItem, a: Int32, b: Int32)] = []
        for p in pairs {
            let prob = p.probability
            guard prob >= lower, prob < upper else { continue }
            let item = ReviewItem(left: data.keys[Int(first[Int(p.a)])], right: data.keys[Int(first[Int(p.b)])], weight: p.weight, probability: prob,
                                  linkedNow: labels[Int(p.a)] == labels[Int(p.b)])
            if !decided.contains(item.id) { out.append((item, p.a, p.b)) }
        }
        // Pairs the model left apart first (the decisions that change a person), then the most likely.
        out.sort { a, b in
            if a.item.linkedNow != b.item.linkedNow { return !a.item.linkedNow }
            return (a.item.probability, b.item.id) > (b.item.probability, a.item.id)
        }
        return out
    }

    /// Re-clusters the scored pairs of a result at several thresholds (for a threshold sweep).
    public static func labels(for result: Result, threshold: Double) -> [PersonID] {
        let l = Clustering.cluster(data: result.data, pairs: result.pairs, threshold: threshold)
        return Clustering.personIDs(data: result.data, nodeLabels: l)
    }
}
