import Foundation

/// The Monte Carlo behind the plan's intervals, as WSIPP reports them: each draw takes a calibration multiplier
/// (uniform over its range), each programme's effect (triangular: low, point, high) and each programme's cost per
/// participant (uniform over its range), and values the chosen offers with them.
public struct MonteCarlo: Sendable {
    public var draws: Int
    public var seed: UInt64
    public var calibration: (low: Double, high: Double)
    /// Per chosen offer: 2.5% and 97.5% points of harm averted, and P(harm averted > cost).
    public var offerLow: [Double], offerHigh: [Double], offerProbability: [Double]
    /// Per programme.
    public var programmeHarmLow: [Double], programmeHarmHigh: [Double]
    public var programmeNPVLow: [Double], programmeNPVHigh: [Double], programmeProbability: [Double]
    /// Per draw, the whole plan.
    public var harm: [Double], cost: [Double]

    /// Runs the draws.
    /// - Parameters:
    ///   - valued: the valued problem.
    ///   - chosen: the option indices of the plan.
    ///   - seed: the generator's seed (recorded in the plan).
    ///   - calibration: the multiplier's range (of the model's risk).
    ///   - central: the multiplier already in `valued`'s expected harm (each draw scales it by drawn / central).
    public static func run(valued v: PlanBuilder.Valued, chosen: [Int], draws: Int, seed: UInt64,
                           calibration: (Double, Double), central: Double = 1) -> MonteCarlo {
        var g = SeededGenerator(seed: seed)
        let J = v.programmes.count
        let n = max(draws, 1)
        // Base harm of each chosen offer's person, and per programme the sum of it and the number of offers.
        var base = [Double](), prog = [Int]()
        var baseSum = Array(repeating: 0.0, count: J), count = Array(repeating: 0, count: J)
        for i in chosen {
            let o = v.problem.options[i]
            base.append(v.expectedHarm[o.person]); prog.append(o.programme)
            baseSum[o.programme] += v.expectedHarm[o.person]; count[o.programme] += 1
        }
        var scale = Array(repeating: [Double](repeating: 0, count: n), count: J)  // calibration × effect
        var unitCost = Array(repeating: [Double](repeating: 0, count: n), count: J)
        var harm = [Double](repeating: 0, count: n), cost = [Double](repeating: 0, count: n)
        var pHarm = Array(repeating: [Double](repeating: 0, count: n), count: J)
        var pNPV = Array(repeating: [Double](repeating: 0, count: n), count: J)
        for d in 0..<n {
            let m = Draw.uniform(calibration.0, calibration.1, using: &g) / central
            for j in 0..<J {
                let e = v.programmes[j].effect.planning!.estimate
                let c = v.programmes[j].cost!
                scale[j][d] = m * Draw.triangular(low: e.low, mode: e.point, high: e.high, using: &g)
                unitCost[j][d] = Draw.uniform(c.low.pounds, c.high.pounds, using: &g)
                pHarm[j][d] = scale[j][d] * baseSum[j]
                pNPV[j][d] = pHarm[j][d] - unitCost[j][d] * Double(count[j])
                harm[d] += pHarm[j][d]
                cost[d] += unitCost[j][d] * Double(count[j])
            }
        }
        var mc = MonteCarlo(draws: n, seed: seed, calibration: calibration, offerLow: [], offerHigh: [], offerProbability: [],
                            programmeHarmLow: [], programmeHarmHigh: [], programmeNPVLow: [], programmeNPVHigh: [],
                            programmeProbability: [], harm: harm, cost: cost)
        let sortedScale = scale.map { $0.sorted() }
        for (k, b) in base.enumerated() {
            let j = prog[k]
            mc.offerLow.append(b * Draw.quantile(sortedScale[j], 0.025))
            mc.offerHigh.append(b * Draw.quantile(sortedScale[j], 0.975))
            var wins = 0
            for d in 0..<n where scale[j][d] * b > unitCost[j][d] { wins += 1 }
            mc.offerProbability.append(Double(wins) / Double(n))
        }
        for j in 0..<J {
            let h = pHarm[j].sorted(), npvSorted = pNPV[j].sorted()
            mc.programmeHarmLow.append(Draw.quantile(h, 0.025)); mc.programmeHarmHigh.append(Draw.quantile(h, 0.975))
            mc.programmeNPVLow.append(Draw.quantile(npvSorted, 0.025)); mc.programmeNPVHigh.append(Draw.quantile(npvSorted, 0.975))
            mc.programmeProbability.append(Double(pNPV[j].filter { $0 > 0 }.count) / Double(n))
        }
        return mc
    }

    /// The plan's figures.
    public func summary(settings: PlanSettings) -> Uncertainty {
        let h = harm.sorted()
        let npv = zip(harm, cost).map { $0 - $1 }.sorted()
        let bcr = zip(harm, cost).map { $1 > 0 ? $0 / $1 : 0 }.sorted()
        return Uncertainty(
            draws: draws, seed: seed, calibrationLow: calibration.low, calibrationHigh: calibration.high,
            calibrationCentral: settings.calibrationCentral == 1 ? nil : settings.calibrationCentral,
            harmAvertedLow: Money(pounds: Draw.quantile(h, 0.025)), harmAvertedMedian: Money(pounds: Draw.quantile(h, 0.5)),
            harmAvertedHigh: Money(pounds: Draw.quantile(h, 0.975)),
            netPresentValueLow: Money(pounds: Draw.quantile(npv, 0.025)), netPresentValueHigh: Money(pounds: Draw.quantile(npv, 0.975)),
            benefitCostRatioLow: Draw.quantile(bcr, 0.025), benefitCostRatioHigh: Draw.quantile(bcr, 0.975),
            probabilityBenefitExceedsCost: Double(npv.filter { $0 > 0 }.count) / Double(max(draws, 1)))
    }
}

/// One-at-a-time sensitivity of the plan's net present value (the tornado chart): the plan is held fixed and each
/// input moved to the ends of its range while the others stay at their central values.
public enum Sensitivity {
    public static func tornado(valued v: PlanBuilder.Valued, chosen: [Int], settings: PlanSettings) -> [SensitivityBar] {
        let J = v.programmes.count
        var baseSum = Array(repeating: 0.0, count: J), count = Array(repeating: 0, count: J)
        for i in chosen {
            let o = v.problem.options[i]
            baseSum[o.programme] += v.expectedHarm[o.person]; count[o.programme] += 1
        }
        let effect = v.programmes.map { $0.effect.planning!.estimate }
        let cost = v.programmes.map { $0.cost! }
        // The expected harm already holds the central calibration; the bar moves it to each end of its range.
        func npv(calibration m: Double = settings.calibrationCentral, effects: [Double]? = nil, costs: [Double]? = nil) -> Money {
            var total = 0.0
            for j in 0..<J where count[j] > 0 {
                total += m / settings.calibrationCentral * (effects?[j] ?? effect[j].point) * baseSum[j] - (costs?[j] ?? cost[j].central.pounds) * Double(count[j])
            }
            return Money(pounds: total)
        }
        var bars = [SensitivityBar(
            input: "calibration of the risk model", lowSetting: "× \(settings.calibrationLow)", highSetting: "× \(settings.calibrationHigh)",
            netPresentValueAtLow: npv(calibration: settings.calibrationLow), netPresentValueAtHigh: npv(calibration: settings.calibrationHigh))]
        for j in 0..<J where count[j] > 0 {
            var lo = effect.map(\.point), hi = lo
            lo[j] = effect[j].low; hi[j] = effect[j].high
            bars.append(SensitivityBar(
                input: "effect of \(v.programmes[j].name)", lowSetting: PlanBuilder.fixed(effect[j].low * 100, 0) + "%",
                highSetting: PlanBuilder.fixed(effect[j].high * 100, 0) + "%", netPresentValueAtLow: npv(effects: lo), netPresentValueAtHigh: npv(effects: hi)))
            if cost[j].low != cost[j].high {
                var cl = cost.map { $0.central.pounds }, ch = cl
                cl[j] = cost[j].low.pounds; ch[j] = cost[j].high.pounds
                // Higher cost lowers the NPV: the "low" end of the bar is the high cost.
                bars.append(SensitivityBar(
                    input: "cost of \(v.programmes[j].name)", lowSetting: cost[j].high.description, highSetting: cost[j].low.description,
                    netPresentValueAtLow: npv(costs: ch), netPresentValueAtHigh: npv(costs: cl)))
            }
        }
        return bars.sorted { $0.swing != $1.swing ? $0.swing > $1.swing : $0.input < $1.input }
    }
}

/// The range of the calibration multiplier (true risk over the model's) measured on held-out rows: observed outcomes
/// O over the sum of predicted risks E, with a 95% interval O/E · exp(±1.96 / √O) (Poisson count on the log scale),
/// widened to include 1 (the model's own scores are the central case).
public enum CalibrationRange {
    /// - Returns: nil when fewer than 5 outcomes were observed (too few to measure).
    public static func measured(observed: Int, expected: Double) -> (low: Double, high: Double, ratio: Double)? {
        guard observed >= 5, expected > 0 else { return nil }
        let ratio = Double(observed) / expected
        let half = 1.959964 / Double(observed).squareRoot()
        return (min(1, ratio * exp(-half)), max(1, ratio * exp(half)), ratio)
    }
}
