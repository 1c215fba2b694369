#if canImport(Glibc)
import Glibc
#endif
import Testing
import UpstreamModel
@testable import UpstreamWorkspace

/// Reserved array storage faulted in ahead (`PageFaults`, the workspace's `Parallelism.faultInAhead`): its pages
/// become resident, what the array holds is unchanged, and appending into it afterwards works as before.
@Suite("Page faults ahead")
struct PageFaultsTests {
    /// How many of the pages of `range` are resident (mincore), and how many there are.
    static func resident(_ range: MemoryRange) -> (resident: Int, pages: Int) {
        #if os(Linux) && canImport(Glibc)
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let from = range.address & ~(page - 1), to = (range.address + UInt(range.bytes) + page - 1) & ~(page - 1)
        let pages = Int((to - from) / page)
        var vec = [UInt8](repeating: 0, count: pages)
        guard mincore(UnsafeMutableRawPointer(bitPattern: from), Int(to - from), &vec) == 0 else { return (-1, pages) }
        return (vec.filter { $0 & 1 == 1 }.count, pages)
        #else
        return (0, 0)
        #endif
    }

    @Test("a reserved array's storage is resident after it is faulted in, its elements unchanged, and appending goes on")
    func reservedStorageIsFaultedInUnchanged() {
        var a: [UInt64] = []
        a.reserveCapacity(1 << 20)  // 8 MiB
        for i in 0..<1_000 { a.append(UInt64(i) &* 0x9E37_79B9_7F4A_7C15) }
        let range = MemoryRange.reserved(by: a)
        #expect(range?.bytes == a.capacity * 8)
        #expect(MemoryRange.reserved(by: a, elements: 1_000) == nil, "8,000 bytes: under a huge page")
        #expect(MemoryRange.reserved(by: [UInt8](repeating: 1, count: 100)) == nil)
        PageFaults.faultIn([range!])
        #if os(Linux)
        let r = Self.resident(range!)
        #expect(r.resident == r.pages, "every page of the reserved storage is resident")
        #endif
        #expect(a.count == 1_000)
        #expect(a.indices.allSatisfy { a[$0] == UInt64($0) &* 0x9E37_79B9_7F4A_7C15 })
        let before = a.capacity
        for i in 1_000..<(1 << 20) { a.append(UInt64(i)) }
        #expect(a.capacity == before && a.last == UInt64((1 << 20) - 1))
    }

    @Test("the workspace's policy with workers faults ahead; one worker, like the default, does nothing")
    func theWorkspacePolicyFaultsAhead() {
        var a: [UInt32] = []
        a.reserveCapacity(1 << 20)  // 4 MiB
        let range = MemoryRange.reserved(by: a)!
        Workspace.parallelism(workers: 2).faultInAhead([range])
        // The faulting thread runs at the lowest priority: wait for it (at most about 5 s).
        var done = false
        for _ in 0..<500 where !done {
            done = Self.resident(range).resident == Self.resident(range).pages
            if !done { usleep(10_000) }
        }
        #if os(Linux)
        #expect(done)
        #endif
        Workspace.parallelism(workers: 1).faultInAhead([range])
        Parallelism.serial.faultInAhead([range])
        #expect(a.isEmpty)
    }
}
