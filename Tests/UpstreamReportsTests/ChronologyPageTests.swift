import Testing
@testable import UpstreamChronology
import UpstreamModel
@testable import UpstreamReports

@Suite("Chronology page")
struct ChronologyPageTests {
    let page = ChronologyPage.html(Samples.chronology(), generatedAt: "2026-11-25 21:00 UTC")

    @Test func pageAndEverySVGAreWellFormedXML() throws {
        let whole = XMLCheck.parse(page)
        #expect(whole.error == nil, "page: \(whole.error ?? "")")
        let svgs = XMLCheck.svgFragments(page)
        #expect(svgs.count == 1)
        for svg in svgs {
            let r = XMLCheck.parse(svg)
            #expect(r.error == nil, "svg: \(r.error ?? "")")
            #expect(r.elements.first?.name == "svg")
            #expect(r.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
            #expect(r.elements.first?.attributes["viewBox"] != nil)
        }
    }

    @Test func isSelfContained() {
        #expect(!page.contains("<script"))
        #expect(!page.contains("http://") || !page.replacingOccurrences(of: "http://www.w3.org/", with: "").contains("http://"))
        #expect(!page.contains("https://"))
        #expect(!page.contains("<link"))
        #expect(!page.contains("<img"))
        #expect(page.contains("@page { size: A4 landscape"))
        #expect(page.contains("@media print"))
    }

    @Test func lanesOnlyForAgenciesPresentPlusHousehold() {
        let svg = XMLCheck.svgFragments(page)[0]
        let lanes = XMLCheck.parse(svg).elements.compactMap { $0.attributes["data-lane"] }
        #expect(lanes == ["household", "social_care", "health", "school", "police", "youth_justice"])
        // Household ACE events came from prisons and substance misuse services, but the young person has no records there.
        #expect(!lanes.contains("prison"))
        #expect(!lanes.contains("substance_misuse"))
    }

    @Test func eventsPlottedAndCensusRowsSummarisedPerSchoolYear() {
        let c = Samples.chronology()
        let elements = XMLCheck.parse(XMLCheck.svgFragments(page)[0]).elements
        let circles = elements.filter { $0.attributes["class"] == "event" }.count
        let sv = elements.filter { $0.attributes["class"] == "serious-violence" }.count
        let bands = elements.filter { $0.attributes["class"] == "census-band" }.count
        #expect(c.entries.filter { $0.kind == .termAbsence }.count == 33)
        #expect(circles == 18)           // 20 events, 2 of them serious violence
        #expect(sv == 1)                 // the second serious violence; the first is drawn on its own
        #expect(bands == 11)             // school years 2008/09 … 2018/19
        #expect(elements.filter { $0.attributes["class"] == "household-event" }.count == 3)
        #expect(elements.filter { $0.attributes["class"] == "ace-marker" }.count == 3)
        #expect(page.contains("School year 2012/13: 3 termly absence records"))
        #expect(!page.contains("<td>term absence"))
    }

    @Test func ageTicksRunFromZeroToCurrentAge() {
        let elements = XMLCheck.parse(XMLCheck.svgFragments(page)[0]).elements
        // Last recorded date 2020-02-14: age 16, so birthdays 0…17 bound the axis.
        #expect(elements.filter { $0.attributes["class"] == "age-tick" }.count == 18)
    }

    @Test func firstSeriousViolenceIsMarkedOnce() {
        #expect(XMLCheck.occurrences(of: "id=\"first-serious-violence\"", in: page) == 1)
        #expect(page.contains("First serious violence · 2019-08-23 · age 16"))
        #expect(XMLCheck.occurrences(of: "<tr class=\"sv first-sv\">", in: page) == 1)
        #expect(XMLCheck.occurrences(of: "<tr class=\"sv\">", in: page) == 1)
        #expect(page.contains("<span>First serious violence</span><b>2019-08-23</b><span>age 16 · Police</span>"))
    }

    @Test func tablesCarryProvenanceHouseholdACEsAndMergedRecords() {
        #expect(page.contains("police_crime · police_crime.csv:"))
        #expect(page.contains("<td>household member imprisoned</td><td>2009-04-14</td>"))
        #expect(page.contains("<td>step parent or carer</td>"))
        #expect(page.contains("challenge a link"))
        #expect(page.contains("merged into KESTREL-4821 by the record linkage with the match probability shown"))
        // Weakest link first.
        let merged = page.components(separatedBy: "class=\"merged-records\"")[1]
        let firstRow = merged.components(separatedBy: "<tbody>")[1].components(separatedBy: "</tr>")[0]
        #expect(firstRow.contains("0.7340"))
        #expect(merged.contains("anchor"))
        // Contacts before 10: social care 5, health 2.
        #expect(page.contains("Children&#39;s social care</td><td class=\"n\">5</td>"))
    }

    @Test func pseudonymisedByDefault() {
        #expect(!page.contains("identified-banner"))
        #expect(!page.contains("Identified — access audited"))
        #expect(!page.contains("P-000123"))      // internal person id
        #expect(!page.contains("2003-05-14"))    // date of birth: birth year only
        #expect(page.contains("male, born 2003, area E01033512"))
    }

    @Test func identityOnlyWhenSetAndUnderABanner() {
        let identified = ChronologyPage.html(Samples.chronology(identity: [Samples.identity, Samples.identity]), generatedAt: "now")
        #expect(identified.contains("id=\"identified-banner\""))
        #expect(identified.contains("Identified — access audited"))
        #expect(identified.contains("<td>Danny</td>"))
        #expect(identified.contains("Okonkwo-Reyes"))
        #expect(identified.contains("9434765919"))
        #expect(XMLCheck.occurrences(of: "<td>Danny</td>", in: identified) == 1)   // duplicates collapsed
        #expect(XMLCheck.parse(identified).error == nil)
        #expect(!page.contains("Danny"))
        #expect(!page.contains("9434765919"))
    }

    @Test func hostileTextIsEscapedInHTMLAndSVG() {
        let hostile = "<script>alert('x')</script>"
        let c = Samples.chronology(pseudonym: hostile, detail: "\"><img src=x onerror=alert(1)> & \u{1B}[2J ]]>",
                                   evidence: "<b>bold</b> & co", area: "E01&<area>",
                                   identity: [Identity(forename: "<svg onload=alert(1)>", surname: "O'Brien")])
        let html = ChronologyPage.html(c, generatedAt: "<now>")
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>bold"))
        #expect(!html.contains("<svg onload"))
        #expect(!html.contains("\u{1B}"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp;"))
        #expect(html.contains("O&#39;Brien"))
        let r = XMLCheck.parse(html)
        #expect(r.error == nil, "\(r.error ?? "")")
        for svg in XMLCheck.svgFragments(html) { #expect(XMLCheck.parse(svg).error == nil) }
        // Hostile text must not create elements: the only elements are the page's own.
        let names = Set(r.elements.map(\.name))
        #expect(!names.contains("script"))
        #expect(!names.contains("img"))
    }

    @Test func everyAgencyHasALanePosition() {
        #expect(Set(ChronologyDigest.laneOrder) == Set(Agency.allCases))
        #expect(ChronologyDigest.laneOrder.count == Agency.allCases.count)
    }

    @Test func withoutADateOfBirthTheAxisIsByYearOnly() {
        var c = Samples.chronology()
        c.dateOfBirth = nil
        for i in c.entries.indices { c.entries[i].age = nil }
        let html = ChronologyPage.html(c, generatedAt: "now")
        let elements = XMLCheck.parse(XMLCheck.svgFragments(html)[0]).elements
        #expect(XMLCheck.parse(html).error == nil)
        #expect(elements.filter { $0.attributes["class"] == "age-tick" }.isEmpty)
        #expect(html.contains("age unknown (no date of birth)"))
        #expect(html.contains(">2004</text>"))
        #expect(html.contains("First serious violence · 2019-08-23</text>"))
        #expect(ChronologyText.render(c).contains("2019-08-23    –  Police"))
    }

    @Test func emptyChronologyStillRenders() {
        var c = Samples.chronology()
        c.entries = []; c.householdEvents = []; c.aces = []; c.household = []; c.mergedRecords = []; c.contactsBefore = [:]
        c.firstSeriousViolence = nil; c.earliestContact = nil; c.dateOfBirth = nil
        let html = ChronologyPage.html(c, generatedAt: "now")
        #expect(XMLCheck.parse(html).error == nil)
        #expect(html.contains("none recorded"))
        let lanes = XMLCheck.parse(XMLCheck.svgFragments(html)[0]).elements.compactMap { $0.attributes["data-lane"] }
        #expect(lanes == ["household"])
    }
}
