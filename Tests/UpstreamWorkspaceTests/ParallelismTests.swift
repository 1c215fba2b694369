import Foundation
import Testing
import UpstreamLinkage
import UpstreamModel
import UpstreamRisk
import UpstreamRiskFeatures
import UpstreamSynth
import UpstreamTesting
import UpstreamWorkspace

/// The one parallelism policy (`Workspace.parallelism`) gives the same answers for any worker count: linkage, the
/// risk features, both learners and the synthetic city each run with 1 and with 3 workers on small inputs and the
/// results are compared exactly (bit for bit, file for file).
@Suite("One parallelism policy: the same results with 1 and 3 workers", .serialized)
struct ParallelismPolicyTests {
    static let one = Workspace.parallelism(workers: 1)
    static let three = Workspace.parallelism(workers: 3)

    /// An 800-person city linked by its truth, for the linkage and feature comparisons.
    static let city = TruthLinkedCity.load(people: 800, seed: 5)

    @Test("the policy: --workers, else UPSTREAM_WORKERS, else every core; bad values are errors saying what to do")
    func policy() throws {
        #expect(Self.one.workers == 1)
        #expect(Self.three.workers == 3)
        #expect(try Workspace.parallelism(workers: 2, environment: ["UPSTREAM_WORKERS": "5"]).workers == 2)
        #expect(try Workspace.parallelism(workers: nil, environment: ["UPSTREAM_WORKERS": " 5 "]).workers == 5)
        #expect(try Workspace.parallelism(workers: nil, environment: [:]).workers == max(1, ProcessInfo.processInfo.activeProcessorCount))
        #expect(throws: WorkspaceError.self) { try Workspace.parallelism(workers: 0, environment: [:]) }
        do {
            _ = try Workspace.parallelism(workers: nil, environment: ["UPSTREAM_WORKERS": "lots"])
            Issue.record("a malformed UPSTREAM_WORKERS was accepted")
        } catch let e as WorkspaceError {
            #expect(e.description.contains("UPSTREAM_WORKERS=lots"))
            #expect(e.description.contains("unset it"))
        }
        // Three workers really do run every item once, on at most three threads at a time.
        let seen = Self.three.map(10) { $0 * $0 }
        #expect(seen == [0, 1, 4, 9, 16, 25, 36, 49, 64, 81])
    }

    @Test("linkage: the same model, pairs, clusters and person ids")
    func linkage() throws {
        let inputs = Self.city.records.map { LinkInput($0.record) }
        #expect(inputs.count > 1000)
        let a = Linker(settings: LinkageSettings(), parallel: Self.one).link(inputs)
        let b = Linker(settings: LinkageSettings(), parallel: Self.three).link(inputs)
        #expect(a.candidatePairs > 0)
        #expect(a.candidatePairs == b.candidatePairs)
        #expect(a.model == b.model)
        #expect(a.pairs == b.pairs)
        #expect(a.nodeLabels == b.nodeLabels)
        #expect(a.personIDs == b.personIDs)
        #expect(a.review == b.review)
    }

    @Test("risk features: the same cohort rows (held and streamed builders)")
    func features() throws {
        let c = Self.city
        let asOf = c.end.adding(months: -36)
        let a = CohortBuilder(records: c.records, postcodeDeprivation: c.postcodeDeciles, parallelism: Self.one).cohort(asOf: asOf)
        let b = CohortBuilder(records: c.records, postcodeDeprivation: c.postcodeDeciles, parallelism: Self.three).cohort(asOf: asOf)
        #expect(a.rows.count > 64)  // more persons than stripes, so every stripe has work
        #expect(a.rows.count == b.rows.count)
        for (x, y) in zip(a.rows, b.rows) {  // features hold NaN (missing), so compare their bits
            var x = x, y = y
            #expect(x.features.map(\.bitPattern) == y.features.map(\.bitPattern))
            x.features = []; y.features = []
            #expect(x == y)
        }
        #expect(a.excluded == b.excluded)

        let dates = [asOf.adding(months: -12), asOf]
        func matrix(_ p: Parallelism) throws -> FeatureMatrix {
            try StreamingCohortBuilder(persons: StreamingCohortBuilder.stream(c.records), postcodeDeprivation: c.postcodeDeciles,
                                       parallelism: p).build(dates: dates).matrix
        }
        let m1 = try matrix(Self.one), m3 = try matrix(Self.three)
        #expect(m1.rowCount > a.rows.count)
        #expect(m1.personIDs == m3.personIDs)
        #expect(m1.person == m3.person)
        #expect(m1.outcome == m3.outcome)
        #expect(Self.bits(m1.columns) == Self.bits(m3.columns))
    }

    /// 40,000 rows of 6 features from a seeded generator, with a label that depends on three of them and a few
    /// missing values: big enough that the learners cut every parallel loop into several chunks.
    static func table(rows n: Int = 40_000) -> Dataset {
        var state: UInt64 = 2026
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var columns = [[Float]](repeating: [], count: 6)
        var labels: [UInt8] = []
        for _ in 0..<n {
            let x = (0..<6).map { _ in Float(next() * 10) }
            for f in 0..<6 { columns[f].append(f == 5 && x[4] < 1 ? .nan : x[f]) }
            let margin = 0.6 * Double(x[0]) - 0.4 * Double(x[1]) + (x[2] > 5 ? 1.5 : 0) - 2.5
            labels.append(next() < 1 / (1 + exp(-margin)) ? 1 : 0)
        }
        return Dataset(featureNames: (0..<6).map { "x\($0)" }, columns: columns, labels: labels)
    }

    @Test("risk: the same trees, logistic regression and scores")
    func risk() throws {
        let data = Self.table()
        let parameters = GBTParameters(maxIterations: 8, seed: 3)
        let t1 = try GradientBoostedTrees.train(data, parameters: parameters, parallelism: Self.one)
        let t3 = try GradientBoostedTrees.train(data, parameters: parameters, parallelism: Self.three)
        #expect(t1.trees.count > 1)
        #expect(t1.trees == t3.trees)
        #expect(t1.baseMargin == t3.baseMargin)
        #expect(t1.lossHistory == t3.lossHistory)
        #expect(t1.margins(data, parallelism: Self.one) == t3.margins(data, parallelism: Self.three))
        #expect(t1.margins(data, parallelism: Self.three) == t1.margins(data, parallelism: Self.one))

        let l1 = try LogisticRegression.train(data, maxIterations: 50, parallelism: Self.one)
        let l3 = try LogisticRegression.train(data, maxIterations: 50, parallelism: Self.three)
        #expect(l1 == l3)
        #expect(l1.margins(data, parallelism: Self.one) == l3.margins(data, parallelism: Self.three))
    }

    @Test("synthetic city: the same files, byte for byte")
    func synth() throws {
        let root = NSTemporaryDirectory() + "upstream-parallelism-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var config = SynthConfig.defaults
        config.people = 600
        config.seed = 11
        _ = try CityGenerator(config: config, parallelism: Self.one).generate(to: root + "/one", overwrite: true)
        _ = try CityGenerator(config: config, parallelism: Self.three).generate(to: root + "/three", overwrite: true)
        let files = Self.files(under: root + "/one")
        #expect(files.count > 10)
        #expect(files == Self.files(under: root + "/three"))
        for f in files {
            let a = FileManager.default.contents(atPath: root + "/one/" + f)
            let b = FileManager.default.contents(atPath: root + "/three/" + f)
            #expect(a != nil && a == b, "\(f) differs between 1 and 3 workers")
        }
    }

    /// Every regular file under `dir`, relative and sorted.
    static func files(under dir: String) -> [String] {
        var out: [String] = []
        let e = FileManager.default.enumerator(atPath: dir)
        while let f = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + f, isDirectory: &isDir), !isDir.boolValue { out.append(f) }
        }
        return out.sorted()
    }

    /// The exact bits of every value (so NaN compares equal to NaN).
    static func bits(_ columns: [[Float]]) -> [[UInt32]] { columns.map { $0.map(\.bitPattern) } }
}
