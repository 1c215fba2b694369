import Testing
@testable import UpstreamRisk

@Suite struct ConfusionCountsTests {
    @Test func ratesFromHandCountedMatrix() {
        let c = ConfusionCounts(truePositives: 3, falsePositives: 1, trueNegatives: 14, falseNegatives: 2)
        #expect(c.total == 20)
        #expect(c.selectionRate == 4.0 / 20)
        #expect(c.precision == 0.75)
        #expect(c.recall == 0.6)
        #expect(c.falsePositiveRate == 1.0 / 15)
        #expect(c.falseNegativeRate == 0.4)
        #expect(ConfusionCounts().precision == nil)
    }
}
