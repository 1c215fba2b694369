import Foundation
import Testing
import UpstreamTesting

/// One numeric option of one command, with the other arguments the command needs to get as far as checking it.
struct NumericOption: CustomTestStringConvertible, Sendable {
    var command: [String]
    var option: String
    var extra: [String] = []
    /// Values any integer is fine for (a seed, a display limit): only "no trap, no hang, a clean exit" is checked.
    var anyInteger = false
    /// The stream of work that owns the option's checks, when they are not yet in place on this branch.
    var owner: String? = nil

    var testDescription: String { (command + [option]).joined(separator: " ") }

    static let store = ["--store", "missing.db"]
    /// An output folder that cannot be created, so that a command that accepted a value stops at once.
    static let unwritable = "/proc/upstream-cannot-write-here"
    /// Every numeric option of every command (the test below checks that none is missing from this list).
    static let all: [NumericOption] = [
        NumericOption(command: ["demo"], option: "--people", extra: ["--out", unwritable]),
        NumericOption(command: ["demo"], option: "--seed", extra: ["--out", unwritable, "--people", "1"], anyInteger: true),
        NumericOption(command: ["demo"], option: "--cases", extra: ["--out", unwritable]),
        NumericOption(command: ["demo"], option: "--capacity", extra: ["--out", unwritable]),
        NumericOption(command: ["synth"], option: "--people", extra: ["--out", unwritable]),
        NumericOption(command: ["synth"], option: "--seed", extra: ["--out", unwritable, "--people", "-5"], anyInteger: true),
        NumericOption(command: ["synth"], option: "--years", extra: ["--out", unwritable]),
        NumericOption(command: ["link"], option: "--threshold", extra: store),
        NumericOption(command: ["review"], option: "--limit", extra: store, anyInteger: true),
        NumericOption(command: ["risk", "train"], option: "--horizon", extra: store),
        NumericOption(command: ["risk", "train"], option: "--min-age", extra: store),
        NumericOption(command: ["risk", "train"], option: "--max-age", extra: store),
        NumericOption(command: ["risk", "train"], option: "--capacity", extra: store),
        NumericOption(command: ["risk", "train"], option: "--bound", extra: store),
        NumericOption(command: ["risk", "train"], option: "--min-group", extra: store),
        NumericOption(command: ["risk", "train"], option: "--iterations", extra: store),
        NumericOption(command: ["risk", "train"], option: "--depth", extra: store),
        NumericOption(command: ["risk", "train"], option: "--learning-rate", extra: store),
        NumericOption(command: ["risk", "train"], option: "--min-leaf", extra: store),
        NumericOption(command: ["risk", "train"], option: "--patience", extra: store),
        NumericOption(command: ["risk", "train"], option: "--seed", extra: store, anyInteger: true),
        NumericOption(command: ["risk", "train"], option: "--folds", extra: ["--csv", "c.csv", "--outcome", "y"]),
        NumericOption(command: ["risk", "score"], option: "--capacity", extra: store + ["--as-of", "2024-01-01"]),
        NumericOption(command: ["risk", "audit"], option: "--threshold",
                      extra: ["--csv", "c.csv", "--score", "s", "--outcome", "y", "--protected", "sex"]),
        NumericOption(command: ["risk", "audit"], option: "--bound",
                      extra: ["--csv", "c.csv", "--score", "s", "--outcome", "y", "--protected", "sex"]),
        NumericOption(command: ["risk", "audit"], option: "--min-group",
                      extra: ["--csv", "c.csv", "--score", "s", "--outcome", "y", "--protected", "sex"]),
        NumericOption(command: ["plan", "make"], option: "--draws", extra: ["--scores", "s.csv", "--budget", "1m"]),
        NumericOption(command: ["plan", "make"], option: "--seed", extra: ["--scores", "s.csv", "--budget", "1m"], anyInteger: true),
        NumericOption(command: ["plan", "make"], option: "--time-limit", extra: ["--scores", "s.csv", "--budget", "1m"]),
        NumericOption(command: ["plan", "make"], option: "--min-bcr", extra: ["--scores", "s.csv", "--budget", "1m"]),
        NumericOption(command: ["plan", "loop"], option: "--people", extra: ["--out", unwritable]),
        NumericOption(command: ["plan", "loop"], option: "--seed", extra: ["--out", unwritable, "--people", "5"], anyInteger: true),
        NumericOption(command: ["plan", "loop"], option: "--train-seed", extra: ["--out", unwritable, "--people", "5"], anyInteger: true),
        NumericOption(command: ["plan", "loop"], option: "--draws", extra: ["--out", unwritable]),
        // A value serve accepted would start a server, which the 60 s limit reports as "still running".
        NumericOption(command: ["serve"], option: "--port", extra: ["--demo", "--demo-persons", "1"]),
        NumericOption(command: ["serve"], option: "--demo-persons", extra: ["--demo"]),
        NumericOption(command: ["serve"], option: "--bcrypt-cost", extra: ["--demo", "--demo-persons", "1"]),
        NumericOption(command: ["serve"], option: "--page-cache", extra: ["--demo", "--demo-persons", "1"]),
        NumericOption(command: ["serve"], option: "--prebuild", extra: ["--demo", "--demo-persons", "1"]),
    ]

    /// Values that no numeric option may accept, and values only an "any integer" option may.
    static let neverValid = ["nan", "inf", "-inf", "1e308", "99999999999999999999999"]
    static let outOfRange = ["-1", "9223372036854775807"]
}

/// Feeds nan, inf, -1 and huge values to every numeric option of every command through the binary: each run ends
/// with a clean exit (no trap or signal, no hang, no internal error); every value out of range is refused with a
/// message naming the option.
@Suite(.serialized) struct NumericOptionTests {
    struct Outcome { var value: String; var problem: String? }

    /// Runs one option with every value; returns what went wrong, per value.
    static func outcomes(_ o: NumericOption) throws -> [Outcome] {
        let dir = temporaryDirectory("numeric")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = writeFile("s,y,sex\n0.1,0,F\n0.9,1,M\n", name: "c.csv", in: dir)
        var out: [Outcome] = []
        for value in NumericOption.neverValid + NumericOption.outOfRange {
            // `--option=-1`: written apart, `-1` would be read as a flag, not as the option's value.
            let r = try runBinary(o.command + ["\(o.option)=\(value)"] + o.extra, in: dir, timeout: 60)
            let name = String(o.option.dropFirst(2))
            let named = [o.option, name, name.replacingOccurrences(of: "-", with: " "), name.replacingOccurrences(of: "-", with: "_")]
                .contains { r.err.lowercased().contains($0) }
            var problem: String?
            if r.timedOut {
                problem = "still running after 60 s: the value was accepted"
            } else if r.signalled {
                problem = "killed by a signal (a trap)"
            } else if r.status == 70 {
                problem = "internal error: \(r.err)"
            } else if r.status == 0, !(o.anyInteger && NumericOption.outOfRange.contains(value)) {
                problem = "accepted (exit 0)"
            } else if r.status != 0, r.err.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problem = "exit \(r.status) with no message"
            } else if !(o.anyInteger && NumericOption.outOfRange.contains(value)), !named {
                problem = "not refused for the value: exit \(r.status), \(r.err.prefix(160))"
            }
            out.append(Outcome(value: value, problem: problem))
        }
        return out
    }

    @Test(arguments: NumericOption.all)
    func everyNumericOptionRefusesNanInfinityNegativeAndHugeValuesCleanly(_ o: NumericOption) throws {
        let problems = try Self.outcomes(o).compactMap { x in x.problem.map { "\(o.option) \(x.value): \($0)" } }
        if let owner = o.owner {
            // Checks another stream of work adds (issue 12 items 2 and 1); once merged these pass and the known
            // issue is simply not recorded.
            withKnownIssue("owned by the \(owner) work (issue 12)", isIntermittent: true) {
                for p in problems { Issue.record(Comment(rawValue: p)) }
            }
        } else {
            for p in problems { Issue.record(Comment(rawValue: p)) }
        }
    }

    @Test func theListCoversEveryNumericOptionWithADefault() throws {
        // ArgumentParser's help dump: every option whose default is a number must be in the list above.
        let r = try runBinary(["--experimental-dump-help"], in: temporaryDirectory("dump"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        var found: [String] = []
        func walk(_ command: [String: Any], path: [String]) {
            for arg in command["arguments"] as? [[String: Any]] ?? [] {
                guard let names = arg["names"] as? [[String: Any]], let long = names.first(where: { $0["kind"] as? String == "long" }),
                      let flag = long["name"] as? String, let d = arg["defaultValue"] as? String, Double(d) != nil else { continue }
                found.append((path + ["--" + flag]).joined(separator: " "))
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                walk(sub, path: path + [sub["commandName"] as? String ?? "?"])
            }
        }
        let top = try #require(root["command"] as? [String: Any])
        walk(top, path: [])
        let listed = Set(NumericOption.all.map { ($0.command + [$0.option]).joined(separator: " ") })
        #expect(!found.isEmpty)
        for f in found { #expect(listed.contains(f), "numeric option not in NumericOption.all: \(f)") }
    }
}
