// Exact path-dependent TreeSHAP: Lundberg, Erion & Lee (2018), "Consistent Individualized Feature Attribution
// for Tree Ensembles", Algorithm 2, following the reference implementation's EXTEND / UNWIND / unwound-sum.
// The conditional expectation E[f(x) | x_S] is path-dependent: at a split on a feature outside S, both children
// are followed, weighted by their training cover.

extension GBTModel {
    /// Exact TreeSHAP contributions of one row (values in `featureNames` order).
    ///
    /// `base` is `baseMargin` plus every tree's expected value over the training rows; `perFeature[f]` is
    /// feature f's Shapley value, in log-odds. `base + perFeature.sum()` equals `margin(row:)` up to rounding
    /// (about 1e-12 relative). A feature no tree splits on gets exactly 0; a missing value is attributed like any
    /// other (it decided which way the row went).
    public func contributions(row: [Float]) -> (base: Double, perFeature: [Double]) {
        precondition(row.count == featureNames.count, "a row needs \(featureNames.count) values, got \(row.count)")
        var phi = [Double](repeating: 0, count: featureNames.count)
        var base = baseMargin
        var path = [GBTPathElement]()
        for tree in trees {
            base += tree.expectedValue
            let depth = tree.depth
            let needed = (depth + 2) * (depth + 3) / 2
            if path.count < needed { path = [GBTPathElement](repeating: .init(), count: needed) }
            path.withUnsafeMutableBufferPointer { p in
                tree.shap(row: row, phi: &phi, node: 0, path: p.baseAddress!, uniqueDepth: 0,
                          zeroFraction: 1, oneFraction: 1, feature: -1)
            }
        }
        return (base, phi)
    }
}

struct GBTPathElement {
    var feature: Int = -1
    var zeroFraction: Double = 0
    var oneFraction: Double = 0
    var weight: Double = 0
}

extension GBTTree {
    func shap(row: [Float], phi: inout [Double], node: Int, path parent: UnsafeMutablePointer<GBTPathElement>,
              uniqueDepth depthIn: Int, zeroFraction: Double, oneFraction: Double, feature: Int) {
        var depth = depthIn
        let path = parent + depth + 1
        path.update(from: parent, count: depth + 1)
        Self.extend(path, depth, zeroFraction, oneFraction, feature)
        let n = nodes[node]
        if n.isLeaf {
            if depth >= 1 {
                for i in 1...depth {
                    let w = Self.unwoundSum(path, depth, i)
                    phi[path[i].feature] += w * (path[i].oneFraction - path[i].zeroFraction) * n.value
                }
            }
            return
        }
        let hot = n.child(for: row[n.feature])
        let cold = hot == n.left ? n.right : n.left
        let hotZero = nodes[hot].cover / n.cover
        let coldZero = nodes[cold].cover / n.cover
        var incomingZero = 1.0, incomingOne = 1.0
        // A feature already on the path: undo its earlier split, so it appears once.
        var k = 0
        while k <= depth, path[k].feature != n.feature { k += 1 }
        if k <= depth {
            incomingZero = path[k].zeroFraction
            incomingOne = path[k].oneFraction
            Self.unwind(path, depth, k)
            depth -= 1
        }
        shap(row: row, phi: &phi, node: hot, path: path, uniqueDepth: depth + 1,
             zeroFraction: hotZero * incomingZero, oneFraction: incomingOne, feature: n.feature)
        shap(row: row, phi: &phi, node: cold, path: path, uniqueDepth: depth + 1,
             zeroFraction: coldZero * incomingZero, oneFraction: 0, feature: n.feature)
    }

    static func extend(_ p: UnsafeMutablePointer<GBTPathElement>, _ d: Int, _ zero: Double, _ one: Double, _ feature: Int) {
        p[d] = GBTPathElement(feature: feature, zeroFraction: zero, oneFraction: one, weight: d == 0 ? 1 : 0)
        var i = d - 1
        while i >= 0 {
            p[i + 1].weight += one * p[i].weight * Double(i + 1) / Double(d + 1)
            p[i].weight = zero * p[i].weight * Double(d - i) / Double(d + 1)
            i -= 1
        }
    }

    static func unwind(_ p: UnsafeMutablePointer<GBTPathElement>, _ d: Int, _ index: Int) {
        let one = p[index].oneFraction, zero = p[index].zeroFraction
        var next = p[d].weight
        var i = d - 1
        while i >= 0 {
            if one != 0 {
                let tmp = p[i].weight
                p[i].weight = next * Double(d + 1) / (Double(i + 1) * one)
                next = tmp - p[i].weight * zero * Double(d - i) / Double(d + 1)
            } else {
                p[i].weight = p[i].weight * Double(d + 1) / (zero * Double(d - i))
            }
            i -= 1
        }
        for j in index..<d {
            p[j].feature = p[j + 1].feature
            p[j].zeroFraction = p[j + 1].zeroFraction
            p[j].oneFraction = p[j + 1].oneFraction
        }
    }

    static func unwoundSum(_ p: UnsafeMutablePointer<GBTPathElement>, _ d: Int, _ index: Int) -> Double {
        let one = p[index].oneFraction, zero = p[index].zeroFraction
        var next = p[d].weight
        var total = 0.0
        var i = d - 1
        while i >= 0 {
            if one != 0 {
                let tmp = next * Double(d + 1) / (Double(i + 1) * one)
                total += tmp
                next = p[i].weight - tmp * zero * (Double(d - i) / Double(d + 1))
            } else if zero != 0 {
                total += (p[i].weight / zero) / (Double(d - i) / Double(d + 1))
            }
            i -= 1
        }
        return total
    }
}
