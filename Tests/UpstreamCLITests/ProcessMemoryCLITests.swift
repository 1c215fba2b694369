import Foundation
import Testing
import UpstreamTesting

/// How the binary holds its memory, as `link --json` reports it: 2 MiB pages where the kernel gives them on request,
/// and freed memory kept between stages when the run is small beside its budget. Neither changes the persons.
@Suite("process memory, through the binary")
struct ProcessMemoryCLITests {
    /// Links `csv` (written to a fresh folder) with the synthetic city's config once per `runs` entry (extra arguments,
    /// extra environment); returns each run's `timings` object and exported persons.
    static func link(_ csv: String, runs: [(arguments: [String], environment: [String: String])]) throws -> [(timings: [String: Any], persons: String)] {
        let dir = NSTemporaryDirectory() + "upstream-memory-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try csv.write(toFile: dir + "/people.csv", atomically: true, encoding: .utf8)
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/linkage-synthetic-city.json").path
        return try runs.enumerated().map { i, run in
            let out = dir + "/persons-\(i).csv"
            let r = try UpstreamBinary.run(["link", "--config", config, "--input", dir + "/people.csv", "--export-clusters", out, "--json"] + run.arguments,
                                           environment: run.environment)
            #expect(r.status == 0, "\(r.err)")
            let link = try #require((try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["link"] as? [String: Any])
            return (try #require(link["timings"] as? [String: Any]), try String(contentsOfFile: out, encoding: .utf8))
        }
    }

    @Test("link --json reports huge pages asked for exactly when the kernel gives them on request and they are not turned off; the persons are the same")
    func hugePagesReportedAndHarmless() throws {
        let csv = """
            record_id,forename,surname,dob,sex,postcode
            1,Anna,Berg,2001-02-03,F,UC1 1AA
            2,Ana,Berg,2001-02-03,F,UC1 1AA
            3,Cara,Dunn,2003-04-05,F,UC1 1AD

            """
        let setting = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? ""
        #if os(Linux)
        let onRequest = setting.contains("[madvise]")
        #else
        let onRequest = false
        #endif
        let runs = try Self.link(csv, runs: [([], [:]), ([], ["UPSTREAM_HUGE_PAGES": "0"])])
        #expect(runs[0].timings["hugePages"] as? Bool == onRequest, "kernel setting \(setting)")
        #expect(runs[1].timings["hugePages"] as? Bool == false)
        #expect(runs[0].persons == runs[1].persons)
        #expect(!runs[0].persons.isEmpty)
    }

    @Test("link --json says the freed memory was kept under the default budget and handed back under a budget 600 rows could fill half of; the same persons")
    func freedMemoryKeptOnlyWhenSmall() throws {
        var csv = "record_id,forename,surname,dob,sex,postcode\n"
        for i in 0..<600 {
            let day = String(format: "%02d", 1 + i % 28), month = String(format: "%02d", 1 + (i / 28) % 12)
            csv += "\(i),Anna\(i % 7),Berg\(i / 2),19\(60 + i % 40)-\(month)-\(day),\(i % 2 == 0 ? "F" : "M"),UC1 \(i % 9)AA\n"
        }
        let runs = try Self.link(csv, runs: [([], [:]), (["--memory", "1M"], [:])])
        #expect(runs[0].timings["keptFreedMemory"] as? Bool == true)
        #expect(runs[1].timings["keptFreedMemory"] as? Bool == false)
        #expect(runs[0].persons == runs[1].persons)
        #expect(runs[0].persons.split(separator: "\n").count == 601)
    }
}
