import Foundation
import Testing
import UpstreamIngest
import UpstreamModel
import UpstreamStore
import UpstreamStoreSQLite

/// Which store a bad-input test loads into: every behaviour holds on both.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case memory, sqlite
    var testDescription: String { rawValue }
    func make() throws -> any RecordStore {
        switch self {
        case .memory: return InMemoryStore()
        case .sqlite: return try SQLiteStore(path: temporaryDirectory("store") + "/upstream.db")
        }
    }
}

/// The bad-input catalogue of issue 12 (ingest part): each case, named for the behaviour it protects.
@Suite struct BadInputTests {
    let rows = "1,SMITH,ANNA,03/02/2005,F,943 476 5919,01/05/2020 10:15,KNIFE\n2,JONES,BEN,04/04/2004,M,,02/05/2020 11:00,\n"

    // MARK: Item 4: a file re-delivered under a corrected spec

    /// A spec that reads the arrest date in the wrong layout: every row is quarantined as invalid_date.
    var wrongSpec: SourceSpec {
        get throws { try custodySpec(custodySpecYAML.replacingOccurrences(of: "\"DD/MM/YYYY HH:MM\"", with: "\"YYYY-MM-DD HH:MM\"")) }
    }

    @Test(arguments: StoreKind.allCases, [false, true])
    func aFileQuarantinedUnderAWrongSpecLoadsUnderTheCorrectedSpec(_ kind: StoreKind, replacing: Bool) throws {
        let store = try kind.make()
        let path = writeFile(custodyHeader + rows)
        let ingestor = Ingestor(store: store, loadedAt: loadTime)

        // Given a file loaded under a wrong spec, every row quarantined,
        let first = try ingestor.ingest(path: path, spec: try wrongSpec)
        #expect(first.status == .loaded)
        #expect(first.counts.quarantined == 2)
        #expect(first.quarantinedByReason == ["invalid_date": 2])

        // when the same file is delivered again under the corrected spec (with or without --replace),
        let second = try ingestor.ingest(path: path, spec: try custodySpec(), replacing: replacing)

        // then it loads, the earlier attempt is superseded (and kept), and its quarantined rows are gone,
        #expect(second.status == .loaded)
        #expect(second.counts.loaded == 2)
        #expect(second.supersededDeliveries == [first.deliveryID])
        #expect(try store.records().map(\.record.recordID) == ["1", "2"])
        #expect(try store.quarantinedRows().isEmpty)
        let deliveries = try store.deliveries(source: "custody")
        #expect(deliveries.map(\.id) == [first.deliveryID, second.deliveryID])
        #expect(deliveries.first?.supersededBy == second.deliveryID)
        #expect(deliveries.first?.counts.quarantined == 2)
        #expect(deliveries.last?.delivery.specSHA256 == (try custodySpec()).sha256)

        // and the audit log keeps both loads and says why the first was superseded.
        let audit = try store.auditLog()
        #expect(audit.map(\.action) == ["ingest", "supersede", "ingest"])
        #expect(audit[0].detail.contains("quarantined 2"))
        #expect(audit[1].detail.contains("deliveries \(first.deliveryID) superseded by \(second.deliveryID)"))
        if !replacing { #expect(audit[1].detail.contains("different spec")) }

        // Once more under the same spec: already loaded, nothing changes.
        let third = try ingestor.ingest(path: path, spec: try custodySpec())
        #expect(third.status == .alreadyLoaded)
        #expect(third.deliveryID == second.deliveryID)
        #expect(try store.auditLog().count == 3)
    }

    @Test func theSpecFingerprintIsTheSHA256OfItsText() throws {
        let a = try custodySpec(), b = try custodySpec(custodySpecYAML + "\n# a comment")
        #expect(a.sha256.count == 64)
        #expect(a.sha256 != b.sha256)
        #expect(a.sha256 == (try custodySpec()).sha256)
    }

    // MARK: Item 5: a NUL byte inside a field

    @Test(arguments: StoreKind.allCases)
    func aNULByteInsideAFieldIsQuarantinedNotTruncated(_ kind: StoreKind) throws {
        let bytes = Array(custodyHeader.utf8) + Array("1,JA".utf8) + [0] + Array("CK,ANNA,03/02/2005,F,,01/05/2020 10:15,\n".utf8)
            + Array("2,JONES,BEN,04/04/2004,M,,02/05/2020 11:00,\n".utf8)
        let (report, store) = try load(bytes, store: try kind.make())
        #expect(report.counts.balances)
        #expect(report.counts.loaded == 1)
        #expect(report.quarantinedByReason == ["nul_byte": 1])
        let q = try #require(try store.quarantinedRows().first)
        #expect(q.field == "Surname")
        #expect(q.line == 2)
        // The raw row keeps every byte, the NUL and what follows it.
        #expect(q.raw == Array("1,JA".utf8) + [0] + Array("CK,ANNA,03/02/2005,F,,01/05/2020 10:15,".utf8))
        #expect(try store.records().map(\.record.identity.surname) == ["JONES"])
    }

    @Test func aNULByteInAColumnTheSpecDoesNotMapStillQuarantinesTheRow() throws {
        let header = custodyHeader.replacingOccurrences(of: "\n", with: ",Note\n")
        let bytes = Array(header.utf8) + Array("1,SMITH,ANNA,03/02/2005,F,,01/05/2020 10:15,,a".utf8) + [0] + Array("b\n".utf8)
        let (report, store) = try load(bytes)
        #expect(report.quarantinedByReason == ["nul_byte": 1])
        #expect(try store.quarantinedRows().first?.field == "(a column the spec does not map)")
    }

    @Test func anEscapedNULInJSONLinesIsQuarantined() throws {
        let spec = try custodySpec(custodySpecYAML + "\nformat: { type: jsonl }")
        let text = """
            {"ID": "1", "Surname": "JA\\u0000CK", "ArrestDate": "01/05/2020 10:15"}
            {"ID": "2", "Surname": "JONES", "ArrestDate": "01/05/2020 10:15"}

            """
        let (report, store) = try load(Array(text.utf8), spec: spec, name: "x.jsonl")
        #expect(report.quarantinedByReason == ["nul_byte": 1])
        #expect(try store.quarantinedRows().first?.field == "Surname")
        #expect(try store.records().map(\.record.recordID) == ["2"])
    }

    // MARK: Confusing errors

    @Test func aQuotedFieldLongerThanTheLimitIsRecordTooLongNotUnbalanced() throws {
        let long = String(repeating: "x", count: (1 << 20) + 10)
        let text = custodyHeader + "1,\"\(long)\",ANNA,03/02/2005,F,,01/05/2020 10:15,\n" + "2,JONES,BEN,04/04/2004,M,,02/05/2020 11:00,\n"
        let (report, store) = try load(text)
        #expect(report.counts.rowsRead == 2)
        #expect(report.quarantinedByReason == ["record_too_long": 1])
        #expect(try store.records().map(\.record.recordID) == ["2"])
        #expect(try store.quarantinedRows().first?.raw.count == 1 << 20)
    }

    @Test func aLongQuotedFieldWithLineBreaksIsRecordTooLongAndLineNumbersStayRight() throws {
        // 299 bytes with 29 line breaks: past the limit of 100, and closed within four times it.
        let long = (0..<30).map { _ in String(repeating: "y", count: 9) }.joined(separator: "\n")
        let rows = try readAll(Array("a,\"\(long)\",b\nc,d\n".utf8), chunk: 7, maxRecord: 100)
        #expect(rows.count == 2)
        #expect(rows[0].problem == .recordTooLong)
        #expect(rows[1].fields == ["c", "d"])
        #expect(rows[1].line == 31)
    }

    @Test(arguments: [10, 50])
    func aQuoteThatNeverClosesIsStillUnbalanced(rowsAfter: Int) throws {
        // With 10 rows after it, the next quote (of `9,"quoted"`) is reached within four times the limit and is
        // followed by text, so the first quote was the stray one; with 50, the look-ahead ends first.
        var text = "1,\"never closed\n"
        for i in 0..<rowsAfter { text += "\(i),row\n" }
        text += "9,\"quoted\"\n"
        let rows = try readAll(Array(text.utf8), chunk: 5, maxRecord: 64)
        #expect(rows[0].problem == .unbalancedQuote)
        #expect(rows[0].line == 1)
        #expect(rows[1].fields == ["0", "row"])
        #expect(rows[1].line == 2)
        #expect(rows.count == rowsAfter + 2)
        #expect(rows.last?.fields == ["9", "quoted"])
        #expect(rows.dropFirst().allSatisfy { $0.problem == nil })
    }

    @Test func anUnbalancedQuoteOnALineLongerThanTheLookAheadSkipsTheWholeLine() throws {
        // Found by FuzzTests: the rest of the line, beyond what was read, must not come back as rows.
        let text = "1,\"" + String(repeating: "x,", count: 5_000) + "\n2,ok\n"
        let rows = try readAll(Array(text.utf8), chunk: 64, maxRecord: 64)
        #expect(rows.count == 2)
        #expect(rows[0].problem == .unbalancedQuote)
        #expect(rows[1].fields == ["2", "ok"])
        #expect(rows[1].line == 2)
    }

    @Test(arguments: [
        ([0xFF, 0xFE] as [UInt8], true, "UTF-16LE"), ([0xFE, 0xFF] as [UInt8], false, "UTF-16BE"),
        ([] as [UInt8], true, "UTF-16LE"), ([] as [UInt8], false, "UTF-16BE"),
    ])
    func aUTF16FileIsRefusedAsAnEncodingToConvert(bom: [UInt8], littleEndian: Bool, name: String) throws {
        let units = Array((custodyHeader + rows).utf16)
        let bytes = bom + units.flatMap { u in littleEndian ? [UInt8(u & 0xFF), UInt8(u >> 8)] : [UInt8(u >> 8), UInt8(u & 0xFF)] }
        let store = InMemoryStore()
        let e = try #require(throws: IngestError.self) { _ = try load(bytes, store: store) }
        #expect(e.description.contains("the file is \(name)"))
        #expect(e.description.contains("iconv -f UTF-16 -t UTF-8"))
        #expect(try store.deliveries(source: nil).isEmpty)
    }

    @Test func utf8AndWindows1252FilesAreNotMistakenForUTF16() {
        #expect(Ingestor.utf16Encoding(Array((custodyHeader + rows).utf8)) == nil)
        #expect(Ingestor.utf16Encoding([0xEF, 0xBB, 0xBF] + Array("ID,Name\n".utf8)) == nil)
        #expect(Ingestor.utf16Encoding([0x49, 0x44, 0x2C, 0xCB, 0x0A]) == nil)
        #expect(Ingestor.utf16Encoding([]) == nil)
    }

    @Test func aFileCutOffInsideItsLastFieldIsQuarantinedNotLoaded() throws {
        // The last row has no line ending: "KNIFE" arrived as "KNI".
        let (report, store) = try load(custodyHeader + rows + "3,LEE,AMY,05/05/2005,F,,03/05/2020 09:00,KNI")
        #expect(report.counts.rowsRead == 3)
        #expect(report.counts.loaded == 2)
        #expect(report.quarantinedByReason == ["unterminated_last_row": 1])
        let q = try #require(try store.quarantinedRows().first)
        #expect(q.line == 4)
        #expect(String(decoding: q.raw, as: UTF8.self) == "3,LEE,AMY,05/05/2005,F,,03/05/2020 09:00,KNI")
    }

    @Test func aLastRowWithoutLineEndingWhoseLastFieldIsQuotedLoads() throws {
        // The closing quote shows the last field is whole.
        let (report, _) = try load(custodyHeader + rows + "3,LEE,AMY,05/05/2005,F,,03/05/2020 09:00,\"KNIFE\"")
        #expect(report.counts.loaded == 3)
        #expect(report.counts.quarantined == 0)
    }

    @Test(arguments: ["999-125-0409", "999 125 0409", "9991250409", " 999-125-0409 "])
    func anNHSNumberWithHyphensOrSpacesIsNormalisedAndValid(_ written: String) throws {
        let (report, store) = try load(custodyHeader + "1,SMITH,ANNA,03/02/2005,F,\(written),01/05/2020 10:15,\n")
        #expect(report.counts.nhsNumberInvalid == 0)
        let r = try #require(try store.records().first)
        #expect(r.record.identity.nhsNumber == "9991250409")
        #expect(r.record.identity.nhsNumberValid == true)
        #expect(!r.flags.contains(.nhsNumberInvalid))
    }

    @Test func nhsNumbersWithOtherCharactersStayInvalid() throws {
        #expect(NHSNumber.normalised("999-125-0409") == "9991250409")
        #expect(NHSNumber.normalised("999.125.0409") == nil)
        #expect(NHSNumber.normalised("999-125-040") == nil)
        #expect(NHSNumber.isValid("999-125-0409"))
        #expect(!NHSNumber.isValid("999-125-0408"))
        let (report, _) = try load(custodyHeader + "1,SMITH,ANNA,03/02/2005,F,999/125/0409,01/05/2020 10:15,\n")
        #expect(report.counts.nhsNumberInvalid == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func aDateOfBirthAfterTheEventIsKeptFlaggedAndCounted(_ kind: StoreKind) throws {
        // Born 03/02/2021, arrested 01/05/2020.
        let (report, store) = try load(custodyHeader + "1,SMITH,ANNA,03/02/2021,F,,01/05/2020 10:15,\n" + rows.replacingOccurrences(of: "1,SMITH", with: "9,SMITH"),
                                       store: try kind.make())
        #expect(report.counts.loaded == 3)
        #expect(report.counts.dateOfBirthAfterEvent == 1)
        let flagged = try store.records().filter { $0.flags.contains(.dateOfBirthAfterEvent) }
        #expect(flagged.map(\.record.recordID) == ["1"])
        #expect(try store.deliveries(source: nil).first?.counts.dateOfBirthAfterEvent == 1)
        #expect(RecordFlags.names.contains { $0.1 == "dob_after_event" })
    }

    // MARK: Two writers on one store

    @Test func aSecondWriterWaitsForTheBusyTimeoutThenFailsPlainly() throws {
        let path = temporaryDirectory("busy") + "/upstream.db"
        let first = try SQLiteStore(path: path)
        let second = try SQLiteStore(path: path, busyTimeout: 0.2)
        var secondError: (any Error)?
        // While the first store's load holds the write lock, the second tries to load.
        _ = try first.loadDelivery(Delivery(source: "a", fileName: "a.csv", fileSHA256: String(repeating: "a", count: 64), loadedAt: loadTime),
                                   source: SourceInfo(name: "a", agency: .police, owner: "o", legalBasis: "b", retention: RetentionPolicy(years: 1)),
                                   replacing: false) { _ in
            do {
                _ = try second.loadDelivery(Delivery(source: "b", fileName: "b.csv", fileSHA256: String(repeating: "b", count: 64), loadedAt: loadTime),
                                            source: SourceInfo(name: "b", agency: .police, owner: "o", legalBasis: "b", retention: RetentionPolicy(years: 1)),
                                            replacing: false) { _ in DeliveryCounts() }
            } catch {
                secondError = error
            }
            return DeliveryCounts()
        }
        let e = try #require(secondError as? StoreError)
        #expect(e.isBusy)
        #expect(e.description.contains("is busy"))
        #expect(try second.deliveries(source: nil).map(\.delivery.source) == ["a"])
    }

    @Test func aSecondWriterThatWaitsLessThanTheTimeoutSucceeds() throws {
        let path = temporaryDirectory("busy") + "/upstream.db"
        let first = try SQLiteStore(path: path)
        let second = try SQLiteStore(path: path, busyTimeout: 30)
        let started = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var error: (any Error)? }
        let box = Box()
        _ = try first.loadDelivery(Delivery(source: "a", fileName: "a.csv", fileSHA256: String(repeating: "a", count: 64), loadedAt: loadTime),
                                   source: SourceInfo(name: "a", agency: .police, owner: "o", legalBasis: "b", retention: RetentionPolicy(years: 1)),
                                   replacing: false) { _ in
            // The second writer starts while this transaction is open and must wait for it.
            Thread.detachNewThread {
                started.signal()
                do {
                    _ = try second.loadDelivery(Delivery(source: "b", fileName: "b.csv", fileSHA256: String(repeating: "b", count: 64), loadedAt: loadTime),
                                                source: SourceInfo(name: "b", agency: .police, owner: "o", legalBasis: "b", retention: RetentionPolicy(years: 1)),
                                                replacing: false) { _ in DeliveryCounts() }
                } catch { box.error = error }
                done.signal()
            }
            started.wait()
            Thread.sleep(forTimeInterval: 0.3)
            return DeliveryCounts()
        }
        done.wait()
        #expect(box.error == nil)
        #expect(try first.deliveries(source: nil).map(\.delivery.source) == ["a", "b"])
    }
}
