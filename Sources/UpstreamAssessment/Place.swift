import Foundation
import UpstreamModel

/// A small area (an LSOA) with where it is and how much violence it had.
public struct AreaPoint: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    /// Position in metres on a flat grid (eastings and northings, or longitude and latitude projected).
    public var x: Double?
    public var y: Double?
    /// Longitude and latitude, when the input gives them (police.uk), for the GeoJSON export.
    public var longitude: Double?
    public var latitude: Double?
    public var count: Int

    public init(code: String, name: String, x: Double?, y: Double?, longitude: Double? = nil, latitude: Double? = nil, count: Int) {
        self.code = code; self.name = name; self.x = x; self.y = y; self.longitude = longitude; self.latitude = latitude
        self.count = count
    }
}

/// The share of violence in the busiest small areas.
public struct Concentration: Codable, Sendable, Equatable {
    /// Small areas in the data.
    public var areas: Int
    public var crimes: Int
    /// The busiest 1% of areas (rounded up, at least one): how many areas, and their share of the crimes.
    public var top1Areas: Int
    public var top1Share: Double
    public var top5Areas: Int
    public var top5Share: Double

    /// Concentration of `counts` (one per area, zeros included).
    public static func of(_ counts: [Int]) -> Concentration {
        let sorted = counts.sorted(by: >)
        let total = sorted.reduce(0, +)
        func top(_ fraction: Double) -> (Int, Double) {
            guard !sorted.isEmpty else { return (0, 0) }
            let k = max(1, Int((Double(sorted.count) * fraction).rounded(.up)))
            let s = sorted.prefix(k).reduce(0, +)
            return (k, total > 0 ? Double(s) / Double(total) : 0)
        }
        let (k1, s1) = top(0.01), (k5, s5) = top(0.05)
        return Concentration(areas: counts.count, crimes: total, top1Areas: k1, top1Share: s1, top5Areas: k5, top5Share: s5)
    }
}

/// Getis–Ord Gi* local statistics with a Benjamini–Hochberg false-discovery-rate correction.
public struct Hotspots: Codable, Sendable, Equatable {
    /// One area's statistic.
    public struct Local: Codable, Sendable, Equatable {
        public var code: String
        public var count: Int
        /// Neighbours within the distance band, the area itself included.
        public var neighbours: Int
        /// Gi* as a z-score.
        public var z: Double
        /// Two-sided p-value from the normal distribution.
        public var p: Double
        /// Benjamini–Hochberg adjusted p-value over every area tested.
        public var q: Double
        /// "hot", "cold" or "" (not significant at the false discovery rate).
        public var kind: String
    }

    /// Neighbours are the areas whose centres lie within this many metres (binary weights, the area itself included).
    public var distance: Double
    public var falseDiscoveryRate: Double
    public var locals: [Local]
    public var hot: Int { locals.filter { $0.kind == "hot" }.count }
    public var cold: Int { locals.filter { $0.kind == "cold" }.count }

    /// The default distance band: 1.5 times the median distance from an area's centre to its nearest neighbour's.
    public static func defaultDistance(_ points: [(Double, Double)]) -> Double {
        guard points.count > 1 else { return 1 }
        var nearest: [Double] = []
        for i in points.indices {
            var best = Double.infinity
            for j in points.indices where j != i {
                let dx = points[i].0 - points[j].0, dy = points[i].1 - points[j].1
                best = min(best, (dx * dx + dy * dy).squareRoot())
            }
            nearest.append(best)
        }
        return 1.5 * (Statistics.median(nearest) ?? 1)
    }

    /// Gi* for every area with a position (Getis & Ord 1992; Ord & Getis 1995):
    ///
    /// Gi* = (Σⱼ wᵢⱼ xⱼ − x̄ Σⱼ wᵢⱼ) / (S √((n Σⱼ wᵢⱼ² − (Σⱼ wᵢⱼ)²) / (n − 1))), with x̄ and S = √(Σ x²/n − x̄²) over
    /// all n areas and wᵢⱼ = 1 when j is within `distance` of i (i included), else 0.
    public static func giStar(codes: [String], x: [Double], y: [Double], counts: [Int], distance: Double,
                              falseDiscoveryRate: Double = 0.05) -> Hotspots {
        let n = counts.count
        let values = counts.map(Double.init)
        let mean = values.reduce(0, +) / Double(max(n, 1))
        let s = (values.reduce(0) { $0 + $1 * $1 } / Double(max(n, 1)) - mean * mean).squareRoot()
        var z = [Double](repeating: 0, count: n), neighbours = [Int](repeating: 0, count: n)
        let d2 = distance * distance
        // Sort by x so each area only looks at the strip within `distance` of it.
        let order = (0..<n).sorted { x[$0] < x[$1] }
        let xs = order.map { x[$0] }
        for i in 0..<n {
            var lo = 0, hi = n
            while lo < hi { let m = (lo + hi) / 2; if xs[m] < x[i] - distance { lo = m + 1 } else { hi = m } }
            var sumW = 0.0, sumWX = 0.0
            var k = lo
            while k < n && xs[k] <= x[i] + distance {
                let j = order[k]
                let dx = x[i] - x[j], dy = y[i] - y[j]
                if dx * dx + dy * dy <= d2 { sumW += 1; sumWX += values[j] }
                k += 1
            }
            neighbours[i] = Int(sumW)
            let denominator = s * ((Double(n) * sumW - sumW * sumW) / Double(n - 1)).squareRoot()
            z[i] = denominator > 0 ? (sumWX - mean * sumW) / denominator : 0
        }
        let p = z.map { Statistics.normalTwoSided($0) }
        let q = Statistics.benjaminiHochberg(p)
        var locals: [Local] = []
        for i in 0..<n {
            let kind = q[i] <= falseDiscoveryRate ? (z[i] > 0 ? "hot" : "cold") : ""
            locals.append(Local(code: codes[i], count: counts[i], neighbours: neighbours[i], z: z[i], p: p[i], q: q[i], kind: kind))
        }
        return Hotspots(distance: distance, falseDiscoveryRate: falseDiscoveryRate, locals: locals)
    }
}

/// GeoJSON (RFC 7946) of the areas, their counts and hotspot results, for QGIS.
public enum GeoJSON {
    /// A FeatureCollection of points. Areas with longitude and latitude are written in WGS 84 (RFC 7946); areas with only
    /// grid positions are written as eastings and northings with the British National Grid named (EPSG:27700), which QGIS
    /// reads from the legacy `crs` member.
    public static func areas(_ areas: [AreaPoint], hotspots: Hotspots?) -> String {
        let local = Dictionary((hotspots?.locals ?? []).map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let geographic = areas.contains { $0.longitude != nil }
        var out = "{\"type\":\"FeatureCollection\","
        if !geographic { out += "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}}," }
        out += "\"features\":["
        var first = true
        for a in areas {
            let coordinates: (Double, Double)?
            if geographic { coordinates = a.longitude.flatMap { lon in a.latitude.map { (lon, $0) } } }
            else { coordinates = a.x.flatMap { x in a.y.map { (x, $0) } } }
            guard let (cx, cy) = coordinates else { continue }
            if !first { out += "," }
            first = false
            out += "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[\(number(cx, geographic ? 6 : 1)),\(number(cy, geographic ? 6 : 1))]},"
            out += "\"properties\":{\"code\":\(quoted(a.code)),\"name\":\(quoted(a.name)),\"violence\":\(a.count)"
            if let l = local[a.code] {
                out += ",\"gi_z\":\(number(l.z, 4)),\"gi_q\":\(number(l.q, 6)),\"hotspot\":\(quoted(l.kind))"
            }
            out += "}}"
        }
        out += "]}\n"
        return out
    }

    static func number(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "null" }
        return String(format: "%.\(digits)f", x)
    }

    static func quoted(_ s: String) -> String { JSONText.quoted(s) }
}
