import Crypto
import Foundation
import Hummingbird
import UpstreamGovernance

/// Keeps the users' TOTP secrets encrypted at rest: AES-256-GCM under a key of its own, bound to the user's name (the
/// associated data), so the `users` table alone never gives a second factor away and a secret copied onto another
/// user's row does not open.
///
/// The stored value is `aes-gcm-v1:` and the base64 of the nonce, ciphertext and tag. A value without that prefix is
/// a secret stored in plain base32 by an older build: it is still read, and sealed at the user's next sign-in.
///
/// For a store on disk the key is a ``SecretKeyFile`` beside the pseudonymisation key (`STORE.totp-key`, or in
/// `UPSTREAM_KEYS_DIR`), created once, atomically, mode 0600; a corrupt key, or one readable by group or others,
/// is refused with what to do.
public struct SecondFactorVault: Sendable {
    let key: SymmetricKey
    static let prefix = "aes-gcm-v1:"

    /// A vault under `key`.
    public init(key: SymmetricKey) { self.key = key }

    /// A vault under a new key held only in memory (the demo and tests, whose users live in memory too).
    public init() { key = SymmetricKey(size: .bits256) }

    /// Where the key of the store at `location` lives: beside its pseudonymisation key (`….totp-key`).
    public static func keyPath(forStore location: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let paths = GovernancePaths(store: location, environment: environment)
        return String(paths.pseudonymKey.dropLast(".key".count)) + ".totp-key"
    }

    /// The vault of the store at `location`, its key created on first use.
    /// - Throws: ``GovernanceError`` when the key file is corrupt, readable by others, or cannot be created.
    public static func forStore(_ location: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SecondFactorVault {
        SecondFactorVault(key: try SecretKeyFile.loadOrCreate(at: keyPath(forStore: location, environment: environment)).key)
    }

    /// The value to store for `user`'s TOTP secret.
    public func seal(_ secret: [UInt8], user: String) throws -> String {
        let box = try AES.GCM.seal(secret, using: key, authenticating: Data(user.utf8))
        guard let combined = box.combined else { throw WebError.serverFailure }
        return Self.prefix + combined.base64EncodedString()
    }

    /// `user`'s TOTP secret from its stored value; nil when it does not open (damaged, another user's, another key).
    public func open(_ stored: String, user: String) -> [UInt8]? {
        guard stored.hasPrefix(Self.prefix) else { return TOTP.base32Decode(stored) }  // stored in plain by an older build
        guard let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
              let box = try? AES.GCM.SealedBox(combined: data),
              let secret = try? AES.GCM.open(box, using: key, authenticating: Data(user.utf8)) else { return nil }
        return Array(secret)
    }

    /// Whether a stored value is sealed (not an older build's plain secret).
    static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }
}

/// Keeps a user whose role needs a second factor, and who has not set one up, on their account page: every other
/// signed-in route answers 303 to `/account` (a page) or 403 (the API and forms), and the refusal is audited.
struct SecondFactorGate: RouterMiddleware {
    typealias Context = SignedInContext
    /// What such a user may still do: read and use the account page (to set up the authenticator), and ask who they are.
    static let open: Set<String> = ["/account", "/account/totp", "/account/password", "/api/v1/me"]

    func handle(_ request: Request, context: SignedInContext, next: (Request, SignedInContext) async throws -> Response) async throws -> Response {
        guard context.session.mustEnrol, !Self.open.contains(request.uri.path) else { return try await next(request, context) }
        if request.method == .get, !request.uri.path.hasPrefix("/api/") { return WebApp.redirect("/account?enrol=1") }
        throw WebError.forbidden("the role \(context.role.rawValue) needs a second factor: set up an authenticator app on /account first")
    }
}
