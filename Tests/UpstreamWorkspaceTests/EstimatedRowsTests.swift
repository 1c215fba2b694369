import Foundation
import Testing
@testable import UpstreamWorkspace

/// The rows a read reserves for: exact for a file within the first 64 KiB, close for a longer one of even rows, and
/// none for a file it can't read or that has no line end.
@Suite("Estimated rows of input files")
struct EstimatedRowsTests {
    static func write(_ name: String, _ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "upstream-rows-\(getpid())-\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aSmallFileIsCountedExactly() throws {
        let path = try Self.write("small.csv", "record_id,name\n" + (0..<500).map { "R\($0),Name \($0)\n" }.joined())
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(LinkFiles.estimatedRows([path]) == 500)
    }

    @Test func aLongFileIsEstimatedFromItsHead() throws {
        let rows = 100_000
        let path = try Self.write("long.csv", "record_id,name,town\n" + (0..<rows).map { "R\(100_000 + $0),Name \($0 % 977),Town\n" }.joined())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let estimate = LinkFiles.estimatedRows([path])
        #expect(abs(estimate - rows) < rows / 20, "estimated \(estimate) of \(rows)")
        // Two files add up.
        #expect(LinkFiles.estimatedRows([path, path]) == 2 * estimate)
    }

    @Test func nothingToCountGivesNone() throws {
        let oneLine = try Self.write("header.csv", "record_id,name")
        defer { try? FileManager.default.removeItem(atPath: oneLine) }
        #expect(LinkFiles.estimatedRows([oneLine]) == 0)
        #expect(LinkFiles.estimatedRows([NSTemporaryDirectory() + "upstream-rows-none-\(getpid()).csv"]) == 0)
        #expect(LinkFiles.estimatedRows([]) == 0)
    }
}
