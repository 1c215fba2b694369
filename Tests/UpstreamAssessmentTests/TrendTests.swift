import Testing
@testable import UpstreamAssessment

@Suite("Trend: the seasonal change test and the forecast")
struct TrendTests {
    @Test("the quasi-Poisson seasonal test matches a hand computation")
    func handComputed() throws {
        // Previous year and latest year, month by month.
        let y0 = [10, 12, 14, 16, 18, 20, 20, 18, 16, 14, 12, 10], y1 = [12, 14, 18, 18, 22, 24, 26, 20, 18, 18, 14, 12]
        let t = try #require(SeasonalChangeTest.test(y0 + y1))
        // Σ previous 180, Σ latest 216, ratio 1.2; Pearson χ² 0.28778 over 11 df < 1, so φ = 1;
        // SE = √(1/216 + 1/180) = 0.1009217; t = log 1.2 / SE = 1.8065648; two-sided p (t, 11 df) = 0.0982334 (scipy).
        #expect(t.previous == 180 && t.current == 216)
        #expect(abs(t.ratio - 1.2) < 1e-12)
        #expect(t.dispersion == 1)
        #expect(abs(t.standardError - 0.1009216784699164) < 1e-12)
        #expect(abs(t.t - 1.8065648486841464) < 1e-10)
        #expect(abs(t.p - 0.09823335769355378) < 1e-9)
        #expect(!t.significant)
    }

    @Test("Student's t p-values match published values")
    func studentT() {
        #expect(abs(Statistics.studentTwoSided(2.200985160082949, df: 11) - 0.05) < 1e-9)
        #expect(abs(Statistics.studentTwoSided(1.96, df: 1e7) - 0.04999579) < 1e-6)
        #expect(abs(Statistics.studentTwoSided(0, df: 5) - 1) < 1e-12)
    }

    /// A seasonal series around 100 a month with overdispersed noise from a fixed generator.
    static func seasonal(years: Int, step: Double = 1, seed: UInt64 = 7) -> [Int] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let season: [Double] = [80, 85, 95, 100, 110, 120, 130, 125, 105, 95, 90, 85]
        var out: [Int] = []
        for y in 0..<years {
            for m in 0..<12 {
                let level = season[m] * (y == years - 1 ? step : 1)
                let noise = (uniform() - 0.5) * 0.3 * level  // ±15%: more than Poisson noise
                out.append(Int((level + noise).rounded()))
            }
        }
        return out
    }

    @Test("a planted 25% step in the latest year is detected")
    func plantedStep() throws {
        let t = try #require(SeasonalChangeTest.test(Self.seasonal(years: 2, step: 1.25)))
        #expect(t.significant)
        #expect(t.ratio > 1.15 && t.ratio < 1.35)
        #expect(t.p < 0.001)
        #expect(t.words.hasPrefix("up "))
    }

    @Test("a stationary seasonal series shows no significant change", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func stationary(seed: UInt64) throws {
        let t = try #require(SeasonalChangeTest.test(Self.seasonal(years: 3, seed: seed)))
        #expect(!t.significant, "p = \(t.p)")
        #expect(t.dispersion >= 1)
    }

    @Test("seasonality alone is not change: a strongly seasonal series repeated exactly has ratio 1 and p = 1")
    func seasonalityIsNotChange() throws {
        let year = [10, 40, 90, 160, 250, 160, 90, 40, 10, 5, 5, 5]
        let t = try #require(SeasonalChangeTest.test(year + year))
        #expect(t.ratio == 1)
        #expect(abs(t.p - 1) < 1e-12)
    }

    @Test("fewer than 24 months or an empty year: no test")
    func tooShort() {
        #expect(SeasonalChangeTest.test(Array(repeating: 5, count: 23)) == nil)
        #expect(SeasonalChangeTest.test(Array(repeating: 0, count: 12) + Array(repeating: 5, count: 12)) == nil)
    }

    @Test("the seasonal naive forecast and its interval match a hand computation")
    func forecast() throws {
        let y = [10, 12, 14, 16, 18, 20, 20, 18, 16, 14, 12, 10, 13, 15]
        let f = try #require(Forecast.seasonalNaive(y, lastMonth: YearMonth(year: 2024, month: 2)!))
        // Errors y[12] − y[0] = 3 and y[13] − y[1] = 3: RMS 3. Next month (March) repeats y[2] = 14; the 12th repeats y[13] = 15.
        #expect(f.residualSD == 3)
        #expect(f.points.count == 12)
        #expect(f.points[0].month == YearMonth(year: 2024, month: 3))
        #expect(f.points[0].forecast == 14)
        #expect(abs(f.points[0].low - (14 - 1.959963984540054 * 3)) < 1e-12)
        #expect(abs(f.points[0].high - (14 + 1.959963984540054 * 3)) < 1e-12)
        #expect(f.points[11].forecast == 15)
        #expect(f.points[11].month == YearMonth(year: 2025, month: 2))
        #expect(Forecast.seasonalNaive(Array(y.prefix(12)), lastMonth: YearMonth(year: 2024, month: 2)!) == nil)
    }

    @Test("the heat map counts by weekday and hour, and counts untimed crimes apart")
    func heat() {
        var h = HeatMap()
        h.add(weekday: 4, minuteOfDay: 23 * 60 + 59)
        h.add(weekday: 4, minuteOfDay: 23 * 60)
        h.add(weekday: 0, minuteOfDay: 0)
        h.add(weekday: 2, minuteOfDay: nil)
        #expect(h.counts[4][23] == 2 && h.counts[0][0] == 1)
        #expect(h.timed == 3 && h.untimed == 1)
    }

    @Test("months parse as YYYY-MM only")
    func months() {
        #expect(YearMonth("2024-03")?.description == "2024-03")
        #expect(YearMonth("2024-13") == nil)
        #expect(YearMonth("2024-3") == nil)
        #expect(YearMonth("2024/03") == nil)
        #expect(YearMonth("2024-12")!.adding(1).description == "2025-01")
    }
}
