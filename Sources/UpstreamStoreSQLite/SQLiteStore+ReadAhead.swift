import Foundation
import UpstreamStore

#if canImport(Glibc)
import Glibc
#endif

extension SQLiteStore {
    /// Asks the kernel to read a store's file into the OS page cache ahead of use (`posix_fadvise` with
    /// `POSIX_FADV_WILLNEED`, as PostgreSQL's `pg_prewarm` does in its prefetch mode), a chunk at a time, calling
    /// `progress` with the bytes advised so far and the file's size after each chunk.
    ///
    /// A server started on a store the OS has not read yet builds its first chronologies from the disk: each one is
    /// a few dozen reads scattered over the file (a person's records, their household's), up to half a second apiece
    /// on session 15's disk, so the first minutes' views wait on the disk. Read ahead in the background, the file
    /// comes in sequentially (about 230 MB/s there) instead. Nothing is read into the process: the pages stay the
    /// kernel's, to be dropped under memory pressure like any other cache.
    /// - Returns: the bytes advised (the file's size, or less when the file system refused the hint).
    /// - Throws: ``StoreError/notFound(_:)`` when the file cannot be opened.
    @discardableResult
    public static func readAhead(path: String, chunk: Int64 = 64 << 20,
                                 progress: (_ done: Int64, _ total: Int64) -> Void = { _, _ in }) throws -> Int64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.notFound("\(path) (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError.notFound("\(path) (\(String(cString: strerror(errno))))") }
        let size = Int64(st.st_size)
        var done: Int64 = 0
        while done < size {
            let length = min(max(chunk, 1), size - done)
            // Only a hint: a file system that cannot take it is read on demand as before.
            guard posix_fadvise(fd, off_t(done), off_t(length), POSIX_FADV_WILLNEED) == 0 else { return done }
            done += length
            progress(done, size)
        }
        return size
    }

    /// Whether a store file of `bytes` is worth reading ahead on a machine with `memory` bytes: when it takes at
    /// most half the memory (more would push out what the machine uses, the server's own pages included).
    public static func worthReadingAhead(bytes: Int64, memory: UInt64 = ProcessInfo.processInfo.physicalMemory) -> Bool {
        bytes > 0 && UInt64(bytes) <= memory / 2
    }
}
