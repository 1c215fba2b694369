import Foundation
import UpstreamGovernance
import UpstreamIngest
import UpstreamLinkage
import UpstreamModel

/// The linkage configuration file (JSON): engine settings plus how to read each source's CSV.
///
/// ```json
/// { "format": 1,
///   "settings": { "link_type": "link_and_dedupe", "columns": { "national_id": {"type": "identifier", "check": "luhn"} },
///                 "comparisons": [ "forename", {"column": "national_id", "template": "identifier"}, ... ],
///                 "blocking_rules": ["dob + initial(surname)", ...], "match_threshold": 0.95, ... },
///   "sources": [ { "name": "police_custody", "agency": "police", "id_column": "CustodyRecordNo",
///                  "delimiter": ",", "dob_format": "DD/MM/YYYY",
///                  "columns": { "forename": "Forename", "surname": "Surname", "dob": "DOB",
///                               "address": ["Line1", "Line2", "Town"], "national_id": "DNI" } } ],
///   "default_source": { "id_column": "id", "columns": { ... } } }
/// ```
/// Column roles: `forename`, `forenames` (forename and middle names in one field), `middle_names`, `surname`,
/// `full_name` ("FORENAME SURNAME", or "SURNAME, Forename" when it holds a comma), `dob`, `sex`, `postcode`,
/// `nhs`, `upn`, `pnc`, `local_id`, `address` (one column or a list of address-line columns), and any column
/// declared under `settings.columns`. Every key is checked; every problem is reported at once. The schema is
/// config/linkage-settings.schema.json. See docs/linkage.md.
public struct LinkConfig {
    public var format: Int
    public var settings: LinkageSettings
    public var sources: [SourceMapping]
    public var defaultSource: SourceMapping?
    /// Sources (file names without extension) that are not person-level and are skipped when named as inputs.
    public var skipSources: [String]

    /// How to read one source's CSV: its id column, delimiter, date layout and which columns fill which roles.
    public struct SourceMapping {
        public var name: String?
        public var agency: String?
        public var idColumn: String
        public var delimiter: String?
        /// One of YYYY-MM-DD, DD/MM/YYYY, DD-MON-YYYY, YYYYMMDD, DD.MM.YYYY, or "auto" (the default).
        public var dobFormat: String?
        /// Role to the CSV columns that fill it (several are joined with ", ", for address lines).
        public var columns: [String: [String]]
        /// The id system of the `local_id` column (default: the agency).
        public var localIDScope: String?

        public init(name: String?, agency: String?, idColumn: String, delimiter: String?, dobFormat: String?, columns: [String: [String]],
                    localIDScope: String?) {
            self.name = name; self.agency = agency; self.idColumn = idColumn; self.delimiter = delimiter; self.dobFormat = dobFormat
            self.columns = columns; self.localIDScope = localIDScope
        }
    }

    public static let builtInRoles: Set<String> = ["forename", "forenames", "middle_names", "surname", "full_name", "dob", "sex", "postcode", "nhs", "upn", "pnc", "local_id", "address"]
    public static let topKeys = ["format", "settings", "sources", "default_source", "skip_sources"]
    public static let sourceKeys = ["name", "agency", "id_column", "delimiter", "dob_format", "columns", "local_id_scope"]

    public init(format: Int = 1, settings: LinkageSettings = LinkageSettings(), sources: [SourceMapping] = [], defaultSource: SourceMapping? = nil,
         skipSources: [String] = []) {
        self.format = format; self.settings = settings; self.sources = sources; self.defaultSource = defaultSource
        self.skipSources = skipSources
    }

    /// Loads and checks a config file; problems are gathered and reported together, one per line.
    public static func load(_ path: String) throws -> LinkConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw WorkspaceError.usage("cannot read the config \(path)") }
        let json: JSONValue
        do { json = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw WorkspaceError.usage("config \(path) is not valid JSON: \(JSONFiles.describe(error))")
        }
        let (config, problems) = parse(json)
        guard let config, problems.isEmpty else {
            throw WorkspaceError.usage("config \(path) has \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n  " + problems.joined(separator: "\n  ")
                                  + "\nFix each one (the schema is config/linkage-settings.schema.json; docs/linkage.md lists every key).")
        }
        return config
    }

    /// Parses a config document, gathering every problem.
    public static func parse(_ json: JSONValue) -> (LinkConfig?, [String]) {
        var problems: [String] = []
        guard let o = json.object else { return (nil, ["top level: must be an object"]) }
        for k in o.keys.sorted() where !topKeys.contains(k) {
            let hint = topKeys.min { Comparators.damerauLevenshtein(k, $0) < Comparators.damerauLevenshtein(k, $1) }.map { " (did you mean '\($0)'?)" } ?? ""
            problems.append("top level: unknown key '\(k)'\(hint)")
        }
        var config = LinkConfig()
        if let f = o["format"] {
            if f.number != 1 { problems.append("format: \(f.number.map { String($0) } ?? f.typeNameForConfig) is not supported (expected 1)") }
        }
        if let s = o["settings"] {
            let (settings, p) = LinkageSettings.parse(s)
            problems += p
            if let settings { config.settings = settings }
        }
        let declared = Set(config.settings.columns.map(\.name))
        func mapping(_ v: JSONValue, _ label: String) -> SourceMapping? {
            guard let m = v.object else { problems.append("\(label): must be an object"); return nil }
            for k in m.keys.sorted() where !sourceKeys.contains(k) { problems.append("\(label): unknown key '\(k)' (known keys: \(sourceKeys.joined(separator: ", ")))") }
            func str(_ k: String) -> String? {
                guard let x = m[k] else { return nil }
                guard let s = x.string else { problems.append("\(label).\(k): must be a string"); return nil }
                return s
            }
            var out = SourceMapping(name: str("name"), agency: str("agency"), idColumn: str("id_column") ?? "", delimiter: str("delimiter"),
                                    dobFormat: str("dob_format"), columns: [:], localIDScope: str("local_id_scope"))
            if out.idColumn.isEmpty { problems.append("\(label): needs \"id_column\", the column holding each row's id") }
            if let cols = m["columns"]?.object {
                for (role, v) in cols.sorted(by: { $0.key < $1.key }) {
                    if !builtInRoles.contains(role) && !declared.contains(role) {
                        problems.append("\(label).columns: unknown column role '\(role)' (built-in roles: \(builtInRoles.sorted().joined(separator: ", ")); declare others under settings.columns)")
                    }
                    if let s = v.string { out.columns[role] = [s] } else if let a = v.array, !a.isEmpty, a.allSatisfy({ $0.string != nil }) {
                        out.columns[role] = a.compactMap(\.string)
                    } else { problems.append("\(label).columns.\(role): must be a column name or a list of column names") }
                }
            } else { problems.append("\(label): needs \"columns\", an object of role to CSV column") }
            if let f = out.dobFormat, f != "auto", CivilDate.Layout(rawValue: f) == nil { problems.append("\(label): unknown dob_format '\(f)' (known: auto, \(CivilDate.Layout.allCases.map(\.rawValue).joined(separator: ", ")))") }
            if let d = out.delimiter, d.utf8.count != 1 { problems.append("\(label): delimiter must be one character") }
            return out
        }
        if let v = o["sources"] {
            if let list = v.array {
                for (i, item) in list.enumerated() {
                    if let m = mapping(item, "sources[\(i)]") {
                        if m.name == nil { problems.append("sources[\(i)]: needs \"name\", the file name without extension") }
                        if let n = m.name, config.sources.contains(where: { $0.name == n }) { problems.append("sources[\(i)]: the source '\(n)' is listed twice") }
                        config.sources.append(m)
                    }
                }
            } else { problems.append("sources: must be a list") }
        }
        if let v = o["default_source"] { config.defaultSource = mapping(v, "default_source") }
        if let v = o["skip_sources"] {
            if let a = v.array, a.allSatisfy({ $0.string != nil }) { config.skipSources = a.compactMap(\.string) } else { problems.append("skip_sources: must be a list of names") }
        }
        // Every column a blocking rule keys on must be filled by some source.
        let all = config.sources + (config.defaultSource.map { [$0] } ?? [])
        if !all.isEmpty {
            let filled = Set(all.flatMap { $0.columns.keys.flatMap(LinkConfig.columnsFilled) })
            for (i, r) in config.settings.blockingRules.enumerated() {
                for c in r.columns.sorted() where !filled.contains(c) {
                    problems.append("settings.blocking_rules[\(i)]: '\(r)' keys on the column '\(c)', which no source maps; map it under a source's columns or drop the rule")
                }
            }
        }
        if config.settings.linkType == .linkOnly && config.sources.count == 1 && config.defaultSource == nil {
            problems.append("settings.link_type: link_only compares records across files, and the config describes one source")
        }
        return problems.isEmpty ? (config, []) : (nil, problems)
    }

    /// The engine columns a mapping role fills.
    public static func columnsFilled(_ role: String) -> [String] {
        switch role {
        case "forenames": ["forename", "middle_names"]
        case "full_name": ["forename", "surname", "middle_names"]
        default: [role]
        }
    }

    public func mapping(forSource name: String) -> SourceMapping? {
        sources.first { $0.name == name } ?? defaultSource
    }
}

extension JSONValue {
    public var typeNameForConfig: String {
        switch self {
        case .string(let s): "'\(s)'"
        case .null: "null"
        default: "this value"
        }
    }
}

/// The files of a linkage without a store: person-level CSVs read through a config (with the ingest reader and
/// quarantine counts), and `source,record_id,person_id` assignment files (truth, exported clusters, state).
public enum LinkFiles {
    public static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription + " at " + path(c.codingPath)
        case DecodingError.keyNotFound(let k, let c): return "missing key '\(k.stringValue)' at " + path(c.codingPath)
        case DecodingError.typeMismatch(_, let c): return "wrong type at " + path(c.codingPath) + ": " + c.debugDescription
        case DecodingError.valueNotFound(_, let c): return "missing value at " + path(c.codingPath)
        default: return String(describing: error)
        }
    }

    public static func path(_ p: [any CodingKey]) -> String { p.isEmpty ? "top level" : p.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }

    /// Parses a date of birth in the source's layout, or any known layout when "auto".
    public static func parseDate(_ text: String, format: String?) -> CivilDate? {
        let t = trimmedBlanks(text)
        guard !t.isEmpty else { return nil }
        if let f = format, f != "auto", let layout = CivilDate.Layout(rawValue: f) { return CivilDate.parse(t, layout: layout) }
        for layout in CivilDate.Layout.allCases { if let d = CivilDate.parse(t, layout: layout) { return d } }
        return nil
    }

    public static func parseSex(_ text: String) -> Sex? {
        switch trimmedBlanks(text).uppercased() {
        case "M", "MALE", "1", "BOY": .male
        case "F", "FEMALE", "2", "GIRL": .female
        default: nil
        }
    }

    /// `text` without leading and trailing white space, as Foundation's `.whitespaces` trims it; text that begins and
    /// ends with a visible ASCII character (nearly every field, already trimmed by ``trimmedField(_:_:)``) is returned
    /// as it is, without Foundation's bridging (a tenth of a file's read, session 32's profile).
    static func trimmedBlanks(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        if first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Splits a full name: "SURNAME, Forename Middle" or "FORENAME MIDDLE SURNAME".
    public static func splitFullName(_ text: String) -> (forenames: String?, surname: String?) {
        if let comma = text.firstIndex(of: ",") {
            let s = text[..<comma].trimmingCharacters(in: .whitespaces), f = text[text.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            return (f.isEmpty ? nil : f, s.isEmpty ? nil : s)
        }
        let parts = text.split(separator: " ")
        guard parts.count > 1 else { return (nil, parts.first.map(String.init)) }
        return (parts.dropLast().joined(separator: " "), String(parts.last!))
    }

    /// What reading one input file did: rows read = rows loaded + rows quarantined, always.
    public struct ReadReport: Codable {
        public var file: String
        public var rowsRead = 0
        public var loaded = 0
        public var quarantined: [String: Int] = [:]
        /// The first few physical lines quarantined for each reason.
        public var lines: [String: [Int]] = [:]
        /// Rows kept whose date of birth did not parse (linked with the date missing).
        public var unreadableDates = 0
        public var quarantinedTotal: Int { quarantined.values.reduce(0, +) }

        public mutating func quarantine(_ reason: QuarantineReason, line: Int) {
            quarantined[reason.rawValue, default: 0] += 1
            if lines[reason.rawValue, default: []].count < 5 { lines[reason.rawValue, default: []].append(line) }
        }
    }

    /// Reads one person-level CSV into link inputs with the ingest reader; `source` is the file name without
    /// extension. Rows the reader cannot split reliably (an unbalanced quote, a record over 1 MiB, text after a
    /// closing quote), rows with the wrong number of fields, invalid UTF-8, an empty id, or an id already read
    /// are quarantined and counted, never dropped silently or linked twice.
    public static func readCSV(path: String, config: LinkConfig, messages: Messages = .silent) throws -> ([LinkInput], ReadReport) {
        var out: [LinkInput] = []
        let report = try readCSV(path: path, config: config, messages: messages, batchSize: .max) { out += $0 }
        return (out, report)
    }

    /// The source name a file's records get: its name without the extension.
    public static func sourceName(ofPath path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// Reads one person-level CSV as ``readCSV(path:config:messages:)`` does, handing its records to `body`
    /// `batchSize` at a time in file order (the last batch may be shorter; none is empty), so a caller can
    /// standardise them as they come without holding them all.
    public static func readCSV(path: String, config: LinkConfig, messages: Messages = .silent, batchSize: Int,
                               _ body: ([LinkInput]) throws -> Void) throws -> ReadReport {
        try readRawCSV(path: path, config: config, messages: messages, batchSize: batchSize) { try body($0.linkInputs()) }
    }

    /// About how many rows `paths` hold, from each file's size and the lines in its first 64 KiB (0 for a file that
    /// can't be read or has no line end there): what a read reserves its arrays for, so they are not copied as they
    /// grow. An estimate only; nothing depends on it being right.
    public static func estimatedRows(_ paths: [String]) -> Int {
        var rows = 0
        for path in paths {
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0,
                  let handle = FileHandle(forReadingAtPath: path) else { continue }
            defer { try? handle.close() }
            guard let head = try? handle.read(upToCount: 1 << 16), !head.isEmpty else { continue }
            let lines = head.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            guard lines > 1 else { continue }
            rows += max(0, Int(Double(size) * Double(lines) / Double(head.count)) - 1)
        }
        return rows
    }

    /// Reads one person-level CSV as ``readCSV(path:config:messages:)`` does, handing its records to `body`
    /// `batchSize` at a time in file order as raw batches: each record's fields as bytes, trimmed and joined as a
    /// `LinkInput` would hold them, with no String, `LinkInput` or dictionary made per field (the linker standardises
    /// them from the bytes; Benchmarks/linkage.md, session 43).
    public static func readRawCSV(path: String, config: LinkConfig, messages: Messages = .silent, batchSize: Int,
                                  _ body: (RawRecordBatch) throws -> Void) throws -> ReadReport {
        precondition(batchSize > 0, "a batch holds at least one record")
        let source = sourceName(ofPath: path)
        var report = ReadReport(file: path)
        if config.skipSources.contains(source) {
            messages.note("note: skipping \(path): the config lists \(source) under skip_sources\n")
            return report
        }
        guard let mapping = config.mapping(forSource: source) else {
            throw WorkspaceError.usage("the config has no source named '\(source)' and no default_source; add one to read \(path)")
        }
        let delimiter = mapping.delimiter?.utf8.first ?? UInt8(ascii: ",")
        let stream: FileByteStream
        do { stream = try FileByteStream(path: path) } catch { throw WorkspaceError.usage("cannot read \(path): \(error)") }
        var reader = CSVReader(stream, options: CSVOptions(delimiter: delimiter))
        guard try reader.next() else { return report }
        if reader.problem != nil || !reader.isValidUTF8 {
            throw WorkspaceError.usage("\(path): the header line cannot be read (\(reader.problem?.rawValue ?? "not UTF-8")); convert the file to UTF-8 CSV")
        }
        let header = (0..<reader.fieldCount).map { reader.field($0).trimmingCharacters(in: .whitespaces) }
        var index: [String: Int] = [:]
        for (i, h) in header.enumerated() where index[h] == nil { index[h] = i }
        guard let idIndex = index[mapping.idColumn] else {
            throw WorkspaceError.usage("\(path): the id column '\(mapping.idColumn)' is not in the header")
        }
        var col: [String: [Int]] = [:]
        var missing: [String] = []
        for (role, names) in mapping.columns {
            var idx: [Int] = []
            for name in names { if let i = index[name] { idx.append(i) } else { missing.append(name) } }
            col[role] = idx
        }
        guard missing.isEmpty else { throw WorkspaceError.usage("\(path): columns not in the header: \(missing.sorted().joined(separator: ", "))") }
        let agency = mapping.agency ?? source
        let declared = Set(config.settings.columns.map(\.name))
        let declaredFields = declared.sorted().compactMap { name in col[name].map { (name, $0) } }
        let dobFormat = mapping.dobFormat
        var writer = RawRecordBatch.Writer(source: source, agency: agency, localIDScope: mapping.localIDScope,
                                           fieldNames: declaredFields.map(\.0), reserving: min(batchSize, 16_384))
        var seen = SeenKeys()
        let fullName = col["full_name"], forenames = col["forenames"], forename = col["forename"], middleNames = col["middle_names"]
        let surname = col["surname"], dob = col["dob"], sex = col["sex"]
        // The roles read as they are, in their slots' order after the names.
        let plainRoles = [col["postcode"], col["nhs"], col["upn"], col["pnc"], col["local_id"], col["address"]]
        while try reader.next() {
            report.rowsRead += 1
            let line = reader.line
            if let p = reader.problem {
                report.quarantine(QuarantineReason(rawValue: p.rawValue) ?? .unbalancedQuote, line: line); continue
            }
            if !reader.isValidUTF8 { report.quarantine(.invalidEncoding, line: line); continue }
            if reader.fieldCount != header.count { report.quarantine(.columnCount, line: line); continue }
            let id = trimmedField(&reader, idIndex)
            if id.isEmpty { report.quarantine(.missingRecordID, line: line); continue }
            if !seen.insert(id) { report.quarantine(.duplicateRecordID, line: line); continue }
            writer.begin(recordID: id)
            // A full name gives the forename and surname a `forenames`, `forename` or `surname` field does not.
            let split = fullName != nil ? roleText(fullName, &reader, &writer).map(splitFullName) : nil
            // Each role appended and, when it wrote nothing, the next in line tried (not checked first and then read).
            let slotStart = writer.bytes.count
            appendRole(forename, &reader, &writer)
            if writer.bytes.count == slotStart { appendRole(forenames, &reader, &writer) }
            if writer.bytes.count == slotStart, let f = split?.forenames { writer.bytes.append(contentsOf: f.utf8) }
            writer.endSlot()
            appendRole(middleNames, &reader, &writer); writer.endSlot()
            let surnameStart = writer.bytes.count
            appendRole(surname, &reader, &writer)
            if writer.bytes.count == surnameStart, let s = split?.surname { writer.bytes.append(contentsOf: s.utf8) }
            writer.endSlot()
            for role in plainRoles { appendRole(role, &reader, &writer); writer.endSlot() }
            for (_, idx) in declaredFields { appendRole(idx, &reader, &writer); writer.endSlot() }
            var dateOfBirth: CivilDate? = nil
            if let v = roleText(dob, &reader, &writer) {
                dateOfBirth = parseDate(v, format: dobFormat)
                if dateOfBirth == nil { report.unreadableDates += 1 }
            }
            writer.end(dateOfBirth: dateOfBirth, sex: roleText(sex, &reader, &writer).flatMap(parseSex))
            if writer.count == batchSize { report.loaded += writer.count; try body(writer.take()) }
        }
        if writer.count > 0 { report.loaded += writer.count; try body(writer.take()) }
        if report.quarantinedTotal > 0 {
            let reasons = report.quarantined.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key) (first at line\(report.lines[$0.key]!.count > 1 ? "s" : "") \(report.lines[$0.key]!.map(String.init).joined(separator: ", ")))" }
            messages.note("warning: \(path): \(report.quarantinedTotal) of \(report.rowsRead) rows quarantined, not linked: \(reasons.joined(separator: "; ")). Fix them at source and link again.\n")
        }
        return report
    }

    // A role's fields, each trimmed, the non-empty ones joined ", " (as a `LinkInput` held them), appended to a raw
    // batch's bytes; a role not mapped (`nil`) appends nothing. Functions of their own taking the reader and the writer
    // `inout`: nested functions capturing them copied the reader (retaining its buffers) and checked exclusive access at
    // run time for every field.
    static func appendRole<S>(_ idx: [Int]?, _ reader: inout CSVReader<S>, _ writer: inout RawRecordBatch.Writer) {
        guard let idx else { return }
        var first = true
        for i in idx where i < reader.fieldCount {
            reader.withFieldBytes(i) { b in
                let r = trimmedRange(b)
                guard !r.isEmpty else { return }
                if !first { writer.bytes.append(UInt8(ascii: ",")); writer.bytes.append(UInt8(ascii: " ")) }
                writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[r]))
                first = false
            }
        }
    }

    /// A role's text, as ``appendRole(_:_:_:)`` writes it (`nil` when empty); the writer's bytes are left as they were.
    static func roleText<S>(_ idx: [Int]?, _ reader: inout CSVReader<S>, _ writer: inout RawRecordBatch.Writer) -> String? {
        let from = writer.bytes.count
        appendRole(idx, &reader, &writer)
        defer { writer.bytes.removeSubrange(from...) }
        return writer.bytes.count == from ? nil : String(decoding: writer.bytes[from...], as: UTF8.self)
    }

    /// The bytes of `b` without leading and trailing blanks (space, tab, no-break space).
    static func trimmedRange(_ b: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var s = 0, e = b.count
        func blankAt(_ j: Int, forward: Bool) -> Int {
            if b[j] == 0x20 || b[j] == 0x09 { return 1 }
            if forward, j + 1 < e, b[j] == 0xC2, b[j + 1] == 0xA0 { return 2 }
            if !forward, j >= 1, j - 1 >= s, b[j - 1] == 0xC2, b[j] == 0xA0 { return 2 }
            return 0
        }
        while s < e { let k = blankAt(s, forward: true); if k == 0 { break }; s += k }
        while e > s { let k = blankAt(e - 1, forward: false); if k == 0 { break }; e -= k }
        return s..<e
    }

    /// Field `i` without leading and trailing blanks (space, tab, no-break space), trimmed on the bytes before one
    /// String is made (no Foundation trimming per field).
    /// (`inout` so that a caller whose closure captures the reader passes it without copying it per field.)
    public static func trimmedField<S>(_ reader: inout CSVReader<S>, _ i: Int) -> String {
        reader.withFieldBytes(i) { b in String(decoding: UnsafeBufferPointer(rebasing: b[trimmedRange(b)]), as: UTF8.self) }
    }

    /// Reads `source,record_id,person_id` (truth or exported clusters).
    /// Each record's strongest link to another record of the same person: 1 when another record has the same
    /// identity, otherwise the highest probability among the scored pairs inside the person; `nil` when alone.
    public static func withinPersonProbabilities(_ result: Linker.Result) -> [Double?] {
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

    public static func readAssignments(_ path: String) throws -> [RecordKey: String] {
        let stream: FileByteStream
        do { stream = try FileByteStream(path: path) } catch { throw WorkspaceError.usage("cannot read \(path): \(error)") }
        var reader = CSVReader(stream)
        guard try reader.next() else { return [:] }
        let header = (0..<reader.fieldCount).map { reader.field($0) }
        guard let s = header.firstIndex(of: "source"), let r = header.firstIndex(of: "record_id"), let p = header.firstIndex(of: "person_id") else {
            throw WorkspaceError.usage("\(path) must have the columns source,record_id,person_id")
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
    public static func writeAssignments(_ path: String, keys: [RecordKey], persons: [PersonID], probabilities: [Double?]? = nil,
                                        parallel: Parallelism = .serial) throws {
        // In key order. Records read in key order (a file's ids in ascending order, as most extracts are) are
        // checked in pieces on the workers and not sorted (the sort compared a million keys on one thread).
        var order = Array(keys.indices)
        let inOrder = parallel.map(chunks: keys.count, minChunk: 50_000) { range in
            range.allSatisfy { $0 == 0 || !(keys[$0] < keys[$0 - 1]) }
        }.allSatisfy { $0 }
        if !inOrder { order.sort { (keys[$0], $0) < (keys[$1], $1) } }
        // Written as bytes (CSVWriter.appendField): the String writer looked up each field's first and last scalar's
        // Unicode properties, about 0.25 CPU-s of a 1,000,000-record export (session 38). The rows are laid out in
        // pieces on the workers, each field appended without an array a row (the whole write was about 0.45 s on
        // one core at the end of a 1,000,000-record link), and the pieces joined in order.
        var bytes = Array((probabilities == nil ? "source,record_id,person_id\n" : "source,record_id,person_id,match_probability\n").utf8)
        let parts = parallel.map(chunks: order.count, minChunk: 50_000) { range -> [UInt8] in
            var out: [UInt8] = []
            out.reserveCapacity(range.count * 40)
            for i in order[range] {
                CSVWriter.appendField(keys[i].source, to: &out); out.append(UInt8(ascii: ","))
                CSVWriter.appendField(keys[i].recordID, to: &out); out.append(UInt8(ascii: ","))
                CSVWriter.appendField(persons[i].rawValue, to: &out)
                if let probabilities { out.append(UInt8(ascii: ",")); CSVWriter.appendField(probabilities[i].map { fmt($0, 6) } ?? "", to: &out) }
                out.append(0x0A)
            }
            return out
        }
        bytes.reserveCapacity(bytes.count + parts.reduce(0) { $0 + $1.count })
        for p in parts { bytes.append(contentsOf: p) }
        do { try SecureFile.write(path: path, data: bytes) } catch { throw WorkspaceError.usage("cannot write \(path): \(error)") }
    }

    public static func fmt(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
}
