/// The practitioners' queue of offers: every offer of a plan waits here for a person to decide, with its reasons.
/// Nothing is delivered because a plan proposed it. A pure state machine: each decision returns the audit entry the
/// caller must write.
public struct OfferQueue: Sendable, Codable, Equatable {
    /// What a practitioner can decide.
    public enum Decision: String, Sendable, Codable, CaseIterable {
        /// Make the offer to the young person and their family.
        case offer
        /// Do not offer this programme (for example: already supported, or not suitable).
        case decline
        /// Refer for a fuller assessment before deciding.
        case refer
    }

    /// One offer in the queue.
    public struct Item: Sendable, Codable, Equatable {
        /// "OF-" + person + "-" + programme id + "-" + as-of date.
        public var id: String
        public var person: String
        public var programme: String
        public var programmeName: String
        public var asOf: String
        public var planID: String
        public var reasons: [String]
        public var risk: Double
        public var harmAverted: Money
        public var cost: Money
        public var added: String
        public var decision: Decision?
        public var decisionReason: String?
        public var decidedBy: String?
        public var decidedAt: String?

        public init(id: String, person: String, programme: String, programmeName: String, asOf: String, planID: String,
                    reasons: [String], risk: Double, harmAverted: Money, cost: Money, added: String) {
            self.id = id; self.person = person; self.programme = programme; self.programmeName = programmeName
            self.asOf = asOf; self.planID = planID; self.reasons = reasons; self.risk = risk
            self.harmAverted = harmAverted; self.cost = cost; self.added = added
        }
    }

    /// What the caller must append to the audit log for a decision.
    public struct AuditAction: Sendable, Equatable {
        public var user: String
        public var action: String
        public var person: String
        public var reason: String
    }

    public var items: [Item] = []
    public init(items: [Item] = []) { self.items = items }

    public var pending: [Item] { items.filter { $0.decision == nil } }

    /// Adds offers not already queued (same id); returns how many were new.
    public mutating func add(_ new: [Item]) -> Int {
        var ids = Set(items.map(\.id)), added = 0
        for item in new where ids.insert(item.id).inserted { items.append(item); added += 1 }
        return added
    }

    /// Records a decision on a pending offer.
    /// - Throws: `InterventionsError.review` when the offer is unknown or already decided, or the reason is blank.
    public mutating func decide(id: String, decision: Decision, reason: String, by user: String, at time: String) throws -> AuditAction {
        let trimmed = reason.trimmingCharactersInSet(" \t\n\r")
        guard !trimmed.isEmpty else {
            throw InterventionsError.review(id, "a decision needs a reason: say why with --reason \"…\" (it is recorded)")
        }
        guard let i = items.firstIndex(where: { $0.id == id }) else {
            throw InterventionsError.review(id, "no such offer in the queue: list them with upstream plan review")
        }
        if let d = items[i].decision {
            throw InterventionsError.review(id, "already decided (\(d.rawValue) by \(items[i].decidedBy ?? "?")): decisions are not changed")
        }
        items[i].decision = decision
        items[i].decisionReason = trimmed
        items[i].decidedBy = user
        items[i].decidedAt = time
        return AuditAction(user: user, action: "plan-offer-\(decision.rawValue)", person: items[i].person,
                           reason: "\(items[i].programme) (\(id)): \(trimmed)")
    }
}
