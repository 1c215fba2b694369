import PropertyBased
import Testing
@testable import UpstreamLinkage

/// The bit-mask Jaro (used when the second string has at most 64 bytes) against the window scan it replaced on the
/// per-pair path: the same greedy matching, so the same value to the last bit.
@Suite("Jaro by bit masks")
struct JaroBitsTests {
    static func both(_ a: [UInt8], _ b: [UInt8]) -> (bits: Double, scan: Double) {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in (Comparators.jaro(pa, pb), Comparators.jaroScan(pa, pb)) } }
    }

    /// Few letters, so repeated characters, transpositions and window edges are common.
    @Test func agreesWithTheScanOnShortWordsOfFewLetters() async {
        let word = Gen<Character?>.element(of: ["A", "B", "C", "D", " "]).map { $0! }.array(of: 0...20).map { String($0) }
        await propertyCheck(count: 2000, input: word, word) { a, b in
            let r = Self.both(Array(a.utf8), Array(b.utf8))
            #expect(r.bits == r.scan, "\(a) / \(b)")
        }
    }

    /// Up to and past 64 bytes either side, including a first string far longer than the second.
    @Test func agreesWithTheScanAroundSixtyFourBytes() async {
        let word = Gen<Character?>.element(of: ["E", "S", "T", "1", " ", "é"]).map { $0! }.array(of: 0...90).map { String($0) }
        await propertyCheck(count: 1000, input: word, word) { a, b in
            let r = Self.both(Array(a.utf8), Array(b.utf8))
            #expect(r.bits == r.scan, "\(a) / \(b)")
        }
    }

    @Test func knownPairsAndEdges() {
        for (a, b) in [("MARTHA", "MARHTA"), ("DIXON", "DICKSONX"), ("A", "A"), ("AB", "BA"), ("CRATE", "TRACE"),
                       (String(repeating: "A", count: 64), String(repeating: "A", count: 63) + "B"),
                       (String(repeating: "AB", count: 40), String(repeating: "BA", count: 32))] {
            let r = Self.both(Array(a.utf8), Array(b.utf8))
            #expect(r.bits == r.scan, "\(a) / \(b)")
        }
    }

    /// Under a floor, Jaro-Winkler is either the exact value (when it reaches the floor) or a bound under the floor: a
    /// threshold test at or above the floor has the same outcome either way.
    @Test func aFlooredSimilarityKeepsEveryThresholdsOutcome() async {
        let word = Gen<Character?>.element(of: ["A", "N", "E", "S", "R", "1", " "]).map { $0! }.array(of: 0...14).map { String($0) }
        let floors = Gen<Double?>.element(of: [0, 0.5, 0.7, 0.8, 0.88, 0.92, 0.95]).map { $0! }
        await propertyCheck(count: 3000, input: word, word, floors) { a, b, floor in
            let (x, y) = (Array(a.utf8), Array(b.utf8))
            let (exact, floored) = x.withUnsafeBufferPointer { pa in y.withUnsafeBufferPointer { pb in
                (Comparators.jaroWinkler(pa, pb), Comparators.jaroWinkler(pa, pb, atLeast: floor)) } }
            if exact >= floor { #expect(floored == exact, "\(a) / \(b) at \(floor)") } else { #expect(floored < floor && floored >= 0, "\(a) / \(b) at \(floor)") }
        }
    }

    @Test func differentNamesAreBoundedUnderTheFloorAndCloseOnesAreExact() {
        func floored(_ a: String, _ b: String, _ floor: Double) -> Double {
            Array(a.utf8).withUnsafeBufferPointer { pa in Array(b.utf8).withUnsafeBufferPointer { pb in Comparators.jaroWinkler(pa, pb, atLeast: floor) } }
        }
        #expect(floored("THOMPSON", "BARKER", 0.8) < 0.8)
        #expect(floored("MARTHA", "MARHTA", 0.8) == Comparators.jaroWinkler("MARTHA", "MARHTA"))
    }
}
