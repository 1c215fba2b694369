import Testing
import UpstreamServer

@Suite("TOTP, against RFC 6238's test vectors")
struct TOTPTests {
    /// RFC 6238 appendix B: 8-digit codes for the ASCII seeds "1234567890" repeated to 20, 32 and 64 bytes.
    static let vectors: [(Int64, String, String, String)] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ]

    static func seed(_ n: Int) -> [UInt8] { Array(String(repeating: "1234567890", count: 7).prefix(n).utf8) }

    @Test("the published codes for SHA-1, SHA-256 and SHA-512", arguments: vectors)
    func rfc6238(_ v: (Int64, String, String, String)) {
        #expect(TOTP(secret: Self.seed(20), digits: 8, algorithm: .sha1).code(at: v.0) == v.1)
        #expect(TOTP(secret: Self.seed(32), digits: 8, algorithm: .sha256).code(at: v.0) == v.2)
        #expect(TOTP(secret: Self.seed(64), digits: 8, algorithm: .sha512).code(at: v.0) == v.3)
    }

    @Test("RFC 4226 appendix D: HOTP values 0 to 9 for the 20-byte seed")
    func rfc4226() {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        let hotp = TOTP(secret: Self.seed(20))
        #expect((0..<10).map { hotp.hotp(UInt64($0)) } == expected)
    }

    @Test("a code is accepted one step either side of its time, not two")
    func window() {
        let t = TOTP(secret: Self.seed(20))
        let code = t.code(at: 1_111_111_111)
        #expect(t.verify(code, at: 1_111_111_111))
        #expect(t.verify(code, at: 1_111_111_111 + 30))
        #expect(t.verify(code, at: 1_111_111_111 - 30))
        #expect(!t.verify(code, at: 1_111_111_111 + 90))
        #expect(!t.verify("000000", at: 1_111_111_111) || code == "000000")
        #expect(!t.verify(String(code.dropLast()), at: 1_111_111_111))
    }

    @Test("base32 round-trips and matches RFC 4648's examples")
    func base32() {
        #expect(TOTP.base32(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(TOTP.base32(Array("f".utf8)) == "MY")
        #expect(TOTP.base32Decode("MZXW6YTBOI======") == Array("foobar".utf8))
        #expect(TOTP.base32Decode("mzxw6ytboi") == Array("foobar".utf8))
        #expect(TOTP.base32Decode("0O1") == nil)
        let secret = TOTP.newSecret()
        #expect(secret.count == 20)
        #expect(TOTP.base32Decode(TOTP.base32(secret)) == secret)
        #expect(TOTP(secret: secret).uri(account: "demo-admin").hasPrefix("otpauth://totp/Upstream:demo-admin?secret="))
    }
}
