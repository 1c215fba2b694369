import PropertyBased
import Testing
import UpstreamModel

/// The file readers' duplicate-id check answers as a `Set<String>` of the same keys would, through many resizes.
@Suite("Seen keys")
struct SeenKeysTests {
    /// Few characters and short keys, so repeats (and keys that are prefixes of others) are common.
    @Test func answersAsASetOfStringsWould() async {
        let key = Gen<Character?>.element(of: ["A", "b", "0", "7", "-", "é", " "]).map { $0! }.string(of: 0...4)
        await propertyCheck(count: 300, input: key.array(of: 0...400)) { keys in
            var seen = SeenKeys(), reference = Set<String>()
            for k in keys {
                let added = seen.insert(k)
                #expect(added == reference.insert(k).inserted, "\(k)")
            }
            #expect(seen.count == reference.count)
        }
    }

    @Test func manyDistinctIdsAndTheirRepeats() {
        var seen = SeenKeys()
        var added = 0, again = 0
        for i in 0..<300_000 where seen.insert("R\(i)") { added += 1 }
        for i in stride(from: 0, to: 300_000, by: 997) where seen.insert("R\(i)") { again += 1 }
        #expect(added == 300_000)
        #expect(again == 0)
        #expect(seen.count == 300_000)
        let empty = seen.insert(""), emptyAgain = seen.insert("")
        #expect(empty && !emptyAgain)
    }
}
