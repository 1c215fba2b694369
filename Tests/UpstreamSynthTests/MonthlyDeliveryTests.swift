import Foundation
import Testing
import UpstreamModel
@testable import UpstreamSynth

/// `upstream synth --monthly`: the window's last month of recorded rows is written apart, as the next delivery.
@Suite("Synthetic city: the month's delivery")
struct MonthlyDeliveryTests {
    static func lines(_ path: String) throws -> [Substring] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return Array(text.split(separator: "\n").dropFirst())
    }

    @Test("history and month together hold exactly the rows of the undivided city, and the truth is the same")
    func splitLosesAndAddsNothing() throws {
        let base = NSTemporaryDirectory() + "upstream-monthly-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        var cfg = SynthConfig.defaults
        cfg.people = 1_500; cfg.seed = 11; cfg.years = 3
        let whole = try CityGenerator(config: cfg).generate(to: base + "/whole")
        let split = try CityGenerator(config: cfg, monthly: true).generate(to: base + "/split")
        let month = try #require(split.monthDelivery)
        #expect(month.folder == "month-2024-12" || month.folder.hasPrefix("month-"))
        #expect(month.from.hasSuffix("-01"))
        var monthTotal = 0
        for s in ExtractSchema.all {
            let all = try Self.lines("\(base)/whole/\(s.name).csv").sorted()
            let history = try Self.lines("\(base)/split/\(s.name).csv")
            let last = try Self.lines("\(base)/split/\(month.folder)/\(s.name).csv")
            #expect((history + last).sorted() == all, "\(s.name): history + month differ from the undivided extract")
            #expect(split.rows[s.name] == history.count, "\(s.name): the summary counts the history")
            #expect(month.rows[s.name] == last.count)
            monthTotal += last.count
            // Both deliveries carry the extract's header.
            let header = s.header.joined(separator: s.delimiter)
            #expect(try String(contentsOfFile: "\(base)/split/\(month.folder)/\(s.name).csv", encoding: .utf8).hasPrefix(header))
        }
        #expect(monthTotal > 0, "a three-year city of 1,500 people records something in its last month")
        #expect(monthTotal < whole.personRecords / 10, "the month is a small part of the window")
        for f in ["truth/records.csv", "truth/people.csv", "truth/outcomes.csv"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(base)/whole/\(f)")) == Data(contentsOf: URL(fileURLWithPath: "\(base)/split/\(f)")),
                    "\(f) differs: the lives must be the same")
        }
        let manifest = try String(contentsOfFile: "\(base)/split/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"monthDelivery\""))
    }
}
