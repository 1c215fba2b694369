import NIOPosix

/// The threads the store's synchronous calls (SQLite, PostgreSQL through its blocking bridge, bcrypt) run on, away
/// from Swift's cooperative pool.
///
/// The cooperative pool has one thread per core; a store call blocks its thread until the database answers, so on a
/// 2-core machine two slow requests would stop every other request (and the server's own bookkeeping) from running.
/// Route handlers hand each store call and page rendering to this pool (NIO's `NIOThreadPool.runIfActive`) and
/// await the result, so the cooperative threads stay free. The pool is shut down when the last ``WebApp`` copy
/// holding it goes away.
final class BlockingPool: Sendable {
    let pool: NIOThreadPool
    let threads: Int

    /// A started pool of `threads` threads (at least 1).
    init(threads: Int) {
        self.threads = max(1, threads)
        pool = NIOThreadPool(numberOfThreads: self.threads)
        pool.start()
    }

    deinit { pool.shutdownGracefully { _ in } }

    /// Runs `body` on one of the pool's threads and returns its result.
    /// - Throws: what `body` throws, or NIO's `NIOThreadPoolError.ThreadPoolInactive` after shutdown.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }
}
