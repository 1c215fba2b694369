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
}
