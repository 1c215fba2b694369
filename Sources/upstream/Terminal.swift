import Foundation

/// Progress and messages on standard error: shown on a terminal, silent when piped.
struct Terminal {
    /// Whether standard error is a terminal.
    static var isInteractive: Bool { isatty(2) == 1 }

    /// Writes text to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Replaces the current progress line (terminal only).
    static func progress(_ line: String) {
        guard isInteractive else { return }
        error("\r\u{1B}[K" + line)
    }

    /// Clears the progress line (terminal only).
    static func clearProgress() {
        guard isInteractive else { return }
        error("\r\u{1B}[K")
    }
}

import UpstreamWorkspace

extension Terminal {
    /// Prints a command's result as pretty, key-sorted JSON on standard output (`--json`).
    static func json<T: Encodable>(_ value: T) throws { print(try JSONFiles.text(value)) }

    /// Progress and notes of a use case, on standard error (progress only on a terminal).
    static let messages = Messages(progress: { Terminal.progress($0) }, clearProgress: { Terminal.clearProgress() },
                                   note: { Terminal.error($0) })
}
