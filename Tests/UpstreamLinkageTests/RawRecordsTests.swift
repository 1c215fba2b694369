import Testing
@testable import UpstreamLinkage
import UpstreamModel

/// Records read straight from a file's bytes (`RawRecordBatch`) standardise to exactly what the same records as
/// `LinkInput`s give: the same keys, identities, interned strings and columns, for any batching and parallelism.
@Suite("raw record batches")
struct RawRecordsTests {
    /// `inputs` as raw batches of at most `size` records, a batch per run of one source (as a file's reader makes them).
    static func batches(_ inputs: [LinkInput], size: Int, fieldNames: [String] = []) -> [RawRecordBatch] {
        var out: [RawRecordBatch] = []
        var writer: RawRecordBatch.Writer? = nil
        for x in inputs {
            if let w = writer, w.source != x.source || w.agency != x.agency || w.localIDScope != x.localIDScope || w.count == size {
                out.append(writer!.take()); writer = nil
                _ = w
            }
            if writer == nil { writer = RawRecordBatch.Writer(source: x.source, agency: x.agency, localIDScope: x.localIDScope, fieldNames: fieldNames) }
            writer!.begin(recordID: x.recordID)
            for v in [x.forename, x.middleNames, x.surname, x.postcode, x.nhsNumber, x.upn, x.pncID, x.localID, x.address] + fieldNames.map({ x.fields[$0] }) {
                writer!.bytes.append(contentsOf: (v ?? "").utf8); writer!.endSlot()
            }
            writer!.end(dateOfBirth: x.dateOfBirth, sex: x.sex)
        }
        if let w = writer, w.count > 0 { out.append(writer!.take()) }
        return out
    }

    @Test("a batch gives back the link inputs written into it, empty fields as none")
    func roundTrip() {
        var a = LinkInput(source: "school", recordID: "7", agency: "education", forename: "Åsa", surname: "O'Neil",
                          dateOfBirth: CivilDate(year: 2010, month: 2, day: 28), sex: .female, postcode: "LS1 4AB", localID: "C-9")
        a.localIDScope = "care"; a.fields = ["town": "Leeds", "dob": "2010-02-28"]
        var b = LinkInput(source: "school", recordID: "8", agency: "education", surname: "Ray", sex: .male, address: "1 High St, Flat 2")
        b.localIDScope = "care"; b.fields = ["dob": "x"]
        let batch = Self.batches([a, b], size: 10, fieldNames: ["dob", "town"])
        #expect(batch.count == 1)
        #expect(batch[0].linkInputs() == [a, b])
        #expect(batch[0].text(0, .field("town")) == "Leeds" && batch[0].text(0, .field("nowhere")) == nil && batch[0].text(0, .middleNames) == nil)
        #expect(batch[0].text(1, .field("town")) == nil && batch[0].text(1, .address) == "1 High St, Flat 2")
        // As standardising reads them, through a plan's fields.
        let plan = PreparedData.StandardisePlan(specs: [ColumnSpec("town", .text), ColumnSpec("surname", .name)], needCanonical: [], tokenReaders: [], limit: 100)
        batch[0].withRecords(plan) { record in
            let r = record(0)
            #expect(r.raw(plan.columns[0].raw, plan) == "Leeds" && r.raw(plan.columns[1].raw, plan) == "O'Neil" && r.raw(plan.dobField, plan) == "2010-02-28")
            #expect(r.raw(plan.sexField, plan) == nil && record(1).raw(plan.dobField, plan) == "x" && record(1).raw(plan.columns[0].raw, plan) == nil)
            #expect(r.dateOfBirth == a.dateOfBirth && r.sex == .female && r.localIDScope == "care" && r.agency == "education")
            #expect(record(1).sex == .male && record(1).dateOfBirth == nil)
        }
    }

    @Test("standardised from raw batches or from link inputs, the data is the same, for any batching and parallelism and link type",
          arguments: [1, 37, 1_000], [LinkType.linkAndDedupe, .linkOnly])
    func sameDataAsLinkInputs(size: Int, linkType: LinkType) throws {
        let pop = People.population(people: 400, seed: 5).inputs
        // The UK comparisons, and a declared free-text column whose tokens a level reads.
        var settings = LinkageSettings()
        let town = try Declared.settings(#"{"columns": {"town": "text"}, "comparisons": [{"column": "town", "levels": [{"type": "jaccard", "threshold": 0.5}]}], "blocking_rules": ["dob"], "training_rules": ["dob"], "cluster_guards": []}"#)
        settings.columns += town.columns.filter { $0.name == "town" }
        settings.comparisons += town.comparisons
        settings.linkType = linkType
        // Source by source (as files give them), so a raw batch holds up to `size` records.
        let bySource = pop.enumerated().sorted { ($0.element.source, $0.offset) < ($1.element.source, $1.offset) }.map(\.element)
        let inputs = bySource.enumerated().map { i, x in var x = x; if i % 3 > 0 { x.fields["town"] = ["LEEDS", " york minster ", "Hull"][i % 3] }; return x }
        let expected = PreparedData(inputs, settings: settings)
        let builder = PreparedData.Builder(settings: settings, parallel: StreamingTests.parallel)
        for b in Self.batches(inputs, size: size, fieldNames: ["town"]) { builder.add(b) }
        let data = builder.finish()
        #expect(data.keys == expected.keys)
        #expect(data.nodeOfRecord == expected.nodeOfRecord && data.recordCount == expected.recordCount)
        #expect(data.strings == expected.strings)
        #expect(data.agencyOfRecord == expected.agencyOfRecord && data.agencies == expected.agencies)
        #expect(data.dataset == expected.dataset && Set(data.dataset).count == (linkType == .linkOnly ? 3 : 1))
        #expect(data.columns.map(\.spec.name) == expected.columns.map(\.spec.name))
        for (c, e) in zip(data.columns, expected.columns) {
            #expect(c.value == e.value && c.days == e.days && c.tokens == e.tokens && c.tokenStart == e.tokenStart, "\(c.spec.name)")
            #expect(c.part0 == e.part0 && c.part1 == e.part1 && c.part2 == e.part2 && c.phonetic == e.phonetic && c.canonical == e.canonical && c.scope == e.scope)
        }
    }

    @Test("a date written into a piece is its ISO text, as the interner would hash that text, for any day of years 0 to 9999 and beyond")
    func isoDateBytes() {
        var piece = PreparedData.StandardisedPiece()
        var dates = [CivilDate(year: 1, month: 1, day: 1)!, CivilDate(year: 999, month: 12, day: 31)!, CivilDate(year: 2024, month: 2, day: 29)!,
                     CivilDate(year: 9999, month: 12, day: 31)!, CivilDate(dayNumber: 4_000_000), CivilDate(dayNumber: -800_000)]
        var rng = SplitMix64(seed: 43)
        for _ in 0..<2_000 { dates.append(CivilDate(dayNumber: Int32(rng.next() % 200_000) - 100_000)) }
        for d in dates {
            let k = Int(piece.isoDate(d, 3))
            let text = piece.bytes.withUnsafeBufferPointer { String(decoding: $0[Int(piece.stringStart[k])..<Int(piece.stringStart[k + 1])], as: UTF8.self) }
            #expect(text == d.iso)
            var iso = d.iso
            #expect(piece.hashes[k] == iso.withUTF8 { PreparedData.Interner.hash($0, 3) })
        }
    }
}
