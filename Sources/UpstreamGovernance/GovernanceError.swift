/// An error from the governance layer: what is wrong and what to do, naming files, ids and pseudonyms only,
/// never personal values.
public struct GovernanceError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Code: Equatable, Sendable {
        case keyCorrupt, keyExposed, keyUnreadable, keyMissing, keyNotCreated, headCorrupt, pseudonymCollision, blankReason,
             notPermitted, invalidTransition, fileNotWritten, legacyLogCorrupt
    }

    private let code: Code
    /// The file, pseudonym, role or state concerned.
    public let context: String
    /// What was found (a mode, a length, a state), never personal data.
    public let detail: String

    private init(_ code: Code, _ context: String, _ detail: String = "") {
        self.code = code; self.context = context; self.detail = detail
    }

    /// A key file exists but does not hold a well-formed key. It is never replaced silently: every pseudonym
    /// and audit entry made under the real key would be orphaned.
    public static func keyCorrupt(_ path: String, _ what: String) -> GovernanceError { .init(.keyCorrupt, path, what) }
    /// A key file can be read by its group or by others.
    public static func keyExposed(_ path: String, mode: Int) -> GovernanceError { .init(.keyExposed, path, String(mode, radix: 8)) }
    /// A key file exists but cannot be opened or read.
    public static func keyUnreadable(_ path: String, _ why: String) -> GovernanceError { .init(.keyUnreadable, path, why) }
    /// A key needed to check something is not there (and must not be created).
    public static func keyMissing(_ path: String, _ why: String) -> GovernanceError { .init(.keyMissing, path, why) }
    /// A new key file could not be created.
    public static func keyNotCreated(_ path: String, _ why: String) -> GovernanceError { .init(.keyNotCreated, path, why) }
    /// The audit trail's signed head file is not in the expected form.
    public static func headCorrupt(_ path: String, _ what: String) -> GovernanceError { .init(.headCorrupt, path, what) }
    /// Two different persons received the same pseudonym.
    public static func pseudonymCollision(_ pseudonym: String) -> GovernanceError { .init(.pseudonymCollision, pseudonym) }
    /// A reason or purpose was missing or blank.
    public static func blankReason(_ what: String) -> GovernanceError { .init(.blankReason, what) }
    /// A role may not do something.
    public static func notPermitted(role: String, _ what: String) -> GovernanceError { .init(.notPermitted, role, what) }
    /// A review item was asked to move in a way its state does not allow.
    public static func invalidTransition(_ item: String, from state: String, _ event: String) -> GovernanceError {
        .init(.invalidTransition, item, "\(state)|\(event)")
    }
    /// A file holding person-level data could not be written.
    public static func fileNotWritten(_ path: String, _ why: String) -> GovernanceError { .init(.fileNotWritten, path, why) }
    /// The JSON Lines access log of earlier versions could not be imported.
    public static func legacyLogCorrupt(_ path: String, _ what: String) -> GovernanceError { .init(.legacyLogCorrupt, path, what) }

    public var description: String {
        switch code {
        case .keyCorrupt:
            return "the key file \(context) is not a valid Upstream key (\(detail)). It was not replaced: a new key would "
                + "orphan every pseudonym and audit entry made under the old one. Restore the file from backup; only if "
                + "no earlier pseudonym or audit entry must ever be checked again, move it aside and Upstream will create a new key"
        case .keyExposed:
            return "the key file \(context) can be read by other users (mode \(detail)): run chmod 600 \(context), "
                + "and treat the key as possibly copied (see docs/governance.md on rotating it)"
        case .keyUnreadable:
            return "cannot read the key file \(context) (\(detail)): check that it belongs to the user running Upstream and has mode 600"
        case .keyMissing:
            return "there is no key file \(context): \(detail)"
        case .keyNotCreated:
            return "cannot create the key file \(context) (\(detail)): check that its folder exists and is writable"
        case .headCorrupt:
            return "the audit trail's signed head \(context) is not valid (\(detail)): it was damaged or edited. Restore it "
                + "from backup; until then the deletion of the trail's last entries cannot be ruled out"
        case .pseudonymCollision:
            return "two different persons have the same pseudonym \(context): pseudonyms are 100-bit keyed hashes, so "
                + "this should never happen by chance; check that the persons are distinct and report it"
        case .blankReason:
            return "\(context) needs a real reason: say why, in words, in at most 500 characters (it is recorded in the "
                + "audit trail); a reason of only spaces or new lines is refused"
        case .notPermitted:
            return "the role \(context) may not \(detail): act in a role that may (see docs/governance.md, roles)"
        case .invalidTransition:
            let parts = detail.split(separator: "|", maxSplits: 1).map(String.init)
            return "review item \(context) is \(parts.first ?? "?") and cannot be \(parts.last ?? "?")"
        case .fileNotWritten:
            return "cannot write \(context) (\(detail)): check that its folder exists and is writable"
        case .legacyLogCorrupt:
            return "the earlier access log \(context) cannot be imported: \(detail)"
        }
    }
}
