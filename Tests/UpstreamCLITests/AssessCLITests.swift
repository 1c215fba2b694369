import Foundation
import Testing
import UpstreamTesting

/// `upstream assess` through the binary: on police.uk files with every irregularity, and on a linked synthetic city.
@Suite("upstream assess, through the binary", .serialized)
struct AssessCLITests {
    static let dir = NSTemporaryDirectory() + "upstream-assess-\(getpid())"

    /// A police.uk street file: BOM, CRLF, quoted commas and quotes, a line break inside quotes, an ASB row without a
    /// Crime ID, a row without a location, a bad month, a short row, a blank trailing line.
    static let street: [UInt8] = {
        let lines = [
            "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context",
            "a1,2024-01,West Midlands Police,West Midlands Police,-1.900000,52.480000,On or near Bull Street,E01000001,Birmingham 001A,Violence and sexual offences,Under investigation,",
            ",2024-01,West Midlands Police,West Midlands Police,-1.902000,52.482000,On or near Park,E01000001,Birmingham 001A,Anti-social behaviour,,",
            "a3,2024-01,West Midlands Police,West Midlands Police,-1.950000,52.500000,\"On or near High Street, Aston\",E01000002,\"Birmingham 002B\",Violence and sexual offences,,",
            "a4,2024-02,West Midlands Police,West Midlands Police,,,No Location,,,Robbery,,",
            "a5,2024-02,West Midlands Police,West Midlands Police,-1.900000,52.480000,\"On or near \"\"The Crown\"\"\",E01000001,Birmingham 001A,Robbery,,",
            "a6,2024-02,West Midlands Police,West Midlands Police,-1.900000,52.480000,On or near Bull Street,E01000001,Birmingham 001A,Violence and sexual offences,,\"one\r\ntwo\"",
            "a7,2024/02,West Midlands Police,West Midlands Police,-1.900000,52.480000,On or near Bull Street,E01000001,Birmingham 001A,Violence and sexual offences,,",
            "a8,2024-02,West Midlands Police",
        ]
        return [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }()

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("police.uk input: every row counted, counts by month and crime type, each type's busiest areas, and the report")
    func policeUK() throws {
        let d = Self.dir + "/policeuk"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: d) }
        let file = d + "/2024-01-west-midlands-street.csv"
        try Data(Self.street).write(to: URL(fileURLWithPath: file))
        let r = try UpstreamBinary.run(["assess", "--police-uk", file, "--out", d + "/out", "--json", "--no-pdf"])
        #expect(r.status == 0, "\(r.err)")
        let j = try json(r.out)
        #expect(j["rows"] as? Int == 8)
        #expect(j["rows_without_location"] as? Int == 1)
        let counts = try #require(j["counts"] as? [[String: Any]])
        let triples = counts.map { "\($0["month"] as? String ?? "")|\($0["crime_type"] as? String ?? "")|\($0["count"] as? Int ?? -1)" }
        #expect(triples == ["2024-01|Anti-social behaviour|1", "2024-01|Violence and sexual offences|2", "2024-02|Robbery|2",
                            "2024-02|Violence and sexual offences|1"])
        let top = try #require(j["top_areas"] as? [[String: Any]])
        #expect(top.count == 4)
        #expect(top.contains { $0["crime_type"] as? String == "Violence and sexual offences" && $0["lsoa_code"] as? String == "E01000002"
            && $0["lsoa_name"] as? String == "Birmingham 002B" && $0["count"] as? Int == 1 })
        let unusable = try #require(j["unusable"] as? [[String: Any]])
        #expect(unusable.count == 2)
        #expect(j["assessment"] as? [String: Any] != nil)
        for f in ["assessment.html", "assessment.json", "areas.geojson", "police-uk.json"] {
            #expect(FileManager.default.fileExists(atPath: d + "/out/" + f), "\(f) missing")
        }
        let html = try String(contentsOfFile: d + "/out/assessment.html", encoding: .utf8)
        #expect(html.contains("resolution of police.uk"))
        let geo = try json(String(contentsOfFile: d + "/out/areas.geojson", encoding: .utf8))
        #expect(geo["type"] as? String == "FeatureCollection")
        #expect((geo["features"] as? [Any])?.count == 2)
    }

    @Test("clear errors: a file that is not from police.uk, a bad month, no input")
    func errors() throws {
        let d = Self.dir + "/errors"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: d) }
        try "name,age\nA,1\n".write(toFile: d + "/people.csv", atomically: true, encoding: .utf8)
        let wrong = try UpstreamBinary.run(["assess", "--police-uk", d + "/people.csv", "--out", d + "/out", "--no-pdf"])
        #expect(wrong.status != 0)
        #expect(wrong.err.contains("not a police.uk"))
        let month = try UpstreamBinary.run(["assess", "--store", d + "/x.db", "--from", "2024-13", "--to", "2024-12", "--out", d + "/out"])
        #expect(month.status != 0 && month.err.contains("YYYY-MM"))
        let none = try UpstreamBinary.run(["assess", "--out", d + "/out"])
        #expect(none.status != 0 && none.err.contains("--police-uk"))
    }

    @Test("store input on a linked city: typologies, people, the Craig pattern and suppressed small counts")
    func store() throws {
        let d = Self.dir + "/store"
        try? FileManager.default.removeItem(atPath: d)
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: d) }
        let config = d + "/stress.yaml"
        try "services:\n  seriousViolenceBy18: 0.08\n".write(toFile: config, atomically: true, encoding: .utf8)
        for args in [["synth", "--people", "3000", "--seed", "5", "--config", config, "--out", d + "/city"],
                     ["ingest", "--synth", d + "/city", "--store", d + "/city.db"],
                     ["link", "--store", d + "/city.db"]] {
            let r = try UpstreamBinary.run(args)
            #expect(r.status == 0, "\(args.joined(separator: " ")): \(r.err)")
            if r.status != 0 { return }
        }
        let r = try UpstreamBinary.run(["assess", "--store", d + "/city.db", "--from", "2022-01", "--to", "2024-12",
                                        "--out", d + "/out", "--json", "--no-pdf"])
        #expect(r.status == 0, "\(r.err)")
        let j = try json(r.out)
        let series = try #require(j["series"] as? [[String: Any]])
        #expect(series.count == 15)
        let all = try #require(series.first { $0["key"] as? String == "all_violence" })
        #expect((all["count"] as? Int ?? 0) > 0)
        #expect((all["monthly"] as? [Any])?.count == 36)
        #expect(all["trend"] != nil)
        #expect(j["people"] != nil)
        let craig = try #require(j["craig"] as? [String: Any])
        #expect(craig["offenders"] as? Int != nil)
        #expect((j["priorities"] as? [Any])?.isEmpty == false)
        let html = try String(contentsOfFile: d + "/out/assessment.html", encoding: .utf8)
        #expect(html.contains("Executive summary"))
        #expect(html.contains("The Craig pattern"))
    }
}

/// The demo writes the strategic assessment beside its index and links it.
@Suite("upstream demo links the strategic assessment", .serialized)
struct AssessDemoCLITests {
    @Test("the demo's index page has the assessment's headline and links the full report")
    func demoLinksAssessment() throws {
        let dir = NSTemporaryDirectory() + "upstream-assess-demo-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try UpstreamBinary.run(["demo", "--people", "2500", "--seed", "4", "--cases", "2", "--out", dir])
        #expect(r.status == 0, "\(r.err)")
        let index = try String(contentsOfFile: dir + "/index.html", encoding: .utf8)
        #expect(index.contains("The strategic assessment of violence"))
        #expect(index.contains("href=\"assessment.html\""))
        #expect(FileManager.default.fileExists(atPath: dir + "/assessment.html"))
        #expect(FileManager.default.fileExists(atPath: dir + "/assessment.json"))
        #expect(FileManager.default.fileExists(atPath: dir + "/areas.geojson"))
    }
}
