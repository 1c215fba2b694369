import Crypto
import Foundation
import UpstreamGovernance

/// One browser's session: anonymous (only a CSRF token, for the login form) or signed in as one user.
public struct Session: Sendable, Hashable {
    /// The cookie's value: 256 random bits in hex. The store keeps only its SHA-256.
    public let id: String
    /// The signed-in user, or nil before login.
    public let user: User?
    /// The token every POST form carries (synchroniser token), 256 random bits in hex.
    public let csrf: String
    /// Seconds since 1970-01-01 UTC.
    public let createdAt: Int64
    public var lastSeen: Int64
    /// The user signed in with a password but their role needs a second factor they have not set up: until they do,
    /// only the account page answers (``SecondFactorGate``).
    public var mustEnrol: Bool = false
}

/// The server's sessions, in memory: created at login with a new id (so an id known before login is worthless
/// after it), ended at logout, after `idleTimeout` without a request, or `absoluteTimeout` after login.
public actor SessionStore {
    private var sessions: [String: Session] = [:]
    let idleTimeout: Int64
    let absoluteTimeout: Int64

    /// Sessions that end after `idleTimeout` seconds idle or `absoluteTimeout` seconds in all.
    public init(idleTimeout: Int64 = 30 * 60, absoluteTimeout: Int64 = 8 * 3600) {
        self.idleTimeout = idleTimeout; self.absoluteTimeout = absoluteTimeout
    }

    /// 256 random bits in lower-case hex, from the system's cryptographic generator.
    static func token() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let v = g.next() as UInt64
            let hex = String(v, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    static func key(_ id: String) -> String { Hex.string(SHA256.hash(data: Data(id.utf8))) }

    /// Sessions kept before expired ones are swept out (each visit to the login page makes an anonymous one).
    static let sweepAbove = 10_000

    /// A new session for `user` (nil: anonymous), with a fresh id and CSRF token.
    public func create(user: User?, now: Int64, mustEnrol: Bool = false) -> Session {
        if sessions.count > Self.sweepAbove {
            sessions = sessions.filter { now - $0.value.lastSeen <= idleTimeout && now - $0.value.createdAt <= absoluteTimeout }
            // Still too many: drop the anonymous ones (a flood of login-page visits), never a signed-in user's.
            if sessions.count > Self.sweepAbove { sessions = sessions.filter { $0.value.user != nil } }
        }
        let s = Session(id: Self.token(), user: user, csrf: Self.token(), createdAt: now, lastSeen: now, mustEnrol: mustEnrol)
        sessions[Self.key(s.id)] = s
        return s
    }

    /// The live session with this id, touched; nil when unknown or expired (an expired one is removed).
    public func session(_ id: String, now: Int64) -> Session? {
        let k = Self.key(id)
        guard var s = sessions[k] else { return nil }
        if now - s.lastSeen > idleTimeout || now - s.createdAt > absoluteTimeout {
            sessions[k] = nil
            return nil
        }
        s.lastSeen = now
        sessions[k] = s
        return s
    }

    /// Ends a session.
    public func end(_ id: String) { sessions[Self.key(id)] = nil }

    /// Ends every session of a user (after a role change, a disable or a password reset).
    public func endAll(of name: String) { sessions = sessions.filter { $0.value.user?.name != name } }

    /// How many sessions are live (for metrics).
    public var count: Int { sessions.count }
}

/// Limits login attempts: at most `perMinute` attempts per client address per minute (then 429), and a user is
/// locked for `lockSeconds` after `lockAfter` consecutive failures (kept in the user store, so it survives restarts).
public actor LoginThrottle {
    private var attempts: [String: [Int64]] = [:]
    let perMinute: Int

    /// A throttle allowing `perMinute` attempts per address per minute.
    public init(perMinute: Int) { self.perMinute = perMinute }

    /// Records an attempt from `address`; false when the address is over its limit.
    public func allow(_ address: String, now: Int64) -> Bool {
        if attempts.count > 10_000 { attempts = attempts.filter { $0.value.contains { now - $0 < 60 } } }
        var recent = (attempts[address] ?? []).filter { now - $0 < 60 }
        guard recent.count < perMinute else { attempts[address] = recent; return false }
        recent.append(now)
        attempts[address] = recent
        return true
    }
}
