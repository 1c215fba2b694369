import ArgumentParser
import Foundation
import UpstreamGovernance
import UpstreamIngest
import UpstreamStore
import UpstreamWorkspace

/// The exit statuses of `upstream`: one per kind of failure, the same for every command (docs/robustness.md).
enum ExitStatus: Int32, CaseIterable, Sendable {
    /// The command did what was asked.
    case success = 0
    /// The command ran to the end but reports a problem: some input was not used (a file not loaded) or a check it
    /// runs failed (`audit verify`). The output says which.
    case problems = 1
    /// The command line is wrong: an unknown option, a value out of range, options that do not go together, or
    /// (at run time) something named on the command line that is not there. Only a parse error prints the usage.
    case usage = 64
    /// An input cannot be used as it is: a file, spec, config, model or state file is missing, unreadable or has a
    /// mistake; the store holds something unexpected.
    case badInput = 65
    /// A bug in Upstream: an error it did not expect. Please report it with the command that was run.
    case internalError = 70
    /// Reading or writing failed at the operating system's level: a disk full, a permission refused.
    case ioError = 74
    /// The store is busy: another command held it for longer than the wait (`UPSTREAM_BUSY_TIMEOUT`). Try again.
    case busy = 75
    /// The command refused to do something irreversible without confirmation (a large deletion without `--yes`)
    /// or that cannot be right (a retention date in the future).
    case refused = 77

    /// What the status means, one line (short enough for an 80-column help screen).
    var meaning: String {
        switch self {
        case .success: "success"
        case .problems: "finished, but some input was not used or a check failed"
        case .usage: "the command line is wrong (usage shown only for a parse error)"
        case .badInput: "an input (file, spec, config, model, store) cannot be used as it is"
        case .internalError: "an unexpected error: a bug, please report it"
        case .ioError: "reading or writing failed (disk full, permission refused)"
        case .busy: "the store is busy with another command; try again when it has ended"
        case .refused: "refused: a large deletion needs --yes, or a date is in the future"
        }
    }

    /// The table, as `upstream --help` shows it.
    static var table: String {
        "Exit status:\n" + allCases.map { "  \(String($0.rawValue).padding(toLength: 4, withPad: " ", startingAt: 0))\($0.meaning)" }
            .joined(separator: "\n")
    }
}

/// A run-time failure of a command, with the kind that decides its exit status. The message says what is wrong
/// and what to do.
struct CommandFailure: Error, CustomStringConvertible {
    var status: ExitStatus
    var description: String

    /// An input cannot be used as it is.
    static func badInput(_ message: String) -> CommandFailure { CommandFailure(status: .badInput, description: message) }
    /// The command will not go ahead without confirmation, or the request cannot be right.
    static func refused(_ message: String) -> CommandFailure { CommandFailure(status: .refused, description: message) }
    /// Writing or reading failed at the operating system's level.
    static func io(_ message: String) -> CommandFailure { CommandFailure(status: .ioError, description: message) }
}

/// The one place where an error becomes a message and an exit status.
enum ErrorMapping {
    /// The exit status and message for an error thrown while a command runs (after its arguments parsed).
    /// Returns `nil` for ArgumentParser's own exits (`ExitCode`, `CleanExit`, help), which it handles itself.
    static func classify(_ error: any Error) -> (status: ExitStatus, message: String)? {
        switch error {
        case is ExitCode, is CleanExit:
            return nil
        case let e as CommandFailure:
            return (e.status, e.description)
        case let e as WorkspaceError:
            switch e.kind {
            case .usage: return (.usage, e.description)
            case .badInput: return (.badInput, e.description)
            case .refused: return (.refused, e.description)
            case .io: return (.ioError, e.description)
            }
        case let e as ValidationError:
            return (.usage, e.message)
        case _ where String(reflecting: type(of: error)).hasPrefix("ArgumentParser."):
            // ArgumentParser's own signals (help requested, a parse error raised by a built-in command).
            return nil
        case let e as IngestError:
            return (.badInput, e.description)
        case let e as GovernanceError:
            // A key, signed head or review state that cannot be used as it is: the message names the file and what to do.
            return (.badInput, e.description)
        case let e as StoreError:
            if e.isBusy {
                let wait = ProcessInfo.processInfo.environment["UPSTREAM_BUSY_TIMEOUT"] ?? "30"
                return (.busy, "\(e.description), and it did not finish within \(wait) s. Wait for that command to finish "
                        + "(or set UPSTREAM_BUSY_TIMEOUT to wait longer), then run this one again; nothing was changed.")
            }
            return (.badInput, "\(e.description). Check that --store names an Upstream store.")
        case let e as DecodingError:
            return (.badInput, "a JSON file is not valid: \(describe(e))")
        default:
            break
        }
        let typeName = String(reflecting: type(of: error))
        if typeName.hasPrefix("GRDB.") {
            // SQLite errors that the store did not translate: the file, the disk or the permissions.
            return (.ioError, "the store could not be read or written: \(error). Check the disk space and the file's permissions.")
        }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain {
            // Foundation's file errors: 256–511 reading, 512–767 writing. Name the file when Foundation says which.
            let file = (ns.userInfo[NSFilePathErrorKey] as? String).map { " \($0)" } ?? ""
            if (512..<768).contains(ns.code) { return (.ioError, "cannot write\(file): \(ns.localizedDescription)") }
            if (256..<512).contains(ns.code) || ns.code == 4 { return (.badInput, "cannot read\(file): \(ns.localizedDescription)") }
        }
        if ns.domain == NSPOSIXErrorDomain { return (.ioError, ns.localizedDescription) }
        return (.internalError, "unexpected error: \(error). This is a bug in Upstream; please report it with the command you ran.")
    }

    /// Where in a JSON file a decoding error is, in words.
    static func describe(_ e: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.isEmpty ? "" : " at " + c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch e {
        case .dataCorrupted(let c): return "not valid JSON\(path(c))"
        case .keyNotFound(let k, let c): return "missing key '\(k.stringValue)'\(path(c))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(c.debugDescription)\(path(c))"
        @unknown default: return "\(e)"
        }
    }

    /// Prints `error: MESSAGE` on standard error (no usage line) and exits with the mapped status.
    static func exit(runtimeError error: any Error) -> Never {
        guard let (status, message) = classify(error) else { Upstream.exit(withError: error) }
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(status.rawValue)
    }
}

extension Upstream {
    /// The entry point: parse errors go to ArgumentParser (with the usage line); errors while a command runs go
    /// through ``ErrorMapping`` (a plain message and the status from ``ExitStatus``). First, where the kernel gives
    /// 2 MiB pages on request, the program starts again asking for them (``HugePages``).
    static func main() async {
        HugePages.restartIfNeeded()
        var command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot(nil)
        } catch {
            Upstream.exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            ErrorMapping.exit(runtimeError: error)
        }
    }
}
