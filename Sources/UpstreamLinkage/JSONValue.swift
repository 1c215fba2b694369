/// A JSON document as a value, so settings can be checked key by key (every problem gathered) before any is used.
public enum JSONValue: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d):
            if d == d.rounded(), abs(d) < 9.0e15 { try c.encode(Int64(d)) } else { try c.encode(d) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var number: Double? { if case .number(let d) = self { d } else { nil } }
    public var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// The JSON type's name, for messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}

/// Gathers the problems of a settings document, each with where it is ("settings.comparisons[2].levels[1]").
struct ProblemLog {
    var problems: [String] = []
    mutating func add(_ path: String, _ message: String) { problems.append("\(path): \(message)") }

    /// Reports keys of `object` not in `known`, suggesting the closest known key.
    mutating func unknownKeys(_ object: [String: JSONValue], known: [String], at path: String) {
        for k in object.keys.sorted() where !known.contains(k) {
            let best = known.min { Comparators.damerauLevenshtein(k, $0) < Comparators.damerauLevenshtein(k, $1) }
            if let best, Comparators.damerauLevenshtein(k, best) <= max(2, k.count / 3) {
                add(path, "unknown key '\(k)' (did you mean '\(best)'?)")
            } else {
                add(path, "unknown key '\(k)' (known keys: \(known.sorted().joined(separator: ", ")))")
            }
        }
    }

    mutating func int(_ o: [String: JSONValue], _ key: String, at path: String, range: ClosedRange<Int>, default d: Int) -> Int {
        guard let v = o[key] else { return d }
        guard let x = v.number, x.isFinite, x == x.rounded() else { add(path + "." + key, "must be a whole number, not \(v.typeName)"); return d }
        guard x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            add(path + "." + key, "\(Self.show(x)) is out of range \(range.lowerBound)…\(range.upperBound)"); return d
        }
        return Int(x)
    }

    mutating func double(_ o: [String: JSONValue], _ key: String, at path: String, range: ClosedRange<Double>, default d: Double) -> Double {
        guard let v = o[key] else { return d }
        guard let x = v.number, x.isFinite else { add(path + "." + key, "must be a finite number, not \(v.typeName)"); return d }
        guard range.contains(x) else { add(path + "." + key, "\(Self.show(x)) is out of range \(Self.show(range.lowerBound))…\(Self.show(range.upperBound))"); return d }
        return x
    }

    mutating func string(_ o: [String: JSONValue], _ key: String, at path: String) -> String? {
        guard let v = o[key] else { return nil }
        guard let s = v.string else { add(path + "." + key, "must be a string, not \(v.typeName)"); return nil }
        return s
    }

    mutating func bool(_ o: [String: JSONValue], _ key: String, at path: String, default d: Bool) -> Bool {
        guard let v = o[key] else { return d }
        guard let b = v.bool else { add(path + "." + key, "must be true or false, not \(v.typeName)"); return d }
        return b
    }

    static func show(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x) }
}
