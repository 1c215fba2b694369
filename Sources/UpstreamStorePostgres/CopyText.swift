import Foundation
import UpstreamModel
import UpstreamStore

/// Rows in PostgreSQL's `COPY … FROM STDIN (FORMAT text)` encoding, built as bytes.
///
/// Columns are separated by a tab and rows end with a newline; `\N` is NULL; backslash, tab, newline and carriage
/// return inside a value are escaped with a backslash; `bytea` is written `\\x` followed by hex digits. Every value
/// travels as data, never as SQL, so this is as safe as a bound parameter.
struct CopyText {
    private(set) var bytes: [UInt8] = []
    private var first = true

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    var isEmpty: Bool { bytes.isEmpty }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true); first = true }

    private mutating func separator() {
        if first { first = false } else { bytes.append(0x09) }
    }

    mutating func null() { separator(); bytes.append(0x5C); bytes.append(0x4E) }

    mutating func text(_ value: String?) {
        guard let value else { return null() }
        separator()
        for b in value.utf8 {
            switch b {
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            default: bytes.append(b)
            }
        }
    }

    mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        separator()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A finite double in Swift's shortest round-trip form (`0.97`, `1e-05`), which PostgreSQL reads back exactly.
    mutating func double(_ value: Double?) {
        guard let value else { return null() }
        separator()
        bytes.append(contentsOf: value.description.utf8)
    }

    mutating func bool(_ value: Bool?) {
        guard let value else { return null() }
        separator()
        bytes.append(value ? 0x74 : 0x66)
    }

    mutating func bytea(_ value: some Sequence<UInt8>) {
        separator()
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        bytes.append(0x5C); bytes.append(0x5C); bytes.append(0x78)  // \\x
        for b in value { bytes.append(hex[Int(b >> 4)]); bytes.append(hex[Int(b & 0x0F)]) }
    }

    mutating func endRow() { bytes.append(0x0A); first = true }

    /// Appends one record in the order of ``PostgresSchema/recordColumns``; `extrasJSON` is its extras as
    /// ``ExtrasJSON`` text, `nil` when it has none.
    mutating func record(_ stored: StoredRecord, deliveryID: Int64, extrasJSON: String?) {
        let r = stored.record, i = r.identity, e = r.event
        int(deliveryID); text(r.source); text(r.recordID); text(r.agency.rawValue); bool(stored.personLevel)
        int(Int64(r.provenance.line))
        text(i.forename); text(i.middleNames); text(i.surname); int(i.dateOfBirth.map { Int64($0.dayNumber) })
        text(i.sex?.rawValue); text(i.postcode); text(i.ethnicity); text(i.nhsNumber); bool(i.nhsNumberValid)
        text(i.upn); text(i.pncID); text(i.localID)
        text(e?.kind.rawValue); int(e.map { Int64($0.date.dayNumber) }); int(e?.minuteOfDay.map(Int64.init))
        int(e?.endDate.map { Int64($0.dayNumber) }); text(e?.role?.rawValue); text(e?.area); text(e?.offenceCode)
        int(e.map { Int64($0.flags.rawValue) }); text(e?.detail); text(e?.reference)
        int(Int64(stored.flags.rawValue)); text(extrasJSON)
        text(i.address); int(e?.recordedDate.map { Int64($0.dayNumber) })
        endRow()
    }

    /// Appends one quarantined row in the order of ``PostgresSchema/quarantineColumns``.
    mutating func quarantine(_ q: QuarantinedRow, deliveryID: Int64) {
        int(deliveryID); text(q.source); int(Int64(q.line)); bytea(q.raw); text(q.reason); text(q.field)
        endRow()
    }
}
