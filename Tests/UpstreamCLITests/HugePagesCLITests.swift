import Foundation
import Testing
import UpstreamTesting

/// The binary starts again on 2 MiB pages where the kernel gives them on request, and says so in `link --json`.
@Suite("huge pages, through the binary")
struct HugePagesCLITests {
    @Test("link --json reports huge pages asked for exactly when the kernel gives them on request and they are not turned off; the persons are the same")
    func reportedAndHarmless() throws {
        let dir = NSTemporaryDirectory() + "upstream-hugepages-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = """
            record_id,forename,surname,dob,sex,postcode
            1,Anna,Berg,2001-02-03,F,UC1 1AA
            2,Ana,Berg,2001-02-03,F,UC1 1AA
            3,Cara,Dunn,2003-04-05,F,UC1 1AD

            """
        try csv.write(toFile: dir + "/people.csv", atomically: true, encoding: .utf8)
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/linkage-synthetic-city.json").path
        let setting = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? ""
        #if os(Linux)
        let onRequest = setting.contains("[madvise]")
        #else
        let onRequest = false
        #endif
        var persons: [String] = []
        for (environment, expected) in [([String: String](), onRequest), (["UPSTREAM_HUGE_PAGES": "0"], false)] {
            let out = dir + "/persons-\(persons.count).csv"
            let r = try UpstreamBinary.run(["link", "--config", config, "--input", dir + "/people.csv", "--export-clusters", out, "--json"],
                                           environment: environment)
            #expect(r.status == 0, "\(r.err)")
            let link = try #require((try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["link"] as? [String: Any])
            let timings = try #require(link["timings"] as? [String: Any])
            #expect(timings["hugePages"] as? Bool == expected, "kernel setting \(setting), environment \(environment)")
            persons.append(try String(contentsOfFile: out, encoding: .utf8))
        }
        #expect(persons[0] == persons[1])
        #expect(!persons[0].isEmpty)
    }
}
