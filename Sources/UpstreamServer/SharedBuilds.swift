import Foundation

/// Builds in flight by key, so that views asking at once for the same thing not yet kept share one build instead of
/// each making its own (a rotation of first views, a team opening the same young person after a new scoring run).
///
/// The first caller for a key starts the build; callers for that key that arrive before it finishes await the same
/// result (or error); the key is free again once the build finishes, so later callers find the value in
/// ``WebCache`` or build again. Only cacheable views go through here: a key must name everything the value depends
/// on (the cache key with its generation).
final class SharedBuilds<Value: Sendable>: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var inFlight: [String: (id: UUID, task: Task<Value, any Error>)] = [:]

    /// `build`'s result, or that of the build for `key` already in flight.
    func value(_ key: String, build: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let (id, task, started) = lock.withLock { () -> (UUID, Task<Value, any Error>, Bool) in
            if let running = inFlight[key] { return (running.id, running.task, false) }
            let id = UUID()
            let task = Task { try await build() }
            inFlight[key] = (id, task)
            return (id, task, true)
        }
        defer {
            if started { lock.withLock { if inFlight[key]?.id == id { inFlight[key] = nil } } }
        }
        return try await task.value
    }

    /// Builds in flight now (for tests).
    var count: Int { lock.withLock { inFlight.count } }
}
