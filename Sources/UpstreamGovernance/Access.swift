import Foundation
import UpstreamStore

/// What a person using Upstream is there to do; each role grants a fixed set of ``Permission``s.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    /// Works with pseudonymised data: chronologies, models, aggregate reports.
    case analyst
    /// Works with young people: may identify a person for a stated purpose and decide on flags.
    case practitioner
    /// Oversees practitioners: what they may do, plus reopening decisions and deciding linkage pairs.
    case supervisor
    /// Checks the audit trail; sees no person-level data.
    case auditor
    /// Runs the deployment: loads, retention, keys. Does not identify persons.
    case admin

    /// What the role may do.
    public var permissions: Set<Permission> {
        switch self {
        case .analyst: [.viewPseudonymised, .runModels]
        case .practitioner: [.viewPseudonymised, .identify, .seeProvenance, .decideRiskFlags]
        case .supervisor: [.viewPseudonymised, .identify, .seeProvenance, .decideRiskFlags, .decideLinkagePairs, .reopenDecisions]
        case .auditor: [.readAudit]
        case .admin: [.load, .applyRetention, .readAudit, .runModels]
        }
    }

    /// Whether the role may do `permission`.
    public func may(_ permission: Permission) -> Bool { permissions.contains(permission) }
}

/// One thing a role may do.
public enum Permission: String, Sendable, Hashable, Codable, CaseIterable {
    /// See a pseudonymised chronology or report.
    case viewPseudonymised = "view pseudonymised records"
    /// See names and identifiers, for a stated purpose (audited).
    case identify = "identify a person"
    /// See which source record and which file and line each event came from: with an extract in hand, that
    /// identifies the person, so only roles that may identify see it.
    case seeProvenance = "see source record ids and file lines"
    /// Accept or decline a risk flag.
    case decideRiskFlags = "decide on risk flags"
    /// Say whether two records are the same person.
    case decideLinkagePairs = "decide on linkage pairs"
    /// Reopen a decided review item.
    case reopenDecisions = "reopen decisions"
    /// Load extracts.
    case load = "load extracts"
    /// Delete records past retention.
    case applyRetention = "apply retention"
    /// Train and score models.
    case runModels = "run models"
    /// Read and verify the audit trail.
    case readAudit = "read the audit trail"
}

/// Someone acting in Upstream: a name, a role, and how the name is known.
///
/// At the command line the name comes from `--user` or `$USER` and is recorded as self-asserted: the audit trail
/// says who claimed to act, not who proved it. A server records its logged-in users as authenticated.
public struct User: Sendable, Hashable, Codable {
    public var name: String
    /// The role acted in; `nil` when a command does not ask for one (then the user may do nothing that needs a
    /// permission, and the trail records no role).
    public var role: Role?
    /// `selfAsserted` at the command line, `authenticated` behind a server's login.
    public var authentication: AuditActor.Kind

    public init(name: String, role: Role?, authentication: AuditActor.Kind) {
        self.name = name; self.role = role; self.authentication = authentication
    }

    /// A user named on the command line (`--user` or `$USER`): recorded as self-asserted.
    public static func selfAsserted(_ name: String, role: Role?) -> User {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return User(name: trimmed.isEmpty ? "unknown" : trimmed, role: role, authentication: .selfAsserted)
    }

    /// A user a server has logged in.
    public static func authenticated(_ name: String, role: Role) -> User {
        User(name: name, role: role, authentication: .authenticated)
    }

    /// How the audit trail records this user.
    public var actor: AuditActor { AuditActor(name: name, kind: authentication, role: role?.rawValue ?? "") }

    /// Whether the user's role may do `permission`.
    public func may(_ permission: Permission) -> Bool { role?.may(permission) ?? false }

    /// Throws unless the user's role may do `permission`.
    /// - Throws: ``GovernanceError/notPermitted(role:_:)``.
    public func require(_ permission: Permission) throws {
        guard may(permission) else { throw GovernanceError.notPermitted(role: role?.rawValue ?? "(none stated)", permission.rawValue) }
    }
}

/// Why someone identified a person or decided something: a real reason in words, recorded in the audit trail.
///
/// Blank reasons (spaces, tabs, new lines, control characters only) and reasons with no letter or digit are refused.
public struct Purpose: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The reason as given, with surrounding white space removed and inner line breaks turned into spaces.
    public let text: String

    /// The longest reason kept (longer ones are refused, not cut).
    public static let maximumLength = 500

    /// A purpose from what was typed.
    /// - Parameters:
    ///   - raw: the reason as given (`nil` when none was).
    ///   - what: what needs it, for the message (`--identify`, `a decision`).
    /// - Throws: ``GovernanceError/blankReason(_:)`` when there is no real reason.
    public init(_ raw: String?, for what: String) throws {
        let cleaned = (raw ?? "").unicodeScalars.map { s -> Character in
            s.properties.generalCategory == .control || s.properties.isWhitespace ? " " : Character(s)
        }
        let text = String(cleaned).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        guard text.unicodeScalars.contains(where: { $0.properties.isAlphabetic || ("0"..."9").contains($0) }),
              text.count <= Self.maximumLength else { throw GovernanceError.blankReason(what) }
        self.text = text
    }

    public var description: String { text }
}
