#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import UpstreamLinkage

/// Reserved array storage faulted in ahead (``PageFaults``): its pages become resident, what the array holds is
/// unchanged, and appending into it afterwards works as before.
@Suite("Page faults ahead")
struct PageFaultsTests {
    /// How many of the pages of `bytes` bytes at `address` are resident (mincore), and how many there are.
    static func resident(_ address: UInt, _ bytes: Int) -> (resident: Int, pages: Int) {
        #if os(Linux) && canImport(Glibc)
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let from = address & ~(page - 1), to = (address + UInt(bytes) + page - 1) & ~(page - 1)
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
        var faults = PageFaults()
        faults.add(a)
        faults.add([UInt8](repeating: 1, count: 100))  // under a huge page: not added
        #expect(faults.ranges.count == 1)
        #expect(faults.ranges.first?.bytes == a.capacity * 8)
        PageFaults.faultIn(faults.ranges)
        #if os(Linux)
        let r = Self.resident(faults.ranges[0].address, faults.ranges[0].bytes)
        #expect(r.resident == r.pages, "every page of the reserved storage is resident")
        #endif
        #expect(a.count == 1_000)
        #expect(a.indices.allSatisfy { a[$0] == UInt64($0) &* 0x9E37_79B9_7F4A_7C15 })
        let before = a.capacity
        for i in 1_000..<(1 << 20) { a.append(UInt64(i)) }
        #expect(a.capacity == before && a.last == UInt64((1 << 20) - 1))
    }
}
