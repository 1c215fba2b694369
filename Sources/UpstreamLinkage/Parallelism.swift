/// How the engine spreads independent work (blocks, chunks of pairs) over cores.
///
/// The core does no threading of its own: an adapter passes a `run` that calls `body(i)` for every
/// `i` in `0..<count`, in any order and on any threads (the CLI uses `DispatchQueue.concurrentPerform`).
public struct Parallelism: Sendable {
    public var workers: Int
    public var run: @Sendable (_ count: Int, _ body: @Sendable (Int) -> Void) -> Void

    public init(workers: Int, run: @escaping @Sendable (_ count: Int, _ body: @Sendable (Int) -> Void) -> Void) {
        self.workers = max(1, workers); self.run = run
    }

    /// One thread, in order.
    public static let serial = Parallelism(workers: 1) { n, body in for i in 0..<n { body(i) } }

    /// `body(i)` for every `i` in `0..<count`, results in order.
    public func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        let out = UnsafeMutablePointer<T?>.allocate(capacity: max(count, 1))
        out.initialize(repeating: nil, count: count)
        defer { out.deinitialize(count: count); out.deallocate() }
        let box = UnsafeSendable(out)
        withoutActuallyEscaping(body) { body in
            let b = UnsafeSendable(body)
            run(count) { i in box.value[i] = b.value(i) }
        }
        return (0..<count).map { out[$0]! }
    }
}

/// Wraps a value the caller guarantees is used safely across threads (disjoint writes by index).
struct UnsafeSendable<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
