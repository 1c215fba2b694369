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

    /// Keys in byte order for a while (no table), then any keys: the first key out of order (a repeat, or a new key
    /// that sorts earlier) must find every key of the ordered run.
    @Test func anOrderedRunThenAnyKeys() async {
        let key = Gen<Character?>.element(of: ["A", "b", "0", "7", "é"]).map { $0! }.string(of: 0...3)
        await propertyCheck(count: 300, input: key.array(of: 0...200)) { keys in
            let run = keys.prefix(keys.count / 2).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            var seen = SeenKeys(), reference = Set<String>()
            for k in run + keys.suffix(keys.count - keys.count / 2) {
                let added = seen.insert(k)
                #expect(added == reference.insert(k).inserted, "\(k)")
            }
            #expect(seen.count == reference.count)
        }
    }

    @Test func idsInOrderThenRepeats() {
        var seen = SeenKeys()
        var added = 0
        for i in 0..<200_000 where seen.insert(String(format: "A%07d", i)) { added += 1 }
        let answers = ["A0199999", "A0000000", "A", String(format: "A%07d", 123_456), "B", "A"].map { seen.insert($0) }
        #expect(added == 200_000)
        #expect(answers == [false, false, true, false, true, false])
        #expect(seen.count == 200_002)
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

    /// The word-at-a-time hash reads unaligned words: the same bytes hash the same wherever they start, every length
    /// from empty to past two words is read whole (changing any one byte changes the hash), and the seed counts.
    @Test func wordHashIsTheBytesNotTheirPlace() {
        var rng = SystemRandomNumberGenerator()
        for n in 0...40 {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var hashes: Set<UInt64> = []
            for offset in 0..<8 {
                let padded = [UInt8](repeating: 0xAA, count: offset) + bytes
                hashes.insert(padded.withUnsafeBufferPointer { ByteHash.words(UnsafeBufferPointer(rebasing: $0[offset...]), seed: 5) })
            }
            #expect(hashes.count == 1, "length \(n)")
            let h = bytes.withUnsafeBufferPointer { ByteHash.words($0, seed: 5) }
            #expect(h == hashes.first && h != bytes.withUnsafeBufferPointer { ByteHash.words($0, seed: 6) })
            for i in 0..<n {
                var changed = bytes
                changed[i] ^= 1
                #expect(changed.withUnsafeBufferPointer { ByteHash.words($0, seed: 5) } != h, "byte \(i) of \(n)")
            }
            // A trailing zero byte is part of the text.
            #expect((bytes + [0]).withUnsafeBufferPointer { ByteHash.words($0, seed: 5) } != h)
        }
    }
}
