import Dispatch
import Testing
@testable import UpstreamLinkage
import UpstreamModel

/// u from distinct values (the stratified estimator) against u from random pairs (the old estimator).
@Suite("u estimation from distinct values")
struct UEstimationTests {
    static func settings(_ samples: Int) -> LinkageSettings {
        LinkageSettings(linkType: .dedupeOnly, uSamplePairs: samples)
    }

    /// Sex on five people, three F and two M: 10 pairs, 3 + 1 agree. u(agree) = 0.4, u(else) = 0.6 by hand.
    @Test func sexByHand() {
        let sexes: [Sex] = [.female, .female, .female, .male, .male]
        let names = ["ANNA", "BELLA", "CARA", "DAVID", "EDWARD"]
        let inputs = sexes.enumerated().map { LinkInput(source: "a", recordID: "\($0.offset)", forename: names[$0.offset], sex: $0.element) }
        let settings = Self.settings(1_000)
        let data = PreparedData(inputs, settings: settings)
        let comparer = Comparer(data: data, comparisons: settings.comparisons)
        let i = settings.comparisons.firstIndex { $0.name == "sex" }!
        let u = Training.estimateUByValues(comparer: comparer, comparison: i, samples: 1_000, seed: 1)
        #expect(abs(u[1] - 0.4) < 1e-12)
        #expect(abs(u[2] - 0.6) < 1e-12)
    }

    /// The comparisons' u found at once, the costliest first on workers that take their jobs in reverse, is each
    /// comparison's own u; the cost puts the exact-only comparisons last, dates and codes before them, and those that
    /// read their strings first.
    @Test func uInCostOrderIsEachComparisonsOwn() {
        let pop = People.population(people: 300, seed: 5)
        let settings = Self.settings(20_000)
        let data = PreparedData(pop.inputs, settings: settings)
        let comparer = Comparer(data: data, comparisons: settings.comparisons)
        let reversed = Parallelism(workers: 3) { n, body in for i in (0..<n).reversed() { body(i) } }
        let all = Training.estimateU(data: data, comparisons: settings.comparisons, samples: 20_000, seed: 3, parallel: reversed)
        for i in settings.comparisons.indices {
            #expect(all[i] == Training.estimateUByValues(comparer: comparer, comparison: i, samples: 20_000, seed: 3), "\(settings.comparisons[i].name)")
        }
        let cost = Dictionary(uniqueKeysWithValues: settings.comparisons.indices.map { (settings.comparisons[$0].name, Training.uCost(comparer, $0)) })
        #expect(cost["sex"] == 0)
        #expect(cost["dob"] == 1 && cost["postcode"] == 1)
        #expect(cost["forename"]! >= 2 && cost["surname"]! >= 2)
    }

    /// On real threads, the comparisons' jobs shared out among two and three workers (a worker waiting while another
    /// begins a comparison, one taking jobs of a comparison another began) give each comparison's own u, every time.
    @Test func uSharedOutOnThreadsIsEachComparisonsOwn() {
        let pop = People.population(people: 400, seed: 11)
        let settings = Self.settings(5_000)
        let data = PreparedData(pop.inputs, settings: settings)
        let comparer = Comparer(data: data, comparisons: settings.comparisons)
        let own = settings.comparisons.indices.map { Training.estimateUByValues(comparer: comparer, comparison: $0, samples: 5_000, seed: 9) }
        #expect(own.contains { $0.count > 3 })
        for workers in [2, 3] {
            let threads = Parallelism(workers: workers) { n, body in DispatchQueue.concurrentPerform(iterations: n, execute: body) }
            for _ in 0..<5 {
                #expect(Training.estimateU(data: data, comparisons: settings.comparisons, samples: 5_000, seed: 9, parallel: threads) == own)
            }
        }
        // One comparison's jobs, run in any order, add up to its u.
        let i = settings.comparisons.firstIndex { $0.name == "surname" }!
        let estimate = UByValues(comparer: comparer, comparison: i, samples: 5_000, seed: 9)
        #expect(estimate.jobs > 1)
        var parts = [(counts: [Double], compared: Int)](repeating: ([], 0), count: estimate.jobs)
        for j in (0..<estimate.jobs).reversed() { parts[j] = estimate.job(j) }
        #expect(estimate.u(parts) == own[i])
    }

    /// Where both estimators are exact (every pair compared), they agree to rounding on every level seen.
    @Test func exactWhenSmallMatchesEveryPair() {
        let pop = People.population(people: 60, seed: 11)
        let settings = Self.settings(1_000_000)
        let data = PreparedData(pop.inputs, settings: settings)
        let n = data.nodeCount
        #expect(n * (n - 1) / 2 <= 1_000_000)
        let new = Training.estimateU(data: data, comparisons: settings.comparisons, samples: 1_000_000, seed: 1)
        let old = Training.estimateURandomPairs(data: data, comparisons: settings.comparisons, samples: 1_000_000, seed: 1)
        for c in old.indices {
            for l in 1..<old[c].count {
                #expect(abs(new[c][l] - old[c][l]) < 1e-9, "\(settings.comparisons[c].name) level \(l)")
            }
        }
    }

    /// Sampled (20,000 pairs per comparison on about 850 identities, over 200,000 pairs) against every pair:
    /// each level's u within 0.005 absolute or 10% relative, whichever is larger.
    @Test func sampledAgreesWithEveryPair() {
        let pop = People.population(people: 300, seed: 5)
        let settings = Self.settings(20_000)
        let data = PreparedData(pop.inputs, settings: settings)
        let n = data.nodeCount
        #expect(n * (n - 1) / 2 > 10 * 20_000)
        let sampled = Training.estimateU(data: data, comparisons: settings.comparisons, samples: 20_000, seed: 3)
        let exact = Training.estimateURandomPairs(data: data, comparisons: settings.comparisons, samples: n * n, seed: 1)
        for c in exact.indices {
            for l in 1..<exact[c].count {
                let tol = max(0.005, 0.1 * exact[c][l])
                #expect(abs(sampled[c][l] - exact[c][l]) <= tol, "\(settings.comparisons[c].name) level \(l): \(sampled[c][l]) vs \(exact[c][l])")
            }
        }
    }

    /// The forename comparison reads the surname (swap) and middle names: signatures include them.
    @Test func levelsReadingOtherColumns() {
        let inputs = [
            LinkInput(source: "a", recordID: "1", forename: "JOHN", surname: "SMITH"),
            LinkInput(source: "a", recordID: "2", forename: "SMITH", surname: "JOHN"),
            LinkInput(source: "a", recordID: "3", forename: "JOHN", surname: "JONES"),
            LinkInput(source: "a", recordID: "4", forename: "MARY", surname: "SMITH"),
        ]
        let settings = Self.settings(1_000)
        let data = PreparedData(inputs, settings: settings)
        let new = Training.estimateU(data: data, comparisons: settings.comparisons, samples: 1_000, seed: 1)
        let old = Training.estimateURandomPairs(data: data, comparisons: settings.comparisons, samples: 1_000, seed: 1)
        for c in settings.comparisons.indices where ["forename", "surname"].contains(settings.comparisons[c].name) {
            for l in 1..<old[c].count { #expect(abs(new[c][l] - old[c][l]) < 1e-9) }
        }
    }
}
