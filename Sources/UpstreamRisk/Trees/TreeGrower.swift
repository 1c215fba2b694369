import UpstreamModel

/// A node's histograms: for every feature and bin (`feature * 256 + bin`), the sums of gradients and hessians
/// as a pair, and the row count.
struct GBTHistogram {
    let gh: UnsafeMutablePointer<SIMD2<Double>>
    let count: UnsafeMutablePointer<UInt32>

    init(features: Int) {
        gh = .allocate(capacity: features * GBTBinner.histogramWidth)
        count = .allocate(capacity: features * GBTBinner.histogramWidth)
    }
    func deallocate() { gh.deallocate(); count.deallocate() }
    func zero(_ cells: Int) { gh.update(repeating: .zero, count: cells); count.update(repeating: 0, count: cells) }
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
/// Owns the per-run buffers (row partition, a row-major copy of the bins, a pool of histograms) and reuses them
/// for every tree. Histograms are built for the smaller child only; the larger child's is the parent's minus the
/// smaller's, computed in the parent's buffer.
///
/// Histograms are built row-wise (LightGBM's "row-wise" mode): each row's bins for all features are one
/// contiguous run of bytes, so a node with scattered rows costs one or two cache lines per row rather than one
/// per row *and feature*, and the updates of one row go to different histograms and never wait on each other.
/// The node's rows are cut into a fixed number of chunks (a function of the row count only, so sums are the same
/// on any machine), each chunk summed into its own histogram in parallel and the chunks added in order.
/// Split search runs parallel over features.
final class GBTTreeGrower {
    let bins: GBTBinnedMatrix
    let binner: GBTBinner
    let parameters: GBTParameters
    /// How the histograms, splits and partitions are spread over threads.
    let parallel: Parallelism
    let rows: Int
    let features: Int
    /// (gradient, hessian, 1, 0) per training row, refreshed by the booster before each tree. The 1 counts the
    /// row in the same vector add that sums its gradient and hessian.
    let gradients: UnsafeMutablePointer<SIMD4<Float>>
    /// After `grow`, the rows of each leaf are a contiguous range of `rowIndex`.
    let rowIndex: UnsafeMutablePointer<UInt32>
    /// `rowMajor[row * stride + feature]`: the same bins as `bins`, transposed.
    private let rowMajor: UnsafeMutablePointer<UInt8>
    private let scratch: UnsafeMutablePointer<UInt32>
    private var freeHistograms: [GBTHistogram] = []
    private var allHistograms: [GBTHistogram] = []
    private let chunkHistograms: [GBTHistogram]
    private let scratches: [Scratch]
    /// Bytes per row in `rowMajor`: the feature count rounded up to 16, so rows copy as whole vectors.
    let stride: Int
    static let minHessian = 1e-3
    static let maxChunks = 4

    init(bins: GBTBinnedMatrix, binner: GBTBinner, parameters: GBTParameters, parallel: Parallelism = .serial) {
        self.bins = bins; self.binner = binner; self.parameters = parameters; self.parallel = parallel
        rows = bins.rows; features = bins.features
        gradients = .allocate(capacity: rows)
        rowIndex = .allocate(capacity: rows); scratch = .allocate(capacity: rows)
        rowMajor = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * ((features + 15) & ~15)), alignment: 64)
            .bindMemory(to: UInt8.self, capacity: max(1, rows * ((features + 15) & ~15)))
        chunkHistograms = (1..<Self.maxChunks).map { _ in GBTHistogram(features: bins.features) }
        let stride = (bins.features + 15) & ~15
        self.stride = stride
        scratches = (0..<Self.maxChunks).map { _ in Scratch(features: bins.features, stride: stride) }
        nonisolated(unsafe) let rowMajor = rowMajor
        let features = features, bins = bins
        parallel.forEach(chunks: rows, minChunk: 4096) { _, range in
            var lo = range.lowerBound
            while lo < range.upperBound {  // blocks of rows, so the columns' reads stay in cache
                let hi = min(lo + 256, range.upperBound)
                for f in 0..<stride {
                    if f < features {
                        let column = bins.column(f)
                        for r in lo..<hi { rowMajor[r * stride + f] = column[r] }
                    } else {
                        for r in lo..<hi { rowMajor[r * stride + f] = 0 }
                    }
                }
                lo = hi
            }
        }
    }

    deinit {
        gradients.deallocate(); rowIndex.deallocate(); scratch.deallocate(); rowMajor.deallocate()
        for h in allHistograms + chunkHistograms { h.deallocate() }
        for s in scratches { s.deallocate() }
    }

    private func takeHistogram() -> GBTHistogram {
        if let h = freeHistograms.popLast() { return h }
        let h = GBTHistogram(features: features)
        allHistograms.append(h)
        return h
    }

    private func give(_ h: GBTHistogram?) { if let h { freeHistograms.append(h) } }

    /// A leaf of the tree being grown.
    private struct Leaf {
        var node: Int
        var start: Int
        var count: Int
        var depth: Int
        var g: Double
        var h: Double
        var histogram: GBTHistogram?
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
        let rootSums = build(rows: nil, count: rows, into: rootHist)
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
                _ = build(rows: rowIndex + smallLeaf.start, count: smallLeaf.count, into: small)
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

    /// Builds the histograms of `count` rows (`rows` nil: rows 0..<count) into `hist`; returns the sums of
    /// gradients and hessians.
    private func build(rows index: UnsafeMutablePointer<UInt32>?, count: Int, into hist: GBTHistogram) -> (g: Double, h: Double) {
        let cells = features * GBTBinner.histogramWidth
        let chunks = count >= 32_768 ? Self.maxChunks : count >= 8192 ? 2 : 1
        nonisolated(unsafe) let index = index
        let targets = [hist] + chunkHistograms, scratch = scratches
        let features = features, rowMajor = rowMajor, gradients = gradients, stride = stride
        parallel.forEach(chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            Self.accumulate(into: targets[c], scratch: scratch[c], cells: cells, rowMajor: rowMajor, stride: stride, features: features,
                            gradients: gradients, rows: index.map { $0 + lo }, first: lo, count: hi - lo)
        }
        if chunks > 1 {
            parallel.forEach(chunks: cells, minChunk: 2048) { _, range in
                for c in 1..<chunks {
                    let source = targets[c]
                    for i in range { hist.gh[i] += source.gh[i]; hist.count[i] &+= source.count[i] }
                }
            }
        }
        var g = 0.0, h = 0.0
        for b in 0..<GBTBinner.histogramWidth { g += hist.gh[b].x; h += hist.gh[b].y }
        return (g, h)
    }

    /// Rows per block summed in `Float` before being added to the `Double` histogram: one 16-byte vector add per
    /// row and feature (gradient, hessian, 1) instead of three scalar ones. A block's count stays exact
    /// (≤ 2²⁴) and its sums carry about 1e-7·√block relative rounding before they join the double totals.
    static let floatBlock = 8192

    /// Rows gathered at a time from scattered positions into a contiguous buffer before they are summed.
    static let gatherBlock = 1024

    /// Sums `count` rows (the listed `rows`, or consecutive rows from `first`) into `target`.
    ///
    /// Listed rows are scattered through memory: summing them in place stalls on a cache miss per row (the
    /// 100-feature inner loop hides nothing). So they are first copied, a block at a time, into `local` by a
    /// short loop that keeps many misses in flight, then summed from there.
    @inline(never)
    static func accumulate(into target: GBTHistogram, scratch: Scratch, cells: Int,
                           rowMajor: UnsafeMutablePointer<UInt8>, stride: Int, features: Int,
                           gradients: UnsafeMutablePointer<SIMD4<Float>>, rows: UnsafeMutablePointer<UInt32>?,
                           first: Int, count: Int) {
        if count == 0 { target.zero(cells); return }
        let acc = scratch.sums
        var lo = 0
        while lo < count {
            let hi = min(lo + floatBlock, count)
            acc.update(repeating: .zero, count: cells)
            if let rows {
                var k = lo
                while k < hi {
                    let end = min(k + gatherBlock, hi)
                    let vectors = stride / 16
                    for j in k..<end {
                        let r = Int(rows[j])
                        scratch.gradients[j - k] = gradients[r]
                        let from = UnsafeRawPointer(rowMajor + r &* stride), to = UnsafeMutableRawPointer(scratch.rows + (j - k) &* stride)
                        for v in 0..<vectors {
                            to.storeBytes(of: from.load(fromByteOffset: v &* 16, as: SIMD16<UInt8>.self), toByteOffset: v &* 16,
                                          as: SIMD16<UInt8>.self)
                        }
                    }
                    sum(acc, rows: scratch.rows, stride: stride, features: features, gradients: scratch.gradients, count: end - k)
                    k = end
                }
            } else {
                sum(acc, rows: rowMajor + (first + lo) &* stride, stride: stride, features: features,
                    gradients: gradients + first + lo, count: hi - lo)
            }
            let gh = target.gh, counts = target.count
            if lo == 0 {  // the first block sets the target, so it needs no zeroing
                for i in 0..<cells {
                    let a = acc[i]
                    gh[i] = SIMD2(Double(a.x), Double(a.y))
                    counts[i] = UInt32(a.z)
                }
            } else {
                for i in 0..<cells {
                    let a = acc[i]
                    gh[i] += SIMD2(Double(a.x), Double(a.y))
                    counts[i] &+= UInt32(a.z)
                }
            }
            lo = hi
        }
    }

    /// Rows summed together, one group of features at a time.
    static let sumBlock = 1024
    /// Features per group: 8 features' histograms (32 KB of `SIMD4<Float>`) stay in L1 while a block of rows is
    /// summed into them, instead of all 100 (400 KB) being touched by every row.
    static let featureGroup = 8

    /// The kernel: for each of `count` consecutive rows, one vector add per feature; blocks of rows, and within a
    /// block one group of features at a time. Each histogram cell still receives its rows in row order, so the
    /// sums are bit-for-bit those of the plain row-by-row loop.
    @inline(__always)
    static func sum(_ acc: UnsafeMutablePointer<SIMD4<Float>>, rows: UnsafeMutablePointer<UInt8>, stride: Int, features: Int,
                    gradients: UnsafeMutablePointer<SIMD4<Float>>, count: Int) {
        var lo = 0
        while lo < count {
            let hi = min(lo + sumBlock, count)
            var f0 = 0
            while f0 < features {
                let f1 = min(f0 + featureGroup, features)
                let base = f0 &* GBTBinner.histogramWidth
                for k in lo..<hi {
                    let v = gradients[k]
                    let row = rows + k &* stride
                    var offset = base
                    for f in f0..<f1 {
                        acc[offset &+ Int(row[f])] += v
                        offset &+= GBTBinner.histogramWidth
                    }
                }
                f0 = f1
            }
            lo = hi
        }
    }

    /// One chunk's working buffers: Float sums of a block, and gathered rows with their gradients.
    struct Scratch {
        let sums: UnsafeMutablePointer<SIMD4<Float>>
        let rows: UnsafeMutablePointer<UInt8>
        let gradients: UnsafeMutablePointer<SIMD4<Float>>

        init(features: Int, stride: Int) {
            sums = .allocate(capacity: features * GBTBinner.histogramWidth)
            rows = UnsafeMutableRawPointer.allocate(byteCount: gatherBlock * stride, alignment: 64)
                .bindMemory(to: UInt8.self, capacity: gatherBlock * stride)
            gradients = .allocate(capacity: gatherBlock)
        }
        func deallocate() { sums.deallocate(); UnsafeMutableRawPointer(rows).deallocate(); gradients.deallocate() }
    }

    /// The best split of every feature of a node, parallel over features. With `subtractFrom`, first turns
    /// `hist` (the parent's) into `hist − subtractFrom` (the sibling's), feature by feature.
    private func findSplits(_ hist: GBTHistogram, g: Double, h: Double, n: Int,
                            into found: inout [GBTSplit?], subtractFrom sibling: GBTHistogram?) {
        let width = GBTBinner.histogramWidth
        let lambda = parameters.l2Regularization
        let minLeaf = parameters.minSamplesLeaf
        let realBins = binner.realBins
        found.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            parallel.forEach(features) { f in
                let gh = hist.gh + f * width, counts = hist.count + f * width
                if let sibling {
                    let sgh = sibling.gh + f * width, scounts = sibling.count + f * width
                    for b in 0..<width { gh[b] -= sgh[b]; counts[b] &-= scounts[b] }
                }
                out[f] = Self.bestSplit(gh: gh, counts: counts, feature: f, realBins: realBins[f], g: g, h: h, n: n,
                                        lambda: lambda, minLeaf: minLeaf)
            }
        }
    }

    /// Scans the bins left to right with missing values sent right, and (when the node has any) sent left.
    static func bestSplit(gh: UnsafeMutablePointer<SIMD2<Double>>, counts: UnsafeMutablePointer<UInt32>, feature: Int,
                          realBins: Int, g: Double, h: Double, n: Int, lambda: Double, minLeaf: Int) -> GBTSplit? {
        guard realBins > 0 else { return nil }
        let missing = gh[GBTBinner.missingBin], missingCount = Int(counts[GBTBinner.missingBin])
        let hasMissing = missingCount > 0
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
            cg += gh[b].x; ch += gh[b].y; cn += Int(counts[b])
            consider(cg, ch, cn, bin: b, missingLeft: false)
            if hasMissing && b < realBins - 1 {
                consider(cg + missing.x, ch + missing.y, cn + missingCount, bin: b, missingLeft: true)
            }
        }
        return best
    }

    /// Stable partition of a node's rows: left rows first. Returns how many went left.
    ///
    /// Large nodes are cut into 8 chunks (a function of the row count only): each chunk, in parallel, writes its
    /// left rows forward and its right rows backward into its own stretch of `scratch`; then each chunk copies
    /// them, in parallel, to their final places, so the order within both sides is the original order.
    private func partition(start: Int, count: Int, split: GBTSplit) -> Int {
        let column = bins.column(split.feature)
        let threshold = UInt8(truncatingIfNeeded: split.bin)
        let missingLeft = split.missingLeft
        let index = rowIndex + start
        @inline(__always) func goesLeft(_ row: UInt32) -> Bool {
            let b = column[Int(row)]
            return b == UInt8(GBTBinner.missingBin) ? missingLeft : b <= threshold
        }
        let chunks = count >= 65_536 ? 8 : 1
        if chunks == 1 {
            var l = 0, r = 0
            for k in 0..<count {
                let row = index[k]
                index[l] = row; scratch[r] = row
                let step = goesLeft(row) ? 1 : 0
                l &+= step; r &+= 1 &- step
            }
            (index + l).update(from: scratch, count: r)
            return l
        }
        nonisolated(unsafe) let scratch = scratch + start
        var lefts = [Int](repeating: 0, count: chunks)
        lefts.withUnsafeMutableBufferPointer { lefts in
            nonisolated(unsafe) let lefts = lefts
            parallel.forEach(chunks) { c in
                let lo = count * c / chunks, hi = count * (c + 1) / chunks
                var l = lo, r = hi
                for k in lo..<hi {
                    let row = index[k]
                    if goesLeft(row) { scratch[l] = row; l &+= 1 } else { r &-= 1; scratch[r] = row }
                }
                lefts[c] = l - lo
            }
        }
        var leftStart = [Int](repeating: 0, count: chunks), rightStart = [Int](repeating: 0, count: chunks)
        let nLeft = lefts.reduce(0, +)
        var l = 0, r = nLeft
        for c in 0..<chunks {
            leftStart[c] = l; rightStart[c] = r
            l += lefts[c]; r += (count * (c + 1) / chunks - count * c / chunks) - lefts[c]
        }
        parallel.forEach(chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            (index + leftStart[c]).update(from: scratch + lo, count: lefts[c])
            let rights = hi - lo - lefts[c]
            for j in 0..<rights { index[rightStart[c] + j] = scratch[hi - 1 - j] }
        }
        return nLeft
    }
}
