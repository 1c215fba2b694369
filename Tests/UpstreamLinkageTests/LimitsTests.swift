import Testing
import UpstreamLinkage
import UpstreamModel

/// Issue 12 item 3: very long values are cut at standardisation and counted; u sampling scales with the data.
@Suite("Field and sample limits")
struct LimitsTests {
    @Test(arguments: [400, 2_000])
    func longSurnamesAreCutAndCounted(_ length: Int) {
        let d = CivilDateFixture.date(2003, 4, 5)
        let long = String(repeating: "ABCDEFGHIJ", count: length / 10)
        let inputs = (0..<12).map { i in People.input(i % 2 == 0 ? "a" : "b", String(i), "Ann", long + String(i % 3), d) }
        let data = PreparedData(inputs)
        #expect(data.truncatedValues == 12)
        #expect(data.strings.allSatisfy { $0.count <= LinkageSettings().maxFieldLength })
        // Cut to 100 characters the three surnames become one, so the twelve records make one node.
        #expect(data.nodeCount == 1)
    }

    @Test func uSamplingScalesWithTheData() {
        let pop = People.population(people: 8, seed: 5)
        let result = Linker(settings: LinkageSettings()).link(pop.inputs)
        let n = result.data.nodeCount
        // A handful of records: every pair is compared once for u, not a fixed 100,000 draws.
        #expect(result.model.summary.uSamplePairs == n * (n - 1) / 2)
        let bigger = People.population(people: 400, seed: 5)
        let r2 = Linker(settings: LinkageSettings()).link(bigger.inputs)
        #expect(r2.model.summary.uSamplePairs == max(10_000, 20 * r2.data.nodeCount))
    }
}

extension LimitsTests {
    /// A file of three records links (u from every pair) whatever the number of workers.
    @Test(arguments: [1, 2, 8])
    func aTinyFileLinks(_ workers: Int) {
        let d = CivilDateFixture.date(2003, 4, 5)
        let inputs = [People.input("a", "1", "Ann", "Lee", d), People.input("a", "2", "Ann", "Lee", d, postcode: "UC1 1AA"), People.input("a", "3", "Bo", "Kim", nil)]
        let parallel = Parallelism(workers: workers) { n, body in for i in 0..<n { body(i) } }
        let result = Linker(settings: LinkageSettings(), parallel: parallel).link(inputs)
        #expect(result.model.summary.uSamplePairs == 3)
        #expect(result.personIDs.count == 3)
    }
}
