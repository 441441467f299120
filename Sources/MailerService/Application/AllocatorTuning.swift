#if canImport(Glibc)
import Glibc
#endif

/// How `mailer serve` sets glibc's allocator before it starts.
///
/// By default glibc hands memory back to the kernel as soon as 128 KiB lie free at the top of a
/// heap, and each thread's heap does it with `madvise`. Under load the service allocates those
/// pages again at once, so the kernel kept taking them away and zeroing them anew: page faults and
/// `madvise` were ≈ 11 % of the service's CPU while accepting and delivering (Benchmarks/README.md).
/// Keeping up to `trimThreshold` free per heap ends that churn; the peak memory is the same, the
/// process just does not shrink below it after a burst. Blocks of `mmapThreshold` or more (large
/// attachments) still get memory of their own, returned when freed.
///
/// An operator's own glibc malloc settings (`GLIBC_TUNABLES` with `glibc.malloc.*`, or the older
/// `MALLOC_*_` variables) win: then nothing is changed.
public enum AllocatorTuning {
    public static let trimThreshold = 64 << 20
    public static let mmapThreshold = 4 << 20

    /// Whether to change the allocator, given the process environment.
    public static func shouldApply(environment: [String: String]) -> Bool {
        if let tunables = environment["GLIBC_TUNABLES"], tunables.contains("glibc.malloc.") { return false }
        return !environment.keys.contains { $0.hasPrefix("MALLOC_") }
    }

    /// Applies the settings unless the environment already sets the allocator; returns whether it
    /// did (false too where the C library is not glibc).
    @discardableResult
    public static func apply(environment: [String: String]) -> Bool {
        guard shouldApply(environment: environment) else { return false }
        #if canImport(Glibc)
        // malloc.h is not in Swift's Glibc module: mallopt is looked up, its constants written out.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThresholdParameter: Int32 = -1, mmapThresholdParameter: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        // Setting any threshold also stops glibc from raising the mmap threshold by itself, so
        // both are set.
        return mallopt(trimThresholdParameter, Int32(trimThreshold)) == 1 && mallopt(mmapThresholdParameter, Int32(mmapThreshold)) == 1
        #else
        return false
        #endif
    }
}
