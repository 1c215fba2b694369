/// Reading and writing settings as JSON: every key checked, every problem gathered (see docs/linkage.md and
/// config/linkage-settings.schema.json).
extension LinkageSettings: Codable {
    static let keys = ["link_type", "columns", "comparisons", "blocking_rules", "training_rules", "u_sample_pairs", "em_max_iterations",
                       "em_max_pairs", "seed", "match_threshold", "review_lower", "keep_threshold", "max_block_size",
                       "tf_adjustment_range", "cluster_guards", "cluster_guard_date", "max_field_length",
                       "split_block_size", "max_review_pairs"]

    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        let (settings, problems) = LinkageSettings.parse(json)
        guard let settings, problems.isEmpty else { throw LinkageError.config(problems) }
        self = settings
    }

    /// Parses settings, gathering every problem (each with its place in the document). Keys left out take
    /// their defaults.
    public static func parse(_ json: JSONValue, at root: String = "settings") -> (LinkageSettings?, [String]) {
        var log = ProblemLog()
        guard let o = json.object else { return (nil, ["\(root): must be an object, not \(json.typeName)"]) }
        log.unknownKeys(o, known: keys, at: root)
        let d = LinkageSettings()
        var s = d
        if let v = o["link_type"] {
            if let t = v.string.flatMap(LinkType.init(rawValue:)) { s.linkType = t } else {
                log.add(root + ".link_type", "must be one of \(LinkType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        // Columns.
        if let v = o["columns"] {
            if let cols = v.object {
                s.columns = []
                // The interner keeps each compared column's values apart by a byte (PreparedData.Interner).
                let most = Int(PreparedData.Interner.spaceRange.upperBound) + 1 - ColumnSpec.builtIn.count
                if cols.count > most { log.add(root + ".columns", "at most \(most) declared columns, not \(cols.count)") }
                for (name, spec) in cols.sorted(by: { $0.key < $1.key }) {
                    let path = root + ".columns." + name
                    if ColumnSpec.builtIn.contains(where: { $0.name == name }) { log.add(path, "'\(name)' is a built-in column; choose another name"); continue }
                    if let t = spec.string {
                        guard let type = ColumnType(rawValue: t) else { log.add(path, "unknown column type '\(t)' (known: \(ColumnType.allCases.map(\.rawValue).joined(separator: ", ")))"); continue }
                        s.columns.append(ColumnSpec(name, type))
                    } else if let so = spec.object {
                        log.unknownKeys(so, known: ["type", "check"], at: path)
                        guard let t = log.string(so, "type", at: path), let type = ColumnType(rawValue: t) else {
                            log.add(path + ".type", "give a column type (\(ColumnType.allCases.map(\.rawValue).joined(separator: ", ")))"); continue
                        }
                        var check = IdentifierCheck.none
                        if let c = log.string(so, "check", at: path) {
                            if let k = IdentifierCheck(rawValue: c) { check = k } else { log.add(path + ".check", "unknown check '\(c)' (known: \(IdentifierCheck.allCases.map(\.rawValue).joined(separator: ", ")))") }
                            if type != .identifier { log.add(path + ".check", "a check digit applies to columns of type identifier only") }
                        }
                        s.columns.append(ColumnSpec(name, type, check: check))
                    } else { log.add(path, "must be a type name or an object") }
                }
            } else { log.add(root + ".columns", "must be an object of column name to type") }
        }
        func columnType(_ c: String) -> ColumnType? { s.column(c)?.type }
        // Comparisons.
        if let v = o["comparisons"] {
            if let list = v.array {
                s.comparisons = []
                for (i, item) in list.enumerated() {
                    if let c = parseComparison(item, at: "\(root).comparisons[\(i)]", log: &log, columnType: columnType) {
                        if s.comparisons.contains(where: { $0.name == c.name }) {
                            log.add("\(root).comparisons[\(i)]", "the comparison '\(c.name)' is listed twice")
                        } else { s.comparisons.append(c) }
                    }
                }
                if list.isEmpty || list.count > 16 { log.add(root + ".comparisons", "give between 1 and 16 comparisons, not \(list.count)") }
            } else { log.add(root + ".comparisons", "must be a list") }
        }
        // Blocking.
        func rules(_ key: String) -> [BlockingRule]? {
            guard let v = o[key] else { return nil }
            guard let list = v.array else { log.add(root + "." + key, "must be a list of rules such as \"dob + initial(surname)\""); return nil }
            var out: [BlockingRule] = []
            for (i, item) in list.enumerated() {
                let path = "\(root).\(key)[\(i)]"
                let text: String
                if let t = item.string { text = t } else if let parts = item.array?.compactMap(\.string) { text = parts.joined(separator: " + ") } else {
                    log.add(path, "must be a string such as \"dob + initial(surname)\""); continue
                }
                let (rule, problems) = BlockingRule.parse(text)
                for p in problems { log.add(path, p) }
                guard let rule else { continue }
                checkKeys(rule.allKeys, at: path, log: &log, columnType: columnType)
                if out.contains(rule) { log.add(path, "the rule '\(rule)' is listed twice") } else { out.append(rule) }
            }
            if out.isEmpty && problemsFree(list) { log.add(root + "." + key, "give at least one rule") }
            return out
        }
        func problemsFree(_ l: [JSONValue]) -> Bool { l.isEmpty }
        if let r = rules("blocking_rules") { s.blockingRules = r }
        if let r = rules("training_rules") { s.trainingRules = r }
        if o["blocking_rules"] == nil { checkKeys(s.blockingRules.flatMap(\.allKeys), at: root + ".blocking_rules (default)", log: &log, columnType: columnType) }
        if let v = o["cluster_guards"] {
            if let list = v.array {
                s.clusterGuards = []
                for (i, item) in list.enumerated() {
                    guard let t = item.string else { log.add("\(root).cluster_guards[\(i)]", "must be a key such as \"nhs\""); continue }
                    let (k, p) = BlockingKey.parse(t)
                    if let p { log.add("\(root).cluster_guards[\(i)]", p) }
                    if let k { checkKeys([k], at: "\(root).cluster_guards[\(i)]", log: &log, columnType: columnType); s.clusterGuards.append(k) }
                }
            } else { log.add(root + ".cluster_guards", "must be a list of keys") }
        }
        if let v = o["cluster_guard_date"] {
            if case .null = v { s.clusterGuardDate = nil } else if let c = v.string {
                if columnType(c) != .date { log.add(root + ".cluster_guard_date", "'\(c)' is not a date column") }
                s.clusterGuardDate = c
            } else { log.add(root + ".cluster_guard_date", "must be a date column's name or null") }
        }
        // Numbers.
        s.uSamplePairs = log.int(o, "u_sample_pairs", at: root, range: 1...1_000_000_000, default: d.uSamplePairs)
        s.emMaxIterations = log.int(o, "em_max_iterations", at: root, range: 1...100_000, default: d.emMaxIterations)
        s.emMaxPairs = log.int(o, "em_max_pairs", at: root, range: 1...1_000_000_000, default: d.emMaxPairs)
        s.seed = UInt64(log.int(o, "seed", at: root, range: 0...(1 << 53), default: Int(d.seed)))
        s.matchThreshold = log.double(o, "match_threshold", at: root, range: 0...1, default: d.matchThreshold)
        s.reviewLower = log.double(o, "review_lower", at: root, range: 0...1, default: d.reviewLower)
        s.keepThreshold = log.double(o, "keep_threshold", at: root, range: 0...1, default: d.keepThreshold)
        s.maxBlockSize = log.int(o, "max_block_size", at: root, range: 2...100_000_000, default: d.maxBlockSize)
        s.maxFieldLength = log.int(o, "max_field_length", at: root, range: 10...100_000, default: d.maxFieldLength)
        s.splitBlockSize = log.int(o, "split_block_size", at: root, range: 2...100_000_000, default: d.splitBlockSize)
        s.maxReviewPairs = log.int(o, "max_review_pairs", at: root, range: 0...100_000_000, default: d.maxReviewPairs)
        if s.reviewLower > s.matchThreshold { log.add(root, "review_lower (\(s.reviewLower)) must not be above match_threshold (\(s.matchThreshold))") }
        if let v = o["tf_adjustment_range"] {
            if let a = v.array?.compactMap(\.number), a.count == 2, a.allSatisfy(\.isFinite), a[0] <= 0, a[1] >= 0 { s.tfAdjustmentRange = a[0]...a[1] } else {
                log.add(root + ".tf_adjustment_range", "must be [low, high] with low <= 0 <= high, in bits")
            }
        }
        // Training rules must leave something to train.
        for r in s.trainingRules where !s.comparisons.contains(where: { !forced(by: r, $0) }) {
            log.add(root + ".training_rules", "the rule '\(r)' fixes every comparison, so its EM session would train nothing")
        }
        return log.problems.isEmpty ? (s, []) : (nil, log.problems)
    }

    /// Whether a training rule fixes a comparison (so its EM session leaves it out).
    static func forced(by rule: BlockingRule, _ c: ComparisonSpec) -> Bool {
        let cols = rule.columns
        return cols.contains(c.column) || c.relatedColumns.contains { cols.contains($0) }
    }

    static func checkKeys(_ keys: [BlockingKey], at path: String, log: inout ProblemLog, columnType: (String) -> ColumnType?) {
        for k in keys {
            for c in k.columns {
                guard let t = columnType(c) else { log.add(path, "unknown column '\(c)' in '\(k)'"); continue }
                switch k.function {
                case .year, .monthDay: if t != .date { log.add(path, "\(k.function.rawValue)() needs a date column; '\(c)' is \(t.rawValue)") }
                case .sector, .district, .area: if t != .ukPostcode { log.add(path, "\(k.function.rawValue)() needs a uk_postcode column; '\(c)' is \(t.rawValue)") }
                case .town: if t != .address { log.add(path, "town() needs an address column; '\(c)' is \(t.rawValue)") }
                default: break
                }
            }
        }
    }

    static let comparisonKeys = ["name", "column", "template", "levels", "related_columns", "threshold", "tf", "max_edits", "prefixes", "within"]
    static let levelKeys = ["type", "label", "tf", "null", "threshold", "max", "list", "min", "bits", "other", "days", "years",
                            "difference", "fraction", "length", "start", "levels", "values"]

    static func parseComparison(_ item: JSONValue, at path: String, log: inout ProblemLog, columnType: (String) -> ColumnType?) -> ComparisonSpec? {
        if let t = item.string {
            guard columnType(t) != nil else { log.add(path, "'\(t)' is neither a built-in comparison nor a column; write {\"column\": …, \"template\": …}"); return nil }
            let (c, p) = Templates.make(t, column: t, options: [:])
            if let p {
                // A column name alone: the template of its type.
                guard let type = columnType(t) else { log.add(path, p); return nil }
                return Templates.make(defaultTemplate(type), column: t, options: [:]).0.map { var c = $0; c.name = t; return c }
            }
            return c
        }
        guard let o = item.object else { log.add(path, "must be a template name or an object"); return nil }
        log.unknownKeys(o, known: comparisonKeys, at: path)
        guard let column = log.string(o, "column", at: path) else { log.add(path, "needs a \"column\""); return nil }
        guard let type = columnType(column) else { log.add(path + ".column", "unknown column '\(column)' (declare it under settings.columns, or map a built-in one)"); return nil }
        let name = log.string(o, "name", at: path) ?? column
        var related: [String] = []
        if let r = o["related_columns"] {
            related = r.array?.compactMap(\.string) ?? []
            for c in related where columnType(c) == nil { log.add(path + ".related_columns", "unknown column '\(c)'") }
        }
        var spec: ComparisonSpec
        if let levels = o["levels"] {
            guard let list = levels.array, !list.isEmpty else { log.add(path + ".levels", "must be a non-empty list of levels"); return nil }
            var out: [LevelSpec] = []
            for (i, l) in list.enumerated() {
                if let lv = parseLevel(l, at: "\(path).levels[\(i)]", top: true, log: &log, column: column, type: type, columnType: columnType) { out.append(lv) }
            }
            checkOrder(out, at: path + ".levels", log: &log)
            spec = ComparisonSpec(name: name, column: column, levels: out, relatedColumns: related, template: o["template"]?.string)
        } else {
            let template = log.string(o, "template", at: path) ?? defaultTemplate(type)
            let (c, p) = Templates.make(template, column: column, options: o)
            if let p { log.add(path + ".template", p); return nil }
            spec = c!
            spec.name = name
            if !related.isEmpty { spec.relatedColumns = related }
            for l in spec.levels { checkLevel(l.test, at: path, log: &log, column: column, type: type, columnType: columnType) }
        }
        if spec.levelCount > 15 { log.add(path, "at most 14 levels besides else, not \(spec.levelCount - 1)") }
        return spec
    }

    static func defaultTemplate(_ t: ColumnType) -> String {
        switch t {
        case .text: "text"
        case .name, .forename: "name"
        case .list: "list"
        case .date: "date"
        case .number: "number"
        case .ukPostcode: "uk_postcode"
        case .code: "code"
        case .identifier: "identifier"
        case .address: "address"
        case .sex: "sex"
        }
    }

    static func parseLevel(_ v: JSONValue, at path: String, top: Bool, log: inout ProblemLog, column: String, type: ColumnType,
                           columnType: (String) -> ColumnType?) -> LevelSpec? {
        var o: [String: JSONValue]
        if let s = v.string { o = ["type": .string(s)] } else if let x = v.object { o = x } else { log.add(path, "must be a level type or an object"); return nil }
        log.unknownKeys(o, known: levelKeys, at: path)
        guard let t = log.string(o, "type", at: path) else { log.add(path, "needs a \"type\""); return nil }
        func num(_ key: String, _ range: ClosedRange<Double>) -> Double? {
            guard o[key] != nil else { log.add(path, "\(t) needs \"\(key)\""); return nil }
            let x = log.double(o, key, at: path, range: range, default: .nan)
            return x.isNaN ? nil : x
        }
        func int(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            guard o[key] != nil else { log.add(path, "\(t) needs \"\(key)\""); return nil }
            let x = log.int(o, key, at: path, range: range, default: Int.min)
            return x == Int.min ? nil : x
        }
        var test: LevelTest?
        var label = t
        switch t {
        case "exact": test = .exact
        case "jaro_winkler": if let x = num("threshold", 0...1) { test = .jaroWinkler(x); label = "jaro-winkler >= \(ProblemLog.show(x))" }
        case "jaro": if let x = num("threshold", 0...1) { test = .jaro(x); label = "jaro >= \(ProblemLog.show(x))" }
        case "levenshtein": if let x = int("max", 1...10) { test = .levenshtein(x); label = "levenshtein <= \(x)" }
        case "damerau_levenshtein": if let x = int("max", 1...10) { test = .damerauLevenshtein(x); label = "damerau-levenshtein <= \(x)" }
        case "jaccard": if let x = num("threshold", 0...1) { test = .jaccard(x); label = "token jaccard >= \(ProblemLog.show(x))" }
        case "phonetic": test = .phonetic
        case "nickname": test = .nickname
        case "initial": test = .initial
        case "in_list":
            if let l = log.string(o, "list", at: path) {
                if columnType(l) == nil { log.add(path + ".list", "unknown column '\(l)'") } else { test = .inList(l); label = "among \(l)" }
            } else { log.add(path, "in_list needs \"list\", a list column") }
        case "shared_token": test = .sharedToken
        case "list_intersect": if let x = int("min", 1...100) { test = .listIntersect(x); label = "\(x) or more in common" }
        case "token_weight": if let x = num("bits", 0...64) { test = .tokenWeight(x); label = "shared tokens >= \(ProblemLog.show(x)) bits" }
        case "columns_reversed":
            if let other = log.string(o, "other", at: path) {
                if columnType(other) == nil { log.add(path + ".other", "unknown column '\(other)'") }
                let th = o["threshold"] == nil ? 1.0 : log.double(o, "threshold", at: path, range: 0...1, default: 1)
                test = .reversed(other, th); label = "\(column) and \(other) swapped"
            } else { log.add(path, "columns_reversed needs \"other\", the column swapped with this one") }
        case "day_month_swapped": test = .dayMonthSwapped
        case "date_one_off": test = .dateOneOff
        case "days_within": if let x = int("days", 1...100_000) { test = .daysWithin(x); label = "within \(x) days" }
        case "years_within": if let x = int("years", 1...200) { test = .yearsWithin(x); label = "within \(x) years" }
        case "year_off":
            if let y = int("years", 1...200) { test = .yearOff(years: y, days: o["days"] == nil ? 0 : log.int(o, "days", at: path, range: 0...31, default: 0)); label = "year off by up to \(y)" }
        case "number_within": if let x = num("difference", 0...1e300) { test = .numberWithin(x); label = "within \(ProblemLog.show(x))" }
        case "number_relative": if let x = num("fraction", 0...1) { test = .numberRelative(x); label = "within \(ProblemLog.show(x * 100))%" }
        case "postcode_sector": test = .postcodeSector
        case "postcode_district": test = .postcodeDistrict
        case "postcode_area": test = .postcodeArea
        case "prefix": if let x = int("length", 1...1000) { test = .prefix(x); label = "first \(x) characters" }
        case "substring":
            if let s = int("start", 1...1000), let l = int("length", 1...1000) { test = .substring(s, l); label = "characters \(s)–\(s + l - 1)" }
        case "house_number_and_street": if let x = num("bits", 0...64) { test = .houseNumberAndStreet(x); label = "same house number and street" }
        case "house_number": test = .houseNumber
        case "town": test = .town
        case "null":
            let values = o["values"]?.array?.compactMap(\.string) ?? []
            test = .oneOf(values.map { $0.uppercased() }); label = "null"
        case "any", "all":
            guard let list = o["levels"]?.array, !list.isEmpty else { log.add(path, "\(t) needs \"levels\", a list of tests"); return nil }
            let parts = list.enumerated().compactMap { parseLevel($1, at: "\(path).levels[\($0)]", top: false, log: &log, column: column, type: type, columnType: columnType)?.test }
            guard parts.count == list.count else { return nil }
            test = t == "any" ? .any(parts) : .all(parts)
        default:
            log.add(path, "unknown level type '\(t)' (known: exact, jaro_winkler, jaro, levenshtein, damerau_levenshtein, jaccard, phonetic, nickname, initial, in_list, shared_token, list_intersect, token_weight, columns_reversed, day_month_swapped, date_one_off, days_within, years_within, year_off, number_within, number_relative, postcode_sector, postcode_district, postcode_area, prefix, substring, house_number_and_street, house_number, town, null, any, all)")
        }
        guard let test else { return nil }
        checkLevel(test, at: path, log: &log, column: column, type: type, columnType: columnType)
        let tf = log.bool(o, "tf", at: path, default: false)
        if tf && test != .exact { log.add(path, "a term-frequency adjustment (tf) applies to exact levels only") }
        if let l = log.string(o, "label", at: path) { label = l }
        return LevelSpec(test, label: label, termFrequency: tf, isNull: t == "null" || log.bool(o, "null", at: path, default: false))
    }

    /// Levels that need a column of a certain type.
    static func checkLevel(_ test: LevelTest, at path: String, log: inout ProblemLog, column: String, type: ColumnType, columnType: (String) -> ColumnType?) {
        func need(_ types: [ColumnType], _ what: String) {
            if !types.contains(type) { log.add(path, "\(what) needs a column of type \(types.map(\.rawValue).joined(separator: " or ")); '\(column)' is \(type.rawValue)") }
        }
        switch test {
        case .dayMonthSwapped, .dateOneOff, .daysWithin, .yearsWithin, .yearOff: need([.date], "a date level")
        case .numberWithin, .numberRelative: need([.number], "a number level")
        case .postcodeSector, .postcodeDistrict, .postcodeArea: need([.ukPostcode], "a postcode level")
        case .houseNumberAndStreet, .houseNumber, .town: need([.address], "an address level")
        case .nickname: need([.forename, .name, .text], "nickname")
        case .inList(let l): if let lt = columnType(l), lt != .list { log.add(path, "in_list needs a list column; '\(l)' is \(lt.rawValue)") }
        case .listIntersect: need([.list, .text, .name, .address], "list_intersect")
        case .any(let parts), .all(let parts): for p in parts { checkLevel(p, at: path, log: &log, column: column, type: type, columnType: columnType) }
        default: break
        }
    }

    /// Similarity thresholds must weaken down the levels: a later Jaro-Winkler level with a higher threshold could never be reached.
    static func checkOrder(_ levels: [LevelSpec], at path: String, log: inout ProblemLog) {
        var lastSim: [String: Double] = [:], lastDist: [String: Double] = [:]
        for (i, l) in levels.enumerated() {
            var sim: (String, Double)?, dist: (String, Double)?
            switch l.test {
            case .jaroWinkler(let x): sim = ("jaro_winkler", x)
            case .jaro(let x): sim = ("jaro", x)
            case .jaccard(let x): sim = ("jaccard", x)
            case .tokenWeight(let x): sim = ("token_weight", x)
            case .listIntersect(let x): sim = ("list_intersect", Double(x))
            case .prefix(let x): sim = ("prefix", Double(x))
            case .levenshtein(let x): dist = ("levenshtein", Double(x))
            case .damerauLevenshtein(let x): dist = ("damerau_levenshtein", Double(x))
            case .daysWithin(let x): dist = ("days_within", Double(x))
            case .yearsWithin(let x): dist = ("years_within", Double(x))
            case .numberWithin(let x): dist = ("number_within", x)
            case .numberRelative(let x): dist = ("number_relative", x)
            default: break
            }
            if let (k, x) = sim {
                if let prev = lastSim[k], x >= prev { log.add("\(path)[\(i)]", "thresholds out of order: \(k) \(ProblemLog.show(x)) after \(ProblemLog.show(prev)) can never be reached; list stronger levels first") }
                lastSim[k] = x
            }
            if let (k, x) = dist {
                if let prev = lastDist[k], x <= prev { log.add("\(path)[\(i)]", "thresholds out of order: \(k) \(ProblemLog.show(x)) after \(ProblemLog.show(prev)) can never be reached; list stronger levels first") }
                lastDist[k] = x
            }
        }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// The settings as a JSON document, every comparison written out level by level.
    public var json: JSONValue {
        var o: [String: JSONValue] = [:]
        o["link_type"] = .string(linkType.rawValue)
        if !columns.isEmpty {
            o["columns"] = .object(Dictionary(uniqueKeysWithValues: columns.map { c in
                (c.name, c.check == .none ? .string(c.type.rawValue) : .object(["type": .string(c.type.rawValue), "check": .string(c.check.rawValue)]))
            }))
        }
        o["comparisons"] = .array(comparisons.map { c in
            var co: [String: JSONValue] = ["name": .string(c.name), "column": .string(c.column), "levels": .array(c.levels.map(Self.levelJSON))]
            if !c.relatedColumns.isEmpty { co["related_columns"] = .array(c.relatedColumns.map { .string($0) }) }
            if let t = c.template { co["template"] = .string(t) }
            return .object(co)
        })
        o["blocking_rules"] = .array(blockingRules.map { .string($0.description) })
        o["training_rules"] = .array(trainingRules.map { .string($0.description) })
        o["u_sample_pairs"] = .number(Double(uSamplePairs)); o["em_max_iterations"] = .number(Double(emMaxIterations))
        o["em_max_pairs"] = .number(Double(emMaxPairs)); o["seed"] = .number(Double(seed))
        o["match_threshold"] = .number(matchThreshold); o["review_lower"] = .number(reviewLower); o["keep_threshold"] = .number(keepThreshold)
        o["max_block_size"] = .number(Double(maxBlockSize)); o["max_field_length"] = .number(Double(maxFieldLength))
        o["split_block_size"] = .number(Double(splitBlockSize)); o["max_review_pairs"] = .number(Double(maxReviewPairs))
        o["tf_adjustment_range"] = .array([.number(tfAdjustmentRange.lowerBound), .number(tfAdjustmentRange.upperBound)])
        o["cluster_guards"] = .array(clusterGuards.map { .string($0.description) })
        o["cluster_guard_date"] = clusterGuardDate.map { .string($0) } ?? .null
        return .object(o)
    }

    static func levelJSON(_ l: LevelSpec) -> JSONValue {
        var o = testJSON(l.test).object!
        o["label"] = .string(l.label)
        if l.termFrequency { o["tf"] = .bool(true) }
        if l.isNull, case .oneOf = l.test {} else if l.isNull { o["null"] = .bool(true) }
        return .object(o)
    }

    static func testJSON(_ t: LevelTest) -> JSONValue {
        func o(_ type: String, _ extra: [String: JSONValue] = [:]) -> JSONValue { .object(extra.merging(["type": .string(type)]) { a, _ in a }) }
        switch t {
        case .exact: return o("exact")
        case .jaroWinkler(let x): return o("jaro_winkler", ["threshold": .number(x)])
        case .jaro(let x): return o("jaro", ["threshold": .number(x)])
        case .levenshtein(let x): return o("levenshtein", ["max": .number(Double(x))])
        case .damerauLevenshtein(let x): return o("damerau_levenshtein", ["max": .number(Double(x))])
        case .jaccard(let x): return o("jaccard", ["threshold": .number(x)])
        case .phonetic: return o("phonetic")
        case .nickname: return o("nickname")
        case .initial: return o("initial")
        case .inList(let l): return o("in_list", ["list": .string(l)])
        case .sharedToken: return o("shared_token")
        case .listIntersect(let x): return o("list_intersect", ["min": .number(Double(x))])
        case .tokenWeight(let x): return o("token_weight", ["bits": .number(x)])
        case .reversed(let other, let th): return o("columns_reversed", ["other": .string(other), "threshold": .number(th)])
        case .dayMonthSwapped: return o("day_month_swapped")
        case .dateOneOff: return o("date_one_off")
        case .daysWithin(let x): return o("days_within", ["days": .number(Double(x))])
        case .yearsWithin(let x): return o("years_within", ["years": .number(Double(x))])
        case .yearOff(let y, let d): return o("year_off", ["years": .number(Double(y)), "days": .number(Double(d))])
        case .numberWithin(let x): return o("number_within", ["difference": .number(x)])
        case .numberRelative(let x): return o("number_relative", ["fraction": .number(x)])
        case .postcodeSector: return o("postcode_sector")
        case .postcodeDistrict: return o("postcode_district")
        case .postcodeArea: return o("postcode_area")
        case .prefix(let x): return o("prefix", ["length": .number(Double(x))])
        case .substring(let s, let l): return o("substring", ["start": .number(Double(s)), "length": .number(Double(l))])
        case .houseNumberAndStreet(let x): return o("house_number_and_street", ["bits": .number(x)])
        case .houseNumber: return o("house_number")
        case .town: return o("town")
        case .oneOf(let v): return o("null", ["values": .array(v.map { .string($0) })])
        case .any(let p): return o("any", ["levels": .array(p.map(testJSON))])
        case .all(let p): return o("all", ["levels": .array(p.map(testJSON))])
        }
    }
}
