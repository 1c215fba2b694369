import UpstreamModel

/// The linkage facade: training, prediction, clustering and review as one run over shared settings.
public struct Linker: Sendable {
    public var settings: LinkageSettings
    public var parallel: Parallelism
    /// Bytes the run may spend on candidate pairs (`--memory`). When the blocking rules could produce more pairs
    /// than fit in a quarter of it, the pairs are never held: one pass counts their comparison vectors (for λ)
    /// and a second pass scores them block by block, keeping only pairs at or above `keptProbability`. The result is
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
        /// Scored pairs at or above `Linker.keptProbability` (the lowest of the review band, the match threshold and
        /// the evaluation's sweep).
        public var pairs: [ScoredPair]
        /// Cluster label per node.
        public var nodeLabels: [Int32]
        /// Person id per input record, in input order.
        public var personIDs: [PersonID]
        /// Pairs queued for clerical review (see `reviewNodes`).
        public var review: [ReviewItem]
        /// How the review band's pairs came down to the queue.
        public var reviewCounts: ReviewCounts = ReviewCounts()

        /// How many persons the run found: the clusters that hold a record (each cluster is given its own id, so this
        /// is the number of distinct `personIDs`, counted from the labels without hashing every record's id).
        public var personCount: Int {
            var seen = [Bool](repeating: false, count: nodeLabels.count)
            var n = 0
            for node in data.nodeOfRecord {
                let c = Int(nodeLabels[Int(node)])
                if !seen[c] { seen[c] = true; n += 1 }
            }
            return n
        }
    }

    /// How one run's review band came down to its queue: every band pair is counted once, in the first line that
    /// applies. `inBand == alreadyOnePerson + samePersons + overCap + queued`.
    public struct ReviewCounts: Sendable, Codable, Hashable {
        /// Pairs with probability in [review_lower, match_threshold), not decided by a reviewer.
        public var inBand = 0
        /// Left out: the two records are already one person through links at or above the match threshold.
        public var alreadyOnePerson = 0
        /// Left out: another band pair between the same two persons is queued (the more likely one), and its
        /// decision settles the two persons.
        public var samePersons = 0
        /// Left out: over the run's cap (`max_review_pairs`), being the more certain.
        public var overCap = 0
        /// Queued.
        public var queued = 0
        public init() {}
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

    /// Links records already standardised (`PreparedData.Builder`, fed batch by batch from a store), as `link` does.
    /// The data must have been made for this run's settings (the saved model's when `model` is given) with
    /// `ownNode: Linker.ownNodes(decisions)`. `previous` is called once, when the person ids are assigned (after
    /// clustering), so an earlier run's ids are not held while the pairs are compared.
    public func link(
        prepared data: PreparedData, model: LinkageModel? = nil, previous: () -> [RecordKey: PersonID] = { [:] },
        decisions: [ReviewDecision] = [], reestimate: Bool = false, progress: (Stage) -> Void = { _ in }
    ) -> Result {
        run(data: data, model: model, previousIDs: previous, decisions: decisions, reestimate: reestimate, initial: nil, onlyNew: false, progress: progress)
    }

    /// The thresholds `link --evaluate` re-clusters the scored pairs at (its sweep), lowest first.
    public static let sweepThresholds = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]

    /// The lowest probability a scored pair is kept at: what the clustering (the match threshold), the review band
    /// (`review_lower`) and the evaluation's sweep (from 0.5) read, and nothing lower. `keep_threshold` only ever
    /// lowered it further (0.01 by default), keeping pairs nothing read: at 113,000 people about half the pairs kept.
    public static func keptProbability(_ settings: LinkageSettings) -> Double {
        min(settings.reviewLower, settings.matchThreshold, sweepThresholds[0])
    }

    /// Links records already standardised, as `link(prepared:model:previous:…)` does, with the earlier run's persons
    /// given per record (`EarlierPersons`: 16 bytes a record, not a dictionary of every record). `earlier` is called
    /// once, when the person ids are assigned.
    public func link(
        prepared data: PreparedData, model: LinkageModel? = nil, earlier: () -> EarlierPersons,
        decisions: [ReviewDecision] = [], reestimate: Bool = false, progress: (Stage) -> Void = { _ in }
    ) -> Result {
        let constraints = Linker.constraints(decisions, data: data)
        let s = scored(data: data, model: model, constraints: constraints, reestimate: reestimate, onlyNew: false, progress: progress)
        return finish(data: data, model: s.model, prediction: s.prediction, pairs: s.pairs, candidatePairs: s.candidatePairs, streamed: s.streamed,
                      constraints: constraints, initial: nil, earlier: earlier, decisions: decisions, progress: progress)
    }

    /// Rejected review decisions' records: each keeps a node of its own (`PreparedData`'s `ownNode`).
    public static func ownNodes(_ decisions: [ReviewDecision]) -> Set<RecordKey> { rejectedKeys(decisions) }

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
        let (initial, previous) = Linker.startingLabels(existing: existing, data: data)
        return run(data: data, model: model, previous: previous, decisions: decisions, reestimate: false, initial: initial, onlyNew: true, progress: progress)
    }

    /// The records rejected in clerical review: each is kept a node of its own, so a rejection can hold.
    public static func rejectedKeys(_ decisions: [ReviewDecision]) -> Set<RecordKey> {
        Set(decisions.filter { $0.verdict == .reject }.flatMap { [$0.left, $0.right] })
    }

    /// Existing persons as the clustering's starting labels: one label per person on the nodes of its records (the
    /// first `existing.count` records of `data`), -1 elsewhere; and each existing record's person.
    static func startingLabels(existing: [(LinkInput, PersonID)], data: PreparedData) -> (initial: [Int32], previous: [RecordKey: PersonID]) {
        var labelOfPerson: [PersonID: Int32] = [:]
        var initial = [Int32](repeating: -1, count: data.nodeCount)
        var previous: [RecordKey: PersonID] = [:]
        for (r, (input, person)) in existing.enumerated() {
            previous[input.key] = person
            let label = labelOfPerson[person] ?? { let v = Int32(labelOfPerson.count); labelOfPerson[person] = v; return v }()
            let node = Int(data.nodeOfRecord[r])
            if initial[node] < 0 { initial[node] = label }
        }
        return (initial, previous)
    }

    /// Review decisions as node pairs the clustering must join (accepted) or keep apart (rejected). Only the decided
    /// records are indexed (not every record: at 27 million records that index alone was gigabytes).
    static func constraints(_ decisions: [ReviewDecision], data: PreparedData) -> (mustLink: [(Int32, Int32)], cannotLink: [(Int32, Int32)]) {
        guard !decisions.isEmpty else { return ([], []) }
        let decided = Set(decisions.flatMap { [$0.left, $0.right] })
        var recordIndex: [RecordKey: Int] = [:]
        for (i, k) in data.keys.enumerated() where decided.contains(k) { recordIndex[k] = i }
        var mustLink: [(Int32, Int32)] = [], cannotLink: [(Int32, Int32)] = []
        for d in decisions {
            guard let l = recordIndex[d.left], let r = recordIndex[d.right] else { continue }
            let a = data.nodeOfRecord[l], b = data.nodeOfRecord[r]
            switch d.verdict {
            case .accept: mustLink.append((a, b))
            case .reject: cannotLink.append((a, b))
            }
        }
        return (mustLink, cannotLink)
    }

    /// The end of every run once its pairs are scored: cluster (from `initial` when given), person ids, and the
    /// review queue with its explanations.
    func finish(
        data: PreparedData, model: LinkageModel, prediction: Prediction, pairs: [ScoredPair], candidatePairs: Int, streamed: Bool,
        constraints: (mustLink: [(Int32, Int32)], cannotLink: [(Int32, Int32)]), initial: [Int32]?, previousIDs: () -> [RecordKey: PersonID],
        decisions: [ReviewDecision], progress: (Stage) -> Void
    ) -> Result {
        finish(data: data, model: model, prediction: prediction, pairs: pairs, candidatePairs: candidatePairs, streamed: streamed,
               constraints: constraints, initial: initial, earlier: { EarlierPersons(previousIDs(), keys: data.keys) }, decisions: decisions,
               progress: progress)
    }

    /// `finish` with the earlier run's persons given per record.
    func finish(
        data: PreparedData, model: LinkageModel, prediction: Prediction, pairs: [ScoredPair], candidatePairs: Int, streamed: Bool,
        constraints: (mustLink: [(Int32, Int32)], cannotLink: [(Int32, Int32)]), initial: [Int32]?, earlier: () -> EarlierPersons,
        decisions: [ReviewDecision], progress: (Stage) -> Void
    ) -> Result {
        let settings = model.settings
        progress(.cluster)
        let labels = Clustering.cluster(data: data, pairs: pairs, threshold: settings.matchThreshold, mustLink: constraints.mustLink,
                                        cannotLink: constraints.cannotLink, initial: initial, parallel: parallel)
        progress(.assignIDs)
        let ids = Clustering.personIDs(data: data, nodeLabels: labels, earlier: earlier(), parallel: parallel)
        progress(.review)
        var counts = ReviewCounts()
        let queue = Linker.reviewNodes(data: data, pairs: pairs, labels: labels, lower: settings.reviewLower, upper: settings.matchThreshold,
                                       decisions: decisions, cap: settings.maxReviewPairs, counts: &counts)
        var review = queue.map(\.item)
        if review.count <= 100_000 {
            let explanations = prediction.explain(queue.map { (Int($0.a), Int($0.b)) }, parallel: parallel)
            for i in review.indices { review[i].explanation = explanations[i] }
        }
        return Result(data: data, model: model, candidatePairs: candidatePairs, streamed: streamed, pairs: pairs, nodeLabels: labels, personIDs: ids,
                      review: review, reviewCounts: counts)
    }

    func run(
        data: PreparedData, model given: LinkageModel?, previous: [RecordKey: PersonID], decisions: [ReviewDecision],
        reestimate: Bool, initial: [Int32]?, onlyNew: Bool, progress: (Stage) -> Void
    ) -> Result {
        run(data: data, model: given, previousIDs: { previous }, decisions: decisions, reestimate: reestimate, initial: initial, onlyNew: onlyNew,
            progress: progress)
    }

    func run(
        data: PreparedData, model given: LinkageModel?, previousIDs: () -> [RecordKey: PersonID], decisions: [ReviewDecision],
        reestimate: Bool, initial: [Int32]?, onlyNew: Bool, progress: (Stage) -> Void
    ) -> Result {
        let constraints = Linker.constraints(decisions, data: data)
        let s = scored(data: data, model: given, constraints: constraints, reestimate: reestimate, onlyNew: onlyNew, progress: progress)
        return finish(data: data, model: s.model, prediction: s.prediction, pairs: s.pairs, candidatePairs: s.candidatePairs, streamed: s.streamed,
                      constraints: constraints, initial: initial, previousIDs: previousIDs, decisions: decisions, progress: progress)
    }

    /// Blocks, compares, trains (unless `given`) and scores: the kept pairs. The blocking (12 bytes an identity a
    /// rule) and any held candidate pairs are this function's own, so they are freed before clustering begins.
    func scored(
        data: PreparedData, model given: LinkageModel?, constraints: (mustLink: [(Int32, Int32)], cannotLink: [(Int32, Int32)]),
        reestimate: Bool, onlyNew: Bool, progress: (Stage) -> Void
    ) -> (model: LinkageModel, prediction: Prediction, pairs: [ScoredPair], candidatePairs: Int, streamed: Bool) {
        let settings = given?.settings ?? self.settings
        progress(.block)
        let blocking = Blocking(data: data, rules: settings.blockingRules, maxBlockSize: settings.maxBlockSize, splitBlockSize: settings.splitBlockSize, parallel: parallel)
        progress(.compare)
        // Held pairs cost 16 bytes each, twice while the workers' parts are joined; at most a quarter of the budget.
        let bound = (0..<blocking.rules.count).reduce(0) { $0 + blocking.pairCount(rule: $1) }
        let streamed = bound > memoryBudget / 4 / (2 * CandidatePairs.bytesPerPair)
        var candidates: CandidatePairs? = nil
        var patterns: PatternCounts? = nil
        if !streamed {
            let c = CandidatePairs.generate(data: data, blocking: blocking, comparisons: settings.comparisons, onlyNew: onlyNew, parallel: parallel)
            patterns = PatternCounts(c, parallel: parallel)
            candidates = c
        } else if given == nil {
            // Training needs the vectors' counts (for λ) before any pair can be scored: a first pass.
            patterns = PatternCounts(data: data, blocking: blocking, comparisons: settings.comparisons, onlyNew: onlyNew, parallel: parallel,
                                     keepingVectors: .forLink(memoryBudget: memoryBudget))
        }
        var model: LinkageModel
        if let given { model = given } else {
            progress(.train)
            model = Training.train(data: data, blocking: blocking, patterns: patterns!, settings: settings, parallel: parallel, held: candidates)
        }
        let vectors = patterns?.vectors
        patterns = nil
        // Accepted review decisions' comparison vectors re-estimate m when asked.
        if reestimate && !constraints.mustLink.isEmpty {
            let comparer = Comparer(data: data, comparisons: settings.comparisons)
            model = Training.reestimateM(model: model, accepted: constraints.mustLink.map { comparer.gamma(Int($0.0), Int($0.1)) })
        }
        progress(.score)
        let prediction = Prediction(model: model, data: data)
        let keep = Linker.keptProbability(settings)
        let pairs: [ScoredPair], candidateCount: Int
        if var c = candidates.take() {
            // `take()` leaves `candidates` nil, so `c` holds the only reference: scoring empties it after the last
            // pair is scored, and the candidate pairs are freed before the kept pairs are joined into one array.
            candidateCount = c.count
            pairs = prediction.score(taking: &c, keep: keep, parallel: parallel)
        } else {
            (pairs, candidateCount) = prediction.score(blocking: blocking, onlyNew: onlyNew, keep: keep, parallel: parallel, vectors: vectors)
        }
        return (model, prediction, pairs, candidateCount, streamed)
    }

    /// The review queue of `reviewNodes`, without its nodes, and how the band came down to it.
    public static func reviewQueue(data: PreparedData, pairs: [ScoredPair], labels: [Int32], lower: Double, upper: Double, decisions: [ReviewDecision],
                                   cap: Int = Int.max) -> (queue: [ReviewItem], counts: ReviewCounts) {
        var counts = ReviewCounts()
        let q = reviewNodes(data: data, pairs: pairs, labels: labels, lower: lower, upper: upper, decisions: decisions, cap: cap, counts: &counts)
        return (q.map(\.item), counts)
    }

    /// The review queue with each item's nodes. Of the pairs with probability in [lower, upper) not yet decided:
    /// 1. a pair whose two records the clustering already made one person (through links at or above `upper`) is
    ///    left out: its own weaker evidence decides nothing;
    /// 2. of the pairs between the same two persons, only the most likely is kept: accepting it joins the two
    ///    persons, and rejecting it leaves them apart as the model already has them;
    /// 3. the rest are ranked by uncertainty, the probability nearest 0.5 first (ties: the pair id), and the first
    ///    `cap` are queued.
    static func reviewNodes(data: PreparedData, pairs: [ScoredPair], labels: [Int32], lower: Double, upper: Double, decisions: [ReviewDecision],
                            cap: Int = Int.max, counts: inout ReviewCounts) -> [(item: ReviewItem, a: Int32, b: Int32)] {
        let decided = Set(decisions.map(\.pairID))
        // Each node's first record (no per-node arrays: one Int32 per node).
        var first = [Int32](repeating: -1, count: data.nodeCount)
        for (r, n) in data.nodeOfRecord.enumerated() where first[Int(n)] < 0 { first[Int(n)] = Int32(r) }
        // The most likely band pair per two persons (labels in order), by index into `pairs`.
        var best: [UInt64: Int] = [:]
        counts = ReviewCounts()
        for (i, p) in pairs.enumerated() {
            let prob = p.probability
            guard prob >= lower, prob < upper else { continue }
            if !decided.isEmpty {
                let id = ReviewItem.pairID(data.keys[Int(first[Int(p.a)])], data.keys[Int(first[Int(p.b)])])
                if decided.contains(id) { continue }
            }
            counts.inBand += 1
            let la = labels[Int(p.a)], lb = labels[Int(p.b)]
            if la == lb { counts.alreadyOnePerson += 1; continue }
            let key = UInt64(UInt32(bitPattern: min(la, lb))) << 32 | UInt64(UInt32(bitPattern: max(la, lb)))
            if let j = best[key] {
                counts.samePersons += 1
                let q = pairs[j]
                if prob > q.probability || (prob == q.probability && (p.a, p.b) < (q.a, q.b)) { best[key] = i }
            } else {
                best[key] = i
            }
        }
        var out: [(item: ReviewItem, a: Int32, b: Int32)] = best.values.map { i in
            let p = pairs[i]
            let item = ReviewItem(left: data.keys[Int(first[Int(p.a)])], right: data.keys[Int(first[Int(p.b)])], weight: p.weight,
                                  probability: p.probability, linkedNow: false)
            return (item, p.a, p.b)
        }
        // The most uncertain first: the probability nearest 0.5.
        out.sort { a, b in
            let ua = abs(a.item.probability - 0.5), ub = abs(b.item.probability - 0.5)
            return ua != ub ? ua < ub : a.item.id < b.item.id
        }
        if out.count > cap {
            counts.overCap = out.count - cap
            out.removeLast(out.count - cap)
        }
        counts.queued = out.count
        return out
    }

    /// Re-clusters the scored pairs of a result at another threshold (for a threshold sweep): exact at or above
    /// `keptProbability(settings)`, the lowest probability a pair is kept at.
    public static func labels(for result: Result, threshold: Double) -> [PersonID] {
        let l = Clustering.cluster(data: result.data, pairs: result.pairs, threshold: threshold)
        return Clustering.personIDs(data: result.data, nodeLabels: l)
    }
}
