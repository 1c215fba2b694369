import Foundation

/// The built `upstream` executable, for end-to-end tests that run the real binary.
///
/// Shared by every test target, so that finding and running the binary is written once.
public enum UpstreamBinary {
    /// What one run printed and how it ended.
    public struct Run: Sendable {
        public var status: Int32
        public var out: String
        public var err: String
    }

    /// The executable next to the test bundle (e.g. `.build/debug/upstream`), or `nil` when it was not built.
    public static let path: String? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("upstream").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    /// Runs the binary with `arguments` (in `directory`, when given, and with `environment` added to this process's
    /// environment) and waits for it.
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> Run {
        guard let path else { throw NotBuilt() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        // Standard error goes to a file, so that a chatty child can never block on a full pipe.
        let errPath = NSTemporaryDirectory() + "upstream-stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Run(status: p.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }

    /// Thrown when the binary has not been built (run `swift build --build-tests` first).
    public struct NotBuilt: Error, CustomStringConvertible {
        public var description: String { "build the upstream executable first (swift build --build-tests)" }
    }
}
