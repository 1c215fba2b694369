import Testing
import UpstreamLinkage
import UpstreamModel

@Suite("Standardisation")
struct StandardiseTests {
    @Test func namesAreFoldedTokenisedAndStrippedOfTitles() {
        #expect(Standardise.nameTokens("Mr. José  O'Brien-Smith") == ["JOSE", "OBRIEN", "SMITH"])
        #expect(Standardise.nameTokens("Zoë") == ["ZOE"])
        // Every title is dropped, in either case and after a folded letter; names that merely start like one are kept.
        for title in ["MR", "MRS", "MS", "MISS", "MX", "DR", "MASTER", "PROF", "SIR", "REV"] {
            #expect(Standardise.nameTokens("\(title) Ann") == ["ANN"], "\(title)")
            #expect(Standardise.nameTokens("\(title.lowercased()). Ann") == ["ANN"], "\(title)")
        }
        #expect(Standardise.nameTokens("Mrs Sirée Masters Drew Revel Profitt") == ["SIREE", "MASTERS", "DREW", "REVEL", "PROFITT"])
        #expect(Standardise.nameTokens("  ") == [])
        #expect(Standardise.surname("Smith-Jones")?.joined == "SMITHJONES")
        #expect(Standardise.surname("smith jones")?.joined == "SMITHJONES")
        #expect(Standardise.surname("de Souza")?.joined == "DESOUZA")
        #expect(Standardise.surname("Van der Berg")?.tokens == ["BERG"])
        let g = Standardise.givenNames(forename: "Muhammad Bilal", middle: "Hassan")
        #expect(g?.forename == "MUHAMMAD")
        #expect(g?.middle == ["BILAL", "HASSAN"])
    }

    @Test func nicknamesMapToOneCanonicalName() {
        #expect(Standardise.canonicalForename("BILL") == Standardise.canonicalForename("WILLIAM"))
        #expect(Standardise.canonicalForename("MOHAMMED") == Standardise.canonicalForename("MUHAMMAD"))
        #expect(Standardise.canonicalForename("ZEBEDEE") == "ZEBEDEE")
    }

    @Test func phoneticCodesGroupSpellingVariants() {
        #expect(Phonetic.nysiis("MOHAMMED") == Phonetic.nysiis("MUHAMMAD"))
        #expect(Phonetic.nysiis("SMITH") == "SNAT")  // Y is not a vowel in NYSIIS: SMYTH is SNYT
        #expect(Phonetic.nysiis("CATHERINE") == Phonetic.nysiis("KATHERINE"))
        #expect(Phonetic.nysiis("KNIGHT").hasPrefix("N"))
        #expect(Phonetic.nysiis("MACDONALD").hasPrefix("MC"))
        #expect(Phonetic.nysiis("SMITH") != Phonetic.nysiis("JONES"))
        #expect(Phonetic.nysiis("") == "")
    }

    @Test func postcodesParseIntoParts() {
        let p = Standardise.postcode("uc4  7ab")
        #expect(p?.unit == "UC4 7AB")
        #expect(p?.sector == "UC4 7")
        #expect(p?.district == "UC4")
        #expect(p?.area == "UC")
        #expect(Standardise.postcode("B15 2TT")?.district == "B15")
        #expect(Standardise.postcode("SW1A1AA")?.unit == "SW1A 1AA")
        #expect(Standardise.postcode("not a postcode") == nil)
        #expect(Standardise.postcode("") == nil)
    }

    @Test func identifiersAreKeptOnlyWhenValid() {
        #expect(Standardise.nhsNumber("943 476 5919") == "9434765919")
        #expect(Standardise.nhsNumber("943 476 5918") == nil)
        #expect(Standardise.nhsNumber(nil) == nil)
        // A UPN: the check letter for twelve digits.
        let digits = [9, 9, 9, 0, 0, 0, 5, 2, 3, 7, 2, 2]
        let upn = String(UniquePupilNumber.checkLetter(forDigits: digits)) + digits.map(String.init).joined()
        #expect(Standardise.upn(upn) == upn)
        #expect(Standardise.upn("A" + String(upn.dropFirst())) == (upn.first == "A" ? upn : nil))
        let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")
        let pnc = "21/3887003" + String(letters[(21 * 10_000_000 + 3_887_003) % 23])
        #expect(Standardise.pnc(pnc) == pnc)
        #expect(Standardise.pnc("21/3887003" + (pnc.last == "A" ? "B" : "A")) == nil)
    }

    @Test func placeholderDatesAreMissing() {
        #expect(Standardise.dateOfBirth(CivilDate(year: 1900, month: 1, day: 1)) == nil)
        #expect(Standardise.dateOfBirth(CivilDate(year: 2005, month: 1, day: 1)) != nil)
        #expect(Standardise.dateOfBirth(nil) == nil)
    }

    @Test func identicalIdentitiesCollapseIntoOneNode() {
        let d = CivilDateFixture.date(2005, 3, 7)
        let data = PreparedData([
            People.input("a", "1", "Jack", "Smith", d), People.input("b", "2", "JACK", "SMITH", d),
            People.input("c", "3", "Jack", "Smyth", d),
        ])
        #expect(data.nodeCount == 2)
        #expect(data.nodeOfRecord[0] == data.nodeOfRecord[1])
        #expect(data.recordCount[Int(data.nodeOfRecord[0])] == 2)
    }
}
