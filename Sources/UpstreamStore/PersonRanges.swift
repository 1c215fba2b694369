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
    /// Closes the connection.
    func close() throws
}
