import ArgumentParser
import Foundation
import UpstreamIngest
import UpstreamLinkage
import UpstreamModel

/// The linkage configuration file (JSON): engine settings plus how to read each source's CSV.
///
/// ```json
/// { "format": 1,
///   "settings": { "match_threshold": 0.95, "blocking_rules": ["dob + surname_initial", ...], ... },
///   "sources": [ { "name": "police_custody", "agency": "police", "id_column": "CustodyRecordNo",
///                  "delimiter": ",", "dob_format": "DD/MM/YYYY",
///                  "columns": { "forename": "Forename", "surname": "Surname", "dob": "DOB", ... } } ],
///   "default_source": { "id_column": "id", "columns": { ... } } }
/// ```
/// Column roles: `forename`, `forenames` (forename and middle names in one field), `middle_names`, `surname`,
/// `full_name` ("FORENAME SURNAME", or "SURNAME, Forename" when it holds a comma), `dob`, `sex`, `postcode`,
/// `nhs`, `upn`, `pnc`, `local_id`. See docs/linkage.md.
struct LinkConfig: Codable {
    var format: Int
    var settings: LinkageSettings
    var sources: [SourceMapping]
    var defaultSource: SourceMapping?
    /// Sources (file names without extension) that are not person-level and are skipped when named as inputs.
    var skipSources: [String]

    enum CodingKeys: String, CodingKey { case format, settings, sources, defaultSource = "default_source", skipSources = "skip_sources" }

    struct SourceMapping: Codable {
        var name: String?
        var agency: String?
        var idColumn: String
        var delimiter: String?
        /// One of YYYY-MM-DD, DD/MM/YYYY, DD-MON-YYYY, YYYYMMDD, DD.MM.YYYY, or "auto" (the default).
        var dobFormat: String?
        var columns: [String: String]
        /// The id system of the `local_id` column (default: the agency).
        var localIDScope: String?

        enum CodingKeys: String, CodingKey {
            case name, agency, idColumn = "id_column", delimiter, dobFormat = "dob_format", columns, localIDScope = "local_id_scope"
        }
    }

    static let roles: Set<String> = ["forename", "forenames", "middle_names", "surname", "full_name", "dob", "sex", "postcode", "nhs", "upn", "pnc", "local_id"]

    init(format: Int = 1, settings: LinkageSettings = LinkageSettings(), sources: [SourceMapping] = [], defaultSource: SourceMapping? = nil,
         skipSources: [String] = []) {
        self.format = format; self.settings = settings; self.sources = sources; self.defaultSource = defaultSource
        self.skipSources = skipSources
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decodeIfPresent(Int.self, forKey: .format) ?? 1
        settings = try c.decodeIfPresent(LinkageSettings.self, forKey: .settings) ?? LinkageSettings()
        sources = try c.decodeIfPresent([SourceMapping].self, forKey: .sources) ?? []
        defaultSource = try c.decodeIfPresent(SourceMapping.self, forKey: .defaultSource)
        skipSources = try c.decodeIfPresent([String].self, forKey: .skipSources) ?? []
    }

    /// Loads and checks a config file; problems are gathered and reported together.
    static func load(_ path: String) throws -> LinkConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read the config \(path)") }
        let config: LinkConfig
        do { config = try JSONDecoder().decode(LinkConfig.self, from: data) } catch {
            throw ValidationError("config \(path) is not valid: \(LinkCLI.describe(error))")
        }
        var problems: [String] = []
        if config.format != 1 { problems.append("format \(config.format) is not supported (expected 1)") }
        for s in config.sources + (config.defaultSource.map { [$0] } ?? []) {
            let label = s.name ?? "default_source"
            for role in s.columns.keys where !roles.contains(role) { problems.append("\(label): unknown column role '\(role)'") }
            if let f = s.dobFormat, f != "auto", CivilDate.Layout(rawValue: f) == nil { problems.append("\(label): unknown dob_format '\(f)'") }
            if let d = s.delimiter, d.utf8.count != 1 { problems.append("\(label): delimiter must be one character") }
        }
        guard problems.isEmpty else { throw ValidationError("config \(path): " + problems.joined(separator: "; ")) }
        return config
    }

    func mapping(forSource name: String) -> SourceMapping? {
        sources.first { $0.name == name } ?? defaultSource
    }
}

enum LinkCLI {
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription + " at " + path(c.codingPath)
        case DecodingError.keyNotFound(let k, let c): return "missing key '\(k.stringValue)' at " + path(c.codingPath)
        case DecodingError.typeMismatch(_, let c): return "wrong type at " + path(c.codingPath) + ": " + c.debugDescription
        case DecodingError.valueNotFound(_, let c): return "missing value at " + path(c.codingPath)
        default: return String(describing: error)
        }
    }

    static func path(_ p: [any CodingKey]) -> String { p.isEmpty ? "top level" : p.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }

    /// Parses a date of birth in the source's layout, or any known layout when "auto".
    static func parseDate(_ text: String, format: String?) -> CivilDate? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return nil }
        if let f = format, f != "auto", let layout = CivilDate.Layout(rawValue: f) { return CivilDate.parse(t, layout: layout) }
        for layout in CivilDate.Layout.allCases { if let d = CivilDate.parse(t, layout: layout) { return d } }
        return nil
    }

    static func parseSex(_ text: String) -> Sex? {
        switch text.trimmingCharacters(in: .whitespaces).uppercased() {
        case "M", "MALE", "1", "BOY": .male
        case "F", "FEMALE", "2", "GIRL": .female
        default: nil
        }
    }

    /// Splits a full name: "SURNAME, Forename Middle" or "FORENAME MIDDLE SURNAME".
    static func splitFullName(_ text: String) -> (forenames: String?, surname: String?) {
        if let comma = text.firstIndex(of: ",") {
            let s = text[..<comma].trimmingCharacters(in: .whitespaces), f = text[text.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            return (f.isEmpty ? nil : f, s.isEmpty ? nil : s)
        }
        let parts = text.split(separator: " ")
        guard parts.count > 1 else { return (nil, parts.first.map(String.init)) }
        return (parts.dropLast().joined(separator: " "), String(parts.last!))
    }

    /// Reads one person-level CSV into link inputs; `source` is the file name without extension.
    static func readCSV(path: String, config: LinkConfig) throws -> [LinkInput] {
        let source = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if config.skipSources.contains(source) {
            Terminal.error("note: skipping \(path): the config lists \(source) under skip_sources\n")
            return []
        }
        guard let mapping = config.mapping(forSource: source) else {
            throw ValidationError("the config has no source named '\(source)' and no default_source; add one to read \(path)")
        }
        let delimiter = mapping.delimiter?.utf8.first ?? UInt8(ascii: ",")
        let stream: FileByteStream
        do { stream = try FileByteStream(path: path) } catch { throw ValidationError("cannot read \(path): \(error)") }
        var reader = CSVReader(stream, options: CSVOptions(delimiter: delimiter))
        guard try reader.next() else { return [] }
        let header = (0..<reader.fieldCount).map { reader.field($0).trimmingCharacters(in: .whitespaces) }
        var index: [String: Int] = [:]
        for (i, h) in header.enumerated() where index[h] == nil { index[h] = i }
        guard let idIndex = index[mapping.idColumn] else {
            throw ValidationError("\(path): the id column '\(mapping.idColumn)' is not in the header")
        }
        var col: [String: Int] = [:]
        var missing: [String] = []
        for (role, name) in mapping.columns { if let i = index[name] { col[role] = i } else { missing.append(name) } }
        guard missing.isEmpty else { throw ValidationError("\(path): columns not in the header: \(missing.sorted().joined(separator: ", "))") }
        let agency = mapping.agency ?? source
        var out: [LinkInput] = []
        func f(_ role: String) -> String? {
            guard let i = col[role], i < reader.fieldCount else { return nil }
            let v = reader.field(i)
            return v.isEmpty ? nil : v
        }
        while try reader.next() {
            guard idIndex < reader.fieldCount else { continue }
            var input = LinkInput(source: source, recordID: reader.field(idIndex), agency: agency)
            if let full = f("full_name") {
                let (fn, sn) = splitFullName(full)
                input.forename = fn; input.surname = sn
            }
            if let v = f("forenames") { input.forename = v }
            if let v = f("forename") { input.forename = v }
            if let v = f("middle_names") { input.middleNames = v }
            if let v = f("surname") { input.surname = v }
            if let v = f("dob") { input.dateOfBirth = parseDate(v, format: mapping.dobFormat) }
            if let v = f("sex") { input.sex = parseSex(v) }
            input.postcode = f("postcode"); input.nhsNumber = f("nhs"); input.upn = f("upn"); input.pncID = f("pnc")
            input.localID = f("local_id")
            input.localIDScope = mapping.localIDScope
            out.append(input)
        }
        if let p = reader.problem { Terminal.error("warning: \(path): stopped at line \(reader.line): \(p.rawValue)\n") }
        return out
    }

    /// Reads `source,record_id,person_id` (truth or exported clusters).
    /// Each record's strongest link to another record of the same person: 1 when another record has the same
    /// identity, otherwise the highest probability among the scored pairs inside the person; `nil` when alone.
    static func withinPersonProbabilities(_ result: Linker.Result) -> [Double?] {
        let data = result.data
        var best = [Double](repeating: -1, count: data.nodeCount)
        for p in result.pairs where result.nodeLabels[Int(p.a)] == result.nodeLabels[Int(p.b)] {
            let q = p.probability
            if q > best[Int(p.a)] { best[Int(p.a)] = q }
            if q > best[Int(p.b)] { best[Int(p.b)] = q }
        }
        return data.keys.indices.map { i in
            let node = Int(data.nodeOfRecord[i])
            if data.recordCount[node] > 1 { return 1 }
            return best[node] >= 0 ? best[node] : nil
        }
    }

    static func readAssignments(_ path: String) throws -> [RecordKey: String] {
        let stream: FileByteStream
        do { stream = try FileByteStream(path: path) } catch { throw ValidationError("cannot read \(path): \(error)") }
        var reader = CSVReader(stream)
        guard try reader.next() else { return [:] }
        let header = (0..<reader.fieldCount).map { reader.field($0) }
        guard let s = header.firstIndex(of: "source"), let r = header.firstIndex(of: "record_id"), let p = header.firstIndex(of: "person_id") else {
            throw ValidationError("\(path) must have the columns source,record_id,person_id")
        }
        var out: [RecordKey: String] = [:]
        while try reader.next() {
            guard reader.fieldCount > max(s, r, p) else { continue }
            out[RecordKey(source: reader.field(s), recordID: reader.field(r))] = reader.field(p)
        }
        return out
    }

    /// Writes `source,record_id,person_id`, sorted by source then record id.
    /// Writes `source,record_id,person_id`, and with `probabilities` a fourth column `match_probability`:
    /// each record's strongest link within its person (empty for a person of one record).
    static func writeAssignments(_ path: String, keys: [RecordKey], persons: [PersonID], probabilities: [Double?]? = nil) throws {
        var order = Array(keys.indices)
        order.sort { (keys[$0], $0) < (keys[$1], $1) }
        var text = probabilities == nil ? "source,record_id,person_id\n" : "source,record_id,person_id,match_probability\n"
        text.reserveCapacity(keys.count * 40)
        for i in order {
            text += csvField(keys[i].source) + "," + csvField(keys[i].recordID) + "," + persons[i].rawValue
            if let probabilities { text += "," + (probabilities[i].map { fmt($0, 6) } ?? "") }
            text += "\n"
        }
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch { throw ValidationError("cannot write \(path): \(error)") }
    }

    static func csvField(_ s: String) -> String {
        if s.contains(",") || s.contains("\"") || s.contains("\n") { return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return s
    }

    /// Both cores where work divides.
    static let parallel = Parallelism(workers: ProcessInfo.processInfo.activeProcessorCount) { n, body in
        DispatchQueue.concurrentPerform(iterations: n, execute: body)
    }

    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    static func fmt(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
}
