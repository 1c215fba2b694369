import PropertyBased
import Testing
import UpstreamModel
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

    /// The similarity with the floor in its loop (``Comparators/jaroWinkler(_:_:atLeast:table:)``): the exact value to
    /// the last bit, or a bound under the floor less the margin that the exact value does not exceed; its scratch is
    /// left zeroed for the next pair. Lengths up to and past 64 bytes, the floors the comparer uses and others.
    @Test func theFlooredLoopGivesTheSimilarityOrABoundUnderTheFloor() async {
        let word = Gen<Character?>.element(of: ["A", "N", "E", "S", "R", "1", " ", "é"]).map { $0! }.array(of: 0...70).map { String($0) }
        let floors = Gen<Int>.int(in: 0...20).map { [0.05, 0.3, 0.5, 0.7, 0.8, 0.88, 0.9, 0.92, 0.95, 1.0][$0 % 10] }
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: Comparators.jaroTableWords)
        table.initialize(repeating: 0, count: Comparators.jaroTableWords)
        defer { table.deallocate() }
        let shared = UnsafeSendable(table)
        await propertyCheck(count: 4000, input: word, word, floors) { a, b, floor in
            let (x, y) = (Array(a.utf8), Array(b.utf8))
            let (exact, floored) = x.withUnsafeBufferPointer { pa in y.withUnsafeBufferPointer { pb in
                (Comparators.jaroWinkler(pa, pb), Comparators.jaroWinkler(pa, pb, atLeast: Comparators.SketchCuts(floor: floor), table: shared.value)) } }
            if floored != exact {
                #expect(floored < floor - 1e-9 && exact <= floored, "\(a) / \(b) at \(floor): \(floored) for \(exact)")
            }
            if exact >= floor - 1e-9 { #expect(floored == exact, "\(a) / \(b) at \(floor)") }
            #expect((0..<256).allSatisfy { shared.value[$0] == 0 }, "\(a) / \(b): the table left dirty")
        }
    }

    /// Long strings of different words stop early with a bound; close ones and equal ones give the similarity.
    @Test func theFlooredLoopOnAddresses() {
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: Comparators.jaroTableWords)
        table.initialize(repeating: 0, count: Comparators.jaroTableWords)
        defer { table.deallocate() }
        func floored(_ a: String, _ b: String, _ floor: Double) -> Double {
            Array(a.utf8).withUnsafeBufferPointer { pa in Array(b.utf8).withUnsafeBufferPointer { pb in
                Comparators.jaroWinkler(pa, pb, atLeast: Comparators.SketchCuts(floor: floor), table: table) } }
        }
        #expect(floored("589 ANDERSON VILLAGE", "FLAT 35 947 RICKY FORT", 0.7) < 0.7)
        #expect(floored("12 HIGH STREET", "12 HIGH STREET", 0.7) == 1)
        #expect(floored("12 HIGH STREET", "12 HIGH STRET", 0.7) == Comparators.jaroWinkler("12 HIGH STREET", "12 HIGH STRET"))
        #expect(floored("MARTHA", "MARHTA", 0.8) == Comparators.jaroWinkler("MARTHA", "MARHTA"))
    }

    @Test func differentNamesAreBoundedUnderTheFloorAndCloseOnesAreExact() {
        func floored(_ a: String, _ b: String, _ floor: Double) -> Double {
            Array(a.utf8).withUnsafeBufferPointer { pa in Array(b.utf8).withUnsafeBufferPointer { pb in Comparators.jaroWinkler(pa, pb, atLeast: floor) } }
        }
        #expect(floored("THOMPSON", "BARKER", 0.8) < 0.8)
        #expect(floored("MARTHA", "MARHTA", 0.8) == Comparators.jaroWinkler("MARTHA", "MARHTA"))
    }

    /// The sketches' bound is never under the similarity: any threshold a pair reaches, its bound reaches too, so a
    /// pair skipped by the bound fails every Jaro-Winkler level.
    @Test func theSketchBoundIsNeverUnderTheSimilarity() async {
        let word = Gen<Character?>.element(of: ["A", "a", "N", "E", "S", "R", "1", "2", "9", " ", "-", "é"]).map { $0! }.array(of: 0...24).map { String($0) }
        await propertyCheck(count: 3000, input: word, word) { a, b in
            let (x, y) = (Array(a.utf8), Array(b.utf8))
            x.withUnsafeBufferPointer { pa in y.withUnsafeBufferPointer { pb in
                guard let sa = Comparators.jaroSketch(pa), let sb = Comparators.jaroSketch(pb) else {
                    #expect(x.isEmpty || y.isEmpty || Self.someClassOverSeven(x) || Self.someClassOverSeven(y), "\(a) / \(b)")
                    return
                }
                let exact = Comparators.jaroWinkler(pa, pb)
                #expect(Comparators.sketchBound(sa, sb) >= exact - 1e-12, "\(a) / \(b): bound under \(exact)")
            } }
        }
    }

    /// The bound tested against a floor without dividing says "under" only where the bound is under the floor less
    /// the similarity's margin, and says it wherever the bound is clearly under (outside a band of rounding width).
    @Test func theCutsAgreeWithTheBound() async {
        let word = Gen<Character?>.element(of: ["A", "a", "N", "E", "S", "R", "1", "2", "9", " ", "-"]).map { $0! }.array(of: 1...24).map { String($0) }
        let floors = Gen<Int>.int(in: 0...20).map { [0.05, 0.3, 0.5, 0.7, 0.8, 0.88, 0.92, 0.95, 1.0][$0 % 9] }
        await propertyCheck(count: 3000, input: word, word, floors) { a, b, floor in
            let (x, y) = (Array(a.utf8), Array(b.utf8))
            x.withUnsafeBufferPointer { pa in y.withUnsafeBufferPointer { pb in
                guard let sa = Comparators.jaroSketch(pa), let sb = Comparators.jaroSketch(pb) else { return }
                let bound = Comparators.sketchBound(sa, sb), under = Comparators.SketchCuts(floor: floor).under(sa, sb)
                if under { #expect(bound < floor - 1e-9, "\(a) / \(b) at \(floor): called under with bound \(bound)") }
                if bound < floor - 1e-8 { #expect(under, "\(a) / \(b) at \(floor): bound \(bound) not called under") }
                if bound >= floor { #expect(!under, "\(a) / \(b) at \(floor)") }
            } }
        }
    }

    static func someClassOverSeven(_ s: [UInt8]) -> Bool {
        var counts = [Int](repeating: 0, count: 32)
        for c in s { counts[Comparators.sketchClass(c)] += 1 }
        return counts.contains { $0 > 7 }
    }

    /// The word arithmetic of the sketches: the sum of the fields' minima, field by field.
    @Test func nibbleMinimaSumAsFieldByField() async {
        let word = Gen<Int>.int(in: 0...Int.max).map { UInt64($0) & 0x7777_7777_7777_7777 }
        await propertyCheck(count: 2000, input: word, word) { x, y in
            var expected = 0
            for f in 0..<16 { expected += Int(min((x >> UInt64(4 * f)) & 0xF, (y >> UInt64(4 * f)) & 0xF)) }
            #expect(Comparators.nibbleMinSum(x, y) == expected)
        }
    }

    /// Known sketches: the classes, the length and prefix word, and the strings that get none.
    @Test func sketchesOfKnownStrings() {
        func sketch(_ s: String) -> (UInt64, UInt64, UInt64)? { Array(s.utf8).withUnsafeBufferPointer { Comparators.jaroSketch($0) } }
        let s = sketch("Ab 19")!
        #expect(s.0 == (1 | 1 << 4))                      // one A (either case), one B
        #expect(s.1 == (1 << (4 * (26 - 16))) | (1 << (4 * (30 - 16))) | (1 << (4 * (31 - 16))))  // 1, 9, the space
        #expect(s.2 == (5 << 32 | 0x3120_6241))           // five bytes; "Ab 1" little-endian
        #expect(sketch("") == nil)
        #expect(sketch("AAAAAAAA") == nil)                 // eight of one class
        #expect(sketch("AAAAAAA") != nil)
        // Different names fall under a floor of 0.8 by the sketches alone; a transposition does not.
        #expect(Comparators.sketchBound(sketch("THOMPSON")!, sketch("BARKER")!) < 0.8)
        #expect(Comparators.sketchBound(sketch("MARTHA")!, sketch("MARHTA")!) >= Comparators.jaroWinkler("MARTHA", "MARHTA"))
    }

    /// The comparer sketches the strings of the columns its Jaro-Winkler levels read, and no others; the sketches are
    /// made once per data; a string outside them has no bound (-1), so the comparer reads its bytes instead.
    @Test func theComparerSketchesTheJaroWinklerColumnsOnly() {
        let (inputs, _) = People.population(people: 80, seed: 5)
        let settings = LinkageSettings()
        let data = PreparedData(inputs, settings: settings)
        let c = Comparer(data: data, comparisons: settings.comparisons)
        guard let sketches = c.sketches else { Issue.record("the UK preset's names have Jaro-Winkler levels"); return }
        #expect(Comparer(data: data, comparisons: settings.comparisons).sketches === sketches)
        func readsJaroWinkler(_ t: LevelTest) -> Bool {
            switch t {
            case .jaroWinkler: true
            case .any(let p), .all(let p): p.contains(where: readsJaroWinkler)
            default: false
            }
        }
        let jwColumns = Set(settings.comparisons.filter { $0.levels.contains { readsJaroWinkler($0.test) } }.compactMap { data.columnIndex[$0.column] })
        let jwIDs = Set(jwColumns.flatMap { data.columns[$0].value.filter { $0 >= 0 } })
        #expect(!jwIDs.isEmpty)
        // Every string there of seven bytes or fewer has a sketch (no class can hold eight), none elsewhere.
        #expect(sketches.count <= jwIDs.count)
        #expect(sketches.count >= jwIDs.filter { data.strings[Int($0)].count <= 7 }.count)
        for v in jwIDs where data.strings[Int(v)].count <= 7 { #expect(sketches.bound(v, v) == 1) }
        let elsewhere = (0..<Int32(data.strings.count)).filter { !jwIDs.contains($0) }
        #expect(!elsewhere.isEmpty)
        for v in elsewhere { #expect(sketches.bound(v, v) == -1) }
    }
}
