import Crypto
import Foundation
import UpstreamStore

/// Where a store's secrets live: the pseudonymisation key, the audit key and the audit trail's signed head.
///
/// By default beside the store (`STORE.key`, `STORE.audit-key`, `STORE.audit-head`). An operator who keeps
/// secrets apart from the data sets `UPSTREAM_KEYS_DIR`: the files are then `DIR/<store file name>.key` and so on,
/// which is what makes the signed head out of reach of someone who can write only the database (docs/governance.md).
public struct GovernancePaths: Hashable, Sendable {
    public var store: String
    public var pseudonymKey: String
    public var auditKey: String
    public var auditHead: String

    /// The paths for the store at `store`, honouring `UPSTREAM_KEYS_DIR` in `environment`.
    public init(store: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.store = store
        var base = store
        if store.hasPrefix("postgres://") || store.hasPrefix("postgresql://") {
            // A server store has no folder of its own: its keys live in UPSTREAM_KEYS_DIR (or the working folder),
            // named after the database, never after the URL (which may hold a password).
            let database = store.split(separator: "/").last.map { $0.split(separator: "?").first.map(String.init) ?? "" } ?? ""
            let name = "postgres-" + String(database.map { $0.isLetter || $0.isNumber ? $0 : "_" })
            base = ((environment["UPSTREAM_KEYS_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? ".") as NSString)
                .appendingPathComponent(name)
        } else if let dir = environment["UPSTREAM_KEYS_DIR"], !dir.isEmpty {
            base = (dir as NSString).appendingPathComponent((store as NSString).lastPathComponent)
        }
        pseudonymKey = base + ".key"
        auditKey = base + ".audit-key"
        auditHead = base + ".audit-head"
    }
}

/// One store opened under governance: its keys, its audit trail (sealed and with a signed head) and the acting
/// user. The composition root builds one per command or request.
public struct Governance {
    /// Whether opening may create what is missing.
    public enum Mode: Sendable {
        /// Normal use: the keys are created on first use and the signed head is started for an empty trail.
        case use
        /// Checking only (`audit verify`, `audit list`): nothing is created; a missing audit key is an error.
        case inspect
    }

    public let paths: GovernancePaths
    public let user: User
    public let store: any RecordStore
    public let chain: AuditChain

    /// Opens the store at `paths.store` for `user`: loads (or in `.use` mode creates, once) the audit key, opens
    /// the store with the audit chain as its sealer, and in `.use` mode starts the signed head if the trail is empty.
    /// - Parameters:
    ///   - openStore: opens the backend with the given sealer (the CLI passes `SQLiteStore(path:auditSealer:)`).
    /// - Throws: ``GovernanceError`` for a bad or (when inspecting) missing key or head; whatever `openStore` throws.
    public init(paths: GovernancePaths, user: User, mode: Mode = .use,
                openStore: (any AuditSealer) throws -> any RecordStore) throws {
        self.paths = paths
        self.user = user
        let auditKey: SymmetricKey
        switch mode {
        case .use: auditKey = try SecretKeyFile.loadOrCreate(at: paths.auditKey).key
        case .inspect:
            guard let key = try SecretKeyFile.load(at: paths.auditKey) else {
                throw GovernanceError.keyMissing(paths.auditKey, "without the audit key there is no sealed trail to check; "
                                                 + "if the store was used, the key was deleted or moved: restore it from backup")
            }
            auditKey = key
        }
        let head = SignedHeadFile(path: paths.auditHead, key: auditKey)
        chain = AuditChain(key: auditKey, actor: user.actor, head: head)
        store = try openStore(chain)
        if mode == .use, try store.auditCount() == 0 { try head.createForEmptyTrail() }
        // A command killed while writing a key or the signed head left its temporary file beside them.
        if mode == .use { SecureFile.removeAbandonedTemporaries(of: [paths.auditKey, paths.auditHead, paths.pseudonymKey]) }
    }

    /// The pseudonymiser under the store's pseudonymisation key (created on first use).
    public func pseudonymiser() throws -> Pseudonymiser {
        Pseudonymiser(key: try SecretKeyFile.loadOrCreate(at: paths.pseudonymKey).key)
    }

    /// Appends one event to the trail as this user.
    /// - Parameters:
    ///   - action: what was done (`identify`, `view-pseudonymised`, `risk-train`, …).
    ///   - subject: the person's pseudonym, a model id or a group ("12 young people").
    ///   - reason: why, for actions that need one.
    /// - Returns: the entry as stored.
    @discardableResult
    public func record(_ action: String, subject: String, reason: String = "", count: Int = 0, detail: String = "",
                       at: Int64) throws -> AuditEntry {
        let event = AuditEvent(at: at, actor: user.actor, action: action, subject: subject, count: count, reason: reason, detail: detail)
        return try store.appendAudit([event]).last!
    }

    /// Checks the whole trail against the audit key and the signed head.
    public func verify() throws -> AuditVerification {
        let headFile = SignedHeadFile(path: paths.auditHead, key: chain.key)
        let head: Result<SignedHead?, GovernanceError>
        do { head = .success(try headFile.read()) } catch let e as GovernanceError { head = .failure(e) }
        var verifier = AuditVerifier(chain: chain, headCount: (try? head.get())?.count)
        try store.forEachAuditEntry { verifier.check($0) }
        return verifier.finish(head: head, headPath: paths.auditHead)
    }

    /// Verifies the trail of a store whose file is gone: refused, and said plainly whether a head shows it existed.
    public static func verifyMissingStore(paths: GovernancePaths) -> AuditVerification {
        var problems = ["there is no store at \(paths.store), so there is no audit trail to verify"]
        if let key = try? SecretKeyFile.load(at: paths.auditKey), let head = try? SignedHeadFile(path: paths.auditHead, key: key).read() {
            problems = ["the store \(paths.store) is missing but the signed head \(paths.auditHead) records \(head.count) "
                        + "entries: the store and its trail were deleted or moved"]
        }
        return AuditVerification(entries: 0, headCount: nil, problems: problems, notes: [])
    }
}
