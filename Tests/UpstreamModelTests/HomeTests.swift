import PropertyBased
import Testing
@testable import UpstreamModel

/// `Identity.home`: the byte-by-byte path for ASCII addresses gives Unicode's answer.
@Suite struct HomeTests {
    @Test func knownAddresses() {
        #expect(Identity.home(postcode: "ab1 2cd", address: "12 High Street") == "AB1 2CD#12")
        #expect(Identity.home(postcode: "AB1 2CD", address: "Flat 3, 12 High Street") == "AB1 2CD#12")
        #expect(Identity.home(postcode: "AB1 2CD", address: "flat 3 The Lodge") == "AB1 2CD")
        #expect(Identity.home(postcode: "AB1 2CD", address: "The Lodge") == "AB1 2CD")
        #expect(Identity.home(postcode: "AB1 2CD", address: nil) == "AB1 2CD")
        #expect(Identity.home(postcode: "", address: "12 High Street") == nil)
        #expect(Identity.home(postcode: nil, address: "12 High Street") == nil)
        // Not ASCII: Unicode's digits and upper case decide.
        #expect(Identity.home(postcode: "AB1 2CD", address: "Fläche 7 Straße") == "AB1 2CD#7")
        #expect(Identity.home(postcode: "AB1 2CD", address: "12 \u{301}High") == Identity.unicodeHome(postcode: "AB1 2CD", address: "12 \u{301}High"))
    }

    static let pieces = ["1", "12", "007", "flat", "FLAT", "Flat", "fLaT", "flats", "a", "High", "St", " ", ",", ", ", "  ",
                         "\t", "\r\n", "3b", "-", "é", "\u{301}", "٣", "½", "ß", "Ⅻ", "x1", "FLAT1"]
    static let address = Gen<String?>.element(of: pieces).map { $0! }.array(of: 0...8).map { $0.joined() }

    @Test func asciiPathAgreesWithUnicode() async {
        await propertyCheck(count: 2_000, input: Self.address) { address in
            let fast = Identity.home(postcode: "ab1 2cd", address: address)
            #expect(fast == Identity.unicodeHome(postcode: "ab1 2cd", address: address), "address \(address.debugDescription)")
        }
    }
}
