import Crypto
import Foundation

/// Stable pseudonyms for persons: `YP-` and 20 Crockford base-32 characters, the first 100 bits of an
/// HMAC-SHA256 of the person id under the deployment's pseudonymisation key.
///
/// The same person always gets the same pseudonym under one key, and a pseudonym cannot be reversed without the
/// key. With 100 bits, the chance that any two of 10 million persons share a pseudonym is about n²/2¹⁰¹ ≈ 4×10⁻¹⁷;
/// ``pseudonymise(_:)`` still checks a set of persons and throws if it ever happens. Crockford's alphabet leaves
/// out I, L, O and U, so a pseudonym read aloud or retyped is unambiguous; ``normalise(_:)`` accepts lower case,
/// O for 0 and I or L for 1.
public struct Pseudonymiser: Sendable {
    let key: SymmetricKey
    /// Characters after the prefix for this pseudonymiser (fewer only in tests of collision detection).
    let length: Int

    /// `YP-`.
    public static let prefix = "YP-"
    /// Characters after the prefix (5 bits each).
    public static let characters = 20
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A pseudonymiser under `key`.
    public init(key: SymmetricKey) { self.init(key: key, length: Self.characters) }

    /// A pseudonymiser with shorter pseudonyms: only for tests that must provoke a collision.
    init(key: SymmetricKey, length: Int) { self.key = key; self.length = length }

    /// The pseudonym of `personID`.
    public func pseudonym(_ personID: String) -> String {
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Data(personID.utf8), using: key))
        var out = Array(Self.prefix.utf8)
        var acc: UInt32 = 0, bits = 0, i = 0
        while out.count < Self.prefix.utf8.count + length {
            if bits < 5 { acc = acc << 8 | UInt32(mac[i]); i += 1; bits += 8 }
            out.append(Self.alphabet[Int((acc >> UInt32(bits - 5)) & 31)])
            bits -= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The pseudonym of every person in `personIDs`, by pseudonym.
    /// - Returns: person id by pseudonym (each distinct person once).
    /// - Throws: ``GovernanceError/pseudonymCollision(_:)`` if two different persons get the same pseudonym.
    public func pseudonymise(_ personIDs: some Sequence<String>) throws -> [String: String] {
        var byPseudonym: [String: String] = [:]
        for id in personIDs {
            let p = pseudonym(id)
            if let other = byPseudonym[p] {
                if other != id { throw GovernanceError.pseudonymCollision(p) }
            } else {
                byPseudonym[p] = id
            }
        }
        return byPseudonym
    }

    /// A pseudonym as typed, in canonical form (upper case; O read as 0, I and L as 1), or `nil` when the text
    /// is not shaped like a pseudonym.
    public static func normalise(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        guard t.hasPrefix(prefix) else { return nil }
        var body = Array(t.utf8.dropFirst(prefix.utf8.count))
        guard body.count == characters else { return nil }
        for i in body.indices {
            switch body[i] {
            case UInt8(ascii: "O"): body[i] = UInt8(ascii: "0")
            case UInt8(ascii: "I"), UInt8(ascii: "L"): body[i] = UInt8(ascii: "1")
            default: break
            }
            guard alphabet.contains(body[i]) else { return nil }
        }
        return prefix + String(decoding: body, as: UTF8.self)
    }
}
