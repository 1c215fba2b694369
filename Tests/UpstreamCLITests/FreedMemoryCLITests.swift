import Foundation
import Testing
import UpstreamTesting

/// A link small beside its memory budget keeps the pages its stages free; one that could fill half the budget hands
/// them back between stages. Either way the persons are the same.
@Suite("freed memory, through the binary")
struct FreedMemoryCLITests {
    @Test("link --json says the freed memory was kept under the default budget and handed back under a budget 600 rows could fill half of; the same persons")
    func keptOnlyWhenSmall() throws {
        let dir = NSTemporaryDirectory() + "upstream-freed-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var csv = "record_id,forename,surname,dob,sex,postcode\n"
        for i in 0..<600 {
            let day = String(format: "%02d", 1 + i % 28), month = String(format: "%02d", 1 + (i / 28) % 12)
            csv += "\(i),Anna\(i % 7),Berg\(i / 2),19\(60 + i % 40)-\(month)-\(day),\(i % 2 == 0 ? "F" : "M"),UC1 \(i % 9)AA\n"
        }
        try csv.write(toFile: dir + "/people.csv", atomically: true, encoding: .utf8)
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/linkage-synthetic-city.json").path
        var persons: [String] = []
        for (memory, kept) in [([String](), true), (["--memory", "1M"], false)] {
            let out = dir + "/persons-\(persons.count).csv"
            let r = try UpstreamBinary.run(["link", "--config", config, "--input", dir + "/people.csv", "--export-clusters", out, "--json"] + memory)
            #expect(r.status == 0, "\(r.err)")
            let link = try #require((try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["link"] as? [String: Any])
            let timings = try #require(link["timings"] as? [String: Any])
            #expect(timings["keptFreedMemory"] as? Bool == kept, "\(memory)")
            persons.append(try String(contentsOfFile: out, encoding: .utf8))
        }
        #expect(persons[0] == persons[1])
        #expect(persons[0].split(separator: "\n").count == 601)
    }
}
