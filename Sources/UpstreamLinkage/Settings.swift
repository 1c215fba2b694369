/// How a column's text is standardised before it is compared, and what comparisons it supports.
public enum ColumnType: String, Codable, Sendable, CaseIterable, Hashable {
    /// Free text: upper-cased, accents folded, punctuation to spaces; tokens are its words.
    case text
    /// A personal name: tokens of letters (titles dropped), compared joined ("SMITH-JONES" → "SMITHJONES").
    case name
    /// The first given name (the rest of the tokens go to `middle_names`); built in, from the forename fields.
    case forename
    /// A list of values (split on `;`, `|` or `,`), compared by intersection.
    case list
    /// A date (ISO, DD/MM/YYYY, …); placeholders before 1901 are missing.
    case date
    /// A number.
    case number
    /// A UK postcode, kept only when it has a postcode's shape; compared by unit, sector, district or area.
    case ukPostcode = "uk_postcode"
    /// A code (any postcode, zip or reference): upper-cased, spaces removed.
    case code
    /// An identifier, optionally kept only when its check digit is right (see `IdentifierCheck`).
    case identifier
    /// Address lines: house number, flat, street tokens and town, with token-frequency weights.
    case address
    /// Sex: M or F.
    case sex
}

/// The check a column of type `identifier` must pass to be kept (a failing value counts as missing).
public enum IdentifierCheck: String, Codable, Sendable, CaseIterable, Hashable {
    case none, nhs, upn, pnc
    /// The Luhn mod-10 check digit (many national ids and card numbers).
    case luhn
    /// Spain's DNI/NIE: eight digits (an NIE's leading X, Y or Z counted as 0, 1, 2) and the letter at the number mod 23.
    case dni
}

/// A column: its name and how it is standardised.
public struct ColumnSpec: Codable, Sendable, Hashable {
    public var name: String
    public var type: ColumnType
    public var check: IdentifierCheck
    public init(_ name: String, _ type: ColumnType, check: IdentifierCheck = .none) { self.name = name; self.type = type; self.check = check }

    /// The columns every linkage input has, from `LinkInput`'s fields.
    public static let builtIn: [ColumnSpec] = [
        ColumnSpec("forename", .forename), ColumnSpec("middle_names", .list), ColumnSpec("surname", .name),
        ColumnSpec("dob", .date), ColumnSpec("sex", .sex), ColumnSpec("postcode", .ukPostcode),
        ColumnSpec("nhs", .identifier, check: .nhs), ColumnSpec("upn", .identifier, check: .upn), ColumnSpec("pnc", .identifier, check: .pnc),
        ColumnSpec("local_id", .code), ColumnSpec("address", .address),
    ]
}

/// One level of a comparison (Splink's first tier): a test on two records' values. Levels are tried in order;
/// the first that holds gives the pair its level.
public indirect enum LevelTest: Sendable, Hashable {
    case exact
    case jaroWinkler(Double)
    case jaro(Double)
    case levenshtein(Int)
    case damerauLevenshtein(Int)
    /// Jaccard similarity of the two token sets at or above the threshold.
    case jaccard(Double)
    /// Same NYSIIS code.
    case phonetic
    /// Same canonical forename under the UK nickname table (BILL = WILLIAM).
    case nickname
    /// One side is a single letter: agrees when the first letters agree; when they do not, the pair goes to the
    /// comparison's else level (no later level is tried).
    case initial
    /// The value of one record is among the other's values of a list column (a forename among middle names).
    case inList(String)
    /// The two records share at least one token (a hyphenated or double-barrelled surname; a list column).
    case sharedToken
    /// The two lists (or token sets) share at least this many elements.
    case listIntersect(Int)
    /// The tokens the two share weigh at least this many bits, a token's weight being −log2 of its share of
    /// records: a rare shared street counts for more than HIGH STREET.
    case tokenWeight(Double)
    /// This column of one record matches another column of the other, both ways (fore- and surname swapped),
    /// exactly or with Jaro-Winkler at or above the threshold.
    case reversed(String, Double)
    case dayMonthSwapped
    /// One digit different, two adjacent digits transposed, or one day apart.
    case dateOneOff
    case daysWithin(Int)
    /// Year off by at most `years`, same month, day within `days`.
    case yearOff(years: Int, days: Int)
    case yearsWithin(Int)
    case numberWithin(Double)
    /// |a − b| / max(|a|, |b|) at or below the fraction.
    case numberRelative(Double)
    case postcodeSector, postcodeDistrict, postcodeArea
    /// The first `n` characters agree.
    case prefix(Int)
    /// The substring (1-based start, length) agrees.
    case substring(Int, Int)
    /// Address: same house number (and same flat, or no flat on either) and shared street tokens of at least `bits`.
    case houseNumberAndStreet(Double)
    case houseNumber
    case town
    /// Either value is one of these (standardised) values: with `isNull`, placeholders such as UNKNOWN count as missing.
    case oneOf([String])
    /// Any of the tests holds (Splink's Or).
    case any([LevelTest])
    /// All of the tests hold (Splink's And).
    case all([LevelTest])
}

/// A level: its test, a label, and whether it takes a term-frequency adjustment or counts as null.
public struct LevelSpec: Sendable, Hashable {
    public var test: LevelTest
    public var label: String
    /// Term-frequency adjustment (exact levels only): the weight is raised for rare values and lowered for common ones.
    public var termFrequency: Bool
    /// A null level: when it holds, the comparison contributes nothing (weight 0).
    public var isNull: Bool
    public init(_ test: LevelTest, label: String, termFrequency: Bool = false, isNull: Bool = false) {
        self.test = test; self.label = label; self.termFrequency = termFrequency; self.isNull = isNull
    }
}

/// A comparison (Splink's second tier): one column, its ordered levels, an implicit null level first (a value
/// missing on either side) and an implicit else level last.
public struct ComparisonSpec: Sendable, Hashable {
    public var name: String
    public var column: String
    /// Levels between null and else, strongest first, as tried.
    public var levels: [LevelSpec]
    /// Columns whose blocking also fixes this comparison (sex is all but fixed by a forename), so an EM session
    /// on a rule over them leaves it out.
    public var relatedColumns: [String]
    /// The template it was written from, kept so settings round-trip in their short form.
    public var template: String?

    public init(name: String, column: String, levels: [LevelSpec], relatedColumns: [String] = [], template: String? = nil) {
        self.name = name; self.column = column; self.levels = levels; self.relatedColumns = relatedColumns; self.template = template
    }

    /// Labels of the non-null levels, in order, ending with "else".
    public var levelLabels: [String] { levels.filter { !$0.isNull }.map(\.label) + ["else"] }
    /// How many non-null levels (the else level included).
    public var levelCount: Int { levelLabels.count }
    /// Whether any level takes a term-frequency adjustment.
    public var termFrequencyAdjusted: Bool { levels.contains { $0.termFrequency } }
}

/// How records relate across the input files (Splink's `link_type`).
public enum LinkType: String, Codable, Sendable, CaseIterable, Hashable {
    /// One file: every pair may be a duplicate.
    case dedupeOnly = "dedupe_only"
    /// Two or more files, each free of duplicates: pairs within one file are never compared.
    case linkOnly = "link_only"
    /// Several files, duplicates within and across them (the default).
    case linkAndDedupe = "link_and_dedupe"
}

/// A blocking key: a column, or a value derived from one (Splink's blocking rules on any column).
///
/// Written `column`, `initial(column)`, `phonetic(column)`, `canonical(column)`, `substr(column,START,LENGTH)`
/// (1-based), `year(column)`, `month_day(column)`, `sector(column)`, `district(column)`, `area(column)`,
/// `initials(column,column)` (both initials in alphabetical order), `first_token(column)`, `town(column)`.
public struct BlockingKey: Sendable, Hashable, CustomStringConvertible {
    public enum Function: String, Sendable, Hashable, CaseIterable {
        case value, initial, phonetic, canonical, substr, year
        case monthDay = "month_day"
        case sector, district, area, initials
        case firstToken = "first_token"
        case town
    }
    public var function: Function
    public var columns: [String]
    public var start: Int
    public var length: Int

    public init(_ function: Function, _ columns: [String], start: Int = 1, length: Int = 1) {
        self.function = function; self.columns = columns; self.start = start; self.length = length
    }

    public var description: String {
        switch function {
        case .value: columns[0]
        case .substr: "substr(\(columns[0]),\(start),\(length))"
        default: "\(function.rawValue)(\(columns.joined(separator: ",")))"
        }
    }

    /// The keys of earlier versions, by name, as expressions.
    static let legacy: [String: BlockingKey] = [
        "birth_year": BlockingKey(.year, ["dob"]), "dob_month_day": BlockingKey(.monthDay, ["dob"]),
        "forename_phonetic": BlockingKey(.phonetic, ["forename"]), "forename_canonical": BlockingKey(.canonical, ["forename"]),
        "forename_initial": BlockingKey(.initial, ["forename"]), "surname_phonetic": BlockingKey(.phonetic, ["surname"]),
        "surname_initial": BlockingKey(.initial, ["surname"]), "name_initials": BlockingKey(.initials, ["forename", "surname"]),
        "postcode_sector": BlockingKey(.sector, ["postcode"]),
    ]

    /// Parses a key expression; `nil` with a message when it is not one.
    public static func parse(_ text: String) -> (BlockingKey?, String?) {
        let t = text.filter { $0 != " " }
        if let l = legacy[t] { return (l, nil) }
        guard let open = t.firstIndex(of: "(") else {
            return t.isEmpty ? (nil, "an empty key") : (BlockingKey(.value, [t]), nil)
        }
        guard t.last == ")" else { return (nil, "'\(text)' has no closing bracket") }
        let name = String(t[..<open])
        let args = t[t.index(after: open)..<t.index(before: t.endIndex)].split(separator: ",").map(String.init)
        guard let f = Function(rawValue: name), f != .value else {
            return (nil, "unknown key function '\(name)' (known: \(Function.allCases.dropFirst().map(\.rawValue).joined(separator: ", ")))")
        }
        switch f {
        case .substr:
            guard args.count == 3, let s = Int(args[1]), let l = Int(args[2]), s >= 1, l >= 1 else {
                return (nil, "substr takes a column, a start (from 1) and a length, e.g. substr(postcode,1,3)")
            }
            return (BlockingKey(.substr, [args[0]], start: s, length: l), nil)
        case .initials:
            guard args.count == 2 else { return (nil, "initials takes two columns, e.g. initials(forename,surname)") }
            return (BlockingKey(.initials, args), nil)
        default:
            guard args.count == 1, !args[0].isEmpty else { return (nil, "\(name) takes one column") }
            return (BlockingKey(f, args), nil)
        }
    }
}

/// A blocking rule: pairs of records that agree on every key (one to three keys), written "key + key"; optionally
/// followed by split keys, "key + key | key | key": a block bigger than `split_block_size` identities is split on
/// the first split key, what is still too big on the next.
public struct BlockingRule: Sendable, Hashable, CustomStringConvertible {
    public var keys: [BlockingKey]
    /// Keys that split a block over `split_block_size`, in order (none: never split).
    public var split: [BlockingKey]
    public init(_ keys: [BlockingKey], split: [BlockingKey] = []) {
        precondition((1...3).contains(keys.count)); self.keys = keys; self.split = split
    }
    /// Parses "dob + initial(surname)" or "dob + initial(surname) | initial(forename)"; precondition: valid (use
    /// `LinkageSettings.parse` for user input).
    public init(_ text: String) {
        let (r, p) = BlockingRule.parse(text)
        precondition(p.isEmpty, p.joined(separator: "; "))
        self = r!
    }
    public var description: String {
        ([keys.map(\.description).joined(separator: " + ")] + split.map(\.description)).joined(separator: " | ")
    }
    public var columns: Set<String> { Set((keys + split).flatMap(\.columns)) }
    /// Every key the rule reads: its keys, then its split keys.
    public var allKeys: [BlockingKey] { keys + split }

    static func parse(_ text: String) -> (BlockingRule?, [String]) {
        var keys: [BlockingKey] = [], split: [BlockingKey] = [], problems: [String] = []
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        for part in parts[0].split(separator: "+") {
            let (k, p) = BlockingKey.parse(String(part))
            if let k { keys.append(k) } else if let p { problems.append(p) }
        }
        for part in parts.dropFirst() {
            if part.contains("+") { problems.append("a split key is one key: write \"rule | key | key\", not '\(part.filter { $0 != " " })'"); continue }
            let (k, p) = BlockingKey.parse(String(part))
            if let k { split.append(k) } else if let p { problems.append("split key: " + p) }
        }
        if problems.isEmpty && !(1...3).contains(keys.count) { problems.append("a blocking rule has one to three keys, not \(keys.count)") }
        return problems.isEmpty ? (BlockingRule(keys, split: split), []) : (nil, problems)
    }
}

/// Everything that shapes a linkage run: columns, comparisons, blocking, training and thresholds. One immutable
/// value shared by training, prediction, clustering and evaluation; saved inside the model.
public struct LinkageSettings: Sendable, Hashable {
    public var linkType: LinkType
    /// Columns beyond the built-in ones (`LinkInput.fields`), with their types.
    public var columns: [ColumnSpec]
    /// The comparisons made for every candidate pair.
    public var comparisons: [ComparisonSpec]
    /// Blocking rules; their union is compared, each pair once.
    public var blockingRules: [BlockingRule]
    /// Rules whose pairs train m by EM, one session each (comparisons on the rule's columns are left out).
    public var trainingRules: [BlockingRule]
    /// Random record pairs sampled to estimate u (at most; fewer when the data has fewer pairs).
    public var uSamplePairs: Int
    public var emMaxIterations: Int
    /// Pairs an EM session samples from its rule's blocks at most.
    public var emMaxPairs: Int
    public var seed: UInt64
    /// Pairs at or above this match probability join one person.
    public var matchThreshold: Double
    /// Pairs with match probability in [reviewLower, matchThreshold) go to clerical review.
    public var reviewLower: Double
    /// The incremental link drops scored pairs below this probability (and below `reviewLower`); a full link keeps
    /// pairs from `Linker.keptProbability` (what clustering, review and the evaluation's sweep read) whatever it is.
    public var keepThreshold: Double
    /// Blocks larger than this (in distinct identities) are skipped and counted as such.
    public var maxBlockSize: Int
    /// Blocks larger than this (in distinct identities) are split on their rule's split keys (`rule | key`).
    public var splitBlockSize: Int
    /// The most pairs one run puts in the clerical review queue; the rest are counted as dropped.
    public var maxReviewPairs: Int
    /// Bounds on a term-frequency adjustment, in bits.
    public var tfAdjustmentRange: ClosedRange<Double>
    /// Keys on which two groups that disagree, with no value in common, are never merged into one person.
    public var clusterGuards: [BlockingKey]
    /// A date column whose values, when no pair is even close, keep two groups apart.
    public var clusterGuardDate: String?
    /// Longest value kept per field, in characters (longer values are cut and counted).
    public var maxFieldLength: Int

    public init(
        linkType: LinkType = .linkAndDedupe, columns: [ColumnSpec] = [],
        comparisons: [ComparisonSpec] = LinkageSettings.ukComparisons,
        blockingRules: [BlockingRule] = LinkageSettings.defaultBlockingRules,
        trainingRules: [BlockingRule] = LinkageSettings.defaultTrainingRules,
        uSamplePairs: Int = 2_000_000, emMaxIterations: Int = 40, emMaxPairs: Int = 2_000_000, seed: UInt64 = 42,
        matchThreshold: Double = 0.95, reviewLower: Double = 0.5, keepThreshold: Double = 0.01,
        maxBlockSize: Int = 1000, tfAdjustmentRange: ClosedRange<Double> = -4...6,
        clusterGuards: [BlockingKey] = LinkageSettings.ukClusterGuards, clusterGuardDate: String? = "dob", maxFieldLength: Int = 100,
        splitBlockSize: Int = LinkageSettings.defaultSplitBlockSize, maxReviewPairs: Int = LinkageSettings.defaultMaxReviewPairs
    ) {
        self.linkType = linkType; self.columns = columns
        self.comparisons = comparisons; self.blockingRules = blockingRules; self.trainingRules = trainingRules
        self.uSamplePairs = uSamplePairs; self.emMaxIterations = emMaxIterations; self.emMaxPairs = emMaxPairs; self.seed = seed
        self.matchThreshold = matchThreshold; self.reviewLower = reviewLower; self.keepThreshold = keepThreshold
        self.maxBlockSize = maxBlockSize; self.tfAdjustmentRange = tfAdjustmentRange
        self.clusterGuards = clusterGuards; self.clusterGuardDate = clusterGuardDate; self.maxFieldLength = maxFieldLength
        self.splitBlockSize = splitBlockSize; self.maxReviewPairs = maxReviewPairs
    }

    /// The default `split_block_size`.
    public static let defaultSplitBlockSize = 50
    /// The default `max_review_pairs`: what a small team can decide in a month.
    public static let defaultMaxReviewPairs = 5_000

    public static let defaultBlockingRules: [BlockingRule] = [
        "nhs", "upn", "substr(pnc,4,7)", "local_id",
        // Since issue 17's link7 stream, every rule keyed on names and dates names split keys: a block bigger than
        // split_block_size identities is split on them in turn, so blocks stop growing with the city and the pairs
        // grow with the records, not their square (docs/linkage.md, "Blocking that grows with the city").
        "dob + initial(surname) | initial(forename) | sector(postcode)",
        "dob + initial(forename) | canonical(forename) | sector(postcode)",
        "dob + postcode",
        "dob + initials(forename,surname) | sector(postcode)",
        // The two date-error rules carry a forename key since issue 17's link6 stream: on the realistic city their
        // surname-sound blocks (SMITH, JONES) made 22 M of 33 M candidate pairs at 997,327 records.
        "phonetic(surname) + canonical(forename) + year(dob) | sector(postcode) | district(postcode)",
        "canonical(forename) + phonetic(surname) + sector(postcode) | postcode",
        "month_day(dob) + phonetic(surname) + initial(forename) | sector(postcode) | canonical(forename)",
    ].map(BlockingRule.init)

    public static let defaultTrainingRules: [BlockingRule] = ["dob", "phonetic(surname) + phonetic(forename)"].map(BlockingRule.init)

    public static let ukClusterGuards: [BlockingKey] = ["nhs", "upn", "substr(pnc,4,7)", "local_id"].map { BlockingKey.parse($0).0! }

    /// Every column the settings know: built-in and declared.
    public var allColumns: [ColumnSpec] { ColumnSpec.builtIn + columns }
    public func column(_ name: String) -> ColumnSpec? { allColumns.first { $0.name == name } }
}

// MARK: - Templates (Splink's third tier) and the UK preset

extension LinkageSettings {
    /// The UK preset: the ten comparisons of the synthetic city's agencies (address lines since issue 13: on the
    /// test city they raise pairwise F1 slightly, 0.991810 to 0.991875, see docs/linkage.md).
    public static let ukComparisons: [ComparisonSpec] = ["forename", "surname", "dob", "sex", "postcode", "nhs", "upn", "pnc", "local_id", "address"]
        .map { Templates.make($0, column: $0, options: [:]).0! }
}

/// Comparison templates: a name and a column give a comparison with sensible levels.
public enum Templates {
    public static let names = ["forename", "surname", "dob", "sex", "postcode", "nhs", "upn", "pnc", "local_id",
                               "exact", "name", "date", "uk_postcode", "code", "identifier", "address", "number", "list", "text"]

    static func level(_ t: LevelTest, _ label: String, tf: Bool = false, null: Bool = false) -> LevelSpec {
        LevelSpec(t, label: label, termFrequency: tf, isNull: null)
    }

    /// The comparison a template gives for `column`, or a problem. Options: `threshold` (jaro-winkler, for
    /// name/text), `tf` (term-frequency adjustment of the exact level), `max_edits` (identifier), `prefixes`
    /// (code, a list of prefix lengths), `within` (number: absolute differences).
    static func make(_ template: String, column: String, options: [String: JSONValue]) -> (ComparisonSpec?, String?) {
        let tf = options["tf"]?.bool ?? true
        func spec(_ levels: [LevelSpec], related: [String] = []) -> ComparisonSpec {
            ComparisonSpec(name: column, column: column, levels: levels, relatedColumns: related, template: template)
        }
        switch template {
        case "forename":
            return (spec([
                level(.exact, "exact", tf: true), level(.initial, "initial only agrees"),
                level(.reversed("surname", 0.92), "fore- and surname swapped"),
                level(.any([.nickname, .inList("middle_names")]), "nickname or middle name"),
                level(.jaroWinkler(0.92), "jaro-winkler >= 0.92"), level(.jaroWinkler(0.80), "jaro-winkler >= 0.80"),
            ]), nil)
        case "surname":
            return (spec([
                level(.reversed("forename", 0.92), "fore- and surname swapped (counted under forename)", null: true),
                level(.exact, "exact", tf: true), level(.initial, "initial only agrees"),
                level(.any([.jaroWinkler(0.92), .damerauLevenshtein(1)]), "jaro-winkler >= 0.92 or one edit"),
                level(.phonetic, "same phonetic code"),
                level(.sharedToken, "shares a token (hyphenated, double-barrelled)"),
                level(.jaroWinkler(0.80), "jaro-winkler >= 0.80"),
            ]), nil)
        case "dob", "date":
            return (spec([
                level(.exact, "exact"), level(.dayMonthSwapped, "day and month swapped"),
                level(.dateOneOff, "one digit or one day off"), level(.yearOff(years: 1, days: 3), "year off by one"),
            ]), nil)
        case "sex":
            return (spec([level(.exact, "agree")], related: ["forename"]), nil)
        case "postcode", "uk_postcode":
            return (spec([level(.exact, "unit"), level(.postcodeSector, "sector"), level(.postcodeDistrict, "district")]), nil)
        case "nhs", "upn", "local_id", "exact":
            return (spec([level(.exact, "same value", tf: template == "exact" && tf)]), nil)
        case "pnc":
            return (spec([level(.exact, "same value"), level(.substring(4, 7), "same serial, different year")]), nil)
        case "identifier":
            let e = Int(options["max_edits"]?.number ?? 1)
            guard (0...2).contains(e) else { return (nil, "max_edits is 0, 1 or 2") }
            return (spec([level(.exact, "same value")] + (1...max(1, e)).filter { _ in e > 0 }.map { level(.damerauLevenshtein($0), "within \($0) edit\($0 == 1 ? "" : "s")") }), nil)
        case "name", "text":
            let t = options["threshold"]?.number ?? 0.92
            return (spec([
                level(.exact, "exact", tf: tf), level(.jaroWinkler(t), "jaro-winkler >= \(t)"),
                level(.damerauLevenshtein(1), "one edit"), level(.jaroWinkler(0.80), "jaro-winkler >= 0.80"),
            ] + (template == "name" ? [level(.phonetic, "same phonetic code")] : [])), nil)
        case "code":
            let prefixes = options["prefixes"]?.array?.compactMap { $0.number.map(Int.init) } ?? [3]
            return (spec([level(.exact, "exact", tf: tf)] + prefixes.sorted(by: >).map { level(.prefix($0), "first \($0) characters") }), nil)
        case "address":
            return (spec([
                level(.exact, "exact", tf: tf), level(.houseNumberAndStreet(6), "same house number and street"),
                level(.tokenWeight(12), "shares rare street tokens (>= 12 bits)"), level(.houseNumber, "same house number"),
                level(.town, "same town"),
            ]), nil)
        case "number":
            let within = options["within"]?.array?.compactMap(\.number) ?? [1]
            return (spec([level(.exact, "exact")] + within.sorted().map { level(.numberWithin($0), "within \(ProblemLog.show($0))") }), nil)
        case "list":
            return (spec([level(.listIntersect(2), "two or more in common"), level(.listIntersect(1), "one in common")]), nil)
        default:
            return (nil, "unknown comparison template '\(template)' (known: \(names.joined(separator: ", ")))")
        }
    }
}
