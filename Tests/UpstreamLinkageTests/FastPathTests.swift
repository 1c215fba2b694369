import Testing
@testable import UpstreamLinkage
import UpstreamModel

/// The fast paths (issue 13's speed work) give exactly what the general code gives.
@Suite("Linkage fast paths")
struct FastPathTests {
    /// Random strings over a small alphabet, so near misses (one edit, one swap) are common.
    static func strings(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        var out: [[UInt8]] = []
        for _ in 0..<count {
            var s = (0..<(rng.below(6))).map { _ in UInt8(65 + rng.below(3)) }
            out.append(s)
            // Its neighbours: one substitution, one deletion, one insertion, one adjacent swap.
            if !s.isEmpty {
                var t = s; t[rng.below(t.count)] = UInt8(65 + rng.below(3)); out.append(t)
                var u = s; u.remove(at: rng.below(u.count)); out.append(u)
                if s.count > 1 { let i = rng.below(s.count - 1); s.swapAt(i, i + 1); out.append(s) }
            }
            var v = out.last!; v.insert(UInt8(65 + rng.below(3)), at: rng.below(v.count + 1)); out.append(v)
        }
        return out
    }

    @Test("within one edit agrees with Levenshtein and Damerau-Levenshtein distances on every pair")
    func withinOneEditMatchesTheDistances() {
        let s = Self.strings(60, seed: 7)
        var ones = 0
        for a in s {
            for b in s {
                let lev = Comparators.levenshtein(a, b) <= 1, dam = Comparators.damerauLevenshtein(a, b) <= 1
                #expect(Comparators.withinOneEdit(a, b, transpose: false) == lev, "\(a) \(b)")
                #expect(Comparators.withinOneEdit(a, b, transpose: true) == dam, "\(a) \(b)")
                if dam && !lev { ones += 1 }
            }
        }
        #expect(ones > 0, "the sample holds adjacent swaps")
        // Hand-worked cases.
        #expect(Comparators.withinOneEdit(Array("ABCD".utf8), Array("ABDC".utf8), transpose: true))
        #expect(!Comparators.withinOneEdit(Array("ABCD".utf8), Array("ABDC".utf8), transpose: false))
        #expect(Comparators.withinOneEdit(Array("KITTEN".utf8), Array("KITEN".utf8), transpose: false))
        #expect(!Comparators.withinOneEdit(Array("KITTEN".utf8), Array("SITTING".utf8), transpose: true))
        #expect(!Comparators.withinOneEdit(Array("ABCD".utf8), Array("BADC".utf8), transpose: true))  // two swaps
    }

    /// Every comparison of the Splink-benchmark config and of the UK preset, on every pair of a noisy population:
    /// the fast level equals the general level.
    @Test("fast comparison levels equal the general test tree on every pair")
    func fastLevelsEqualGeneralLevels() throws {
        let bench = try Declared.settings(#"""
        {"columns": {"town": "text", "addr": "text", "nid": {"type": "identifier", "check": "none"}},
         "comparisons": [
           {"name": "first_name", "column": "forename", "levels": [{"type": "exact", "tf": true}, {"type": "jaro_winkler", "threshold": 0.92}, {"type": "jaro_winkler", "threshold": 0.8}]},
           {"name": "dob", "column": "dob", "levels": ["exact", {"type": "damerau_levenshtein", "max": 1}, {"type": "days_within", "days": 31}, {"type": "years_within", "years": 1}, {"type": "years_within", "years": 10}]},
           {"name": "postcode", "column": "postcode", "levels": ["exact", "postcode_sector", "postcode_district", "postcode_area"]},
           {"name": "town", "column": "town", "levels": [{"type": "exact", "tf": true}]},
           {"name": "address", "column": "addr", "levels": [{"type": "jaro_winkler", "threshold": 0.9}, {"type": "jaro", "threshold": 0.7}]},
           {"name": "nid", "column": "nid", "levels": ["exact", {"type": "levenshtein", "max": 1}, {"type": "levenshtein", "max": 2}]}],
         "blocking_rules": ["dob"], "training_rules": ["dob"], "cluster_guards": []}
        """#)
        var (inputs, _) = People.population(people: 60, seed: 3)
        var rng = SplitMix64(seed: 11)
        let towns = ["LEEDS", "YORK", "HULL"], streets = ["HIGH STREET", "HIGH ST", "ACACIA AVENUE", "MILL LANE"]
        for i in inputs.indices {
            inputs[i].fields = ["town": towns[rng.below(3)], "addr": "\(1 + rng.below(20)) \(streets[rng.below(4)])", "nid": "12345\(rng.below(30))"]
        }
        for s in [bench, LinkageSettings()] {
            let data = PreparedData(inputs, settings: s)
            let c = Comparer(data: data, comparisons: s.comparisons)
            var fast = 0
            for i in s.comparisons.indices where c.isFastComparison(i) { fast += 1 }
            #expect(fast > 0)
            var levels = Set<Int>()
            for i in s.comparisons.indices {
                for a in 0..<data.nodeCount {
                    for b in 0..<data.nodeCount {
                        let l = c.level(i, a, b)
                        #expect(l == c.generalLevel(i, a, b), "comparison \(s.comparisons[i].name), nodes \(a) \(b)")
                        levels.insert(l)
                    }
                }
            }
            #expect(levels.count >= 4, "the population reaches several levels")
        }
    }

    /// The UK preset's name and address comparisons (initials, swapped names, nicknames, middle names, shared
    /// tokens, token weights, house number and street) and a declared config's prefix, substring, `all` and list
    /// tests, on every pair of a population built to reach them: the flat form gives the general tree's level, and
    /// only Jaccard, list intersection and `one_of` (and a level holding one) leave a comparison on the general tree.
    @Test("every flat test gives the general test tree's level on every pair")
    func everyFlatTestEqualsTheGeneralTree() throws {
        let declared = try Declared.settings(#"""
        {"columns": {"nid": {"type": "identifier", "check": "none"}, "tags": "list"},
         "comparisons": [
           {"name": "nid", "column": "nid", "levels": ["exact", {"type": "prefix", "length": 3}, {"type": "substring", "start": 2, "length": 2}]},
           {"name": "names", "column": "forename", "levels": [{"type": "all", "levels": [{"type": "initial"}, {"type": "phonetic"}]}, {"type": "any", "levels": [{"type": "nickname"}, {"type": "jaro", "threshold": 0.8}]}]},
           {"name": "tags", "column": "tags", "levels": [{"type": "shared_token"}]},
           {"name": "tags_jaccard", "column": "tags", "levels": [{"type": "jaccard", "threshold": 0.5}]},
           {"name": "tags_mixed", "column": "tags", "levels": [{"type": "any", "levels": [{"type": "exact"}, {"type": "list_intersect", "min": 2}]}]}],
         "blocking_rules": ["nid"], "training_rules": ["nid"], "cluster_guards": []}
        """#)
        var rng = SplitMix64(seed: 29)
        let fores = ["WILLIAM", "BILL", "WILL", "W", "J", "JAMES", "JIM", "SMITH", "ANNE", "ANNA", "MARY-ANNE", "ROBERT", "BOB", "ROB"]
        let surs = ["SMITH", "SMYTH", "JONES", "SMITH-JONES", "WILLIAM", "JAMES", "S", "KHAN", "KAHN", "ROBERTS"]
        let streets = ["HIGH STREET", "HIGH ST", "ACACIA AVENUE", "MILL LANE", "QUEENSBURY ROAD"]
        let towns = ["LEEDS", "YORK"]
        var inputs: [LinkInput] = []
        for i in 0..<70 {
            var input = People.input("s\(i % 3)", "\(i)", rng.below(12) == 0 ? nil : fores[rng.below(fores.count)], surs[rng.below(surs.count)],
                                     CivilDate(dayNumber: Int32(10_000 + rng.below(4))), postcode: "LS\(1 + rng.below(2)) \(rng.below(3))AB")
            input.middleNames = rng.below(2) == 0 ? fores[rng.below(fores.count)] : nil
            input.address = rng.below(8) == 0 ? nil : "\(1 + rng.below(4)), \(streets[rng.below(streets.count)]), \(towns[rng.below(2)])"
            let yy = 10 + rng.below(2), serial = 12_345 + 100_000 * rng.below(3)   // two years, three serials: exact and year-only levels
            input.pncID = rng.below(3) == 0 ? nil : "\(yy)/\(serial)\(Array("ABCDEFGHJKLMNPQRTUVWXYZ")[(yy * 10_000_000 + serial) % 23])"
            input.fields = ["nid": "AB\(rng.below(3))\(rng.below(3))X", "tags": ["RED BLUE", "BLUE", "GREEN RED", "RED BLUE GREEN"][rng.below(4)]]
            inputs.append(input)
        }
        let uk = LinkageSettings()
        for s in [uk, declared] {
            let data = PreparedData(inputs, settings: s)
            let c = Comparer(data: data, comparisons: s.comparisons)
            for i in s.comparisons.indices {
                let name = s.comparisons[i].name
                #expect(c.isFastComparison(i) == !["tags_jaccard", "tags_mixed"].contains(name), "comparison \(name)")
                var levels = Set<Int>()
                for a in 0..<data.nodeCount {
                    for b in 0..<data.nodeCount {
                        let l = c.level(i, a, b)
                        #expect(l == c.generalLevel(i, a, b), "comparison \(name), nodes \(a) \(b)")
                        levels.insert(l)
                    }
                }
                if !["sex", "nhs", "upn", "local_id"].contains(name) {   // columns the population leaves empty
                    #expect(levels.count >= 2, "comparison \(name) reaches more than one level")
                }
            }
            if s.comparisons.count == uk.comparisons.count {
                for name in ["forename", "surname", "address"] {
                    let i = try #require(s.comparisons.firstIndex { $0.name == name })
                    var levels = Set<Int>()
                    for a in 0..<data.nodeCount { for b in 0..<data.nodeCount { levels.insert(c.level(i, a, b)) } }
                    #expect(levels.count >= 5, "the population reaches most of \(name)'s levels: \(levels.sorted())")
                }
            }
        }
    }

    /// The batch path (``Comparer/gammas(_:_:active:into:)`` over ``Blocking/forEachPairBatch(onlyNew:parallel:warm:make:_:)``)
    /// gives every candidate pair, in the same order, with the vector the pair-by-pair path gives, with every
    /// comparison and with an EM session's active ones only.
    @Test("batched comparison vectors equal pair-by-pair vectors, pairs in the same order")
    func batchedVectorsEqualPairByPair() throws {
        var (inputs, _) = People.population(people: 400, seed: 5)
        var rng = SplitMix64(seed: 17)
        let streets = ["HIGH STREET", "HIGH ST", "ACACIA AVENUE", "MILL LANE"]
        for i in inputs.indices {
            if rng.below(4) == 0 { inputs[i].surname = nil }
            inputs[i].fields = ["addr": "\(1 + rng.below(20)) \(streets[rng.below(4)])"]
        }
        // The benchmark's shapes: exact then Jaro-Winkler levels, Jaro-Winkler levels only (the specialised loop).
        let declared = try Declared.settings(#"""
        {"columns": {"addr": "text"},
         "comparisons": [
           {"name": "first_name", "column": "forename", "levels": [{"type": "exact", "tf": true}, {"type": "jaro_winkler", "threshold": 0.92}, {"type": "jaro_winkler", "threshold": 0.8}]},
           {"name": "surname", "column": "surname", "levels": [{"type": "exact"}, {"type": "jaro_winkler", "threshold": 0.88}]},
           {"name": "address", "column": "addr", "levels": [{"type": "jaro_winkler", "threshold": 0.9}, {"type": "jaro_winkler", "threshold": 0.7}]},
           {"name": "dob", "column": "dob", "levels": ["exact", {"type": "damerau_levenshtein", "max": 1}, {"type": "years_within", "years": 1}]}],
         "blocking_rules": ["dob", "surname", "initial(forename)"], "training_rules": ["dob"], "cluster_guards": []}
        """#)
        for s in [LinkageSettings(), declared] {
        let data = PreparedData(inputs, settings: s)
        let blocking = Blocking(data: data, rules: s.blockingRules, maxBlockSize: s.maxBlockSize, parallel: .serial)
        let c = Comparer(data: data, comparisons: s.comparisons)
        let one = blocking.forEachPairInPieces(parallel: .serial, make: { _ in [(Int, Int)]() }) { acc, a, b in acc.append((a, b)) }.flatMap { $0 }
        #expect(one.count > Blocking.pairBatch, "more pairs than one batch")
        let active = s.comparisons.indices.map { $0 % 3 != 0 }
        let batched = blocking.forEachPairBatch(parallel: .serial, make: { _ in [(Int, Int, UInt64, UInt64)]() }) { acc, x, y in
            var all = [UInt64](repeating: 0, count: x.count), some = all
            all.withUnsafeMutableBufferPointer { c.gammas(x, y, into: $0) }
            some.withUnsafeMutableBufferPointer { c.gammas(x, y, active: active, into: $0) }
            for k in x.indices { acc.append((Int(x[k]), Int(y[k]), all[k], some[k])) }
        }.flatMap { $0 }
        #expect(batched.count == one.count)
        var levels = Set<UInt64>()
        for (k, p) in zip(one, batched).enumerated() {
            #expect(p.0.0 == p.1.0 && p.0.1 == p.1.1, "pair \(k) in the same place")
            #expect(p.1.2 == c.gamma(p.0.0, p.0.1).bits, "pair \(k): every comparison")
            #expect(p.1.3 == c.gamma(p.0.0, p.0.1, active: active).bits, "pair \(k): active comparisons")
            levels.insert(p.1.2)
        }
        #expect(levels.count > 20, "the pairs reach many vectors")
        }
    }

    /// A pair's weight reads each term-frequency adjustment from a table made once; it equals the formula worked
    /// pair by pair: the prior, each comparison's level weight, then log2(u / the value's share), clamped to the
    /// settings' range, for each adjusted level the pair is at, in that order.
    @Test("term-frequency adjustments from their tables equal the formula on every candidate pair")
    func termFrequencyTablesEqualTheFormula() throws {
        let (inputs, _) = People.population(people: 400, seed: 13)
        let s = try Declared.settings(#"""
        {"comparisons": [
           {"name": "first_name", "column": "forename", "levels": [{"type": "exact", "tf": true}, {"type": "jaro_winkler", "threshold": 0.9}]},
           {"name": "surname", "column": "surname", "levels": [{"type": "exact", "tf": true}, {"type": "jaro_winkler", "threshold": 0.9}]},
           {"name": "dob", "column": "dob", "levels": ["exact", {"type": "years_within", "years": 1}]}],
         "blocking_rules": ["dob", "surname"], "training_rules": ["dob"], "cluster_guards": []}
        """#)
        let run = Linker(settings: s).link(inputs)
        let data = run.data, model = run.model
        let prediction = Prediction(model: model, data: data)
        let blocking = Blocking(data: data, rules: s.blockingRules, maxBlockSize: s.maxBlockSize)
        let c = CandidatePairs.generate(data: data, blocking: blocking, comparisons: s.comparisons)
        // Each adjusted column's value shares, counted here.
        func shares(_ column: String) throws -> [Int32: Double] {
            let values = try #require(data.column(column)).value.filter { $0 >= 0 }
            var n: [Int32: Double] = [:]
            for v in values { n[v, default: 0] += 1 }
            return n.mapValues { $0 / Double(values.count) }
        }
        let share = [try shares("forename"), try shares("surname")]
        let columns = [try #require(data.column("forename")), try #require(data.column("surname"))]
        var adjusted = 0
        for k in 0..<c.count {
            let a = Int(c.a[k]), g = Gamma(bits: c.gamma[k])
            var w = model.priorWeight
            for (i, levels) in model.weightTable.enumerated() { w += levels[g.level(i)] }
            for i in 0..<2 where g.level(i) == 1 {
                let v = columns[i].value[a]
                guard v >= 0, let f = share[i][v] else { continue }
                w += min(max(Math.log2(model.comparisons[i].levels[0].u / f), s.tfAdjustmentRange.lowerBound), s.tfAdjustmentRange.upperBound)
                adjusted += 1
            }
            #expect(prediction.weight(a, Int(c.b[k]), gamma: g) == w, "pair \(k)")
        }
        #expect(adjusted > 100, "many pairs at an adjusted level")
    }

    @Test("interning: one id per distinct value, first seen first, through many table resizes")
    func interningGivesOneIdPerValue() throws {
        // 6,000 records: 3,000 distinct surnames, each twice (a resize of the table happens at 2,048, 4,096, … strings).
        // Names hold letters only (digits split a name into tokens): number k written in base 26 with A-Z.
        func name(_ k: Int) -> String {
            var k = k, out = ""
            repeat { out.append(Character(UnicodeScalar(UInt8(65 + k % 26)))); k /= 26 } while k > 0
            return "S" + out + "X"
        }
        let inputs = (0..<6_000).map { i in
            People.input("a", "\(i)", "ANN", name(i % 3_000), CivilDateFixture.date(2000, 1, 1 + i % 28))
        }
        let data = PreparedData(inputs, settings: LinkageSettings())
        let surname = try #require(data.column("surname"))
        var idOf: [String: Int32] = [:]
        for r in 0..<inputs.count {
            let v = surname.value[Int(data.nodeOfRecord[r])]
            #expect(data.text(v) == name(r % 3_000))
            if let seen = idOf[name(r % 3_000)] { #expect(seen == v) } else { idOf[name(r % 3_000)] = v }
        }
        #expect(Set(idOf.values).count == 3_000)
        // First seen, first numbered: the surnames' ids rise with the record that first holds them.
        let ordered = (0..<3_000).map { idOf[name($0)]! }
        #expect(ordered == ordered.sorted())
        // The same text in two spaces (a forename and a town both "ANN") gets two ids.
        var s = LinkageSettings()
        s.columns.append(ColumnSpec("town", .text))
        s.comparisons.append(ComparisonSpec(name: "town", column: "town", levels: [LevelSpec(.exact, label: "exact")]))
        var one = People.input("a", "1", "ANN", "SMITH", nil)
        one.fields["town"] = "ANN"
        let d2 = PreparedData([one], settings: s)
        let f = try #require(d2.column("forename")).value[0], t = try #require(d2.column("town")).value[0]
        #expect(d2.text(f) == "ANN" && d2.text(t) == "ANN" && f != t)
    }

    @Test("ASCII text takes the byte path and gets the same tokens as the character path")
    func asciiStandardisationMatchesTheCharacterPath() {
        // A trailing separator and a character outside ASCII (not foldable) sends the same text down the
        // character path without adding a token.
        let tail = " \u{2603}"
        let samples = ["O'Brien", "  smith-JONES ", "Mary Ann", "de Souza", "Flat 3, 12 Acacia Ave, Springfield", "12A\tHigh St\r\nLeeds",
                       "x`y", "", "--", "Rd. 5", "MR John SMITH"]
        for t in samples {
            #expect(Standardise.nameTokens(t) == Standardise.nameTokens(t + tail), "\(t)")
            #expect(Standardise.textTokens(t) == Standardise.textTokens(t + tail), "\(t)")
            // Whitespace outside ASCII (an em space) is dropped like ASCII blanks.
            #expect(Standardise.code(t) == Standardise.code(t + "\u{2003}"), "\(t)")
            #expect(Standardise.identifier(t, check: .none) == Standardise.identifier(t + "\u{2603}", check: .none), "\(t)")
        }
        #expect(Standardise.nameTokens("O'Brien") == ["OBRIEN"])
        #expect(Standardise.textTokens("12a High-St") == ["12A", "HIGH", "ST"])
        #expect(Standardise.code(" ab 12\t") == "AB12")
        #expect(Standardise.sex(" male ") == "M")
        #expect(Standardise.nhsNumber("943 476 5919") == "9434765919")
        #expect(Standardise.identifier("ab-12/c", check: .none) == "AB12C")
    }

    @Test("A free-text value joined in one pass is its tokens joined by spaces, for any text")
    func textJoinedIsTheTokensJoined() {
        let samples = ["O'Brien", "  smith-JONES ", "Mary Ann", "", "--", "Rd. 5", "12A\tHigh St\r\nLeeds", "x`y", "a", " a ",
                       "Zoë Müller", "São Paulo, Brasil", "caf\u{E9} ’s", "\u{2603} snow", "ĲSSEL-straße 3"]
        for t in samples + Self.addressLines(2_000, seed: 7) + Self.addressLines(500, seed: 8).map({ $0 + " Zoë" }) {
            #expect(Standardise.textJoined(t) == Standardise.textTokens(t).joined(separator: " "), "\(t)")
        }
        #expect(Standardise.textJoined(" 12a,  High-St. ") == "12A HIGH ST")
    }

    /// Random ASCII address lines: letters of both cases, digits, commas, spaces, apostrophes, other punctuation,
    /// CR LF, flat words and abbreviated street words, so every branch of the parser is met.
    static func addressLines(_ count: Int, seed: UInt64) -> [String] {
        let pieces = ["Flat", "flat", "APT", "3", "12a", "7B", "Rd", "st", "High", "Street", "O'Neil", "x`y", ",", ", ", " ",
                      "  ", "\r\n", "\t", "-", ".", "/", "Springfield", "CL.", "unit", "9", "Calle", "Mayor", "3º"]
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            (0..<rng.below(9)).map { _ in pieces[rng.below(pieces.count)] }.joined(separator: rng.below(2) == 0 ? " " : "")
        }.filter { $0.utf8.allSatisfy { $0 < 128 } }
    }

    @Test("an ASCII address is split byte by byte into the parts the Character path gives")
    func asciiAddressPartsEqualTheCharacterPath() {
        let lines = Self.addressLines(4_000, seed: 11)
        #expect(lines.count > 3_000, "most sample lines are ASCII")
        var towns = 0, flats = 0
        for line in lines {
            let parts = Standardise.addressParts(line)
            #expect(Standardise.asciiAddressParts(line) == parts, "\(line.debugDescription)")
            let a = Standardise.address(line)
            #expect(a == Standardise.address(parts: parts))
            if a?.town != nil { towns += 1 }
            if a?.flat != nil { flats += 1 }
        }
        #expect(towns > 100 && flats > 100, "the sample reaches the town and flat rules")
        // Hand-worked: the town is the last part when it holds no number; the normalised form joins flat, number,
        // street and town.
        let a = Standardise.address("Flat 3, 12 Acacia Rd, Springfield")
        #expect(a?.normalised == "FLAT 3 12 ACACIA ROAD SPRINGFIELD")
        #expect(a?.houseNumber == "12" && a?.flat == "3" && a?.street == ["ACACIA", "ROAD"] && a?.town == "SPRINGFIELD")
        #expect(Standardise.address(" , ,") == nil)
    }

    @Test("UPNs and PNC ids read byte by byte as the Character path reads them")
    func asciiIdentifiersEqualTheCharacterPath() {
        for text in ["a123456789012", " A12345678901 2", "A1234567890\r\n12", "\tb801200001001", "02/1234567x", " 2002 / 1234567 X "] {
            let t = String(text.uppercased().filter { !$0.isWhitespace })
            #expect(Standardise.upn(text) == (UniquePupilNumber.isValid(t) ? t : nil))
        }
        // 02/1234567: (2 × 10,000,000 + 1,234,567) mod 23 = 1, so its check letter is B.
        #expect(Standardise.pnc(" 02 / 1234567 b ") == "02/1234567B")
        #expect(Standardise.pnc("\t2002/1234567B\r\n") == "02/1234567B")
        #expect(Standardise.pnc("02/1234567C") == nil)
    }
}
