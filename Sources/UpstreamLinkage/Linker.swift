import UpstreamModel

/// The linkage facade: training, prediction, clustering and review as one run over shared settings.
public struct Linker: Sendable {
    public var settings: LinkageSettings
    public var parallel: Parallelism

    /// The stages a run reports, in order, so an adapter can time them and show progress.
    public enum Stage: String, Sendable { case standardise, block, compare, train, score, cluster, assignIDs = "assign_ids", review }

    public init(settings: LinkageSettings = LinkageSettings(), parallel: Parallelism = .serial) {
        self.settings = settings; self.parallel = parallel
    }

    /// What a run produced.
    public struct Result: Sendable {
        public var data: PreparedData
        public var model: LinkageModel
        public var candidatePairs: Int
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
        let data = PreparedData(inputs, settings: model?.settings ?? settings, ownNode: Linker.rejectedKeys(decisions))
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
        let data = PreparedData(inputs, settings: model.settings, isNew: flags, ownNode: Linker.rejectedKeys(decisions))
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
        let candidates = CandidatePairs.generate(data: data, blocking: blocking, comparisons: settings.comparisons, onlyNew: onlyNew, parallel: parallel)
        var model: LinkageModel
        if let given { model = given } else {
            progress(.train)
            model = Training.train(data: data, blocking: blocking, candidates: candidates, settings: settings, parallel: parallel)
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
        let pairs = prediction.score(candidates, keep: keep, parallel: parallel)
        progress(.cluster)
        let labels = Clustering.cluster(data: data, pairs: pairs, threshold: settings.matchThreshold, mustLink: mustLink, cannotLink: cannotLink, initial: initial)
        progress(.assignIDs)
        let ids = Clustering.personIDs(data: data, nodeLabels: labels, previous: previous)
        progress(.review)
        var review = Linker.reviewQueue(data: data, pairs: pairs, labels: labels, lower: settings.reviewLower, upper: settings.matchThreshold, decisions: decisions)
        if review.count <= 100_000 {
            let index = recordIndex.isEmpty ? lookup(data) : recordIndex
            for i in review.indices {
                if let l = index[review[i].left], let r = index[review[i].right] {
                    review[i].explanation = prediction.explain(Int(data.nodeOfRecord[l]), Int(data.nodeOfRecord[r]))
                }
            }
        }
        return Result(data: data, model: model, candidatePairs: candidates.count, pairs: pairs, nodeLabels: labels, personIDs: ids, review: review)
    }

    func lookup(_ data: PreparedData) -> [RecordKey: Int] {
        var m: [RecordKey: Int] = [:]
        for (i, k) in data.keys.enumerated() { m[k] = i }
        return m
    }

    /// Pairs whose probability falls in [lower, upper), not yet decided, most likely first.
    public static func reviewQueue(data: PreparedData, pairs: [ScoredPair], labels: [Int32], lower: Double, upper: Double, decisions: [ReviewDecision]) -> [ReviewItem] {
        let decided = Set(decisions.map(\.pairID))
        let first = data.recordsByNode().map { $0.first ?? 0 }
        var out: [ReviewItem] = []
        for p in pairs {
            let prob = p.probability
            guard prob >= lower, prob < upper else { continue }
            let item = ReviewItem(left: data.keys[Int(first[Int(p.a)])], right: data.keys[Int(first[Int(p.b)])], weight: p.weight, probability: prob,
                                  linkedNow: labels[Int(p.a)] == labels[Int(p.b)])
            if !decided.contains(item.id) { out.append(item) }
        }
        // Pairs the model left apart first (the decisions that change a person), then the most likely.
        out.sort { a, b in
            if a.linkedNow != b.linkedNow { return !a.linkedNow }
            return (a.probability, b.id) > (b.probability, a.id)
        }
        return out
    }

    /// Re-clusters the scored pairs of a result at several thresholds (for a threshold sweep).
    public static func labels(for result: Result, threshold: Double) -> [PersonID] {
        let l = Clustering.cluster(data: result.data, pairs: result.pairs, threshold: threshold)
        return Clustering.personIDs(data: result.data, nodeLabels: l)
    }
}
