import Testing
import UpstreamModel

/// Persons' positions in a list found from their ids' bytes (``PersonPositions``): what the stores use to number
/// each record's person for the risk features' read.
@Suite("Person positions by id bytes")
struct PersonPositionsTests {
    @Test func personPositionsFindEveryIdByItsBytesAndNoOther() {
        // Linked persons' ids (P and sixteen hex digits, read as numbers) and any other (looked up by string).
        let hex = (0..<500).map { PersonID.derived(from: RecordKey(source: "s", recordID: "\($0)")).rawValue }
        let ids = ["P001", "P002", "Pé03", "P004", "P00000000000000AB", "P0000000000000zzz", "P00000000000000ab"] + (0..<500).map { "P\($0 + 1_000)" } + hex
        let positions = PersonPositions(ids)
        for (p, id) in ids.enumerated() {
            var id = id
            #expect(id.withUTF8 { positions.position(of: $0) } == UInt32(p))
        }
        for missing in ["P005", "Pe03", "", "P001 ", "P00000000000000aB", "P00000000000000ac", "p00000000000000ab", "P00000000000000ab0",
                        PersonID.derived(from: RecordKey(source: "s", recordID: "x")).rawValue] {
            var m = missing
            #expect(m.withUTF8 { positions.position(of: $0) } == nil)
        }
    }

    /// A derived id is P and its hash in sixteen lower-case hex digits, zero-padded, as it was written with
    /// `String(h, radix: 16)` (stores hold ids written that way).
    @Test func derivedIdsAreTheirHashInHex() {
        var rng = SystemRandomNumberGenerator()
        for h in [0, 1, 0xF, 0x10, UInt64.max, 0x0123_4567_89AB_CDEF] + (0..<1_000).map({ _ in UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng) }) {
            let hex = String(h, radix: 16)
            #expect(PersonID(derivedHash: h).rawValue == "P" + String(repeating: "0", count: 16 - hex.count) + hex)
        }
        let key = RecordKey(source: "school", recordID: "A12")
        #expect(PersonID.derived(from: key) == PersonID(derivedHash: PersonID.derivedHash(from: key)))
    }
}
