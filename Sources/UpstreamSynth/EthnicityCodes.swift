import UpstreamModel

/// The ethnic-group code systems the city's extracts use, each consistently within its extract:
///
/// - **16+1** (2001 Census categories, as police record self-defined ethnicity): `W1`…`O9`, `NS` not stated;
/// - **DfE** main codes (school census, children's social care): `WBRI`…`OOTH`, `REFU` refused, `NOBT` not obtained;
/// - **officer-defined** (police nominals): one letter per group, `W`, `M`, `A`, `B`, `O`.
///
/// A person's true detailed group is one of the sixteen below, drawn within their five-way group.
enum EthnicityCodes {
    /// (group, 16+1 code, DfE code, share within the group).
    static let detailed: [(Ethnicity, String, String, Double)] = [
        (.white, "W1", "WBRI", 0.98), (.white, "W2", "WIRI", 0.02),
        (.mixed, "M1", "MWBC", 0.36), (.mixed, "M2", "MWBA", 0.14), (.mixed, "M3", "MWAS", 0.27), (.mixed, "M9", "MOTH", 0.23),
        (.asian, "A2", "APKN", 0.388), (.asian, "A1", "AIND", 0.362), (.asian, "A3", "ABAN", 0.096), (.asian, "A9", "AOTH", 0.154),
        (.black, "B1", "BCRB", 0.494), (.black, "B2", "BAFR", 0.315), (.black, "B9", "BOTH", 0.191),
        (.other, "O1", "CHNE", 0.35), (.other, "O9", "OOTH", 0.65),
    ]

    /// Indices of `detailed` for each group, and their weights.
    static let byGroup: [Ethnicity: [Int]] = {
        var d: [Ethnicity: [Int]] = [:]
        for (i, e) in detailed.enumerated() { d[e.0, default: []].append(i) }
        return d
    }()

    static func draw(_ group: Ethnicity, _ rng: inout SeededRandom) -> Int8 {
        let list = byGroup[group]!
        return Int8(list[rng.weighted(list.map { detailed[$0].3 })])
    }

    /// Another detailed group (a recording inconsistency): within the same five-way group half the time.
    static func other(than i: Int8, _ rng: inout SeededRandom) -> Int8 {
        let group = detailed[Int(i)].0
        let same = byGroup[group]!.filter { $0 != Int(i) }
        if !same.isEmpty && rng.chance(0.5) { return Int8(same[rng.below(same.count)]) }
        var j = rng.below(detailed.count)
        if j == Int(i) { j = (j + 1) % detailed.count }
        return Int8(j)
    }
}
