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
}
