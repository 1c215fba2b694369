import Foundation

/// Progress and messages on standard error: shown on a terminal, silent when piped.
struct Terminal {
    /// Whether standard error is a terminal.
    static var isInteractive: Bool { isatty(2) == 1 }

    /// Writes text to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Replaces the current progress line (a bar on a terminal; in plain mode a new line when the text changes).
    static func progress(_ line: String) {
        switch mode {
        case .bar: error("\r\u{1B}[K" + fit(line))
        case .plain: plain.text(line)
        case .off: return
        }
    }

    /// Clears the progress line (terminal only).
    static func clearProgress() {
        guard mode == .bar else { return }
        error("\r\u{1B}[K")
    }

    /// How progress is shown: `UPSTREAM_PROGRESS=auto` (the default: a redrawn bar when standard error is a
    /// terminal, nothing otherwise), `plain` (one timestamped line when a stage begins and ends and every 10 seconds
    /// between, for the logs of overnight runs; `plain:N` every N seconds) or `off`.
    enum Mode: Equatable { case bar, plain, off }

    static let progressVariable = "UPSTREAM_PROGRESS"

    /// A bar cut to the terminal's width (a line that wrapped could not be redrawn in place).
    static func fit(_ line: String) -> String {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 1 else { return line }
        let width = Int(size.ws_col) - 1
        return line.count <= width ? line : String(line.prefix(width))
    }

    /// The mode and the plain mode's interval, from `UPSTREAM_PROGRESS` and whether standard error is a terminal.
    static func mode(setting: String?, interactive: Bool) -> (Mode, Double) {
        let v = (setting ?? "auto").trimmingCharacters(in: .whitespaces).lowercased()
        if v == "off" || v == "none" || v == "0" { return (.off, 0) }
        if v == "plain" { return (.plain, 10) }
        if v.hasPrefix("plain:"), let n = Double(v.dropFirst(6)), n >= 0 { return (.plain, n) }
        return (interactive ? .bar : .off, 0)
    }

    static let (mode, plainInterval) = mode(setting: ProcessInfo.processInfo.environment[progressVariable], interactive: isInteractive)
    static let plain = PlainProgress(every: plainInterval)

    /// Shows a stage's snapshot: redraws the bar (the tracker sends at most ~5 a second) or writes a plain line.
    static func update(_ s: ProgressSnapshot) {
        switch mode {
        case .bar: error("\r\u{1B}[K" + (s.event == .finish ? "" : fit(ProgressLine.render(s, bar: true))))
        case .plain: plain.snapshot(s)
        case .off: return
        }
    }
}

/// The plain mode's lines: every begin and finish, an update only when `every` seconds have passed since the last line.
final class PlainProgress: @unchecked Sendable {
    let every: Double
    let lock = NSLock()
    var last = Date.distantPast
    var lastText = ""

    init(every: Double) { self.every = every }

    func snapshot(_ s: ProgressSnapshot) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        if s.event == .update, now.timeIntervalSince(last) < every { return }
        last = now
        write(ProgressLine.render(s, bar: false), at: now)
    }

    func text(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        guard line != lastText else { return }
        lastText = line
        write(line, at: Date())
    }

    func write(_ line: String, at now: Date) {
        let stamp = ISO8601DateFormatter.string(from: now, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        Terminal.error("\(stamp) \(line)\n")
    }
}

import UpstreamWorkspace

extension Terminal {
    /// Prints a command's result as pretty, key-sorted JSON on standard output (`--json`).
    static func json<T: Encodable>(_ value: T) throws { print(try JSONFiles.text(value)) }

    /// Progress and notes of a use case, on standard error (progress only on a terminal).
    static let messages = Messages(progress: { Terminal.progress($0) }, clearProgress: { Terminal.clearProgress() },
                                   note: { Terminal.error((mode == .bar ? "\r\u{1B}[K" : "") + $0) }, update: { Terminal.update($0) })
}
