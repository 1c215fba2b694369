import Foundation

/// The change in the latest twelve months against the twelve before, tested with a quasi-Poisson model that has a
/// separate level for each month of the year (so seasonality cannot pass for change) and scales the standard error
/// by the overdispersion the data show. See docs/strategic-assessment.md, "Trend".
public struct SeasonalChangeTest: Codable, Sendable, Equatable {
    /// Crimes in the twelve months before the latest twelve.
    public var previous: Int
    /// Crimes in the latest twelve months.
    public var current: Int
    /// The estimated ratio current / previous (the model's exp(β)).
    public var ratio: Double
    /// (ratio − 1) as a percentage.
    public var changePercent: Double
    /// Pearson χ² / (24 − 13), at least 1: how much more the months vary than a Poisson count would.
    public var dispersion: Double
    /// Standard error of log(ratio), scaled by √dispersion.
    public var standardError: Double
    /// log(ratio) / standard error.
    public var t: Double
    /// Residual degrees of freedom: 24 months − 12 month-of-year levels − 1 change = 11.
    public var degreesOfFreedom: Int
    /// Two-sided p-value from Student's t with 11 degrees of freedom.
    public var p: Double
    /// 95% interval for the ratio.
    public var ratioLow: Double
    public var ratioHigh: Double
    /// `p < 0.05`.
    public var significant: Bool

    /// Plain words: "up 12.3% (p = 0.004)", "no significant change (−2.1%, p = 0.61)".
    public var words: String {
        let pct = (changePercent >= 0 ? "+" : "−") + Self.fixed(abs(changePercent), 1) + "%"
        let ptext = p < 0.001 ? "p < 0.001" : "p = " + Self.fixed(p, 3)
        if !significant { return "no significant change (\(pct), \(ptext))" }
        return (ratio > 1 ? "up " : "down ") + Self.fixed(abs(changePercent), 1) + "% (\(ptext))"
    }

    static func fixed(_ x: Double, _ d: Int) -> String {
        var scale = 1.0
        for _ in 0..<d { scale *= 10 }
        let n = Int((x * scale).rounded())
        let whole = n / Int(scale), frac = String(n % Int(scale))
        return d == 0 ? String(whole) : "\(whole)." + String(repeating: "0", count: d - frac.count) + frac
    }

    /// Tests the last 24 months of `monthly` (oldest first); `nil` with fewer than 24 months or no crimes in either year.
    ///
    /// The model is log E[yₘ,ᵧ] = αₘ + β·[year = current] for month of year m. Its maximum-likelihood estimates have a
    /// closed form: exp(β̂) = Σ current / Σ previous and α̂ₘ = log((y₀ₘ + y₁ₘ) / (1 + exp(β̂))); the Poisson variance of
    /// β̂ is 1/Σ current + 1/Σ previous, multiplied by the quasi-Poisson dispersion φ = Σ (y − μ̂)²/μ̂ / 11.
    public static func test(_ monthly: [Int]) -> SeasonalChangeTest? {
        guard monthly.count >= 24 else { return nil }
        let last = Array(monthly.suffix(24))
        let y0 = Array(last[0..<12]).map(Double.init), y1 = Array(last[12..<24]).map(Double.init)
        let s0 = y0.reduce(0, +), s1 = y1.reduce(0, +)
        guard s0 > 0, s1 > 0 else { return nil }
        let r = s1 / s0
        var pearson = 0.0
        for m in 0..<12 {
            let a = (y0[m] + y1[m]) / (1 + r)
            let mu0 = a, mu1 = a * r
            if mu0 > 0 { pearson += (y0[m] - mu0) * (y0[m] - mu0) / mu0 }
            if mu1 > 0 { pearson += (y1[m] - mu1) * (y1[m] - mu1) / mu1 }
        }
        let df = 11
        let phi = max(1, pearson / Double(df))
        let se = (phi * (1 / s1 + 1 / s0)).squareRoot()
        let beta = log(r)
        let t = beta / se
        let p = Statistics.studentTwoSided(t, df: Double(df))
        let tCrit = 2.200985160082949  // Student's t, 11 df, 97.5th percentile
        return SeasonalChangeTest(
            previous: Int(s0), current: Int(s1), ratio: r, changePercent: (r - 1) * 100, dispersion: phi,
            standardError: se, t: t, degreesOfFreedom: df, p: p,
            ratioLow: exp(beta - tCrit * se), ratioHigh: exp(beta + tCrit * se), significant: p < 0.05)
    }
}

/// A twelve-month forecast: the seasonal naive method (each month as it was a year earlier) with 95% intervals from the
/// spread of the method's own errors on the history (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*,
/// 3rd ed., §5.2 and §5.5).
public struct Forecast: Codable, Sendable, Equatable {
    /// One forecast month.
    public struct Point: Codable, Sendable, Equatable {
        public var month: YearMonth
        public var forecast: Double
        public var low: Double
        public var high: Double
    }

    public var points: [Point]
    /// Standard deviation of the seasonal naive errors yₜ − yₜ₋₁₂ on the history.
    public var residualSD: Double
    /// How many errors that standard deviation is from.
    public var residuals: Int

    /// The forecast for the 12 months after `lastMonth`; `nil` with fewer than 13 months (no error to learn from).
    public static func seasonalNaive(_ monthly: [Int], lastMonth: YearMonth) -> Forecast? {
        guard monthly.count >= 13 else { return nil }
        let y = monthly.map(Double.init)
        var errors: [Double] = []
        for t in 12..<y.count { errors.append(y[t] - y[t - 12]) }
        let n = Double(errors.count)
        // The mean of seasonal naive errors is not estimated (the method has no parameters), so the divisor is n.
        let sd = (errors.reduce(0) { $0 + $1 * $1 } / n).squareRoot()
        let z = 1.959963984540054
        var points: [Point] = []
        for h in 1...12 {
            let f = y[y.count - 12 + h - 1]
            points.append(Point(month: lastMonth.adding(h), forecast: f, low: max(0, f - z * sd), high: f + z * sd))
        }
        return Forecast(points: points, residualSD: sd, residuals: errors.count)
    }
}

/// Crimes by day of the week (rows, Monday first) and hour of the day (columns), where the records give a time.
public struct HeatMap: Codable, Sendable, Equatable {
    /// 7 × 24 counts.
    public var counts: [[Int]]
    /// Crimes with a recorded time (the others are left out).
    public var timed: Int
    /// Crimes without one.
    public var untimed: Int

    public init() { counts = Array(repeating: Array(repeating: 0, count: 24), count: 7); timed = 0; untimed = 0 }

    /// Adds one crime on weekday (0 = Monday) at minute of day, or an untimed one.
    public mutating func add(weekday: Int, minuteOfDay: Int?) {
        guard let m = minuteOfDay, (0..<1440).contains(m), (0..<7).contains(weekday) else { untimed += 1; return }
        counts[weekday][m / 60] += 1
        timed += 1
    }
}
