/// Whether the plan's offers follow need: for each group of sex, ethnicity and deprivation, its share of the offers
/// (with a 95% Wilson interval) against its share of the need (the expected harm of every young person scored).
public struct PlanFairness: Sendable, Codable, Equatable {
    /// One group of one attribute. Counts below `PlanFairness.minimumCount` are suppressed (`nil`) with everything
    /// that would reveal them.
    public struct Group: Sendable, Codable, Equatable {
        public var group: String
        public var candidates: Int?
        public var offers: Int?
        public var offerShare: Double?
        public var offerShareLow: Double?
        public var offerShareHigh: Double?
        public var needShare: Double?
        /// "fewer offers than need", "more offers than need", "in line with need", or "suppressed (fewer than 5)".
        public var verdict: String
    }

    public var attribute: String
    public var groups: [Group]

    /// Counts below this are shown as "fewer than 5".
    public static let minimumCount = 5

    /// The 95% Wilson score interval of `k` successes in `n` trials.
    public static func wilson(_ k: Int, _ n: Int, z: Double = 1.959964) -> (low: Double, high: Double) {
        guard n > 0 else { return (0, 1) }
        let p = Double(k) / Double(n), nn = Double(n), z2 = z * z
        let centre = (p + z2 / (2 * nn)) / (1 + z2 / nn)
        let half = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / (1 + z2 / nn)
        return (max(0, centre - half), min(1, centre + half))
    }

    /// Audits one attribute.
    /// - Parameters:
    ///   - groups: each candidate's group.
    ///   - need: each candidate's expected harm.
    ///   - offered: whether each candidate received an offer.
    public static func audit(attribute: String, groups: [String], need: [Double], offered: [Bool]) -> PlanFairness {
        precondition(groups.count == need.count && need.count == offered.count, "one group, need and offer flag per candidate")
        var n: [String: Int] = [:], k: [String: Int] = [:], h: [String: Double] = [:]
        for i in groups.indices {
            let g = groups[i].isEmpty ? "unknown" : groups[i]
            n[g, default: 0] += 1
            h[g, default: 0] += need[i]
            if offered[i] { k[g, default: 0] += 1 }
        }
        let totalOffers = offered.filter { $0 }.count
        let totalNeed = need.reduce(0, +)
        let names = n.keys.sorted { ($0 == "unknown" ? 1 : 0, $0) < ($1 == "unknown" ? 1 : 0, $1) }
        let out = names.map { g -> Group in
            let offers = k[g] ?? 0, count = n[g]!
            if count < minimumCount || (offers > 0 && offers < minimumCount) {
                return Group(group: g, candidates: count < minimumCount ? nil : count, offers: nil, offerShare: nil,
                             offerShareLow: nil, offerShareHigh: nil, needShare: nil, verdict: "suppressed (fewer than 5)")
            }
            let ci = wilson(offers, totalOffers)
            let share = totalOffers > 0 ? Double(offers) / Double(totalOffers) : 0
            let needShare = totalNeed > 0 ? h[g]! / totalNeed : 0
            let verdict = totalOffers == 0 ? "no offers made"
                : needShare > ci.high ? "fewer offers than need" : needShare < ci.low ? "more offers than need" : "in line with need"
            return Group(group: g, candidates: count, offers: offers, offerShare: share, offerShareLow: ci.low,
                         offerShareHigh: ci.high, needShare: needShare, verdict: verdict)
        }
        return PlanFairness(attribute: attribute, groups: out)
    }
}
