import Crypto
import Foundation
import Testing
@testable import UpstreamGovernance

@Suite("Pseudonyms: 100-bit keyed hashes in Crockford base 32, with collisions detected")
struct PseudonymiserTests {
    @Test("known answers: the first 100 bits of HMAC-SHA256 under the key, in Crockford base 32",
          arguments: [("P1", "YP-KMYWAZZ6AMK2VD6Y1KVW"), ("person-42", "YP-0RZHBNQZ759ZHE2SPMTM")])
    func knownAnswers(_ id: String, _ expected: String) {
        // Expected values computed independently with Python's hmac module (key = bytes 0…31).
        #expect(Pseudonymiser(key: fixedKey).pseudonym(id) == expected)
    }

    @Test("the same person always gets the same pseudonym; another key gives another")
    func stableAndKeyed() {
        let p = Pseudonymiser(key: fixedKey)
        #expect(p.pseudonym("P1") == p.pseudonym("P1"))
        #expect(Pseudonymiser(key: SymmetricKey(size: .bits256)).pseudonym("P1") != p.pseudonym("P1"))
    }

    @Test("a million persons get a million distinct pseudonyms of the documented shape")
    func millionDistinct() throws {
        let p = Pseudonymiser(key: fixedKey)
        let all = try p.pseudonymise((0..<1_000_000).lazy.map { "P\($0)" })
        #expect(all.count == 1_000_000)
        let sample = try #require(all.keys.first)
        #expect(sample.count == 23)
        #expect(Pseudonymiser.normalise(sample) == sample)
    }

    @Test("two persons with one pseudonym are refused, never resolved to the first match")
    func collisionDetected() throws {
        // One character (5 bits): 40 persons cannot fit in 32 pseudonyms.
        let short = Pseudonymiser(key: fixedKey, length: 1)
        #expect(throws: GovernanceError.self) { try short.pseudonymise((0..<40).map { "P\($0)" }) }
        // The same person listed twice is not a collision.
        #expect(try short.pseudonymise(["P1", "P1"]).count == 1)
    }

    @Test("typed pseudonyms are read in canonical form: lower case, O for 0, I and L for 1")
    func normalise() {
        #expect(Pseudonymiser.normalise("yp-kmywazz6amk2vd6y1kvw") == "YP-KMYWAZZ6AMK2VD6Y1KVW")
        #expect(Pseudonymiser.normalise(" YP-0RZHBNQZ759ZHE2SPMTM\n") == "YP-0RZHBNQZ759ZHE2SPMTM")
        #expect(Pseudonymiser.normalise("YP-ORZHBNQZ759ZHE2SPMTM") == "YP-0RZHBNQZ759ZHE2SPMTM")
        #expect(Pseudonymiser.normalise("YP-KMYWAZZ6AMK2VD6YLKVW") == "YP-KMYWAZZ6AMK2VD6Y1KVW")
        #expect(Pseudonymiser.normalise("YP-1F737567BA") == nil)  // the old 40-bit form
        #expect(Pseudonymiser.normalise("YP-KMYWAZZ6AMK2VD6Y1KVU") == nil)  // U is not in the alphabet
    }
}
