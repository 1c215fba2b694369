import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one kill loop of the crash tests: start the `upstream` binary as a child process, `kill -9` it when a trigger
/// fires, and collect how it ended.
///
/// The wait is done on a thread of its own with blocking sleeps, by the wall clock. Beside CPU-bound suites the
/// cooperative thread pool woke a `Task.sleep` minutes late (the server's crash test ran 1,195 s instead of 19.5 s
/// while its driver went on writing), and a blocking sleep on a pool thread would starve the other suites instead.
public enum CrashHarness {
    /// A child process, handed to the killing thread.
    public final class Child: @unchecked Sendable {
        /// The running binary.
        public let process: Process
        /// Where its standard output and standard error go (files, so a chatty child never blocks on a pipe).
        public let outPath: String
        public let errPath: String

        /// A process started elsewhere (the server's crash test starts `serve` itself to read its port).
        public init(process: Process, outPath: String = "/dev/null", errPath: String = "/dev/null") {
            self.process = process; self.outPath = outPath; self.errPath = errPath
        }

        /// What it wrote on standard output and standard error so far.
        public var out: String { String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self) }
        public var err: String { String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self) }

        /// Kills it now (when running) and waits for it to end.
        public func kill9() {
            if process.isRunning { sigkill(process.processIdentifier) }
            process.waitUntilExit()
        }
    }

    /// When to kill: once `ready` holds (checked every 5 ms, for at most `timeout` seconds), `delay` seconds later.
    public struct Trigger: Sendable {
        let ready: (@Sendable () -> Bool)?
        let timeout: Double
        let delay: Double
        let marker: String?

        /// `seconds` of wall-clock time after the start of the wait.
        public static func after(_ seconds: Double) -> Trigger { Trigger(ready: nil, timeout: 0, delay: seconds, marker: nil) }

        /// `seconds` after `ready` first holds (or after `timeout` seconds, if it never does).
        public static func after(_ seconds: Double, once ready: @escaping @Sendable () -> Bool, timeout: Double) -> Trigger {
            Trigger(ready: ready, timeout: timeout, delay: seconds, marker: nil)
        }

        /// As soon as the file `path` exists: the crash-test hooks (`UPSTREAM_TEST_STALL_…`) write it when they hold
        /// the child inside its transaction. Gives up after `timeout` seconds.
        public static func whenFileExists(_ path: String, timeout: Double) -> Trigger {
            Trigger(ready: { FileManager.default.fileExists(atPath: path) }, timeout: timeout, delay: 0, marker: path)
        }
    }

    /// How a killed (or finished) child ended.
    public struct Outcome: Sendable {
        /// Whether it was still running when the trigger fired (so the kill cut it).
        public var killed: Bool
        /// For ``Trigger/whenFileExists(_:timeout:)``: whether the marker was there while it ran.
        public var stalled: Bool
        /// Its exit status (or signal number, when `signalled`).
        public var status: Int32
        /// Whether it ended by a signal (the kill) rather than by exiting.
        public var signalled: Bool
    }

    /// Starts the `upstream` binary with `arguments`, this process's environment plus `environment`, in `directory`
    /// when given; standard output and standard error go to `output` and `output + ".err"` (fresh files), or nowhere.
    /// - Throws: ``UpstreamBinary/NotBuilt`` when the binary has not been built.
    public static func start(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
                             output: String? = nil) throws -> Child {
        guard let binary = UpstreamBinary.path else { throw UpstreamBinary.NotBuilt() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let child: Child
        if let output {
            for path in [output, output + ".err"] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            p.standardOutput = FileHandle(forWritingAtPath: output)
            p.standardError = FileHandle(forWritingAtPath: output + ".err")
            child = Child(process: p, outPath: output, errPath: output + ".err")
        } else {
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            child = Child(process: p)
        }
        try p.run()
        return child
    }

    /// Waits for `trigger` on a thread of its own, then kills `child` with SIGKILL if it is still running, and
    /// returns once it has ended. The caller's task is suspended meanwhile, holding no thread of the pool.
    public static func kill(_ child: Child, when trigger: Trigger) async -> Outcome {
        await withCheckedContinuation { (c: CheckedContinuation<Outcome, Never>) in
            Thread { c.resume(returning: killBlocking(child, when: trigger)) }.start()
        }
    }

    /// ``kill(_:when:)`` on the calling thread (a test's own thread, never a pool thread).
    public static func killBlocking(_ child: Child, when trigger: Trigger) -> Outcome {
        let process = child.process
        if let ready = trigger.ready {
            let deadline = Date().addingTimeInterval(trigger.timeout)
            while process.isRunning, !ready(), Date() < deadline { usleep(5_000) }
        }
        let stalled = trigger.marker.map { process.isRunning && FileManager.default.fileExists(atPath: $0) } ?? false
        let deadline = Date().addingTimeInterval(trigger.delay)
        while process.isRunning, Date() < deadline { usleep(5_000) }
        let running = process.isRunning
        child.kill9()
        return Outcome(killed: running, stalled: stalled, status: process.terminationStatus,
                       signalled: process.terminationReason == .uncaughtSignal)
    }
}

/// SIGKILL to `pid` (outside ``CrashHarness``, whose `kill(_:when:)` hides the C function's name).
private func sigkill(_ pid: Int32) { _ = kill(pid, SIGKILL) }
