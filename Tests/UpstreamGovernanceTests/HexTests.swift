import Crypto
import Foundation
import Testing
import UpstreamGovernance

/// The table-driven hexadecimal that names sessions, audit MACs and key check digits gives exactly what Foundation's
/// `String(format: "%02x")` gave a byte at a time (sessions keyed before the change are found after it), and reads back.
@Suite("Hexadecimal")
struct HexTests {
    @Test("every byte value, and 2,000 random byte strings up to 64 bytes: Foundation's digits, and back")
    func sameAsFoundationsFormat() {
        let all = (0...255).map(UInt8.init)
        #expect(Hex.string(all) == all.map { String(format: "%02x", $0) }.joined())
        var g = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...64, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            let hex = Hex.string(bytes)
            #expect(hex == bytes.map { String(format: "%02x", $0) }.joined())
            #expect(Hex.bytes(hex) == bytes && Hex.bytes(hex.uppercased()) == bytes)
        }
        let digest = SHA256.hash(data: Data("session".utf8))
        #expect(Hex.string(digest) == digest.map { String(format: "%02x", $0) }.joined())
        #expect(Hex.bytes("abc") == nil && Hex.bytes("zz") == nil)
    }
}
