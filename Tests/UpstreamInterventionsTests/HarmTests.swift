import Testing
@testable import UpstreamInterventions

@Suite("Cost of harm and discounting")
struct HarmTests {
    @Test("one serious violence offence costs the recorded mix of Home Office unit costs: £602,677,090 / 35,048 = £17,195.76")
    func costPerOffence() throws {
        let c = try shippedCatalogue()
        // (41 × £3,200,000 + 27,545 × £14,050 + 7,462 × £11,320) / 35,048 offences (hand-computed).
        #expect(c.harm.costPerOffenceAtSourcePrices == Money(pounds: 17195.76))
        #expect(try c.harm.costPerOffence(deflator: c.deflator, priceYear: "2015/16") == Money(pounds: 17195.76))
        // CCHI: (41 × 5,475 + 35,007 × 365) / 35,048 = 370.98 days.
        #expect(abs(c.harm.harmIndexDaysPerOffence - 370.9778) < 0.001)
    }

    @Test("the deflator moves prices by the ratio of index values, and a missing year is an error")
    func deflator() throws {
        let d = Deflator(series: "test", source: "test", index: ["2015/16": 80, "2023/24": 100])
        #expect(try d.factor(from: "2015/16", to: "2023/24") == 1.25)
        #expect(try d.factor(from: "2015/16", to: "2015/16") == 1)
        #expect(throws: InterventionsError.self) { try d.factor(from: "2015/16", to: "2024/25") }
        var h = try shippedCatalogue().harm
        h.offences = [OffenceHarm(name: "x", codes: [], weight: 1, unitCost: Money(pounds: 14050), unitCostNote: "", cchiDays: 365)]
        #expect(try h.costPerOffence(deflator: d, priceYear: "2023/24") == Money(pounds: 17562.50))
    }

    @Test("the shipped deflator: 2015/16 is ¾ of 2015 and ¼ of 2016, and one offence costs £22,782.16 in 2024 prices")
    func shippedDeflator() throws {
        let c = try shippedCatalogue()
        // catalogue/gdp_deflators.csv: 2015 75.1536, 2016 76.4554, 2024 100 (HM Treasury, December 2025, 2024 = 100).
        #expect(c.deflator.index["2015"] == 75.1536 && c.deflator.index["2024"] == 100)
        // 0.75 × 75.1536 + 0.25 × 76.4554 = 56.3652 + 19.11385 = 75.47905 (hand-computed).
        #expect(abs(c.deflator.index["2015/16"]! - 75.47905) < 1e-9)
        #expect(c.deflator.latestYear == "2024")
        // £17,195.76 × 100 / 75.47905 = £22,782.16 (17,195.76 × 1.32487094…).
        #expect(abs(try c.deflator.factor(from: "2015/16", to: "2024") - 100 / 75.47905) < 1e-12)
        #expect(try c.harm.costPerOffence(deflator: c.deflator, priceYear: c.priceYear) == Money(pounds: 22782.16))
        // Repricing to 2015/16 gives the Home Office figure back; to 2021: 17,195.76 × 85.6358 / 75.47905 = £19,509.69.
        let old = try c.repriced(to: "2015/16")
        #expect(try old.harm.costPerOffence(deflator: old.deflator, priceYear: old.priceYear) == Money(pounds: 17195.76))
        let y2021 = try c.repriced(to: "2021")
        #expect(try y2021.harm.costPerOffence(deflator: y2021.deflator, priceYear: y2021.priceYear) == Money(pounds: 19509.69))
        #expect(try c.repriced(to: "latest").priceYear == "2024")
        #expect(throws: InterventionsError.self) { try c.repriced(to: "2031") }
    }

    @Test("a deflator file: calendar years as published, financial years between them, clear errors for a bad file")
    func deflatorFile() throws {
        let years = try Deflator.calendarYears(csv: "calendar_year,index\n2019,80\n2020,84\n2021,90\n", name: "d.csv")
        #expect(years == [2019: 80, 2020: 84, 2021: 90])
        let index = Deflator.index(calendarYears: years)
        // 2019/20 = 0.75 × 80 + 0.25 × 84 = 81; 2020/21 = 0.75 × 84 + 0.25 × 90 = 85.5; no 2021/22 (2022 missing).
        #expect(index == ["2019": 80, "2020": 84, "2021": 90, "2019/20": 81, "2020/21": 85.5])
        #expect(throws: InterventionsError.self) { try Deflator.calendarYears(csv: "year,value\n2019,80\n", name: "d.csv") }
        #expect(throws: InterventionsError.self) { try Deflator.calendarYears(csv: "calendar_year,index\n2019,abc\n", name: "d.csv") }
        #expect(throws: InterventionsError.self) { try Deflator.calendarYears(csv: "calendar_year,index\n2019,80\n2019,81\n", name: "d.csv") }
        // A catalogue naming a file it cannot read is refused, naming the key.
        var yaml = tinyCatalogueYAML()
        yaml = yaml.replacingOccurrences(of: "deflator:\n", with: "deflator:\n  file: missing.csv\n")
        do { _ = try CatalogueLoader.load(yaml: yaml); Issue.record("no error") } catch let e as InterventionsError {
            #expect(e.description.contains("deflator.file"))
        }
        // price_year: latest with a file takes its latest calendar year.
        let tiny = tinyCatalogueYAML()
        #expect(tiny.hasPrefix("price_year: \"2015/16\"\n"))
        let latest = ("price_year: latest" + tiny.dropFirst("price_year: \"2015/16\"".count))
            .replacingOccurrences(of: "deflator:\n", with: "deflator:\n  file: d.csv\n")
        let c = try CatalogueLoader.load(yaml: latest, file: { _ in "calendar_year,index\n2015,75\n2016,76\n2024,100\n" })
        #expect(c.priceYear == "2024")
    }

    @Test("harm spread evenly over two years at 3.5% is worth 0.96637 of its undiscounted value")
    func discounting() {
        // (1 − 1.035^−2) / (2 · ln 1.035), hand-computed.
        #expect(abs(Discounting.spreadFactor(rate: 0.035, years: 2) - 0.966374159) < 1e-8)
        #expect(Discounting.spreadFactor(rate: 0, years: 2) == 1)
        #expect(abs(Discounting.factor(rate: 0.035, years: 1) - 1 / 1.035) < 1e-12)
        // Spread harm is worth more than harm all at the end and less than harm now.
        let f = Discounting.spreadFactor(rate: 0.035, years: 5)
        #expect(f < 1 && f > Discounting.factor(rate: 0.035, years: 5))
    }
}
