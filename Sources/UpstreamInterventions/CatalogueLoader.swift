import Foundation
import Yams

/// Reads and validates the catalogue YAML (`catalogue/interventions.yaml`; its keys are documented in
/// docs/interventions.md). Every problem is gathered, each naming the entry and the key, before one error is thrown.
public enum CatalogueLoader {
    /// Parses and validates a catalogue.
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - knownFeatures: the risk features a need rule may name (`nil` to skip that check).
    ///   - file: reads a file the catalogue names (`deflator.file`), by its path relative to the catalogue's folder;
    ///     `nil` when the catalogue was not read from a folder (a catalogue naming a file is then refused).
    /// - Returns: the catalogue. With `price_year: latest` its price year is the latest calendar year of the deflator.
    /// - Throws: `InterventionsError.catalogue`, listing every problem found, one a line.
    public static func load(yaml: String, knownFeatures: Set<String>? = nil, file: ((String) throws -> String)? = nil) throws -> Catalogue {
        let root: Any?
        do { root = try Yams.load(yaml: yaml) } catch {
            throw InterventionsError.catalogue("catalogue", "is not valid YAML (\(error)): fix the syntax at the line shown")
        }
        guard let top = root as? [String: Any] else {
            throw InterventionsError.catalogue("catalogue", "must be a mapping with keys price_year, harm, deflator, programmes")
        }
        let p = Problems()
        let r = Reader(dict: top, at: "catalogue", problems: p)
        let statedPriceYear = r.string("price_year") ?? "?"
        let discount = r.double("discount_rate", in: 0...0.2) ?? 0.035
        let discountSource = r.string("discount_rate_source") ?? ""
        let horizon = r.double("horizon_years", in: 0.25...20) ?? 2
        let harm = r.map("harm").map { readHarm($0) }
        let deflator = r.map("deflator").map { d in
            var index: [String: Double] = [:]
            if let name = d.optionalString("file") {
                if let file {
                    do {
                        index = Deflator.index(calendarYears: try Deflator.calendarYears(csv: try file(name), name: name))
                    } catch let e as InterventionsError {
                        p.add(d.location("file"), e.description)
                    } catch {
                        p.add(d.location("file"), "\(name) cannot be read (\(error)): put it beside the catalogue or fix the name")
                    }
                } else {
                    p.add(d.location("file"), "names \(name), but this catalogue was not read from a folder: load it from its file")
                }
            }
            if let m = d.optionalMap("index") {
                for (k, _) in m.dict { if let v = m.double(k, in: 0.0001...1_000_000) { index[k] = v } }
            }
            return Deflator(series: d.string("series") ?? "", source: d.string("source") ?? "", index: index, note: d.optionalString("note") ?? "")
        }
        var priceYear = statedPriceYear
        if priceYear == "latest", let deflator {
            if let latest = deflator.latestYear { priceYear = latest } else {
                p.add("catalogue key price_year", "is latest, but the deflator's index has no calendar year: add deflator.file or name a price year")
            }
        }
        var programmes: [Programme] = []
        var ids: Set<String> = []
        for (i, entry) in r.list("programmes").enumerated() {
            guard let m = entry as? [String: Any] else { p.add("catalogue programmes[\(i)]", "must be a mapping"); continue }
            let id = (m["id"] as? String) ?? "programmes[\(i)]"
            let e = Reader(dict: m, at: "catalogue entry '\(id)'", problems: p)
            if !ids.insert(id).inserted { p.add("catalogue entry '\(id)'", "the id is used twice: give each programme its own id") }
            if let prog = readProgramme(e, id: id, knownFeatures: knownFeatures) { programmes.append(prog) }
        }
        if programmes.isEmpty && p.items.isEmpty { p.add("catalogue", "has no programmes") }
        if let deflator, let harm {
            do { _ = try deflator.factor(from: harm.unitCostPriceYear, to: priceYear) } catch let e as InterventionsError {
                p.add("catalogue key price_year", "is \(priceYear) but " + e.message)
            } catch {}
        }
        if !p.items.isEmpty {
            throw InterventionsError.catalogue("catalogue", "\(p.items.count) problem\(p.items.count == 1 ? "" : "s"):\n" + p.items.joined(separator: "\n"))
        }
        return Catalogue(priceYear: priceYear, discountRate: discount, discountRateSource: discountSource, horizonYears: horizon,
                         harm: harm!, deflator: deflator!, programmes: programmes)
    }

    static func readHarm(_ h: Reader) -> HarmModel {
        var offences: [OffenceHarm] = []
        for (i, o) in h.list("offences").enumerated() {
            guard let m = o as? [String: Any] else { h.problems.add(h.location("offences[\(i)]"), "must be a mapping"); continue }
            let name = (m["name"] as? String) ?? "offences[\(i)]"
            let e = Reader(dict: m, at: "catalogue harm offence '\(name)'", problems: h.problems)
            offences.append(OffenceHarm(
                name: name, codes: e.strings("codes"), weight: e.double("weight", in: 0...1e12) ?? 0,
                unitCost: e.money("unit_cost") ?? .zero, unitCostNote: e.optionalString("unit_cost_note") ?? "",
                cchiDays: e.double("cchi_days", in: 0...1e6) ?? 0))
        }
        if offences.isEmpty { h.problems.add(h.location("offences"), "lists no offences: the plan cannot value harm") }
        return HarmModel(
            outcome: h.string("outcome") ?? "", unitCostPriceYear: h.string("unit_cost_price_year") ?? "?", offences: offences,
            unitCostSource: h.string("unit_cost_source") ?? "", weightSource: h.string("weight_source") ?? "",
            cchiSource: h.string("cchi_source") ?? "", counted: h.strings("counted"), notCounted: h.strings("not_counted"))
    }

    static func readEffect(_ e: Reader, _ key: String) -> EffectEstimate? {
        guard let m = e.optionalMap(key) else { return nil }
        let point = m.double("point", in: -1...1), low = m.double("low", in: -1...1), high = m.double("high", in: -1...1)
        guard let point, let low, let high else { return nil }
        if !(low <= point && point <= high) {
            e.problems.add(e.location(key), "needs low ≤ point ≤ high (got \(low), \(point), \(high))")
        }
        return EffectEstimate(point: point, low: low, high: high, outcome: m.string("outcome") ?? "",
                              source: m.string("source") ?? "", intervalNote: m.string("interval_note") ?? "")
    }

    static func readProgramme(_ e: Reader, id: String, knownFeatures: Set<String>?) -> Programme? {
        let name = e.string("name") ?? id
        let ages = e.ints("ages")
        if ages.count != 2 || ages[0] > ages[1] || ages[0] < 0 || ages[1] > 25 {
            e.problems.add(e.location("ages"), "must be [youngest, oldest] between 0 and 25")
        }
        var needs: [NeedRule] = []
        for (i, n) in e.list("needs").enumerated() {
            guard let m = n as? [String: Any] else { e.problems.add(e.location("needs[\(i)]"), "must be a mapping with feature, at_least, reason"); continue }
            let r = Reader(dict: m, at: e.entry, prefix: "needs[\(i)].", problems: e.problems)
            let feature = r.string("feature") ?? ""
            if let knownFeatures, !feature.isEmpty, !knownFeatures.contains(feature) {
                e.problems.add(e.location("needs[\(i)].feature"), "'\(feature)' is not a risk feature: see docs/risk-model.md for the names")
            }
            needs.append(NeedRule(feature: feature, atLeast: r.double("at_least", in: -1e9...1e9) ?? 1, reason: r.string("reason") ?? ""))
        }
        if needs.isEmpty { e.problems.add(e.location("needs"), "lists no needs: say which young people the programme is for") }
        let effectMap = e.map("effect")
        let effect = Effect(violence: effectMap.flatMap { readEffect($0, "violence") },
                            offending: effectMap.flatMap { readEffect($0, "offending") })
        var cost: CostRange?
        if let c = e.optionalMap("cost") {
            if let low = c.money("low"), let high = c.money("high") {
                if low > high { e.problems.add(e.location("cost"), "low \(low) is above high \(high)") }
                cost = CostRange(low: low, high: high, sourcePriceYear: c.optionalString("price_year"), source: c.string("source") ?? "")
            }
        }
        let gaps = e.optionalStrings("gaps")
        if gaps.isEmpty {
            if effect.planning == nil { e.problems.add(e.location("effect"), "has no violence or offending estimate: add one, or list the gap under gaps") }
            if cost == nil { e.problems.add(e.location("cost"), "is missing: add cost.low and cost.high, or list the gap under gaps") }
        }
        let places = e.int("places", in: 0...1_000_000) ?? 0
        return Programme(
            id: id, name: name, agency: e.string("agency") ?? "", minimumAge: ages.first ?? 0, maximumAge: ages.last ?? 0,
            needs: needs, effect: effect, cost: cost, places: places, placesNote: e.optionalString("places_note") ?? "",
            durationWeeks: e.optionalInt("duration_weeks"), evidence: e.optionalString("evidence") ?? "", gaps: gaps)
    }
}

/// Problems found while reading, shared by every reader of one file.
final class Problems {
    var items: [String] = []
    func add(_ location: String, _ message: String) { items.append(location + ": " + message) }
}

/// Typed access to one YAML mapping that records a problem (entry and key) for each missing or wrong value.
struct Reader {
    let dict: [String: Any]
    /// "catalogue entry 'mentoring'".
    let entry: String
    /// The keys above this mapping, with a trailing dot ("effect.").
    var prefix: String = ""
    let problems: Problems

    init(dict: [String: Any], at entry: String, prefix: String = "", problems: Problems) {
        self.dict = dict; self.entry = entry; self.prefix = prefix; self.problems = problems
    }

    /// "catalogue entry 'mentoring' key effect.violence".
    func location(_ key: String) -> String { entry + " key " + prefix + key }
    private func missing(_ key: String, _ what: String) { problems.add(location(key), "is missing: \(what)") }
    private func wrong(_ key: String, _ what: String) { problems.add(location(key), what) }

    func string(_ key: String) -> String? {
        guard let v = dict[key], !(v is NSNull) else { missing(key, "add a text value"); return nil }
        if let s = v as? String { return s }
        return String(describing: v)
    }
    func optionalString(_ key: String) -> String? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        return v as? String ?? String(describing: v)
    }
    func number(_ v: Any) -> Double? {
        if let i = v as? Int { return Double(i) }
        if let d = v as? Double { return d }
        if let s = v as? String { return Double(s) }
        return nil
    }
    func double(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let v = dict[key] else { missing(key, "add a number"); return nil }
        guard let d = number(v) else { wrong(key, "must be a number"); return nil }
        guard range.contains(d) else { wrong(key, "is \(d), outside \(range.lowerBound)…\(range.upperBound)"); return nil }
        return d
    }
    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let v = dict[key] else { missing(key, "add a whole number"); return nil }
        guard let i = v as? Int else { wrong(key, "must be a whole number"); return nil }
        guard range.contains(i) else { wrong(key, "is \(i), outside \(range.lowerBound)…\(range.upperBound)"); return nil }
        return i
    }
    func optionalInt(_ key: String) -> Int? {
        guard let v = dict[key] else { return nil }
        guard let i = v as? Int else { wrong(key, "must be a whole number (or left out)"); return nil }
        return i
    }
    func money(_ key: String) -> Money? {
        guard let v = dict[key] else { missing(key, "add an amount in pounds"); return nil }
        guard let d = number(v), d >= 0 else { wrong(key, "must be an amount in pounds, 0 or more"); return nil }
        return Money(pounds: d)
    }
    func map(_ key: String) -> Reader? {
        guard let v = dict[key] else { missing(key, "add a mapping"); return nil }
        guard let m = v as? [String: Any] else { wrong(key, "must be a mapping"); return nil }
        return Reader(dict: m, at: entry, prefix: prefix + key + ".", problems: problems)
    }
    func optionalMap(_ key: String) -> Reader? {
        guard let v = dict[key] else { return nil }
        guard let m = v as? [String: Any] else { wrong(key, "must be a mapping"); return nil }
        return Reader(dict: m, at: entry, prefix: prefix + key + ".", problems: problems)
    }
    func list(_ key: String) -> [Any] {
        guard let v = dict[key] else { missing(key, "add a list"); return [] }
        guard let l = v as? [Any] else { wrong(key, "must be a list"); return [] }
        return l
    }
    func strings(_ key: String) -> [String] { list(key).map { $0 as? String ?? String(describing: $0) } }
    func optionalStrings(_ key: String) -> [String] {
        guard let v = dict[key] else { return [] }
        guard let l = v as? [Any] else { wrong(key, "must be a list"); return [] }
        return l.map { $0 as? String ?? String(describing: $0) }
    }
    func ints(_ key: String) -> [Int] {
        let l = list(key)
        let out = l.compactMap { $0 as? Int }
        if out.count != l.count { wrong(key, "must be whole numbers") }
        return out
    }
}
