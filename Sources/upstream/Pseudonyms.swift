import Foundation
import UpstreamGovernance

/// Stable pseudonyms for persons, as the commands use them: a thin facade over UpstreamGovernance's
/// ``Pseudonymiser`` under the store's pseudonymisation key (`STORE.key`, or in `UPSTREAM_KEYS_DIR`).
///
/// The key is created once, atomically, readable by its owner only; a damaged key or one others can read is
/// refused with a message saying what to do (docs/governance.md).
struct Pseudonyms {
    let pseudonymiser: Pseudonymiser

    /// Loads the key for `store`, creating it on first use.
    static func forStore(_ store: String) throws -> Pseudonyms {
        let (key, _) = try SecretKeyFile.loadOrCreate(at: GovernancePaths(store: store).pseudonymKey)
        return Pseudonyms(pseudonymiser: Pseudonymiser(key: key))
    }

    /// `YP-` and 20 Crockford base-32 characters (100 bits).
    func pseudonym(_ personID: String) -> String { pseudonymiser.pseudonym(personID) }

    /// Person id by pseudonym for a set of persons; throws if two persons ever share a pseudonym.
    func pseudonymise(_ personIDs: some Sequence<String>) throws -> [String: String] {
        try pseudonymiser.pseudonymise(personIDs)
    }
}

/// A user-facing error with a sentence that says what to do.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
