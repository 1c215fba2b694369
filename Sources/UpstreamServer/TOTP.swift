import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238, on HOTP, RFC 4226) with swift-crypto's HMAC: the second factor's
/// arithmetic. Pure: the time is a parameter, so the RFC's published test vectors check it exactly. Sign-in and the
/// account page use it for users who set up an authenticator (docs/security.md, V2.7).
public struct TOTP: Sendable, Hashable {
    /// The HMAC's hash function.
    public enum Algorithm: String, Sendable, Hashable, CaseIterable { case sha1 = "SHA1", sha256 = "SHA256", sha512 = "SHA512" }

    /// The shared secret (at least 16 bytes; RFC 4226 recommends 20).
    public let secret: [UInt8]
    public let digits: Int
    /// The time step in seconds.
    public let period: Int64
    public let algorithm: Algorithm

    /// - Parameters:
    ///   - secret: the shared key.
    ///   - digits: 6 to 8 (default 6, what authenticator apps show).
    ///   - period: seconds per code (default 30).
    public init(secret: [UInt8], digits: Int = 6, period: Int64 = 30, algorithm: Algorithm = .sha1) {
        precondition((6...8).contains(digits), "a TOTP code has 6 to 8 digits")
        precondition(period > 0, "the period is positive")
        self.secret = secret; self.digits = digits; self.period = period; self.algorithm = algorithm
    }

    /// A new random 20-byte secret from the system's cryptographic generator.
    public static func newSecret() -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    /// The HOTP value of `counter` (RFC 4226 section 5.3: HMAC, dynamic truncation, modulo 10^digits), zero-padded.
    public func hotp(_ counter: UInt64) -> String {
        let message = withUnsafeBytes(of: counter.bigEndian) { Array($0) }
        let key = SymmetricKey(data: secret)
        let mac: [UInt8]
        switch algorithm {
        case .sha1: mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        case .sha256: mac = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha512: mac = Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
        }
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The code for the time `t` (seconds since 1970): HOTP of ⌊t / period⌋.
    public func code(at t: Int64) -> String { hotp(UInt64(max(0, t) / period)) }

    /// Whether `code` is the code for `t` or for one step either side (clock drift), compared in constant time.
    public func verify(_ code: String, at t: Int64, window: Int64 = 1) -> Bool {
        let typed = Array(code.filter { !$0.isWhitespace }.utf8)
        var ok = false
        for step in -window...window {
            let expected = Array(self.code(at: t + step * period).utf8)
            guard expected.count == typed.count else { continue }
            var diff: UInt8 = 0
            for i in expected.indices { diff |= expected[i] ^ typed[i] }
            ok = ok || diff == 0
        }
        return ok
    }

    /// The secret in base32 (RFC 4648, no padding), as authenticator apps take it.
    public var base32Secret: String { Self.base32(secret) }

    /// The `otpauth://totp/` URI an authenticator app reads (from a QR code or typed in).
    public func uri(account: String, issuer: String = "Upstream") -> String {
        func q(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? "" }
        return "otpauth://totp/\(q(issuer)):\(q(account))?secret=\(base32Secret)&issuer=\(q(issuer))&algorithm=\(algorithm.rawValue)"
            + "&digits=\(digits)&period=\(period)"
    }

    /// RFC 3986's unreserved characters: left as they are in the URI.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// RFC 4648 base32 without padding.
    public static func base32(_ bytes: [UInt8]) -> String {
        var out = "", buffer = 0, bits = 0
        for b in bytes {
            buffer = (buffer << 8) | Int(b); bits += 8
            while bits >= 5 { out.append(alphabet[(buffer >> (bits - 5)) & 31]); bits -= 5 }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }

    /// Decodes RFC 4648 base32 (case-insensitive, padding and spaces ignored); nil for any other character.
    public static func base32Decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = [], buffer = 0, bits = 0
        for c in text.uppercased() where c != "=" && c != " " {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            buffer = ((buffer << 5) | v) & 0xFFFF; bits += 5
            if bits >= 8 { out.append(UInt8((buffer >> (bits - 8)) & 0xff)); bits -= 8 }
        }
        return out
    }
}
