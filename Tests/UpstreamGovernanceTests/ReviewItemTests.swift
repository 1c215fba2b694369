import Testing
import UpstreamGovernance
import UpstreamStore

@Suite("Review queues as state machines (no database)")
struct ReviewItemTests {
    let practitioner = User.selfAsserted("pat", role: .practitioner)
    let supervisor = User.selfAsserted("sue", role: .supervisor)
    let analyst = User.selfAsserted("ann", role: .analyst)

    @Test("a risk flag goes pending → decided with a reason, and says to audit and save")
    func decideFlag() throws {
        var item = RiskFlagReview(subject: "YP-0RZHBNQZ759ZHE2SPMTM")
        #expect(item.state == .pending)
        let actions = try item.decide(.offerSupport, by: practitioner, reason: " family known to early help ", at: 100)
        #expect(item.state == .decided(.offerSupport))
        #expect(actions == [
            .audit(AuditEvent(at: 100, actor: practitioner.actor, action: "risk-review-offer-support", subject: "YP-0RZHBNQZ759ZHE2SPMTM",
                              count: 1, reason: "family known to early help")),
            .persist,
        ])
        #expect(item.history.map(\.what) == ["decided offer-support"])
    }

    @Test("a decision needs a real reason: blank or new-line-only reasons are refused and change nothing",
          arguments: [nil, "", "\n", "  \t\n"])
    func blankReason(_ reason: String?) {
        var item = RiskFlagReview(subject: "YP-1")
        #expect(throws: GovernanceError.self) { try item.decide(.noFurtherAction, by: practitioner, reason: reason, at: 1) }
        #expect(item.state == .pending)
        #expect(item.history.isEmpty)
    }

    @Test("only roles that may decide can; analysts cannot decide flags, practitioners cannot decide linkage pairs")
    func permissions() throws {
        var flag = RiskFlagReview(subject: "YP-1")
        #expect(throws: GovernanceError.notPermitted(role: "analyst", Permission.decideRiskFlags.rawValue)) {
            try flag.decide(.offerSupport, by: analyst, reason: "x1", at: 1)
        }
        var pair = LinkagePairReview(subject: "pair-7")
        #expect(throws: GovernanceError.self) { try pair.decide(.samePerson, by: practitioner, reason: "same NHS number", at: 1) }
        let actions = try pair.decide(.samePerson, by: supervisor, reason: "same NHS number", at: 2)
        #expect(actions.last == .relink)
        #expect(pair.state == .decided(.samePerson))
    }

    @Test("a decided item cannot be decided again; a supervisor reopens it with a reason, then it can")
    func reopen() throws {
        var item = RiskFlagReview(subject: "YP-1")
        _ = try item.decide(.noFurtherAction, by: practitioner, reason: "already known", at: 1)
        #expect(throws: GovernanceError.self) { try item.decide(.offerSupport, by: practitioner, reason: "changed mind", at: 2) }
        #expect(throws: GovernanceError.self) { try item.reopen(by: practitioner, reason: "changed mind", at: 2) }
        #expect(throws: GovernanceError.self) { try item.reopen(by: supervisor, reason: "\n", at: 2) }
        let actions = try item.reopen(by: supervisor, reason: "new information from school", at: 3)
        #expect(item.state == .pending)
        #expect(actions.first == .audit(AuditEvent(at: 3, actor: supervisor.actor, action: "risk-review-reopen", subject: "YP-1", count: 1,
                                                   reason: "new information from school")))
        _ = try item.decide(.offerSupport, by: practitioner, reason: "school concern", at: 4)
        #expect(item.history.map(\.what) == ["decided no-further-action", "reopened (was no-further-action)", "decided offer-support"])
    }

    @Test("a withdrawn item is final")
    func withdraw() throws {
        var item = LinkagePairReview(subject: "pair-1")
        _ = try item.withdraw(by: .unknown, reason: "the new linkage run is sure of this pair", at: 1)
        #expect(item.state == .withdrawn)
        #expect(throws: GovernanceError.self) { try item.decide(.differentPeople, by: supervisor, reason: "dob differs", at: 2) }
        #expect(throws: GovernanceError.self) { try item.withdraw(by: .unknown, reason: "again", at: 3) }
    }
}
