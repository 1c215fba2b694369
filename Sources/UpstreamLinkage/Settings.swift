/// The comparisons Upstream knows, each with fixed, ordered levels (strongest first).
///
/// A level index of 0 means "null": a value was missing on either side, and the comparison contributes nothing.
public enum ComparisonKind: String, Codable, Sendable, CaseIterable, Hashable {
    case forename, surname, dob, sex, postcode, nhs, upn, pnc
    case localID = "local_id"

    /// Level labels, strongest first (index 1…).
    public var levels: [String] {
        switch self {
        case .forename: ["exact", "nickname or middle name", "jaro-winkler >= 0.92", "jaro-winkler >= 0.80", "fore- and surname swapped", "initial only agrees", "else"]
        case .surname: ["exact", "jaro-winkler >= 0.92 or one edit", "same phonetic code", "shares a token (hyphenated, double-barrelled)", "jaro-winkler >= 0.80", "initial only agrees", "else"]
        case .dob: ["exact", "day and month swapped", "one digit or one day off", "year off by one", "else"]
        case .sex: ["agree", "disagree"]
        case .postcode: ["unit", "sector", "district", "else"]
        case .nhs, .upn: ["same valid identifier", "different valid identifiers"]
        case .pnc: ["same valid identifier", "same serial, different year", "different valid identifiers"]
        case .localID: ["same local id (same id system)", "different local ids (same id system)"]
        }
    }

    /// Whether the exact level takes a term-frequency adjustment.
    public var termFrequencyAdjusted: Bool { self == .forename || self == .surname }
}

/// A blocking key: a value two records must share for a rule to pair them.
public enum BlockingKey: String, Codable, Sendable, CaseIterable, Hashable {
    case dob
    case birthYear = "birth_year"
    case dobMonthDay = "dob_month_day"
    case forename
    case forenamePhonetic = "forename_phonetic"
    case forenameCanonical = "forename_canonical"
    case forenameInitial = "forename_initial"
    case surname
    case surnamePhonetic = "surname_phonetic"
    case surnameInitial = "surname_initial"
    /// Both initials in alphabetical order, so a record with fore- and surname swapped keeps its key.
    case nameInitials = "name_initials"
    case postcode
    case postcodeSector = "postcode_sector"
    case sex
    case nhs, upn, pnc
    case localID = "local_id"

    /// The comparisons whose agreement a rule on this key forces (left out of EM sessions trained on that rule).
    public var comparisons: Set<ComparisonKind> {
        switch self {
        case .dob, .birthYear, .dobMonthDay: [.dob]
        case .forename, .forenamePhonetic, .forenameCanonical, .forenameInitial: [.forename, .sex]  // a forename all but fixes sex
        case .surname, .surnamePhonetic, .surnameInitial: [.surname]
        case .nameInitials: [.forename, .surname, .sex]
        case .postcode, .postcodeSector: [.postcode]
        case .sex: [.sex]
        case .nhs: [.nhs]
        case .upn: [.upn]
        case .pnc: [.pnc]
        case .localID: [.localID]
        }
    }
}

/// A blocking rule: pairs of records that agree on every key (one to three keys).
public struct BlockingRule: Codable, Sendable, Hashable, CustomStringConvertible {
    public var keys: [BlockingKey]
    public init(_ keys: [BlockingKey]) { precondition((1...3).contains(keys.count)); self.keys = keys }
    public var description: String { keys.map(\.rawValue).joined(separator: " + ") }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            let parts = s.split(separator: "+").map { $0.trimmingCharacters() }
            var keys: [BlockingKey] = []
            for p in parts {
                guard let k = BlockingKey(rawValue: p) else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown blocking key '\(p)'")
                }
                keys.append(k)
            }
            guard (1...3).contains(keys.count) else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "a blocking rule has one to three keys") }
            self.keys = keys
        } else {
            self.keys = try c.decode([BlockingKey].self)
        }
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// Everything that shapes a linkage run: comparisons, blocking, training and thresholds. One immutable value
/// shared by training, prediction, clustering and evaluation; saved inside the model.
public struct LinkageSettings: Codable, Sendable, Hashable {
    /// The comparisons made for every candidate pair.
    public var comparisons: [ComparisonKind]
    /// Blocking rules; their union is compared, each pair once.
    public var blockingRules: [BlockingRule]
    /// Rules whose pairs train m by EM, one session each (Splink's approach: comparisons the rule forces are left out).
    public var trainingRules: [BlockingRule]
    /// Random record pairs sampled to estimate u.
    public var uSamplePairs: Int
    public var emMaxIterations: Int
    /// Pairs an EM session samples from its rule's blocks at most.
    public var emMaxPairs: Int
    public var seed: UInt64
    /// Pairs at or above this match probability join one person.
    public var matchThreshold: Double
    /// Pairs with match probability in [reviewLower, matchThreshold) go to clerical review.
    public var reviewLower: Double
    /// Pairs below this probability are dropped after scoring (kept neither for clustering nor review).
    public var keepThreshold: Double
    /// Blocks larger than this (in distinct identities) are skipped and counted as such.
    public var maxBlockSize: Int
    /// Bounds on a term-frequency adjustment, in bits.
    public var tfAdjustmentRange: ClosedRange<Double>

    public init(
        comparisons: [ComparisonKind] = ComparisonKind.allCases,
        blockingRules: [BlockingRule] = LinkageSettings.defaultBlockingRules,
        trainingRules: [BlockingRule] = LinkageSettings.defaultTrainingRules,
        uSamplePairs: Int = 2_000_000, emMaxIterations: Int = 40, emMaxPairs: Int = 2_000_000, seed: UInt64 = 42,
        matchThreshold: Double = 0.95, reviewLower: Double = 0.5, keepThreshold: Double = 0.01,
        maxBlockSize: Int = 1000, tfAdjustmentRange: ClosedRange<Double> = -4...6
    ) {
        self.comparisons = comparisons; self.blockingRules = blockingRules; self.trainingRules = trainingRules
        self.uSamplePairs = uSamplePairs; self.emMaxIterations = emMaxIterations; self.emMaxPairs = emMaxPairs; self.seed = seed
        self.matchThreshold = matchThreshold; self.reviewLower = reviewLower; self.keepThreshold = keepThreshold
        self.maxBlockSize = maxBlockSize; self.tfAdjustmentRange = tfAdjustmentRange
    }

    public static let defaultBlockingRules: [BlockingRule] = [
        BlockingRule([.nhs]), BlockingRule([.upn]), BlockingRule([.pnc]), BlockingRule([.localID]),
        BlockingRule([.dob, .surnameInitial]), BlockingRule([.dob, .forenameInitial]), BlockingRule([.dob, .postcode]),
        BlockingRule([.dob, .nameInitials]),
        BlockingRule([.surnamePhonetic, .forenameInitial, .birthYear]),
        BlockingRule([.forenameCanonical, .surnamePhonetic, .postcodeSector]),
        BlockingRule([.dobMonthDay, .surnamePhonetic]),
    ]

    public static let defaultTrainingRules: [BlockingRule] = [
        BlockingRule([.dob]), BlockingRule([.surnamePhonetic, .forenamePhonetic]),
    ]

    enum CodingKeys: String, CodingKey {
        case comparisons, blockingRules = "blocking_rules", trainingRules = "training_rules", uSamplePairs = "u_sample_pairs"
        case emMaxIterations = "em_max_iterations", emMaxPairs = "em_max_pairs", seed, matchThreshold = "match_threshold", reviewLower = "review_lower"
        case keepThreshold = "keep_threshold", maxBlockSize = "max_block_size", tfAdjustmentRange = "tf_adjustment_range"
    }

    /// Decodes settings; any key left out takes its default.
    public init(from decoder: any Decoder) throws {
        let d = LinkageSettings()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        comparisons = try c.decodeIfPresent([ComparisonKind].self, forKey: .comparisons) ?? d.comparisons
        blockingRules = try c.decodeIfPresent([BlockingRule].self, forKey: .blockingRules) ?? d.blockingRules
        trainingRules = try c.decodeIfPresent([BlockingRule].self, forKey: .trainingRules) ?? d.trainingRules
        uSamplePairs = try c.decodeIfPresent(Int.self, forKey: .uSamplePairs) ?? d.uSamplePairs
        emMaxIterations = try c.decodeIfPresent(Int.self, forKey: .emMaxIterations) ?? d.emMaxIterations
        emMaxPairs = try c.decodeIfPresent(Int.self, forKey: .emMaxPairs) ?? d.emMaxPairs
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        matchThreshold = try c.decodeIfPresent(Double.self, forKey: .matchThreshold) ?? d.matchThreshold
        reviewLower = try c.decodeIfPresent(Double.self, forKey: .reviewLower) ?? d.reviewLower
        keepThreshold = try c.decodeIfPresent(Double.self, forKey: .keepThreshold) ?? d.keepThreshold
        maxBlockSize = try c.decodeIfPresent(Int.self, forKey: .maxBlockSize) ?? d.maxBlockSize
        tfAdjustmentRange = try c.decodeIfPresent(ClosedRange<Double>.self, forKey: .tfAdjustmentRange) ?? d.tfAdjustmentRange
        guard (0...1).contains(matchThreshold), (0...1).contains(reviewLower), reviewLower <= matchThreshold else {
            throw DecodingError.dataCorruptedError(forKey: .matchThreshold, in: c, debugDescription: "thresholds must satisfy 0 <= review_lower <= match_threshold <= 1")
        }
        guard comparisons.count <= 16, !comparisons.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .comparisons, in: c, debugDescription: "between 1 and 16 comparisons")
        }
    }
}
