import Foundation
import Testing
import UpstreamIngest
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite

/// Address lines and the day a record was entered are mapped by the spec and kept by every store.
@Suite struct AddressAndRecordedDateTests {
    static let yaml = """
        source: referrals
        agency: social_care
        owner: Test council
        legal_basis: Test basis
        retention: { years: 6 }
        record_id: ID
        identity:
          surname: Surname
          date_of_birth: { column: DOB, format: DD/MM/YYYY }
          postcode: Postcode
          address: [Line1, Line2, Town]
        event:
          kind: social_care_referral
          date: { column: ReferralDate, format: DD/MM/YYYY }
          recorded_date: { column: EnteredDate, format: DD/MM/YYYY }
        """
    static let header = "ID,Surname,DOB,Postcode,Line1,Line2,Town,ReferralDate,EnteredDate\n"
    static let rows = """
        1,SMITH,03/02/2005,UC1 2AB,Flat 2,14 Mill Road,Anytown,01/05/2020,11/05/2020
        2,JONES,04/04/2004,UC1 2AC,,3 High St,,02/05/2020,
        3,BROWN,05/05/2003,,,,,03/05/2020,01/04/2020

        """

    func check(_ store: any RecordStore) throws {
        let spec = try SpecLoader.parse(yaml: Self.yaml, path: "referrals.yaml")
        let path = writeFile(Self.header + Self.rows)
        let report = try Ingestor(store: store, loadedAt: loadTime).ingest(path: path, spec: spec)
        #expect(report.counts.loaded == 3)
        let byID = Dictionary(uniqueKeysWithValues: try store.records().map { ($0.record.recordID, $0.record) })
        let one = try #require(byID["1"]), two = try #require(byID["2"]), three = try #require(byID["3"])
        #expect(one.identity.address == "Flat 2, 14 Mill Road, Anytown")
        #expect(two.identity.address == "3 High St")
        #expect(three.identity.address == nil)
        #expect(one.event?.recordedDate == CivilDate(year: 2020, month: 5, day: 11))
        #expect(one.event?.knownFrom == CivilDate(year: 2020, month: 5, day: 11))
        #expect(two.event?.recordedDate == nil)
        #expect(two.event?.knownFrom == CivilDate(year: 2020, month: 5, day: 2))
        // Entered before the event it records (a data error): known from the event date, never earlier.
        #expect(three.event?.knownFrom == CivilDate(year: 2020, month: 5, day: 3))
    }

    @Test func inMemory() throws { try check(InMemoryStore()) }

    @Test func sqlite() throws {
        let dir = temporaryDirectory("address")
        try check(try SQLiteStore(path: dir + "/store.db"))
    }
}
