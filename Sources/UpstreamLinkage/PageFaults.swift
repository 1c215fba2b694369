#if canImport(Glibc)
import Glibc
#endif

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

    /// Adds the storage `array` has reserved for its first `elements` elements (its whole capacity by default; an
    /// estimate's margin is left to be faulted only if it is used), when that is at least a huge page.
    mutating func add<T>(_ array: [T], elements: Int = .max) {
        let bytes = min(array.capacity, elements) * MemoryLayout<T>.stride
        guard bytes >= 1 << 21 else { return }
        array.withUnsafeBufferPointer { p in
            if let base = p.baseAddress { ranges.append((UInt(bitPattern: base), bytes)) }
        }
    }

    /// Faults the ranges in on a thread of its own at the lowest priority (nice 19), returning at once: it runs when
    /// a core would otherwise wait (at the same priority, it took the cores from the file's reader while the first
    /// batch, which everything waits for, was read: 0.3 s of the Faker read, session 49). Pages it has not reached
    /// when the interning needs them are faulted by the interning, as without it.
    func faultInAhead() {
        guard !ranges.isEmpty else { return }
        #if os(Linux) && canImport(Glibc)
        let job = Unmanaged.passRetained(Job(ranges)).toOpaque()
        var thread = pthread_t()
        let made = pthread_create(&thread, nil, { context in
            let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
            // On Linux the nice value is the thread's own: `who` 0 is the calling thread.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            PageFaults.faultIn(job.ranges)
            return nil
        }, job)
        if made == 0 { pthread_detach(thread) } else { Unmanaged<Job>.fromOpaque(job).release() }
        #endif
    }

    /// The ranges handed to the faulting thread.
    private final class Job {
        let ranges: [(address: UInt, bytes: Int)]
        init(_ ranges: [(address: UInt, bytes: Int)]) { self.ranges = ranges }
    }

    /// Faults the ranges in on this thread (each page-aligned; a range no longer mapped is skipped by the kernel).
    static func faultIn(_ ranges: [(address: UInt, bytes: Int)]) {
        #if os(Linux) && canImport(Glibc)
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        for r in ranges {
            var from = r.address & ~(page - 1)
            let to = r.address + UInt(r.bytes)
            // 4 MiB at a time: the call holds the process's memory map for reading, and a thread mapping new memory
            // (malloc of a large block) waits until it lets go (one call over the whole range kept the file's reader
            // waiting for 0.3 s). 23 is MADV_POPULATE_WRITE (not in every libc's headers); an older kernel answers
            // EINVAL, and the rest is not tried.
            while from < to {
                let n = min(to - from, 4 << 20)
                if madvise(UnsafeMutableRawPointer(bitPattern: from), Int(n), 23) != 0 && errno == EINVAL { return }
                from += n
            }
        }
        #endif
    }
}
