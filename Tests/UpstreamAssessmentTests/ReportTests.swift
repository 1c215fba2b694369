import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import UpstreamModel
import UpstreamReports
@testable import UpstreamAssessment

/// A store assessment of a made-up city: three years of crimes in a 10×10 grid of areas with a cluster, people and a
/// Craig pattern.
enum Sample {
    static func assessment() throws -> Assessment {
        var b = StoreAssessmentBuilder(from: YearMonth(year: 2022, month: 1)!, to: YearMonth(year: 2024, month: 12)!)
        var n = 0
        for y in 2022...2024 {
            for m in 1...12 {
                for k in 0..<(40 + m * 2 + (y == 2024 ? 15 : 0)) {
                    n += 1
                    let area = k % 7 == 0 ? 45 : (k * 13 + m) % 100
                    let code = ["8N", "105A", "34B", "8L", "19C", "46", "58A"][k % 7]
                    var flags: CrimeFlags = []
                    if k % 5 == 0 { flags.insert(.domesticAbuse) }
                    if k % 11 == 0 { flags.insert(.knife) }
                    if k % 17 == 0 { flags.insert(.nightTimeEconomy) }
                    let date = CivilDate(year: y, month: m, day: 1 + k % 28)!
                    let ref = "C\(n)"
                    b.add(StoreCrime(reference: ref, date: date, minuteOfDay: (k * 97) % 1440, code: code, flags: flags,
                                     area: "E0\(1000 + area)", easting: Double(area % 10) * 400 + 400_000, northing: Double(area / 10) * 400 + 300_000))
                    b.add(party: Involvement(person: "V\(k % 60)", crime: ref, role: .victim, age: 12 + k % 50, sex: k % 2 == 0 ? .male : .female))
                    b.add(party: Involvement(person: "S\(k % 40)", crime: ref, role: .suspect, age: 15 + k % 30, sex: .male))
                }
            }
        }
        let craig = CraigPattern.of((0..<12).map { i in
            CraigCase(aces: i < 8 ? [.domesticViolence] : [], ageAtViolence: 17, firstContactAgency: .school, firstContactAge: 6,
                      yearsBefore: 11, priorContacts: [.school: 4, .police: 2])
        })
        return Assessment.build(try b.input(craig: craig, linked: true), weights: PriorityWeights(), generated: "2026-11-30T00:00:00Z")
    }
}

@Suite("The assessment report")
struct ReportTests {
    @Test("the store assessment finds the planted rise, the planted hotspot and ranks threats")
    func figures() throws {
        let a = try Sample.assessment()
        let all = try #require(a.series.first { $0.key == "all_violence" })
        #expect(all.monthly.count == 36)
        let trend = try #require(all.trend)
        #expect(trend.significant && trend.ratio > 1)
        let hot = try #require(a.place.hotspots).locals.filter { $0.kind == "hot" }.map(\.code)
        #expect(hot.contains("E01045"))
        #expect(a.place.concentration.top1Areas == 1)
        #expect(!a.priorities.isEmpty && a.priorities.count <= 14)
        #expect(a.controlStrategy.count == 3)
        #expect(a.heatMap?.timed ?? 0 > 0)
        // Victims V0…V59 are recorded on every crime, but only violent crimes count (k mod 7 < 5, k < 79).
        #expect(a.people?.victims == Set((0..<79).filter { $0 % 7 < 5 }.map { $0 % 60 }).count)
        // Shoplifting (46) and criminal damage (58A) are not violence.
        #expect(all.count < a.series.reduce(0) { max($0, $1.count) } + 1)
    }

    @Test("the page is well-formed, offline, has the executive summary first and suppresses small counts")
    func page() throws {
        let a = try Sample.assessment()
        let html = AssessmentPage.html(a)
        let summary = try #require(html.range(of: "Executive summary"))
        let typology = try #require(html.range(of: "The picture by typology"))
        #expect(summary.lowerBound < typology.lowerBound)
        #expect(html.contains("Methods annex"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(html.contains("fewer than 5"))
        // Parse as XML: every tag closed, every entity escaped.
        let parser = XMLParser(data: Data(html.replacingOccurrences(of: "<!DOCTYPE html>", with: "").utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    }

    @Test("every figure is in the JSON")
    func json() throws {
        let a = try Sample.assessment()
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let object = try #require(try JSONSerialization.jsonObject(with: try encoder.encode(a)) as? [String: Any])
        for key in ["series", "place", "people", "craig", "priorities", "control_strategy", "weights", "heat_map", "sources"] {
            #expect(object[key] != nil, "\(key) missing")
        }
    }
}
