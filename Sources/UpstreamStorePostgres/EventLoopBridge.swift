import NIOCore
import NIOPosix

/// Runs postgres-nio's asynchronous work on a private event-loop thread and waits for it on the calling thread.
///
/// ``RecordStore`` is synchronous (ingest is a CPU-bound stream inside one transaction), postgres-nio is
/// asynchronous. The bridge owns one NIO event loop (one thread) that carries the connection's I/O **and** every
/// job of the tasks it starts: it is the tasks' preferred `TaskExecutor`, so nothing the store awaits ever needs a
/// thread of Swift's cooperative pool. The calling thread waits on a NIO future; even when that thread belongs to
/// the cooperative pool (a synchronous call made from async code), the work it waits for runs elsewhere and
/// cannot deadlock with it. Calls from the event loop's own thread are a programming error and trap.
final class EventLoopBridge: TaskExecutor, @unchecked Sendable {
    let group: MultiThreadedEventLoopGroup
    let loop: any EventLoop

    init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs `operation` on the bridge's event loop and blocks the calling thread until it finishes.
    /// - Returns: what `operation` returned.
    /// - Throws: what `operation` threw.
    func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        precondition(!loop.inEventLoop, "a PostgresStore was called from its own event loop")
        let promise = loop.makePromise(of: T.self)
        Task(executorPreference: self) {
            do { promise.succeed(try await operation()) } catch { promise.fail(error) }
        }
        return try promise.futureResult.wait()
    }

    /// Stops the event loop's thread. Call once, after the last `run`.
    func shutdown() {
        try? group.syncShutdownGracefully()
    }
}
