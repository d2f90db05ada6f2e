import CKernels
import Foundation

/// The threads the CPU kernels run on: the calling thread plus `threads - 1` workers that spin briefly
/// between tasks and then sleep. One pool per model; `LOUPE_THREADS` overrides the default (all cores).
public final class KernelPool: @unchecked Sendable {
    /// The C pool (for calling kernels directly).
    public let raw: OpaquePointer

    /// Creates a pool of `threads` threads in all (the caller counts as one).
    public init(threads: Int = KernelPool.defaultThreads) {
        guard let pool = lk_pool_create(Int32(max(1, min(threads, 64)))) else {
            fatalError("out of memory creating the kernel thread pool")
        }
        raw = pool
    }

    deinit { lk_pool_destroy(raw) }

    /// A pool for code that has no pool of its own (the vision operators).
    public static let shared = KernelPool()

    /// Threads in the pool.
    public var threads: Int { Int(lk_pool_threads(raw)) }

    /// `LOUPE_THREADS` if set, else the number of active cores.
    public static var defaultThreads: Int {
        if let text = ProcessInfo.processInfo.environment["LOUPE_THREADS"], let n = Int(text), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }

    /// Whether the AVX-512 VNNI kernels are in use (false: portable scalar kernels).
    public static var usesSIMD: Bool { lk_simd_level() != 0 }

    /// Forces the scalar kernels (`false`) or restores automatic selection, for work started from the calling
    /// thread (tests and comparisons).
    public static func setSIMD(_ enabled: Bool) { lk_set_simd(enabled ? 1 : 0) }
}
