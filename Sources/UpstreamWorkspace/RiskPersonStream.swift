import Foundation
import UpstreamChronology
import UpstreamModel
import UpstreamRiskFeatures
import UpstreamStore

/// The store's linked persons for the risk features, read on several connections at once and handed on in person
/// order: the same persons, records and order as ``LinkedRecords/personStream(store:)``, so the same features.
///
/// The persons are cut into ranges of ``rangeSize`` by id (``PersonRangeStore/personCuts(every:)``). Each of
/// `readers` threads reads every `readers`-th range on its own connection, decoding only the columns the features
/// read and slimming the records as ``LinkedRecords/slimmed(_:person:probability:intern:)`` does; the calling
/// thread hands the ranges to `body` in order. A reader runs at most `2 × readers` ranges ahead of the one being
/// handed on, so memory holds a few ranges' records, never the city's. A store that cannot read by range (or one
/// reader) is read on the calling thread, range after range.
enum RiskPersonStream {
    /// Persons per range: a few tens of megabytes of slimmed records each.
    static let rangeSize = 4_096

    static func stream(store: any WorkspaceStore, readers: Int, rangeSize: Int = rangeSize) -> PersonStream {
        guard let ranged = store as? any PersonRangeStore else { return LinkedRecords.personStream(store: store) }
        return { body in
            let cuts = try ranged.personCuts(every: rangeSize)
            let ranges = (0...cuts.count).map { i in (from: i == 0 ? nil : cuts[i - 1], to: i == cuts.count ? nil : cuts[i]) }
            let workers = max(1, min(readers, ranges.count))
            if workers == 1 {
                let reader = try ranged.featureReader()
                defer { try? reader.close() }
                var pool: [String: String] = [:]
                for r in ranges { try read(reader, r.from, r.to, pool: &pool) { try body($0, $1) } }
                return
            }
            let handOff = OrderedHandOff<[(String, [LinkedRecord])]>(count: ranges.count, window: 2 * workers)
            let done = DispatchGroup()
            for w in 0..<workers {
                done.enter()
                let thread = Thread {
                    defer { done.leave() }
                    do {
                        let reader = try ranged.featureReader()
                        defer { try? reader.close() }
                        var pool: [String: String] = [:]
                        for r in stride(from: w, to: ranges.count, by: workers) {
                            guard handOff.waitForTurn(r) else { return }
                            var out: [(String, [LinkedRecord])] = []
                            try read(reader, ranges[r].from, ranges[r].to, pool: &pool) { out.append(($0, $1)) }
                            handOff.put(r, .success(out))
                        }
                    } catch {
                        handOff.fail(error)
                    }
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
            defer {
                handOff.cancel()
                done.wait()
            }
            for r in ranges.indices {
                for (id, records) in try handOff.take(r) { try body(id, records) }
            }
        }
    }

    /// The same persons' records in the store's own order, for the cohort builder's first pass
    /// (``StreamingCohortBuilder/firstPass(scan:)``): the records cut by storage key into parts, each read
    /// sequentially on a connection of its own by the next free worker. `nil` for a store that cannot read by range.
    static func scan(store: any WorkspaceStore, readers: Int) throws -> LinkedRecordScan? {
        guard let ranged = store as? any PersonRangeStore else { return nil }
        let (persons, of) = try ranged.recordPersons(workers: readers)
        // Four parts a reader: the workers take the next part as they finish one, so a part with more person-level
        // records (or more pages not yet in the OS cache) does not leave the other worker idle at the end.
        let ranges = try ranged.recordKeyRanges(parts: readers > 1 ? 4 * readers : 1)
        return LinkedRecordScan(persons: persons.map { (id: $0.id.rawValue, records: $0.records) }, parts: ranges.count) { part, body in
            let reader = try ranged.featureReader()
            defer { try? reader.close() }
            try reader.forEachRecord(keys: ranges[part], persons: of, body)
        }
    }

    /// One range's persons, slimmed.
    static func read(_ reader: any PersonRangeReader, _ from: PersonID?, _ to: PersonID?, pool: inout [String: String],
                     _ body: (String, [LinkedRecord]) throws -> Void) throws {
        func intern(_ s: String) -> String {
            if s.utf8.count <= 15 { return s }
            if let shared = pool[s] { return shared }
            pool[s] = s
            return s
        }
        try reader.forEachPerson(from: from, to: to) { person, records in
            let id = person.rawValue
            try body(id, records.map { LinkedRecords.slimmed($0, person: id, probability: nil, intern: intern) })
        }
    }
}

/// Results made out of order by several threads, taken in order: slot `i` is put by one producer and taken once by
/// the consumer; a producer waits before making slot `i` while it is `window` or more ahead of the next to be taken.
final class OrderedHandOff<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var slots: [Int: Result<Value, any Error>] = [:]
    private var next = 0
    private var stopped = false
    private var failure: (any Error)?
    private let window: Int

    init(count: Int, window: Int) { self.window = max(1, window) }

    /// Waits until slot `i` may be made; `false` when the consumer has stopped or a producer failed.
    func waitForTurn(_ i: Int) -> Bool {
        condition.lock(); defer { condition.unlock() }
        while !stopped && failure == nil && i >= next + window { condition.wait() }
        return !stopped && failure == nil
    }

    func put(_ i: Int, _ value: Result<Value, any Error>) {
        condition.lock(); defer { condition.unlock() }
        slots[i] = value
        condition.broadcast()
    }

    func fail(_ error: any Error) {
        condition.lock(); defer { condition.unlock() }
        if failure == nil { failure = error }
        condition.broadcast()
    }

    /// The consumer stops: waiting producers give up.
    func cancel() {
        condition.lock(); defer { condition.unlock() }
        stopped = true
        condition.broadcast()
    }

    /// Slot `i` once made (slots are taken in order); rethrows a producer's failure.
    func take(_ i: Int) throws -> Value {
        condition.lock(); defer { condition.unlock() }
        while slots[i] == nil && failure == nil { condition.wait() }
        if let value = slots.removeValue(forKey: i) {
            next = i + 1
            condition.broadcast()
            return try value.get()
        }
        throw failure!
    }
}
