import UpstreamStore

/// What kind of thing a review queue holds: its decisions, who may make them and how the audit trail names them.
public protocol ReviewKind: Sendable {
    /// The decisions a reviewer can record.
    associatedtype Decision: RawRepresentable, CaseIterable, Hashable, Sendable, Codable where Decision.RawValue == String
    /// The permission needed to decide.
    static var decidePermission: Permission { get }
    /// The audit trail's action prefix (`linkage-review`, `risk-review`).
    static var auditPrefix: String { get }
    /// Whether a decision changes the linked persons (so the next linkage run must apply it).
    static func needsRelink(_ decision: Decision) -> Bool
}

/// A pair of records the linkage was unsure about: are they the same person?
public enum LinkagePair: ReviewKind {
    public enum Decision: String, CaseIterable, Hashable, Sendable, Codable {
        case samePerson = "same-person"
        case differentPeople = "different-people"
    }
    public static let decidePermission = Permission.decideLinkagePairs
    public static let auditPrefix = "linkage-review"
    public static func needsRelink(_ decision: Decision) -> Bool { true }
}

/// A young person the risk model flagged: what will a practitioner do?
public enum RiskFlag: ReviewKind {
    public enum Decision: String, CaseIterable, Hashable, Sendable, Codable {
        case offerSupport = "offer-support"
        case alreadySupported = "already-supported"
        case referForAssessment = "refer-for-assessment"
        case noFurtherAction = "no-further-action"
    }
    public static let decidePermission = Permission.decideRiskFlags
    public static let auditPrefix = "risk-review"
    public static func needsRelink(_ decision: Decision) -> Bool { false }
}

/// An offer of support from the intervention plan (`upstream plan`): will a practitioner make it? Deciding needs the
/// same permission as a risk flag (practitioners and supervisors).
public enum PlanOffer: ReviewKind {
    public enum Decision: String, CaseIterable, Hashable, Sendable, Codable {
        /// Make the offer to the young person and their family.
        case offer
        /// Do not offer this programme (for example: already supported, or not suitable).
        case decline
        /// Refer for a fuller assessment before deciding.
        case refer
    }
    public static let decidePermission = Permission.decideRiskFlags
    public static let auditPrefix = "plan-offer"
    public static func needsRelink(_ decision: Decision) -> Bool { false }
}

/// Where a review item is in its life.
public enum ReviewState<Decision: Hashable & Sendable & Codable>: Hashable, Sendable, Codable {
    /// Waiting for a person to decide.
    case pending
    /// Decided; reopened only by a role that may reopen decisions.
    case decided(Decision)
    /// No longer asked (a newer linkage run or score replaced it); final.
    case withdrawn
}

/// One step in a review item's history.
public struct ReviewStep: Hashable, Sendable, Codable {
    /// Seconds since 1970-01-01 UTC.
    public var at: Int64
    public var by: AuditActor
    /// `decided offer-support`, `reopened`, `withdrawn`.
    public var what: String
    public var reason: String
}

/// What the I/O shell must do after a transition.
public enum ReviewAction: Hashable, Sendable {
    /// Append this event to the audit trail (before the change is shown or saved).
    case audit(AuditEvent)
    /// Save the item's new state.
    case persist
    /// The linked persons change: apply the decision at the next linkage run.
    case relink
}

/// A review-queue item as an explicit state machine: pending → decided (with a reason, by a role that may) →
/// reopened (by a supervisor, with a reason) → decided again; or pending → withdrawn. Each transition checks the
/// user's role and the reason, changes the state, and returns the actions the shell performs (audit, save,
/// relink). Pure: tested without a database.
public struct ReviewItem<Kind: ReviewKind>: Hashable, Sendable, Codable {
    /// The pair id or the young person's pseudonym.
    public let subject: String
    public private(set) var state: ReviewState<Kind.Decision> = .pending
    public private(set) var history: [ReviewStep] = []

    /// A new pending item about `subject`.
    public init(subject: String) { self.subject = subject }

    var stateName: String {
        switch state {
        case .pending: "pending"
        case .decided(let d): "decided (\(d.rawValue))"
        case .withdrawn: "withdrawn"
        }
    }

    mutating func step(_ what: String, action: String, by actor: AuditActor, reason: String, at: Int64) -> ReviewAction {
        history.append(ReviewStep(at: at, by: actor, what: what, reason: reason))
        return .audit(AuditEvent(at: at, actor: actor, action: "\(Kind.auditPrefix)-\(action)", subject: subject, count: 1, reason: reason))
    }

    /// Records a decision on a pending item.
    /// - Throws: ``GovernanceError`` when the user's role may not decide, the reason is blank, or the item is not pending.
    public mutating func decide(_ decision: Kind.Decision, by user: User, reason: String?, at: Int64) throws -> [ReviewAction] {
        try user.require(Kind.decidePermission)
        let purpose = try Purpose(reason, for: "a decision on \(subject)")
        guard state == .pending else { throw GovernanceError.invalidTransition(subject, from: stateName, "decided again (reopen it first)") }
        state = .decided(decision)
        let audit = step("decided \(decision.rawValue)", action: decision.rawValue, by: user.actor, reason: purpose.text, at: at)
        return [audit, .persist] + (Kind.needsRelink(decision) ? [.relink] : [])
    }

    /// Reopens a decided item so it can be decided again.
    /// - Throws: ``GovernanceError`` unless the user may reopen decisions, gives a reason, and the item is decided.
    public mutating func reopen(by user: User, reason: String?, at: Int64) throws -> [ReviewAction] {
        try user.require(.reopenDecisions)
        let purpose = try Purpose(reason, for: "reopening \(subject)")
        guard case .decided(let old) = state else { throw GovernanceError.invalidTransition(subject, from: stateName, "reopened") }
        state = .pending
        let audit = step("reopened (was \(old.rawValue))", action: "reopen", by: user.actor, reason: purpose.text, at: at)
        return [audit, .persist] + (Kind.needsRelink(old) ? [.relink] : [])
    }

    /// Withdraws a pending item that is no longer asked (a newer run replaced it).
    /// - Throws: ``GovernanceError/invalidTransition(_:from:_:)`` unless the item is pending.
    public mutating func withdraw(by actor: AuditActor, reason: String, at: Int64) throws -> [ReviewAction] {
        guard state == .pending else { throw GovernanceError.invalidTransition(subject, from: stateName, "withdrawn") }
        state = .withdrawn
        return [step("withdrawn", action: "withdraw", by: actor, reason: reason, at: at), .persist]
    }
}

/// A linkage pair awaiting clerical review.
public typealias LinkagePairReview = ReviewItem<LinkagePair>
/// A risk flag awaiting a practitioner's decision.
public typealias RiskFlagReview = ReviewItem<RiskFlag>
/// An offer from the intervention plan awaiting a practitioner's decision.
public typealias PlanOfferReview = ReviewItem<PlanOffer>
