import Testing
import UpstreamModel
import UpstreamStore

/// Every adapter reads a record's codes through ``StoredCodes``: known codes come back as the model's values, and an
/// unknown one is a corrupt-store error naming the column, not the value.
@Suite("stored codes: one check for every read path")
struct StoredCodesTests {
    @Test("every code the model writes reads back as itself")
    func knownCodesRoundTrip() throws {
        for a in Agency.allCases { #expect(try StoredCodes.agency(a.rawValue) == a) }
        for s in Sex.allCases { #expect(try StoredCodes.sex(s.rawValue) == s) }
        for r in EventRole.allCases { #expect(try StoredCodes.role(r.rawValue) == r) }
        let day = CivilDate(year: 2020, month: 5, day: 1)
        for k in EventKind.allCases {
            let e = try StoredCodes.event(kind: k.rawValue, date: day)
            #expect(e?.kind == k && e?.date == day)
        }
    }

    @Test("absent optional codes are nil; an absent agency is corrupt")
    func absentCodes() throws {
        #expect(try StoredCodes.sex(nil) == nil)
        #expect(try StoredCodes.role(nil) == nil)
        #expect(try StoredCodes.event(kind: nil, date: nil) == nil)
        #expect(throws: StoreError.corrupt("records.agency")) { try StoredCodes.agency(nil) }
    }

    @Test("an unknown code, or an event kind without its date, names the column and not the value")
    func unknownCodesAreCorrupt() {
        #expect(throws: StoreError.corrupt("records.agency")) { try StoredCodes.agency("martians") }
        #expect(throws: StoreError.corrupt("records.sex")) { try StoredCodes.sex("Q") }
        #expect(throws: StoreError.corrupt("records.role")) { try StoredCodes.role("bystander?") }
        #expect(throws: StoreError.corrupt("records.event_kind")) { try StoredCodes.event(kind: "teleport", date: CivilDate(year: 2020, month: 1, day: 1)) }
        #expect(throws: StoreError.corrupt("records.event_kind")) { try StoredCodes.event(kind: EventKind.allCases[0].rawValue, date: nil) }
        #expect(!StoreError.corrupt("records.sex").description.contains("Q"))
    }
}
