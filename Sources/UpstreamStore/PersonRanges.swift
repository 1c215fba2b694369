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
    /// of them: at least as many as their person-level records). A person whose records are all gone from the store
    /// is listed here but not given by ``PersonRangeReader/forEachPerson(from:to:_:)``.
    func currentPersons() throws -> [(id: PersonID, records: Int)]
    /// The records' storage keys (load order) cut into at most `parts` consecutive ranges that together cover every
    /// record, for ``PersonRangeReader/forEachRecord(keys:_:)`` on several readers. Empty when there are no records.
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
    /// Calls `body` once per record of a current person whose storage key is in `keys`, in storage (load) order,
    /// with the person's id and, for a person-level record, its risk feature columns (those ``forEachPerson(from:to:_:)``
    /// reads, coded columns checked as it checks them; `nil` for a record that is not person-level: its person is
    /// one that method gives, with no records). Ids and text are UTF-8 bytes valid only during the call. One
    /// sequential read of the records instead of a look-up of each through the persons' index, and no string made
    /// per column. Each person's records come in the order ``forEachPerson(from:to:_:)`` gives them; the persons
    /// are interleaved.
    func forEachRecord(keys: Range<Int64>, _ body: (_ person: UnsafeBufferPointer<UInt8>, _ columns: FeatureColumns?) throws -> Void) throws
    /// Closes the connection.
    func close() throws
}
