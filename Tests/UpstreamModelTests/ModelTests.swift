import Foundation
import PropertyBased
import Testing
import UpstreamModel

@Suite("Model")
struct ModelTests {
    @Test("civil dates round-trip through every layout")
    func dateRoundTrip() async {
        await propertyCheck(input: Gen.int(in: -25_000...60_000)) { n in
            let d = CivilDate(dayNumber: Int32(n))
            for layout in CivilDate.Layout.allCases {
                #expect(CivilDate.parse(d.format(layout), layout: layout) == d)
            }
        }
    }

    @Test("known dates", arguments: [("1970-01-01", 0), ("2000-02-29", 11_016), ("1900-01-01", -25_567)])
    func knownDates(_ text: String, _ day: Int32) {
        #expect(CivilDate.parse(text, layout: .iso)?.dayNumber == day)
    }

    @Test("impossible dates are rejected", arguments: ["2001-02-29", "2020-13-01", "2020-00-10", "31/04/2020", "2020-1-1"])
    func impossible(_ text: String) {
        #expect(CivilDate.parse(text, layout: .iso) == nil && CivilDate.parse(text, layout: .dmySlash) == nil)
    }

    @Test("age in whole years")
    func age() {
        let dob = CivilDate(year: 2004, month: 2, day: 29)!
        #expect(dob.age(on: CivilDate(year: 2022, month: 2, day: 28)!) == 17)
        #expect(dob.age(on: CivilDate(year: 2022, month: 3, day: 1)!) == 18)
    }

    @Test("NHS number check digits (NHS Data Dictionary examples)")
    func nhs() {
        #expect(NHSNumber.isValid("943 476 5919"))
        #expect(NHSNumber.isValid("9434765919"))
        #expect(!NHSNumber.isValid("9434765918"))
        #expect(!NHSNumber.isValid("943476591"))
        #expect(!NHSNumber.isValid("94347659AB"))
    }

    @Test("a single changed digit always breaks an NHS number")
    func nhsSingleDigit() async {
        await propertyCheck(input: Gen.int(in: 0...99_999_999)) { n in
            var nine = String(n)
            nine = String(repeating: "0", count: 9 - nine.count) + nine
            let digits = nine.compactMap { $0.wholeNumberValue }
            guard let check = NHSNumber.checkDigit(forFirstNine: digits) else { return }
            let valid = nine + String(check)
            #expect(NHSNumber.isValid(valid))
            var chars = Array(valid)
            chars[n % 9] = Character(String((digits[n % 9] + 1) % 10))
            #expect(!NHSNumber.isValid(String(chars)))
        }
    }

    @Test("a UPN is its check letter and twelve ASCII digits; the letter comes from the digits")
    func upn() async {
        let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")
        await propertyCheck(input: Gen.int(in: 0...999_999_999)) { n in
            let twelve = String(format: "%03d%09d", n % 997, n)
            let digits = twelve.compactMap { $0.wholeNumberValue }
            let letter = UniquePupilNumber.checkLetter(forDigits: digits)
            #expect(UniquePupilNumber.isValid(String(letter) + twelve))
            #expect(UniquePupilNumber.isValid(Substring(String(letter) + twelve)))
            let other = letters[(letters.firstIndex(of: letter)! + 1 + n % 22) % 23]
            #expect(!UniquePupilNumber.isValid(String(other) + twelve))
            #expect(!UniquePupilNumber.isValid(letter.lowercased() + twelve))
            #expect(!UniquePupilNumber.isValid(String(letter) + twelve.dropLast()))
            #expect(!UniquePupilNumber.isValid(String(letter) + twelve + "0"))
            // Arabic-Indic digits have whole-number values but are not a UPN's.
            let arabic = String(twelve.unicodeScalars.map { Character(Unicode.Scalar(0x0660 + $0.value - 48)!) })
            #expect(!UniquePupilNumber.isValid(String(letter) + arabic))
        }
        #expect(!UniquePupilNumber.isValid(""))
        #expect(!UniquePupilNumber.isValid("A12345678901Z"))
    }

    @Test("crime flags round-trip through their codes")
    func flags() {
        let f: CrimeFlags = [.domesticAbuse, .knife, .gang]
        #expect(CrimeFlags(code: f.code) == f)
        #expect(CrimeFlags(code: "DA|NOPE") == nil)
    }
}

@Suite("Dates in JSON")
struct CivilDateCodingTests {
    @Test("dates encode as ISO text and decode from it or from the older day-number form")
    func coding() throws {
        let d = CivilDate(year: 2014, month: 3, day: 7)!
        struct Box: Codable, Equatable { var d: CivilDate }
        let json = try JSONEncoder().encode(Box(d: d))
        #expect(String(decoding: json, as: UTF8.self) == #"{"d":"2014-03-07"}"#)
        #expect(try JSONDecoder().decode(Box.self, from: json) == Box(d: d))
        #expect(try JSONDecoder().decode(Box.self, from: Data(#"{"d":{"dayNumber":\#(d.dayNumber)}}"#.utf8)) == Box(d: d))
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Box.self, from: Data(#"{"d":"2014-02-30"}"#.utf8)) }
    }
}

@Suite("Social care codes")
struct SocialCareCodeTests {
    @Test("every ACE with a Children in Need factor reads back from its code")
    func roundTrip() {
        for ace in ACE.allCases {
            guard let code = ace.childrenInNeedFactor else { continue }
            let back = ACE(socialCareCode: code)
            // Both neglect items share 22A, which reads back as physical neglect.
            #expect(back == ace || (ace == .emotionalNeglect && back == .physicalNeglect), "\(ace) -> \(code) -> \(String(describing: back))")
        }
        #expect(ACE(socialCareCode: "8B") == .sexualAbuse)
        #expect(ACE(socialCareCode: "neglect") == .physicalNeglect)
        #expect(ACE(socialCareCode: "OTHER") == nil)
    }
}
