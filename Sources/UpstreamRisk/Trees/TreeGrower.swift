/// Sums of gradients, hessians and rows in one bin of a node's histogram.
struct GBTHistBin {
    var g: Double
    var h: Double
    var count: UInt32
}

/// The best split of one node.
struct GBTSplit {
    var gain: Double
    var feature: Int
    /// Rows with bin ≤ `bin` go left; the missing bin goes where `missingLeft` says.
    var bin: Int
    var missingLeft: Bool
    var gLeft: Double
    var hLeft: Double
    var nLeft: Int
}

/// Grows one regression tree on gradients and hessians, leaf-wise (best-first), from binned data.
///
/// Owns the per-run buffers (row partition, gathered gradients, a pool of histograms) and reuses them for every
/// tree. Histograms are built for the smaller child only; the larger child's is the parent's minus the smaller's,
/// computed in the parent's buffer. Building and split search run parallel over features.
final class GBTTreeGrower {
    let bins: GBTBinnedMatrix
    let binner: GBTBinner
    let parameters: GBTParameters
    let rows: Int
    let features: Int
    /// Gradient and hessian per training row, refreshed by the booster before each tree.
    let gradients: UnsafeMutablePointer<Float>
    let hessians: UnsafeMutablePointer<Float>
    /// After `grow`, the rows of each leaf are a contiguous range of `rowIndex`.
    let rowIndex: UnsafeMutablePointer<UInt32>
    private let scratch: UnsafeMutablePointer<UInt32>
    private let orderedG: UnsafeMutablePointer<Float>
    private let orderedH: UnsafeMutablePointer<Float>
    private var freeHistograms: [UnsafeMutablePointer<GBTHistBin>] = []
    private var allHistograms: [UnsafeMutablePointer<GBTHistBin>] = []
    static let minHessian = 1e-3

    init(bins: GBTBinnedMatrix, binner: GBTBinner, parameters: GBTParameters) {
        self.bins = bins; self.binner = binner; self.parameters = parameters
        rows = bins.rows; features = bins.features
        gradients = .allocate(capacity: rows); hessians = .allocate(capacity: rows)
        rowIndex = .allocate(capacity: rows); scratch = .allocate(capacity: rows)
        orderedG = .allocate(capacity: rows); orderedH = .allocate(capacity: rows)
    }

    deinit {
        for p in [gradients, hessians, orderedG, orderedH] { p.deallocate() }
        rowIndex.deallocate(); scratch.deallocate()
        for h in allHistograms { h.deallocate() }
    }

    private func takeHistogram() -> UnsafeMutablePointer<GBTHistBin> {
        if let h = freeHistograms.popLast() { return h }
        let h = UnsafeMutablePointer<GBTHistBin>.allocate(capacity: features * GBTBinner.histogramWidth)
        allHistograms.append(h)
        return h
    }

    private func give(_ h: UnsafeMutablePointer<GBTHistBin>?) { if let h { freeHistograms.append(h) } }

    /// A leaf of the tree being grown.
    private struct Leaf {
        var node: Int
        var start: Int
        var count: Int
        var depth: Int
        var g: Double
        var h: Double
        var histogram: UnsafeMutablePointer<GBTHistBin>?
        var split: GBTSplit?
    }

    /// The grown tree, the bin of each internal node's split (for scoring binned validation rows), and each
    /// leaf's row range in `rowIndex`.
    struct Grown {
        var tree: GBTTree
        var splitBins: [Int]
        var leafRanges: [(node: Int, start: Int, count: Int)]
    }

    func grow() -> Grown {
        let lambda = parameters.l2Regularization
        let lr = parameters.learningRate
        for i in 0..<rows { rowIndex[i] = UInt32(truncatingIfNeeded: i) }

        var nodes = [GBTTree.Node]()
        var splitBins = [Int]()
        func leafValue(_ g: Double, _ h: Double) -> Double { -lr * g / (h + lambda + 1e-15) }

        // The root: histogram of every row, no gathering.
        let rootHist = takeHistogram()
        var found = [GBTSplit?](repeating: nil, count: features)
        let rootSums = buildRoot(into: rootHist)
        let rootCanSplit = rows >= 2 * parameters.minSamplesLeaf
        if rootCanSplit {
            findSplits(rootHist, g: rootSums.g, h: rootSums.h, n: rows, into: &found, subtractFrom: nil)
        }
        nodes.append(.leaf(value: leafValue(rootSums.g, rootSums.h), cover: Double(rows)))
        splitBins.append(-1)
        var leaves = [Leaf(node: 0, start: 0, count: rows, depth: 0, g: rootSums.g, h: rootSums.h,
                           histogram: rootHist, split: rootCanSplit ? best(found) : nil)]
        var finished = [Leaf]()

        while leaves.count + finished.count < parameters.maxLeafNodes {
            // The splittable leaf with the largest gain (ties: the earliest).
            var pick = -1
            for (i, leaf) in leaves.enumerated() {
                if let s = leaf.split, pick < 0 || s.gain > leaves[pick].split!.gain { pick = i }
            }
            guard pick >= 0 else { break }
            let parent = leaves.remove(at: pick)
            let split = parent.split!
            let nLeft = partition(start: parent.start, count: parent.count, split: split)
            precondition(nLeft == split.nLeft, "partition disagrees with the histogram")
            let nRight = parent.count - nLeft
            let gRight = parent.g - split.gLeft, hRight = parent.h - split.hLeft

            let leftIndex = nodes.count, rightIndex = nodes.count + 1
            let edges = binner.edges[split.feature]
            nodes[parent.node] = GBTTree.Node(
                feature: split.feature, threshold: split.bin < edges.count ? edges[split.bin] : .infinity,
                missingGoesLeft: split.missingLeft, left: leftIndex, right: rightIndex,
                value: nodes[parent.node].value, cover: nodes[parent.node].cover, gain: split.gain)
            splitBins[parent.node] = split.bin
            nodes.append(.leaf(value: leafValue(split.gLeft, split.hLeft), cover: Double(nLeft)))
            nodes.append(.leaf(value: leafValue(gRight, hRight), cover: Double(nRight)))
            splitBins += [-1, -1]

            var left = Leaf(node: leftIndex, start: parent.start, count: nLeft, depth: parent.depth + 1,
                            g: split.gLeft, h: split.hLeft, histogram: nil, split: nil)
            var right = Leaf(node: rightIndex, start: parent.start + nLeft, count: nRight, depth: parent.depth + 1,
                             g: gRight, h: hRight, histogram: nil, split: nil)
            // After this split, is there room for another, and may each child split?
            let room = leaves.count + finished.count + 2 < parameters.maxLeafNodes
            let depthOK = parent.depth + 1 < parameters.maxDepth
            let leftCan = room && depthOK && nLeft >= 2 * parameters.minSamplesLeaf
            let rightCan = room && depthOK && nRight >= 2 * parameters.minSamplesLeaf
            if leftCan || rightCan {
                let smallIsLeft = nLeft <= nRight
                let small = takeHistogram()
                let smallLeaf = smallIsLeft ? left : right
                buildGathered(start: smallLeaf.start, count: smallLeaf.count, into: small)
                let smallCan = smallIsLeft ? leftCan : rightCan
                let largeCan = smallIsLeft ? rightCan : leftCan
                if largeCan {
                    // The larger child's histogram: parent − smaller, in the parent's buffer.
                    let largeLeaf = smallIsLeft ? right : left
                    findSplits(parent.histogram!, g: largeLeaf.g, h: largeLeaf.h, n: largeLeaf.count, into: &found,
                               subtractFrom: small)
                    if smallIsLeft { right.split = best(found); right.histogram = parent.histogram }
                    else { left.split = best(found); left.histogram = parent.histogram }
                } else {
                    give(parent.histogram)
                }
                if smallCan {
                    findSplits(small, g: smallLeaf.g, h: smallLeaf.h, n: smallLeaf.count, into: &found, subtractFrom: nil)
                    if smallIsLeft { left.split = best(found); left.histogram = small }
                    else { right.split = best(found); right.histogram = small }
                } else {
                    give(small)
                }
            } else {
                give(parent.histogram)
            }
            for child in [left, right] {
                if child.split != nil { leaves.append(child) } else { give(child.histogram); finished.append(child) }
            }
        }
        for leaf in leaves { give(leaf.histogram) }
        let ranges = (leaves + finished).map { (node: $0.node, start: $0.start, count: $0.count) }
        return Grown(tree: GBTTree(nodes: nodes), splitBins: splitBins, leafRanges: ranges)
    }

    private func best(_ found: [GBTSplit?]) -> GBTSplit? {
        var result: GBTSplit?
        for case let s? in found where s.gain > (result?.gain ?? 0) { result = s }
        return result
    }

    /// Histograms of every row, parallel over features; returns the node's gradient and hessian sums.
    private func buildRoot(into hist: UnsafeMutablePointer<GBTHistBin>) -> (g: Double, h: Double) {
        let n = rows, width = GBTBinner.histogramWidth
        nonisolated(unsafe) let hist = hist, g = gradients, h = hessians
        GBTParallel.forEach(features) { f in
            let hp = hist + f * width
            hp.initialize(repeating: GBTHistBin(g: 0, h: 0, count: 0), count: width)
            Self.accumulate(hp, column: bins.column(f), g: g, h: h, count: n)
        }
        var sg = 0.0, sh = 0.0
        for b in 0..<width { sg += hist[b].g; sh += hist[b].h }
        return (sg, sh)
    }

    /// Gathers the node's gradients in row order, then builds its histograms parallel over features.
    private func buildGathered(start: Int, count: Int, into hist: UnsafeMutablePointer<GBTHistBin>) {
        let index = rowIndex + start
        for k in 0..<count { let r = Int(index[k]); orderedG[k] = gradients[r]; orderedH[k] = hessians[r] }
        let width = GBTBinner.histogramWidth
        nonisolated(unsafe) let hist = hist, og = orderedG, oh = orderedH
        GBTParallel.forEach(features) { f in
            let hp = hist + f * width
            hp.initialize(repeating: GBTHistBin(g: 0, h: 0, count: 0), count: width)
            Self.accumulate(hp, column: bins.column(f), rows: index, g: og, h: oh, count: count)
        }
    }

    @inline(__always)
    static func accumulate(_ hp: UnsafeMutablePointer<GBTHistBin>, column: UnsafeMutablePointer<UInt8>,
                           g: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>, count: Int) {
        for r in 0..<count {
            let b = Int(column[r])
            hp[b].g += Double(g[r]); hp[b].h += Double(h[r]); hp[b].count &+= 1
        }
    }

    @inline(__always)
    static func accumulate(_ hp: UnsafeMutablePointer<GBTHistBin>, column: UnsafeMutablePointer<UInt8>,
                           rows: UnsafeMutablePointer<UInt32>, g: UnsafeMutablePointer<Float>,
                           h: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count {
            let b = Int(column[Int(rows[k])])
            hp[b].g += Double(g[k]); hp[b].h += Double(h[k]); hp[b].count &+= 1
        }
    }

    /// The best split of every feature of a node, parallel over features. With `subtractFrom`, first turns
    /// `hist` (the parent's) into `hist − subtractFrom` (the sibling's), feature by feature.
    private func findSplits(_ hist: UnsafeMutablePointer<GBTHistBin>, g: Double, h: Double, n: Int,
                            into found: inout [GBTSplit?], subtractFrom sibling: UnsafeMutablePointer<GBTHistBin>?) {
        let width = GBTBinner.histogramWidth
        let lambda = parameters.l2Regularization
        let minLeaf = parameters.minSamplesLeaf
        let realBins = binner.realBins
        found.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out, hist = hist, sibling = sibling
            GBTParallel.forEach(features) { f in
                let hp = hist + f * width
                if let sibling {
                    let sp = sibling + f * width
                    for b in 0..<width {
                        hp[b].g -= sp[b].g; hp[b].h -= sp[b].h; hp[b].count &-= sp[b].count
                    }
                }
                out[f] = Self.bestSplit(hp, feature: f, realBins: realBins[f], g: g, h: h, n: n,
                                        lambda: lambda, minLeaf: minLeaf)
            }
        }
    }

    /// Scans the bins left to right with missing values sent right, and (when the node has any) sent left.
    static func bestSplit(_ hp: UnsafeMutablePointer<GBTHistBin>, feature: Int, realBins: Int, g: Double, h: Double,
                          n: Int, lambda: Double, minLeaf: Int) -> GBTSplit? {
        guard realBins > 0 else { return nil }
        let missing = hp[GBTBinner.missingBin]
        let hasMissing = missing.count > 0
        let parentScore = g * g / (h + lambda)
        var best: GBTSplit?
        var bestGain = 0.0
        var cg = 0.0, ch = 0.0, cn = 0

        @inline(__always) func consider(_ gl: Double, _ hl: Double, _ nl: Int, bin: Int, missingLeft: Bool) {
            let nr = n - nl
            guard nl >= minLeaf, nr >= minLeaf else { return }
            let hr = h - hl
            guard hl >= minHessian, hr >= minHessian else { return }
            let gr = g - gl
            let gain = gl * gl / (hl + lambda) + gr * gr / (hr + lambda) - parentScore
            if gain > bestGain {
                bestGain = gain
                best = GBTSplit(gain: gain, feature: feature, bin: bin,
                                missingLeft: hasMissing ? missingLeft : nl >= nr, gLeft: gl, hLeft: hl, nLeft: nl)
            }
        }

        // With missing values, "every real value left, missing right" is a split too (bin = realBins − 1).
        let last = hasMissing ? realBins - 1 : realBins - 2
        if last < 0 { return nil }
        for b in 0...last {
            cg += hp[b].g; ch += hp[b].h; cn += Int(hp[b].count)
            consider(cg, ch, cn, bin: b, missingLeft: false)
            if hasMissing && b < realBins - 1 {
                consider(cg + missing.g, ch + missing.h, cn + Int(missing.count), bin: b, missingLeft: true)
            }
        }
        return best
    }

    /// Stable partition of a node's rows: left rows first. Returns how many went left.
    private func partition(start: Int, count: Int, split: GBTSplit) -> Int {
        let column = bins.column(split.feature)
        let threshold = UInt8(truncatingIfNeeded: split.bin)
        let missingLeft = split.missingLeft
        let index = rowIndex + start
        var l = 0, r = 0
        for k in 0..<count {
            let row = index[k]
            let b = column[Int(row)]
            let goLeft = b == UInt8(GBTBinner.missingBin) ? missingLeft : b <= threshold
            index[l] = row; scratch[r] = row
            let step = goLeft ? 1 : 0
            l &+= step; r &+= 1 &- step
        }
        (index + l).update(from: scratch, count: r)
        return l
    }
}
