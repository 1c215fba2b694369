import Crypto
import Foundation
import UpstreamModel
import UpstreamStore
import Yams

/// Reads ``SourceSpec``s from YAML, reporting any mistake with the spec's line and the field concerned.
public enum SpecLoader {
    /// Loads the spec at `path`.
    /// - Throws: ``IngestError`` naming the file, line and field of the first mistake.
    public static func load(path: String) throws -> SourceSpec {
        guard let data = FileManager.default.contents(atPath: path) else { throw IngestError.cannotOpen(path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw IngestError.spec(path, line: nil, column: nil, field: "(file)", "the spec is not UTF-8 text")
        }
        return try parse(yaml: text, path: path)
    }

    /// Loads every `*.yaml`/`*.yml` spec in `directory`, keyed by source name.
    public static func loadDirectory(_ directory: String) throws -> [String: SourceSpec] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        var out: [String: SourceSpec] = [:]
        for n in names where n.hasSuffix(".yaml") || n.hasSuffix(".yml") {
            let spec = try load(path: directory + "/" + n)
            if let other = out[spec.name] {
                throw IngestError.spec(spec.path, line: nil, column: nil, field: "source",
                                       "source '\(spec.name)' is also defined by \(other.path)")
            }
            out[spec.name] = spec
        }
        return out
    }

    /// Parses spec text.
    /// - Parameters:
    ///   - yaml: the spec.
    ///   - path: where it came from, for error messages.
    public static func parse(yaml: String, path: String = "<spec>") throws -> SourceSpec {
        let root: Node
        do {
            guard let r = try Yams.compose(yaml: yaml) else {
                throw IngestError.spec(path, line: 1, column: nil, field: "(file)", "the spec is empty")
            }
            root = r
        } catch let e as YamlError {
            throw IngestError.spec(path, line: e.mark?.line, column: e.mark?.column, field: "(syntax)", "not valid YAML: \(e.problem)")
        }
        var spec = try Parser(path: path).spec(root)
        spec.sha256 = SHA256.hash(data: Data(yaml.utf8)).map { String(format: "%02x", $0) }.joined()
        return spec
    }

    static let topKeys: Set<String> = [
        "source", "agency", "description", "owner", "legal_basis", "retention", "format", "record_id", "person_level",
        "identity", "event", "extras", "required",
    ]
    static let identityKeys: Set<String> = [
        "name", "forename", "forenames", "middle_names", "surname", "date_of_birth", "sex", "postcode", "ethnicity",
        "nhs_number", "upn", "pnc_id", "local_id", "address",
    ]
    static let eventKeys: Set<String> = [
        "kind", "date", "end_date", "role", "area", "offence_code", "flags", "detail", "reference", "recorded_date",
    ]

    struct Parser {
        let path: String

        func fail(_ node: Node?, _ field: String, _ message: String) -> IngestError {
            IngestError.spec(path, line: node?.mark?.line, column: node?.mark?.column, field: field, message)
        }

        func mapping(_ node: Node, _ field: String, allowed: Set<String>) throws -> [String: Node] {
            guard case .mapping(let m) = node else { throw fail(node, field, "expected a mapping of keys to values") }
            var out: [String: Node] = [:]
            for (k, v) in m {
                guard let key = k.string else { throw fail(k, field, "keys must be text") }
                let name = field.isEmpty ? key : field + "." + key
                guard allowed.contains(key) else {
                    throw fail(k, name, "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))")
                }
                out[key] = v
            }
            return out
        }

        func text(_ node: Node?, _ field: String, parent: Node) throws -> String {
            guard let node else { throw fail(parent, field, "is required") }
            guard case .scalar(let s) = node, !s.string.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw fail(node, field, "expected a non-empty text value")
            }
            return s.string
        }

        func optionalText(_ node: Node?, _ field: String) throws -> String? {
            guard let node else { return nil }
            guard case .scalar(let s) = node else { throw fail(node, field, "expected a text value") }
            return s.string
        }

        func column(_ node: Node?, _ field: String, parent: Node) throws -> SourceSpec.Column {
            guard let node else { throw fail(parent, field, "is required") }
            if case .mapping = node {
                let m = try mapping(node, field, allowed: ["column"])
                return try column(m["column"], field, parent: node)
            }
            return SourceSpec.Column(try text(node, field, parent: parent), field: field, line: node.mark?.line)
        }

        func optionalColumn(_ node: Node?, _ field: String, parent: Node) throws -> SourceSpec.Column? {
            guard let node else { return nil }
            return try column(node, field, parent: parent)
        }

        func columns(_ node: Node?, _ field: String) throws -> [SourceSpec.Column] {
            guard let node else { return [] }
            if case .scalar = node { return [try column(node, field, parent: node)] }
            guard case .sequence(let seq) = node else { throw fail(node, field, "expected a list of column names") }
            return try seq.map { try column($0, field, parent: node) }
        }

        func date(_ node: Node?, _ field: String, parent: Node, defaultPlaceholder: Bool) throws -> SourceSpec.DateField? {
            guard let node else { return nil }
            let m = try mapping(node, field, allowed: ["column", "format", "placeholders", "allow_future"])
            let col = try column(m["column"], field + ".column", parent: node)
            let formatText = try text(m["format"], field + ".format", parent: node)
            var time = SourceSpec.DateField.Time.none
            var layoutText = formatText
            for t in [SourceSpec.DateField.Time.hms, .hm] where formatText.hasSuffix(t.rawValue) {
                time = t
                layoutText = String(formatText.dropLast(t.rawValue.count))
                break
            }
            guard let layout = CivilDate.Layout(rawValue: layoutText) else {
                let known = CivilDate.Layout.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail(m["format"], field + ".format", "unknown date format '\(formatText)'; expected one of \(known), optionally followed by ' HH:MM' or ' HH:MM:SS'")
            }
            var placeholders: Set<String> = defaultPlaceholder ? [CivilDate(year: 1900, month: 1, day: 1)!.format(layout)] : []
            if let p = m["placeholders"] {
                guard case .sequence(let seq) = p else { throw fail(p, field + ".placeholders", "expected a list of values") }
                placeholders = Set(try seq.map { try text($0, field + ".placeholders", parent: p) })
            }
            var allowFuture = false
            if let f = m["allow_future"] {
                guard let b = f.bool else { throw fail(f, field + ".allow_future", "expected true or false") }
                allowFuture = b
            }
            return SourceSpec.DateField(column: col, layout: layout, time: time, placeholders: placeholders, allowFuture: allowFuture)
        }

        func coded<V>(_ node: Node?, _ field: String, parent: Node, _ make: (String) -> V?, known: [String]) throws -> SourceSpec.Coded<V>? {
            guard let node else { return nil }
            func value(_ n: Node, _ f: String) throws -> V? {
                if case .scalar(let s) = n, n.null != nil || s.string.isEmpty { return nil }
                let t = try text(n, f, parent: node)
                guard let v = make(t) else { throw fail(n, f, "unknown value '\(t)'; expected one of \(known.joined(separator: ", ")) or null") }
                return v
            }
            if case .scalar = node {
                guard let v = try value(node, field) else { throw fail(node, field, "a constant cannot be null") }
                return SourceSpec.Coded(constant: v, column: nil, map: [:])
            }
            let m = try mapping(node, field, allowed: ["column", "map", "value"])
            if let c = m["value"] {
                guard m["column"] == nil, m["map"] == nil else { throw fail(node, field, "give either value or column and map, not both") }
                guard let v = try value(c, field + ".value") else { throw fail(c, field + ".value", "a constant cannot be null") }
                return SourceSpec.Coded(constant: v, column: nil, map: [:])
            }
            let col = try column(m["column"], field + ".column", parent: node)
            guard let mapNode = m["map"] else { throw fail(node, field + ".map", "is required: map each code in the column to a value") }
            guard case .mapping(let mm) = mapNode else { throw fail(mapNode, field + ".map", "expected a mapping of codes to values") }
            var map: [String: V?] = [:]
            for (k, v) in mm {
                guard let code = k.string else { throw fail(k, field + ".map", "codes must be text") }
                map[code] = .some(try value(v, field + ".map." + code))
            }
            return SourceSpec.Coded(constant: nil, column: col, map: map)
        }

        func spec(_ root: Node) throws -> SourceSpec {
            let top = try mapping(root, "", allowed: SpecLoader.topKeys)
            let name = try text(top["source"], "source", parent: root)
            guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                throw fail(top["source"], "source", "use lower-case letters, digits and _ only")
            }
            let agencyText = try text(top["agency"], "agency", parent: root)
            guard let agency = Agency(rawValue: agencyText) else {
                throw fail(top["agency"], "agency", "unknown agency '\(agencyText)'; expected one of \(Agency.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let owner = try text(top["owner"], "owner", parent: root)
            let legalBasis = try text(top["legal_basis"], "legal_basis", parent: root)

            guard let retNode = top["retention"] else { throw fail(root, "retention", "is required: how long records are kept") }
            let ret = try mapping(retNode, "retention", allowed: ["years", "from"])
            guard let yearsNode = ret["years"], let years = yearsNode.int, years > 0 else {
                throw fail(ret["years"] ?? retNode, "retention.years", "expected a whole number of years, at least 1")
            }
            var from = RetentionPolicy.Anchor.event
            if let f = try optionalText(ret["from"], "retention.from") {
                guard let a = RetentionPolicy.Anchor(rawValue: f) else {
                    throw fail(ret["from"], "retention.from", "expected event or load")
                }
                from = a
            }

            var format = SourceSpec.Format.csv(delimiter: UInt8(ascii: ","))
            var encoding = SourceSpec.Encoding.utf8
            if let fNode = top["format"] {
                let f = try mapping(fNode, "format", allowed: ["type", "delimiter", "encoding"])
                let type = try optionalText(f["type"], "format.type") ?? "csv"
                switch type {
                case "csv":
                    if let d = try optionalText(f["delimiter"], "format.delimiter") {
                        let byte: UInt8? = switch d {
                        case "\t", "tab", "\\t": 9
                        default: d.utf8.count == 1 && d != "\"" && d != "\n" && d != "\r" ? d.utf8.first : nil
                        }
                        guard let byte else { throw fail(f["delimiter"], "format.delimiter", "expected one ASCII character (or tab)") }
                        format = .csv(delimiter: byte)
                    }
                case "jsonl":
                    guard f["delimiter"] == nil else { throw fail(f["delimiter"], "format.delimiter", "JSON Lines has no delimiter") }
                    format = .jsonLines
                default:
                    throw fail(f["type"], "format.type", "expected csv or jsonl")
                }
                if let e = try optionalText(f["encoding"], "format.encoding") {
                    guard let enc = SourceSpec.Encoding(rawValue: e.lowercased()) else {
                        throw fail(f["encoding"], "format.encoding", "expected utf-8 or windows-1252")
                    }
                    encoding = enc
                }
            }

            let recordID = try column(top["record_id"], "record_id", parent: root)
            var personLevel = true
            if let p = top["person_level"] {
                guard let b = p.bool else { throw fail(p, "person_level", "expected true or false") }
                personLevel = b
            }

            var identity = SourceSpec.IdentityMapping()
            if let idNode = top["identity"] {
                let m = try mapping(idNode, "identity", allowed: SpecLoader.identityKeys)
                if let n = m["name"] {
                    let nm = try mapping(n, "identity.name", allowed: ["column", "layout"])
                    let col = try column(nm["column"], "identity.name.column", parent: n)
                    let layoutText = try text(nm["layout"], "identity.name.layout", parent: n)
                    guard let layout = SourceSpec.NameLayout(rawValue: layoutText.uppercased()) else {
                        throw fail(nm["layout"], "identity.name.layout", "expected \"FORENAME SURNAME\" or \"SURNAME, FORENAME\"")
                    }
                    identity.fullName = (col, layout)
                }
                identity.forename = try optionalColumn(m["forename"], "identity.forename", parent: idNode)
                identity.forenames = try optionalColumn(m["forenames"], "identity.forenames", parent: idNode)
                identity.middleNames = try optionalColumn(m["middle_names"], "identity.middle_names", parent: idNode)
                identity.surname = try optionalColumn(m["surname"], "identity.surname", parent: idNode)
                if identity.fullName != nil, identity.forename != nil || identity.forenames != nil || identity.surname != nil {
                    throw fail(m["name"], "identity.name", "give either one full-name field or separate name fields, not both")
                }
                if identity.forename != nil, identity.forenames != nil {
                    throw fail(m["forenames"], "identity.forenames", "give either forename or forenames, not both")
                }
                identity.dateOfBirth = try date(m["date_of_birth"], "identity.date_of_birth", parent: idNode, defaultPlaceholder: true)
                identity.sex = try coded(m["sex"], "identity.sex", parent: idNode, Sex.init(rawValue:), known: Sex.allCases.map(\.rawValue))
                if identity.sex?.constant != nil { throw fail(m["sex"], "identity.sex", "expected a column and a map, not a constant") }
                identity.postcode = try optionalColumn(m["postcode"], "identity.postcode", parent: idNode)
                identity.ethnicity = try optionalColumn(m["ethnicity"], "identity.ethnicity", parent: idNode)
                identity.nhsNumber = try optionalColumn(m["nhs_number"], "identity.nhs_number", parent: idNode)
                identity.upn = try optionalColumn(m["upn"], "identity.upn", parent: idNode)
                identity.pncID = try optionalColumn(m["pnc_id"], "identity.pnc_id", parent: idNode)
                identity.localID = try optionalColumn(m["local_id"], "identity.local_id", parent: idNode)
                identity.address = try columns(m["address"], "identity.address")
            } else if personLevel {
                throw fail(root, "identity", "is required for a person-level source (set person_level: false for event-only rows)")
            }

            var event: SourceSpec.EventMapping?
            if let evNode = top["event"] {
                let m = try mapping(evNode, "event", allowed: SpecLoader.eventKeys)
                guard let kind = try coded(m["kind"], "event.kind", parent: evNode, EventKind.init(rawValue:), known: EventKind.allCases.map(\.rawValue)) else {
                    throw fail(evNode, "event.kind", "is required")
                }
                guard let date = try date(m["date"], "event.date", parent: evNode, defaultPlaceholder: false) else {
                    throw fail(evNode, "event.date", "is required")
                }
                event = SourceSpec.EventMapping(
                    kind: kind, date: date,
                    endDate: try self.date(m["end_date"], "event.end_date", parent: evNode, defaultPlaceholder: false),
                    role: try coded(m["role"], "event.role", parent: evNode, EventRole.init(rawValue:), known: EventRole.allCases.map(\.rawValue)),
                    area: try optionalColumn(m["area"], "event.area", parent: evNode),
                    offenceCode: try optionalColumn(m["offence_code"], "event.offence_code", parent: evNode),
                    flags: try optionalColumn(m["flags"], "event.flags", parent: evNode),
                    detail: try columns(m["detail"], "event.detail"),
                    reference: try optionalColumn(m["reference"], "event.reference", parent: evNode),
                    recordedDate: try self.date(m["recorded_date"], "event.recorded_date", parent: evNode, defaultPlaceholder: false))
            } else if !personLevel {
                throw fail(root, "event", "is required for an event-only source")
            }

            return SourceSpec(
                path: path, name: name, agency: agency, description: try optionalText(top["description"], "description") ?? "",
                owner: owner, legalBasis: legalBasis, retention: RetentionPolicy(years: years, from: from), format: format,
                encoding: encoding, recordID: recordID, personLevel: personLevel, identity: identity, event: event,
                extras: try columns(top["extras"], "extras"), required: try columns(top["required"], "required"))
        }
    }
}

extension YamlError {
    var mark: Mark? {
        switch self {
        case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _): m
        default: nil
        }
    }

    var problem: String {
        switch self {
        case .scanner(_, let p, _, _), .parser(_, let p, _, _), .composer(_, let p, _, _): p
        default: String(describing: self)
        }
    }
}
