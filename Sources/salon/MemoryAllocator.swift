#if os(Linux)
import CMalloc
#endif

/// The server's malloc policy.
enum MemoryAllocator {
    /// Free memory glibc keeps at the top of each heap before handing it back to the kernel.
    static let retainedFreeBytes: Int32 = 2 << 20

    /// Stops glibc from returning freed memory to the kernel after every burst of traffic.
    ///
    /// Its default threshold adapts to the largest block freed so far, which stays small on a
    /// chat server, so the event loops' heaps were trimmed (madvise, and a TLB flush on the
    /// other cores) and faulted back in on every turn of a busy room. A fixed threshold keeps
    /// up to 2 MiB free per heap.
    static func keepFreedMemoryForReuse() {
        #if os(Linux)
        _ = mallopt(M_TRIM_THRESHOLD, retainedFreeBytes)
        #endif
    }
}
