import Foundation
import PropertyBased
import Testing
import UpstreamLinkage
import UpstreamModel

/// Helpers: settings from JSON text, and the level two records reach.
enum Declared {
    static func json(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    static func settings(_ text: String) throws -> LinkageSettings {
        let (s, problems) = LinkageSettings.parse(try json(text))
        #expect(problems.isEmpty, "\(problems)")
        return try #require(s)
    }

    static func problems(_ text: String) throws -> [String] { LinkageSettings.parse(try json(text)).1 }

    /// Settings comparing column `x` of the given type with the given levels (JSON list).
    static func one(type: String, levels: String) throws -> LinkageSettings {
        try settings(#"{"columns": {"x": \#(type)}, "comparisons": [{"column": "x", "levels": \#(levels)}], "blocking_rules": ["x"], "training_rules": ["dob"], "cluster_guards": []}"#)
    }

    static func row(_ id: String, _ x: String?, source: String = "a") -> LinkInput {
        LinkInput(source: source, recordID: id, fields: x.map { ["x": $0] } ?? [:])
    }

    /// The level of comparison `c` between records `a` and `b` among `others` (others set token frequencies).
    static func level(_ s: LinkageSettings, _ a: LinkInput, _ b: LinkInput, others: [LinkInput] = [], comparison c: Int = 0) -> Int {
        let data = PreparedData([a, b] + others, settings: s)
        return Comparer(data: data, comparisons: s.comparisons).level(c, Int(data.nodeOfRecord[0]), Int(data.nodeOfRecord[1]))
    }

    static func level(type: String, levels: String, _ x: String?, _ y: String?) throws -> Int {
        let s = try one(type: type, levels: levels)
        return level(s, row("1", x), row("2", y))
    }
}

@Suite("Declarative comparisons")
struct DeclarativeComparisonTests {
    @Test("string similarity levels", arguments: [
        // (levels, left, right, expected level): 0 null, last = else.
        (#"[{"type":"exact","tf":true},{"type":"jaro_winkler","threshold":0.9}]"#, "Martha", "MARTHA", 1),
        (#"[{"type":"exact","tf":true},{"type":"jaro_winkler","threshold":0.9}]"#, "MARTHA", "MARHTA", 2),  // 0.961
        (#"[{"type":"exact","tf":true},{"type":"jaro_winkler","threshold":0.9}]"#, "DWAYNE", "DUANE", 3),  // 0.840: else
        (#"[{"type":"levenshtein","max":1},{"type":"levenshtein","max":3}]"#, "KITTEN", "SITTEN", 1),
        (#"[{"type":"levenshtein","max":1},{"type":"levenshtein","max":3}]"#, "KITTEN", "SITTING", 2),
        (#"[{"type":"levenshtein","max":1},{"type":"levenshtein","max":3}]"#, "ABCD", "ABDC", 2),  // two substitutions
        (#"[{"type":"damerau_levenshtein","max":1}]"#, "ABCD", "ABDC", 1),  // one transposition
        (#"[{"type":"jaro","threshold":0.94}]"#, "MARTHA", "MARHTA", 1),
        (#"[{"type":"jaccard","threshold":0.6}]"#, "red blue green", "green, red", 1),  // 2/3
        (#"[{"type":"jaccard","threshold":0.7}]"#, "red blue green", "green, red", 2),
        (#"[{"type":"prefix","length":3}]"#, "28001", "28013", 1),
        (#"[{"type":"prefix","length":3}]"#, "28001", "29001", 2),
        (#"[{"type":"substring","start":2,"length":3}]"#, "X1234", "Y1239", 1),
        (#"[{"type":"substring","start":2,"length":3}]"#, "X1234", "Y1334", 2),
        (#"[{"type":"exact"}]"#, "Anna", nil, 0),  // missing on one side: null
        (#"[{"type":"null","values":["UNKNOWN"]},{"type":"exact"}]"#, "Unknown", "UNKNOWN", 0),  // explicit null level
        (#"[{"type":"any","levels":[{"type":"exact"},{"type":"prefix","length":2}]}]"#, "ABX", "ABY", 1),
        (#"[{"type":"all","levels":[{"type":"prefix","length":1},{"type":"levenshtein","max":1}]}]"#, "ABX", "BBX", 2),
    ])
    func textLevels(_ levels: String, _ x: String, _ y: String?, _ expected: Int) throws {
        let t = levels.contains("prefix") || levels.contains("substring") ? #""code""# : #""text""#
        #expect(try Declared.level(type: t, levels: levels, x, y) == expected)
    }

    @Test("date levels", arguments: [
        ("2005-03-07", "2005-03-07", 1), ("2005-03-07", "2005-07-03", 2), ("2005-03-07", "2005-03-08", 3),
        ("2005-03-07", "2003-03-07", 3), ("2005-03-07", "2005-04-01", 4), ("2005-03-07", "2004-03-09", 5),
        ("2005-03-07", "2006-12-25", 6), ("2005-03-07", "1990-11-21", 7), ("2005-03-07", "not a date", 0),
    ])
    func dateLevels(_ x: String, _ y: String, _ expected: Int) throws {
        let levels = #"["exact","day_month_swapped","date_one_off",{"type":"days_within","days":30},{"type":"year_off","years":1,"days":3},{"type":"years_within","years":2}]"#
        #expect(try Declared.level(type: #""date""#, levels: levels, x, y) == expected)
    }

    @Test("number levels", arguments: [("100", "100", 1), ("100", "104", 2), ("100", "109", 3), ("100", "150", 4), ("1,000", "1000", 1)])
    func numberLevels(_ x: String, _ y: String, _ expected: Int) throws {
        let levels = #"["exact",{"type":"number_within","difference":5},{"type":"number_relative","fraction":0.1}]"#
        #expect(try Declared.level(type: #""number""#, levels: levels, x, y) == expected)
    }

    @Test("UK postcode levels", arguments: [
        ("UC4 7AB", "uc47ab", 1), ("UC4 7AB", "UC4 7ZZ", 2), ("UC4 7AB", "UC4 9AB", 3), ("UC4 7AB", "UC12 1AB", 4),
        ("UC4 7AB", "ZZ1 1AB", 5), ("UC4 7AB", "28001", 0),
    ])
    func postcodeLevels(_ x: String, _ y: String, _ expected: Int) throws {
        let levels = #"["exact","postcode_sector","postcode_district","postcode_area"]"#
        #expect(try Declared.level(type: #""uk_postcode""#, levels: levels, x, y) == expected)
    }

    @Test("identifiers: exact or within edits, with or without a check digit", arguments: [
        (#"{"type":"identifier","check":"luhn"}"#, "7992 7398 713", "79927398713", 1),
        (#"{"type":"identifier","check":"luhn"}"#, "79927398713", "79927398710", 0),  // fails the check: missing
        (#"{"type":"identifier","check":"none"}"#, "12345678", "12345687", 2),  // transposed digits, one edit
        (#"{"type":"identifier","check":"none"}"#, "12345678", "12345600", 3),  // two edits
        (#"{"type":"identifier","check":"none"}"#, "12345678", "87654321", 4),
        (#"{"type":"identifier","check":"nhs"}"#, "943 476 5919", "9434765919", 1),
    ])
    func identifierLevels(_ type: String, _ x: String, _ y: String, _ expected: Int) throws {
        let levels = #"["exact",{"type":"damerau_levenshtein","max":1},{"type":"damerau_levenshtein","max":2}]"#
        #expect(try Declared.level(type: type, levels: levels, x, y) == expected)
    }

    @Test func listsCompareByIntersection() throws {
        let levels = #"[{"type":"list_intersect","min":2},{"type":"list_intersect","min":1}]"#
        #expect(try Declared.level(type: #""list""#, levels: levels, "Anna; Bea; Carla", "bea|carla") == 1)
        #expect(try Declared.level(type: #""list""#, levels: levels, "Anna; Bea", "Bea, Dora") == 2)
        #expect(try Declared.level(type: #""list""#, levels: levels, "Anna", "Dora") == 3)
    }

    @Test func addressesParseAcrossFormattingNoise() {
        let a = Standardise.address("Flat 2, 14 Acacia Ave, Springfield")
        let b = Standardise.address("14 ACACIA AVENUE, FLAT 2, springfield")
        #expect(a?.houseNumber == "14" && a?.flat == "2" && a?.town == "SPRINGFIELD" && a?.street == ["ACACIA", "AVENUE"])
        #expect(a?.normalised == b?.normalised)
        let c = Standardise.address("Calle Mayor 5, 3º B, Madrid")
        #expect(c?.houseNumber == "5" && c?.town == "MADRID")
    }

    /// A rare shared street counts for more than HIGH STREET: with thirty HIGH STREET records about, two records on
    /// different numbers of Acacia Avenue share street tokens worth more than the threshold; two on High Street do not.
    @Test func rareStreetsWeighMoreThanCommonOnes() throws {
        let s = try Declared.one(type: #""address""#, levels: #"["exact",{"type":"house_number_and_street","bits":6},{"type":"token_weight","bits":6},"town"]"#)
        let others = (0..<30).map { Declared.row("h\($0)", "\($0 + 100) High Street, Town\($0 % 3)") }
            + (0..<10).map { Declared.row("o\($0)", "\($0) Other Road \($0), Elsewhere") }
        #expect(Declared.level(s, Declared.row("1", "7 Acacia Avenue, Leeds"), Declared.row("2", "9 Acacia Ave, York"), others: others) == 3)
        #expect(Declared.level(s, Declared.row("1", "7 High Street, Leeds"), Declared.row("2", "9 High Street, York"), others: others) == 5)
        #expect(Declared.level(s, Declared.row("1", "7 Acacia Avenue, Leeds"), Declared.row("2", "7 Acacia Ave, Leeds Centre"), others: others) == 2)
        #expect(Declared.level(s, Declared.row("1", "7 Acacia Avenue, Leeds"), Declared.row("2", "12 Elm Road, Leeds"), others: others) == 4)
    }

    @Test func namesSwappedInitialsNicknamesAndMiddleNames() {
        let s = LinkageSettings()  // the UK preset, from templates
        func lv(_ a: LinkInput, _ b: LinkInput, _ c: Int) -> Int { Declared.level(s, a, b, comparison: c) }
        let d = CivilDateFixture.date(2005, 3, 7)
        let jane = People.input("a", "1", "Jane", "Smith", d)
        #expect(lv(jane, People.input("b", "2", "Smith", "Jane", d), 0) == 3)  // swapped: forename level 3
        #expect(lv(jane, People.input("b", "2", "Smith", "Jane", d), 1) == 0)  // and surname null
        #expect(lv(jane, People.input("b", "2", "J", "Smith", d), 0) == 2)  // initial agrees
        #expect(lv(jane, People.input("b", "2", "K", "Smith", d), 0) == 7)  // initial differs: else at once
        #expect(lv(People.input("a", "1", "Bill", "Smith", d), People.input("b", "2", "William", "Smith", d), 0) == 4)  // nickname
        var withMiddle = People.input("b", "2", "Anne", "Smith", d)
        withMiddle.middleNames = "Jane"
        #expect(lv(jane, withMiddle, 0) == 4)  // forename among the other's middle names
        #expect(lv(jane, People.input("b", "2", "Jane", "Smith-Jones", d), 1) == 5)  // shares a token
    }

    @Test func theUKTemplatesMatchTheLevelsOfTheEarlierEngine() {
        let labels = LinkageSettings.ukComparisons.map { ($0.name, $0.levelCount) }
        #expect(labels.map(\.0) == ["forename", "surname", "dob", "sex", "postcode", "nhs", "upn", "pnc", "local_id", "address"])
        #expect(labels.map(\.1) == [7, 7, 5, 2, 4, 2, 2, 3, 2, 6])
        // The date template gives the same levels as the earlier fixed comparison.
        let pairs: [(Int32, Int32)] = [(CivilDateFixture.day(2005, 3, 7), CivilDateFixture.day(2005, 7, 3)), (CivilDateFixture.day(2010, 3, 7), CivilDateFixture.day(2009, 3, 7)),
                                       (CivilDateFixture.day(2005, 3, 7), CivilDateFixture.day(2005, 3, 10))]
        for (x, y) in pairs {
            let a = LinkInput(source: "a", recordID: "1", dateOfBirth: CivilDate(dayNumber: x)), b = LinkInput(source: "b", recordID: "2", dateOfBirth: CivilDate(dayNumber: y))
            #expect(Declared.level(LinkageSettings(), a, b, comparison: 2) == Comparer.dobLevel(x, y))
        }
    }

    @Test func levenshteinAndJaccardAreSymmetricAndBounded() async {
        let word = Gen.letterOrNumber.string(of: 0...10)
        await propertyCheck(input: word, word) { a, b in
            let d = Comparators.levenshtein(a, b)
            #expect(d == Comparators.levenshtein(b, a))
            #expect(d >= abs(a.utf8.count - b.utf8.count) && d <= max(a.utf8.count, b.utf8.count))
            #expect(Comparators.levenshtein(a, a) == 0)
            #expect(Comparators.damerauLevenshtein(a, b) <= d)  // a transposition never costs more
            let ta = Set(a.map { $0 }), tb = Set(b.map { $0 })
            let j = Comparators.jaccard(ta, tb)
            #expect(j == Comparators.jaccard(tb, ta) && j >= 0 && j <= 1)
            #expect(Comparators.jaccard(ta, ta) == 1)
        }
    }

    @Test func luhnCheck() {
        #expect(Standardise.luhnValid("79927398713"))
        #expect(!Standardise.luhnValid("79927398710"))
        #expect(Standardise.identifier("4539 1488 0343 6467", check: .luhn) == "4539148803436467")
        #expect(Standardise.identifier("12345678-Z", check: .dni) == "12345678Z")  // 12345678 mod 23 = 14: Z
        #expect(Standardise.identifier("12345678A", check: .dni) == nil)
        #expect(Standardise.identifier("X1234567L", check: .dni) == "X1234567L")  // NIE: 01234567 mod 23 = 19: L
    }
}

@Suite("Blocking on any column")
struct DerivedBlockingTests {
    @Test("key expressions parse", arguments: [
        ("dob + initial(surname)", "dob + initial(surname)"), ("surname_phonetic", "phonetic(surname)"),
        ("substr(postcode, 1, 3)", "substr(postcode,1,3)"), ("initials(forename,surname)", "initials(forename,surname)"),
    ])
    func parses(_ text: String, _ printed: String) {
        #expect(BlockingRule(text).description == printed)
    }

    @Test func derivedKeysPairTheRightRecords() throws {
        let s = try Declared.settings(#"{"columns": {"city": "text", "zip": "code"}, "comparisons": [{"column": "city"}], "blocking_rules": ["substr(zip,1,2)", "phonetic(city)", "initial(city) + first_token(city)"], "cluster_guards": []}"#)
        let rows = [LinkInput(source: "a", recordID: "1", fields: ["city": "Smyth Town", "zip": "28001"]),
                    LinkInput(source: "a", recordID: "2", fields: ["city": "Smith Village", "zip": "28999"]),
                    LinkInput(source: "a", recordID: "3", fields: ["city": "Other", "zip": "29001"]),
                    LinkInput(source: "a", recordID: "4", fields: ["city": "Smith Village", "zip": "10001"])]
        let data = PreparedData(rows, settings: s)
        let blocking = Blocking(data: data, rules: s.blockingRules)
        // zip prefix 28 pairs 1-2; the phonetic code of the whole city pairs 2-4 (same text); first token pairs 2-4 again.
        #expect(blocking.sharesRule(0, 0, 1) && !blocking.sharesRule(0, 0, 2))
        #expect(blocking.sharesRule(1, 1, 3) && !blocking.sharesRule(1, 0, 2))
        let pairs = blocking.forEachPair(make: { [(Int, Int)]() }) { $0.append(($1, $2)) }.flatMap { $0 }
        #expect(Set(pairs.map { "\($0.0)-\($0.1)" }) == ["0-1", "1-3"])
    }
}

@Suite("Link modes")
struct LinkModeTests {
    static func rows() -> [LinkInput] {
        let d = CivilDateFixture.date(2001, 2, 3)
        // Two files; each holds a duplicate pair; the same person is in both.
        return [People.input("left", "1", "Anna", "Berg", d), People.input("left", "2", "Anna", "Berg", d, postcode: "UC1 1AA"),
                People.input("right", "1", "Anna", "Berg", d), People.input("right", "2", "Anne", "Berg", d)]
    }

    static func pairs(_ type: LinkType) -> Set<String> {
        var s = LinkageSettings(linkType: type, uSamplePairs: 1000)
        s.blockingRules = [BlockingRule("dob")]
        let data = PreparedData(rows(), settings: s)
        let blocking = Blocking(data: data, rules: s.blockingRules)
        var out = Set<String>()
        for (a, b) in blocking.forEachPair(make: { [(Int, Int)]() }, { $0.append(($1, $2)) }).flatMap({ $0 }) {
            for ra in data.keys.indices where Int(data.nodeOfRecord[ra]) == a {
                for rb in data.keys.indices where Int(data.nodeOfRecord[rb]) == b {
                    let x = data.keys[ra], y = data.keys[rb]
                    out.insert([x, y].sorted().map { "\($0.source)\($0.recordID)" }.joined(separator: "-"))
                }
            }
        }
        return out
    }

    @Test func linkOnlyNeverComparesWithinAFile() {
        let p = LinkModeTests.pairs(.linkOnly)
        #expect(!p.isEmpty)
        for pair in p { #expect(pair.contains("left") && pair.contains("right"), "\(pair)") }
        // And records identical across files stay apart as nodes, so no file's duplicates join through a node.
        var s = LinkageSettings(linkType: .linkOnly)
        s.blockingRules = [BlockingRule("dob")]
        #expect(PreparedData(LinkModeTests.rows(), settings: s).nodeCount == 4)
    }

    @Test func dedupeAndLinkAndDedupeCompareWithinFilesToo() {
        for t in [LinkType.dedupeOnly, .linkAndDedupe] {
            let p = LinkModeTests.pairs(t)
            #expect(p.contains("left2-right2") || p.contains("left1-left2") || p.contains("right1-right2"), "\(t)")
            #expect(p.contains { $0.hasPrefix("left") && $0.contains("-left") }, "\(t) compares within a file")
        }
    }

    @Test func linkOnlyLinksAcrossFilesEndToEnd() {
        let pop = People.population(people: 120, seed: 4)
        // Keep one record per person per file: file a and file b.
        var seen = Set<String>()
        let inputs = pop.inputs.filter { ($0.source == "a" || $0.source == "b") && seen.insert(pop.truth[$0.key]! + $0.source).inserted }
        let settings = LinkageSettings(linkType: .linkOnly, uSamplePairs: 20_000)
        let result = Linker(settings: settings).link(inputs)
        for p in result.pairs { #expect(result.data.dataset[Int(p.a)] != result.data.dataset[Int(p.b)]) }
        let truth = Dictionary(uniqueKeysWithValues: inputs.map { ($0.key, pop.truth[$0.key]!) })
        var predicted: [RecordKey: String] = [:]
        for (i, k) in result.data.keys.enumerated() { predicted[k] = result.personIDs[i].rawValue }
        let e = Evaluation.evaluate(predicted: predicted, truth: truth, agencyOf: { $0.source })
        #expect(e.pairwise.f1 > 0.9, "F1 \(e.pairwise.f1)")
    }
}

@Suite("Settings validation")
struct SettingsValidationTests {
    @Test("each problem is named", arguments: [
        (#"{"match_treshold": 0.9}"#, "unknown key 'match_treshold' (did you mean 'match_threshold'?)"),
        (#"{"em_max_pairs": -1}"#, "em_max_pairs: -1 is out of range"),
        (#"{"u_sample_pairs": 0}"#, "u_sample_pairs: 0 is out of range"),
        (#"{"em_max_iterations": -1}"#, "em_max_iterations: -1 is out of range"),
        (#"{"keep_threshold": 2}"#, "keep_threshold: 2 is out of range"),
        (#"{"seed": -1}"#, "seed: -1 is out of range"),
        (#"{"seed": 1.5}"#, "seed: must be a whole number"),
        (#"{"comparisons": ["forename", "forename"]}"#, "the comparison 'forename' is listed twice"),
        (#"{"comparisons": [{"column": "town"}]}"#, "unknown column 'town'"),
        (#"{"comparisons": [{"column": "surname", "template": "fuzzy"}]}"#, "unknown comparison template 'fuzzy'"),
        (#"{"comparisons": [{"column": "surname", "levels": ["exact", {"type": "soundex"}]}]}"#, "unknown level type 'soundex'"),
        (#"{"comparisons": [{"column": "surname", "levels": [{"type": "jaro_winkler", "threshold": 0.8}, {"type": "jaro_winkler", "threshold": 0.9}]}]}"#, "thresholds out of order"),
        (#"{"comparisons": [{"column": "surname", "levels": [{"type": "jaro_winkler", "threshold": 1.5}]}]}"#, "threshold: 1.5 is out of range"),
        (#"{"comparisons": [{"column": "surname", "levels": [{"type": "exact", "treshold": 1}]}]}"#, "unknown key 'treshold'"),
        (#"{"comparisons": [{"column": "surname", "levels": ["postcode_sector"]}]}"#, "a postcode level needs a column of type uk_postcode"),
        (#"{"comparisons": [{"column": "surname", "levels": [{"type": "jaro_winkler", "threshold": 0.9, "tf": true}]}]}"#, "applies to exact levels only"),
        (#"{"blocking_rules": ["dob + initial(town)"]}"#, "unknown column 'town' in 'initial(town)'"),
        (#"{"blocking_rules": ["soundex(surname)"]}"#, "unknown key function 'soundex'"),
        (#"{"blocking_rules": ["year(surname)"]}"#, "year() needs a date column"),
        (#"{"columns": {"town": "place"}}"#, "unknown column type 'place'"),
        (#"{"link_type": "link"}"#, "link_type: must be one of"),
        (#"{"review_lower": 0.99, "match_threshold": 0.9}"#, "review_lower (0.99) must not be above match_threshold (0.9)"),
    ])
    func problemIsNamed(_ json: String, _ message: String) throws {
        let problems = try Declared.problems(json)
        #expect(problems.contains { $0.contains(message) }, "\(problems)")
    }

    @Test func tooManyDeclaredColumnsAreRefused() throws {
        // The interner keeps each column's values apart by one byte: 256 spaces, three of them for derived values.
        let columns = (0..<300).map { "\"c\($0)\": \"text\"" }.joined(separator: ", ")
        let problems = try Declared.problems("{\"columns\": {\(columns)}}")
        #expect(problems.contains { $0.contains("declared columns, not 300") }, "\(problems)")
        let fewer = (0..<20).map { "\"c\($0)\": \"text\"" }.joined(separator: ", ")
        #expect(try Declared.problems("{\"columns\": {\(fewer)}}").isEmpty)
    }

    @Test func everyProblemIsGatheredNotJustTheFirst() throws {
        let problems = try Declared.problems(#"{"match_treshold": 0.9, "em_max_pairs": -1, "u_sample_pairs": 0, "seed": -1, "keep_threshold": 2}"#)
        #expect(problems.count == 5, "\(problems)")
    }

    @Test func decodingThrowsTheGatheredProblems() throws {
        #expect(throws: LinkageError.self) { try JSONDecoder().decode(LinkageSettings.self, from: Data(#"{"em_max_pairs": -1}"#.utf8)) }
    }

    @Test func settingsRoundTripThroughJSON() throws {
        let s = try Declared.settings(#"{"link_type": "link_only", "columns": {"nid": {"type": "identifier", "check": "luhn"}, "city": "text"}, "comparisons": ["forename", {"column": "nid", "template": "identifier", "max_edits": 2}, {"column": "city", "levels": [{"type":"exact","tf":true}, {"type":"null","values":["N/A"]}, {"type":"jaro_winkler","threshold":0.9}]}]}"#)
        let back = try JSONDecoder().decode(LinkageSettings.self, from: try JSONEncoder().encode(s))
        #expect(back == s)
        #expect(s.comparisons[2].levelCount == 3)  // exact, jaro-winkler, else: the null level takes no number
    }
}
