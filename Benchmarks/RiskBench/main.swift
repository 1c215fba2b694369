// upstream-risk-bench: the gradient-boosted trees speed benchmark (see Benchmarks/risk.md).
//
//   upstream-risk-bench generate --out DIR [--rows 1000000] [--test-rows 200000] [--features 100] [--seed 7]
//   upstream-risk-bench train --data DIR [--json FILE] [--scores FILE] [--max-iterations 200] [--learning-rate 0.1]
//       [--max-depth 6] [--max-leaf-nodes 31] [--min-samples-leaf 20] [--l2 1.0] [--max-bins 256]
//       [--early-stopping 1] [--validation-rows 100000] [--validation-fraction 0.1] [--patience 10]
//       [--tolerance 1e-7] [--seed 42]
//
// `--validation-rows N`: the last N rows of train_X watch early stopping (0: hold out --validation-fraction,
// stratified, inside the learner).
//
// `generate` writes a deterministic synthetic table as raw little-endian files that numpy.fromfile reads:
// train_X.f32 / test_X.f32 (float32, feature-major: all rows of feature 0, then feature 1, …; NaN = missing),
// train_y.u8 / test_y.u8, and meta.json. `train` loads them, trains, scores the test rows and prints JSON.
import Dispatch
import Foundation
import UpstreamModel
import UpstreamRisk

/// Every core: the benchmark measures the learner as the commands run it.
let cores = Parallelism(workers: ProcessInfo.processInfo.activeProcessorCount) { n, body in
    DispatchQueue.concurrentPerform(iterations: n, execute: body)
}

struct Options {
    var values: [String: String] = [:]
    init(_ arguments: ArraySlice<String>) {
        var i = arguments.startIndex
        while i < arguments.endIndex {
            let key = arguments[i]
            guard key.hasPrefix("--"), i + 1 < arguments.endIndex else { fail("unexpected argument \(key)") }
            values[String(key.dropFirst(2))] = arguments[i + 1]
            i += 2
        }
    }
    func string(_ key: String, _ fallback: String? = nil) -> String {
        guard let v = values[key] ?? fallback else { fail("--\(key) is required") }
        return v
    }
    func int(_ key: String, _ fallback: Int) -> Int {
        guard let v = values[key] else { return fallback }
        guard let i = Int(v) else { fail("--\(key): not an integer") }
        return i
    }
    func double(_ key: String, _ fallback: Double) -> Double {
        guard let v = values[key] else { return fallback }
        guard let d = Double(v) else { fail("--\(key): not a number") }
        return d
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("upstream-risk-bench: \(message)\n".utf8))
    exit(2)
}

/// SplitMix64 keyed by (seed, stream, index): every value is a pure function of its coordinates, so columns can
/// be generated in parallel and the table is the same on every machine.
@inline(__always) func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
@inline(__always) func uniform(_ seed: UInt64, _ stream: Int, _ i: Int) -> Double {
    Double(mix(seed &* 0x1000_0000_01B3 ^ mix(UInt64(stream) &* 0x5851_F42D_4C95_7F2D ^ UInt64(i))) >> 11) * 0x1p-53
}
@inline(__always) func normal(_ seed: UInt64, _ stream: Int, _ i: Int) -> Double {
    let u1 = max(uniform(seed, stream, 2 * i), 1e-300), u2 = uniform(seed, stream, 2 * i + 1)
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
}

/// Feature kinds by index block: 0–39 normal, 40–49 uniform, 50–69 correlated with 0–19, 70–79 counts,
/// 80–89 categories 0–4, 90–99 log-normal. Features 5, 12, 71 and 91 are missing completely at random (20%);
/// feature 3 hides most of its large values (missing not at random); feature 30's missingness itself raises risk.
func generate(options: Options) throws {
    let out = URL(fileURLWithPath: options.string("out"))
    let trainRows = options.int("rows", 1_000_000), testRows = options.int("test-rows", 200_000)
    let features = options.int("features", 100)
    precondition(features >= 100, "the signal uses features 0…99")
    let seed = UInt64(options.int("seed", 7))
    let n = trainRows + testRows
    var columns = [[Float]](repeating: [], count: features)
    let start = Date()
    columns.withUnsafeMutableBufferPointer { cols in
        nonisolated(unsafe) let cols = cols
        DispatchQueue.concurrentPerform(iterations: features) { f in
            var c = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let v: Double
                switch f {
                case 0..<40: v = normal(seed, f, i)
                case 40..<50: v = uniform(seed, f, i)
                case 50..<70: v = 0.6 * normal(seed, f - 50, i) + 0.8 * normal(seed, f, i)
                case 70..<80: v = floor(-log(max(uniform(seed, f, i), 1e-12)) * 2)
                case 80..<90: v = floor(uniform(seed, f, i) * 5)
                default: v = exp(0.8 * normal(seed, f, i))
                }
                c[i] = Float(v)
            }
            cols[f] = c
        }
    }
    // The true log-odds, from the values before any are hidden.
    func signal(_ i: Int) -> Double {
        func x(_ f: Int) -> Double { Double(columns[f][i]) }
        var s = 0.8 * x(0) - 0.6 * x(1) + 0.9 * x(0) * x(2)
        s += (x(4) > 0) != (x(5) > 0) ? 1.2 : -0.2
        s += 0.7 * sin(2 * x(6)) + 0.4 * x(7) * x(7) + 0.5 * x(3)
        s += x(40) > 0.7 ? 0.6 : 0
        s += 0.25 * min(x(70), 8) - (x(80) == 2 ? 0.5 : 0) + 0.5 * log(x(90))
        s += 0.4 * x(50) * (x(41) - 0.5) * 2 + 0.3 * x(11)
        if uniform(seed, 1000 + 30, i) < 0.3 { s += 0.8 }  // feature 30 will be missing in these rows
        return s
    }
    var raw = [Double](repeating: 0, count: n)
    for i in 0..<n { raw[i] = signal(i) }
    // Intercept for a ~5% positive rate, by bisection on the first 200,000 rows.
    var lo = -20.0, hi = 5.0
    let probe = min(n, 200_000)
    for _ in 0..<60 {
        let mid = (lo + hi) / 2
        var mean = 0.0
        for i in 0..<probe { mean += 1 / (1 + exp(-(mid + raw[i]))) }
        if mean / Double(probe) > 0.05 { hi = mid } else { lo = mid }
    }
    var labels = [UInt8](repeating: 0, count: n)
    for i in 0..<n { labels[i] = uniform(seed, 2000, i) < 1 / (1 + exp(-(lo + raw[i]))) ? 1 : 0 }
    // Hide values.
    for f in [5, 12, 71, 91] { for i in 0..<n where uniform(seed, 1000 + f, i) < 0.2 { columns[f][i] = .nan } }
    for i in 0..<n where columns[3][i] > 1 && uniform(seed, 1003, i) < 0.7 { columns[3][i] = .nan }
    for i in 0..<n where uniform(seed, 1030, i) < 0.3 { columns[30][i] = .nan }

    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    func write(_ name: String, _ range: Range<Int>) throws {
        var data = Data(capacity: range.count * features * 4)
        for c in columns { c[range].withUnsafeBytes { data.append(contentsOf: $0) } }
        try data.write(to: out.appendingPathComponent("\(name)_X.f32"))
        try Data(labels[range]).write(to: out.appendingPathComponent("\(name)_y.u8"))
    }
    try write("train", 0..<trainRows)
    try write("test", trainRows..<n)
    let positives = labels[0..<trainRows].reduce(0) { $0 + Int($1) }
    let meta: [String: Any] = [
        "train_rows": trainRows, "test_rows": testRows, "features": features, "seed": Int(seed),
        "train_positive_rate": Double(positives) / Double(trainRows), "layout": "feature-major float32, NaN missing",
    ]
    try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys, .prettyPrinted])
        .write(to: out.appendingPathComponent("meta.json"))
    print(String(format: "generated %d+%d rows x %d features in %.1f s (positive rate %.4f) into %@",
                 trainRows, testRows, features, Date().timeIntervalSince(start),
                 Double(positives) / Double(trainRows), out.path))
}

func load(_ dir: URL, _ name: String, features: Int) throws -> Dataset {
    let y = [UInt8](try Data(contentsOf: dir.appendingPathComponent("\(name)_y.u8")))
    let x = try Data(contentsOf: dir.appendingPathComponent("\(name)_X.f32"))
    let n = y.count
    precondition(x.count == n * features * 4, "\(name)_X.f32 has the wrong size")
    let columns: [[Float]] = x.withUnsafeBytes { raw in
        (0..<features).map { f in
            [Float](unsafeUninitializedCapacity: n) { buffer, count in
                _ = raw[(f * n * 4)..<((f + 1) * n * 4)].copyBytes(to: buffer)
                count = n
            }
        }
    }
    return Dataset(featureNames: (0..<features).map { "f\($0)" }, columns: columns, labels: y)
}

/// ROC AUC by ranks, ties counted half.
func auc(_ scores: [Double], _ labels: [UInt8]) -> Double {
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rankSum = 0.0, i = 0
    let positives = labels.reduce(0) { $0 + Int($1) }
    while i < order.count {
        var j = i
        while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
        let rank = Double(i + j) / 2 + 1
        for k in i...j where labels[order[k]] == 1 { rankSum += rank }
        i = j + 1
    }
    let p = Double(positives), q = Double(labels.count - positives)
    return (rankSum - p * (p + 1) / 2) / (p * q)
}

func peakRSSBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }
    return 0
}

func train(options: Options) throws {
    let dir = URL(fileURLWithPath: options.string("data"))
    let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("meta.json"))) as! [String: Any]
    let features = meta["features"] as! Int
    let everything = try load(dir, "train", features: features)
    let testData = try load(dir, "test", features: features)
    // The last `--validation-rows` training rows watch early stopping (rows are independent draws, so they are a
    // random sample); scikit-learn gets the same rows as X_val, so both stop on the same data.
    let validationRows = options.int("validation-rows", 100_000)
    let trainData: Dataset, validationData: Dataset?
    if validationRows > 0 {
        let cut = everything.rowCount - validationRows
        trainData = everything.subset(Array(0..<cut))
        validationData = everything.subset(Array(cut..<everything.rowCount))
    } else {
        trainData = everything; validationData = nil
    }
    let parameters = GBTParameters(
        maxIterations: options.int("max-iterations", 200), learningRate: options.double("learning-rate", 0.1),
        maxDepth: options.int("max-depth", 6), maxLeafNodes: options.int("max-leaf-nodes", 31),
        minSamplesLeaf: options.int("min-samples-leaf", 20), l2Regularization: options.double("l2", 1.0),
        maxBins: options.int("max-bins", 256), earlyStopping: options.int("early-stopping", 1) != 0,
        validationFraction: options.double("validation-fraction", 0.1), patience: options.int("patience", 10),
        tolerance: options.double("tolerance", 1e-7), seed: UInt64(options.int("seed", 42)))
    let verbose = options.int("verbose", 0) != 0
    let t0 = DispatchTime.now()
    let model = try GradientBoostedTrees.train(trainData, parameters: parameters, validation: validationData, parallelism: cores) { iteration, trainLoss, validationLoss in
        if verbose {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
            FileHandle.standardError.write(Data(String(format: "[%3d] %7.2f s  train %.5f validation %.5f\n", iteration,
                                                       elapsed, trainLoss, validationLoss ?? .nan).utf8))
        }
    }
    let t1 = DispatchTime.now()
    let scores = model.probabilities(testData, parallelism: cores)
    let t2 = DispatchTime.now()
    // The issue's scoring figure is for a million rows: score every training and validation row too.
    _ = model.probabilities(everything, parallelism: cores)
    let t3 = DispatchTime.now()
    let seconds = { (a: DispatchTime, b: DispatchTime) in Double(b.uptimeNanoseconds - a.uptimeNanoseconds) / 1e9 }
    if let path = options.values["scores"] {
        try scores.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path))
    }
    let result: [String: Any] = [
        "library": "upstream", "train_seconds": seconds(t0, t1), "score_seconds": seconds(t1, t2),
        "score_million_seconds": seconds(t2, t3), "score_million_rows": everything.rowCount,
        "auc": auc(scores, testData.labels), "iterations": model.iterationsUsed,
        "rounds_trained": model.lossHistory.count,
        "mean_leaves": Double(model.trees.reduce(0) { $0 + $1.leafCount }) / Double(max(1, model.trees.count)),
        "mean_depth": Double(model.trees.reduce(0) { $0 + $1.depth }) / Double(max(1, model.trees.count)),
        "validation_loss": model.iterationsUsed > 0 ? (model.lossHistory[model.iterationsUsed - 1].validation ?? -1) : -1, "peak_rss_bytes": peakRSSBytes(),
        "train_rows": trainData.rowCount, "validation_rows": validationData?.rowCount ?? 0, "test_rows": testData.rowCount, "features": features,
        "threads": ProcessInfo.processInfo.activeProcessorCount,
    ]
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    if let path = options.values["json"] { try json.write(to: URL(fileURLWithPath: path)) }
    print(String(decoding: json, as: UTF8.self))
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "generate": try generate(options: Options(arguments.dropFirst()))
case "train": try train(options: Options(arguments.dropFirst()))
default: fail("usage: upstream-risk-bench generate --out DIR | train --data DIR [--json FILE] [--scores FILE]")
}
