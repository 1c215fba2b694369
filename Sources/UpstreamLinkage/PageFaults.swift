#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Memory reserved for arrays that one thread will fill, faulted in ahead by another thread.
///
/// The read's serial interning appends every record's key, node and column values to arrays reserved for the whole
/// file; each first write to a page of them stopped that thread while the kernel cleared the page (on this VM a
/// third of the interning thread's samples when its memory was cold: session 49's profile of the Faker read, 1,007
/// of 3,718 samples in `clear_page_erms`), and that thread was the read's slowest. Linux's `MADV_POPULATE_WRITE`
/// (5.14 and later) faults a range in writable without writing it, so the clearing is done on a thread with time to
/// spare; the arrays' contents are never read or written here. Elsewhere, and on older kernels, nothing is done.
struct PageFaults {
    /// Address and length in bytes of each range.
    private(set) var ranges: [(address: UInt, bytes: Int)] = []

    /// Adds the storage `array` has reserved (its whole capacity), when it is at least a huge page.
    mutating func add<T>(_ array: [T]) {
        let bytes = array.capacity * MemoryLayout<T>.stride
        guard bytes >= 1 << 21 else { return }
        array.withUnsafeBufferPointer { p in
            if let base = p.baseAddress { ranges.append((UInt(bitPattern: base), bytes)) }
        }
    }

    /// Faults the ranges in on a thread of the system's pool, returning at once.
    func faultInAhead() {
        guard !ranges.isEmpty else { return }
        let ranges = self.ranges
        DispatchQueue.global(qos: .userInitiated).async { Self.faultIn(ranges) }
    }

    /// Faults the ranges in on this thread (each page-aligned; a range no longer mapped is skipped by the kernel).
    static func faultIn(_ ranges: [(address: UInt, bytes: Int)]) {
        #if os(Linux) && canImport(Glibc)
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        for r in ranges {
            let from = r.address & ~(page - 1), to = r.address + UInt(r.bytes)
            // 23 is MADV_POPULATE_WRITE (not in every libc's headers); an older kernel answers EINVAL.
            _ = madvise(UnsafeMutableRawPointer(bitPattern: from), Int(to - from), 23)
        }
        #endif
    }
}
