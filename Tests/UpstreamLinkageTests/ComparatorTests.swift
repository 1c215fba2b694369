import PropertyBased
import Testing
import UpstreamLinkage

@Suite("Comparators")
struct ComparatorTests {
    /// Jaro-Winkler values published by Winkler (1990, 1994) and reproduced in the record linkage literature.
    @Test("Jaro-Winkler matches Winkler's examples", arguments: [
        ("MARTHA", "MARHTA", 0.961), ("DWAYNE", "DUANE", 0.840), ("DIXON", "DICKSONX", 0.813),
        ("JONES", "JOHNSON", 0.832), ("MASSEY", "MASSIE", 0.933), ("SHACKLEFORD", "SHACKELFORD", 0.982),
    ])
    func winklerValues(_ a: String, _ b: String, _ expected: Double) {
        #expect(abs(Comparators.jaroWinkler(a, b) - expected) < 0.0015, "\(a)/\(b)")
    }

    @Test func jaroKnownValues() {
        #expect(abs(Comparators.jaro(Array("MARTHA".utf8), Array("MARHTA".utf8)) - 0.944) < 0.001)
        #expect(abs(Comparators.jaro(Array("DIXON".utf8), Array("DICKSONX".utf8)) - 0.767) < 0.001)
        #expect(Comparators.jaroWinkler("", "") == 1)
        #expect(Comparators.jaroWinkler("ABC", "") == 0)
        #expect(Comparators.jaroWinkler("ABC", "XYZ") == 0)
    }

    @Test func damerauLevenshteinKnownValues() {
        #expect(Comparators.damerauLevenshtein("SMITH", "SMITH") == 0)
        #expect(Comparators.damerauLevenshtein("SMITH", "SMIHT") == 1)  // transposition
        #expect(Comparators.damerauLevenshtein("SMITH", "SMYTH") == 1)  // substitution
        #expect(Comparators.damerauLevenshtein("SMITH", "SMITHE") == 1)  // insertion
        #expect(Comparators.damerauLevenshtein("KITTEN", "SITTING") == 3)
        #expect(Comparators.damerauLevenshtein("CA", "ABC") == 3)  // optimal string alignment form
        #expect(Comparators.damerauLevenshtein("", "ABC") == 3)
    }

    @Test func jaroWinklerIsSymmetricBoundedAndOneOnIdentity() async {
        let word = Gen.letterOrNumber.string(of: 0...12)
        await propertyCheck(input: word, word) { a, b in
            let x = Comparators.jaroWinkler(a.uppercased(), b.uppercased())
            let y = Comparators.jaroWinkler(b.uppercased(), a.uppercased())
            #expect(abs(x - y) < 1e-12)
            #expect(x >= 0 && x <= 1)
            #expect(Comparators.jaroWinkler(a, a) == 1)
            #expect(Comparators.jaroWinkler(a, b) >= Comparators.jaro(Array(a.utf8), Array(b.utf8)) - 1e-12)
        }
    }

    @Test func damerauLevenshteinIsSymmetricBoundedAndZeroOnIdentity() async {
        let word = Gen.letterOrNumber.string(of: 0...10)
        await propertyCheck(input: word, word) { a, b in
            let d = Comparators.damerauLevenshtein(a, b)
            #expect(d == Comparators.damerauLevenshtein(b, a))
            #expect(d >= abs(a.utf8.count - b.utf8.count))
            #expect(d <= max(a.utf8.count, b.utf8.count))
            #expect(Comparators.damerauLevenshtein(a, a) == 0)
            #expect((d == 0) == (a == b))
        }
    }

    @Test func dateOfBirthLevels() {
        func d(_ y: Int, _ m: Int, _ day: Int) -> Int32 { CivilDateFixture.day(y, m, day) }
        #expect(Comparer.dobLevel(d(2005, 3, 7), d(2005, 3, 7)) == 1)
        #expect(Comparer.dobLevel(d(2005, 3, 7), d(2005, 7, 3)) == 2)  // day and month swapped
        #expect(Comparer.dobLevel(d(2005, 3, 7), d(2005, 3, 8)) == 3)  // one day off
        #expect(Comparer.dobLevel(d(2005, 3, 19), d(2005, 3, 20)) == 3)  // one day off across a ten
        #expect(Comparer.dobLevel(d(2005, 3, 7), d(2003, 3, 7)) == 3)  // one digit off
        #expect(Comparer.dobLevel(d(2005, 3, 7), d(2004, 3, 7)) == 4 || Comparer.dobLevel(d(2005, 3, 7), d(2004, 3, 7)) == 3)
        #expect(Comparer.dobLevel(d(2010, 3, 7), d(2009, 3, 7)) == 4)  // year off by one, two digits differ
        #expect(Comparer.dobLevel(d(2005, 3, 7), d(1990, 11, 21)) == 5)
        #expect(Comparer.dobLevel(PreparedData.missingDate, d(1990, 11, 21)) == 0)
    }
}
