import Testing
import UpstreamModel
@testable import UpstreamRiskFeatures

/// One mapping from every ethnicity code system the agencies use to the ONS 5+1 groups.
@Suite("Ethnicity codes to ONS groups")
struct EthnicGroupsTests {
    @Test func dfeCodesMapByTheirMainCategory() {
        let cases: [(String, String?)] = [
            ("WBRI", "White"), ("WIRI", "White"), ("WOTH", "White"), ("WROM", "White"), ("MWBC", "Mixed"), ("MWAS", "Mixed"),
            ("AIND", "Asian"), ("APKN", "Asian"), ("ABAN", "Asian"), ("CHNE", "Asian"), ("BCRB", "Black"), ("BAFR", "Black"),
            ("OOTH", "Other"), ("REFU", nil), ("NOBT", nil), ("wbri", "White"),
        ]
        for (code, group) in cases { #expect(EthnicGroups.group(code: code, agency: .school) == group, "\(code)") }
    }

    @Test func policeLettersAndICCodes() {
        for (code, group) in [("W", "White"), ("M", "Mixed"), ("A", "Asian"), ("B", "Black"), ("O", "Other"),
                              ("IC1", "White"), ("IC3", "Black"), ("IC4", "Asian"), ("IC6", "Other")] {
            #expect(EthnicGroups.group(code: code, agency: .police) == group, "\(code)")
        }
        #expect(EthnicGroups.group(code: "IC9", agency: .police) == nil)
    }

    @Test func nhsLettersFromHealthServicesWhereTheyClashWithPoliceLetters() {
        // NHS A = White British, B = White Irish, M = Black Caribbean; from the police they mean Asian, Black, Mixed.
        #expect(EthnicGroups.group(code: "A", agency: .health) == "White")
        #expect(EthnicGroups.group(code: "B", agency: .mentalHealth) == "White")
        #expect(EthnicGroups.group(code: "M", agency: .health) == "Black")
        #expect(EthnicGroups.group(code: "R", agency: .health) == "Asian")
        #expect(EthnicGroups.group(code: "S", agency: .health) == "Other")
        #expect(EthnicGroups.group(code: "Z", agency: .health) == nil)
        #expect(EthnicGroups.group(code: "D", agency: nil) == "Mixed")  // not a police letter: read as NHS
    }

    @Test func missingAndUnknownCodes() {
        for code in ["", "  ", "XX", "99", "12AB"] { #expect(EthnicGroups.group(code: code) == nil, "\(code)") }
    }
}
