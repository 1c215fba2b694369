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
}
