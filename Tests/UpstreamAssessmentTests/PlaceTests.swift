import Testing
@testable import UpstreamAssessment

@Suite("Place: concentration, Getis-Ord Gi* and the false discovery rate")
struct PlaceTests {
    @Test("Gi* on a 3×3 grid matches a hand computation")
    func giStarGrid() {
        // Counts on a unit grid, row by row from (0,0); neighbours within 1 (the four rook neighbours and the area itself).
        let counts = [1, 2, 3, 4, 10, 6, 7, 8, 9]
        let x = (0..<9).map { Double($0 % 3) }, y = (0..<9).map { Double($0 / 3) }
        let h = Hotspots.giStar(codes: (0..<9).map { "A\($0)" }, x: x, y: y, counts: counts, distance: 1)
        // x̄ = 50/9, S = √(Σx²/9 − x̄²) = 3.0225490; for the centre (5 neighbours, Σ = 2+4+10+6+8 = 30):
        // Gi* = (30 − 5x̄) / (S √((9·5 − 25)/8)) = 0.4649906. Corner (0,0): (1+2+4 − 3x̄)/(S √((27 − 9)/8)) = −2.1321224.
        let expected = [-2.1321224041, -1.3019735539, -1.2498648576, -0.0464990555, 0.464990555, 1.2089754429, 0.5146502355,
                        2.4644499414, 1.396907782]
        for i in 0..<9 { #expect(abs(h.locals[i].z - expected[i]) < 1e-9, "area \(i)") }
        #expect(h.locals.map(\.neighbours) == [3, 4, 3, 4, 5, 4, 3, 4, 3])
        // Two-sided normal p for the bottom-middle area (z = 2.4644): 0.0137224.
        #expect(abs(h.locals[7].p - 0.013722373016508041) < 1e-9)
        // Nine tests: the smallest p, 0.0137, becomes q = min(0.0137 × 9/1, 0.0330 × 9/2, …) = 0.1235 — not a hotspot at 5%.
        #expect(abs(h.locals[7].q - 0.013722373016508041 * 9) < 1e-9)
        #expect(h.hot == 0 && h.cold == 0)
    }

    @Test("a strong cluster on a larger grid is found hot after the correction, and the rest is not")
    func cluster() {
        var counts = [Int](repeating: 2, count: 100)
        for i in [44, 45, 54, 55, 46, 56, 34, 35] { counts[i] = 40 }
        let x = (0..<100).map { Double($0 % 10) * 500 }, y = (0..<100).map { Double($0 / 10) * 500 }
        let h = Hotspots.giStar(codes: (0..<100).map { "A\($0)" }, x: x, y: y, counts: counts, distance: 500)
        #expect(h.locals[45].kind == "hot")
        #expect(h.locals[55].kind == "hot")
        #expect(h.locals[0].kind == "")
        #expect(h.locals[99].kind == "")
    }

    @Test("Benjamini-Hochberg q-values match a hand computation")
    func bh() {
        // p sorted: 0.01 (rank 1), 0.03 (2), 0.04 (3), 0.2 (4); p·m/rank = 0.04, 0.06, 0.0533, 0.2; running minimum from the top.
        let q = Statistics.benjaminiHochberg([0.01, 0.04, 0.03, 0.2])
        let expected = [0.04, 0.05333333333333334, 0.05333333333333334, 0.2]
        for i in 0..<4 { #expect(abs(q[i] - expected[i]) < 1e-12) }
    }

    @Test("concentration in the top 1% and 5% of areas matches a hand computation")
    func concentration() {
        // 200 areas: two with 50 crimes, eight with 10, the rest with 1. Top 1% = 2 areas = 100 of 370;
        // top 5% = 10 areas = 100 + 80 = 180 of 370.
        let counts = [50, 50] + Array(repeating: 10, count: 8) + Array(repeating: 1, count: 190)
        let c = Concentration.of(counts.shuffled())
        #expect(c.areas == 200 && c.crimes == 370)
        #expect(c.top1Areas == 2 && abs(c.top1Share - 100.0 / 370) < 1e-12)
        #expect(c.top5Areas == 10 && abs(c.top5Share - 180.0 / 370) < 1e-12)
        // 30 areas: 1% rounds up to one area, 5% to two.
        let small = Concentration.of([9] + Array(repeating: 1, count: 29))
        #expect(small.top1Areas == 1 && small.top5Areas == 2)
    }

    @Test("the default distance band is 1.5 × the median nearest-neighbour distance")
    func distance() {
        let pts: [(Double, Double)] = [(0, 0), (100, 0), (300, 0), (700, 0)]
        // nearest: 100, 100, 200, 400 → median 150 → 225.
        #expect(Hotspots.defaultDistance(pts) == 225)
    }

    @Test("the GeoJSON export is a FeatureCollection QGIS can open, with WGS 84 points or the British National Grid named")
    func geojson() {
        let wgs = GeoJSON.areas([AreaPoint(code: "E01000001", name: "Birmingham \"001A\"", x: 1, y: 2, longitude: -1.9, latitude: 52.48, count: 3)], hotspots: nil)
        #expect(wgs.hasPrefix("{\"type\":\"FeatureCollection\",\"features\":["))
        #expect(wgs.contains("\"coordinates\":[-1.900000,52.480000]"))
        #expect(wgs.contains("\"name\":\"Birmingham \\\"001A\\\"\""))
        let bng = GeoJSON.areas([AreaPoint(code: "A", name: "A", x: 400000, y: 300000, count: 1), AreaPoint(code: "B", name: "B", x: nil, y: nil, count: 1)], hotspots: nil)
        #expect(bng.contains("EPSG::27700"))
        #expect(bng.contains("[400000.0,300000.0]"))
        #expect(!bng.contains("\"code\":\"B\""))
    }
}
