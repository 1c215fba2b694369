import Foundation
import Testing

/// The package's layering (docs/architecture.md): the pure cores import only the standard library, small value-level
/// packages and the cores below them, never an adapter (a store, ingest, governance, the server, the CLI, a driver).
@Suite("Architecture: which module may import which")
struct ArchitectureTests {
    /// Each core module and everything it may import. A new import fails this test on purpose: adding an I/O
    /// dependency to a core is a design review, not a convenience (STYLE.md, practice 1).
    static let allowed: [String: Set<String>] = [
        "UpstreamModel": [],
        "UpstreamLinkage": ["Synchronization", "Dispatch", "UpstreamModel"],
        "UpstreamChronology": ["UpstreamModel"],
        "UpstreamRisk": ["Foundation", "UpstreamModel"],
        "UpstreamRiskFeatures": ["Foundation", "Dispatch", "UpstreamModel", "UpstreamChronology", "UpstreamRisk"],
        "UpstreamInterventions": ["Foundation", "CGLPK", "Yams", "UpstreamModel"],
        "UpstreamAssessment": ["Foundation", "UpstreamModel"],
        "UpstreamReports": ["UpstreamModel", "UpstreamChronology", "UpstreamRisk", "UpstreamInterventions", "UpstreamAssessment"],
        "UpstreamSynth": ["UpstreamModel", "Dispatch", "Glibc", "Darwin", "Musl", "Yams"],
    ]
    /// Adapters no core may import.
    static let adapters: Set<String> = [
        "UpstreamStore", "UpstreamStoreSQLite", "UpstreamStorePostgres", "UpstreamIngest", "UpstreamGovernance", "UpstreamServer",
        "GRDB", "GRDBSQLite", "PostgresNIO", "NIOCore", "NIOPosix", "Hummingbird", "ArgumentParser", "Logging",
        "UpstreamWorkspace",
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources").path

    /// The modules imported by the Swift files under `dir` (any depth), with the file of each.
    static func imports(under dir: String) -> [(module: String, file: String)] {
        var out: [(String, String)] = []
        guard let e = FileManager.default.enumerator(atPath: dir) else { return out }
        while let f = e.nextObject() as? String {
            guard f.hasSuffix(".swift"), let text = try? String(contentsOfFile: dir + "/" + f, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                var words = line.split(separator: " ").map(String.init)
                while let w = words.first, w.hasPrefix("@") || ["public", "package", "internal", "private", "fileprivate"].contains(w) { words.removeFirst() }
                guard words.count >= 2, words[0] == "import" else { continue }
                let target = words.count >= 3 && ["struct", "class", "enum", "func", "protocol", "typealias", "var", "let"].contains(words[1]) ? words[2] : words[1]
                out.append((String(target.split(separator: ".").first ?? Substring(target)), f))
            }
        }
        return out
    }

    @Test("every core module imports only what its layer allows", arguments: allowed.keys.sorted())
    func coreImports(module: String) throws {
        let found = Self.imports(under: Self.sources + "/" + module)
        #expect(!found.isEmpty || module == "UpstreamModel", "no Swift files read for \(module) under \(Self.sources)")
        for (m, file) in found {
            #expect(!Self.adapters.contains(m), "\(module)/\(file) imports the adapter \(m)")
            #expect(Self.allowed[module]!.contains(m), "\(module)/\(file) imports \(m), which its layer does not allow (docs/architecture.md)")
        }
    }

    @Test("the use cases (UpstreamWorkspace) import neither the command line's parser nor the web server, so both can call them")
    func workspaceImports() throws {
        let found = Self.imports(under: Self.sources + "/UpstreamWorkspace")
        #expect(!found.isEmpty)
        for (m, file) in found {
            #expect(!["ArgumentParser", "Hummingbird", "UpstreamServer"].contains(m), "UpstreamWorkspace/\(file) imports \(m)")
        }
    }

    @Test("the import scanner sees attributed, access-levelled and submodule imports")
    func scanner() throws {
        let dir = NSTemporaryDirectory() + "upstream-arch-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/Sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "import A\n@testable import B\npublic import C\nimport struct D.Thing\n// import E\nlet x = 1\n".write(toFile: dir + "/Sub/f.swift", atomically: true, encoding: .utf8)
        #expect(Self.imports(under: dir).map(\.module) == ["A", "B", "C", "D"])
    }
}
