import Foundation
import Testing
import UpstreamIngest
import UpstreamModel
import UpstreamStore

@Suite struct IngestValidationTests {
    let good = "1,SMITH,ANNA,03/02/2005,F,943 476 5919,01/05/2020 10:15,KNIFE|GANG\n"

    @Test func aGoodRowLoadsWithProvenance() throws {
        let (report, store) = try load(custodyHeader + good)
        #expect(report.counts.rowsRead == 1)
        #expect(report.counts.loaded == 1)
        let r = try #require(try store.records().first)
        #expect(r.record.identity.surname == "SMITH")
        #expect(r.record.identity.dateOfBirth == CivilDate(year: 2005, month: 2, day: 3))
        #expect(r.record.identity.nhsNumber == "9434765919")
        #expect(r.record.identity.nhsNumberValid == true)
        #expect(r.record.event?.minuteOfDay == 615)
        #expect(r.record.event?.flags == [.knife, .gang])
        #expect(r.record.event?.role == .suspect)
        #expect(r.record.provenance.line == 2)
        #expect(r.record.provenance.fileSHA256 == report.sha256)
        #expect(r.record.provenance.loadedAt == loadTime)
        #expect(report.sha256.count == 64)
    }

    /// Each bad row is quarantined with its reason; the good rows around it still load.
    @Test(arguments: [
        ("2,SMITH,ANNA,31/02/2005,F,,01/05/2020 10:15,\n", "invalid_date", "DOB"),              // impossible date
        ("2,SMITH,ANNA,03/02/1899,F,,01/05/2020 10:15,\n", "implausible_date", "DOB"),          // before 1900
        ("2,SMITH,ANNA,03/02/2005,F,,01/05/2030 10:15,\n", "implausible_date", "ArrestDate"),   // in the future
        ("2,SMITH,ANNA,2005-02-03,F,,01/05/2020 10:15,\n", "invalid_date", "DOB"),              // wrong format
        ("2,SMITH,ANNA,03/02/2005,F,,01/05/2020 25:15,\n", "invalid_date", "ArrestDate"),       // impossible time
        ("2,SMITH,ANNA,03/02/2005,Q,,01/05/2020 10:15,\n", "unknown_code", "Sex"),              // unknown code
        ("2,SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15,BOMB\n", "unknown_code", "Flags"),        // unknown flag
        ("2,,ANNA,03/02/2005,F,,01/05/2020 10:15,\n", "missing_value", "Surname"),              // required
        ("2,SMITH,ANNA,03/02/2005,F,,,\n", "missing_value", "ArrestDate"),                      // event date
        (",SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15,\n", "missing_record_id", "ID"),
        ("2,SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15\n", "column_count", "7 fields, header has 8"),
        ("2,SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15,,extra\n", "column_count", "9 fields, header has 8"),
        ("2,\"SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15,\n", "unbalanced_quote", nil),
        ("2,\"SMITH\"X,ANNA,03/02/2005,F,,01/05/2020 10:15,\n", "malformed_quote", nil),
        ("1,SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15,\n", "duplicate_record_id", "ID"),
    ] as [(String, String, String?)])
    func badRowsAreQuarantinedWithTheirReason(row: String, reason: String, field: String?) throws {
        let text = custodyHeader + good + row + "3,JONES,BEN,04/04/2004,M,,02/05/2020 11:00,\n"
        let (report, store) = try load(text)
        #expect(report.counts.rowsRead == 3)
        #expect(report.counts.loaded == 2)
        #expect(report.counts.quarantined == 1)
        #expect(report.counts.balances)
        let q = try #require(try store.quarantinedRows().first)
        #expect(q.reason == reason)
        #expect(q.field == field)
        #expect(q.line == 3)
        #expect(q.source == "custody")
        #expect(q.fileSHA256 == report.sha256)
        #expect(String(decoding: q.raw, as: UTF8.self) == row.split(separator: "\n", omittingEmptySubsequences: false)[0].description)
        #expect(try store.records().map(\.record.recordID) == ["1", "3"])
    }

    @Test func anInvalidNHSNumberIsKeptUntrustedAndCounted() throws {
        let (report, store) = try load(custodyHeader + "1,SMITH,ANNA,03/02/2005,F,943 476 5918,01/05/2020 10:15,\n")
        #expect(report.counts.loaded == 1)
        #expect(report.counts.nhsNumberInvalid == 1)
        let r = try #require(try store.records().first)
        #expect(r.record.identity.nhsNumber == "9434765918")
        #expect(r.record.identity.nhsNumberValid == false)
        #expect(r.flags.contains(.nhsNumberInvalid))
    }

    @Test func aPlaceholderDateOfBirthIsStoredAsMissingAndFlagged() throws {
        let (report, store) = try load(custodyHeader + "1,SMITH,ANNA,01/01/1900,F,,01/05/2020 10:15,\n")
        #expect(report.counts.loaded == 1)
        #expect(report.counts.dateOfBirthPlaceholder == 1)
        let r = try #require(try store.records().first)
        #expect(r.record.identity.dateOfBirth == nil)
        #expect(r.flags.contains(.dateOfBirthPlaceholder))
    }

    @Test func aCodeMappedToNullIsMissingNotQuarantined() throws {
        let (_, store) = try load(custodyHeader + "1,SMITH,ANNA,03/02/2005,U,,01/05/2020 10:15,\n")
        #expect(try store.records().first?.record.identity.sex == nil)
    }

    @Test func byteOrderMarkAndCRLFAreAccepted() throws {
        let text = (custodyHeader + good + "3,JONES,BEN,04/04/2004,M,,02/05/2020 11:00,\n").replacingOccurrences(of: "\n", with: "\r\n")
        let (report, store) = try load([0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(report.counts.loaded == 2)
        #expect(try store.records().map(\.record.identity.forename) == ["ANNA", "BEN"])
        #expect(try store.records().last?.record.event?.flags == [])
    }

    @Test func latin1BytesInAUTF8FileAreQuarantined() throws {
        // "ZOË" with Ë written as the single Latin-1 byte 0xCB.
        let bytes = Array((custodyHeader + good).utf8) + Array("2,SMITH,ZO".utf8) + [0xCB] + Array(",03/02/2005,F,,01/05/2020 10:15,\n".utf8)
        let (report, store) = try load(bytes)
        #expect(report.counts.loaded == 1)
        #expect(report.quarantinedByReason == ["invalid_encoding": 1])
        #expect(try store.quarantinedRows().first?.raw.contains(0xCB) == true)
    }

    @Test func windows1252FilesAreDecodedWhenTheSpecSaysSo() throws {
        let spec = try custodySpec(custodySpecYAML + "\nformat: { encoding: windows-1252 }")
        let bytes = Array(custodyHeader.utf8) + Array("2,O".utf8) + [0x92] + Array("BRIEN,ZO".utf8) + [0xCB] + Array(",03/02/2005,F,,01/05/2020 10:15,\n".utf8)
        let (report, store) = try load(bytes, spec: spec)
        #expect(report.counts.loaded == 1)
        let r = try #require(try store.records().first)
        #expect(r.record.identity.surname == "O\u{2019}BRIEN")
        #expect(r.record.identity.forename == "ZOË")
    }

    @Test func anEmptyFileIsRefusedAndTheStoreUntouched() throws {
        let store = InMemoryStore()
        let path = writeFile("")
        #expect(throws: IngestError.emptyFile(path)) {
            _ = try Ingestor(store: store, loadedAt: loadTime).ingest(path: path, spec: try custodySpec())
        }
        let bomOnly = writeFile([0xEF, 0xBB, 0xBF, 0x0A])
        #expect(throws: IngestError.emptyFile(bomOnly)) {
            _ = try Ingestor(store: store, loadedAt: loadTime).ingest(path: bomOnly, spec: try custodySpec())
        }
        #expect(try store.deliveries(source: nil).isEmpty)
    }

    @Test func aHeaderOnlyFileLoadsNoRows() throws {
        let (report, store) = try load(custodyHeader)
        #expect(report.status == .loaded)
        #expect(report.counts.rowsRead == 0)
        #expect(report.balanceLine == "rows read 0 = loaded 0 + quarantined 0")
        #expect(try store.deliveries(source: nil).count == 1)
    }

    @Test func duplicateHeadersAreRefused() throws {
        let text = "ID,Surname,Forename,DOB,Sex,NHS,ArrestDate,Flags,Surname\n" + good
        let e = try #require(throws: IngestError.self) { _ = try load(text) }
        #expect(e.field == "Surname")
        #expect(e.description.contains("more than once"))
    }

    @Test func aSpecNamingAColumnTheFileLacksIsRefusedNamingTheSpecLine() throws {
        let text = custodyHeader.replacingOccurrences(of: ",Flags", with: "") + "1,SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15\n"
        let store = InMemoryStore()
        let e = try #require(throws: IngestError.self) { _ = try load(text, store: store) }
        #expect(e.file == "custody.yaml")
        #expect(e.line == 19)
        #expect(e.field == "event.flags")
        #expect(e.description.contains("'Flags'"))
        #expect(try store.deliveries(source: nil).isEmpty)
    }

    @Test func columnsTheSpecDoesNotNameAreReported() throws {
        let text = custodyHeader.replacingOccurrences(of: "\n", with: ",Comment\n") + good.replacingOccurrences(of: "\n", with: ",x\n")
        let (report, _) = try load(text)
        #expect(report.counts.loaded == 1)
        #expect(report.unmappedColumns == ["Comment"])
    }

    @Test func blankLinesAreNotRowsButAreCounted() throws {
        let (report, _) = try load(custodyHeader + good + "\n\n")
        #expect(report.counts.rowsRead == 1)
        #expect(report.counts.blankLines == 2)
    }

    @Test func loadingTheSameFileTwiceChangesNothing() throws {
        let store = InMemoryStore()
        let path = writeFile(custodyHeader + good)
        let ingestor = Ingestor(store: store, loadedAt: loadTime)
        let first = try ingestor.ingest(path: path, spec: try custodySpec())
        let second = try ingestor.ingest(path: path, spec: try custodySpec())
        #expect(first.status == .loaded)
        #expect(second.status == .alreadyLoaded)
        #expect(second.deliveryID == first.deliveryID)
        #expect(try store.records().count == 1)
    }

    @Test func aReplacementDeliverySupersedesTheOldOne() throws {
        let store = InMemoryStore()
        let ingestor = Ingestor(store: store, loadedAt: loadTime)
        _ = try ingestor.ingest(path: writeFile(custodyHeader + good), spec: try custodySpec())
        let newer = custodyHeader + good + "3,JONES,BEN,04/04/2004,M,,02/05/2020 11:00,\n"
        // Without --replace the overlapping row is a duplicate.
        let added = try ingestor.ingest(path: writeFile(newer), spec: try custodySpec())
        #expect(added.quarantinedByReason == ["duplicate_record_id": 1])
        let replaced = try ingestor.ingest(path: writeFile(newer + "4,LEE,AMY,05/05/2005,F,,03/05/2020 09:00,\n"), spec: try custodySpec(), replacing: true)
        #expect(replaced.supersededDeliveries.count == 2)
        #expect(try store.records().map(\.record.recordID).sorted() == ["1", "3", "4"])
        #expect(try store.quarantinedRows().isEmpty)
    }

    @Test func jsonLinesAreReadAgainstTheSameSpec() throws {
        let spec = try custodySpec(custodySpecYAML + "\nformat: { type: jsonl }")
        let text = """
            {"ID": "1", "Surname": "SMITH", "Forename": "ANNA", "DOB": "03/02/2005", "Sex": "F", "ArrestDate": "01/05/2020 10:15", "Flags": null}
            {"ID": 2, "Surname": "JONES", "DOB": "31/02/2005", "ArrestDate": "01/05/2020 10:15"}
            not json

            {"ID": "3", "Surname": {"nested": true}, "ArrestDate": "01/05/2020 10:15"}
            """
        let (report, store) = try load(Array(text.utf8), spec: spec, name: "x.jsonl")
        #expect(report.counts.rowsRead == 4)
        #expect(report.counts.loaded == 1)
        #expect(report.quarantinedByReason == ["invalid_date": 1, "invalid_json": 2])
        let lines = try store.quarantinedRows().map(\.line)
        #expect(lines == [2, 3, 5])
    }

    @Test func pipelinedAndSequentialLoadsAgree() throws {
        // Enough rows for several batches, with bad and duplicate rows among them.
        var text = custodyHeader
        for i in 0..<5_000 {
            switch i % 7 {
            case 3: text += "\(i),SMITH,ANNA,31/02/2005,F,,01/05/2020 10:15,\n"
            case 5: text += "\(i - 1),SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15,\n"
            default: text += "\(i),SMITH,ANNA,03/02/2005,F,943 476 5919,01/05/2020 10:15,DA\n"
            }
        }
        let path = writeFile(text)
        var results: [(FileReport, [StoredRecord], [QuarantinedRow])] = []
        for pipelined in [true, false] {
            let store = InMemoryStore()
            let report = try Ingestor(store: store, loadedAt: loadTime, pipelined: pipelined).ingest(path: path, spec: try custodySpec())
            results.append((report, try store.records(), try store.quarantinedRows()))
        }
        #expect(results[0].0 == results[1].0)
        #expect(results[0].1 == results[1].1)
        #expect(results[0].2 == results[1].2)
        #expect(results[0].0.counts.rowsRead == 5_000)
        #expect(results[0].0.quarantinedByReason == ["invalid_date": 714, "duplicate_record_id": 714])
    }

    @Test func namesInOneFieldAreSplitByLayout() {
        #expect(RowMapper.splitName("JOHN PAUL SMITH", .forenameSurname) == ("JOHN", "PAUL", "SMITH"))
        #expect(RowMapper.splitName("SMITH", .forenameSurname) == (nil, nil, "SMITH"))
        #expect(RowMapper.splitName("SMITH, John Paul", .surnameCommaForename) == ("John", "Paul", "SMITH"))
        #expect(RowMapper.splitName("DE LA CRUZ, Ana", .surnameCommaForename) == ("Ana", nil, "DE LA CRUZ"))
    }
}
