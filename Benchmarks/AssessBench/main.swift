import Foundation
import UpstreamAssessment
import UpstreamModel
import UpstreamReports

// The assessment benchmark's executable: exactly what `upstream assess --police-uk FILE... --out DIR --no-pdf --json`
// does (stream every file through the police.uk reader in 1 MiB chunks, summarise, build the assessment, write the
// HTML, the GeoJSON and the JSON), in a binary that does not need the store's dependencies, so that it builds in
// release quickly on a shared machine. Prints one line of JSON: rows, seconds, and the time of each step.
// Usage: upstream-assess-bench OUT_DIR FILE...

/// A file read through `FileHandle` (the benchmark does not link UpstreamIngest's `FileByteStream`).
struct HandleStream: ByteStream {
    let handle: FileHandle
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let data = try handle.read(upToCount: buffer.count), !data.isEmpty else { return 0 }
        data.copyBytes(to: buffer)
        return data.count
    }
}

let args = CommandLine.arguments.dropFirst()
guard args.count >= 2 else { FileHandle.standardError.write(Data("usage: upstream-assess-bench OUT_DIR FILE...\n".utf8)); exit(2) }
let out = args.first!, files = Array(args.dropFirst())
let clock = ContinuousClock()
let t0 = clock.now
var tally = PoliceUKTally()
for file in files {
    guard let handle = FileHandle(forReadingAtPath: file) else { FileHandle.standardError.write(Data("cannot read \(file)\n".utf8)); exit(1) }
    var reader = PoliceUKReader(file: (file as NSString).lastPathComponent)
    try reader.read(HandleStream(handle: handle), into: &tally)
    try handle.close()
}
let t1 = clock.now
let summary = tally.summary()
let assessment = Assessment.build(try tally.assessmentInput(), weights: PriorityWeights(), generated: "benchmark")
let t2 = clock.now
try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
try Data(AssessmentPage.html(assessment).utf8).write(to: URL(fileURLWithPath: out + "/assessment.html"))
try Data(GeoJSON.areas(assessment.place.areas, hotspots: assessment.place.hotspots).utf8).write(to: URL(fileURLWithPath: out + "/areas.geojson"))
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
encoder.keyEncodingStrategy = .convertToSnakeCase
try encoder.encode(assessment).write(to: URL(fileURLWithPath: out + "/assessment.json"))
try encoder.encode(summary).write(to: URL(fileURLWithPath: out + "/police-uk.json"))
let t3 = clock.now
func s(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
print("{\"rows\": \(summary.rows), \"rows_used\": \(summary.rowsUsed), \"read_s\": \(s(t1 - t0)), \"assess_s\": \(s(t2 - t1)), \"write_s\": \(s(t3 - t2)), \"total_s\": \(s(t3 - t0))}")
