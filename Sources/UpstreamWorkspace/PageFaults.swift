#if canImport(Glibc)
import Glibc
#endif
import UpstreamModel

/// Memory reserved for arrays that one thread will fill, faulted in ahead by another thread: the workspace's
/// ``Parallelism/faultInAhead``.
///
/// The link's serial interning appends every record's key, node and column values to arrays reserved for the whole
/// input; each first write to a page of them stopped that thread while the kernel cleared the page (on this VM a third
/// of the interning thread's samples when its memory had gone back to the host: session 49's profile of the Faker read,
/// 1,007 of 3,718 samples in `clear_page_erms`), and that thread was the read's slowest. Linux's `MADV_POPULATE_WRITE`
/// (5.14 and later) faults a range in writable without reading or writing it, so the clearing is done by a thread with
/// time to spare. Elsewhere, and on older kernels, nothing is done.
enum PageFaults {
    /// Faults `ranges` in on a thread of its own at the lowest priority (nice 19), returning at once: it runs when a
    /// core would otherwise wait (at the same priority, it took the cores from the file's reader while the first batch,
    /// which everything waits for, was read: about 0.3 s of the Faker read, session 49). Pages it has not reached when
    /// the interning writes them are faulted by the interning, as without it.
    @Sendable static func faultInAhead(_ ranges: [MemoryRange]) {
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
        let ranges: [MemoryRange]
        init(_ ranges: [MemoryRange]) { self.ranges = ranges }
    }

    /// Faults `ranges` in on this thread, each from the start of its first page. A range no longer mapped (an array
    /// that grew past its reservation and was moved) is refused by the kernel and skipped; memory is never read or
    /// written here.
    static func faultIn(_ ranges: [MemoryRange]) {
        #if os(Linux) && canImport(Glibc)
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        for r in ranges {
            var from = r.address & ~(page - 1)
            let to = r.address + UInt(r.bytes)
            // 4 MiB at a time: the call holds the process's memory map for reading, and a thread mapping new memory
            // (malloc of a large block) waits until it lets go (one call over a whole range kept the file's reader
            // waiting for 0.3 s). 23 is MADV_POPULATE_WRITE (not in every libc's headers); an older kernel answers
            // EINVAL, and nothing more is tried.
            while from < to {
                let n = min(to - from, 4 << 20)
                if madvise(UnsafeMutableRawPointer(bitPattern: from), Int(n), 23) != 0 && errno == EINVAL { return }
                from += n
            }
        }
        #endif
    }
}
