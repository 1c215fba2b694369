import UpstreamModel

/// A pair waiting for a person to decide whether it is one person.
public struct ReviewItem: Codable, Sendable, Hashable {
    /// A stable id for the pair, derived from its two record keys.
    public var id: String
    public var left: RecordKey
    public var right: RecordKey
    public var weight: Double
    public var probability: Double
    /// Whether the model's clustering currently puts the two in one person.
    public var linkedNow: Bool
    /// The pair side by side with each comparison's contribution (filled when the queue is built).
    public var explanation: Prediction.Explanation?

    public init(left: RecordKey, right: RecordKey, weight: Double, probability: Double, linkedNow: Bool) {
        let (l, r) = left < right ? (left, right) : (right, left)
        self.left = l; self.right = r; self.weight = weight; self.probability = probability; self.linkedNow = linkedNow
        id = ReviewItem.pairID(l, r)
    }

    public static func pairID(_ a: RecordKey, _ b: RecordKey) -> String {
        let (l, r) = a < b ? (a, b) : (b, a)
        let p = PersonID.derived(from: RecordKey(source: l.source + "\u{1}" + l.recordID, recordID: r.source + "\u{1}" + r.recordID))
        return "R" + p.rawValue.dropFirst().prefix(12)
    }
}

/// A reviewer's decision on a pair.
public struct ReviewDecision: Codable, Sendable, Hashable {
    public enum Verdict: String, Codable, Sendable, Hashable { case accept, reject }
    public var left: RecordKey
    public var right: RecordKey
    public var verdict: Verdict
    /// Seconds since 1970 when decided.
    public var decidedAt: Int64
    public var reviewer: String?

    public init(left: RecordKey, right: RecordKey, verdict: Verdict, decidedAt: Int64, reviewer: String? = nil) {
        let (l, r) = left < right ? (left, right) : (right, left)
        self.left = l; self.right = r; self.verdict = verdict; self.decidedAt = decidedAt; self.reviewer = reviewer
    }
    public var pairID: String { ReviewItem.pairID(left, right) }
}

/// The clerical review queue and the decisions taken: pending pairs and, per pair, the latest decision.
public struct ReviewState: Codable, Sendable, Hashable {
    public var format = 1
    public var pending: [ReviewItem] = []
    public var decisions: [ReviewDecision] = []
    public init() {}

    /// The latest decision per pair.
    public var latestDecisions: [ReviewDecision] {
        var latest: [String: ReviewDecision] = [:]
        for d in decisions { latest[d.pairID] = d }
        return latest.values.sorted { $0.pairID < $1.pairID }
    }

    /// Records a decision and removes the pair from the pending queue.
    public mutating func decide(_ d: ReviewDecision) {
        decisions.append(d)
        pending.removeAll { $0.id == d.pairID }
    }
}
