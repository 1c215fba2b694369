import Foundation
import UpstreamModel
import UpstreamSynth

/// Generated cities shared by the synth tests (each generated once per test run).
enum CityFixture {
    /// A city large enough for prevalence and odds-ratio checks.
    static let large: (dir: String, summary: CitySummary) = make(people: 100_000, seed: 11)
    /// A small city for schema and noise checks.
    static let small: (dir: String, summary: CitySummary) = make(people: 4_000, seed: 5)

    /// One folder per test process for the cities, removed when the process exits (the 100,000-person city is about
    /// 200 MB, and every test run used to leave one behind).
    static let root: String = {
        let root = NSTemporaryDirectory() + "upstream-synth-test-\(getpid())"
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "upstream-synth-test-\(getpid())") }
        return root
    }()

    static func make(people: Int, seed: UInt64) -> (String, CitySummary) {
        var cfg = SynthConfig.defaults
        cfg.people = people
        cfg.seed = seed
        let dir = root + "/\(people)-\(seed)"
        let summary = try! CityGenerator(config: cfg).generate(to: dir, overwrite: true)
        return (dir, summary)
    }

    /// Reads a delimited file into a header and rows (RFC 4180 quoting).
    static func read(_ path: String, delimiter: Character = ",") -> (header: [String], rows: [[String]]) {
        let text = try! String(contentsOfFile: path, encoding: .utf8)
        var rows: [[String]] = []
        var field = "", row: [String] = [], quoted = false, afterQuote = false
        var it = text.makeIterator()
        while let c = it.next() {
            if quoted {
                if c == "\"" { quoted = false; afterQuote = true } else { field.append(c) }
            } else if c == "\"" {
                if afterQuote { field.append("\"") }
                quoted = true; afterQuote = false
            } else if c == delimiter {
                row.append(field); field = ""; afterQuote = false
            } else if c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""; afterQuote = false
            } else {
                field.append(c); afterQuote = false
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        let header = rows.removeFirst()
        return (header, rows)
    }

    static func table(_ path: String, delimiter: Character = ",") -> [[String: String]] {
        let (h, rows) = read(path, delimiter: delimiter)
        return rows.map { Dictionary(uniqueKeysWithValues: zip(h, $0)) }
    }
}
