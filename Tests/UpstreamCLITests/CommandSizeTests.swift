import Foundation
import Testing

/// Keeps the command line thin: every command (a type conforming to `ParsableCommand` or `AsyncParsableCommand`
/// in `Sources/upstream`) parses, calls one use case of a module and renders, in at most ``limit`` lines. Nested
/// subcommands count on their own, not in their parent. Commands not yet brought under the limit are listed in
/// ``pending`` with the most lines they may have, so none grows; the list only shrinks (docs/architecture.md).
@Suite("command line: every command is thin")
struct CommandSizeTests {
    static let limit = 80

    /// Commands still over the limit (their domain logic is not yet in a module), with their current size.
    static let pending: [String: Int] = [:]

    static var sources: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/upstream").path
    }

    /// Each command type's name (with its enclosing command types) and its own lines, nested commands excluded.
    static func commandSizes(in text: String) -> [(name: String, lines: Int)] {
        let lines = text.components(separatedBy: "\n")
        struct Open { var name: String?; var start: Int; var depth: Int; var nested: Int }
        var stack: [Open] = []
        var depth = 0
        var out: [(String, Int)] = []
        var inMultiline = false
        let declaration = try! NSRegularExpression(pattern: #"^\s*(?:public |private |fileprivate )?struct (\w+)\s*:[^{]*\b(?:Async)?ParsableCommand\b"#)
        for (n, raw) in lines.enumerated() {
            var code = raw
            if inMultiline {
                if code.contains("\"\"\"") { inMultiline = false; code = String(code[code.range(of: "\"\"\"")!.upperBound...]) } else { continue }
            }
            if let r = code.range(of: "\"\"\""), !code[r.upperBound...].contains("\"\"\"") { inMultiline = true; code = String(code[..<r.lowerBound]) }
            code = code.replacingOccurrences(of: #""(?:\\.|[^"\\])*""#, with: "\"\"", options: .regularExpression)
            if let c = code.range(of: "//") { code = String(code[..<c.lowerBound]) }
            let range = NSRange(code.startIndex..., in: code)
            let name = declaration.firstMatch(in: code, range: range).flatMap { Range($0.range(at: 1), in: code) }.map { String(code[$0]) }
            for ch in code {
                if ch == "{" {
                    depth += 1
                    if let name, !stack.contains(where: { $0.depth == depth }) {
                        let parents = stack.compactMap(\.name)
                        stack.append(Open(name: (parents + [name]).joined(separator: "."), start: n, depth: depth, nested: 0))
                    }
                } else if ch == "}" {
                    if let last = stack.last, last.depth == depth {
                        stack.removeLast()
                        let own = n - last.start + 1 - last.nested
                        out.append((last.name!, own))
                        if !stack.isEmpty { stack[stack.count - 1].nested += n - last.start + 1 }
                    }
                    depth -= 1
                }
            }
        }
        return out
    }

    @Test("the counter counts a command's own lines, without nested subcommands or braces in strings and comments")
    func counterOnAKnownText() {
        let text = """
            struct Top: ParsableCommand {
                static let configuration = CommandConfiguration(abstract: "{ not a brace }") // {
                struct Sub: AsyncParsableCommand {
                    func run() async throws {
                        print("}")
                    }
                }
                func run() throws {}
            }
            struct NotACommand {
                func f() {}
            }
            """
        let sizes = Self.commandSizes(in: text)
        #expect(sizes.map(\.name) == ["Top.Sub", "Top"])
        #expect(sizes.map(\.lines) == [5, 4])
    }

    @Test("every command in Sources/upstream is at most 80 lines, except the listed ones, which do not grow")
    func commandsAreThin() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.sources).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(!files.isEmpty)
        var seen: [String: Int] = [:]
        for file in files {
            let text = try String(contentsOfFile: Self.sources + "/" + file, encoding: .utf8)
            for (name, lines) in Self.commandSizes(in: text) {
                seen[name] = lines
                if let allowed = Self.pending[name] {
                    #expect(lines <= allowed, "\(file): \(name) has \(lines) lines, more than the \(allowed) it is allowed while it waits to be thinned")
                } else {
                    #expect(lines <= Self.limit, "\(file): \(name) has \(lines) lines; a command parses, calls a module's use case and renders in at most \(Self.limit) (move its logic into a module such as UpstreamWorkspace)")
                }
            }
        }
        #expect(seen.count >= 20, "found only \(seen.keys.sorted()): is the counter still finding the commands?")
        for (name, allowed) in Self.pending.sorted(by: { $0.key < $1.key }) {
            if let lines = seen[name] {
                #expect(lines > Self.limit, "\(name) is now \(lines) lines: take it off CommandSizeTests.pending (allowed \(allowed))")
            }
        }
    }
}
