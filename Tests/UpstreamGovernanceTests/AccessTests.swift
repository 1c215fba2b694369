import Testing
import UpstreamGovernance
import UpstreamStore

@Suite("Users, roles and purposes")
struct AccessTests {
    @Test("only practitioners and supervisors may identify, and so see provenance")
    func identifyingRoles() {
        #expect(Role.allCases.filter { $0.may(.identify) } == [.practitioner, .supervisor])
        #expect(Role.allCases.filter { $0.may(.seeProvenance) } == Role.allCases.filter { $0.may(.identify) })
        #expect(!Role.admin.may(.identify))
        #expect(Role.auditor.permissions == [.readAudit])
    }

    @Test("a command-line user is recorded as self-asserted; a server's as authenticated")
    func selfAsserted() {
        #expect(User.selfAsserted("  bob ", role: .analyst).actor == AuditActor(name: "bob", kind: .selfAsserted, role: "analyst"))
        #expect(User.selfAsserted("", role: nil).actor == AuditActor(name: "unknown", kind: .selfAsserted, role: ""))
        #expect(User.authenticated("carol", role: .supervisor).actor.kind == .authenticated)
        #expect(throws: GovernanceError.notPermitted(role: "analyst", Permission.identify.rawValue)) {
            try User.selfAsserted("bob", role: .analyst).require(.identify)
        }
        #expect(!User.selfAsserted("bob", role: nil).may(.viewPseudonymised))
    }

    @Test("blank reasons are refused: spaces, new lines, tabs, control characters, punctuation only",
          arguments: [nil, "", " ", "\n", "\r\n", "\t \n ", "\u{0B}\u{0C}", "...", " - \n"])
    func blankReasonRefused(_ raw: String?) {
        #expect(throws: GovernanceError.blankReason("--identify")) { try Purpose(raw, for: "--identify") }
    }

    @Test("a real reason is kept, with its white space tidied")
    func realReason() throws {
        #expect(try Purpose("  child protection\nstrategy   meeting ", for: "x").text == "child protection strategy meeting")
        #expect(try Purpose("s47", for: "x").text == "s47")
        #expect(throws: GovernanceError.self) { try Purpose(String(repeating: "a", count: 501), for: "x") }
    }
}
