import PropertyBased
import Testing
@testable import UpstreamLinkage

/// The clustering guard's identifier test (``Clustering/Groups/conflict(_:_:guardDOB:)``) read in place: two groups
/// conflict when, for some kind and scope of id that both hold, no value is in both.
@Suite("Clustering guard")
struct ClusteringGuardTests {
    typealias ID = (kind: UInt8, scope: Int32, value: Int64)

    /// A group's ids: a few kinds, scopes and values, so that groups often share kinds and sometimes values.
    static let ids = PropertyBased.zip(Gen<Int>.int(in: 0...2), Gen<Int>.int(in: -1...1), Gen<Int>.int(in: 0...3))
        .map { ID(kind: UInt8($0.0), scope: Int32($0.1), value: Int64($0.2)) }.array(of: 0...5)

    /// The rule as the code stated it before session 38: each kind and scope of a's ids, both sides' values filtered out.
    static func reference(_ a: [ID], _ b: [ID]) -> Bool {
        for (k, scope, _) in a {
            let va = a.filter { $0.kind == k && $0.scope == scope }.map(\.value)
            let vb = b.filter { $0.kind == k && $0.scope == scope }.map(\.value)
            if !vb.isEmpty && !va.contains(where: { vb.contains($0) }) { return true }
        }
        return false
    }

    @Test("conflict read in place answers as the filtered rule, both ways round")
    func conflictAsTheRule() async {
        await propertyCheck(count: 500, input: Self.ids, Self.ids) { a, b in
            let groups = Clustering.Groups(parent: [0, 1], size: [1, 1],
                                           evidence: [Clustering.Evidence(ids: a), Clustering.Evidence(ids: b)])
            #expect(groups.conflict(0, 1, guardDOB: false) == Self.reference(a, b))
            #expect(groups.conflict(1, 0, guardDOB: false) == Self.reference(b, a))
        }
    }

    /// Dates of birth as day numbers: a few days or many years apart, so groups are sometimes close and sometimes not.
    static let dobs = Gen<Int>.int(in: 0...5).map { Int32(7_000 + ($0 % 3) * 4_000 + $0) }.array(of: 0...3)

    @Test("dates of birth conflict when both groups have some and no pair of them is close; a union adds the ids the absorbing group lacks")
    func datesAndUnion() async {
        await propertyCheck(count: 300, input: PropertyBased.zip(Self.ids, Self.dobs), PropertyBased.zip(Self.ids, Self.dobs)) { a, b in
            var groups = Clustering.Groups(parent: [0, 1], size: [1, 1],
                                           evidence: [Clustering.Evidence(ids: a.0, dobs: a.1), Clustering.Evidence(ids: b.0, dobs: b.1)])
            let close = a.1.contains { x in b.1.contains { y in Comparer.dobLevel(x, y) < 5 } }
            #expect(groups.conflict(0, 1, guardDOB: true) == (Self.reference(a.0, b.0) || (!a.1.isEmpty && !b.1.isEmpty && !close)))
            groups.union(0, 1)
            let root = Int(groups.find(0))
            let e = groups.evidence[root]
            // Node 0 absorbs node 1 (equal sizes: the smaller index): its ids as they were, then those of node 1 it lacks.
            var expected = a.0
            for x in b.0 where !expected.contains(where: { $0 == x }) { expected.append(x) }
            #expect((0..<e.idCount).map { e.id($0).value } == expected.map(\.value))
            #expect(Set((0..<e.dobCount).map { e.dob($0) }) == Set(a.1 + b.1))
        }
    }
}
