import Foundation
import Testing
import UpstreamLinkage

/// A small JSON Schema checker (the keywords config/linkage-settings.schema.json uses: type, enum, const,
/// properties, additionalProperties, maxProperties, required, items, min/maxItems, minimum, maximum, min/maxLength, pattern,
/// oneOf, $ref into $defs), so the test needs no outside validator.
struct SchemaChecker {
    let root: JSONValue

    func check(_ v: JSONValue, _ schema: JSONValue, _ path: String = "$") -> [String] {
        guard let s = schema.object else { return [] }
        var problems: [String] = []
        if let ref = s["$ref"]?.string, ref.hasPrefix("#/$defs/"), let target = root.object?["$defs"]?.object?[String(ref.dropFirst(8))] {
            problems += check(v, target, path)
        }
        if let t = s["type"] {
            let types = t.array?.compactMap(\.string) ?? [t.string ?? ""]
            if !types.contains(where: { matches(v, $0) }) { problems.append("\(path): not \(types.joined(separator: "/"))") }
        }
        if let e = s["enum"]?.array, !e.contains(v) { problems.append("\(path): not one of the allowed values") }
        if let c = s["const"], c != v { problems.append("\(path): must be \(c)") }
        if let x = v.number {
            if let lo = s["minimum"]?.number, x < lo { problems.append("\(path): below \(lo)") }
            if let hi = s["maximum"]?.number, x > hi { problems.append("\(path): above \(hi)") }
        }
        if let str = v.string {
            if let lo = s["minLength"]?.number, Double(str.count) < lo { problems.append("\(path): too short") }
            if let hi = s["maxLength"]?.number, Double(str.count) > hi { problems.append("\(path): too long") }
            if let p = s["pattern"]?.string, str.range(of: p, options: .regularExpression) == nil { problems.append("\(path): does not match \(p)") }
        }
        if let o = v.object {
            let props = s["properties"]?.object ?? [:]
            for r in s["required"]?.array?.compactMap(\.string) ?? [] where o[r] == nil { problems.append("\(path): needs \(r)") }
            if let hi = s["maxProperties"]?.number, Double(o.count) > hi { problems.append("\(path): more than \(hi) properties") }
            for (k, x) in o {
                if let ps = props[k] { problems += check(x, ps, path + "." + k) } else if let ap = s["additionalProperties"] {
                    if ap == .bool(false) { problems.append("\(path): unknown key \(k)") } else { problems += check(x, ap, path + "." + k) }
                }
            }
        }
        if let a = v.array {
            if let lo = s["minItems"]?.number, Double(a.count) < lo { problems.append("\(path): fewer than \(lo) items") }
            if let hi = s["maxItems"]?.number, Double(a.count) > hi { problems.append("\(path): more than \(hi) items") }
            if let items = s["items"] { for (i, x) in a.enumerated() { problems += check(x, items, "\(path)[\(i)]") } }
        }
        if let one = s["oneOf"]?.array {
            let passing = one.filter { check(v, $0, path).isEmpty }.count
            if passing != 1 { problems.append("\(path): matches \(passing) of the oneOf alternatives, not exactly one") }
        }
        return problems
    }

    func matches(_ v: JSONValue, _ type: String) -> Bool {
        switch (type, v) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): true
        case ("integer", .number(let x)): x == x.rounded()
        default: false
        }
    }
}

@Suite("Config schema")
struct ConfigSchemaTests {
    static let config = EndToEndTests.repository.appendingPathComponent("config")

    static func load(_ name: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: config.appendingPathComponent(name)))
    }

    @Test func shippedConfigsValidateAgainstTheSchema() throws {
        let schema = try Self.load("linkage-settings.schema.json")
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.config.path).filter { $0.hasSuffix(".json") && !$0.contains("schema") }
        #expect(!names.isEmpty)
        for name in names {
            let problems = SchemaChecker(root: schema).check(try Self.load(name), schema)
            #expect(problems.isEmpty, "\(name): \(problems)")
        }
        for example in (try? FileManager.default.contentsOfDirectory(atPath: EndToEndTests.repository.appendingPathComponent("docs/examples").path)) ?? [] where example.hasSuffix(".json") {
            let v = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: EndToEndTests.repository.appendingPathComponent("docs/examples/" + example)))
            #expect(SchemaChecker(root: schema).check(v, schema).isEmpty, "docs/examples/\(example)")
        }
    }

    @Test func theSchemaRejectsMisspeltKeysAndOutOfRangeNumbers() throws {
        let schema = try Self.load("linkage-settings.schema.json")
        for bad in [#"{"setings": {}}"#, #"{"settings": {"match_treshold": 0.9}}"#, #"{"settings": {"em_max_pairs": -1}}"#,
                    #"{"settings": {"comparisons": [{"column": "x", "levels": [{"type": "soundex"}]}]}}"#] {
            let v = try JSONDecoder().decode(JSONValue.self, from: Data(bad.utf8))
            #expect(!SchemaChecker(root: schema).check(v, schema).isEmpty, "\(bad)")
        }
    }

    /// The shipped UK config is written only in declarative levels, and they are the UK preset's levels.
    @Test func theShippedUKConfigIsThePresetWrittenOut() throws {
        let v = try Self.load("linkage-synthetic-city.json")
        let json = try #require(v.object?["settings"])
        #expect(json.object?["comparisons"]?.array?.allSatisfy { $0.object?["levels"] != nil && $0.object?["template"] == nil } == true)
        let (s, problems) = LinkageSettings.parse(json)
        #expect(problems.isEmpty, "\(problems)")
        let shipped = try #require(s)
        let preset = LinkageSettings()
        #expect(shipped.comparisons.map(\.levels) == preset.comparisons.map(\.levels))
        #expect(shipped.comparisons.map(\.relatedColumns) == preset.comparisons.map(\.relatedColumns))
        #expect(shipped.blockingRules == preset.blockingRules && shipped.trainingRules == preset.trainingRules)
        #expect(shipped.clusterGuards == preset.clusterGuards)
    }
}
