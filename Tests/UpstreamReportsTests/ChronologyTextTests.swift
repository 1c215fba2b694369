import Testing
@testable import UpstreamChronology
import UpstreamModel
import UpstreamReports

@Suite("Chronology text")
struct ChronologyTextTests {
    let text = ChronologyText.render(Samples.chronology())

    @Test func headlineFacts() {
        #expect(text.hasPrefix("Multi-agency chronology: KESTREL-4821\n"))
        #expect(text.contains("male, born 2003, area E01033512"))
        #expect(text.contains("Earliest contact:        2004-02-10, age 0, Emergency departments"))
        #expect(text.contains("First serious violence:  2019-08-23, age 16, Police: crime (suspect), offence 8N [KNIFE]"))
        #expect(!text.contains("IDENTIFIED"))
    }

    @Test func eventColumnsAreAligned() throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("  date") && $0.contains("agency") && $0.contains("link p") })
        let agencyColumn = try #require(lines[header].range(of: "agency")).lowerBound.utf16Offset(in: lines[header])
        let rows = lines[(header + 2)...].prefix { !$0.isEmpty }
        #expect(rows.count == 20)
        for r in rows {
            let rest = String(r.dropFirst(agencyColumn))
            #expect(Agency.allCases.contains { rest.hasPrefix($0.title) }, "misaligned: \(r)")
            #expect(r.hasSuffix("0.9980") || r.hasSuffix("0.9620") || r.hasSuffix("0.8710") || r.hasSuffix("0.7340"))
        }
        #expect(XMLCheck.occurrences(of: "!! FIRST SERIOUS VIOLENCE", in: text) == 1)
        #expect(XMLCheck.occurrences(of: "!  serious violence", in: text) == 1)
    }

    @Test func censusRowsSummarised() {
        #expect(!text.contains("term absence"))
        #expect(text.contains("School census: 33 termly absence rows, per school year"))
        #expect(text.contains("  2012/13         3  2012-12-15  2013-07-20"))
    }

    @Test func contactsHouseholdAndMerged() {
        #expect(text.contains("  Children's social care    5    5    5"))
        #expect(text.contains("  all agencies"))
        #expect(text.contains("household member imprisoned"))
        #expect(text.contains("Records merged (53), weakest link first"))
    }

    @Test func controlCharactersAreDropped() {
        let t = ChronologyText.render(Samples.chronology(pseudonym: "X\u{1B}[2JY", detail: "a\u{07}b\u{9B}c"))
        #expect(!t.contains("\u{1B}"))
        #expect(!t.contains("\u{07}"))
        #expect(!t.contains("\u{9B}"))
        #expect(t.contains("X[2JY"))
    }

    @Test func identifiedViewNamesThePerson() {
        let t = ChronologyText.render(Samples.chronology(identity: [Samples.identity]))
        #expect(t.contains("*** IDENTIFIED — access audited ***"))
        #expect(t.contains("Danny Okonkwo-Reyes: born 2003-05-14, postcode LS9 7QX, NHS 9434765919"))
    }
}
