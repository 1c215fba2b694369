import Foundation
import Testing
import UpstreamModel
@testable import UpstreamSynth

/// Finding 1 (issue 10): identifiers that should be unique are unique, at the sizes the README claims.
@Suite("Identifiers")
struct IdentifierTests {
    @Test("a keyed permutation is a bijection, and another key gives another order", arguments: [1, 7, 1000, 4097])
    func permutationIsBijective(_ n: Int) {
        let p = KeyedPermutation(n: n, seed: 3, purpose: 1)
        let images = (0..<n).map { p.apply($0) }
        #expect(Set(images).count == n)
        #expect(images.allSatisfy { (0..<n).contains($0) })
        if n >= 1000 {
            let q = KeyedPermutation(n: n, seed: 4, purpose: 1)
            #expect((0..<n).filter { p.apply($0) == q.apply($0) }.count < 10)
        }
    }

    /// Before this fix, 97% of a 100,000-person city shared an NHS number (the number was a formula of the
    /// person's index with only 10^6 values, folded by a division): this checks 200,000 people, every identifier.
    @Test("every person of a 200,000-person city has distinct, valid identifiers of every kind")
    func distinctAt200000() {
        let n = 200_000
        let book = IdentifierBook(people: n, seed: 11)
        #expect(Set(book.nhs).count == n)
        #expect(book.nhs.allSatisfy { NHSNumber.isValid(SynthText.pad($0, 10)) && $0 / 10_000_000 == 999 })
        let idx = (0..<Int32(n))
        let upns = idx.map { book.upn($0) }
        #expect(Set(upns).count == n)
        #expect(upns.allSatisfy { UniquePupilNumber.isValid($0) })
        #expect(Set(idx.map { book.pnc($0, year: 2010) }).count == n)
        #expect(Set(idx.map { book.childID($0) }).count == n)
        #expect(Set(idx.map { book.yotCase($0) }).count == n)
        #expect(Set(idx.map { book.crn($0) }).count == n)
        #expect(Set(idx.map { book.clientRef($0) }).count == n)
        #expect(Set(idx.map { book.prisonNumber($0) }).count == n)
        #expect(Set((0..<n).map { book.recordID("ed_attendances", 3 * 100_000_000 + $0) }).count == n)
    }

    @Test("a city larger than the NHS test range still gets distinct valid NHS numbers, test range first")
    func distinctBeyondTheTestRange() {
        let n = 1_000_000
        let book = IdentifierBook(people: n, seed: 2)
        #expect(Set(book.nhs).count == n)
        let inTestRange = book.nhs.filter { $0 / 10_000_000 == 999 }.count
        #expect(inTestRange == IdentifierBook.validNHSNumbers(prefix: 999).count)
        #expect(book.nhs.allSatisfy { NHSNumber.isValid(SynthText.pad($0, 10)) })
    }

    /// Finding 2: ids are not formulas of the person's index.
    @Test("agency ids carry no order information about the person")
    func idsCarryNoOrder() {
        let n = 200_000
        let book = IdentifierBook(people: n, seed: 5)
        for (name, id) in [("child id", { book.childID($0) }), ("YOT case", { book.yotCase($0) }), ("UPN", { book.upn($0) }),
                           ("NHS number", { book.nhsNumber($0) }), ("prison number", { book.prisonNumber($0) })] as [(String, (Int32) -> String)] {
            let values = (0..<Int32(n)).map(id)
            // Spearman correlation between the person's index and the rank of their id.
            let order = values.indices.sorted { values[$0] < values[$1] }
            var rank = [Double](repeating: 0, count: n)
            for (r, i) in order.enumerated() { rank[i] = Double(r) }
            let mean = Double(n - 1) / 2
            var cov = 0.0, v = 0.0
            for i in 0..<n { cov += (Double(i) - mean) * (rank[i] - mean); v += (Double(i) - mean) * (Double(i) - mean) }
            let rho = cov / v
            // Under no association rho ~ Normal(0, 1/sqrt(n-1)): 0.0022 here; 0.012 is over five standard errors.
            #expect(abs(rho) < 0.012, "\(name): Spearman rho \(rho)")
            // Neighbouring people's ids do not differ by a constant (as an affine scramble's would).
            guard name != "prison number" else { continue }  // four digits and two letters: gaps collide by chance
            let gaps = Set((0..<1000).map { Int(values[$0 + 1].filter(\.isNumber))! - Int(values[$0].filter(\.isNumber))! })
            #expect(gaps.count > 990, "\(name): \(gaps.count) distinct gaps between neighbours' ids")
        }
    }
}
