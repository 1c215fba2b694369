import Foundation
import Testing
import UpstreamLinkage
import UpstreamModel

/// Issue 12's fuzzing of linkage config loading: the shipped config, mutated at random (a value replaced by an
/// extreme or a wrong type, a key deleted or added, an array element dropped or repeated), is either accepted,
/// and then links a small population without trapping, or refused with one or more problems that each name
/// their place in the document. It never traps and never accepts settings with problems.
///
/// Seeded, so a failure reproduces; `UPSTREAM_FUZZ_COUNT` raises the number of mutated documents
/// (Benchmarks/fuzz.sh keeps it going for the long run).
@Suite("Linkage config fuzzing")
struct ConfigFuzzTests {
    static let shipped: JSONValue = {
        let url = EndToEndTests.repository.appendingPathComponent("config/linkage-synthetic-city.json")
        let data = (try? Data(contentsOf: url)) ?? Data("{}".utf8)
        return (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .object([:])
    }()

    static var settingsDocument: JSONValue { shipped.object?["settings"] ?? .object([:]) }

    /// Values that break assumptions: extremes, wrong types, empties, long strings.
    static let oddValues: [JSONValue] = [
        .number(0), .number(-1), .number(1), .number(0.5), .number(1e308), .number(-1e308), .number(2_147_483_648),
        .number(9.2e18), .number(1e-300), .string(""), .string("x"), .string(String(repeating: "é", count: 5_000)),
        .string("exact"), .string("forename"), .string("l(forename, 0, 99)"), .bool(true), .null, .array([]), .object([:]),
        .array([.number(1), .number(0)]), .object(["type": .string("exact"), "label": .string("")]),
    ]

    /// Every path to a value in the document (object keys and array indices).
    static func paths(_ v: JSONValue, _ prefix: [PathStep] = []) -> [[PathStep]] {
        var out = [prefix]
        if let o = v.object { for (k, c) in o { out += paths(c, prefix + [.key(k)]) } }
        if let a = v.array { for (i, c) in a.enumerated() { out += paths(c, prefix + [.index(i)]) } }
        return out
    }

    enum PathStep: Hashable { case key(String), index(Int) }

    /// Applies `change` to the value at `path`; returns nil from `change` to delete it.
    static func edit(_ v: JSONValue, at path: ArraySlice<PathStep>, _ change: (JSONValue) -> JSONValue?) -> JSONValue? {
        guard let step = path.first else { return change(v) }
        switch (step, v) {
        case (.key(let k), .object(var o)):
            guard let child = o[k] else { return v }
            o[k] = edit(child, at: path.dropFirst(), change)
            return .object(o)
        case (.index(let i), .array(var a)):
            guard a.indices.contains(i) else { return v }
            if let new = edit(a[i], at: path.dropFirst(), change) { a[i] = new } else { a.remove(at: i) }
            return .array(a)
        default:
            return v
        }
    }

    static func mutate(_ doc: JSONValue, rng: inout SplitMix64, times: Int) -> JSONValue {
        var d = doc
        for _ in 0..<times {
            let all = paths(d).filter { !$0.isEmpty }
            guard !all.isEmpty else { break }
            let path = all[rng.below(all.count)]
            let kind = rng.below(5)
            d = edit(d, at: path[...]) { old in
                switch kind {
                case 0: return oddValues[rng.below(oddValues.count)]
                case 1: return nil
                case 2:
                    if var o = old.object { o["unexpected_\(rng.below(3))"] = oddValues[rng.below(oddValues.count)]; return .object(o) }
                    return oddValues[rng.below(oddValues.count)]
                case 3:
                    if let a = old.array, let first = a.first { return .array(a + [first]) }
                    return old
                default:
                    if let n = old.number { return .number([-n, n * 1000, n + 1, n - 1, n / 1000][rng.below(5)]) }
                    if let s = old.string { return .string(s.uppercased() + (rng.below(2) == 0 ? "" : " ")) }
                    return old
                }
            } ?? d
        }
        return d
    }

    @Test func aMutatedConfigIsAcceptedAndLinksOrIsRefusedWithPlacedProblemsNeverATrap() throws {
        try #require(Self.settingsDocument.object?.isEmpty == false, "config/linkage-synthetic-city.json must load")
        let count = ProcessInfo.processInfo.environment["UPSTREAM_FUZZ_COUNT"].flatMap(Int.init) ?? 400
        let population = People.population(people: 12, seed: 3).inputs
        var rng = SplitMix64(seed: 20_261_130)
        var accepted = 0, refused = 0
        for round in 0..<count {
            let doc = Self.mutate(Self.settingsDocument, rng: &rng, times: 1 + rng.below(3))
            let (settings, problems) = LinkageSettings.parse(doc)
            if problems.isEmpty, var settings {
                accepted += 1
                // Keep the run small whatever the mutation asked for (the limits are tested in LimitsTests).
                settings.uSamplePairs = min(settings.uSamplePairs, 2_000)
                settings.emMaxPairs = min(settings.emMaxPairs, 2_000)
                let result = Linker(settings: settings).link(population)
                #expect(result.personIDs.count == population.count, "round \(round): every record gets a person")
            } else {
                refused += 1
                #expect(!problems.isEmpty, "round \(round): refused settings say why")
                for p in problems { #expect(p.hasPrefix("settings"), "round \(round): a problem names its place: \(p)") }
            }
        }
        // The mutations reach both outcomes, or the test would be measuring nothing.
        #expect(accepted > 0)
        #expect(refused > 0)
        print("fuzz linkage config: \(count) documents, \(accepted) accepted and linked, \(refused) refused")
    }
}
