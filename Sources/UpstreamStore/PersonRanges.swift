import Foundation
import UpstreamModel

/// A store that can read its current persons in ranges of person id, each range on a reader with a connection of
/// its own, so that several threads read one city at once (`upstream risk train` and `risk score` on every core).
///
/// The risk features read a handful of a record's columns; ``PersonRangeReader`` hands over only those, which
/// saves decoding names, identifiers, delivery details and (except for school terms) the extras.
public protocol PersonRangeStore: Sendable {
    /// Person ids cutting the current persons, in id order (UTF-8 bytes, as ``PersonStore/forEachPerson(_:)``
    /// orders them), into consecutive runs of `size` persons: each cut is the first id of a run after the first.
    /// Empty when there are `size` persons or fewer.
    func personCuts(every size: Int) throws -> [PersonID]
    /// A reader with its own read-only connection, for one thread.
    func featureReader() throws -> any PersonRangeReader
    /// Every current person's id in the order of ``personCuts(every:)``, with how many records the person has (all
    /// of them: at least as many as their person-level records), and each record's person as a position in that
    /// list, by the record's storage key. A person whose records are all gone from the store is listed but named by
    /// no record; a store relinked while this reads is an error (a person not in the list). Made without a look-up
    /// per record (the stores merge the assignments, in key order, with the records' key index, in `workers` parts
    /// at once), so that ``PersonRangeReader/forEachRecord(keys:persons:_:)`` reads the records alone.
    func recordPersons(workers: Int) throws -> (persons: [(id: PersonID, records: Int)], of: RecordPersons)
    /// The records' storage keys (load order) cut into at most `parts` consecutive ranges that together cover every
    /// record, for ``PersonRangeReader/forEachRecord(keys:persons:_:)`` on several readers. Empty when there are no records.
    func recordKeyRanges(parts: Int) throws -> [Range<Int64>]
}

/// One thread's reader of persons by range (see ``PersonRangeStore``). Not to be shared between threads.
public protocol PersonRangeReader {
    /// Calls `body` once per current person with `from <= id < to` (`nil`: unbounded), in person order, with
    /// that person's records in load order, as ``PersonStore/forEachPerson(_:)`` would for those persons, except
    /// that only person-level records are given (a person without any is given with none) and only their risk
    /// feature columns are read: the source, record id, agency, surname, date of birth, sex, postcode, address,
    /// ethnicity, the event (kind, date, role, offence code, flags, detail, reference, recorded date) and the
    /// record flags. The extras are read for school term records alone (the attendance figures); the other
    /// identity fields and the event's time, end date and area are `nil`; the provenance has the source only.
    func forEachPerson(from: PersonID?, to: PersonID?, _ body: (PersonID, [StoredRecord]) throws -> Void) throws
    /// Calls `body` once per record whose storage key is in `keys` and that `persons` gives a person, in storage
    /// (load) order, with that person (a position in the list ``PersonRangeStore/recordPersons(workers:)`` made `persons`
    /// with) and, for a person-level record, its risk feature columns (those ``forEachPerson(from:to:_:)`` reads,
    /// coded columns checked as it checks them; `nil` for a record that is not person-level: its person is one
    /// that method gives, with no records). Text is UTF-8 bytes valid only during the call. One sequential read of
    /// the records, without a look-up of each record's person, and no string made per column. Each person's
    /// records come in the order ``forEachPerson(from:to:_:)`` gives them; the persons are interleaved.
    func forEachRecord(keys: Range<Int64>, persons: RecordPersons, _ body: (_ person: UInt32, _ columns: FeatureColumns?) throws -> Void) throws
    /// Closes the connection.
    func close() throws
}

/// Each record's person by the record's storage key, as a position in a list of persons
/// (``PersonRangeStore/recordPersons(workers:)``): four bytes a key between the smallest and the largest, about 120 MB at
/// 3,000,000 people (27 million records and the gaps between their keys).
public struct RecordPersons: Sendable {
    /// The key of `positions[0]`.
    public let firstKey: Int64
    /// The person of each key from `firstKey` on; ``none`` for a key with no record, or a record not linked.
    public let positions: [UInt32]
    /// No person.
    public static let none = UInt32.max

    public init(firstKey: Int64, positions: [UInt32]) { self.firstKey = firstKey; self.positions = positions }

    /// The person of the record with storage key `key`; nil when there is none.
    @inlinable public func person(ofKey key: Int64) -> UInt32? {
        let i = key &- firstKey
        guard i >= 0, i < Int64(positions.count) else { return nil }
        let p = positions[Int(i)]
        return p == Self.none ? nil : p
    }
}
