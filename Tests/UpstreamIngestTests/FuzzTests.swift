import Foundation
import PropertyBased
import Testing
import UpstreamIngest
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite

/// How long the fuzz properties run: a short run in every test run; `UPSTREAM_FUZZ_COUNT` (inputs per round) and
/// `UPSTREAM_FUZZ_SECONDS` (keep going for this long) make the long run of `Benchmarks/fuzz.sh`.
enum FuzzBudget {
    static var count: Int { ProcessInfo.processInfo.environment["UPSTREAM_FUZZ_COUNT"].flatMap(Int.init) ?? 120 }
    static var seconds: Double { ProcessInfo.processInfo.environment["UPSTREAM_FUZZ_SECONDS"].flatMap(Double.init) ?? 0 }

    /// Runs `round` once, then again until `UPSTREAM_FUZZ_SECONDS` have passed; in a long run, prints
    /// `fuzz NAME: R rounds, N inputs, S s` for `Benchmarks/fuzz.sh`. Returns the rounds run.
    @discardableResult
    static func rounds(_ name: String = #function, inputsPerRound: Int = count, _ round: () async throws -> Void) async rethrows -> Int {
        let start = Date()
        var n = 0
        repeat {
            try await round()
            n += 1
        } while Date().timeIntervalSince(start) < seconds
        if seconds > 0 {
            let elapsed = Date().timeIntervalSince(start)
            print("fuzz \(name): \(n) rounds, \(n * inputsPerRound) inputs, \(Int(elapsed)) s")
        }
        return n
    }
}

/// Pieces the fuzzers build files from: the structure the parsers care about (delimiters, quotes, line endings,
/// NUL, invalid UTF-8, byte order marks) and values the validators care about.
enum FuzzPieces {
    static let good = "1,SMITH,ANNA,03/02/2005,F,943 476 5919,01/05/2020 10:15,KNIFE\n"
    static let csv: [[UInt8]] = [
        good, "2,JONES,BEN,04/04/2004,M,,02/05/2020 11:00,\n", ",", ",", ",", "\"", "\"", "\"\"", "\n", "\n", "\r\n", "\r",
        "|", " ", "\t", "a", "1", "SMITH", "01/05/2020 10:15", "31/02/2005", "03/02/2021", "01/01/1900", "999-125-0409",
        "943 476 5918", "KNIFE|GANG", "BOMB", "U", "Q", "é", "😀", String(repeating: "x", count: 300),
    ].map { Array($0.utf8) } + [[0], [0xFF], [0xFE, 0xFF], [0xC3], [0xEF, 0xBB, 0xBF], [0xE2, 0x80]]

    static let jsonl: [[UInt8]] = [
        #"{"ID": "1", "Surname": "SMITH", "DOB": "03/02/2005", "ArrestDate": "01/05/2020 10:15"}"# + "\n",
        #"{"ID": 2, "Surname": "JONES", "ArrestDate": "01/05/2020 10:15", "Flags": null}"# + "\n",
        "{", "}", "[", "]", "\"", ":", ",", "\n", "\n", "\r\n", " ", #""ID""#, #""Surname""#, #""ArrestDate""#, #""01/05/2020 10:15""#,
        #""JA\u0000CK""#, #""\ud800""#, "1e999", "-0", "12345678901234567890123", "null", "true", "{}", #"{"a": {"b": []}}"#,
        "\\", String(repeating: "y", count: 300),
    ].map { Array($0.utf8) } + [[0], [0x01], [0xFF], [0xC3, 0x28]]

    static let csvBody = Gen<[UInt8]?>.element(of: csv).map { $0! }.array(of: 0...80).map { $0.flatMap { $0 } }
    static let csvHeader = Gen<[UInt8]?>.element(of: csv + Array(custodyHeader.utf8).map { [$0] }).map { $0! }.array(of: 0...30)
        .map { $0.flatMap { $0 } }
    static let jsonBody = Gen<[UInt8]?>.element(of: jsonl).map { $0! }.array(of: 0...60).map { $0.flatMap { $0 } }
}

/// Counts the records a fresh reader finds in `bytes` (the header included).
func recordCount(_ bytes: [UInt8], options: CSVOptions) throws -> Int {
    var reader = CSVReader(ArrayByteStream(bytes, chunkSize: 4096), options: options)
    var n = 0
    while try reader.next() { n += 1 }
    return n
}

/// Loads `bytes` into a fresh SQLite store and checks the invariant: no trap, no error but ``IngestError`` (which
/// leaves the store empty), and every row read either loaded or quarantined, as the store holds them.
func checkIngestInvariant(_ bytes: [UInt8], spec: SourceSpec, name: String, maxRecordBytes: Int, pipelined: Bool) throws
    -> FileReport?
{
    let store = try SQLiteStore(path: ":memory:")
    let path = writeFile(bytes, name: name, in: fuzzDirectory)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let report: FileReport
    do {
        report = try Ingestor(store: store, loadedAt: loadTime, maxRecordBytes: maxRecordBytes, pipelined: pipelined)
            .ingest(path: path, spec: spec)
    } catch is IngestError {
        #expect(try store.deliveries(source: nil).isEmpty)
        #expect(try store.records().isEmpty)
        return nil
    }
    let c = report.counts
    #expect(c.balances, "\(report.balanceLine)")
    #expect(try store.records().count == c.loaded)
    #expect(try store.quarantinedRows().count == c.quarantined)
    #expect(try store.deliveries(source: nil).first?.counts == c)
    for reason in report.quarantinedByReason.keys { #expect(QuarantineReason(rawValue: reason) != nil, "\(reason)") }
    // No stored value holds a NUL (it would have been cut short).
    for r in try store.records() {
        let i = r.record.identity
        for v in [i.surname, i.forename, i.middleNames, i.nhsNumber, r.record.recordID] { #expect(v?.utf8.contains(0) != true) }
    }
    return report
}

let fuzzDirectory = temporaryDirectory("fuzz")

/// Seeded property-based fuzzing of the CSV and JSON Lines readers, ingest and the spec loader. Each failure
/// prints the seed that reproduces it.
@Suite struct FuzzTests {
    @Test func csvRowsReadAreAlwaysLoadedPlusQuarantined() async throws {
        let spec = try custodySpec()
        await FuzzBudget.rounds {
            await propertyCheck(count: FuzzBudget.count, input: FuzzPieces.csvBody, Gen.int(in: 64...4096), Gen.bool) { body, limit, pipelined in
                let bytes = Array(custodyHeader.utf8) + body
                let report = try #require(try checkIngestInvariant(bytes, spec: spec, name: "f.csv", maxRecordBytes: limit, pipelined: pipelined))
                // Every record after the header is a row read.
                let options = CSVOptions(delimiter: UInt8(ascii: ","), maxRecordBytes: limit)
                #expect(report.counts.rowsRead == (try recordCount(bytes, options: options)) - 1)
            }
        }
    }

    @Test func aFuzzedHeaderIsLoadedOrRefusedWholeNeverHalfway() async throws {
        let spec = try custodySpec()
        await FuzzBudget.rounds {
            await propertyCheck(count: FuzzBudget.count, input: FuzzPieces.csvHeader, FuzzPieces.csvBody) { header, body in
                _ = try checkIngestInvariant(header + [0x0A] + body, spec: spec, name: "h.csv", maxRecordBytes: 1 << 20, pipelined: true)
            }
        }
    }

    @Test func jsonLinesRowsReadAreAlwaysLoadedPlusQuarantined() async throws {
        let spec = try custodySpec(custodySpecYAML + "\nformat: { type: jsonl }")
        await FuzzBudget.rounds {
            await propertyCheck(count: FuzzBudget.count, input: FuzzPieces.jsonBody, Gen.int(in: 64...4096)) { body, limit in
                _ = try checkIngestInvariant(body, spec: spec, name: "f.jsonl", maxRecordBytes: limit, pipelined: false)
            }
        }
    }

    @Test func theCSVReaderNeverTrapsOnAnyBytesAndRecordsStayWithinTheLimit() async throws {
        let anyBytes = Gen.uint8(in: 0...255).array(of: 0...400)
        await FuzzBudget.rounds(inputsPerRound: FuzzBudget.count * 4) {
            await propertyCheck(count: FuzzBudget.count * 4, input: anyBytes, Gen.int(in: 1...64), Gen.int(in: 8...128)) { bytes, chunk, limit in
                var reader = CSVReader(ArrayByteStream(bytes, chunkSize: chunk),
                                       options: CSVOptions(delimiter: UInt8(ascii: ","), maxRecordBytes: limit), chunkSize: 64)
                var records = 0
                while try reader.next() {
                    records += 1
                    #expect(reader.raw.count <= limit)
                    for i in 0..<reader.fieldCount { _ = reader.fieldBytes(i) }
                    #expect(records <= bytes.count + 1)
                }
            }
        }
    }

    /// Line-level mutations of a good spec: delete, duplicate, cut, or splice a piece into a line.
    static let specMutations = zip(Gen.int(in: 0...3), Gen.int(in: 0...40), Gen.int(in: 0...60),
                                       Gen<String?>.element(of: [":", "-", " ", "{", "}", "[", "]", "\"", "'", "#", "\n", "  ", "null", "-1",
                                                                 "1e999", "nan", "&a", "*a", "!!binary", "? ", "|", ">", "\t", "\u{0}",
                                                                 "format: { type: jsonl }", "retention: { years: 0 }",
                                                                 "record_id: [A, B]", "match_treshold: 2"]).map { $0! })
        .array(of: 1...4)

    static func mutate(_ yaml: String, _ ops: [(Int, Int, Int, String)]) -> String {
        var lines = yaml.components(separatedBy: "\n")
        for (op, lineIndex, column, piece) in ops where !lines.isEmpty {
            let i = lineIndex % lines.count
            switch op {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[i], at: i)
            case 2: lines[i] = String(lines[i].prefix(column))
            default:
                let line = lines[i]
                let at = line.index(line.startIndex, offsetBy: min(column, line.count))
                lines[i] = String(line[..<at]) + piece + String(line[at...])
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test func aMutatedSpecLoadsOrIsRefusedWithAnIngestErrorNeverATrap() async throws {
        let file = Array((custodyHeader + FuzzPieces.good + "2,JONES,BEN,04/04/2004,M,,02/05/2020 11:00,\n").utf8)
        await FuzzBudget.rounds {
            await propertyCheck(count: FuzzBudget.count, input: Self.specMutations) { ops in
                let yaml = Self.mutate(custodySpecYAML, ops)
                let spec: SourceSpec
                do {
                    spec = try SpecLoader.parse(yaml: yaml, path: "fuzz.yaml")
                } catch let e as IngestError {
                    #expect(e.file == "fuzz.yaml")
                    #expect(!e.message.isEmpty)
                    return
                } catch {
                    Issue.record("the spec loader threw \(type(of: error)), not IngestError: \(error)")
                    return
                }
                let name = spec.format == .jsonLines ? "s.jsonl" : "s.csv"
                _ = try checkIngestInvariant(file, spec: spec, name: name, maxRecordBytes: 1 << 20, pipelined: true)
            }
        }
    }
}
