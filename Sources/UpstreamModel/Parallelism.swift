/// How independent work is spread over threads: the one parallelism policy every core module takes.
///
/// The cores do no threading of their own: an adapter (the workspace, a benchmark) passes a `run` that calls
/// `body(i)` for every `i` in `0..<count`, in any order and on at most `workers` threads (the workspace uses
/// `DispatchQueue.concurrentPerform`). With one worker every helper here runs serially, in order, on the calling
/// thread. The cores cut their work by the size of the input only, never by `workers`, so a result is the same
/// for any worker count (`ParallelismTests` checks linkage, risk, features and the synthetic city).
public struct Parallelism: Sendable {
    /// Threads at most (1 or more).
    public var workers: Int
    /// Calls `body(i)` for every `i` in `0..<count`, possibly concurrently; returns when all have returned.
    public var run: @Sendable (_ count: Int, _ body: @Sendable (Int) -> Void) -> Void

    /// Faults in memory reserved for arrays (its pages made resident, their contents untouched) ahead of the thread
    /// that will fill them, returning at once; by default nothing is done. The cores say which memory; the adapter that
    /// makes the policy supplies how (the workspace's faults it in on a low-priority thread of its own, on Linux).
    public var faultInAhead: @Sendable (_ ranges: [MemoryRange]) -> Void = { _ in }

    public init(workers: Int, run: @escaping @Sendable (_ count: Int, _ body: @Sendable (Int) -> Void) -> Void) {
        self.workers = max(1, workers); self.run = run
    }

    /// One thread, in order.
    public static let serial = Parallelism(workers: 1) { n, body in for i in 0..<n { body(i) } }

    /// `body(i)` for every `i` in `0..<count`. Serial and in order with one worker or one item.
    ///
    /// The body need not be `@Sendable`: callers promise concurrent iterations write disjoint memory (their own
    /// index, chunk or feature) and only read what no iteration writes.
    public func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || workers == 1 { for i in 0..<count { body(i) }; return }
        withoutActuallyEscaping(body) { body in
            let b = UnsafeSendable(body)
            run(count) { b.value($0) }
        }
    }

    /// How many chunks `count` items make: at least `minChunk` items each, at most `maxChunks`; a function of
    /// the count only, never of the workers, so per-chunk sums reduced in chunk order are the same everywhere.
    public static func chunkCount(_ count: Int, minChunk: Int, maxChunks: Int = 16) -> Int {
        max(1, min(count / max(1, minChunk), maxChunks))
    }

    /// `body(chunk, range)` for each of `chunkCount(count, minChunk:maxChunks:)` consecutive ranges of `0..<count`.
    public func forEach(chunks count: Int, minChunk: Int, maxChunks: Int = 16, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        let chunks = Self.chunkCount(count, minChunk: minChunk, maxChunks: maxChunks)
        if chunks == 1 { body(0, 0..<count); return }
        forEach(chunks) { c in body(c, (count * c / chunks)..<(count * (c + 1) / chunks)) }
    }

    /// What `body(range)` makes for each of the ranges ``forEach(chunks:minChunk:maxChunks:_:)`` cuts `0..<count`
    /// into, in order (a function of the count only, so the pieces are the same for any number of workers).
    public func map<T>(chunks count: Int, minChunk: Int, maxChunks: Int = 16, _ body: (_ range: Range<Int>) -> T) -> [T] {
        let chunks = Self.chunkCount(count, minChunk: minChunk, maxChunks: maxChunks)
        return map(chunks) { c in body((count * c / chunks)..<(count * (c + 1) / chunks)) }
    }

    /// The array whose element `i` is `element(i)`, for `i` in `0..<count`, made in `pieces` consecutive pieces on the
    /// workers and written straight into the array returned (no piece made as an array of its own and joined after).
    /// The pieces are cut by `count` and `pieces` only. `element` may be called for the elements in any order.
    /// (Inlinable, so that it is specialised for the element type where it is used.)
    @inlinable public func array<T>(count: Int, pieces: Int, _ element: (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        let pieces = max(1, pieces), per = (count + pieces - 1) / pieces
        return [T](unsafeUninitializedCapacity: count) { buffer, made in
            let out = UnsafeSendable(buffer)
            forEach(pieces) { p in
                for i in min(count, p * per)..<min(count, (p + 1) * per) { out.value.initializeElement(at: i, to: element(i)) }
            }
            made = count
        }
    }

    /// `body(i)` for every `i` in `0..<count`, results in order.
    public func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        if count <= 1 || workers == 1 { return (0..<count).map(body) }
        let out = UnsafeMutablePointer<T?>.allocate(capacity: count)
        out.initialize(repeating: nil, count: count)
        defer { out.deinitialize(count: count); out.deallocate() }
        let box = UnsafeSendable(out)
        forEach(count) { i in box.value[i] = body(i) }
        return (0..<count).map { out[$0]! }
    }
}

/// A range of the process's memory: where it starts and how many bytes it holds (what ``Parallelism/faultInAhead`` is
/// given; an address only, never read or written through).
public struct MemoryRange: Sendable, Hashable {
    public var address: UInt
    public var bytes: Int
    public init(address: UInt, bytes: Int) { self.address = address; self.bytes = bytes }

    /// The storage `array` has reserved for its first `elements` elements (its whole capacity by default), or nil when
    /// that is under `minimum` bytes (a huge page by default) or the array has none.
    public static func reserved<T>(by array: [T], elements: Int = .max, minimum: Int = 1 << 21) -> MemoryRange? {
        let bytes = min(array.capacity, elements) * MemoryLayout<T>.stride
        guard bytes >= minimum else { return nil }
        return array.withUnsafeBufferPointer { p in p.baseAddress.map { MemoryRange(address: UInt(bitPattern: $0), bytes: bytes) } }
    }
}

/// Wraps a value the caller guarantees is used safely across threads (disjoint writes by index, or a value handed
/// to another thread that the sender no longer touches).
public struct UnsafeSendable<T>: @unchecked Sendable {
    public var value: T
    public init(_ value: T) { self.value = value }
}
