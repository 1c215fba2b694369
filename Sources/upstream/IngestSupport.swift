import ArgumentParser
import Foundation
import UpstreamGovernance
import UpstreamIngest
import UpstreamLinkage
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite

enum IngestCLI {
    /// `--memory`'s bytes (default 8 GiB); a usage error for a value that is not a size of at least 1 MiB.
    static func memory(_ text: String?) throws -> Int {
        guard let text else { return 8 << 30 }
        return try MemoryOption.bytes(text)
    }

    /// A file's size in bytes, or nil when it cannot be read (ingest then reports the error).
    static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
    }

    /// Prints a value as pretty, key-sorted JSON on standard output.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Parses `YYYY-MM-DD`, or throws a validation error naming the option.
    static func date(_ text: String?, option: String) throws -> CivilDate? {
        guard let text else { return nil }
        guard let d = CivilDate.parse(text, layout: .iso) else {
            throw ValidationError("--\(option) must be a date written YYYY-MM-DD, e.g. 2025-03-31")
        }
        return d
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    static func today() -> CivilDate { CivilDate(dayNumber: Int32(now() / 86_400)) }

    /// Finds the shipped specs: `--specs`, then `$UPSTREAM_SPECS`, then `./specs`, then a `specs` folder
    /// beside or above the executable (so `.build/debug/upstream` finds the repository's specs).
    static func specsDirectory(_ explicit: String?) throws -> String {
        let fm = FileManager.default
        func isSpecs(_ p: String) -> Bool {
            var dir: ObjCBool = false
            return fm.fileExists(atPath: p, isDirectory: &dir) && dir.boolValue
                && ((try? fm.contentsOfDirectory(atPath: p))?.contains { $0.hasSuffix(".yaml") } ?? false)
        }
        if let explicit {
            guard isSpecs(explicit) else { throw ValidationError("--specs \(explicit) is not a folder of .yaml specs") }
            return explicit
        }
        if let env = ProcessInfo.processInfo.environment["UPSTREAM_SPECS"], isSpecs(env) { return env }
        if isSpecs("specs") { return "specs" }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("specs").path
            if isSpecs(candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw ValidationError("cannot find the shipped specs: pass --specs DIR or set UPSTREAM_SPECS")
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0, i % 3 == 0, c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
