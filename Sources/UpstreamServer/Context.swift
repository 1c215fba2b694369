import Hummingbird
import Logging
import NIOCore
import UpstreamGovernance

/// The request context of every route: the session (if the cookie names a live one) and the client's address.
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``SessionMiddleware``.
    public var session: Session?
    /// The peer's IP address (for the login throttle), never logged.
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Forms are small: a login, a reason, a role.
    public var maxUploadSize: Int { 64 * 1024 }
}

/// The context of routes that need a signed-in user: built from ``WebContext`` only when the session is signed in,
/// so a handler here cannot forget the check (its `user` is not optional).
public struct SignedInContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let session: Session
    public var user: User { session.user! }
    /// The user's role (always set for a signed-in user).
    public var role: UpstreamGovernance.Role { session.user!.role! }

    public init(context: WebContext) throws {
        guard let s = context.session, let u = s.user, u.role != nil else { throw WebError.signInRequired }
        coreContext = context.coreContext
        session = s
    }

    public var maxUploadSize: Int { 64 * 1024 }

    /// Throws ``WebError/forbidden(_:)`` unless the user's role is one of `roles`.
    func require(_ roles: Set<Role>, _ what: String) throws {
        guard roles.contains(role) else { throw WebError.forbidden("the role \(role.rawValue) may not \(what)") }
    }
}

/// A user's role in the web app (UpstreamGovernance's, not UpstreamModel's role of a person in an event).
typealias Role = UpstreamGovernance.Role
