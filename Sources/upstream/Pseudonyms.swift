import Crypto
import Foundation

/// Stable pseudonyms for persons: an HMAC-SHA256 of the person id under a key kept beside the store.
///
/// The key file (`STORE.key`, created on first use, readable by its owner only) never leaves the
/// deployment, so a pseudonym cannot be reversed without it; the same person always gets the same pseudonym.
struct Pseudonyms {
    let key: SymmetricKey

    /// Loads the key beside `store`, creating it if it does not exist.
    static func forStore(_ store: String) throws -> Pseudonyms {
        let path = store + ".key"
        if let data = FileManager.default.contents(atPath: path), data.count == 32 {
            return Pseudonyms(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot create the pseudonymisation key \(path)")
        }
        return Pseudonyms(key: key)
    }

    /// `YP-` and ten upper-case hex characters.
    func pseudonym(_ personID: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(personID.utf8), using: key)
        return "YP-" + mac.prefix(5).map { String(format: "%02X", $0) }.joined()
    }
}

/// A user-facing error with a sentence that says what to do.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
