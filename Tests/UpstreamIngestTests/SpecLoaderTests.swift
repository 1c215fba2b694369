import Foundation
import Testing
import UpstreamIngest
import UpstreamModel
import UpstreamSynth

/// The repository's `specs/` folder, found from this source file.
let specsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("specs").path

@Suite struct SpecLoaderTests {
    @Test func aValidSpecLoads() throws {
        let spec = try custodySpec()
        #expect(spec.name == "custody")
        #expect(spec.retention.years == 6)
        #expect(spec.identity.dateOfBirth?.placeholders == ["01/01/1900"])
        #expect(spec.event?.date.time == .hm)
        #expect(spec.identity.sex?.map["U"] == .some(nil))
        #expect(spec.columns.first?.line == 6)
    }

    /// Each broken spec must fail with the line and the field of the mistake.
    @Test(arguments: [
        ("agency: police", "agency: polis", 2, "agency"),
        ("retention: { years: 6 }", "retention: { years: six }", 5, "retention.years"),
        ("  date_of_birth: { column: DOB, format: DD/MM/YYYY }", "  date_of_birth: { column: DOB, format: MM/DD/YY }", 10, "identity.date_of_birth.format"),
        ("    map: { M: M, F: F, U: null }", "    map: { M: M, F: F, U: unknown }", 13, "identity.sex.map.U"),
        ("  kind: custody", "  kind: arrest", 16, "event.kind"),
        ("  role: suspect", "  rol: suspect", 18, "event.rol"),
        ("record_id: ID\n", "", 1, "record_id"),
    ])
    func mistakesNameTheLineAndField(original: String, broken: String, line: Int, field: String) throws {
        let yaml = custodySpecYAML.replacingOccurrences(of: original, with: broken)
        #expect(yaml != custodySpecYAML)
        do {
            _ = try custodySpec(yaml)
            Issue.record("expected an error")
        } catch let e as IngestError {
            #expect(e.line == line, "\(e)")
            #expect(e.field == field, "\(e)")
            #expect(e.file == "custody.yaml")
            #expect(e.description.hasPrefix("custody.yaml:\(line)"))
        }
    }

    @Test func yamlSyntaxErrorsNameTheLine() throws {
        let yaml = "source: x\nagency: [police\nowner: o\n"
        let e = try #require(throws: IngestError.self) { try SpecLoader.parse(yaml: yaml, path: "bad.yaml") }
        #expect(e.line != nil)
        #expect(e.field == "(syntax)")
    }

    @Test func everySyntheticExtractHasAShippedSpecThatMatchesItsSchema() throws {
        let specs = try SpecLoader.loadDirectory(specsFolder)
        #expect(Set(specs.keys) == Set(ExtractSchema.all.map(\.name)))
        for schema in ExtractSchema.all {
            let spec = try #require(specs[schema.name])
            #expect(spec.agency == schema.agency, "\(schema.name)")
            #expect(spec.recordID.name == schema.idColumn, "\(schema.name)")
            #expect(spec.personLevel == schema.personLevel, "\(schema.name)")
            #expect(spec.format == .csv(delimiter: schema.delimiter.utf8.first!), "\(schema.name)")
            let header = Set(schema.header)
            for c in spec.columns { #expect(header.contains(c.name), "\(schema.name): \(c.field) names \(c.name)") }
            // Nothing in the extract is ignored: every column is mapped or kept as an extra.
            let used = Set(spec.columns.map(\.name))
            #expect(header.subtracting(used).isEmpty, "\(schema.name) leaves \(header.subtracting(used).sorted()) unmapped")
        }
    }
}
